# strato integration: secrets from stdin only, masked when shown, sealed
# under the master key, rotated to a new key, refused to agents, and the
# plain text of a secret nowhere: not in any output of this script, not in
# the server log, not in the database, not in ps.
. "$(dirname "$0")/lib.sh"

db=e2e_integ
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null

# Every command's stdout and stderr also go to $work/all, searched at the end.
irun() {
	run "$@"
	printf '%s\n%s\n' "$out" "$err" >>"$work/all"
}

irun "$STRATO" --db "$C" tenant create --name Sur --slug sur
irun "$STRATO" --db "$C" tenant create --name Otra --slug otra
irun "$STRATO" --db "$C" --tenant sur user create --email admin@sur.com.ar \
	--name Admin --role admin --login e2e_integ_admin
irun "$STRATO" --db "$C" --tenant sur user create --email ag@sur.com.ar \
	--name Ag --role agent --login e2e_integ_agent
ADM=$(conninfo e2e_integ_admin $db)
AG=$(conninfo e2e_integ_agent $db)

openssl rand -base64 32 >"$work/k1"
head -c 32 /dev/urandom >"$work/k2" # the raw form of a key file
chmod 600 "$work/k1" "$work/k2"
export STRATO_MASTER_KEY_FILE="$work/k1"
unset STRATO_MASTER_KEY STRATO_NEW_MASTER_KEY_FILE

mc='mc-Tok3n-7d1c0ffee5ecret-a9F2'
wa_access='EAAG-wa-access-5ecret-31337-Zq8x'
wa_app='wa-app-5ecret-0f9e8d7c-Lm4N'

# set: one bare secret on stdin, provider in any case.
irun sh -c "printf '%s\n' '$mc' | '$STRATO' --db \"$ADM\" integration set manychat \
	--api-token --secret-stdin --base-url http://127.0.0.1:9/mc"
expect_rc 0 "integration set with --secret-stdin"
expect_contains "$out" "integration MANYCHAT updated" "set confirms"
expect_contains "$out" "…a9F2" "set shows the secret masked"
irun "$STRATO" --db "$ADM" integration show MANYCHAT
expect_rc 0 "integration show"
expect_contains "$out" '"api_token":"…a9F2"' "show masks the secret: ellipsis and last 4"
irun "$STRATO" --db "$ADM" integration show Manychat --json
expect_eq "$(json "j['provider'], j['secrets'], j['config']['base_url']")" \
	"MANYCHAT {'api_token': '…a9F2'} http://127.0.0.1:9/mc" "show --json: masked secrets, plain config"
expect_eq "$(json "len(j['key_id'])")" "8" "show names the key id"
expect_lacks "$out" "$mc" "--json holds no secret"

# Several secrets as FIELD=VALUE lines; plain fields as flags.
irun sh -c "printf 'access_token=%s\napp_secret=%s\n' '$wa_access' '$wa_app' | \
	'$STRATO' --db \"$ADM\" integration set whatsapp --secret-stdin \
	--phone-number-id 106540352242922 --api-version v21.0 --json"
expect_rc 0 "set several secrets as FIELD=VALUE lines"
expect_eq "$(json "sorted(j['secrets'].items())")" \
	"[('access_token', '…Zq8x'), ('app_secret', '…Lm4N')]" "both sealed, both masked"
expect_eq "$(json "j['config']")" \
	"{'api_version': 'v21.0', 'phone_number_id': '106540352242922'}" "plain fields in config"
expect_eq "$(sql $db "SELECT secret_ciphertext IS NOT NULL AND config ? 'phone_number_id'
	AND NOT config ? 'access_token' FROM strato.tenant_integration WHERE provider = 'WHATSAPP'")" \
	"t" "secrets in the ciphertext, not in config"
expect_eq "$(sql $db "SELECT length(secret_ciphertext) > 28 FROM strato.tenant_integration WHERE provider = 'WHATSAPP'")" \
	"t" "ciphertext is nonce, body and tag"

# Merging: a plain change keeps the secrets; a new secret keeps the others.
irun "$STRATO" --db "$ADM" integration set whatsapp --waba-id 99887766 --json
expect_eq "$(json "len(j['secrets']), j['config']['waba_id']")" "2 99887766" "a plain change keeps the secrets"
irun sh -c "printf 'verify-tok-0123456789\n' | '$STRATO' --db \"$ADM\" integration set \
	whatsapp --verify-token --secret-stdin --json"
expect_eq "$(json "sorted(j['secrets'])")" "['access_token', 'app_secret', 'verify_token']" \
	"a new secret joins the sealed ones"
irun "$STRATO" --db "$ADM" integration set whatsapp --waba-id "" --json
expect_eq "$(json "'waba_id' in j['config']")" "False" '--FIELD "" removes a plain field'

# Unknown and misplaced fields, and secrets on the command line.
irun "$STRATO" --db "$ADM" integration set manychat --voice-id abc
expect_rc 2 "a field of another provider"
expect_contains "$err" 'MANYCHAT has no field "voice_id"' "names the field"
expect_contains "$err" "api_token, webhook_token, base_url" "lists the valid ones"
irun "$STRATO" --db "$ADM" integration set manychat --colour red
expect_rc 2 "an unknown flag"
expect_contains "$err" '"--colour"' "names it"
irun sh -c "printf 'nope=1\n' | '$STRATO' --db \"$ADM\" integration set elevenlabs --secret-stdin"
expect_rc 2 "an unknown field on stdin"
expect_contains "$err" 'a line of standard input names no field of ELEVENLABS' "names the provider"
expect_lacks "$err" "nope" "without repeating the line, which may be a secret"
expect_contains "$err" "api_key, voice_id" "lists the valid ones"
irun "$STRATO" --db "$ADM" integration set manychat --api-token 'argv-5ecret-value-XYZW'
expect_rc 2 "a secret value on the command line is refused"
expect_lacks "$err" "argv-5ecret-value-XYZW" "and not repeated"
expect_contains "$err" "never from the command line" "says why"
irun "$STRATO" --db "$ADM" integration set manychat --api-token=argv-5ecret-value-XYZW
expect_rc 2 "--api-token=VALUE is refused"
expect_lacks "$err" "argv-5ecret-value-XYZW" "and not repeated either"
irun "$STRATO" --db "$ADM" integration set ACME --base-url http://x
expect_rc 2 "an unknown provider"
expect_contains "$err" "MANYCHAT, UCHAT, ELEVENLABS, WHATSAPP" "lists the providers"
irun "$STRATO" --db "$ADM" integration set uchat --base-url ftp://example.com
expect_rc 1 "a base_url that is not http(s)"
expect_contains "$err" 'invalid base_url "ftp://example.com"' "said plainly"
irun "$STRATO" --db "$ADM" integration show acme
expect_rc 2 "show of an unknown provider is a usage error too"

# list, enable, disable, test.
irun "$STRATO" --db "$ADM" integration list --json
expect_rc 0 "integration list"
expect_eq "$(json "[('secrets' in i, len(i['key_id'])) for i in j]")" "[(False, 8), (False, 8)]" \
	"list names the key, decrypts nothing"
expect_eq "$(json "[(i['provider'], i['is_active']) for i in j]")" \
	"[('MANYCHAT', False), ('WHATSAPP', False)]" "list: two, disabled"
irun "$STRATO" --db "$ADM" integration enable manychat
expect_rc 0 "enable"
expect_contains "$out" "integration MANYCHAT enabled" "enable confirms"
irun "$STRATO" --db "$ADM" integration enable manychat
expect_contains "$out" "already enabled" "enable twice says so"
irun "$STRATO" --db "$ADM" integration list --json
expect_eq "$(json "[i['is_active'] for i in j if i['provider'] == 'MANYCHAT']")" "[True]" "list shows it enabled"
irun "$STRATO" --db "$ADM" integration disable MANYCHAT
expect_contains "$out" "integration MANYCHAT disabled" "disable"
irun "$STRATO" --db "$ADM" integration set elevenlabs --voice-id v1
irun "$STRATO" --db "$ADM" integration enable elevenlabs
expect_rc 1 "enable without a required secret"
expect_contains "$err" "cannot enable ELEVENLABS: api_key is not set" "names the missing field"
irun "$STRATO" --db "$ADM" integration enable uchat
expect_rc 1 "enable of an unconfigured provider"
expect_contains "$err" "integration UCHAT is not configured" "said plainly"
STRATO_HTTP_ATTEMPTS=1 irun "$STRATO" --db "$ADM" integration test manychat
expect_rc 1 "integration test against a closed port"
expect_contains "$err" "GET http://127.0.0.1:9/mc/fb/page/getInfo failed" "names the call that failed"
expect_lacks "$err" "usage:" "without a usage dump"
expect_eq "$(sql $db "SELECT last_test_ok FROM strato.tenant_integration WHERE provider = 'MANYCHAT'")" \
	"f" "the failed test is recorded"

# Every mutation is audited with the secret NAMES changed, never values.
expect_eq "$(sql $db "SELECT string_agg(diff->'secrets'->>'changed', ' ' ORDER BY at)
	FROM strato.audit_log WHERE action = 'integration.set' AND diff ? 'secrets'")" \
	'["api_token"] ["access_token", "app_secret"] ["verify_token"]' \
	"audit names the secret fields changed"
expect_eq "$(sql $db "SELECT string_agg(action, ' ' ORDER BY at) FROM strato.audit_log
	WHERE action LIKE 'integration.%'")" \
	"$(echo integration.set integration.set integration.set integration.set integration.set \
	integration.enable integration.disable integration.set integration.test)" "every mutation wrote an audit row"
expect_eq "$(sql $db "SELECT diff->'config' ? 'new' FROM strato.audit_log
	WHERE action = 'integration.set' ORDER BY at LIMIT 1")" "t" "the audit diff has the plain changes"

# Agents see that integrations exist, never a secret, and cannot set them.
irun "$STRATO" --db "$AG" integration list --json
expect_rc 0 "an agent lists integrations"
expect_eq "$(json "[('secrets' in i, i['key_id']) for i in j]")" \
	"[(False, None), (False, None), (False, None)]" "without secrets or key ids"
irun "$STRATO" --db "$AG" integration show manychat --json
expect_eq "$(json "j['secrets'], j['config']['base_url']")" "None http://127.0.0.1:9/mc" \
	"an agent's show has config, no secrets"
irun sh -c "printf 'agent-5ecret-value-0000\n' | '$STRATO' --db \"$AG\" integration set uchat --api-token --secret-stdin"
expect_rc 1 "an agent cannot set an integration"
expect_contains "$err" "permission denied: integration set needs a tenant admin" "said plainly"
irun "$STRATO" --db "$AG" integration disable whatsapp
expect_contains "$err" "permission denied: integration disable needs a tenant admin" "nor disable one"
irun "$STRATO" --db "$ADM" integration rotate-key --new-key-file "$work/k2"
expect_rc 1 "a tenant admin cannot rotate the key"
expect_contains "$err" "needs a platform admin" "said plainly"

# A secret of another tenant, and a ciphertext moved between rows.
irun sh -c "printf 'otra-uchat-5ecret-abcdefgh\n' | '$STRATO' --db \"$C\" --tenant otra \
	integration set uchat --api-token --secret-stdin"
expect_rc 0 "a platform admin sets another tenant's integration"
sql $db "UPDATE strato.tenant_integration SET secret_ciphertext = o.secret_ciphertext
	FROM strato.tenant_integration o WHERE o.provider = 'UCHAT'
	AND strato.tenant_integration.provider = 'WHATSAPP'" >/dev/null
irun "$STRATO" --db "$ADM" integration show whatsapp
expect_rc 1 "a ciphertext moved to another row"
expect_contains "$err" "fails authentication" "does not open"
irun sh -c "printf 'access_token=%s\napp_secret=%s\n' '$wa_access' '$wa_app' | \
	'$STRATO' --db \"$ADM\" integration set whatsapp --secret-stdin"
expect_rc 1 "nor can it be merged into"
irun "$STRATO" --db "$C" --tenant sur integration show whatsapp
expect_rc 1 "not for a platform admin either"
sql $db "UPDATE strato.tenant_integration SET secret_ciphertext = NULL, secret_key_id = NULL
	WHERE provider = 'WHATSAPP'" >/dev/null
irun sh -c "printf 'access_token=%s\napp_secret=%s\n' '$wa_access' '$wa_app' | \
	'$STRATO' --db \"$ADM\" integration set whatsapp --secret-stdin"
expect_rc 0 "set again after the damage"

# Keys: missing, malformed, wrong.
irun env -u STRATO_MASTER_KEY_FILE "$STRATO" --db "$ADM" integration show manychat
expect_rc 1 "show without a master key"
expect_contains "$err" "cannot decrypt the MANYCHAT secrets: no master key is configured" "said plainly"
expect_contains "$err" "STRATO_MASTER_KEY_FILE" "with a hint"
irun env -u STRATO_MASTER_KEY_FILE "$STRATO" --db "$ADM" integration set manychat --base-url http://127.0.0.1:9/mc2
expect_rc 0 "a plain change needs no master key"
expect_contains "$out" "integration MANYCHAT updated" "and is confirmed"
irun env -u STRATO_MASTER_KEY_FILE sh -c "printf 'x-5ecret-no-key-0123456\n' | '$STRATO' --db \"$ADM\" \
	integration set manychat --webhook-token --secret-stdin"
expect_rc 1 "a secret change without a master key"
expect_contains "$err" "cannot store the MANYCHAT secrets: no master key is configured" "said plainly"
irun env -u STRATO_MASTER_KEY_FILE STRATO_MASTER_KEY=c2hvcnQ= "$STRATO" --db "$ADM" integration show manychat
expect_rc 1 "a key of the wrong length"
expect_contains "$err" "STRATO_MASTER_KEY holds 5 bytes, not 32" "said plainly"
irun env -u STRATO_MASTER_KEY_FILE STRATO_MASTER_KEY='not base64!' "$STRATO" --db "$ADM" integration show manychat
expect_contains "$err" "STRATO_MASTER_KEY is not valid base64" "bad base64 said plainly"
k1=$(cat "$work/k1")
irun env -u STRATO_MASTER_KEY_FILE STRATO_MASTER_KEY="$k1" "$STRATO" --db "$ADM" integration show manychat --json
expect_rc 0 "STRATO_MASTER_KEY works as well as the file"
id1=$(json "j['key_id']")

# rotate-key: every tenant's secrets under the new key, in one go.
irun "$STRATO" --db "$C" integration rotate-key --new-key-file "$work/k2" --json
expect_rc 0 "rotate-key"
expect_eq "$(json "j['rotated'], j['skipped'], j['old_key_id']")" "3 0 $id1" "three rows re-encrypted"
id2=$(json "j['new_key_id']")
expect_eq "$(sql $db "SELECT count(*) FROM strato.tenant_integration WHERE secret_key_id = '$id2'")" \
	"3" "across both tenants"
irun env STRATO_MASTER_KEY_FILE="$work/k2" "$STRATO" --db "$C" integration rotate-key --new-key-file "$work/k2"
expect_rc 2 "rotating to the configured key is refused"
irun env STRATO_NEW_MASTER_KEY_FILE="$work/k2" "$STRATO" --db "$C" integration rotate-key --json
expect_eq "$rc $(json "j['rotated'], j['skipped']" 2>/dev/null)" "0 0 3" \
	"rotate-key again: everything already under the new key is skipped"
irun env STRATO_MASTER_KEY_FILE="$work/k2" "$STRATO" --db "$ADM" integration show manychat --json
expect_rc 0 "show with the new key"
expect_eq "$(json "j['secrets']['api_token'], j['key_id']")" "…a9F2 $id2" "the same secret, the new key id"
irun "$STRATO" --db "$ADM" integration show manychat
expect_rc 1 "show with the old key"
expect_contains "$err" "they were encrypted under key $id2, not the configured key $id1" \
	"names both keys, prints no garbage"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE action = 'integration.rotate_key'")" \
	"3" "rotation audited per row"

# A row under a third key stops the whole rotation, and nothing moves.
irun "$STRATO" --db "$C" tenant create --name Tres --slug tres
irun sh -c "printf 'el-5ecret-under-k1-abcdefgh\n' | '$STRATO' --db \"$C\" --tenant tres \
	integration set elevenlabs --api-key --secret-stdin"
expect_rc 0 "a new tenant's secret under the old key"
openssl rand -base64 32 >"$work/k3"
irun "$STRATO" --db "$C" integration rotate-key --new-key-file "$work/k3"
expect_rc 1 "rotate-key with rows under another key"
expect_contains "$err" "encrypted under key $id2, not the configured key $id1" "names the stray key"
expect_contains "$err" "nothing was rotated" "and says nothing moved"
expect_eq "$(sql $db "SELECT string_agg(DISTINCT secret_key_id, ' ' ORDER BY secret_key_id)
	FROM strato.tenant_integration WHERE secret_key_id IS NOT NULL")" \
	"$(printf '%s\n' "$id1" "$id2" | sort | tr '\n' ' ' | sed 's/ $//')" "every row kept its key"

# ps: secrets travel on stdin, so argv never holds one. Watch the process
# while it waits for its standard input.
mkfifo "$work/fifo"
STRATO_MASTER_KEY_FILE="$work/k2" "$STRATO" --db "$ADM" integration set uchat --api-token \
	--secret-stdin <"$work/fifo" >"$work/ps.out" 2>&1 &
pid=$!
exec 9>"$work/fifo"
tries=0
while [ $tries -lt 50 ]; do # until strato itself is up and waiting
	ps -eo args >"$work/ps" 2>&1
	grep -q "^$STRATO .*integration set uchat" "$work/ps" && break
	tries=$((tries + 1))
	sleep 0.1
done
printf 'uchat-5ecret-via-fifo-QRST\n' >&9
exec 9>&-
wait $pid
expect_eq "$?" "0" "set through a pipe while ps looks"
expect_contains "$(cat "$work/ps")" "integration set uchat" "ps saw the command"
expect_lacks "$(cat "$work/ps")" "uchat-5ecret-via-fifo-QRST" "but not the secret"
cat "$work/ps.out" >>"$work/all"

# On a terminal each secret switch prompts, without echo.
run python3 - "$STRATO" "$ADM" "$work/k2" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.environ["STRATO_MASTER_KEY_FILE"] = sys.argv[3]
    os.execv(sys.argv[1], [sys.argv[1], "--db", sys.argv[2], "integration",
                           "set", "whatsapp", "--verify-token"])
def read_until(needle, timeout=30):
    buf, end = b"", time.time() + timeout
    while needle.encode() not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    return buf.decode(errors="replace")
out = read_until("verify_token: ")
os.write(fd, b"tty-5ecret-typed-in-WXYZ\r")
out += read_until("updated", 60)    # a loaded machine can be slow
for _ in range(300):                # never hang the run on a stuck child
    if os.waitpid(pid, os.WNOHANG)[0]:
        break
    time.sleep(0.1)
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(out)
PY
printf '%s\n' "$out" >>"$work/all"
expect_contains "$out" "WHATSAPP verify_token: " "a terminal gets a prompt"
expect_contains "$out" "integration WHATSAPP updated" "and the secret typed there is set"
expect_lacks "$out" "tty-5ecret-typed-in-WXYZ" "the typed secret is not echoed"
expect_contains "$out" '"verify_token":"…WXYZ"' "shown masked"

# The plain text of every secret: nowhere.
pg_dump --data-only --no-owner "$C" >"$work/dump.sql" 2>&1
expect_contains "$(cat "$work/dump.sql")" "tenant_integration" "the dump has the table"
for s in "$mc" "$wa_access" "$wa_app" verify-tok-0123456789 otra-uchat-5ecret-abcdefgh \
	uchat-5ecret-via-fifo-QRST agent-5ecret-value-0000 x-5ecret-no-key-0123456 \
	tty-5ecret-typed-in-WXYZ el-5ecret-under-k1-abcdefgh; do
	expect_eq "$(grep -c -- "$s" "$work/all")" "0" "$s: in no command output"
	expect_eq "$(grep -c -- "$s" "${STRATO_TEST_PGLOG:-/dev/null}")" "0" "$s: not in the server log"
	expect_eq "$(grep -c -- "$s" "$work/dump.sql")" "0" "$s: not in the database dump"
done
# The log does hold the statements and their bound parameters: the last
# ciphertext written is there, as hex, so plain text would have been too.
ct=$(sql $db "SELECT encode(secret_ciphertext, 'hex') FROM strato.tenant_integration
	WHERE provider = 'UCHAT' AND tenant_id = (SELECT id FROM strato.tenant WHERE slug = 'sur')")
expect_eq "$(grep -c -- "$ct" "${STRATO_TEST_PGLOG:-/dev/null}")" "1" \
	"the server log records bound parameters (the ciphertext, as hex)"
finish
