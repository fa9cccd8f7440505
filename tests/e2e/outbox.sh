# The outbox: send fichas goes out at once for a login that can open the
# channel and waits in the outbox for one that cannot; strato-etl outbox
# run delivers through the lead's channel (WhatsApp, or ManyChat by a
# contact found or created by phone), with the 24-hour window, retries at
# their time, UNKNOWN never resent, a crash's SENDING rows recovered as
# UNKNOWN, requeue, and two runners at once sending each message once.
. "$(dirname "$0")/lib.sh"

db=e2e_outbox
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
"$STRATO" --db "$C" tenant create --name Sur --slug sur >/dev/null
"$STRATO" --db "$C" tenant create --name Norte --slug norte >/dev/null
"$STRATO" --db "$C" --tenant sur user create --email admin@sur.com.ar \
	--name Admin --role admin --login e2e_ob_admin >/dev/null
"$STRATO" --db "$C" --tenant sur user create --email ag@sur.com.ar \
	--name Ag --role agent --login e2e_ob_agent >/dev/null
sql $db "CREATE ROLE e2e_ob_svc LOGIN IN ROLE strato_service" >/dev/null 2>&1 || true
ADM=$(conninfo e2e_ob_admin $db)
AG=$(conninfo e2e_ob_agent $db)
SVC=$(conninfo e2e_ob_svc $db)

openssl rand -base64 32 >"$work/key"
chmod 600 "$work/key"
export STRATO_MASTER_KEY_FILE="$work/key"
# one attempt per call: a 429 comes back to the outbox at once
export STRATO_HTTP_ATTEMPTS=1 STRATO_HTTP_BACKOFF_MS=20 STRATO_HTTP_TIMEOUT_MS=3000
unset STRATO_MASTER_KEY

wa='EAAGwa5ecretAccess0123456789'
mc='1000001:mc5ecretKey0a1b2c3d4e5f'
mock_start --token "whatsapp=$wa" --token "manychat=$mc"
printf 'access_token=%s\napp_secret=wa-app-5ecret\n' "$wa" | "$STRATO" --db "$C" --tenant sur \
	integration set whatsapp --secret-stdin --base-url "$MOCK" \
	--phone-number-id 106540352242922 --api-version v21.0 >/dev/null
printf 'api_token=%s\n' "$mc" | "$STRATO" --db "$C" --tenant norte \
	integration set manychat --secret-stdin --base-url "$MOCK" >/dev/null
"$STRATO" --db "$C" --tenant sur integration enable whatsapp >/dev/null
"$STRATO" --db "$C" --tenant norte integration enable manychat >/dev/null

S() { "$STRATO" --db "$C" --tenant sur "$@"; }
S property create --codigo A --titulo "Depto en Palermo" --operacion venta \
	--tipo departamento --precio 140000 --moneda usd --zona Palermo \
	--ambientes 3 >/dev/null
# lead NAME PHONE [TENANT]: its id (no phone: an e-mail instead)
lead() {
	if [ -n "$2" ]; then set -- "$1" --phone "$2" "${3:-sur}"
	else set -- "$1" --email sin@correo.com "${3:-sur}"; fi
	"$STRATO" --db "$C" --tenant "$4" lead create --name "$1" "$2" "$3" \
		--json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
# wrote LEAD: the lead wrote on WhatsApp a minute ago (the window is open)
wrote() {
	sql $db "WITH c AS (INSERT INTO strato.conversation (tenant_id, lead_id,
		canal, provider) SELECT tenant_id, id, 'WHATSAPP', 'WHATSAPP'
		FROM strato.lead WHERE id = '$1' RETURNING tenant_id, id)
		INSERT INTO strato.message (tenant_id, conversation_id, direccion,
		contenido, estado, created_at) SELECT tenant_id, id, 'ENTRANTE',
		'hola', 'RECEIVED', now() - interval '1 minute' FROM c" >/dev/null
}
# sends TO: how many messages the mock got for the number TO
sends() {
	mock_requests
	json "len([r for r in j if r['path'].endswith('/messages') and (r['json'] or {}).get('to') == '$1'])"
}
estado() {
	sql $db "SELECT string_agg(m.estado || ':' || coalesce(m.error_code, '-'), ' '
		ORDER BY m.created_at, m.id) FROM strato.message m JOIN strato.conversation c
		ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
		WHERE c.lead_id = '$1' AND m.direccion = 'SALIENTE'"
}

# --- a tenant admin's send goes out at once ---------------------------------
ana=$(lead "Ana Pérez" "+54 9 11 4111-0001")
wrote "$ana"
run "$STRATO" --db "$ADM" send fichas "$ana" A --json
expect_rc 0 "send fichas as a tenant admin"
expect_eq "$(json "j[0]['estado'], j[0]['provider'], j[0]['error']")" \
	"SENT WHATSAPP None" "sent at once on WhatsApp"
expect_eq "$(sends 5491141110001)" "1" "the mock got it, to the lead's number"
mock_requests
expect_eq "$(json "[r['json']['text']['body'].split(chr(10))[0] for r in j if (r['json'] or {}).get('to') == '5491141110001'][0]")" \
	"*Depto en Palermo*" "the ficha's text"
expect_eq "$(sql $db "SELECT estado, external_id LIKE 'wamid.MOCK%', attempts, claimed_at IS NULL FROM strato.message WHERE direccion = 'SALIENTE'")" \
	"SENT|t|1|t" "stored SENT with the provider's id, one attempt"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE action = 'message.send'")" \
	"1" "the send is audited"

# --- an agent's send waits for the outbox -----------------------------------
run "$STRATO" --db "$AG" send fichas "$ana" A --json
expect_eq "$(json "j[0]['estado'], j[0]['provider']")" "QUEUED None" \
	"an agent cannot open the channel: queued"
run "$STRATO" --db "$AG" send fichas "$ana" A
expect_contains "$out" "strato-etl outbox run delivers them" "and is told how it goes out"
run "$ETL" --db "$SVC" outbox run --json
expect_rc 0 "outbox run"
expect_eq "$(json "j['sent'], j['failed'], j['unknown'], [(t['tenant'], t['sent']) for t in j['tenants']]")" \
	"2 0 0 [('norte', 0), ('sur', 2)]" "the outbox sent both, every tenant looked at"
expect_eq "$(estado "$ana")" "SENT:- SENT:- SENT:-" "every message to Ana SENT"
expect_eq "$(sends 5491141110001)" "3" "three at the mock in all"
run "$ETL" --db "$SVC" outbox run --json
expect_eq "$(json "j['sent']"):$(sends 5491141110001)" "0:3" "a second run sends nothing again"

# --- media by link ----------------------------------------------------------------
aconv=$(sql $db "SELECT id FROM strato.conversation WHERE lead_id = '$ana' AND provider = 'WHATSAPP' ORDER BY created_at LIMIT 1")
sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, tipo, media_url, estado)
	SELECT tenant_id, '$aconv', 'SALIENTE', 'El plano', 'IMAGE', 'https://example.com/plano.jpg', 'QUEUED'
	FROM strato.lead WHERE id = '$ana'" >/dev/null
run "$ETL" --db "$SVC" outbox run --tenant sur --json
expect_eq "$(json "j['sent']")" "1" "an image message sent"
mock_requests
expect_eq "$(json "[(r['json']['type'], r['json']['image']) for r in j if (r['json'] or {}).get('type') == 'image']")" \
	"[('image', {'link': 'https://example.com/plano.jpg', 'caption': 'El plano'})]" \
	"as a WhatsApp image by link, with its caption"

# --- the 24-hour window ------------------------------------------------------
beto=$(lead "Beto" "+54 9 11 4111-0002")
run "$STRATO" --db "$ADM" send fichas "$beto" A --json
expect_eq "$(json "j[0]['estado']")" "FAILED" "outside the 24-hour window: FAILED"
expect_contains "$(json "j[0]['error']")" "24-hour window" "saying why"
expect_eq "$(estado "$beto"):$(sends 5491141110002)" "FAILED:131047:0" \
	"with WhatsApp's code, and nothing sent"

# --- 429: back to the queue with its next attempt -------------------------------
caro=$(lead "Caro" "+54 9 11 4111-0003")
wrote "$caro"
mock_post /__fault '{"path": "/v21.0/106540352242922/messages", "status": 429, "retry_after": 1, "body": {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429}}}'
run "$STRATO" --db "$ADM" send fichas "$caro" A --json
expect_eq "$(json "j[0]['estado']")" "QUEUED" "a 429 leaves it QUEUED"
expect_eq "$(sql $db "SELECT attempts, next_attempt_at > now() + interval '20 seconds' FROM strato.message m JOIN strato.conversation c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id WHERE c.lead_id = '$caro' AND m.direccion = 'SALIENTE'")" \
	"1|t" "one attempt, the next in 30 s"
run "$ETL" --db "$SVC" outbox run --json
expect_eq "$(json "j['sent']"):$(sends 5491141110003)" "0:1" "not due yet: not tried"
sql $db "UPDATE strato.message SET next_attempt_at = now() - interval '1 second' WHERE estado = 'QUEUED'" >/dev/null
run "$ETL" --db "$SVC" outbox run --json
expect_eq "$(json "j['sent']"):$(sends 5491141110003):$(estado "$caro")" "1:2:SENT:-" \
	"due: sent on the second attempt"

# --- 500: UNKNOWN, never resent by itself; requeue ------------------------------
mock_post /__fault '{"path": "/v21.0/106540352242922/messages", "status": 500}'
run "$STRATO" --db "$ADM" send fichas "$caro" A --json
expect_eq "$(json "j[0]['estado']")" "UNKNOWN" "a 500 on a send is UNKNOWN"
run "$ETL" --db "$SVC" outbox run --json
expect_rc 0 "nothing due"
expect_eq "$(sends 5491141110003)" "3" "an UNKNOWN message is not resent"
unknown=$(sql $db "SELECT id FROM strato.message WHERE estado = 'UNKNOWN'")
run "$ETL" --db "$SVC" outbox requeue "$unknown"
expect_rc 2 "requeue needs --tenant"
run "$ETL" --db "$SVC" outbox requeue --tenant sur "$unknown"
expect_rc 0 "requeue"
run "$ETL" --db "$SVC" outbox run --json
expect_eq "$(json "j['sent']"):$(sends 5491141110003)" "1:4" "sent after the requeue"
run "$ETL" --db "$SVC" outbox requeue --tenant sur "$unknown"
expect_rc 1 "a SENT message cannot be requeued"
expect_contains "$err" "is not an outbound UNKNOWN or FAILED message" "said plainly"

# --- a permanent refusal ----------------------------------------------------------
mock_post /__fault '{"path": "/v21.0/106540352242922/messages", "status": 400, "body": {"error": {"message": "Message undeliverable", "type": "OAuthException", "code": 131026}}}'
run "$STRATO" --db "$ADM" send fichas "$caro" A --json
expect_eq "$(json "j[0]['estado']")" "FAILED" "an undeliverable number FAILED"
expect_eq "$(estado "$caro" | awk '{print $NF}')" "FAILED:131026" "with its code"

# --- a crash's leftovers -------------------------------------------------------------
conv=$(sql $db "SELECT id FROM strato.conversation WHERE lead_id = '$caro'")
tid=$(sql $db "SELECT id FROM strato.tenant WHERE slug = 'sur'")
sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, estado, claimed_at, attempts)
	VALUES ('$tid', '$conv', 'SALIENTE', 'crash-old', 'SENDING', now() - interval '20 minutes', 1),
	       ('$tid', '$conv', 'SALIENTE', 'in-flight', 'SENDING', now() - interval '1 minute', 1)" >/dev/null
before=$(sends 5491141110003)
run "$ETL" --db "$SVC" outbox run --json
expect_rc 3 "a run that found a crash's leftover exits 3"
expect_eq "$(json "j['recovered']")" "1" "one recovered"
expect_eq "$(sql $db "SELECT contenido || '=' || estado FROM strato.message WHERE contenido IN ('crash-old', 'in-flight') ORDER BY 1")" \
	"crash-old=UNKNOWN
in-flight=SENDING" "the stale one UNKNOWN, the one in flight left alone"
expect_eq "$(sends 5491141110003)" "$before" "neither resent"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE action = 'message.unknown'")" \
	"1" "the recovery is audited"
sql $db "DELETE FROM strato.message WHERE contenido = 'in-flight'" >/dev/null

# --- ManyChat: the contact found or created by phone, then kept -------------------
nico=$(lead "Nico" "+54 9 11 4111-0009" norte)
sql $db "INSERT INTO strato.conversation (tenant_id, lead_id, canal) SELECT tenant_id, id, 'WHATSAPP' FROM strato.lead WHERE id = '$nico'" >/dev/null
nconv=$(sql $db "SELECT id FROM strato.conversation WHERE lead_id = '$nico'")
ntid=$(sql $db "SELECT id FROM strato.tenant WHERE slug = 'norte'")
sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, estado)
	VALUES ('$ntid', '$nconv', 'SALIENTE', 'hola Nico', 'QUEUED')" >/dev/null
run "$ETL" --db "$SVC" outbox run --tenant norte --json
expect_eq "$(json "[t['tenant'] for t in j['tenants']], j['sent']")" "['norte'] 1" "sent through ManyChat"
mock_requests
expect_eq "$(json "[r['path'] for r in j if r['path'].startswith('/fb/')]")" \
	"['/fb/subscriber/findBySystemField', '/fb/subscriber/createSubscriber', '/fb/sending/sendContent']" \
	"looked up by phone, created, then sent"
sub=$(sql $db "SELECT manychat_id FROM strato.lead WHERE id = '$nico'")
expect_eq "$(json "[str(r['json']['subscriber_id']) for r in j if r['path'] == '/fb/sending/sendContent'][0] == '${sub:-none}'")" \
	"True" "the new subscriber id is kept on the lead"
sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, estado)
	VALUES ('$ntid', '$nconv', 'SALIENTE', 'otra vez', 'QUEUED')" >/dev/null
run "$ETL" --db "$SVC" outbox run --tenant norte --json
mock_requests
expect_eq "$(json "len([r for r in j if r['path'].startswith('/fb/subscriber/')])"):$(json "len([r for r in j if r['path'] == '/fb/sending/sendContent'])")" \
	"2:2" "the next message uses the stored id: no second lookup"

# --- no channel -----------------------------------------------------------------------
sinfono=$(lead "Sin Teléfono" "")
sql $db "INSERT INTO strato.conversation (tenant_id, lead_id, canal) SELECT tenant_id, id, 'WEB' FROM strato.lead WHERE id = '$sinfono'" >/dev/null
sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, estado)
	SELECT tenant_id, id, 'SALIENTE', 'x', 'QUEUED' FROM strato.conversation WHERE lead_id = '$sinfono'" >/dev/null
run "$ETL" --db "$SVC" outbox run --tenant sur --json
expect_rc 3 "a message that cannot go makes the run exit 3"
expect_eq "$(sql $db "SELECT estado || ': ' || error_message FROM strato.message WHERE contenido = 'x'")" \
	"FAILED: the lead has no phone and no channel id" "no phone, no channel: FAILED, saying why"

# --- two runners at once: each message sent once -------------------------------------------
for i in $(seq 1 12); do
	id=$(lead "Par $i" "+54 9 11 4222-00$(printf %02d "$i")")
	wrote "$id"
	sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, estado)
		SELECT tenant_id, id, 'SALIENTE', 'par $i', 'QUEUED' FROM strato.conversation WHERE lead_id = '$id'" >/dev/null
done
mock_post /__fault '{"path": "/v21.0/106540352242922/messages", "delay_ms": 150, "count": 12}'
"$ETL" --db "$SVC" outbox run --tenant sur --json >"$work/r1" 2>&1 &
p1=$!
"$ETL" --db "$SVC" outbox run --tenant sur --json >"$work/r2" 2>&1 &
p2=$!
wait $p1
wait $p2
mock_requests
expect_eq "$(json "sorted(r['json']['text']['body'] for r in j if (r['json'] or {}).get('text', {}).get('body', '').startswith('par ')) == sorted('par %d' % i for i in range(1, 13))")" \
	"True" "12 messages, each at the mock exactly once"
expect_eq "$(python3 -c 'import json,sys; print(sum(json.loads(open(f).read())["sent"] for f in sys.argv[1:]))' "$work/r1" "$work/r2")" \
	"12" "the two runs' counts add up to 12"
expect_eq "$(sql $db "SELECT count(*) FROM strato.message WHERE contenido LIKE 'par %' AND estado = 'SENT'")" \
	"12" "all SENT"

# --- usage and errors ------------------------------------------------------------------------
run "$ETL" --db "$SVC" outbox
expect_rc 2 "outbox without a verb"
run "$ETL" --db "$SVC" outbox send
expect_rc 2 "an unknown verb"
run "$ETL" --db "$SVC" outbox run extra
expect_rc 2 "run takes no arguments"
run "$ETL" --db "$SVC" outbox run --limit 0
expect_rc 2 "a bad --limit"
run "$ETL" --db "$SVC" outbox --help
expect_contains "$out" "claimed (SENDING, committed) before the provider is called" "--help explains the guarantee"
run env -u STRATO_MASTER_KEY_FILE "$ETL" --db "$SVC" outbox run
expect_rc 1 "no master key"
expect_contains "$err" "STRATO_MASTER_KEY" "names the setting"
expect_lacks "$(cat "$work"/*.log 2>/dev/null; echo "$out$err")" "$wa" "the token is never printed"

finish
