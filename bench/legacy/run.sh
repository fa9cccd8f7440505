#!/bin/sh
# bench/legacy/run.sh [LEADS] - time `strato-etl legacy copy` against the
# plain lower bound measured in the same run.
#
# Generates a legacy install with LEADS leads (default 1,000,000), twice as
# many messages, half as many conversations and events, in a throwaway
# PostgreSQL. Then:
#   (a) strato-etl legacy copy, timed, with its peak resident memory;
#   (b) the same rows moved with COPY (SELECT ...) TO STDOUT | COPY ... FROM
#       STDIN into tables made LIKE strato.* INCLUDING ALL (same columns,
#       defaults, checks and indexes), timed.
# Prints both, and the ratio (a)/(b). Target: ratio <= 1.5, memory < 64 MB.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${STRATO_BUILD:-$top/build}
leads=${1:-1000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strato-bench.XXXXXX")
chmod 755 "$tmp"
trap '"$top/scripts/pg" stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

STRATO_PG_FSYNC=off "$top/scripts/pg" start "$tmp/pg" >/dev/null
S="host=$tmp/pg/run user=postgres"
C="$S dbname=bench"
psql "$S dbname=postgres" -XqAtc "CREATE DATABASE bench"
now() { python3 -c 'import time; print(time.monotonic())'; }

echo "generating a legacy install with $leads leads..." >&2
t0=$(now)
psql "$C" -Xq -v ON_ERROR_STOP=1 -f "$top/sql/legacy/schema.sql" >/dev/null
psql "$C" -Xq -v ON_ERROR_STOP=1 -v leads="$leads" -f "$top/bench/legacy/gen.sql" >/dev/null
"$build/strato-etl" --quiet --db "$C" migrate up >/dev/null
psql "$C" -XqAt -c "CHECKPOINT"
echo "generated in $(python3 -c "print(round($(now) - $t0, 1))") s" >&2
for t in User Assistant Lead Event Conversation Message WhatsAppTemplate WhatsAppSync; do
	psql "$C" -XAt -c "SELECT format('%-18s %10s rows', '$t', to_char(count(*), 'FM9,999,999'))
		FROM public.\"$t\"" >&2
done

# (a) the copy, with its peak RSS (getrusage of the child).
echo "(a) strato-etl legacy copy..." >&2
res=$(python3 - "$build/strato-etl" "$C" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run([sys.argv[1], "--quiet", "--db", sys.argv[2], "legacy", "copy",
                    "--tenant-slug", "bench"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
el = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
ok = p.returncode == 0 and b"verified: every table matches" in p.stdout
sys.stderr.write(p.stdout.decode() if not ok else "")
sys.stderr.write(p.stderr.decode() if not ok else "")
print(f"{el:.3f} {rss} {int(ok)}")
PY
)
set -- $res
copy_s=$1
copy_rss_kb=$2
copy_ok=$3
[ "$copy_ok" = 1 ] || { echo "the copy failed" >&2; exit 1; }
# The copy ends with a verify: time that alone to separate it out.
t0=$(now)
"$build/strato-etl" --quiet --db "$C" legacy verify --tenant-slug bench >/dev/null
verify_s=$(python3 -c "print(round($(now) - $t0, 3))")
copy_only_s=$(python3 -c "print(round($copy_s - $verify_s, 3))")

# (b) the bound: the same rows, COPY out and COPY in, same table shapes.
echo "(b) COPY (SELECT ...) TO STDOUT | COPY ... FROM STDIN..." >&2
psql "$C" -XqAt -c "CREATE SCHEMA bound"
tables="app_user assistant lead event conversation message whatsapp_template whatsapp_sync"
for t in $tables; do
	psql "$C" -XqAt -c "CREATE TABLE bound.$t (LIKE strato.$t INCLUDING ALL)"
done
psql "$C" -XqAt -c "CHECKPOINT"
t0=$(now)
for t in $tables; do
	cols=$(psql "$C" -XAt -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = 'strato.$t'::regclass AND attnum > 0
		AND NOT attisdropped AND attgenerated = ''")
	psql "$C" -XqAt -c "\\copy (SELECT $cols FROM strato.$t) TO STDOUT" |
		psql "$C" -XqAt -c "\\copy bound.$t ($cols) FROM STDIN"
done
bound_s=$(python3 -c "print(round($(now) - $t0, 3))")

rows=0
for t in $tables; do
	rows=$((rows + $(psql "$C" -XAt -c "SELECT count(*) FROM bound.$t")))
done
python3 - "$copy_only_s" "$verify_s" "$bound_s" "$copy_rss_kb" "$rows" <<'PY'
import sys
copy, verify, bound, rss_kb, rows = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"rows moved:                 {rows:,}")
print(f"(a) legacy copy:            {copy:8.2f} s  {rows / copy:10,.0f} rows/s  (then verify {verify:.2f} s)")
print(f"(b) COPY | COPY bound:      {bound:8.2f} s  {rows / bound:10,.0f} rows/s")
print(f"ratio (a)/(b):              {copy / bound:8.2f}   (target <= 1.5)")
print(f"peak client memory (a):     {rss_kb / 1024:8.1f} MB (target < 64 MB)")
PY
