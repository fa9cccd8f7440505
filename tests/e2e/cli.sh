# The one-shot console through the real binary: tenants and users, the
# three output formats, exit codes, secrets, and agents pinned to their
# tenant.
. "$(dirname "$0")/lib.sh"

db=e2e_cli
new_db $db
"$ETL" --quiet --db "$(conninfo postgres $db)" migrate up >/dev/null
sql $db "CREATE ROLE e2e_cli_svc LOGIN IN ROLE strato_service" >/dev/null 2>&1 ||
	sql $db "SELECT 1" >/dev/null
SVC=$(conninfo e2e_cli_svc $db)

run "$STRATO" --db "$SVC" tenant create --name "Inmobiliaria Sur" --slug sur --plan PRO --json
expect_rc 0 "tenant create"
expect_eq "$(json "j['slug'], j['plan'], j['is_active']")" "sur PRO True" \
	"tenant create --json is one object"
run "$STRATO" --db "$SVC" tenant create --name "Núñez Propiedades 🏡" --slug nunez
expect_rc 0 "tenant create with accents and emoji"
expect_contains "$out" 'tenant "nunez" created' "confirmation message"

run "$STRATO" --db "$SVC" tenant create --name "Otra" --slug sur
expect_rc 1 "duplicate slug"
expect_contains "$err" 'tenant "sur" already exists' "duplicate slug said plainly"
run "$STRATO" --db "$SVC" tenant create --name "Otra" --slug "Mal Slug"
expect_rc 1 "invalid slug"
expect_contains "$err" "HINT:" "invalid slug comes with a hint"
run "$STRATO" --db "$SVC" tenant create --slug x
expect_rc 2 "missing --name is a usage error"

run "$STRATO" --db "$SVC" tenant list
expect_rc 0 "tenant list"
expect_contains "$out" "(2 rows)" "two tenants"
# Columns line up by display width: the plan column starts at the same
# screen column on every row, whatever the accents and emoji before it.
cols=$(printf '%s\n' "$out" | sed -n '3,4p' | python3 -c '
import sys, unicodedata
def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch): continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w
for line in sys.stdin:
    line = line.rstrip("\n")
    for plan in ("BASIC", "PRO"):
        i = line.find(plan)
        if i >= 0: print(width(line[:i]))
' | sort -u | wc -l)
expect_eq "$cols" "1" "table columns align by display width"

run "$STRATO" --db "$SVC" tenant list --json
expect_eq "$(json "[t['slug'] for t in j]")" "['nunez', 'sur']" "tenant list --json"
expect_eq "$(json "j[0]['nombre']")" "Núñez Propiedades 🏡" "UTF-8 kept in JSON"
run "$STRATO" --db "$SVC" tenant list --csv
expect_eq "$(printf '%s\n' "$out" | head -n 1 | cut -d, -f1-3)" "slug,nombre,plan" "CSV header"
expect_eq "$(printf '%s\n' "$out" | wc -l)" "3" "CSV rows"

run "$STRATO" --db "$SVC" tenant show nunez --json
expect_eq "$(json "j['nombre']")" "Núñez Propiedades 🏡" "tenant show"
run "$STRATO" --db "$SVC" tenant show nadie
expect_rc 1 "tenant show of a missing tenant"
expect_contains "$err" 'tenant "nadie" does not exist' "not found said plainly"

# Users and logins; the password comes from stdin and goes nowhere else.
secret='pw-e2e-Ñ-91823'
run sh -c "printf '%s\n' '$secret' | '$STRATO' --db \"$SVC\" --tenant sur user create \
	--email Marta@Sur.com.ar --name 'Marta Peña' --role admin --login e2e_marta \
	--password-stdin --json"
expect_rc 0 "user create with --password-stdin"
expect_eq "$(json "j['email'], j['role'], j['login']")" \
	"marta@sur.com.ar ADMIN e2e_marta" "user create --json"
expect_lacks "$out$err" "$secret" "the password is not echoed"
expect_eq "$(sql $db "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = 'e2e_marta'")" \
	"t" "a SCRAM verifier is stored"
expect_eq "$(grep -c -- "$secret" "${STRATO_TEST_PGLOG:-/dev/null}")" "0" \
	"the password is not in the server log"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE diff::text LIKE '%$secret%'")" \
	"0" "the password is not in the audit log"

run "$STRATO" --db "$SVC" user create --tenant sur --email joaquin@sur.com.ar \
	--name "Joaquín Ibáñez" --role agent --login e2e_joaquin
expect_rc 0 "user create with --tenant after the verb"
run "$STRATO" --db "$SVC" user create --email x@sur.com.ar --name X --role agent
expect_rc 1 "user create without a tenant"
expect_contains "$err" "no tenant selected" "the missing tenant is named"
run "$STRATO" --db "$SVC" --tenant sur user create --email x@sur.com.ar --name X --role jefe
expect_rc 1 "invalid role"

run "$STRATO" --db "$SVC" --tenant sur user list --json
expect_eq "$(json "[u['email'] for u in j]")" "['joaquin@sur.com.ar', 'marta@sur.com.ar']" \
	"user list"

# An agent works in its own tenant only.
AG=$(conninfo e2e_joaquin $db)
run "$STRATO" --db "$AG" tenant list --json
expect_eq "$(json "[t['slug'] for t in j]")" "['sur']" "an agent sees only its tenant"
run "$STRATO" --db "$AG" user list --json
expect_rc 0 "an agent lists its tenant's users without --tenant"
run "$STRATO" --db "$AG" --tenant nunez user list
expect_rc 1 "an agent naming another tenant"
expect_contains "$err" 'cannot work in tenant "nunez"' "refused with a clear message"
run "$STRATO" --db "$AG" tenant create --name X --slug xx
expect_rc 1 "an agent cannot create tenants"
expect_contains "$err" "permission denied" "permission denied said"

# The tenant admin makes an agent without any role privilege of its own.
run "$STRATO" --db "$(conninfo e2e_marta $db)" user create --email ana@sur.com.ar \
	--name Ana --role agent --login e2e_ana
expect_rc 0 "a tenant admin creates an agent login"

run "$STRATO" --db "$SVC" --tenant sur user disable joaquin@sur.com.ar
expect_rc 0 "user disable"
run "$STRATO" --db "$AG" tenant list
expect_rc 1 "a disabled user cannot connect"

run "$STRATO" --db "$SVC" tenant disable nunez --json
expect_eq "$(json "j['is_active']")" "False" "tenant disable"
run "$STRATO" --db "$SVC" --tenant nunez user list
expect_rc 1 "a disabled tenant refuses work"
expect_contains "$err" 'tenant "nunez" is disabled' "disabled tenant said"
run "$STRATO" --db "$SVC" tenant enable nunez
expect_rc 0 "tenant enable"

# --readonly refuses every mutation before it reaches the server.
run "$STRATO" --db "$SVC" --readonly tenant disable sur
expect_rc 1 "--readonly refuses a mutation"
expect_eq "$(sql $db "SELECT is_active FROM strato.tenant WHERE slug = 'sur'")" "t" \
	"and nothing changed"

# Usage: exit 2, and help without a database.
run "$STRATO" --db "host=$work/nowhere" help
expect_rc 0 "help needs no database"
expect_contains "$out" "tenant create" "help lists the commands"
run "$STRATO" --db "host=$work/nowhere" tenant create --help
expect_rc 0 "--help on a command"
expect_contains "$out" "usage: strato tenant create" "--help prints its usage"
run "$STRATO" frobnicate
expect_rc 2 "unknown command"
run sh -c "'$STRATO' --db 'host=$work/nowhere' </dev/null"
expect_rc 1 "no command reads a script from standard input (here: no server)"

# Scripts: standard input, -f, -c; a failing line fails the run, the
# others still run; quotes group words.
printf 'tenant list --csv\n# a comment\n\nfrobnicate\ntenant show "sur" --json\n' >"$work/script.strato"
run sh -c "'$STRATO' --db \"$SVC\" <'$work/script.strato'"
expect_rc 1 "a script with a failing line exits 1"
expect_contains "$out" '"slug": "sur"' "the lines after it still ran"
expect_contains "$err" "stdin:4: the command above failed" "the failing line is named"
run "$STRATO" --db "$SVC" -f "$work/script.strato"
expect_contains "$err" "script.strato:4:" "-f names the file"
run "$STRATO" --db "$SVC" -c "tenant show 'sur' --json"
expect_rc 0 "-c runs one line"
expect_eq "$(json "j['slug']")" "sur" "with its quotes"
run "$STRATO" --db "$SVC" -c "tenant show 'sur"
expect_rc 2 "an open quote is a usage error"
expect_contains "$err" "unterminated single quote" "said plainly"

# The interactive shell, in a pseudo-terminal: completion from the
# command table, commands, history kept (not for lines starting with a
# space), Ctrl-D to leave.
export XDG_STATE_HOME="$work/state"
run python3 - "$STRATO" "$SVC" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "--db", sys.argv[2], "shell"])
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
out = read_until("> ")
os.write(fd, b"ten\t")              # completes the noun
out += read_until("tenant ")
os.write(fd, b"sh\t")               # completes the verb
out += read_until("show ")
os.write(fd, b"sur\r")
out += read_until("plan:")
out += read_until("> ")
os.write(fd, b" tenant list\r")     # a leading space: not in history
out += read_until("(2 rows)")
out += read_until("> ")
os.write(fd, b"\x04")               # Ctrl-D
time.sleep(0.5)
os.waitpid(pid, 0)
print(out)
PY
expect_contains "$out" "tenant show sur" "tab completes nouns and verbs"
expect_contains "$out" "plan:" "the completed command ran"
expect_eq "$(cat "$work/state/strato/history" 2>/dev/null | grep -c 'tenant')" "1" \
	"history kept in XDG_STATE_HOME, without the line starting with a space"
run "$STRATO" --version
expect_contains "$out" "strato " "--version"

# Connection from DATABASE_URL when --db is absent.
run env DATABASE_URL="postgresql:///$db?host=$(echo "$STRATO_TEST_PG" | sed -E "s/host='([^']*)'/\1/")&user=e2e_cli_svc" \
	"$STRATO" tenant list --csv
expect_rc 0 "DATABASE_URL is used"
# A write error (full disk) is an error, not a silent success.
if [ -w /dev/full ]; then
	run sh -c "'$STRATO' --db \"$SVC\" tenant list > /dev/full"
	expect_rc 1 "a write error fails the command"
fi

finish
