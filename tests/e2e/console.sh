# The console's administration verbs and its shell: tenant update and
# config, user update and role, audit list, lead visibility, use and quit,
# the pager, Ctrl-C, and completion from live data.
. "$(dirname "$0")/lib.sh"

db=e2e_console
new_db $db
"$ETL" --quiet --db "$(conninfo postgres $db)" migrate up >/dev/null
sql $db "CREATE ROLE e2e_con_svc LOGIN IN ROLE strato_service" >/dev/null 2>&1 ||
	sql $db "SELECT 1" >/dev/null
SVC=$(conninfo e2e_con_svc $db)
ADM=$(conninfo e2e_con_ana $db)
AGT=$(conninfo e2e_con_beto $db)
AGT2=$(conninfo e2e_con_caro $db)

"$STRATO" --db "$SVC" tenant create --name Sur --slug sur >/dev/null
"$STRATO" --db "$SVC" tenant create --name Norte --slug norte >/dev/null
"$STRATO" --db "$SVC" --tenant sur user create --email ana@sur.com.ar \
	--name Ana --role admin --login e2e_con_ana >/dev/null
"$STRATO" --db "$SVC" --tenant sur user create --email beto@sur.com.ar \
	--name Beto --role agent --login e2e_con_beto >/dev/null
"$STRATO" --db "$SVC" --tenant sur user create --email caro@sur.com.ar \
	--name Caro --role agent --login e2e_con_caro >/dev/null

# tenant update and config
run "$STRATO" --db "$SVC" tenant update sur --name "Sur Propiedades" --plan pro --json
expect_rc 1 "a plan in lower case is refused"
run "$STRATO" --db "$SVC" tenant update sur --name "Sur Propiedades" --plan PRO --json
expect_rc 0 "tenant update"
expect_eq "$(json "j['nombre'], j['plan']")" "Sur Propiedades PRO" "name and plan changed"
run "$STRATO" --db "$SVC" tenant update sur
expect_rc 2 "tenant update without a change is a usage error"
run "$STRATO" --db "$SVC" tenant config sur --json
expect_eq "$(json "j['country'], j['timezone'], j['currency'], j['lead_visibility']")" \
	"AR America/Argentina/Buenos_Aires ARS all" "defaults shown when nothing is set"
run "$STRATO" --db "$SVC" tenant config sur --country uy --timezone america/montevideo \
	--currency usd --json
expect_rc 0 "tenant config sets"
expect_eq "$(json "j['country'], j['timezone'], j['currency']")" \
	"UY America/Montevideo USD" "settings canonicalised (case, zone name)"
run "$STRATO" --db "$SVC" tenant config sur --country XX
expect_rc 1 "an unknown country is refused"
expect_contains "$err" 'invalid country "XX"' "naming the value"
run "$STRATO" --db "$SVC" tenant config sur --timezone Mars/Olympus
expect_contains "$err" 'invalid timezone "Mars/Olympus"' "an unknown zone is refused"
# The country is what an import reads numbers without a country code in.
printf 'nombre,telefono\nDe Montevideo,099 123 456\n' |
	"$ETL" --quiet --db "$SVC" import leads --tenant sur - >/dev/null
expect_eq "$(sql $db "SELECT telefono_e164 FROM strato.lead WHERE nombre = 'De Montevideo'")" \
	"+59899123456" "an import reads local numbers in the tenant's country"
sql $db "DELETE FROM strato.lead WHERE nombre = 'De Montevideo'" >/dev/null
run "$STRATO" --db "$SVC" tenant config sur --country "" --json
expect_eq "$(json "j['country'], j['currency']")" "AR USD" "an empty value restores the default, others stay"
run "$STRATO" --db "$ADM" tenant config sur --json
expect_rc 0 "a tenant admin may read its tenant's settings"
run "$STRATO" --db "$ADM" tenant config sur --currency ARS
expect_rc 1 "but not change them"
expect_contains "$err" "permission denied to configure tenants" "said plainly"
run "$STRATO" --db "$SVC" --readonly tenant config sur --currency ARS
expect_contains "$err" "read-only" "--readonly refuses a config change"

# user update and role
run "$STRATO" --db "$ADM" user update beto@sur.com.ar --name "Beto Núñez" --json
expect_rc 0 "a tenant admin updates a user"
expect_eq "$(json "j['nombre']")" "Beto Núñez" "with accents intact"
run "$STRATO" --db "$ADM" user update beto@sur.com.ar --email caro@sur.com.ar
expect_rc 1 "an e-mail taken by another user is refused"
expect_contains "$err" "already exists" "said plainly"
run "$STRATO" --db "$ADM" user role caro@sur.com.ar admin --json
expect_rc 0 "user role"
expect_eq "$(json "j['role']")" "ADMIN" "role is ADMIN"
expect_eq "$(sql $db "SELECT pg_has_role('e2e_con_caro', 'strato_tenant_admin', 'MEMBER')")" \
	"t" "the login joined strato_tenant_admin"
run "$STRATO" --db "$ADM" user role caro@sur.com.ar agent --json
expect_eq "$(sql $db "SELECT pg_has_role('e2e_con_caro', 'strato_tenant_admin', 'MEMBER')")" \
	"f" "and left it again"
run "$STRATO" --db "$ADM" user role ana@sur.com.ar agent
expect_rc 1 "nobody changes their own role"
expect_contains "$err" "cannot change its own role" "said plainly"
run "$STRATO" --db "$AGT" user role caro@sur.com.ar admin
expect_rc 1 "an agent cannot change roles"
expect_contains "$err" 'needs a tenant admin; login "e2e_con_beto" is an agent' \
	"the refusal says what is needed and what the login is"
run "$STRATO" --db "$ADM" user role beto@sur.com.ar owner
expect_contains "$err" 'invalid role "owner"' "an unknown role is refused"

# audit list: every change above, filtered, paged
run "$STRATO" --db "$SVC" --tenant sur audit list --json
expect_rc 0 "audit list"
expect_eq "$(json "[e['action'] for e in j if e['action'].startswith('tenant.')][-1]")" \
	"tenant.create" "oldest tenant entry is the creation"
expect_eq "$(json "[e['diff'] for e in j if e['action'] == 'tenant.update'][0]['plan']")" \
	"{'new': 'PRO', 'old': 'BASIC'}" "the update's diff has old and new"
run "$STRATO" --db "$ADM" audit list --action user.role --json
expect_eq "$(json "len(j), j[0]['actor'], j[0]['actor_login']")" \
	"2 ana@sur.com.ar e2e_con_ana" "by action, with the app user and the login"
run "$STRATO" --db "$ADM" audit list --actor e2e_con_svc --action user. --json
expect_eq "$(json "sorted(e['action'] for e in j)")" \
	"['user.create', 'user.create', 'user.create']" "by actor (login) and action prefix"
run "$STRATO" --db "$ADM" audit list --limit 2
expect_contains "$out" "more: --before" "a page says how to get the next"
before=$(printf '%s\n' "$out" | sed -n "s/^more: --before '\(.*\)'$/\1/p")
run "$STRATO" --db "$ADM" audit list --limit 2 --before "$before" --json
expect_eq "$(json "len(j)")" "2" "the next page"
run "$STRATO" --db "$ADM" audit list --since 1h --json
n_recent=$(json "len(j)")
run "$STRATO" --db "$ADM" audit list --since 2999-01-01 --json
expect_eq "$(json "len(j)"):$([ "$n_recent" -gt 0 ] && echo some)" "0:some" "--since as an interval and a date"
run "$STRATO" --db "$ADM" audit list --since yesterdayish
expect_rc 1 "a bad --since"
expect_contains "$err" 'invalid --since "yesterdayish"' "names the flag"
run "$STRATO" --db "$(conninfo postgres $db)" --tenant norte audit list --json
expect_eq "$(json "[e['action'] for e in j]")" "['tenant.create']" "other tenants' entries stay apart"

# lead_visibility=assigned: agents see their leads and the unassigned ones
printf 'nombre,telefono,asignado\n%s\n' 'De Beto,+54 9 11 4333-0001,beto@sur.com.ar' \
	'De Caro,+54 9 11 4333-0002,caro@sur.com.ar' 'De Nadie,+54 9 11 4333-0003,' |
	"$ETL" --quiet --db "$SVC" import leads --tenant sur - >/dev/null
run "$STRATO" --db "$AGT" lead list --json
expect_eq "$(json "len(j)")" "3" "visibility all: an agent sees every lead"
"$STRATO" --db "$SVC" tenant config sur --lead-visibility assigned >/dev/null
run "$STRATO" --db "$AGT" lead list --json
expect_eq "$(json "sorted(l['nombre'] for l in j)")" "['De Beto', 'De Nadie']" \
	"visibility assigned: only its own and the unassigned"
caro_lead=$(sql $db "SELECT id FROM strato.lead WHERE nombre = 'De Caro'")
run "$STRATO" --db "$AGT" lead show "$caro_lead"
expect_rc 1 "another agent's lead cannot be shown"
run psql "$AGT" -XAtc "UPDATE strato.lead SET notas = 'x' WHERE id = '$caro_lead'"
expect_eq "$out" "UPDATE 0" "nor changed through SQL: the server enforces it"
run psql "$AGT" -XAtc "UPDATE strato.lead SET assigned_to_id = NULL"
expect_eq "$out" "UPDATE 2" "an UPDATE without WHERE reaches only the visible leads"
expect_eq "$(sql $db "SELECT u.email FROM strato.lead l JOIN strato.app_user u
	ON u.tenant_id = l.tenant_id AND u.id = l.assigned_to_id WHERE l.id = '$caro_lead'")" \
	"caro@sur.com.ar" "the hidden lead stays assigned to its agent"
"$STRATO" --db "$SVC" --tenant sur lead note "$caro_lead" "visita el martes" >/dev/null
run psql "$AGT" -XAtc "SELECT count(*) FROM strato.event WHERE lead_id = '$caro_lead'"
expect_eq "$out" "0" "nor are the hidden lead's events visible"
run "$STRATO" --db "$ADM" lead show "$caro_lead" --json
expect_eq "$(json "len(j['timeline'])")" "1" "(a tenant admin sees the note)"
run "$STRATO" --db "$ADM" lead list --json
expect_eq "$(json "len(j)")" "3" "tenant admins still see every lead"

# use and quit, in a script
printf 'use norte\ntenant config norte --csv\nuse\nuser list\nquit\ntenant list\n' >"$work/s"
run "$STRATO" --db "$SVC" -f "$work/s"
expect_rc 1 "the script fails where no tenant is selected"
expect_contains "$out" 'working in tenant "norte"' "use selects a tenant"
expect_contains "$err" "no tenant selected" "use without a tenant clears it"
expect_lacks "$out" "(2 rows)" "quit stops the script"
run "$STRATO" --db "$SVC" use sur
expect_rc 2 "use outside the shell is a usage error"
run "$STRATO" --db "$AGT" -c "use norte"
expect_contains "$err" '"use" is for platform admins' "use is for platform admins"

# The shell in a pseudo-terminal: the prompt, completion from live data,
# Ctrl-C at the prompt and during a query, the pager.
export XDG_STATE_HOME="$work/state"
beto_lead=$(sql $db "SELECT id FROM strato.lead WHERE nombre = 'De Beto'")
cat >"$work/drive_shell.py" <<'PY'
import os, pty, select, struct, subprocess, sys, time, fcntl, termios
strato, conn, svc = sys.argv[1], sys.argv[2], sys.argv[3]
def spawn(args, env=None, rows=40, cols=200):
    pid, fd = pty.fork()
    if pid == 0:
        # the size is set before exec, so the program sees it at once
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        if env:
            os.environ.update(env)
        os.execv(strato, [strato] + args)
    return pid, fd
def read_until(fd, needle, timeout=30):
    buf, end = b"", time.time() + timeout
    while needle.encode() not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    return buf.decode(errors="replace")
def psql(q):
    # as superuser: other logins' wait events are hidden from the rest
    return subprocess.run(["psql", sys.argv[5], "-XAtqc", q], capture_output=True,
                          text=True).stdout.strip()
def wait_for(q, timeout=20):
    end = time.time() + timeout
    while time.time() < end and psql(q) != "t":
        time.sleep(0.1)
LOCKED = ("SELECT count(*) > 0 FROM pg_locks WHERE granted"
          " AND relation = 'strato.app_user'::regclass"
          " AND mode = 'AccessExclusiveLock'")
WAITING = ("SELECT count(*) > 0 FROM pg_stat_activity"
           " WHERE wait_event_type = 'Lock' AND usename = 'e2e_con_beto'")
out = []
pid, fd = spawn(["--db", conn, "shell"])
out.append(read_until(fd, "> "))
os.write(fd, b"lead show bet\t")           # a lead by name, completed to its id
# readline redraws only what changed: "be" of "bet" may stay on the
# screen, so the echo holds the id from its third character on
got = read_until(fd, sys.argv[4][2:])
out.append(got)
if sys.argv[4][2:] in got:
    out.append("COMPLETED-TO-ID")
os.write(fd, b"\r")
out.append(read_until(fd, "telefono_e164:"))
out.append(read_until(fd, "> "))
os.write(fd, b"user update car\t")
out.append(read_until(fd, "caro@sur.com.ar"))
os.write(fd, b"\x03")                      # Ctrl-C at the prompt clears the line
out.append(read_until(fd, "> "))
os.write(fd, b"user list --csv\r")        # and the shell goes on
out.append(read_until(fd, "ana@sur.com.ar"))
out.append(read_until(fd, "> "))
# a query that waits on a lock, cancelled by Ctrl-C
locker = subprocess.Popen(["psql", svc, "-Xq", "-c",
    "BEGIN; LOCK TABLE strato.app_user; SELECT pg_sleep(20);"])
wait_for(LOCKED)
os.write(fd, b"user list\r")
wait_for(WAITING)
os.write(fd, b"\x03")
out.append(read_until(fd, "> "))
locker.kill()   # and its backend, which would hold the lock for 20 s more
subprocess.run(["psql", svc, "-XAtqc", "SELECT pg_terminate_backend(pid)"
    " FROM pg_stat_activity WHERE query LIKE '%pg_sleep(20)%'"
    " AND pid <> pg_backend_pid()"], stdout=subprocess.DEVNULL)
os.write(fd, b"\x04")
os.waitpid(pid, 0)
# the pager, on a small screen
pid, fd = spawn(["--db", conn, "audit", "list"], {"PAGER": "wc -l"}, rows=5)
out.append("PAGER:" + read_until(fd, "\n", 30).strip() + ":")
os.waitpid(pid, 0)
pid, fd = spawn(["--db", conn, "audit", "list"], {"PAGER": ""}, rows=5)
out.append("NOPAGER:" + read_until(fd, "rows)", 30))
os.waitpid(pid, 0)
print("\n".join(out))
PY
run python3 "$work/drive_shell.py" "$STRATO" "$AGT" "$SVC" "$beto_lead" \
	"$(conninfo postgres $db)"
[ -z "$err" ] || printf "drive_shell.py: %s\n" "$err"
expect_contains "$out" "e2e_con_beto> " "the prompt shows the login"
expect_contains "$out" "COMPLETED-TO-ID" "a lead typed by name completes to its id"
expect_contains "$out" "De Beto" "and the command ran"
expect_contains "$out" "caro@sur.com.ar" "a user completes from live data"
expect_contains "$out" "canceling statement due to user request" "Ctrl-C cancels a running query"
expect_eq "$(printf '%s\n' "$out" | grep -c 'ana@sur.com.ar,')" "1" \
	"after Ctrl-C at the prompt the next line ran alone"
expect_contains "$out" "PAGER:" "the pager ran"
lines=$(printf '%s\n' "$out" | sed -n 's/^PAGER:\([0-9]*\):$/\1/p')
[ "${lines:-0}" -gt 5 ] && pass "tall output went through PAGER ($lines lines)" ||
	fail "tall output went through PAGER" "$out"
expect_contains "$out" "rows)" "a blank PAGER prints directly"

# One-shot Ctrl-C: the query is cancelled and the exit status is 130.
# wait_until SQL: poll until the query says t (at most 20 s)
wait_until() {
	for _ in $(seq 200); do
		[ "$(sql $db "$1")" = t ] && return 0
		sleep 0.1
	done
	return 1
}
psql "$SVC" -Xq -c "BEGIN; LOCK TABLE strato.app_user; SELECT pg_sleep(20);" &
locker=$!
wait_until "SELECT count(*) > 0 FROM pg_locks WHERE granted
	AND relation = 'strato.app_user'::regclass AND mode = 'AccessExclusiveLock'"
"$STRATO" --db "$ADM" user list >"$work/o" 2>"$work/e" &
pid=$!
wait_until "SELECT count(*) > 0 FROM pg_stat_activity
	WHERE wait_event_type = 'Lock' AND usename = 'e2e_con_ana'"
kill -INT $pid
wait $pid
rc=$?
kill $locker 2>/dev/null
wait $locker 2>/dev/null
psql "$SVC" -XAtqc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()" >/dev/null
expect_eq "$rc" "130" "SIGINT cancels a one-shot command, exit 130"
expect_contains "$(cat "$work/e")" "canceling statement" "and says the query was cancelled"

finish
