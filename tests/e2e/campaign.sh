# strato campaign / template / assistant: every verb, the estado machine
# and its illegal moves, config errors naming the field, the preview's
# exact text, ledger counts, audit rows, and agents kept to reading.
. "$(dirname "$0")/lib.sh"

db=e2e_campaign
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
"$STRATO" --db "$C" tenant create --name "Inmobiliaria Sur" --slug sur >/dev/null
"$STRATO" --db "$C" tenant create --name "Otra" --slug otra >/dev/null
"$STRATO" --db "$C" --tenant sur user create --email admin@sur.com.ar \
	--name "Marta Peña" --role admin --login e2e_camp_admin >/dev/null
"$STRATO" --db "$C" --tenant sur user create --email ana@sur.com.ar \
	--name "Ana Gómez" --role agent --login e2e_camp_agent >/dev/null
printf 'nombre,telefono,estado,zona,etiquetas,asignado\n%s\n' \
	'María José Núñez,+54 9 11 4111-0001,NUEVO,Palermo,meta,ana@sur.com.ar' \
	'Joaquín Ibáñez,+54 9 11 4111-0002,CONTACTADO,Belgrano,,' \
	'Sofía Peña,+54 9 11 4111-0003,NUEVO,Palermo,meta|vip,' \
	'Agustín Muñoz,+54 9 11 4111-0004,GANADO,Caballito,,' \
	'Lucía Fernández,+54 9 11 4111-0005,NUEVO,Recoleta,,' >"$work/leads.csv"
"$ETL" --quiet --db "$C" import leads --tenant sur "$work/leads.csv" >/dev/null
# a known order: Sofía is the oldest lead, then María
sql $db "UPDATE strato.lead SET created_at = '2026-01-01' WHERE nombre = 'Sofía Peña';
	UPDATE strato.lead SET created_at = '2026-01-02' WHERE nombre = 'María José Núñez'" >/dev/null
maria=$(sql $db "SELECT id FROM strato.lead WHERE nombre = 'María José Núñez'")
AD=$(conninfo e2e_camp_admin $db)
AG=$(conninfo e2e_camp_agent $db)
S() { "$STRATO" --db "$AD" "$@"; }

# --- campaign create, list, show
run S campaign create --name "Otoño 2026" --tipo reactivacion \
	--set audience.estado=nuevo --set audience.zonas=palermo,Recoleta \
	--set channel=manychat \
	--set 'message.text=Hola {{primer_nombre}}, hay novedades en {{zona}}. Te escribe {{agente|el equipo}} de {{inmobiliaria}}.' --json
expect_rc 0 "campaign create with --set"
expect_eq "$(json "j['estado'], j['tipo'], j['created_by']")" "DRAFT REACTIVACION admin@sur.com.ar" "a DRAFT, tipo in upper case, its creator"
expect_eq "$(json "j['config']['audience']['estado'], j['config']['channel']")" "['NUEVO'] MANYCHAT" "enumerations stored upper case"
cid=$(json "j['id']")
run S campaign create --name "Otoño 2026"
expect_rc 1 "a second campaign of the same name"
expect_contains "$err" 'campaign "Otoño 2026" already exists' "said plainly"
run S campaign create --tipo PERSONALIZADA
expect_rc 2 "campaign create without --name is a usage error"
run S campaign create --name Mala --set audience.estado=NUEVO,NUEVOO
expect_rc 1 "a bad lead estado"
expect_contains "$err" 'config.audience.estado[1]: "NUEVOO" is not a lead estado (NUEVO, CONTACTADO,' "the error names the field and the value"
run S campaign create --name Mala --set 'message.text=Hola {{nombr}}'
expect_contains "$err" "config.message.text: unknown placeholder {{nombr}}" "an unknown placeholder is refused"
run S campaign create --name Mala --set audience.barrio=x
expect_contains "$err" 'unknown config key "audience.barrio"' "an unknown --set key"
run S campaign create --name Mala --tipo promo
expect_contains "$err" 'invalid campaign tipo "promo"' "a bad tipo"
printf '{"channel": "UCHAT", "message": {"text": "Hola {{nombre}}"}, "throttle": {"per_minute": 0}}' >"$work/bad.json"
run S campaign create --name Mala --config-file "$work/bad.json"
expect_contains "$err" "config.throttle.per_minute: must be a whole number from 1 to 600" "--config-file is checked too"
run S campaign create --name Mala --config-file "$work/nope.json"
expect_rc 1 "a missing --config-file"
printf '{"channel": "uchat", "message": {"text": "Hola {{nombre}}"}}' >"$work/in.json"
run sh -c '"$1" --db "$2" campaign create --name Stdin --config-file - --set throttle.per_minute=20 --json <"$3"' sh "$STRATO" "$AD" "$work/in.json"
expect_rc 0 "--config-file - reads stdin, --set applies over it"
expect_eq "$(json "j['config']['channel'], j['config']['throttle']['per_minute']")" "UCHAT 20" "the config from stdin"
run S campaign list --json
expect_eq "$(json "[c['nombre'] for c in j]")" "['Otoño 2026', 'Stdin']" "campaign list, by name"
run S campaign list --estado draft --json
expect_eq "$(json "len(j)")" "2" "campaign list --estado (any case)"
run S campaign show "$cid" --json
expect_eq "$(json "j['nombre']")" "Otoño 2026" "campaign show by id"
run S campaign show "Otoño 2026" --json
expect_eq "$(json "j['id']")" "$cid" "campaign show by name"
run S campaign show nada
expect_rc 1 "campaign show of a missing campaign"
expect_contains "$err" 'campaign "nada" does not exist' "not found said plainly"

# --- preview and stats
run S campaign preview "Otoño 2026" --json
expect_rc 0 "campaign preview"
expect_eq "$(json "j['text']")" "Hola Sofía, hay novedades en Palermo. Te escribe el equipo de Inmobiliaria Sur." "preview: the audience's first lead, fallback for a missing agent"
expect_eq "$(json "j['lead'], j['in_audience'], j['channel']")" "Sofía Peña True MANYCHAT" "preview names the lead and channel"
run S campaign preview "Otoño 2026" --lead "$maria" --json
expect_eq "$(json "j['text']")" "Hola María, hay novedades en Palermo. Te escribe Ana Gómez de Inmobiliaria Sur." "preview --lead: accents, the assigned agent"
run S campaign preview "Otoño 2026" --lead nope
expect_rc 1 "preview for a missing lead"
expect_contains "$err" 'lead "nope" does not exist' "said plainly"
sql $db "UPDATE strato.lead SET opt_out = true WHERE nombre = 'Lucía Fernández'" >/dev/null
run S campaign stats "Otoño 2026" --json
expect_eq "$(json "j['audience'], j['total'], j['sent']")" "2 0 0" "stats: opted-out leads leave the audience; no sends yet"
sql $db "INSERT INTO strato.campaign_send (tenant_id, campaign_id, lead_id, estado)
	SELECT l.tenant_id, '$cid', l.id, e.estado
	FROM (SELECT *, row_number() OVER (ORDER BY nombre) AS n FROM strato.lead) l
	JOIN (VALUES (1, 'SENT'), (2, 'SENT'), (3, 'FAILED'), (4, 'UNKNOWN'), (5, 'PENDING')) e (n, estado)
	ON e.n = l.n" >/dev/null
run S campaign stats "Otoño 2026" --json
expect_eq "$(json "j['total'], j['sent'], j['failed'], j['unknown'], j['pending'], j['sending'], j['skipped']")" "5 2 1 1 1 0 0" "stats counts the ledger by estado"
run S campaign stats "Otoño 2026"
expect_contains "$out" "audience:" "stats as text"

# --- update
run S campaign update "Otoño 2026" --set audience.zonas= --set throttle.per_minute=30 --json
expect_rc 0 "campaign update --set"
expect_eq "$(json "'zonas' in j['config']['audience'], j['config']['throttle']['per_minute']")" "False 30" "an empty value removes a key"
run S campaign stats "Otoño 2026" --json
expect_eq "$(json "j['audience']")" "2" "the audience follows the config"
run S campaign update "Otoño 2026"
expect_rc 2 "campaign update with nothing to change"
run S campaign update Stdin --name "Invierno" --json
expect_eq "$(json "j['nombre']")" "Invierno" "campaign update --name"
run S campaign update Invierno --name "Otoño 2026"
expect_contains "$err" "already exists" "renaming onto another campaign's name"

# --- schedule and the estado machine
run S campaign create --name Incompleta --set audience.estado=NUEVO
run S campaign schedule Incompleta now
expect_rc 1 "an incomplete campaign cannot be scheduled"
expect_contains "$err" 'campaign "Incompleta" cannot be scheduled: config.channel: missing' "the missing field named"
run S campaign pause "Otoño 2026"
expect_rc 1 "pause a DRAFT"
expect_contains "$err" 'cannot pause campaign "Otoño 2026": it is DRAFT, and only a SCHEDULED or RUNNING campaign can become PAUSED' "the current and wanted states named"
run S campaign resume "Otoño 2026"
expect_contains "$err" 'it is DRAFT, and only a PAUSED campaign can become SCHEDULED' "resume a DRAFT"
run S campaign schedule "Otoño 2026" "2001-01-01 10:00-03"
expect_contains "$err" "cannot schedule in the past" "schedule in the past"
run S campaign schedule "Otoño 2026" "mañana"
expect_contains "$err" 'invalid time "mañana"' "a time that is not one"
run S campaign schedule "Otoño 2026" "2099-01-01 10:00-03" --every "5 minutes"
expect_contains "$err" "--every must be at least an hour" "too short a recurrence"
run S campaign update "Otoño 2026" --set window.start=09:00 --set window.end=20:00 --set window.timezone=America/Nowhere
run S campaign schedule "Otoño 2026" "2099-01-01 10:00-03"
expect_contains "$err" 'config.window.timezone: "America/Nowhere" is not a time zone the server knows' "the server checks the time zone"
run S campaign update "Otoño 2026" --set window.timezone=America/Argentina/Buenos_Aires
run S campaign schedule "Otoño 2026" "2099-01-01 10:00-03" --every "1 week" --json
expect_rc 0 "campaign schedule"
expect_eq "$(json "j['estado'], j['scheduled_at'], j['recurrence']")" "SCHEDULED 2099-01-01T13:00:00+00:00 7 days" "scheduled, with its recurrence"
run S campaign resume "Otoño 2026"
expect_contains "$err" "cannot resume campaign \"Otoño 2026\": it is already SCHEDULED" "resume a SCHEDULED"
run S campaign update "Otoño 2026" --set channel=
expect_rc 1 "a scheduled campaign stays complete"
expect_contains "$err" "config.channel: missing" "said with the field"
run S campaign pause "Otoño 2026" --json
expect_eq "$(json "j['estado']")" "PAUSED" "campaign pause"
run S campaign pause "Otoño 2026"
expect_contains "$err" 'cannot pause campaign "Otoño 2026": it is already PAUSED' "pause twice"
run S campaign schedule "Otoño 2026" now
expect_contains "$err" "it is PAUSED, and only a DRAFT or SCHEDULED campaign can become SCHEDULED" "schedule a PAUSED"
run S campaign resume "Otoño 2026" --json
expect_eq "$(json "j['estado']")" "SCHEDULED" "campaign resume"
sql $db "UPDATE strato.campaign SET estado = 'RUNNING' WHERE id = '$cid'" >/dev/null
run S campaign update "Otoño 2026" --set throttle.per_minute=10
expect_contains "$err" "it is RUNNING, and only a DRAFT, SCHEDULED or PAUSED campaign can be changed" "a RUNNING campaign is not edited"
run S campaign pause "Otoño 2026" --json
expect_eq "$(json "j['estado']")" "PAUSED" "pause a RUNNING campaign"
run S campaign cancel "Otoño 2026" --json
expect_eq "$(json "j['estado'], j['finished_at'] is not None")" "CANCELLED True" "campaign cancel"
run S campaign cancel "Otoño 2026"
expect_contains "$err" "it is already CANCELLED" "cancel twice"
run S campaign resume "Otoño 2026"
expect_contains "$err" "it is CANCELLED, and only a PAUSED campaign can become SCHEDULED" "resume a CANCELLED"
sql $db "UPDATE strato.campaign SET estado = 'COMPLETED' WHERE nombre = 'Invierno'" >/dev/null
run S campaign cancel Invierno
expect_contains "$err" "it is COMPLETED, and only a DRAFT, SCHEDULED, RUNNING or PAUSED campaign can become CANCELLED" "cancel a COMPLETED"
expect_eq "$(sql $db "SELECT string_agg(action, ',' ORDER BY at) FROM strato.audit_log WHERE entity_id = '$cid'")" \
	"campaign.create,campaign.update,campaign.update,campaign.update,campaign.schedule,campaign.pause,campaign.resume,campaign.pause,campaign.cancel" \
	"every change of the campaign audited, refusals not"
expect_eq "$(sql $db "SELECT diff->'estado'->>'old' || '>' || (diff->'estado'->>'new') FROM strato.audit_log WHERE entity_id = '$cid' AND action = 'campaign.cancel'")" \
	"PAUSED>CANCELLED" "the audit diff holds the estado change"

# --- templates, and a campaign that sends one
run S template create --name promo_otono --categoria marketing \
	--contenido 'Hola {{1}}, hay novedades en {{2}}' --variables '["Ana", "Palermo"]' --json
expect_rc 0 "template create"
expect_eq "$(json "j['idioma'], j['categoria'], j['estado'], j['variables']")" "es_AR MARKETING PENDING ['Ana', 'Palermo']" "defaults: es_AR, PENDING"
tid=$(json "j['id']")
run S template create --name promo_otono --categoria marketing --contenido x
expect_rc 1 "the same name and language twice"
expect_contains "$err" "already exists" "said plainly"
run S template create --name promo_otono --idioma en_US --categoria utility --contenido 'Hi {{1}}' --variables '["Ann"]' --json
expect_eq "$(json "j['idioma'], j['categoria']")" "en_US UTILITY" "another language of the same name"
run S template create --name Promo --categoria marketing --contenido x
expect_contains "$err" 'invalid template nombre "Promo"' "nombre is a-z, 0-9 and _"
run S template create --name p2 --categoria spam --contenido x
expect_contains "$err" 'invalid categoria "spam"' "a bad categoria"
run S template create --name p2 --categoria utility --contenido 'Hola {{2}}'
expect_contains "$err" "contenido: variables must be numbered {{1}}, {{2}}, ... without gaps" "variables numbered without gaps"
run S template create --name p2 --categoria utility --contenido 'Hola {{1}}' --variables '["a", "b"]'
expect_contains "$err" "variables: 2 given, but the contenido uses 1" "one example per variable"
run S template create --name p2 --idioma castellano --categoria utility --contenido 'Hola'
expect_contains "$err" 'invalid idioma "castellano"' "a bad idioma"
run S template list --json
expect_eq "$(json "[(t['nombre'], t['idioma']) for t in j]")" "[('promo_otono', 'en_US'), ('promo_otono', 'es_AR')]" "template list"
run S template show promo_otono
expect_rc 1 "a name in two languages needs --idioma"
expect_contains "$err" 'template "promo_otono" exists in 2 languages' "said plainly"
run S template show promo_otono --idioma es_AR --json
expect_eq "$(json "j['id']")" "$tid" "template show --idioma"
run S template show "$tid" --json
expect_eq "$(json "j['contenido']")" "Hola {{1}}, hay novedades en {{2}}" "template show by id"
sql $db "UPDATE strato.whatsapp_template SET estado = 'APPROVED' WHERE id = '$tid'" >/dev/null
run S template update "$tid" --categoria utility --json
expect_eq "$(json "j['categoria'], j['estado']")" "UTILITY APPROVED" "template update keeps the review when the body stays"
run S template update "$tid" --contenido 'Hola {{1}}, mirá {{2}} y {{3}}'
expect_contains "$err" "variables: 2 given, but the contenido uses 3" "update checks the body against the examples"
run S template update "$tid" --contenido 'Hola {{1}}, mirá {{2}}' --json
expect_eq "$(json "j['contenido'], j['estado']")" "Hola {{1}}, mirá {{2}} PENDING" "a new body goes back to review"
run S template update promo_otono --idioma es_AR
expect_rc 2 "template update with nothing to change"

run S campaign create --name Plantilla --set channel=whatsapp \
	--set message.template.nombre=promo_otono \
	--set 'message.template.variables={{primer_nombre|vecino}},{{zona}}' \
	--set audience.estado=CONTACTADO --json
expect_rc 0 "a campaign sending a template"
run S campaign preview Plantilla --json
expect_eq "$(json "j['template'], j['variables'], j['text']")" "promo_otono ['Joaquín', 'Belgrano'] None" "preview renders the template's variables"
run S campaign create --name Sin --set channel=whatsapp --set message.template.nombre=no_existe
run S campaign schedule Sin now
expect_contains "$err" 'config.message.template.nombre: there is no WhatsApp template "no_existe" (es_AR)' "schedule checks the template exists"
run S campaign update Sin --set message.template.nombre=promo_otono --set message.template.variables={{zona}}
run S campaign schedule Sin now
expect_contains "$err" 'template "promo_otono" takes 2 variables, the config gives 1' "schedule checks the variables fit"
run S campaign update Sin --set message.template.idioma=en_US
run S campaign schedule Sin now --json
expect_eq "$(json "j['estado']")" "SCHEDULED" "schedule now, with an existing template"
run S campaign create --name Canal --set channel=uchat --set message.template.nombre=promo_otono
expect_contains "$err" "config.message.template: templates are sent through WHATSAPP only, not UCHAT" "templates only on WhatsApp"
run S campaign create --name Voz --set channel=uchat --set message.text=Hola --set voice.enabled=true
run S campaign schedule Voz now
expect_contains "$err" "config.voice.voice_id: missing, and no active assistant has a voice" "a voice needs a voice id"

# --- assistants: one active at a time
run S assistant create --name Astor --greeting '¡Hola! Soy Astor 👋' \
	--weight zona=0.5,precio=0.3 --voice EXAVITQu4vr4xnSDxMaL --prompt 'Sos Astor.' --json
expect_rc 0 "assistant create"
expect_eq "$(json "j['is_active'], j['greeting'], j['ranking']")" "True ¡Hola! Soy Astor 👋 {'zona': 0.5, 'precio': 0.3}" "the first assistant is active; greeting and weights in config"
astor=$(json "j['id']")
run S assistant create --name Luz --json
expect_eq "$(json "j['is_active']")" "False" "a second one is not, unless asked"
run S assistant create --name Sol --active --json
expect_eq "$(json "j['is_active']")" "True" "assistant create --active"
expect_eq "$(sql $db "SELECT string_agg(nombre, ',') FROM strato.assistant WHERE is_active")" "Sol" "--active deactivated the previous one"
run S assistant update Astor --active --weight ambientes=0.2,recencia=1 --json
expect_eq "$(json "j['is_active'], sorted(j['ranking'].items())")" "True [('ambientes', 0.2), ('precio', 0.3), ('recencia', 1.0), ('zona', 0.5)]" "weights merge into the ranking"
expect_eq "$(sql $db "SELECT string_agg(nombre, ',') FROM strato.assistant WHERE is_active")" "Astor" "at most one active assistant"
expect_eq "$(sql $db "SELECT config->'ranking'->>'precio' FROM strato.assistant WHERE id = '$astor'")" "0.3" "the ranking reads config->'ranking'"
run S assistant update Astor --weight tipo=1
expect_rc 1 "an unknown weight"
expect_contains "$err" 'invalid weight "tipo=1"' "said plainly"
run S assistant update Astor --weight zona=-1
expect_contains "$err" 'weight zona: "-1" is not a number of 0 or more' "negative weights refused"
run S assistant update Astor --active --inactive
expect_rc 2 "--active with --inactive"
run S assistant update Astor --voice '' --greeting 'Buenas' --json
expect_eq "$(json "j['voice_id'], j['greeting']")" "None Buenas" "update --voice '' removes the voice"
run S assistant list --json
expect_eq "$(json "[(a['nombre'], a['is_active']) for a in j]")" "[('Astor', True), ('Luz', False), ('Sol', False)]" "assistant list, the active one first"
run S assistant show Sol --json
expect_eq "$(json "j['nombre'], j['is_active']")" "Sol False" "assistant show"
run S assistant update Astor --inactive --json
expect_eq "$(json "j['is_active']")" "False" "assistant update --inactive"
run S assistant show nadie
expect_contains "$err" 'assistant "nadie" does not exist' "a missing assistant"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE entity = 'assistant' AND action = 'assistant.deactivate'")" "2" "deactivations audited"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE entity = 'whatsapp_template'")" "4" "template changes audited"

# --- agents read, never write
A() { "$STRATO" --db "$AG" "$@"; }
run A campaign list --json
expect_eq "$(json "len(j)")" "6" "an agent lists campaigns"
run A campaign preview Plantilla --json
expect_rc 0 "an agent previews"
for cmd in "campaign create --name X" "campaign update Sin --name X" \
	"campaign pause Sin" "campaign cancel Sin" "campaign schedule Plantilla now" \
	"template create --name x --categoria utility --contenido x" \
	"template update $tid --categoria marketing" \
	"assistant create --name X" "assistant update Sol --active"; do
	# shellcheck disable=SC2086
	run A $cmd
	expect_rc 1 "agent: $cmd"
	expect_contains "$err" "permission denied to" "agent refused: $cmd"
done
expect_contains "$err" 'Login "e2e_camp_agent" is not a tenant admin' "the refusal says why"
run A template list --json
expect_eq "$(json "len(j)")" "2" "an agent lists templates"
run A assistant list --json
expect_eq "$(json "len(j)")" "3" "an agent lists assistants"
run "$STRATO" --db "$C" --tenant otra campaign list --json
expect_eq "$(json "len(j)")" "0" "another tenant sees none of it"
run "$STRATO" --db "$C" --tenant otra campaign show "$cid"
expect_rc 1 "nor by id"

finish
