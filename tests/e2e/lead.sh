# strato lead list / lead show: filters, accent-free search, keyset pages,
# and tenants kept apart.
. "$(dirname "$0")/lib.sh"

db=e2e_lead
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
for t in sur otra; do
	"$STRATO" --db "$C" tenant create --name "$t" --slug "$t" >/dev/null
	"$STRATO" --db "$C" --tenant "$t" user create --email "ag@$t.com.ar" --name Ag \
		--role agent --login "e2e_lead_$t" >/dev/null
done
printf 'nombre,telefono,email,estado,zona,etiquetas,asignado\n%s\n' \
	'María José Núñez,+54 9 11 4111-0001,mj@example.com,NUEVO,Palermo,meta,ag@sur.com.ar' \
	'Joaquín Ibáñez,+54 9 11 4111-0002,,CONTACTADO,Belgrano,,' \
	'Sofía Peña,+54 9 11 4111-0003,,NUEVO,Palermo,meta|vip,' \
	'Agustín Muñoz,+54 9 11 4111-0004,,GANADO,Caballito,,' \
	'Lucía Fernández,+54 9 11 4111-0005,,NUEVO,Recoleta,,' >"$work/leads.csv"
"$ETL" --quiet --db "$C" import leads --tenant sur "$work/leads.csv" >/dev/null
printf 'nombre,telefono\nDe Otra Agencia,+54 9 11 4222-0001\n' |
	"$ETL" --quiet --db "$C" import leads --tenant otra - >/dev/null
S="$STRATO --db $(printf '%s' "$C" | sed 's/ /\\ /g')"

run "$STRATO" --db "$C" --tenant sur lead list --json
expect_rc 0 "lead list"
expect_eq "$(json "len(j)")" "5" "five leads"
expect_eq "$(json "sorted(l['nombre'] for l in j)[0]")" "Agustín Muñoz" "UTF-8 intact"
run "$STRATO" --db "$C" --tenant sur lead list --estado nuevo --json
expect_eq "$(json "len(j)")" "3" "--estado (any case)"
run "$STRATO" --db "$C" --tenant sur lead list --tag meta --zona palermo --json
expect_eq "$(json "sorted(l['nombre'] for l in j)")" "['María José Núñez', 'Sofía Peña']" "--tag and --zona"
run "$STRATO" --db "$C" --tenant sur lead list --assigned AG@sur.com.ar --json
expect_eq "$(json "[l['nombre'] for l in j]")" "['María José Núñez']" "--assigned"
run "$STRATO" --db "$C" --tenant sur lead list --search nunez --json
expect_eq "$(json "[l['nombre'] for l in j]")" "['María José Núñez']" "search ignores accents and case"
run "$STRATO" --db "$C" --tenant sur lead list --search '4111-0003' --json
expect_eq "$(json "[l['nombre'] for l in j]")" "['Sofía Peña']" "search by the phone as written"
run "$STRATO" --db "$C" --tenant sur lead list --search '5491141110003' --json
expect_eq "$(json "[l['nombre'] for l in j]")" "['Sofía Peña']" "search by phone digits"
run "$STRATO" --db "$C" --tenant sur lead list --search '%' --json
expect_eq "$(json "len(j)")" "0" "LIKE wildcards in the search are literal"

# Keyset pages: two at a time, every lead once, in a stable order.
seen=""
after=""
pages=0
while :; do
	if [ -n "$after" ]; then
		run "$STRATO" --db "$C" --tenant sur lead list --limit 2 --after "$after"
	else
		run "$STRATO" --db "$C" --tenant sur lead list --limit 2
	fi
	pages=$((pages + 1))
	seen="$seen$(printf '%s\n' "$out" | sed -n '3,4p' | awk '{print $1}' | grep -v '^(' )
"
	after=$(printf '%s\n' "$out" | sed -n "s/^more: --after '\(.*\)'$/\1/p")
	[ -n "$after" ] && [ $pages -lt 10 ] || break
done
expect_eq "$pages" "3" "five leads in pages of two: three pages"
expect_eq "$(printf '%s' "$seen" | grep -c .)" "5" "every lead on some page"
expect_eq "$(printf '%s' "$seen" | sort -u | grep -c .)" "5" "no lead on two pages"
run "$STRATO" --db "$C" --tenant sur lead list --after garbage
expect_rc 1 "a bad cursor"
expect_contains "$err" "invalid page cursor" "said plainly"
run "$STRATO" --db "$C" --tenant sur lead list --limit 0
expect_rc 2 "--limit 0 is a usage error"
run "$STRATO" --db "$C" --tenant sur lead list --after "2026-01-01|x|y|"
expect_rc 1 "a cursor without an id"

# By name, A to Z, in pages that hand on a name and an id.
run "$STRATO" --db "$C" --tenant sur lead list --sort nombre --limit 3 --json
expect_eq "$(json "[l['nombre'] for l in j]")" \
	"['Agustín Muñoz', 'Joaquín Ibáñez', 'Lucía Fernández']" "--sort nombre, first page"
run "$STRATO" --db "$C" --tenant sur lead list --sort nombre --limit 3
after=$(printf '%s\n' "$out" | sed -n "s/^more: --after '\(.*\)'$/\1/p")
run "$STRATO" --db "$C" --tenant sur lead list --sort nombre --limit 3 --after "$after" --json
expect_eq "$(json "[l['nombre'] for l in j]")" "['María José Núñez', 'Sofía Peña']" \
	"--sort nombre, the next page"
# A lead with an empty name (legacy data has them) pages like any other.
sql $db "INSERT INTO strato.lead (tenant_id, nombre, email) SELECT id, '', 'sin@nombre.com'
	FROM strato.tenant WHERE slug = 'sur'" >/dev/null
run "$STRATO" --db "$C" --tenant sur lead list --sort nombre --limit 1
after=$(printf '%s\n' "$out" | sed -n "s/^more: --after '\(.*\)'$/\1/p")
run "$STRATO" --db "$C" --tenant sur lead list --sort nombre --limit 1 --after "$after" --json
expect_eq "$(json "[l['nombre'] for l in j]")" "['Agustín Muñoz']" "paging on past an empty name"
sql $db "DELETE FROM strato.lead WHERE email = 'sin@nombre.com'" >/dev/null
run "$STRATO" --db "$C" --tenant sur lead list --sort precio
expect_rc 2 "an unknown sort is a usage error"

id=$(sql $db "SELECT id FROM strato.lead WHERE nombre = 'Sofía Peña'")
run "$STRATO" --db "$C" --tenant sur lead show "$id" --json
expect_eq "$(json "j['telefono_e164'], j['tags'], j['estado']")" "+5491141110003 meta, vip NUEVO" "lead show"
run "$STRATO" --db "$C" --tenant sur lead show nope
expect_rc 1 "lead show of a missing lead"
expect_contains "$err" 'lead "nope" does not exist' "not found said plainly"

# lead show: the last messages of the lead's conversations, newest first.
sofia=$(sql $db "SELECT id FROM strato.lead WHERE nombre = 'Sofía Peña'")
sql $db "INSERT INTO strato.conversation (tenant_id, id, lead_id, canal)
	SELECT tenant_id, 'conv-sofia', id, 'WHATSAPP' FROM strato.lead WHERE id = '$sofia';
	INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, estado, created_at)
	SELECT tenant_id, 'conv-sofia', d, c, e, now() - o * interval '1 minute'
	  FROM strato.lead, (VALUES ('ENTRANTE', 'Hola, ¿sigue disponible?', 'RECEIVED', 2),
	                            ('SALIENTE', '¡Sí! ¿Cuándo querés verlo?', 'SENT', 1)) v(d, c, e, o)
	 WHERE id = '$sofia'" >/dev/null
run "$STRATO" --db "$C" --tenant sur lead show "$sofia" --json
expect_eq "$(json "[(m['direccion'], m['contenido']) for m in j['messages']]")" \
	"[('SALIENTE', '¡Sí! ¿Cuándo querés verlo?'), ('ENTRANTE', 'Hola, ¿sigue disponible?')]" \
	"lead show lists the last messages, newest first"
run "$STRATO" --db "$C" --tenant sur lead show "$sofia"
expect_contains "$out" "SALIENTE" "and the text form shows them too"

# An agent sees its own tenant's leads, never another's, even by id.
other=$(sql $db "SELECT id FROM strato.lead WHERE nombre = 'De Otra Agencia'")
AG=$(conninfo e2e_lead_sur $db)
run "$STRATO" --db "$AG" lead list --json
expect_eq "$(json "len(j)")" "5" "an agent lists its tenant's leads"
run "$STRATO" --db "$AG" lead show "$other"
expect_rc 1 "an agent cannot read another tenant's lead by id"
run "$STRATO" --db "$C" --tenant otra lead list --json
expect_eq "$(json "[l['nombre'] for l in j]")" "['De Otra Agencia']" "the other tenant sees only its own"

finish
