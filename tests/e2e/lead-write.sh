# strato lead create / update / estado / assign / tag / note / merge /
# delete / duplicates: values cleaned as the import cleans them, duplicates
# refused, one audit row per change, agents kept from hard deletes.
. "$(dirname "$0")/lib.sh"

db=e2e_lead_write
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
sql $db "CREATE ROLE e2e_lw_svc LOGIN IN ROLE strato_service" >/dev/null 2>&1 ||
	sql $db "SELECT 1" >/dev/null
SVC=$(conninfo e2e_lw_svc $db)
"$STRATO" --db "$SVC" tenant create --name Sur --slug sur >/dev/null
"$STRATO" --db "$SVC" --tenant sur user create --email ag@sur.com.ar --name Ag \
	--role agent --login e2e_lw_ag >/dev/null
"$STRATO" --db "$SVC" --tenant sur user create --email beto@sur.com.ar \
	--name Beto --role agent >/dev/null
AG=$(conninfo e2e_lw_ag $db)
L() { run "$STRATO" --db "$AG" lead "$@"; }
audit() { sql $db "SELECT $1 FROM strato.audit_log WHERE action = '$2' ${3:-}"; }

# create: the phone to E.164 in the tenant's region, the e-mail cleaned,
# the budget parsed, enumerations read as the import reads them.
L create --name '  Ana   Gómez ' --phone '011 15 2345-6789' \
	--email ' Ana@Example.COM ' --presupuesto 'USD 100-150k' --tag vip \
	--tag 'meta, web' --zonas 'Palermo, Belgrano' --operacion alquilar \
	--tipo-propiedad depto --ambientes '3 amb' --assigned AG@sur.com.ar \
	--origen WEB --json
expect_rc 0 "lead create"
A=$(json "j['id']")
expect_eq "$(json "j['telefono_e164'], j['telefono'], j['email'], j['nombre']")" \
	"+5491123456789 011 15 2345-6789 ana@example.com Ana Gómez" \
	"create normalises the phone, the e-mail and the name"
expect_eq "$(json "j['presupuesto'], j['operacion'], j['tipo_propiedad'], j['estado']")" \
	"100000.00-150000.00 USD ALQUILER DEPARTAMENTO NUEVO" \
	"create parses the budget and the enumerations"
expect_eq "$(json "j['tags'], '|', j['zona'], '|', j['asignado']")" \
	"vip, meta, web | Palermo, Belgrano | ag@sur.com.ar" \
	"repeated --tag, zone list, assignee by e-mail"
expect_eq "$(sql $db "SELECT ambientes FROM strato.lead WHERE id = '$A'")" "3" "ambientes parsed"
expect_eq "$(audit "diff->'email'->>'new' || ' ' || (diff->'nombre'->>'old' IS NULL)" \
	lead.create "AND entity_id = '$A'")" "ana@example.com true" \
	"lead.create audited with the new values"

L create --name 'Otra Ana' --phone '+54 9 11 2345-6789'
expect_rc 1 "a duplicate phone is refused"
expect_contains "$err" "already exists: \"Ana Gómez\" (id $A)" "the refusal names the existing lead"
L create --name 'Otra Ana' --email 'ANA@example.com'
expect_rc 1 "a duplicate e-mail (any case) is refused"
expect_contains "$err" "e-mail ana@example.com already exists" "said plainly"
L create --name 'Sin Contacto'
expect_rc 2 "a lead needs a phone or an e-mail"
L create --name X --phone '12'
expect_rc 2 "an invalid phone is a usage error"
expect_contains "$err" 'invalid phone "12"' "naming the phone"
L create --name X --email 'no-arroba'
expect_rc 2 "an invalid e-mail is a usage error"
L create --name X --email x@y.com --tipo-propiedad castillo
expect_rc 2 "an invalid enumeration is a usage error"
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead")" "1" "refused creates leave nothing"

# update: given fields only; an empty value clears.
L update "$A" --email '' --notas 'llamar a la tarde' --presupuesto '' --json
expect_rc 0 "lead update"
expect_eq "$(json "j['email'], j['presupuesto'], j['notas'], j['tags']")" \
	"None None llamar a la tarde vip, meta, web" "update clears with an empty value, keeps the rest"
expect_eq "$(audit "diff->'email'->>'old' || ' ' || (diff->'email'->'new' = 'null')" \
	lead.update "AND entity_id = '$A'")" "ana@example.com true" "lead.update audited with the diff"
L update "$A" --name ''
expect_rc 2 "the name cannot be cleared"
L update "$A"
expect_rc 2 "an update with nothing to change"
L update nope --notas x
expect_rc 1 "update of a missing lead"
expect_contains "$err" 'lead "nope" does not exist' "said plainly"
L update "$(printf '%s' "$A" | cut -c1-8)" --tipo comprador --json
expect_eq "$(json "j['id'], j['tipo']")" "$A COMPRADOR" "a unique id prefix names the lead"

# estado, any case; a bad value is a usage error.
L estado "$A" visita_agendada --json
expect_eq "$(json "j['estado']")" "VISITA_AGENDADA" "estado in any case"
expect_eq "$(audit "diff->'estado'->>'old' || '>' || (diff->'estado'->>'new')" lead.estado)" \
	"NUEVO>VISITA_AGENDADA" "lead.estado audited"
L estado "$A" ganadisimo
expect_rc 2 "an invalid estado"
expect_contains "$err" 'invalid estado "ganadisimo"' "names the value"

# assign by e-mail or id; - and --none unassign.
L assign "$A" beto@sur.com.ar --json
expect_eq "$(json "j['asignado']")" "beto@sur.com.ar" "assign by e-mail"
L assign "$A" - --json
expect_eq "$(json "j['asignado']")" "None" "assign - unassigns"
beto=$(sql $db "SELECT id FROM strato.app_user WHERE email = 'beto@sur.com.ar'")
L assign "$A" "$beto" --json
expect_eq "$(json "j['asignado']")" "beto@sur.com.ar" "assign by id"
L assign "$A" --none --json
expect_eq "$(json "j['asignado']")" "None" "assign --none unassigns"
L assign "$A" nadie@sur.com.ar
expect_rc 1 "assign to an unknown user"
expect_contains "$err" 'user "nadie@sur.com.ar" does not exist' "said plainly"
expect_eq "$(audit "count(*)" lead.assign)" "4" "one lead.assign row per assignment"
expect_eq "$(audit "string_agg(coalesce(diff->'assigned_to_id'->>'new', '-'), ' ' ORDER BY at)" lead.assign)" \
	"$beto - $beto -" "lead.assign audited with the assignee's id"

# tag: + or nothing adds, - removes (ignoring case), no doubles.
L tag "$A" +nuevo -VIP otro META --json
expect_rc 0 "lead tag"
expect_eq "$(json "j['tags']")" "meta, web, nuevo, otro" "tags added and removed"
expect_eq "$(audit "diff->'tags'->>'new'" lead.tag)" '["meta", "web", "nuevo", "otro"]' "lead.tag audited"

# note: an event of tipo NOTA in the timeline; notas untouched.
L note "$A" 'Llamó: quiere visitar el sábado' --json
expect_rc 0 "lead note"
note=$(json "j['id']")
L show "$A" --json
expect_eq "$(json "j['timeline'][0]['id'], j['timeline'][0]['tipo'], j['timeline'][0]['usuario']")" \
	"$note NOTA ag@sur.com.ar" "the note heads the timeline of lead show, by its author"
expect_eq "$(json "j['timeline'][0]['notas']")" "Llamó: quiere visitar el sábado" "with its text"
expect_eq "$(json "j['notas']")" "llamar a la tarde" "lead.notas is left alone"
expect_eq "$(audit "diff->'tipo'->>'new' || ' ' || entity_id" lead.note)" "NOTA $A" "lead.note audited"
L note "$A" '   '
expect_rc 2 "an empty note"

# merge: B's history moves to A, A's empty fields fill from B, B goes.
L create --name 'Ana G.' --email ana.g@example.com --phone '+54 9 11 5555-0001' \
	--tag vip --zonas Nuñez --presupuesto 'hasta 200k' --moneda usd --json
B=$(json "j['id']")
sql $db "UPDATE strato.lead SET custom = '{\"a\": \"B\", \"b\": \"B\"}' WHERE id = '$B';
	UPDATE strato.lead SET custom = '{\"a\": \"A\"}' WHERE id = '$A'" >/dev/null
t=$(sql $db "SELECT id FROM strato.tenant WHERE slug = 'sur'")
sql $db "INSERT INTO strato.event (tenant_id, id, lead_id, tipo, titulo, fecha)
	VALUES ('$t', 'ev-b', '$B', 'LLAMADA', 'Llamada', now() - interval '1 day');
INSERT INTO strato.conversation (tenant_id, id, lead_id, canal)
	VALUES ('$t', 'cv-b', '$B', 'WEB');
INSERT INTO strato.message (tenant_id, id, conversation_id, direccion, contenido)
	VALUES ('$t', 'msg-b', 'cv-b', 'ENTRANTE', 'hola');
INSERT INTO strato.campaign (tenant_id, id, nombre, tipo) VALUES
	('$t', 'c1', 'Uno', 'OPORTUNIDADES'), ('$t', 'c2', 'Dos', 'OPORTUNIDADES');
INSERT INTO strato.campaign_send (tenant_id, id, campaign_id, lead_id) VALUES
	('$t', 'cs-a1', 'c1', '$A'), ('$t', 'cs-b1', 'c1', '$B'),
	('$t', 'cs-b2', 'c2', '$B');
INSERT INTO strato.whatsapp_sync (tenant_id, id, lead_id, wa_id)
	VALUES ('$t', 'ws-b', '$B', '5491155550001')" >/dev/null
L merge "$A" "$B" --json
expect_rc 0 "lead merge, by an agent"
expect_eq "$(json "j['id'], j['email'], j['tags'], j['zona']")" \
	"$A ana.g@example.com meta, web, nuevo, otro, vip Palermo, Belgrano, Nuñez" \
	"the survivor's empty e-mail filled, tags and zones united"
expect_eq "$(json "j['presupuesto'], j['telefono_e164'], j['custom']")" \
	"200000.00 USD +5491123456789 {'a': 'A', 'b': 'B'}" \
	"empty budget filled, own phone kept, custom merged with the survivor winning"
expect_eq "$(json "j['merge']['moved']['events'], j['merge']['moved']['conversations'], j['merge']['moved']['campaign_sends'], j['merge']['dropped']['campaign_sends'], j['merge']['moved']['whatsapp_sync']")" \
	"1 1 1 1 1" "the summary says what moved and what was dropped"
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead WHERE id = '$B'")" "0" "the other lead is gone"
expect_eq "$(sql $db "SELECT string_agg(id, ',' ORDER BY id <> 'ev-b') FROM strato.event WHERE lead_id = '$A'")" \
	"ev-b,$note" "events moved"
expect_eq "$(sql $db "SELECT c.lead_id || ' ' || m.contenido FROM strato.conversation c JOIN strato.message m ON m.conversation_id = c.id WHERE c.id = 'cv-b'")" \
	"$A hola" "the conversation moved with its messages"
expect_eq "$(sql $db "SELECT string_agg(id, ',' ORDER BY id) FROM strato.campaign_send WHERE lead_id = '$A'")" \
	"cs-a1,cs-b2" "campaign sends moved, the survivor's kept where both had one"
expect_eq "$(sql $db "SELECT lead_id FROM strato.whatsapp_sync WHERE id = 'ws-b'")" "$A" "the WhatsApp sync moved"
expect_eq "$(audit "count(*) || ' ' || min(entity_id) || ' ' || min(diff->>'merged') || ' ' || min(actor_login)" lead.merge)" \
	"1 $A $B e2e_lw_ag" "one lead.merge audit row with both ids and the actor"
expect_eq "$(audit "(diff->'filled' ? 'email') AND (diff->'filled' ? 'presupuesto_max')" lead.merge)" \
	"t" "the audit row says what was filled"
L merge "$A" "$A"
expect_rc 2 "a lead cannot merge into itself"
L merge "$A" nope
expect_rc 1 "merging a missing lead"

# delete: soft by default; --hard only for platform admins.
L create --name 'Para Borrar' --phone '+54 9 11 5555-0002' --json
D=$(json "j['id']")
L note "$D" 'antes de borrar' >/dev/null
L delete "$D" --json
expect_rc 0 "soft delete"
L list --json
expect_lacks "$out" "$D" "a deleted lead is not listed"
L show "$D"
expect_rc 1 "nor shown"
expect_eq "$(audit "count(*) || ' ' || (min(diff->'deleted_at'->>'new') IS NOT NULL)" lead.delete)" \
	"1 true" "lead.delete audited with deleted_at"
L create --name 'Otra Vez' --phone '+54 9 11 5555-0002' --json
expect_rc 0 "a deleted lead's phone is free again"
L delete "$D" --hard
expect_rc 1 "an agent may not delete for good"
expect_contains "$err" "only platform admins may delete a lead for good" "refused plainly"
run psql "$AG" -XAtq -c "DELETE FROM strato.lead"
expect_contains "$err" "permission denied" "nor may an agent delete leads by hand"
run "$STRATO" --db "$SVC" --tenant sur lead delete "$D" --hard --json
expect_rc 0 "the service login deletes for good"
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead WHERE id = '$D'")|$(sql $db "SELECT count(*) FROM strato.event WHERE lead_id = '$D'")" \
	"0|0" "the row and its events are gone"
expect_eq "$(audit "count(*)" lead.delete "AND diff ? 'hard'")" "1" "the hard delete audited"

# duplicates: groups sharing a phone (ambiguous legacy numbers) or an e-mail.
sql $db "INSERT INTO strato.lead (tenant_id, id, nombre, telefono_e164, telefono_ambiguo, email, created_at) VALUES
	('$t', 'dupl-p1', 'Pablo Uno', '+5491144440001', true, NULL, now() - interval '3 day'),
	('$t', 'dupl-p2', 'Pablo Dos', '+5491144440001', true, NULL, now() - interval '2 day'),
	('$t', 'dupl-e1', 'Eva Uno', NULL, false, 'Eva@Example.com', now() - interval '3 day'),
	('$t', 'dupl-e2', 'Eva Dos', NULL, false, 'eva@example.com ', now() - interval '1 day')" >/dev/null
L duplicates --json
expect_rc 0 "lead duplicates"
expect_eq "$(json "[(r['grupo'], r['clave'], r['valor'], r['id']) for r in j]")" \
	"[(1, 'telefono_e164', '+5491144440001', 'dupl-p1'), (1, 'telefono_e164', '+5491144440001', 'dupl-p2'), (2, 'email', 'eva@example.com', 'dupl-e1'), (2, 'email', 'eva@example.com', 'dupl-e2')]" \
	"two groups, with the shared key and the leads"
L show dupl
expect_rc 2 "an ambiguous id prefix"
expect_contains "$err" 'lead "dupl" is ambiguous' "said plainly"

# The other verbs each left their rows; nothing audited twice.
expect_eq "$(sql $db "SELECT string_agg(action || '=' || n, ' ' ORDER BY action) FROM (SELECT action, count(*) n FROM strato.audit_log WHERE action LIKE 'lead.%' GROUP BY action) a")" \
	"lead.assign=4 lead.create=4 lead.delete=2 lead.estado=1 lead.merge=1 lead.note=2 lead.tag=1 lead.update=2" \
	"one audit row per change"

finish
