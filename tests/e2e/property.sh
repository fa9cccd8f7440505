# The property flow: catalogue CRUD (admins write, agents read), filters
# and keyset pages, property match on a fixture whose order is known,
# visits (clashes, --force, time zones, done, cancel) and send fichas.
. "$(dirname "$0")/lib.sh"

db=e2e_property
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
for t in sur otra; do
	"$STRATO" --db "$C" tenant create --name "$t" --slug "$t" >/dev/null
done
"$STRATO" --db "$C" --tenant sur user create --email ad@sur.com.ar --name Admin \
	--role admin --login e2e_prop_admin >/dev/null
"$STRATO" --db "$C" --tenant sur user create --email ag@sur.com.ar --name Agente \
	--role agent --login e2e_prop_agent >/dev/null
"$STRATO" --db "$C" --tenant sur user create --email ag2@sur.com.ar --name Otra \
	--role agent --login e2e_prop_ag2 >/dev/null
AD=$(conninfo e2e_prop_admin $db)
AG=$(conninfo e2e_prop_agent $db)

# --- CRUD -----------------------------------------------------------------
run "$STRATO" --db "$AD" property create --codigo P1 --titulo "Depto en Recoleta" \
	--operacion venta --tipo Departamento --precio 150000 --moneda usd \
	--zona Recoleta --direccion "Av. Alvear 1000" --ambientes 2 --dormitorios 1 \
	--banos 1 --superficie 48.5 --url https://example.com/p1 \
	--descripcion "Reciclado a nuevo." --json
expect_rc 0 "property create"
expect_eq "$(json "j['codigo'], j['operacion'], j['tipo'], j['precio'], j['moneda'], j['superficie'], j['estado']")" \
	"P1 VENTA DEPARTAMENTO 150000 USD 48.5 DISPONIBLE" "stored canonical, numbers plain"
p1=$(json "j['id']")
run "$STRATO" --db "$AD" property create --titulo X --operacion compra --tipo casa
expect_rc 2 "a bad --operacion is a usage error"
expect_contains "$err" 'invalid value "compra" for --operacion' "names the flag"
expect_contains "$err" "VENTA, ALQUILER" "lists the valid values"
run "$STRATO" --db "$AD" property create --titulo X --operacion venta --tipo depto
expect_contains "$err" "DEPARTAMENTO, CASA, PH" "bad --tipo lists the types"
run "$STRATO" --db "$AD" property create --titulo X --operacion venta --tipo casa --estado libre
expect_rc 2 "a bad --estado"
run "$STRATO" --db "$AD" property create --titulo X --operacion venta --tipo casa --precio 150.000
expect_rc 2 "an Argentine thousands point in --precio is refused"
expect_contains "$err" '"150.000" for --precio' "names --precio"
run "$STRATO" --db "$AD" property create --titulo X --operacion venta --tipo casa --ambientes 0
expect_rc 1 "ambientes 0"
expect_contains "$err" 'invalid ambientes "0"' "names ambientes"
run "$STRATO" --db "$AD" property create --titulo X --tipo casa
expect_rc 2 "create without --operacion"
run "$STRATO" --db "$AD" property create --codigo P1 --titulo Otra --operacion venta --tipo casa
expect_rc 1 "a taken codigo"
expect_contains "$err" 'codigo "P1" is taken' "said plainly"
run "$STRATO" --db "$AD" property show P1 --json
expect_eq "$(json "j['id'], j['direccion'], j['dormitorios']")" "$p1 Av. Alvear 1000 1" "show by codigo"
run "$STRATO" --db "$AD" property show "$p1" --json
expect_eq "$(json "j['codigo']")" "P1" "show by id"
run "$STRATO" --db "$AD" property update P1 --precio 140000 --descripcion '' --estado RESERVADA --json
expect_rc 0 "property update"
expect_eq "$(json "j['precio'], j['descripcion'], j['estado'], j['zona']")" \
	"140000 None RESERVADA Recoleta" "update changes the given fields, '' clears, the rest stays"
expect_eq "$(sql $db "SELECT (diff->'precio'->>'old')::numeric || '>' || (diff->'precio'->>'new')::numeric || ' ' || (diff ? 'zona')::text FROM strato.audit_log WHERE action = 'property.update'")" \
	"150000.00>140000.00 false" "the update's audit row holds what changed, only that"
run "$STRATO" --db "$AD" property update P1 --estado disponible --json
expect_eq "$(json "j['estado']")" "DISPONIBLE" "estado back, any case"
run "$STRATO" --db "$AD" property update P1
expect_rc 2 "update without fields"
run "$STRATO" --db "$AD" property update nope --precio 1
expect_rc 1 "update of a missing property"
expect_contains "$err" 'property "nope" does not exist' "not found said plainly"
run "$STRATO" --db "$AD" property create --codigo TMP --titulo Borrar --operacion alquiler --tipo cochera
run "$STRATO" --db "$AD" property delete TMP
expect_rc 0 "property delete"
run "$STRATO" --db "$AD" property show TMP
expect_rc 1 "a deleted property is gone"
expect_eq "$(sql $db "SELECT string_agg(action, ',' ORDER BY at) FROM strato.audit_log WHERE entity = 'property'")" \
	"property.create,property.update,property.update,property.create,property.delete" \
	"every mutation has its audit row"
expect_eq "$(sql $db "SELECT diff->'titulo'->>'old' FROM strato.audit_log WHERE action = 'property.delete'")" \
	"Borrar" "the delete's diff holds the row"

# Agents read the catalogue but cannot change it.
run "$STRATO" --db "$AG" property show P1 --json
expect_rc 0 "an agent shows a property"
run "$STRATO" --db "$AG" property create --titulo X --operacion venta --tipo casa
expect_rc 1 "an agent cannot create a property"
expect_contains "$err" "permission denied to create a property" "the refusal says what"
expect_contains "$err" "Only tenant admins" "and who may"
run "$STRATO" --db "$AG" property update P1 --precio 1
expect_contains "$err" "permission denied to update a property" "an agent cannot update"
run "$STRATO" --db "$AG" property delete P1
expect_contains "$err" "permission denied to delete a property" "an agent cannot delete"
expect_eq "$(sql $db "SELECT precio FROM strato.property WHERE codigo = 'P1'")" "140000.00" "nothing changed"
run "$STRATO" --db "$C" --tenant otra property show P1
expect_rc 1 "another tenant does not see it"

# --- the match fixture ----------------------------------------------------
# A lead wanting to buy a 3-room flat in Palermo for USD 100,000-150,000.
# Scores with the default weights (zona .35, precio .35, ambientes .2,
# recencia .1, all published now):
#   A Palermo USD 140,000, 3 rooms            .35 + .35 + .2  = .90
#   C PALERMO ARS 170,000,000 (USD 141,667)   .35 + .315 + .2 = .865 (other currency: x.9)
#   D Palermo USD 165,000 (10% over), 4 rooms .35 + .28 + .15 = .78
#   B Palermo Soho USD 120,000, 3 rooms       .175 + .35 + .2 = .725
#   E Belgrano USD 130,000, 3 rooms           0 + .35 + .2    = .55
#   P1 Recoleta USD 140,000, 2 rooms          0 + .35 + .1    = .45
# and not candidates: F for rent, G a house, H reserved, I USD 300,000
# (beyond 50% over), J without a price.
mk() { # codigo titulo operacion tipo zona precio moneda ambientes [estado]
	"$STRATO" --db "$AD" property create --codigo "$1" --titulo "$2" --operacion "$3" \
		--tipo "$4" --zona "$5" ${6:+--precio "$6"} --moneda "$7" --ambientes "$8" \
		--estado "${9:-DISPONIBLE}" >/dev/null || echo "cannot create $1" >&2
}
mk A "Depto luminoso en Palermo" VENTA DEPARTAMENTO Palermo 140000 USD 3
mk B "Depto en Palermo Soho" VENTA DEPARTAMENTO "Palermo Soho" 120000 USD 3
mk C "Depto en pesos" VENTA DEPARTAMENTO PALERMO 170000000 ARS 3
mk D "Depto grande" VENTA DEPARTAMENTO Palermo 165000 USD 4
mk E "Depto en Belgrano" VENTA DEPARTAMENTO Belgrano 130000 USD 3
mk F "Alquiler en Palermo" ALQUILER DEPARTAMENTO Palermo 140000 USD 3
mk G "Casa en Palermo" VENTA CASA Palermo 140000 USD 3
mk H "Reservado" VENTA DEPARTAMENTO Palermo 140000 USD 3 RESERVADA
mk I "Caro" VENTA DEPARTAMENTO Palermo 300000 USD 3
mk J "Sin precio" VENTA DEPARTAMENTO Palermo "" USD 3
"$STRATO" --db "$AD" property update A --superficie 72.5 --url https://example.com/a \
	--descripcion "Al frente, con balcón." >/dev/null
sql $db "UPDATE strato.property SET publicado_at = now()" >/dev/null
lead=$(sql $db "INSERT INTO strato.lead (tenant_id, nombre, operacion, tipo_propiedad,
	zonas, presupuesto_min, presupuesto_max, moneda, ambientes)
	SELECT id, 'Compradora', 'VENTA', 'DEPARTAMENTO', '{Palermo}', 100000, 150000,
	'USD', 3 FROM strato.tenant WHERE slug = 'sur' RETURNING id" | head -n 1)

# --- list: filters and pages ----------------------------------------------
run "$STRATO" --db "$AG" property list --json
expect_eq "$(json "len(j)")" "11" "an agent lists the catalogue"
run "$STRATO" --db "$AG" property list --zona palermo --operacion VENTA --tipo departamento \
	--estado disponible --moneda usd --precio-min 100000 --precio-max 200000 --json
expect_eq "$(json "sorted(p['codigo'] for p in j)")" "['A', 'D']" "filters combine; zona ignores case"
run "$STRATO" --db "$AG" property list --zona PALERMO --ambientes 4 --json
expect_eq "$(json "[p['codigo'] for p in j]")" "['D']" "--ambientes"
run "$STRATO" --db "$AG" property list --estado reservada --json
expect_eq "$(json "[p['codigo'] for p in j]")" "['H']" "--estado"
run "$STRATO" --db "$AG" property list --operacion compra
expect_rc 2 "a bad filter value"
expect_contains "$err" "for --operacion" "names the filter"
seen=""
after=""
pages=0
while :; do
	if [ -n "$after" ]; then
		run "$STRATO" --db "$AG" property list --limit 4 --after "$after"
	else
		run "$STRATO" --db "$AG" property list --limit 4
	fi
	pages=$((pages + 1))
	seen="$seen$(printf '%s\n' "$out" | sed -n '3,6p' | awk '{print $1}' | grep -v '^(')
"
	after=$(printf '%s\n' "$out" | sed -n "s/^more: --after '\(.*\)'$/\1/p")
	[ -n "$after" ] && [ $pages -lt 10 ] || break
done
expect_eq "$pages" "3" "eleven properties in pages of four: three pages"
expect_eq "$(printf '%s' "$seen" | sort -u | grep -c .)" "11" "every property once"
run "$STRATO" --db "$AG" property list --after garbage
expect_rc 1 "a bad cursor"

# --- match ----------------------------------------------------------------
run "$STRATO" --db "$AG" property match "$lead" --json
expect_rc 0 "property match"
expect_eq "$(json "[m['codigo'] for m in j]")" "['A', 'C', 'D', 'B', 'E', 'P1']" \
	"the designed order; F G H I J are not candidates"
expect_eq "$(json "[m['rank'] for m in j][:3]")" "[1, 2, 3]" "ranks"
run "$STRATO" --db "$AG" property match "$lead" --limit 2 --json
expect_eq "$(json "[m['codigo'] for m in j]")" "['A', 'C']" "--limit"
run "$STRATO" --db "$AG" property match "$lead" --explain --json
expect_eq "$(json "[(m['codigo'], m['score_zona'], m['score_precio'], m['score_ambientes']) for m in j if m['codigo'] in ('B', 'C', 'D')]")" \
	"[('C', 1.0, 0.9, 1.0), ('D', 1.0, 0.8, 0.75), ('B', 0.5, 1.0, 1.0)]" \
	"--explain: each component (zona word prefix .5, other currency x.9, 10% over .8, a room more .75)"
expect_eq "$(json "all(0.99 <= m['score_recencia'] <= 1 for m in j)")" "True" "recency of today is 1"
run "$STRATO" --db "$AG" property match "$lead" --explain
expect_contains "$(printf '%s\n' "$out" | head -n 1)" "score_zona  score_precio  score_ambientes  score_recencia" \
	"--explain adds the component columns"
expect_contains "$out" "weights: zona=0.35 precio=0.35 ambientes=0.2 recencia=0.1" "default weights said"
run "$STRATO" --db "$AG" property match "$lead"
expect_lacks "$(printf '%s\n' "$out" | head -n 1)" "score_zona" "without --explain, no component columns"
# The tenant's dollar: at 2000 C is USD 85,000, under the budget.
sql $db "UPDATE strato.tenant SET config = config || '{\"usd_ars\": 2000}' WHERE slug = 'sur'" >/dev/null
run "$STRATO" --db "$AG" property match "$lead" --json
expect_eq "$(json "[m['codigo'] for m in j]")" "['A', 'D', 'C', 'B', 'E', 'P1']" "the tenant's usd_ars rate"
# The active assistant's weights: rooms only.
sql $db "INSERT INTO strato.assistant (tenant_id, nombre, config) SELECT id, 'Astor',
	'{\"ranking\": {\"zona\": 0, \"precio\": 0, \"ambientes\": 1, \"recencia\": 0}}'
	FROM strato.tenant WHERE slug = 'sur'" >/dev/null
run "$STRATO" --db "$AG" property match "$lead"
expect_contains "$out" "weights: zona=0 precio=0 ambientes=1 recencia=0" "weights from the active assistant"
run "$STRATO" --db "$AG" property match "$lead" --json
expect_eq "$(json "[m['codigo'] for m in j][-2:]")" "['D', 'P1']" "ranked by rooms alone"
sql $db "UPDATE strato.assistant SET is_active = false" >/dev/null
run "$STRATO" --db "$AG" property match nope
expect_rc 1 "match for a missing lead"
expect_contains "$err" 'lead "nope" does not exist' "said plainly"

# --- visits ---------------------------------------------------------------
run "$STRATO" --db "$AG" visit schedule "$lead" A "2031-03-10 15:00" --json
expect_rc 0 "visit schedule"
expect_eq "$(json "j['fecha'], j['fecha_iso'], j['agente'], j['estado'], j['lead_estado']")" \
	"2031-03-10 15:00 2031-03-10T18:00:00+00:00 ag@sur.com.ar PENDIENTE VISITA_AGENDADA" \
	"local time in Buenos Aires, the agent is the login, the lead moves on"
v1=$(json "j['id']")
expect_eq "$(sql $db "SELECT tipo || ' ' || titulo FROM strato.event WHERE id = '$v1'")" \
	"VISITA Visita: Depto luminoso en Palermo" "an event of tipo VISITA"
run "$STRATO" --db "$AG" visit schedule "$lead" D "2031-03-10T15:45"
expect_rc 1 "a clash within the hour is refused"
expect_contains "$err" "clashes with visit \"$v1\" at 2031-03-10 15:00" "naming the clashing visit"
expect_contains "$err" "--force" "and the way past it"
run "$STRATO" --db "$AG" visit schedule "$lead" D "2031-03-10T15:45" --force --json
expect_rc 0 "--force schedules it anyway"
v2=$(json "j['id']")
run "$STRATO" --db "$AG" visit schedule "$lead" B "2031-03-10T20:00:00Z" --json
expect_eq "$(json "j['fecha']")" "2031-03-10 17:00" "a time with an offset, shown in the tenant's zone"
v3=$(json "j['id']")
run "$STRATO" --db "$AG" visit schedule "$lead" C "2031-03-10 15:00" --agent AG2@sur.com.ar --json
expect_eq "$(json "j['agente']")" "ag2@sur.com.ar" "another agent at the same time: no clash"
run "$STRATO" --db "$AG" visit schedule "$lead" C "mañana"
expect_rc 2 "a bad WHEN"
run "$STRATO" --db "$AG" visit schedule "$lead" C "2031-03-10"
expect_rc 1 "a date without a time"
expect_contains "$err" "needs a time of day" "said plainly"
run "$STRATO" --db "$AG" visit schedule "$lead" C "2031-03-10 12:00" --agent nadie@sur.com.ar
expect_contains "$err" 'user "nadie@sur.com.ar" does not exist' "an unknown agent"
run "$STRATO" --db "$AG" visit list --from 2031-03-10 --to 2031-03-10 --json
expect_eq "$(json "[v['fecha'][11:] for v in j], sorted(v['agente'] for v in j)")" \
	"['15:00', '15:00', '15:45', '17:00'] ['ag2@sur.com.ar', 'ag@sur.com.ar', 'ag@sur.com.ar', 'ag@sur.com.ar']" \
	"visit list: the day, in time order"
run "$STRATO" --db "$AG" visit list --from 2031-03-10 --agent ag2@sur.com.ar --json
expect_eq "$(json "len(j)")" "1" "visit list --agent"
run "$STRATO" --db "$AG" visit list --from "2031-03-10 15:30" --to "2031-03-10 17:00" --json
expect_eq "$(json "[v['id'] for v in j]")" "['$v2']" "--from and --to times (end excluded)"
run "$STRATO" --db "$AG" visit done "$v1" --json
expect_eq "$(json "j['estado']")" "HECHA" "visit done"
run "$STRATO" --db "$AG" visit done "$v1"
expect_rc 1 "done twice"
expect_contains "$err" "is done" "said plainly"
run "$STRATO" --db "$AG" visit cancel "$v1"
expect_rc 1 "a done visit cannot be cancelled"
run "$STRATO" --db "$AG" visit cancel "$v2" --json
expect_eq "$(json "j['estado']")" "CANCELADA" "visit cancel"
run "$STRATO" --db "$AG" visit schedule "$lead" E "2031-03-10 16:00"
expect_rc 0 "exactly an hour apart, and a cancelled visit, do not clash"
run "$STRATO" --db "$AG" visit schedule "$lead" E "2031-03-10 15:20"
expect_contains "$err" "clashes with visit \"$v1\"" "a done visit still holds its time (the nearest is named)"
run "$STRATO" --db "$AG" visit cancel nope
expect_rc 1 "cancel of a missing visit"
lead2=$(sql $db "INSERT INTO strato.lead (tenant_id, nombre, estado) SELECT id, 'Negociando',
	'NEGOCIACION' FROM strato.tenant WHERE slug = 'sur' RETURNING id" | head -n 1)
run "$STRATO" --db "$AG" visit schedule "$lead2" A "2031-04-01 10:00" --json
expect_eq "$(json "j['lead_estado']")" "NEGOCIACION" "a lead further on keeps its estado"
expect_eq "$(sql $db "SELECT count(*) FILTER (WHERE action = 'visit.schedule') || ' ' ||
	count(*) FILTER (WHERE action = 'visit.done') || ' ' || count(*) FILTER (WHERE action = 'visit.cancel')
	|| ' ' || count(*) FILTER (WHERE action = 'lead.update') FROM strato.audit_log")" \
	"6 1 1 1" "visits and the lead's move are audited"

# --- send fichas ------------------------------------------------------------
run "$STRATO" --db "$AG" send fichas "$lead" A C --json
expect_rc 0 "send fichas"
expect_eq "$(json "j[0]['contenido']")" "*Depto luminoso en Palermo*
Venta: USD 140.000
Zona: Palermo
3 ambientes · 72,5 m²
Al frente, con balcón.
Ver más: https://example.com/a" "the sheet, exactly"
expect_eq "$(json "j[1]['contenido'].split(chr(10))[1]")" "Venta: \$ 170.000.000" "pesos the Argentine way"
expect_eq "$(sql $db "SELECT count(*) || ' ' || string_agg(DISTINCT m.direccion || '/' || m.estado || '/' || c.canal, ',')
	FROM strato.message m JOIN strato.conversation c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id")" \
	"2 SALIENTE/QUEUED/WHATSAPP" "queued as outgoing messages on a new WhatsApp conversation"
expect_eq "$(sql $db "SELECT contenido FROM strato.message WHERE contenido LIKE '*Depto luminoso%'")" \
	"$(json "j[0]['contenido']")" "the stored message is the sheet"
run "$STRATO" --db "$AG" send fichas "$lead" D
expect_contains "$out" "open conversation" "the next send reuses the open conversation"
expect_eq "$(sql $db "SELECT count(*) FROM strato.conversation")" "1" "one conversation"
run "$STRATO" --db "$AG" send fichas "$lead" A H
expect_rc 1 "a reserved property is not sent"
expect_contains "$err" 'property "H" is RESERVADA' "said plainly"
run "$STRATO" --db "$AG" send fichas "$lead" A nope
expect_rc 1 "a missing property"
expect_eq "$(sql $db "SELECT count(*) FROM strato.message")" "3" "a refused send queues nothing"
sql $db "UPDATE strato.lead SET opt_out = true WHERE id = '$lead2'" >/dev/null
run "$STRATO" --db "$AG" send fichas "$lead2" A
expect_contains "$err" "opted out" "a lead who opted out gets nothing"
expect_eq "$(sql $db "SELECT count(*) FILTER (WHERE action = 'message.queue') || ' ' ||
	count(*) FILTER (WHERE action = 'conversation.create') FROM strato.audit_log")" \
	"3 1" "queued messages and the conversation are audited"
run "$STRATO" --db "$AG" send fichas "$lead"
expect_rc 2 "send fichas needs a property"

finish
