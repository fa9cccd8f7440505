#!/bin/sh
# bench/import/run.sh [ROWS] - strato-etl import against psql's \copy.
#
# Generates a realistic CSV of ROWS leads (default 1,000,000: accents,
# every phone form, 5% dirty rows, 10% duplicates), then in one
# throwaway PostgreSQL:
#   (a) strato-etl import leads into an empty tenant: time, rows/s, peak RSS
#   (b) psql \copy of the same rows, already clean (exported from (a)),
#       into a table LIKE strato.lead INCLUDING ALL (same columns and
#       indexes): time, rows/s
# each side twice, the better time of each counting (the machine may be
# shared), and prints the ratio of rows/s (a)/(b) (target >= 0.6), then the peak
# RSS of an import of a tenth of the file beside the full one (target:
# both under 32 MB, flat in the input size).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${STRATO_BUILD:-$top/build}
rows=${1:-1000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strato-bench.XXXXXX")
chmod 755 "$tmp"
trap '"$top/scripts/pg" stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

STRATO_PG_FSYNC=off "$top/scripts/pg" start "$tmp/pg" >/dev/null
S="host=$tmp/pg/run user=postgres"
C="$S dbname=bench"
psql "$S dbname=postgres" -XqAtc "CREATE DATABASE bench"
"$build/strato-etl" --quiet --db "$C" migrate up >/dev/null
"$build/strato" --db "$C" tenant create --name Bench --slug bench >/dev/null
"$build/strato" --db "$C" tenant create --name Small --slug small >/dev/null

echo "generating $rows rows..." >&2
python3 "$top/bench/import/gen.py" "$rows" >"$tmp/leads.csv"
python3 "$top/bench/import/gen.py" "$((rows / 10))" >"$tmp/small.csv"
ls -l "$tmp/leads.csv" >&2
psql "$C" -XqAtc "CHECKPOINT"

# timed FILE TENANT: seconds and peak RSS (KB) of one import
timed() {
	python3 - "$build/strato-etl" "$C" "$1" "$2" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run([sys.argv[1], "--quiet", "--db", sys.argv[2], "import", "leads",
                    "--tenant", sys.argv[4], "--rejects", "/dev/null", "--json", sys.argv[3]],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
el = time.monotonic() - t
if p.returncode not in (0, 3):
    sys.stderr.write(p.stderr.decode())
    sys.exit(1)
print(f"{el:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.stderr.write(p.stdout.decode())
PY
}

cols=$(psql "$C" -XAtc "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
	FROM pg_attribute WHERE attrelid = 'strato.lead'::regclass AND attnum > 0
	AND NOT attisdropped AND attgenerated = ''")
psql "$C" -XqAtc "CREATE SCHEMA bound"

# (a) once: into an emptied strato.lead
run_a() {
	psql "$C" -XqAtc "SET client_min_messages = warning" \
		-c "TRUNCATE strato.lead CASCADE" -c "VACUUM" -c "CHECKPOINT"
	set -- $(timed "$tmp/leads.csv" bench)
	echo "    (a) run $run: $1 s" >&2
	a_s=$(python3 -c "print(min(float('$1'), float('${a_s:-$1}')))")
	[ "$2" -le "$a_rss" ] || a_rss=$2
}

# (b) once: into a new bound.lead
run_b() {
	psql "$C" -XqAtc "DROP TABLE IF EXISTS bound.lead" \
		-c "CREATE TABLE bound.lead (LIKE strato.lead INCLUDING ALL)" \
		-c "VACUUM" -c "CHECKPOINT"
	t0=$(python3 -c 'import time; print(time.monotonic())')
	psql "$C" -XqAtc "\\copy bound.lead ($cols) FROM '$tmp/clean.csv' WITH (FORMAT csv)"
	t=$(python3 -c "import time; print(round(time.monotonic() - $t0, 3))")
	echo "    (b) run $run: $t s" >&2
	b_s=$(python3 -c "print(min(float('$t'), float('${b_s:-$t}')))")
}

# The machine may be shared: the sides take turns, twice each, from the
# same state (vacuumed and checkpointed, so no background work is left
# over), and the better time of each counts. (b) copies the rows (a)
# left, already clean.
printf '%s\n' "(a) strato-etl import leads, (b) psql \\copy of the same rows," \
	"clean; twice each, in turns..." >&2
a_s=
b_s=
a_rss=0
for run in 1 2; do
	run_a
	[ -f "$tmp/clean.csv" ] ||
		psql "$C" -XqAtc "\\copy (SELECT $cols FROM strato.lead) TO '$tmp/clean.csv' WITH (FORMAT csv)"
	run_b
done
imported=$(psql "$C" -XAtc "SELECT count(*) FROM strato.lead l JOIN strato.tenant t ON t.id = l.tenant_id WHERE t.slug = 'bench'")

set -- $(timed "$tmp/small.csv" small)
small_rss=$2

python3 - "$rows" "$imported" "$a_s" "$b_s" "$a_rss" "$small_rss" <<'PY'
import sys
rows, imported = int(sys.argv[1]), int(sys.argv[2])
a, b, rss, small = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"input rows:                      {rows:,} ({imported:,} leads after dedupe and rejects)")
print("best of two runs of each side")
print(f"(a) strato-etl import:           {a:8.2f} s  {rows / a:10,.0f} input rows/s  {imported / a:10,.0f} leads/s")
print(f"(b) psql \\copy, clean rows:      {b:8.2f} s  {imported / b:10,.0f} leads/s")
print(f"ratio (a)/(b) in leads/s:        {(imported / a) / (imported / b):8.2f}   (target >= 0.6)")
print(f"peak RSS, {rows // 10:,} rows:          {small / 1024:8.1f} MB   (target < 32 MB)")
print(f"peak RSS, {rows:,} rows:        {rss / 1024:8.1f} MB   (target < 32 MB, flat)")
PY
