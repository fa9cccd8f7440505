# tests/e2e/lib.sh - helpers for the end-to-end tests, sourced by each.
#
# tests/run exports STRATO_TEST_PG (the cluster's socket), STRATO_BUILD,
# STRATO_TOP and STRATO_TEST_TMP. Each assertion prints "ok - what" or
# "not ok - what" with the evidence; a script exits 1 if any failed.

set -u
B=$STRATO_BUILD
STRATO=$B/strato
ETL=$B/strato-etl
fails=0
work=$(mktemp -d "$STRATO_TEST_TMP/e2e.XXXXXX")

pass() { echo "ok - $1"; }
fail() {
	echo "not ok - $1"
	shift
	for l in "$@"; do printf '    %s\n' "$l"; done
	fails=$((fails + 1))
}
finish() {
	[ "$fails" -eq 0 ] || { echo "$fails assertion(s) failed"; exit 1; }
	exit 0
}

# conninfo USER DB
conninfo() { echo "$STRATO_TEST_PG user='$1' dbname='$2'"; }

# sql DB STATEMENT... (as superuser, one value out)
sql() {
	_sql_db=$1
	shift
	psql "$(conninfo postgres "$_sql_db")" -XAtq -v ON_ERROR_STOP=1 -c "$*"
}

# new_db NAME: an empty database
new_db() {
	sql postgres "DROP DATABASE IF EXISTS $1" >/dev/null 2>&1
	sql postgres "CREATE DATABASE $1" >/dev/null
}

# run CMD...: runs it, keeps stdout in $out, stderr in $err, status in $rc
run() {
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}

# expect_rc WANT WHAT
expect_rc() {
	if [ "$rc" -eq "$1" ]; then pass "$2 (exit $1)"
	else fail "$2: exit $rc, want $1" "stdout: $out" "stderr: $err"; fi
}

# expect_eq GOT WANT WHAT
expect_eq() {
	if [ "$1" = "$2" ]; then pass "$3"
	else fail "$3" "got:  $1" "want: $2"; fi
}

# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() {
	case $1 in
	*"$2"*) pass "$3" ;;
	*) fail "$3" "missing: $2" "in: $1" ;;
	esac
}

# expect_lacks HAYSTACK NEEDLE WHAT
expect_lacks() {
	case $1 in
	*"$2"*) fail "$3" "found: $2" "in: $1" ;;
	*) pass "$3" ;;
	esac
}

# json EXPR: evaluate a Python expression over the JSON in $out (as j)
json() {
	printf '%s' "$out" | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# mock_start [--token PROVIDER=VALUE]...: the mock provider
# (tests/mock-provider/mock.py) on a free loopback port, stopped when the
# script exits. Sets MOCK and exports STRATO_MOCK_URL (its base URL).
mock_start() {
	python3 "$STRATO_TOP/tests/mock-provider/mock.py" \
		--port-file "$work/mock.port" "$@" >"$work/mock.log" 2>&1 &
	mock_pid=$!
	trap 'kill $mock_pid 2>/dev/null' EXIT
	_i=0
	while [ ! -s "$work/mock.port" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	MOCK="http://127.0.0.1:$(cat "$work/mock.port")"
	export STRATO_MOCK_URL="$MOCK"
}

# mock_post PATH JSON: a control call (/__fault, /__reset, /__token)
mock_post() {
	python3 -c 'import sys, urllib.request as u
u.urlopen(u.Request(sys.argv[1], data=sys.argv[2].encode(),
	headers={"Content-Type": "application/json"}), timeout=10).read()' \
		"$MOCK$1" "$2"
}

# mock_requests: every request the mock has seen, as JSON, into $out
mock_requests() {
	out=$(python3 -c 'import sys, urllib.request as u
sys.stdout.write(u.urlopen(sys.argv[1], timeout=10).read().decode())' \
		"$MOCK/__requests")
}
