# strato integration test against the mock provider: each provider's
# harmless call with its real auth header, success and failure recorded,
# the provider's message passed on, and the secret nowhere in strato's
# output, not even with --verbose.
. "$(dirname "$0")/lib.sh"

db=e2e_prov
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null

irun() {
	run "$@"
	printf '%s\n%s\n' "$out" "$err" >>"$work/all"
}

irun "$STRATO" --db "$C" tenant create --name Sur --slug sur
irun "$STRATO" --db "$C" --tenant sur user create --email admin@sur.com.ar \
	--name Admin --role admin --login e2e_prov_admin
irun "$STRATO" --db "$C" --tenant sur user create --email ag@sur.com.ar \
	--name Ag --role agent --login e2e_prov_agent
ADM=$(conninfo e2e_prov_admin $db)
AG=$(conninfo e2e_prov_agent $db)

openssl rand -base64 32 >"$work/k1"
chmod 600 "$work/k1"
export STRATO_MASTER_KEY_FILE="$work/k1"
export STRATO_HTTP_BACKOFF_MS=20 STRATO_HTTP_TIMEOUT_MS=3000
unset STRATO_MASTER_KEY STRATO_CA_BUNDLE

mc='1000001:mc5ecretKey0a1b2c3d4e5f'
uc='uc-5ecret-token-9f8e7d6c5b4a'
wa='EAAGwa5ecretAccess0123456789'
el='sk_el5ecret0123456789abcdef'
mock_start --token "manychat=$mc" --token "uchat=$uc" \
	--token "whatsapp=$wa" --token "elevenlabs=$el"

# setsec PROVIDER FIELD SECRET [FLAGS...]
setsec() {
	_p=$1 _f=$2 _s=$3
	shift 3
	printf '%s=%s\n' "$_f" "$_s" | "$STRATO" --db "$ADM" integration set \
		"$_p" --secret-stdin "$@" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	printf '%s\n%s\n' "$out" "$err" >>"$work/all"
}
setsec manychat api_token "$mc" --base-url "$MOCK"
expect_rc 0 "set MANYCHAT at the mock"
setsec uchat api_token "$uc" --base-url "$MOCK/"
expect_rc 0 "set UCHAT at the mock"
setsec whatsapp access_token "$wa" --base-url "$MOCK" --phone-number-id 106540352242922 --api-version v21.0
expect_rc 0 "set WHATSAPP at the mock"
setsec elevenlabs api_key "$el" --base-url "$MOCK" --voice-id VoiceSofia01
expect_rc 0 "set ELEVENLABS at the mock"

# test_ok PROVIDER WHAT_IN_OUTPUT
test_ok() {
	irun "$STRATO" --db "$ADM" integration test "$1" --json
	expect_rc 0 "integration test $1"
	expect_eq "$(json "j['ok'], j['message']")" "True $2" "$1: ok and what the account says"
	expect_eq "$(sql $db "SELECT last_test_ok || ' ' || last_test_message || ' ' ||
		(now() - last_test_at < interval '1 minute') FROM strato.tenant_integration
		WHERE provider = upper('$1')")" "true $2 true" "$1: result and time recorded"
}

# last_request: method, path and query of the mock's last request, and
# the header H (python expression over r) into $got
last_request() {
	mock_requests
	got=$(printf '%s' "$out" | python3 -c "import json,sys; r=json.load(sys.stdin)[-1]; print($1)")
}

test_ok manychat "page Inmobiliaria Sur (id 1000001)"
last_request "r['method'], r['path'], r['headers'].get('Authorization') == 'Bearer $mc', r['headers']['User-Agent'].startswith('STRATO/'), r['headers'].get('Accept')"
expect_eq "$got" "GET /fb/page/getInfo True True application/json" \
	"MANYCHAT: GET /fb/page/getInfo, Bearer page_id:key, STRATO User-Agent"

test_ok uchat "bot reachable, 1 tag"
last_request "r['method'], r['path'], r['headers'].get('Authorization') == 'Bearer $uc'"
expect_eq "$got" "GET /flow/tags True" "UCHAT: GET /flow/tags with its Bearer token (trailing / of base_url dropped)"

test_ok whatsapp "number +54 11 5555-0000 (Inmobiliaria Sur), quality GREEN"
last_request "r['method'], r['path'], r['headers'].get('Authorization') == 'Bearer $wa'"
expect_eq "$got" "GET /v21.0/106540352242922 True" "WHATSAPP: GET the phone number with the access token"

test_ok elevenlabs "28766 of 30000 characters left"
last_request "r['method'], r['path'], r['headers'].get('xi-api-key') == '$el', 'Authorization' in r['headers']"
expect_eq "$got" "GET /v1/user/subscription True False" "ELEVENLABS: GET /v1/user/subscription with xi-api-key"

# --verbose logs the exchange, the credentials redacted.
irun "$STRATO" --verbose --db "$ADM" integration test manychat
expect_rc 0 "test with --verbose"
expect_contains "$err" "http: > GET /fb/page/getInfo" "--verbose logs the request"
expect_contains "$err" "Authorization: [redacted]" "the Authorization header is redacted"
expect_contains "$err" '"name":"Inmobiliaria Sur"' "and logs the response body"
irun "$STRATO" --verbose --db "$ADM" integration test elevenlabs
expect_contains "$err" "xi-api-key: [redacted]" "xi-api-key is redacted"

# Failures: the provider's own message, recorded, exit 1.
# test_fail PROVIDER MESSAGE WHAT
test_fail() {
	irun "$STRATO" --db "$ADM" integration test "$1"
	expect_rc 1 "$3"
	expect_contains "$err" "$2" "$3: the provider's message"
	expect_eq "$(sql $db "SELECT last_test_ok || ' ' || (last_test_message LIKE '%$2%')
		FROM strato.tenant_integration WHERE provider = upper('$1')")" \
		"false true" "$3: recorded as failed"
}
for p in manychat uchat whatsapp elevenlabs; do
	mock_post /__token "{\"provider\": \"$p\", \"token\": \"another-one\"}"
done
test_fail manychat "MANYCHAT fb/page/getInfo failed (HTTP 401): Wrong format token" "MANYCHAT with a wrong token"
test_fail uchat "UCHAT flow/tags failed (HTTP 401): Unauthenticated." "UCHAT with a wrong token"
test_fail whatsapp "(HTTP 401): Invalid OAuth access token" "WHATSAPP with a wrong token"
test_fail elevenlabs "ELEVENLABS v1/user/subscription failed (HTTP 401): Invalid API key" "ELEVENLABS with a wrong key"
expect_contains "$err" "Check the credentials" "a bad key says to check the credentials"
mock_post /__token "{\"provider\": \"elevenlabs\", \"token\": \"$el\"}"
mock_post /__token "{\"provider\": \"manychat\", \"token\": \"$mc\"}"
mock_post /__fault '{"path": "/v1/user/subscription", "status": 401, "body": {"detail": {"status": "quota_exceeded", "message": "This request exceeds your quota of 10000."}}}'
test_fail elevenlabs "ELEVENLABS quota exceeded: This request exceeds your quota of 10000." "ELEVENLABS out of quota"
expect_lacks "$err" "Check the credentials" "an exhausted quota is not called a bad key"
mock_post /__fault '{"path": "/fb/page/getInfo", "status": 200, "body": {"status": "error", "message": "Page is disconnected"}}'
test_fail manychat "(HTTP 200): Page is disconnected" "MANYCHAT error inside an HTTP 200"
mock_post /__fault '{"path": "/fb/page/getInfo", "status": 200, "malformed": true}'
test_fail manychat "the response is not valid JSON" "MANYCHAT malformed JSON"
mock_post /__fault '{"path": "/fb/page/getInfo", "status": 503, "count": 2}'
irun "$STRATO" --db "$ADM" integration test manychat
expect_rc 0 "MANYCHAT 503 twice, then success (retried)"
mock_requests
expect_eq "$(json "[r['path'] for r in j].count('/fb/page/getInfo') >= 3")" "True" "the mock saw the retries"

# Agents may not test (it reads the secrets); unknown provider is usage.
irun "$STRATO" --db "$AG" integration test manychat
expect_rc 1 "an agent cannot test an integration"
expect_contains "$err" "permission denied" "said plainly"
irun "$STRATO" --db "$ADM" integration test acme
expect_rc 2 "an unknown provider is a usage error"
irun "$STRATO" --db "$ADM" integration show manychat --json
expect_eq "$(json "j['last_test_ok']")" "True" "show has the last test"

# The secrets reached the mock and nothing else.
mock_requests
expect_contains "$out" "Bearer $mc" "the mock saw the ManyChat secret in Authorization"
all=$(cat "$work/all")
for s in "$mc" "$uc" "$wa" "$el" mc5ecretKey uc-5ecret wa5ecret el5ecret; do
	expect_lacks "$all" "$s" "no secret ($(printf '%s' "$s" | cut -c1-6)…) in any output or stderr"
done
expect_eq "$(sql $db "SELECT count(*) FROM strato.tenant_integration
	WHERE last_test_message ~ '5ecret'")" "0" "no secret in the recorded messages"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE action = 'integration.test'")" \
	"$(sql $db "SELECT 0 + 14")" "every test wrote an audit row"

# The test run lets no call leave the machine (STRATO_HTTP_LOOPBACK_ONLY,
# set by tests/run): the public URL is refused, the mock sees nothing.
mock_post /__reset '{}'
setsec uchat api_token "$uc" --base-url ""
irun "$STRATO" --db "$ADM" integration test uchat
expect_rc 1 "a call to the public UChat URL fails in the test run"
expect_contains "$err" "only this machine may be called (STRATO_HTTP_LOOPBACK_ONLY)" \
	"said plainly"
mock_requests
expect_eq "$(json "len(j)")" "0" "and reached neither the mock nor the internet"
setsec uchat api_token "$uc" --base-url "$MOCK/"

finish
