# strato-etl ingest: webhook events of WhatsApp, ManyChat and UChat into
# leads, conversations and messages; idempotent replays; status updates;
# signatures and tokens; the reply with fichas, sent through the mock
# provider; --no-reply and --no-send; spool.
. "$(dirname "$0")/lib.sh"

db=e2e_ingest
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
"$STRATO" --db "$C" tenant create --name "Inmobiliaria Sur" --slug sur >/dev/null
"$STRATO" --db "$C" tenant create --name "Otra" --slug otra >/dev/null
data=$STRATO_TOP/tests/data/ingest

openssl rand -base64 32 >"$work/key"
chmod 600 "$work/key"
export STRATO_MASTER_KEY_FILE="$work/key"
unset STRATO_MASTER_KEY

app='wa-app-5ecret-0f9e8d7c-Lm4N'
mc='mc-webhook-T0ken-sur-4821'
uc='uc-webhook-T0ken-sur-9135'
S() { "$STRATO" --db "$C" --tenant sur "$@"; }
mock_start # the replies go out through it, never to the internet
printf 'access_token=EAAG-acc-1234567890\napp_secret=%s\n' "$app" | \
	S integration set whatsapp --secret-stdin --base-url "$MOCK" \
	--api-version v21.0 --phone-number-id 106540352242922 >/dev/null
printf 'api_token=mc-api-0001:key\nwebhook_token=%s\n' "$mc" | \
	S integration set manychat --secret-stdin --base-url "$MOCK" >/dev/null
printf 'api_token=uc-api-0001\nwebhook_token=%s\n' "$uc" | \
	S integration set uchat --secret-stdin --base-url "$MOCK" >/dev/null
for p in whatsapp manychat uchat; do S integration enable $p >/dev/null; done
# the other tenant: a WhatsApp number of its own, ManyChat with its token
printf 'access_token=EAAG-otra-123456789\napp_secret=otra-app-secret-xyz\n' | \
	"$STRATO" --db "$C" --tenant otra integration set whatsapp --secret-stdin \
	--base-url "$MOCK" --phone-number-id 999000111 >/dev/null
"$STRATO" --db "$C" --tenant otra integration enable whatsapp >/dev/null

S property create --codigo PAL3 --titulo "3 ambientes en Palermo" \
	--operacion venta --tipo departamento --precio 140000 --moneda usd \
	--zona Palermo --ambientes 3 --url https://example.com/pal3 >/dev/null
S property create --codigo PAL3B --titulo "Luminoso 3 amb Palermo" \
	--operacion venta --tipo departamento --precio 150000 --moneda usd \
	--zona Palermo --ambientes 3 >/dev/null
S property create --codigo NUN2 --titulo "2 amb en Núñez" \
	--operacion alquiler --tipo departamento --precio 650000 --moneda ars \
	--zona Núñez --ambientes 2 >/dev/null
S assistant create --name Astor \
	--greeting '¡Hola {{primer_nombre}}! Soy {{asistente}}, de {{inmobiliaria}}.' >/dev/null

msgs() { sql $db "SELECT count(*) FROM strato.message WHERE $1"; }

# --- WhatsApp samples: old timestamps, so outside the 24-hour window ---
run "$ETL" --db "$C" ingest whatsapp --json "$data/whatsapp.jsonl"
expect_rc 0 "whatsapp samples taken"
expect_eq "$(json "j['events'], j['messages'], j['leads_created'], j['statuses'], j['unmatched_statuses'], j['provider_errors'], j['replies_queued']")" \
	"7 3 2 0 3 1 0" "3 messages, 2 leads, statuses unmatched, 1 provider error, no reply outside the window"
ana=$(sql $db "SELECT id FROM strato.lead WHERE wa_id = '5491141112222'")
expect_eq "$(sql $db "SELECT nombre, telefono_e164, origen, ambientes, presupuesto_max::bigint, moneda, zonas::text FROM strato.lead WHERE id = '$ana'")" \
	"Ana Pérez|+5491141112222|WHATSAPP|3|150000|USD|{Palermo}" "lead from the message, preferences extracted"
expect_eq "$(sql $db "SELECT origen FROM strato.lead WHERE wa_id = '5491143334444'")" \
	"META_ADS" "an ad referral is the first touch's origin"
expect_eq "$(sql $db "SELECT count(*), min(canal || '/' || provider || '/' || external_id) FROM strato.conversation WHERE lead_id = '$ana'")" \
	"1|WHATSAPP/WHATSAPP/5491141112222" "one conversation for two messages"
expect_eq "$(msgs "direccion = 'ENTRANTE' AND estado = 'RECEIVED'")" "3" "messages stored as received"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE action = 'lead.create'")" \
	"2" "lead creation audited"

# idempotent: the same file again stores nothing new
run "$ETL" --db "$C" ingest whatsapp --json "$data/whatsapp.jsonl"
expect_rc 0 "replay taken"
expect_eq "$(json "j['messages'], j['duplicates'], j['leads_created']")" "0 3 0" "replay: all duplicates"
expect_eq "$(msgs "true")" "3" "no message stored twice"
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead")" "2" "no lead created twice"

# status updates on outbound messages, by provider id; never backwards
conv=$(sql $db "SELECT id FROM strato.conversation WHERE lead_id = '$ana'")
tid=$(sql $db "SELECT id FROM strato.tenant WHERE slug = 'sur'")
sql $db "INSERT INTO strato.message (tenant_id, conversation_id, direccion, contenido, external_id, estado)
	VALUES ('$tid', '$conv', 'SALIENTE', 'a', 'wamid.OUT-0001', 'SENT'),
	       ('$tid', '$conv', 'SALIENTE', 'b', 'wamid.OUT-0002', 'SENT')" >/dev/null
run "$ETL" --db "$C" ingest whatsapp --json "$data/whatsapp.jsonl"
expect_eq "$(json "j['statuses'], j['unmatched_statuses']")" "3 0" "statuses applied"
expect_eq "$(sql $db "SELECT string_agg(external_id || '=' || estado || ':' || coalesce(error_code, '-'), ' ' ORDER BY external_id) FROM strato.message WHERE direccion = 'SALIENTE'")" \
	"wamid.OUT-0001=READ:- wamid.OUT-0002=FAILED:131047" "delivered then read; failed with its error code"
sed -n 4p "$data/whatsapp.jsonl" >"$work/delivered.jsonl"
run "$ETL" --db "$C" ingest whatsapp "$work/delivered.jsonl"
expect_eq "$(sql $db "SELECT estado FROM strato.message WHERE external_id = 'wamid.OUT-0001'")" \
	"READ" "a late delivered does not undo read"

# --- signatures: envelopes as a web tier hands them over ---
now=$(date +%s)
cat >"$work/mk.py" <<'EOF'
import hashlib, hmac, json, sys
# mk.py SECRET|- BODY-FILE: an envelope per body line; "-" leaves it unsigned
secret = sys.argv[1]
for body in open(sys.argv[2], encoding="utf-8").read().splitlines():
    h = {"Content-Type": "application/json"}
    if secret != "-":
        h["X-Hub-Signature-256"] = "sha256=" + hmac.new(
            secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    print(json.dumps({"headers": h, "body": body}))
EOF
wa() { # wa ID FROM NAME TEXT [TS]: a WhatsApp text event body
	printf '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"5491150000000","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"%s"},"wa_id":"%s"}],"messages":[{"from":"%s","id":"%s","timestamp":"%s","type":"text","text":{"body":"%s"}}]}}]}]}\n' \
		"$3" "$2" "$2" "$1" "${5:-$now}" "$4"
}
wa wamid.NEW-1 5491146660001 "Lucía Fernández" "Hola! busco un 3 ambientes en Palermo hasta 150 mil dólares" >"$work/b1"
wa wamid.NEW-2 5491146660002 "Pedro Gil" "hola" >"$work/b2"
python3 "$work/mk.py" "$app" "$work/b1" >"$work/signed.jsonl"
python3 "$work/mk.py" wrong-secret "$work/b2" >>"$work/signed.jsonl"
python3 "$work/mk.py" - "$work/b2" >>"$work/signed.jsonl"
echo '{"object":"whatsapp_business_account","entry":[' >>"$work/signed.jsonl"
run "$ETL" --db "$C" ingest whatsapp --rejects "$work/rej.jsonl" --json "$work/signed.jsonl"
expect_rc 3 "some rejected"
expect_eq "$(json "j['messages'], j['rejected'], j['rejects_file'] is not None")" "2 2 True" \
	"signed and unsigned taken, bad signature and malformed rejected"
expect_eq "$(python3 -c "import json,sys; print(' '.join('%d:%s' % (r['line'], r['reason'].split(' (')[0]) for r in map(json.loads, open(sys.argv[1]))))" "$work/rej.jsonl")" \
	"2:bad X-Hub-Signature-256 4:not JSON: ']' expected near end of file" \
	"rejects name the line and the reason"
expect_eq "$(msgs "external_id = 'wamid.NEW-2'")" "1" "the unsigned one stored once, not the badly signed"
run "$ETL" --db "$C" ingest whatsapp --require-signature --json "$work/signed.jsonl"
expect_rc 3 "--require-signature"
expect_eq "$(json "j['messages'], j['duplicates'], j['rejected']")" "0 1 3" \
	"--require-signature refuses the unsigned event"
expect_contains "$(sed -n 3p "$work/signed.jsonl" | "$ETL" --db "$C" ingest whatsapp --require-signature --rejects /dev/stdout - 2>&1)" \
	'"reason":"missing X-Hub-Signature-256"' "missing signature named"

# the reply: greeting and fichas of the best matches, sent on WhatsApp
lucia=$(sql $db "SELECT id FROM strato.lead WHERE wa_id = '5491146660001'")
lconv=$(sql $db "SELECT id FROM strato.conversation WHERE lead_id = '$lucia'")
expect_eq "$(sql $db "SELECT count(*) FROM strato.message WHERE conversation_id = '$lconv' AND direccion = 'SALIENTE' AND estado = 'SENT' AND external_id LIKE 'wamid.MOCK%'")" \
	"4" "greeting, intro and two fichas sent, each with the provider's id"
mock_requests
expect_eq "$(json "[r['path'] for r in j if r['method'] == 'POST' and r['json'].get('to') == '5491146660001'] == ['/v21.0/106540352242922/messages'] * 4")" \
	"True" "four sends to the lead's number at the mock"
expect_eq "$(json "[r['json']['text']['body'] for r in j if r['json'] and r['json'].get('to') == '5491146660001'][0]")" \
	"¡Hola Lucía! Soy Astor, de Inmobiliaria Sur." "the greeting went first, as stored"
expect_eq "$(json "[r['headers'].get('Authorization') for r in j if r['method'] == 'POST'][0]")" \
	"Bearer EAAG-acc-1234567890" "with the integration's token"
expect_eq "$(sql $db "SELECT contenido FROM strato.message WHERE conversation_id = '$lconv' AND direccion = 'SALIENTE' ORDER BY created_at, id LIMIT 1")" \
	"¡Hola Lucía! Soy Astor, de Inmobiliaria Sur." "greeting personalised"
expect_eq "$(sql $db "SELECT count(*) FROM strato.message WHERE conversation_id = '$lconv' AND contenido LIKE '*3 ambientes en Palermo*%USD 140.000%'")" \
	"1" "a ficha of a match"
expect_eq "$(sql $db "SELECT count(*) FROM strato.message WHERE conversation_id = '$lconv' AND contenido LIKE '%Núñez%'")" \
	"0" "no ficha that does not match"
expect_eq "$(sql $db "SELECT count(*) FROM strato.message WHERE direccion = 'SALIENTE' AND conversation_id IN (SELECT id FROM strato.conversation WHERE lead_id = (SELECT id FROM strato.lead WHERE wa_id = '5491146660002'))")" \
	"1" "a greeting only when nothing was asked"

# --no-reply stores without answering; the tenant comes from phone_number_id
wa wamid.NEW-3 5491146660003 "Sin Respuesta" "alquilo depto 2 amb en Núñez" >"$work/b3"
run "$ETL" --db "$C" ingest whatsapp --no-reply --json "$work/b3"
expect_eq "$(json "j['messages'], j['replies_queued']")" "1 0" "--no-reply"
expect_eq "$(sql $db "SELECT operacion, tipo_propiedad, ambientes, zonas::text FROM strato.lead WHERE wa_id = '5491146660003'")" \
	"ALQUILER|DEPARTAMENTO|2|{Núñez}" "preferences still extracted"
sed 's/106540352242922/555/' "$work/b3" >"$work/b4"
run "$ETL" --db "$C" ingest whatsapp --json "$work/b4"
expect_rc 3 "an unknown phone number id"
run "$ETL" --db "$C" ingest whatsapp --tenant otra --json "$work/b3"
expect_eq "$(json "j['rejected']")" "1" "--tenant narrows the tenants"

# --- ManyChat and UChat: the shared token ---
# (--no-send: the mock knows no ManyChat subscriber these samples name)
run "$ETL" --db "$C" ingest manychat --no-send --json "$data/manychat.jsonl"
expect_rc 0 "manychat samples, token in the body"
expect_eq "$(json "j['messages'], j['leads_created'], j['replies_queued']")" "2 2 4" \
	"two leads; greeting each, one answer with a ficha"
expect_eq "$(json "j['replies_sent']"):$(msgs "direccion = 'SALIENTE' AND estado = 'QUEUED'")" \
	"0:4" "--no-send leaves the replies QUEUED for the outbox"
expect_eq "$(sql $db "SELECT manychat_id, origen, operacion, tipo_propiedad, ambientes, zonas::text, telefono_e164 FROM strato.lead WHERE manychat_id = '1324564789012345678'")" \
	"1324564789012345678|META_ADS|ALQUILER|DEPARTAMENTO|2|{Núñez}|+5491145556666" \
	"manychat id beyond 2^53 kept; ad growth tool; preferences"
run "$ETL" --db "$C" ingest manychat --no-send --json "$data/manychat.jsonl"
expect_eq "$(json "j['messages'], j['duplicates'], j['replies_queued']")" "0 2 0" "manychat replay: duplicates, no second reply"
sed "s/$mc/not-the-token/" "$data/manychat.jsonl" >"$work/mc-bad.jsonl"
run "$ETL" --db "$C" ingest manychat --rejects "$work/mc-rej.jsonl" "$work/mc-bad.jsonl"
expect_rc 3 "bad token rejected"
expect_contains "$(cat "$work/mc-rej.jsonl")" '"line":1,"reason":"bad token' "bad token named in the rejects"
python3 - "$data/uchat.jsonl" "$uc" >"$work/uc.jsonl" <<'EOF'
import json, sys
for i, body in enumerate(open(sys.argv[1], encoding="utf-8").read().splitlines()):
    h = {"Authorization": "Bearer " + sys.argv[2]} if i == 0 else {}
    print(json.dumps({"headers": h, "body": body}))
EOF
run "$ETL" --db "$C" ingest uchat --tenant sur --json "$work/uc.jsonl"
expect_rc 3 "uchat: the outbound echo is refused"
expect_eq "$(json "j['messages'], j['rejected']")" "1 1" "uchat message from the header token"
expect_eq "$(sql $db "SELECT uchat_id, operacion, tipo_propiedad, presupuesto_max::bigint, moneda, zonas::text FROM strato.lead WHERE uchat_id IS NOT NULL")" \
	"f190385u394247863|VENTA|CASA|300000|USD|{Belgrano}" "uchat lead and preferences"
sed 1p "$data/uchat.jsonl" | head -1 >"$work/uc-notoken.jsonl"
run "$ETL" --db "$C" ingest uchat --rejects "$work/uc-rej.jsonl" "$work/uc-notoken.jsonl"
expect_contains "$(cat "$work/uc-rej.jsonl")" "missing token" "no token, no event"

# --- a spool directory: every file, archived ---
mkdir -p "$work/spool"
wa wamid.SP-1 5491146660010 "Spool Uno" "hola" >"$work/spool/001.json"
printf 'garbage\n' >"$work/spool/002.json"
run "$ETL" --db "$C" ingest whatsapp --spool "$work/spool" --rejects "$work/sp-rej.jsonl" --json
expect_rc 3 "spool with a bad file"
expect_eq "$(ls "$work/spool/done") $(ls "$work/spool/failed") $(ls "$work/spool" | tr '\n' ' ')" \
	"001.json 002.json done failed " "files moved to done/ and failed/"
expect_contains "$(cat "$work/sp-rej.jsonl")" '"file":"002.json"' "the rejects name the file"
run "$ETL" --db "$C" ingest whatsapp --spool "$work/spool" --json
expect_eq "$rc $(json "j['events']")" "0 0" "an emptied spool is a no-op"

# --- usage ---
run "$ETL" --db "$C" ingest telegram
expect_rc 2 "unknown source"
run "$ETL" --db "$C" ingest whatsapp a b
expect_rc 2 "two inputs"
run "$ETL" --db "$C" ingest whatsapp --help
expect_contains "$out" "--no-send leaves them all QUEUED" "--help says how replies go out"
finish
