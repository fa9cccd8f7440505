# strato-etl campaigns run against the mock provider: each campaign type,
# opt-out and every skip reason, the 24-hour rule, provider faults (429,
# 500, 503, timeouts, resets, refusals), a runner killed mid-batch and
# run again, two runners at once, pause and cancel while running, the
# deadline and SIGTERM, the voice cache, dry runs and the exit codes.
. "$(dirname "$0")/lib.sh"

db=e2e_crun
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
"$STRATO" --db "$C" tenant create --name "Inmobiliaria Sur" --slug sur >/dev/null
"$STRATO" --db "$C" --tenant sur user create --email admin@sur.com.ar \
	--name "Marta Peña" --role admin --login e2e_crun_admin >/dev/null
AD=$(conninfo e2e_crun_admin $db)
S() { "$STRATO" --db "$AD" "$@"; }

openssl rand -base64 32 >"$work/key"
chmod 600 "$work/key"
export STRATO_MASTER_KEY_FILE="$work/key"
export STRATO_HTTP_TIMEOUT_MS=1500 STRATO_CAMPAIGN_BACKOFF_MS=40
export STRATO_VOICE_CACHE="$work/voice"
export STRATO_MEDIA_BASE_URL="https://media.sur.example/voice"
unset STRATO_MASTER_KEY STRATO_CA_BUNDLE

wa='EAAGwa5ecretAccess0123456789'
mc='1000001:mc5ecretKey0a1b2c3d4e5f'
el='sk_el5ecret0123456789abcdef'
mock_start --token "whatsapp=$wa" --token "manychat=$mc" --token "elevenlabs=$el"
WAP=/v21.0/106540352242922/messages
setsec() {
	_p=$1 _f=$2 _s=$3
	shift 3
	printf '%s=%s\n' "$_f" "$_s" | "$STRATO" --db "$AD" integration set \
		"$_p" --secret-stdin --base-url "$MOCK" "$@" >/dev/null
}
printf 'access_token=%s\napp_secret=appsecret0123\n' "$wa" | "$STRATO" --db "$AD" \
	integration set whatsapp --secret-stdin --base-url "$MOCK" --phone-number-id 106540352242922 --api-version v21.0 >/dev/null
setsec manychat api_token "$mc"
setsec elevenlabs api_key "$el" --voice-id VoiceSofia01
for p in whatsapp manychat elevenlabs; do S integration enable $p >/dev/null; done
S template create --name reactivar --categoria marketing \
	--contenido 'Hola {{1}}, seguimos buscando en {{2}}' \
	--variables '["Ana", "Palermo"]' >/dev/null

# leads: N<i> with a phone, and the odd ones out
gen_leads() { # PREFIX COUNT TAG
	_i=1
	while [ $_i -le "$2" ]; do
		printf '%s %03d,+54 9 11 5%03d-%04d,NUEVO,Palermo,%s\n' "$1" $_i \
			"$(( $(printf '%d' "'$1") % 1000 ))" $_i "$3"
		_i=$((_i + 1))
	done
}
{
	echo 'nombre,telefono,estado,zona,etiquetas'
	echo 'Ana Gómez,+54 9 11 4111-0001,NUEVO,Palermo,base'
	echo 'Bruno Díaz,+54 9 11 4111-0002,NUEVO,Belgrano,base'
	echo 'Carla Ruiz,+54 9 11 4111-0003,NUEVO,Palermo,base'
	echo 'Diego Sin Teléfono,,NUEVO,Palermo,base'
	echo 'Elena Roto,12,NUEVO,Palermo,base'
	echo 'Fede Baja,+54 9 11 4111-0006,NUEVO,Palermo,base'
	gen_leads Kill 30 kill
	gen_leads Dual 40 dual
	gen_leads Pause 40 pause
	gen_leads Fail 30 fail
	gen_leads Fault 8 fault
} >"$work/leads.csv"
"$ETL" --quiet --db "$C" import leads --tenant sur "$work/leads.csv" >/dev/null
sql $db "INSERT INTO strato.lead (tenant_id, nombre, telefono, zona_interes, tags)
	SELECT id, 'Diego Sin Teléfono', NULL, 'Palermo', '{base}'::text[] FROM strato.tenant
	UNION ALL SELECT id, 'Elena Roto', '12', 'Palermo', '{base}'::text[] FROM strato.tenant" >/dev/null
sql $db "UPDATE strato.lead SET opt_out = true WHERE nombre = 'Fede Baja'" >/dev/null
lead() { sql $db "SELECT id FROM strato.lead WHERE nombre = '$1'"; }
# a lead "wrote in the last 24 hours": an inbound message
wrote() { # WHERE-condition on lead l
	sql $db "WITH c AS (INSERT INTO strato.conversation (tenant_id, lead_id, canal)
		SELECT tenant_id, id, 'WHATSAPP' FROM strato.lead l WHERE $1 RETURNING tenant_id, id)
		INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido)
		SELECT tenant_id, id, 'ENTRANTE', 'hola' FROM c" >/dev/null
}
wrote "l.nombre IN ('Ana Gómez', 'Bruno Díaz', 'Diego Sin Teléfono', 'Elena Roto', 'Fede Baja') OR 'kill' = ANY (l.tags) OR 'dual' = ANY (l.tags) OR 'pause' = ANY (l.tags) OR 'fail' = ANY (l.tags) OR 'fault' = ANY (l.tags)"
sql $db "UPDATE strato.message SET created_at = now() - interval '30 hours'
	WHERE conversation_id IN (SELECT c.id FROM strato.conversation c JOIN strato.lead l
	ON l.id = c.lead_id WHERE l.nombre = 'Bruno Díaz')" >/dev/null
wrote "l.nombre = 'Bruno Díaz'"   # and again, recently: in the window

# camp NAME TIPO SET...: a campaign scheduled now
camp() {
	_n=$1 _t=$2
	shift 2
	_a=""
	for _s in "$@"; do S campaign create --name "$_n" --tipo "$_t" --set "$_s" >/dev/null 2>&1 && break; done
	for _s in "$@"; do S campaign update "$_n" --set "$_s" >/dev/null || echo "bad set $_s"; done
	S campaign schedule "$_n" now >/dev/null || echo "cannot schedule $_n"
}
crun() { run timeout 60 "$ETL" --db "$C" campaigns run --json "$@"; }
# ledger NAME: "estado:reason" counts of a campaign, sorted
ledger() {
	sql $db "SELECT string_agg(e || ' ' || n, ', ' ORDER BY e) FROM (SELECT s.estado
		|| coalesce(':' || s.reason, '') AS e, count(*) AS n FROM strato.campaign_send s
		JOIN strato.campaign c ON c.id = s.campaign_id WHERE c.nombre = '$1'
		GROUP BY 1) x"
}
estado() { sql $db "SELECT estado FROM strato.campaign WHERE nombre = '$1'"; }
# sends_to PATH: the recipients of the mock's requests to PATH, sorted
sends() {
	mock_requests
	printf '%s' "$out" | python3 -c 'import json, sys
for r in json.load(sys.stdin):
    if r["path"] == sys.argv[1]:
        j = r["json"] or {}
        print(j.get("to") or j.get("subscriber_id") or j.get("user_ns"))' "$1" | sort
}
dups() { sends "$1" | uniq -d | wc -l; }

# --- PERSONALIZADA over WhatsApp: text, skip reasons, 24-hour rule ------
camp Base PERSONALIZADA audience.tags=base channel=whatsapp \
	'message.text=Hola {{primer_nombre}}, novedades de {{inmobiliaria}} en {{zona|tu zona}}.'
crun --dry-run
expect_rc 0 "a dry run"
expect_eq "$(json "j['campaigns'][0]['pending'], j['campaigns'][0]['skipped'], j['campaigns'][0]['note']")" \
	"2 3 dry run: nothing sent" "a dry run counts what would go and what is skipped"
expect_eq "$(estado Base)" "SCHEDULED" "a dry run changes nothing"
expect_eq "$(ledger Base)" "" "a dry run leaves no ledger"
mock_requests
expect_eq "$out" "[]" "a dry run sends nothing"
crun --campaign Base
expect_rc 0 "campaigns run --campaign"
expect_eq "$(json "j['campaigns'][0]['estado'], j['campaigns'][0]['sent'], j['campaigns'][0]['skipped']")" \
	"COMPLETED 2 3" "two sent, three skipped, the campaign COMPLETED"
expect_eq "$(ledger Base)" "SENT 2, SKIPPED:invalid_phone 1, SKIPPED:no_phone 1, SKIPPED:outside_24h 1" \
	"every skip has its reason; the opted-out lead is not in the ledger"
expect_eq "$(sends $WAP | tr '\n' ' ')" "5491141110001 5491141110002 " "the mock got one message per lead in the window"
mock_requests
expect_contains "$out" 'Hola Ana, novedades de Inmobiliaria Sur en Palermo.' "the text is personalised"
expect_eq "$(sql $db "SELECT count(*) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'Base' AND s.estado = 'SENT' AND s.provider_message_id LIKE 'wamid.MOCK%' AND s.sent_at IS NOT NULL")" \
	"2" "SENT rows keep the provider's message id"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE entity = 'campaign' AND action IN ('campaign.start', 'campaign.complete')
	AND entity_id = (SELECT id FROM strato.campaign WHERE nombre = 'Base')")" "2" "start and completion are audited"
expect_contains "$(sql $db "SELECT diff::text FROM strato.audit_log WHERE action = 'campaign.complete'")" '"sent": 2' \
	"the completion's audit diff carries the stats"
crun --campaign Base
expect_eq "$(json "j['campaigns'][0]['note']")" "not due (COMPLETED)" "a completed campaign is not run again"
crun
expect_eq "$(json "len(j['campaigns'])")" "0" "with nothing due, nothing is run"
crun --campaign "Otoño Inexistente"
expect_rc 1 "a campaign name that matches none"
expect_contains "$err" 'campaign "Otoño Inexistente" not found' "is said to be not found, not merely not due"
expect_eq "$(sends $WAP | wc -l)" "2" "and nothing is sent twice"
run S campaign stats Base --json
expect_rc 0 "campaign stats"
expect_eq "$(json "j['sent'], j['skipped'], j['reasons']['outside_24h']")" "2 3 1" "stats by estado and reason"

# --- the audience: es_cliente, inactivity, creation dates, a lead list --
sql $db "UPDATE strato.lead SET es_cliente = true WHERE nombre IN ('Ana Gómez', 'Carla Ruiz');
	UPDATE strato.lead SET last_activity_at = now() - interval '90 days',
	created_at = '2025-06-01' WHERE nombre = 'Carla Ruiz'" >/dev/null
camp Filtros PERSONALIZADA audience.tags=base channel=whatsapp 'message.text=Hola'
aud() { S campaign update Filtros --set "$1" >/dev/null; crun --campaign Filtros --dry-run; json "j['campaigns'][0]['audience']"; }
expect_eq "$(aud audience.es_cliente=true)" "2" "audience.es_cliente"
expect_eq "$(aud audience.inactive_days=60)" "1" "audience.inactive_days: no activity for 60 days"
expect_eq "$(aud audience.inactive_days= ; aud audience.created_to=2025-12-31)" "2
1" "audience.created_to"
S campaign update Filtros --set audience.es_cliente= --set audience.created_to= >/dev/null
expect_eq "$(aud "audience.leads=$(lead 'Bruno Díaz'),$(lead 'Elena Roto')")" "2" "audience.leads: an explicit list"
run S campaign update Filtros --set audience.inactive_days=0
expect_contains "$err" "config.audience.inactive_days: must be a whole number of days from 1 to 3650" "a bad filter names its field"
run S campaign update Filtros --set audience.created_from=2025-13-01
expect_contains "$err" "config.audience.created_from: must be a date (YYYY-MM-DD)" "a bad date too"

# --- WhatsApp template outside the window, text inside (REACTIVACION) ----
camp Reactivar REACTIVACION audience.tags=base channel=whatsapp \
	'message.text=Hola {{primer_nombre}}, ¿seguís buscando?' \
	message.template.nombre=reactivar \
	'message.template.variables={{primer_nombre}},{{zona|tu zona}}'
mock_post /__reset '{}'
crun --campaign Reactivar
expect_rc 0 "a REACTIVACION campaign with a template"
expect_eq "$(ledger Reactivar)" "SENT 3, SKIPPED:invalid_phone 1, SKIPPED:no_phone 1" \
	"with a template, the lead outside the 24-hour window is reached too"
mock_requests
expect_eq "$(printf '%s' "$out" | python3 -c 'import json, sys
for r in json.load(sys.stdin):
    j = r["json"]
    if j["to"] == "5491141110003":
        t = j["template"]
        print(j["type"], t["name"], [p["text"] for p in t["components"][0]["parameters"]])')" \
	"template reactivar ['Carla', 'Palermo']" "outside the window: the template, its variables personalised"
expect_eq "$(printf '%s' "$out" | python3 -c 'import json, sys
print(sorted(r["json"]["type"] for r in json.load(sys.stdin)))')" "['template', 'text', 'text']" \
	"inside the window: the text"

# --- recurrence: the next occurrence, scheduled --------------------------
S campaign create --name Semanal --tipo personalizada --set audience.tags=base \
	--set channel=whatsapp --set 'message.text=Resumen semanal' >/dev/null
S campaign schedule Semanal now --every "7 days" >/dev/null
crun --campaign Semanal
expect_eq "$(sql $db "SELECT estado, occurrence, scheduled_at > now() + interval '6 days'
	FROM strato.campaign WHERE nombre = 'Semanal'")" "SCHEDULED|2|t" \
	"a recurring campaign is SCHEDULED again, its next occurrence a week on"
crun --campaign Semanal
expect_eq "$(json "j['campaigns'][0]['note']")" "not due (SCHEDULED)" "and is not due before then"

# --- no integration for the channel --------------------------------------
camp Uchat PERSONALIZADA audience.tags=base channel=uchat 'message.text=Hola'
crun --campaign Uchat
expect_eq "$(ledger Uchat)" "SKIPPED:no_integration 5" "without a UCHAT integration every lead is SKIPPED (no_integration)"
expect_eq "$(estado Uchat)" "COMPLETED" "and the campaign completes"

# --- OPORTUNIDADES: new matches only --------------------------------------
S property create --codigo OP1 --titulo "Depto luminoso en Palermo" --operacion venta \
	--tipo departamento --precio 100000 --moneda usd --zona Palermo --ambientes 2 >/dev/null
S property create --codigo OP0 --titulo "Casa vieja en Palermo" --operacion venta \
	--tipo casa --precio 90000 --moneda usd --zona Palermo --ambientes 3 >/dev/null
sql $db "UPDATE strato.property SET publicado_at = now() - interval '30 days' WHERE codigo = 'OP0';
	UPDATE strato.lead SET operacion = 'ALQUILER' WHERE nombre = 'Bruno Díaz'" >/dev/null
camp Oportunidades OPORTUNIDADES audience.tags=base channel=whatsapp \
	'message.text=Hola {{primer_nombre}}, hay novedades:
{{propiedades}}'
mock_post /__reset '{}'
crun --campaign Oportunidades
expect_rc 0 "an OPORTUNIDADES campaign"
expect_eq "$(ledger Oportunidades)" "SENT 1, SKIPPED:invalid_phone 1, SKIPPED:no_new_match 1, SKIPPED:no_phone 1, SKIPPED:outside_24h 1" \
	"a lead without a new match is SKIPPED (no_new_match), not spammed"
mock_requests
expect_contains "$out" 'Depto luminoso en Palermo (Palermo), USD 100000' "the new match is in the message"
expect_lacks "$out" 'Casa vieja' "a property published before the last run is not"

# --- provider faults: 429, 503, 500, a timeout, a reset, refusals --------
camp Fault PERSONALIZADA audience.tags=fault channel=whatsapp 'message.text=Hola {{primer_nombre}}'
mock_post /__reset '{}'
fault() { mock_post /__fault "{\"path\": \"$WAP\", $1}"; }
fault '"status": 429, "retry_after": 0, "count": 2, "body": {"error": {"code": 130429, "message": "(#130429) Rate limit hit"}}'
fault '"status": 503, "body": {"error": {"message": "Service unavailable"}}'
fault '"status": 500, "body": {"error": {"message": "Internal error"}}'
fault '"delay_ms": 2500'
fault '"reset": true'
fault '"status": 400, "body": {"error": {"code": 131026, "message": "Message undeliverable"}}'
fault '"status": 400, "body": {"error": {"code": 131047, "message": "Re-engagement message"}}'
crun --campaign Fault --concurrency 1
expect_rc 0 "a run through provider faults"
expect_eq "$(ledger Fault)" "FAILED:refused 1, SENT 3, SKIPPED:outside_24h 1, UNKNOWN:no_answer 2, UNKNOWN:server_error 1" \
	"429 and 503 retried and sent; 500, a timeout and a reset UNKNOWN; 131026 FAILED; 131047 SKIPPED"
expect_eq "$(json "j['campaigns'][0]['retries']")" "3" "three retries"
expect_eq "$(sql $db "SELECT sum(s.attempts - 1) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'Fault'")" "3" "the rows count their attempts"
expect_eq "$(sql $db "SELECT error_code || ' ' || error_message FROM strato.campaign_send s JOIN strato.campaign c
	ON c.id = s.campaign_id WHERE c.nombre = 'Fault' AND s.estado = 'FAILED'")" \
	"131026 WHATSAPP send failed (HTTP 400): Message undeliverable" "a failure keeps the provider's code and message"
sends $WAP >"$work/fault"
sql $db "SELECT substr(l.telefono_e164, 2), s.attempts FROM strato.campaign_send s JOIN strato.campaign c
	ON c.id = s.campaign_id JOIN strato.lead l ON l.id = s.lead_id WHERE c.nombre = 'Fault' ORDER BY 1" >"$work/attempts"
expect_eq "$(uniq -c "$work/fault" | awk '{print $2 "|" $1}')" "$(cat "$work/attempts")" \
	"each lead got exactly one request per attempt: nothing after an UNKNOWN, FAILED or SKIPPED answer"
expect_eq "$(estado Fault)" "COMPLETED" "every row ended: the campaign COMPLETED"

# --- a runner killed mid-batch, then run again ----------------------------
camp Kill PERSONALIZADA audience.tags=kill channel=whatsapp 'message.text=Hola {{primer_nombre}}'
mock_post /__reset '{}'
fault '"delay_ms": 700, "count": 1000'
"$ETL" --quiet --db "$C" campaigns run --campaign Kill --concurrency 4 >/dev/null 2>&1 &
kpid=$!
_i=0
while [ "$(sends $WAP | wc -l)" -lt 9 ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
kill -KILL $kpid
wait $kpid 2>/dev/null
sends $WAP >"$work/kill1"
inflight=$(sql $db "SELECT count(*) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'Kill' AND s.estado = 'SENDING'")
sql $db "SELECT substr(l.telefono_e164, 2) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	JOIN strato.lead l ON l.id = s.lead_id WHERE c.nombre = 'Kill' AND s.estado = 'SENDING' ORDER BY 1" >"$work/inflight"
if [ "$inflight" -ge 1 ] && [ "$inflight" -le 4 ]; then pass "killed with $inflight sends in flight (at most --concurrency)"
else fail "killed with $inflight rows SENDING, want 1 to 4"; fi
expect_eq "$(comm -23 "$work/inflight" "$work/kill1" | wc -l)" "0" "every row left SENDING had reached the provider"
mock_post /__reset '{}'
crun --campaign Kill
expect_rc 0 "the run after the kill"
sends $WAP >"$work/kill2"
expect_eq "$(sort "$work/kill1" "$work/kill2" | uniq -d | wc -l)" "0" "no lead messaged twice across the kill"
expect_eq "$(sql $db "SELECT count(*) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'Kill' AND s.estado = 'UNKNOWN' AND s.reason = 'interrupted'")" "$inflight" \
	"exactly the rows in flight at the kill are UNKNOWN (interrupted)"
expect_eq "$(ledger Kill)" "SENT $((30 - inflight)), UNKNOWN:interrupted $inflight" "no lead lost: every other row SENT"
expect_eq "$(sort -u "$work/kill1" "$work/kill2" | wc -l)" "30" "each of the 30 leads reached once"
crun --campaign Kill --resend-unknown
expect_eq "$(sends $WAP | wc -l)" "$(wc -l <"$work/kill2")" "a COMPLETED campaign is not resent even with --resend-unknown"

# --- two runners at once ---------------------------------------------------
camp Dual PERSONALIZADA audience.tags=dual channel=whatsapp 'message.text=Hola {{primer_nombre}}'
mock_post /__reset '{}'
fault '"delay_ms": 40, "count": 1000'
"$ETL" --db "$C" campaigns run --json --campaign Dual >"$work/dual1" 2>&1 &
d1=$!
"$ETL" --db "$C" campaigns run --json --campaign Dual >"$work/dual2" 2>&1 &
d2=$!
wait $d1
wait $d2
expect_eq "$(sends $WAP | wc -l) $(dups $WAP)" "40 0" "two runners at once: every lead messaged once"
expect_eq "$(ledger Dual)" "SENT 40" "and recorded once"
expect_contains "$(cat "$work/dual1" "$work/dual2")" '"another runner has it"' "the second runner found the lock taken"

# --- pause and cancel while running ---------------------------------------
# bg NAME ARGS...: a runner in the background, its JSON in $work/NAME.json
bg() {
	_n=$1
	shift
	rm -f "$work/bg.rc"
	("$ETL" --db "$C" campaigns run --json "$@" >"$work/$_n.json" 2>"$work/$_n.err" &
	 echo $! >"$work/bg.pid"; wait $!; echo $? >"$work/bg.rc") &
	while [ ! -s "$work/bg.pid" ]; do sleep 0.05; done
	bgpid=$(cat "$work/bg.pid")
	rm -f "$work/bg.pid"
}
# wait_sends N: until the mock has N requests to WhatsApp (10 s at most)
wait_sends() {
	_i=0
	while [ "$(sends $WAP | wc -l)" -lt "$1" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
}
# waited PID: t the tenths of seconds until it ended (at most 10 s, it
# is reaped when its status file appears), bgrc its status
waited() {
	_i=0
	while [ ! -e "$work/bg.rc" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	bgrc=$(cat "$work/bg.rc" 2>/dev/null || echo 124)
	t=$_i
}
sending() { sql $db "SELECT count(*) FROM strato.campaign_send s JOIN strato.campaign c
	ON c.id = s.campaign_id WHERE c.nombre = '$1' AND s.estado = 'SENDING'"; }
# stop_running NAME VERB NOUN: a runner on NAME's 40 leads at 300 ms a
# send, and "strato campaign VERB" once 4 have gone out; it must stop
# within a second or so. Its JSON is in $work/NAME.json.
stop_running() {
	camp "$1" PERSONALIZADA audience.tags=pause channel=whatsapp 'message.text=Hola {{primer_nombre}}'
	mock_post /__reset '{}'
	fault '"delay_ms": 300, "count": 1000'
	bg "$1" --campaign "$1" --concurrency 2
	wait_sends 4
	S campaign "$2" "$1" >/dev/null
	waited $bgpid
	if [ "$t" -le 15 ]; then pass "a $3 stops a running batch within a second or so (${t}00 ms)"
	else fail "the runner took ${t}00 ms to stop after the $3"; fi
}
stop_running Pausa pause pause
out=$(cat "$work/Pausa.json")
expect_eq "$(json "j['campaigns'][0]['estado'], j['campaigns'][0]['note']")" "PAUSED paused" "the run reports the pause"
expect_eq "$(sending Pausa)" "0" "in-flight sends were recorded before it stopped"
left=$(sql $db "SELECT count(*) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'Pausa' AND s.estado = 'PENDING'")
if [ "$left" -gt 0 ]; then pass "the rest waits PENDING ($left)"; else fail "nothing left PENDING after the pause"; fi
S campaign resume Pausa >/dev/null
crun --campaign Pausa
expect_eq "$(ledger Pausa)" "SENT 40" "resumed, the campaign finishes"
expect_eq "$(sends $WAP | wc -l) $(dups $WAP)" "40 0" "every lead once across the pause"

stop_running Cancelar cancel cancel
sent=$(sends $WAP | wc -l)
expect_eq "$(ledger Cancelar)" "SENT $sent, SKIPPED:cancelled $((40 - sent))" "cancelled: what was not sent is SKIPPED (cancelled)"
expect_eq "$(estado Cancelar)" "CANCELLED" "and the campaign stays CANCELLED"

# --- the deadline, SIGTERM, --max-sends -----------------------------------
camp Plazo PERSONALIZADA audience.tags=kill channel=whatsapp 'message.text=Hola {{primer_nombre}}'
mock_post /__reset '{}'
fault '"delay_ms": 300, "count": 1000'
crun --campaign Plazo --concurrency 2 --deadline 1
expect_rc 3 "stopped by --deadline with work left"
expect_eq "$(json "j['campaigns'][0]['estado'], j['campaigns'][0]['note'], j['stopped']")" \
	"RUNNING stopped at the deadline True" "the campaign stays RUNNING for the next run"
expect_eq "$(sending Plazo)" "0" "nothing left SENDING at the deadline"
bg plazo --campaign Plazo --concurrency 2
wait_sends "$(( $(sends $WAP | wc -l) + 3 ))"
kill -TERM $bgpid
waited $bgpid
expect_eq "$bgrc" "3" "SIGTERM: exit 3"
out=$(cat "$work/plazo.json")
expect_eq "$(json "j['campaigns'][0]['note']")" "stopped by a signal" "SIGTERM stops cleanly"
expect_eq "$(sending Plazo)" "0" "in-flight sends were recorded before the exit"
mock_post /__reset '{}'
crun --campaign Plazo --max-sends 5
expect_rc 3 "--max-sends with work left"
expect_eq "$(json "j['campaigns'][0]['note']")" "--max-sends reached" "the note says why"
expect_eq "$(sends $WAP | wc -l)" "5" "--max-sends 5 sends five"
crun --campaign Plazo --concurrency 16
expect_rc 0 "then the rest"
expect_eq "$(ledger Plazo)" "SENT 30" "every lead of the campaign reached, none twice"

# --- too many provider errors in a row: FAILED ----------------------------
camp Falla PERSONALIZADA audience.tags=fail channel=whatsapp 'message.text=Hola {{primer_nombre}}'
mock_post /__reset '{}'
fault '"status": 401, "count": 1000, "body": {"error": {"code": 190, "message": "Invalid OAuth access token"}}'
crun --campaign Falla --concurrency 2
expect_rc 3 "a campaign FAILED: exit 3"
expect_eq "$(json "j['campaigns'][0]['estado']")" "FAILED" "after 25 provider errors in a row the campaign is FAILED"
expect_contains "$(sql $db "SELECT last_error FROM strato.campaign WHERE nombre = 'Falla'")" \
	"Invalid OAuth access token" "with the last error"
expect_eq "$(sql $db "SELECT count(*) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'Falla' AND s.estado NOT IN ('FAILED', 'SKIPPED')")" "0" "every row ended FAILED or SKIPPED"
expect_contains "$(ledger Falla)" "SKIPPED:campaign_failed" "the unsent rest is SKIPPED (campaign_failed)"
mock_post /__reset '{}'

# --- FIDELIZACION with voice over ManyChat: synthesis, cache, upload ------
EL=/v1/text-to-speech/VoiceSofia01
els() { mock_requests; printf '%s' "$out" | python3 -c 'import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["path"].startswith("/v1/text-to-speech/")))'; }
camp Aniversario FIDELIZACION audience.tags=base channel=manychat \
	'message.text=Feliz aniversario de parte de {{inmobiliaria}}.' voice.enabled=true voice.voice_id=VoiceSofia01
mock_post /__reset '{}'
crun --campaign Aniversario
expect_rc 0 "a FIDELIZACION campaign with a voice note"
expect_eq "$(ledger Aniversario)" "SENT 2, SKIPPED:invalid_phone 1, SKIPPED:no_phone 1, SKIPPED:outside_24h 1" \
	"over ManyChat (no templates) the lead outside the window is skipped"
expect_eq "$(els)" "1" "one synthesis for one text, whoever receives it"
text_len=$(printf 'Feliz aniversario de parte de Inmobiliaria Sur.' | python3 -c 'import sys; print(len(sys.stdin.read()))')
expect_eq "$(json "j['campaigns'][0]['voice_chars'], j['campaigns'][0]['voice_hits']")" "$text_len 1" \
	"the characters paid for once, the second lead a cache hit"
mock_requests
expect_eq "$(printf '%s' "$out" | python3 -c 'import json, sys
m = [r["json"]["data"]["content"]["messages"][0] for r in json.load(sys.stdin) if r["path"] == "/fb/sending/sendContent"]
print(sorted(x["type"] for x in m), len({x.get("url") for x in m if x["type"] == "audio"}))')" \
	"['audio', 'audio', 'text', 'text'] 1" "each lead gets the text, then the voice note by link"
expect_contains "$out" "https://media.sur.example/voice/" "the link is under the media base URL"
expect_eq "$(ls "$work/voice" | wc -l)" "1" "the audio is cached on disk"
expect_eq "$(sql $db "SELECT chars, hits FROM strato.voice_cache")" "$text_len|1" "and in the database, with its cost"
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead WHERE manychat_id IS NOT NULL")|$(sql $db "SELECT count(*) FROM strato.audit_log WHERE action = 'lead.contact'")" \
	"2|2" "the ManyChat subscribers found are kept on the leads, audited"
camp Aniversario2 FIDELIZACION audience.tags=base channel=manychat \
	'message.text=Feliz aniversario de parte de {{inmobiliaria}}.' voice.enabled=true voice.voice_id=VoiceSofia01
# (no reset: the mock would forget the subscribers ManyChat keeps)
subs() { mock_requests; printf '%s' "$out" | python3 -c 'import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["path"].startswith("/fb/subscriber/")))'; }
tts0=$(els) subs0=$(subs)
crun --campaign Aniversario2
ran=$out
expect_eq "$(( $(subs) - subs0 ))" "0" "the next campaign uses the kept ids: no lookup"
expect_eq "$(( $(els) - tts0 ))" "0" "a second campaign with the same text pays nothing: no synthesis"
out=$ran
expect_eq "$(json "j['campaigns'][0]['voice_chars'], j['campaigns'][0]['voice_hits']")" "0 2" "both leads cache hits"
run S campaign stats Aniversario --json
expect_eq "$(json "j['voice_chars'], j['voice_hits']")" "$text_len 1" "campaign stats shows the voice cost"

camp Voz PERSONALIZADA audience.tags=base channel=whatsapp \
	'message.text=Hola de parte de {{inmobiliaria}}.' voice.enabled=true voice.voice_id=VoiceSofia01
mock_post /__reset '{}'
crun --campaign Voz
expect_eq "$(ledger Voz)" "SENT 2, SKIPPED:invalid_phone 1, SKIPPED:no_phone 1, SKIPPED:outside_24h 1" "voice over WhatsApp"
mock_requests
expect_eq "$(printf '%s' "$out" | python3 -c 'import json, sys
rs = json.load(sys.stdin)
up = [r for r in rs if r["path"].endswith("/media")]
a = [r["json"]["audio"] for r in rs if r["path"].endswith("/messages") and r["json"]["type"] == "audio"]
print(len(up), len(a), len({x.get("id") for x in a}), all("link" not in x for x in a))')" \
	"1 2 1 True" "WhatsApp gets the audio uploaded once, then sent by media id"
camp Voz2 PERSONALIZADA audience.tags=base channel=whatsapp \
	'message.text=Hola de parte de {{inmobiliaria}}.' voice.enabled=true voice.voice_id=VoiceSofia01
mock_post /__reset '{}'
crun --campaign Voz2
mock_requests
expect_eq "$(printf '%s' "$out" | python3 -c 'import json, sys
rs = json.load(sys.stdin)
print(sum(r["path"].endswith("/media") for r in rs), sum(r["path"].startswith("/v1/") for r in rs))')" \
	"0 0" "the upload is reused too: no synthesis, no upload"

camp SinVoz PERSONALIZADA audience.tags=base channel=whatsapp \
	'message.text=Hola {{primer_nombre}}.' voice.enabled=true voice.voice_id=NoSuchVoice
crun --campaign SinVoz
expect_eq "$(ledger SinVoz)" "FAILED:voice_failed 2, SKIPPED:invalid_phone 1, SKIPPED:no_phone 1, SKIPPED:outside_24h 1" \
	"a voice failure fails the send when the campaign has no fallback"
camp Respaldo PERSONALIZADA audience.tags=base channel=whatsapp \
	'message.text=Hola {{primer_nombre}}.' voice.enabled=true voice.voice_id=NoSuchVoice voice.fallback=true
mock_post /__reset '{}'
crun --campaign Respaldo
expect_eq "$(ledger Respaldo)" "SENT:voice_fallback 2, SKIPPED:invalid_phone 1, SKIPPED:no_phone 1, SKIPPED:outside_24h 1" \
	"with voice.fallback the text goes alone"
expect_eq "$(sends $WAP | wc -l)" "2" "text only"

# --- a large audience: the ledger written in parts beside the sending ----
sql $db "INSERT INTO strato.lead (tenant_id, nombre, telefono, telefono_e164, zona_interes, tags)
	SELECT t.id, 'Lote ' || g, '+54 9 11 6' || lpad(g::text, 7, '0'), '+54911' || (60000000 + g),
	'Palermo', '{lote}'::text[] FROM strato.tenant t, generate_series(1, 1300) g" >/dev/null
lote() { # NAME: a template campaign to the 1,300
	camp "$1" PERSONALIZADA audience.tags=lote channel=whatsapp message.template.nombre=reactivar \
		'message.template.variables={{primer_nombre}},{{zona|tu zona}}'
}
lote Lote
mock_post /__reset '{}'
crun --campaign Lote --concurrency 16
expect_rc 0 "a campaign to 1,300 leads"
expect_eq "$(json "j['campaigns'][0]['estado'], j['campaigns'][0]['audience'], j['campaigns'][0]['sent']")" \
	"COMPLETED 1300 1300" "the ledger, written in parts while sending, holds the whole audience"
expect_eq "$(ledger Lote)" "SENT 1300" "every lead SENT"
expect_eq "$(sends $WAP | wc -l) $(dups $WAP)" "1300 0" "the mock got each lead once"
expect_eq "$(sql $db "SELECT filling_occurrence IS NULL FROM strato.campaign WHERE nombre = 'Lote'")" "t" \
	"the campaign says its ledger is whole"

# a runner that died while writing the ledger: the next run goes on from
# the last lead written, and leads created since the start stay out
lote Lote2
mock_post /__reset '{}'
crun --campaign Lote2 --max-sends 5
expect_eq "$(json "j['campaigns'][0]['sent'], j['campaigns'][0]['estado']")" "5 RUNNING" "--max-sends stops the run, the campaign RUNNING"
sql $db "WITH c AS (SELECT id FROM strato.campaign WHERE nombre = 'Lote2'),
	x AS (SELECT max(lead_id) AS m FROM strato.campaign_send WHERE campaign_id = (SELECT id FROM c)
		AND estado <> 'PENDING')
	DELETE FROM strato.campaign_send WHERE campaign_id = (SELECT id FROM c) AND lead_id > (SELECT m FROM x);
	UPDATE strato.campaign SET filling_occurrence = occurrence WHERE nombre = 'Lote2';
	INSERT INTO strato.lead (tenant_id, nombre, telefono, telefono_e164, zona_interes, tags)
	SELECT id, 'Lote Tarde', '+54 9 11 6999-9999', '+5491169999999', 'Palermo', '{lote}' FROM strato.tenant" >/dev/null
expect_eq "$(sql $db "SELECT count(*) < 1300 FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'Lote2'")" "t" "the ledger is cut short, as a runner dying half-way leaves it"
crun --campaign Lote2 --concurrency 16
expect_rc 0 "the next run"
expect_eq "$(ledger Lote2)" "SENT 1300" "it wrote the rest of the ledger and sent it: 1,300, not the lead added since"
expect_eq "$(sends $WAP | wc -l) $(dups $WAP)" "1300 0" "each of the 1,300 reached once across the two runs"
expect_eq "$(sends $WAP | grep -c 5491169999999)" "0" "the lead created after the start was not swept in"
expect_eq "$(sql $db "SELECT estado, filling_occurrence IS NULL FROM strato.campaign WHERE nombre = 'Lote2'")" "COMPLETED|t" \
	"the campaign COMPLETED, its ledger whole"

# --- the per-recipient bucket (WhatsApp's pair limit) ---------------------
run S integration set whatsapp --pair-interval-s 0
expect_rc 1 "a pair interval of 0"
expect_contains "$err" 'invalid pair_interval_s "0"' "is refused, naming the field"
run S integration set whatsapp --max-per-second fast
expect_contains "$err" 'invalid max_per_second "fast"' "so is a rate that is not a number"
S integration set whatsapp --pair-burst 1 --pair-interval-s 1.5 >/dev/null
sql $db "UPDATE strato.campaign SET estado = 'COMPLETED' WHERE estado IN ('SCHEDULED', 'RUNNING', 'PAUSED');
	INSERT INTO strato.lead (tenant_id, nombre, telefono, telefono_e164, tags)
	SELECT id, 'Par Uno', '+54 9 11 6777-0001', '+5491167770001', '{par}'::text[] FROM strato.tenant
	UNION ALL SELECT id, 'Par Dos', '+54 9 11 6777-0002', '+5491167770002', '{par}' FROM strato.tenant" >/dev/null
par() { camp "$1" PERSONALIZADA audience.tags=par channel=whatsapp message.template.nombre=reactivar \
	'message.template.variables={{primer_nombre}},{{zona|tu zona}}'; }
par Par1
par Par2
mock_post /__reset '{}'
crun
expect_rc 0 "two campaigns to the same two leads in one run"
expect_eq "$(ledger Par1); $(ledger Par2)" "SENT 2; SENT 2" "both sent to both"
# at: when the mock took each request; the gaps between one number's
spacing() { # PATH-SUFFIX: "count gaps-ok" per number, then the first gap
	mock_requests
	printf '%s' "$out" | python3 -c 'import json, sys
rs = [r for r in json.load(sys.stdin) if r["path"].endswith(sys.argv[1])]
by = {}
for r in rs:
    j = r["json"] or {}
    by.setdefault(j.get("to"), []).append(r["at"])
for k in sorted(by):
    t = sorted(by[k])
    print(k, len(t), all(b - a >= 1.4 for a, b in zip(t, t[1:])))' "$1"
}
expect_eq "$(spacing /messages | tr '\n' ' ')" "5491167770001 2 True 5491167770002 2 True " \
	"the second campaign's message to a number waits 1.5 s after the first's (pair_burst 1)"
expect_eq "$(sql $db "SELECT max(s.attempts) FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre IN ('Par1', 'Par2')")" "1" "a send held for its recipient's bucket is not counted as an attempt"
camp ParVoz PERSONALIZADA audience.tags=base channel=whatsapp \
	'message.text=Hola de parte de {{inmobiliaria}}.' voice.enabled=true voice.voice_id=VoiceSofia01
mock_post /__reset '{}'
crun --campaign ParVoz
expect_eq "$(ledger ParVoz)" "SENT 2, SKIPPED:invalid_phone 1, SKIPPED:no_phone 1, SKIPPED:outside_24h 1" \
	"a voice campaign under the same limit"
expect_eq "$(spacing /messages | tr '\n' ' ')" "5491141110001 2 True 5491141110002 2 True " \
	"each lead's voice note is held 1.5 s after its text"
S integration set whatsapp --pair-burst "" --pair-interval-s "" >/dev/null
