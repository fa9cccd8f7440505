#!/bin/sh
# bench/tui/run.sh [LEADS] - the lead browser's queries, from the client,
# beside the server's own time for the same statements.
#
# In a throwaway PostgreSQL: migrates, creates four tenants and loads LEADS
# leads (default 2,000,000; half in tenant "grande", the rest split over
# "norte", "sur" and "oeste") with bench/tui/gen.sql, then ANALYZE. Then
# build/bench/tui/driver, logged in as a service login that is NOT a
# superuser (so row-level security applies as in production), times
# through libstrato, 20 runs each (median and p95):
#   - the first screen of leads (50) of "grande";
#   - the next screen 1,000 screens deep (reached by walking the cursors);
#   - a 3-letter and a 6-letter search;
#   - st_lead_estimate(), the status line's estimated count;
# each beside its floor, EXPLAIN (ANALYZE, FORMAT JSON) of the very
# statement st_lead_list() sends, same parameters (median execution time).
# Targets: screens < 20 ms, searches < 150 ms, each list query <= 2x its
# floor; the estimate, < 20 ms (< 150 ms with a search).
# BEFORE=1 then runs the driver again (3 runs) as before migration 0012:
# textlike not LEAKPROOF (searches without their trigram index) and the
# default statistics target for lead.search.
set -eu
rc=0

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${STRATO_BUILD:-$top/build}
leads=${1:-2000000}
runs=${RUNS:-20}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strato-bench.XXXXXX")
chmod 755 "$tmp"
trap '"$top/scripts/pg" stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

[ -x "$build/bench/tui/driver" ] || make -C "$top" --no-print-directory \
	"${build#"$top"/}/bench/tui/driver" >/dev/null
STRATO_PG_FSYNC=off "$top/scripts/pg" start "$tmp/pg" >/dev/null
S="host=$tmp/pg/run user=postgres"
C="$S dbname=bench"
psql "$S dbname=postgres" -XqAtc "CREATE DATABASE bench"
"$build/strato-etl" --quiet --db "$C" migrate up >/dev/null
for t in grande norte sur oeste; do
	"$build/strato" --db "$C" tenant create --name "Inmobiliaria $t" \
		--slug "$t" >/dev/null
done
psql "$C" -XqAtc "CREATE ROLE bench_svc LOGIN NOSUPERUSER NOBYPASSRLS IN ROLE strato_service"

echo "loading $leads leads..." >&2
t0=$(python3 -c 'import time; print(time.monotonic())')
psql "$C" -Xq -v leads="$leads" -f "$top/bench/tui/gen.sql" >/dev/null
psql "$C" -XqAtc "VACUUM (ANALYZE) strato.lead" -c "CHECKPOINT"
echo "loaded in $(python3 -c "import time; print(round(time.monotonic() - $t0))") s" >&2
psql "$C" -XAt -F ' ' -c "SELECT t.slug, count(*) FROM strato.lead l
	JOIN strato.tenant t ON t.id = l.tenant_id GROUP BY 1 ORDER BY 2 DESC" >&2

tenant=$(psql "$C" -XAtc "SELECT id FROM strato.tenant WHERE slug = 'grande'")
# 1,000 screens deep, or as deep as a small run allows
depth=$(( leads / 2 / 50 - 2 ))
[ "$depth" -le 1000 ] || depth=1000
# "gon" (González, Gonzalo: common), "Iturbe" (1 lead in 1,000; accented
# input is matched accent-free)
echo "leads: $leads ($((leads / 2)) in the tenant browsed), $runs runs each"
"$build/bench/tui/driver" "host=$tmp/pg/run user=bench_svc dbname=bench" \
	"$tenant" gon Iturbe "$runs" "$depth" || rc=$?
if [ "${BEFORE:-0}" = 1 ]; then
	echo
	echo "without migration 0012 (textlike NOT LEAKPROOF, default statistics), 3 runs each:"
	psql "$C" -XqAtc "ALTER FUNCTION pg_catalog.textlike(text, text) NOT LEAKPROOF" \
		-c "ALTER TABLE strato.lead ALTER COLUMN search SET STATISTICS -1" \
		-c "ANALYZE strato.lead"
	"$build/bench/tui/driver" "host=$tmp/pg/run user=bench_svc dbname=bench" \
		"$tenant" gon Iturbe 3 "$depth" || true
fi
exit "$rc"
