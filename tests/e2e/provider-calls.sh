# The mock provider beyond the request/response calls (those are in the
# provider_calls Check suite): a WhatsApp send accepted and then failed
# by a status webhook, fetched from /__webhooks and taken by
# strato-etl ingest; the reply latency; HTTP/1.1 keep-alive; the new
# integration settings.
. "$(dirname "$0")/lib.sh"

db=e2e_pcalls
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
openssl rand -base64 32 >"$work/key"
chmod 600 "$work/key"
export STRATO_MASTER_KEY_FILE="$work/key"
unset STRATO_MASTER_KEY
S() { "$STRATO" --db "$C" --tenant sur "$@"; }
"$STRATO" --db "$C" tenant create --name "Inmobiliaria Sur" --slug sur >/dev/null

wa='EAAGwa-calls-0123456789'
mock_start --token "whatsapp=$wa"
printf 'access_token=%s\napp_secret=calls-app-secret-1\n' "$wa" | \
	S integration set whatsapp --secret-stdin --base-url "$MOCK" \
	--phone-number-id 106540352242922 >/dev/null
S integration enable whatsapp >/dev/null

# py CODE...: Python with the mock's URL as M and the token as T
py() {
	M=$MOCK T=$wa python3 -c "import http.client, json, os, sys, time, urllib.request as u
M = os.environ['M']; T = os.environ['T']
def call(method, path, body=None, token=T):
    h = {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'}
    r = u.Request(M + path, method=method, headers=h,
                  data=None if body is None else json.dumps(body).encode())
    try:
        with u.urlopen(r, timeout=10) as f:
            return f.status, f.read().decode()
    except u.HTTPError as e:
        return e.code, e.read().decode()
$1"
}
msgs=/v21.0/106540352242922/messages

# --- a send accepted, then failed: the status webhook ---
mock_post /__fault "{\"path\": \"$msgs\", \"async_fail\": 131026}"
run py "print(*call('POST', '$msgs', {'messaging_product': 'whatsapp', 'recipient_type': 'individual', 'to': '5491155550000', 'type': 'image', 'image': {'link': 'https://cdn.example/1.jpg'}}))"
expect_eq "$(printf '%s' "$out" | cut -d' ' -f1)" "200" "the failing send is accepted (200)"
wamid=$(printf '%s' "$out" | cut -d' ' -f2- | python3 -c "import json,sys; print(json.load(sys.stdin)['messages'][0]['id'])")
expect_contains "$wamid" "wamid." "and has its wamid"
run py "print(call('GET', '/__webhooks')[1], end='')"
printf '%s\n' "$out" >"$work/hooks.jsonl"
expect_eq "$(wc -l <"$work/hooks.jsonl" | tr -d ' ')" "1" "one webhook queued"
expect_eq "$(python3 -c "import json,sys
j = json.loads(open(sys.argv[1]).readline())
v = j['entry'][0]['changes'][0]['value']
s = v['statuses'][0]
print(j['object'], v['metadata']['phone_number_id'], s['id'] == sys.argv[2], s['status'], s['recipient_id'], s['errors'][0]['code'], s['errors'][0]['title'], 'details' in s['errors'][0]['error_data'])" "$work/hooks.jsonl" "$wamid")" \
	"whatsapp_business_account 106540352242922 True failed 5491155550000 131026 Message undeliverable True" \
	"the webhook has Meta's shape: statuses[].status failed with errors[].code"
run py "print(repr(call('GET', '/__webhooks')[1]))"
expect_eq "$out" "''" "fetching the webhooks clears them"
run py "print(call('POST', '$msgs', {'messaging_product': 'whatsapp', 'to': '5491155550000', 'type': 'text', 'text': {'body': 'hola'}})[0])"
run py "print(repr(call('GET', '/__webhooks')[1]))"
expect_eq "$out" "''" "the fault was for one send only"

# the outbound message, as the sender would have stored it
lead=$(S lead create --name "Ana Gómez" --phone "+54 9 11 5555-0000" --json |
	python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
tid=$(sql $db "SELECT id FROM strato.tenant WHERE slug = 'sur'")
conv=$(sql $db "INSERT INTO strato.conversation (tenant_id, lead_id, canal, provider, external_id)
	VALUES ('$tid', '$lead', 'WHATSAPP', 'WHATSAPP', '5491155550000') RETURNING id")
sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, tipo, media_url, external_id, estado)
	VALUES ('$tid', '$conv', 'SALIENTE', NULL, 'IMAGE', 'https://cdn.example/1.jpg', '$wamid', 'SENT')" >/dev/null
run "$ETL" --db "$C" ingest whatsapp --tenant sur --json "$work/hooks.jsonl"
expect_rc 0 "strato-etl ingest takes the mock's webhook"
expect_eq "$(json "j['statuses'], j['unmatched_statuses'], j['rejected']")" "1 0 0" \
	"one status applied, matched by the wamid"
expect_eq "$(sql $db "SELECT estado || ':' || error_code FROM strato.message WHERE external_id = '$wamid'")" \
	"FAILED:131026" "the message is FAILED with error_code 131026"

# --- latency: provider replies only, control endpoints answer at once ---
mock_post /__latency '{"ms": 400}'
run py "t = time.time(); s = call('GET', '/v21.0/106540352242922')[0]; d = time.time() - t
t = time.time(); call('GET', '/__requests'); c = time.time() - t
print(s, d >= 0.4, c < 0.3)"
expect_eq "$out" "200 True True" "POST /__latency delays provider replies, not control calls"
mock_post /__reset '{}'
run py "t = time.time(); call('GET', '/v21.0/106540352242922'); print(time.time() - t < 0.3)"
expect_eq "$out" "True" "a reset goes back to --latency-ms (0)"
mock_post /__latency '{"ms": 0}'

# --- HTTP/1.1 keep-alive: several requests on one connection ---
run py "c = http.client.HTTPConnection(M[7:], timeout=5)
out = []
for i in range(3):
    c.request('GET', '/v21.0/106540352242922', headers={'Authorization': 'Bearer ' + T})
    r = c.getresponse(); b = r.read()
    out.append('%d %s %s %s' % (r.status, r.version, r.getheader('Content-Length') == str(len(b)), r.will_close))
c.request('POST', '$msgs', body='{\"messaging_product\": \"whatsapp\"}', headers={'Authorization': 'Bearer ' + T})
r = c.getresponse(); b = r.read()
out.append('%d %s %s' % (r.status, r.getheader('Content-Length') == str(len(b)), r.will_close))
print(' | '.join(out))"
expect_eq "$out" "200 11 True False | 200 11 True False | 200 11 True False | 400 True False" \
	"HTTP/1.1, exact Content-Length, the connection kept open (errors too)"

# --- the unconfirmed facts are integration settings ---
printf 'api_token=uc-token-calls-1\n' | S integration set uchat --secret-stdin \
	--add-tag-path /subscriber/add-tag --remove-tag-path /subscriber/remove-tag >/dev/null
S integration set whatsapp --media-type-field no >/dev/null
run S integration show uchat --json
expect_contains "$out" "/subscriber/add-tag" "UCHAT add_tag_path is a setting"
expect_contains "$out" "/subscriber/remove-tag" "UCHAT remove_tag_path is a setting"
run S integration show whatsapp --json
expect_contains "$out" "media_type_field" "WHATSAPP media_type_field is a setting"

finish
