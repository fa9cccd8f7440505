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
expect_eq "$(sends $WAP | wc -l)" "2" "and nothing is sent twice"
run S campaign stats Base --json
expect_rc 0 "campaign stats"
expect_eq "$(json "j['sent'], j['skipped'], j['reasons']['outside_24h']")" "2 3 1" "stats by estado and reason"
