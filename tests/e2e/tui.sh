# The full-screen console, driven as the real program inside a private
# tmux server at a fixed size: open, page, search, open a lead, change its
# estado (and see it in the database), run a ":" command, resize, quit with
# the terminal restored. Waits poll capture-pane for the expected text.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { fail "tmux is not installed"; finish; }

db=e2e_tui
new_db $db
"$ETL" --quiet --db "$(conninfo postgres $db)" migrate up >/dev/null
sql $db "CREATE ROLE e2e_tui_svc LOGIN IN ROLE strato_service" >/dev/null 2>&1 ||
	sql $db "SELECT 1" >/dev/null
SVC=$(conninfo e2e_tui_svc $db)
"$STRATO" --db "$SVC" tenant create --name Sur --slug sur >/dev/null
"$STRATO" --db "$SVC" --tenant sur user create --email ana@sur.com.ar \
	--name Ana --role agent --login e2e_tui_ana >/dev/null
# 250 leads: more than one page of 100; two with accents to search for.
{
	echo "nombre,telefono,estado,zona"
	i=1
	while [ $i -le 248 ]; do
		printf 'Cliente %03d,+54 9 11 4000-%04d,NUEVO,Palermo\n' $i $i
		i=$((i + 1))
	done
	echo "María José Núñez,+54 9 11 4999-0001,NUEVO,Belgrano"
	echo "Joaquín Peña 🏡,+54 9 11 4999-0002,CONTACTADO,Núñez"
} | "$ETL" --quiet --db "$SVC" import leads --tenant sur - >/dev/null
# One import stamps every row alike: spread them out, oldest first.
sql $db "UPDATE strato.lead SET created_at = now() - interval '1 day'
	+ CASE WHEN nombre LIKE 'Cliente %'
	       THEN substr(nombre, 9)::int * interval '1 minute'
	       ELSE interval '1000 minutes' END
	+ CASE WHEN nombre LIKE 'Joaq%' THEN interval '1 minute' ELSE '0' END" >/dev/null
AGT=$(conninfo e2e_tui_ana $db)
# María wrote on WhatsApp and got an answer: her detail shows both.
sql $db "WITH c AS (INSERT INTO strato.conversation (tenant_id, lead_id, canal,
	provider) SELECT tenant_id, id, 'WHATSAPP', 'WHATSAPP' FROM strato.lead
	WHERE nombre = 'María José Núñez' RETURNING tenant_id, id)
	INSERT INTO strato.message (tenant_id, conversation_id, direccion,
	contenido, estado, created_at) SELECT tenant_id, id, d, t, e, now() - o
	FROM c, (VALUES ('ENTRANTE', 'busco 3 ambientes en Belgrano', 'RECEIVED',
	interval '2 minutes'), ('SALIENTE', 'Hola María, te paso opciones',
	'SENT', interval '1 minute')) v(d, t, e, o)" >/dev/null

sock="strato-e2e-$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
sess=tui
screen() { T capture-pane -p -t $sess; }
# wait_for TEXT [SECONDS]: poll the screen until TEXT shows (30 s by default)
wait_for() {
	_n=$(( ${2:-30} * 10 ))
	while [ $_n -gt 0 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
# wait_gone TEXT: poll until TEXT is no longer on the screen
wait_gone() {
	_n=300
	while [ $_n -gt 0 ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}
# see TEXT WHAT: assert TEXT shows up
see() {
	if wait_for "$1"; then pass "$2"; else fail "$2" "missing: $1" "$(screen)"; fi
}
keys() { T send-keys -t $sess "$@"; }

T -f /dev/null new-session -d -s tui -x 100 -y 30 \
	"TERM=xterm-256color '$STRATO' --db \"$AGT\" tui; echo \"EXITED \$?\"; sleep 30"
see "Leads" "the TUI opens on the leads screen"
see "Joaquín Peña 🏡" "the newest leads show, accents and emoji intact"
see "e2e_tui_ana" "the status line names the login"
see "~250 leads" "and the count of leads (exact below 2,000)"
# Columns line up: the estado column starts at the same place on every row.
col1=$(screen | grep -F "Joaquín Peña" | python3 -c '
import sys, unicodedata
s = sys.stdin.read()
w = 0
for ch in s[:s.index("CONTACTADO")]:
    w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
print(w)')
col2=$(screen | grep -F "María José" | python3 -c '
import sys, unicodedata
s = sys.stdin.read()
w = 0
for ch in s[:s.index("NUEVO")]:
    w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
print(w)')
expect_eq "$col1" "$col2" "columns aligned by display width (emoji is two columns)"

# Page through past the first page of 100: the next page is fetched.
# G goes to the last row loaded, which fetches the next page: again and
# again until the oldest lead shows.
for _ in 1 2 3 4 5; do
	keys G
	wait_for "Cliente 001" 1 && break
done
see "Cliente 001" "paging reaches the oldest lead, 250 rows down"
keys g
see "Joaquín Peña" "g goes back to the top"
keys s
see "por nombre" "s sorts by name"
see "Cliente 001" "by name, A to Z"
keys s
see "Joaquín Peña" "and s again, newest first"

# Search as you type, accents ignored.
keys / m a r i a
see "buscar: maria" "the search shows in the status line"
see "María José Núñez" "search finds María by maria"
if wait_gone "Cliente 2"; then
	pass "the search narrows the list"
else
	fail "the search narrows the list" "$(screen)"
fi
keys Enter

# Open the lead and change its estado from the detail.
keys Enter
see "telefono_e164" "Enter opens the lead's detail"
see "+5491149990001" "with its fields"
keys G
see "busco 3 ambientes en Belgrano" "the detail shows the conversation's messages"
see "Hola María, te paso opciones" "both ways"
keys g
keys e
see ':lead estado "' "e prefills the command line, the id quoted"
keys C O N T A C T A D O Enter
n=0
while [ $n -lt 100 ] && [ "$(sql $db "SELECT estado FROM strato.lead WHERE nombre = 'María José Núñez'")" != CONTACTADO ]; do
	sleep 0.1
	n=$((n + 1))
done
expect_eq "$(sql $db "SELECT estado FROM strato.lead WHERE nombre = 'María José Núñez'")" \
	"CONTACTADO" "the estado changed in the database"
see "CONTACTADO" "and the detail shows it"
keys Escape Escape

# A ":" command, its result in a pane.
keys : u s e r Space l i s t Enter
see "ana@sur.com.ar" "a : command runs and shows its result"
keys Escape

# A destructive command asks first, whatever its spelling (rm for delete).
keys : l e a d Space r m Space x x x x Enter
see "y/N" "a delete by its alias asks for confirmation"
keys n
see "not done" "and n leaves it undone"
# A command that reads standard input cannot in the TUI: it says so.
keys : i n t e g r a t i o n Space s e t Space m a n y c h a t Space - - a p i - t o k e n Enter
see "strato shell" "a command reading stdin points to the shell, the TUI stays"
keys Escape

# The help overlay.
keys ?
see "Keys (any key closes)" "? shows the help"
see "cancel the running query" "generated from the key bindings"
keys x

# Resize: the layout follows; too small says so.
T resize-window -t tui -x 60 -y 20
see "Leads" "after a resize the screen is laid out again"
T resize-window -t tui -x 30 -y 8
see "terminal too small" "below the minimum size, a clear message"
T resize-window -t tui -x 100 -y 30
see "María José Núñez" "back to full size"

# A lost connection: a message and a key to reconnect, not an exit.
sql $db "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE usename = 'e2e_tui_ana'" >/dev/null
keys r
see "connection to the database was lost" "a lost connection is said, the TUI stays"
keys R
see "reconnected" "R reconnects"
keys r
see "María José Núñez" "and the leads load again"

# Quit with :q; the terminal is restored and the exit status is 0.
keys : q Enter
see "EXITED 0" "quit with :q, exit status 0"
if screen | grep -qF "Leads"; then
	fail "the terminal is restored (the TUI's screen is gone)" "$(screen)"
else
	pass "the terminal is restored (the TUI's screen is gone)"
fi

# Read-only: a mutation is refused.
# (the new session first: killing the last one would stop the server)
T new-session -d -s ro -x 100 -y 30 \
	"TERM=xterm-256color '$STRATO' --readonly --db \"$AGT\" tui; sleep 30"
T kill-session -t tui
sess=ro
see "Joaquín Peña" "--readonly opens"
keys Enter
see "telefono_e164" "and shows a lead"
keys e C O N T A C T A D O Enter
see "read-only" "but refuses to change it"

# Not a terminal: a clear error.
run sh -c "'$STRATO' --db \"$AGT\" tui </dev/null"
expect_rc 2 "strato tui without a terminal is a usage error"
expect_contains "$err" "needs a terminal" "said plainly"

finish
