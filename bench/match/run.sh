#!/bin/sh
# bench/match/run.sh [PROPERTIES] - property match against its pre-filter.
#
# In one throwaway PostgreSQL: a tenant with PROPERTIES properties
# (default 100,000; gen.sql) and 200 leads with varied preferences, beside
# a second tenant with a tenth as many. Then, logged in as an agent of the
# tenant (so Row-Level Security applies as in real use), build/bench_match
# times for each lead the library call behind `strato property match`
# (st_match_rank: one tenant transaction reading the lead's preferences
# and running the ranking statement) and the same transaction running
# only the pre-filter (st_match_candidates: count(*) of the candidates),
# and prints p50 and p95 of both and the ratio, for all the leads and for
# those whose pre-filter keeps at most 10,000 properties (a lead stating
# no operation and no budget makes every available property a candidate).
# Target: p95 under 50 ms.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${STRATO_BUILD:-$top/build}
props=${1:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strato-bench.XXXXXX")
chmod 755 "$tmp"
trap '"$top/scripts/pg" stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

STRATO_PG_FSYNC=off "$top/scripts/pg" start "$tmp/pg" >/dev/null
S="host=$tmp/pg/run user=postgres"
C="$S dbname=bench"
psql "$S dbname=postgres" -XqAtc "CREATE DATABASE bench"
"$build/strato-etl" --quiet --db "$C" migrate up >/dev/null
"$build/strato" --db "$C" tenant create --name Bench --slug bench >/dev/null
"$build/strato" --db "$C" tenant create --name Other --slug other >/dev/null
"$build/strato" --db "$C" --tenant bench user create --email ag@bench.ar \
	--name Agente --role agent --login bench_match_agent >/dev/null

echo "generating $props properties and 200 leads..." >&2
psql "$C" -XqAt -v ON_ERROR_STOP=1 -v props="$props" -v leads=200 \
	-v slug=bench -f "$top/bench/match/gen.sql" >/dev/null
psql "$C" -XqAt -v ON_ERROR_STOP=1 -v props="$((props / 10))" -v leads=20 \
	-v slug=other -f "$top/bench/match/gen.sql" >/dev/null
psql "$C" -XqAtc "VACUUM ANALYZE strato.property" -c "CHECKPOINT"
psql "$C" -XAtc "SELECT l.id FROM strato.lead l JOIN strato.tenant t
	ON t.id = l.tenant_id WHERE t.slug = 'bench' ORDER BY l.nombre" \
	>"$tmp/leads"

echo "properties:                      $props in the tenant" \
	"($(psql "$C" -XAtc "SELECT count(*) FROM strato.property p JOIN strato.tenant t ON t.id = p.tenant_id WHERE t.slug = 'bench' AND p.estado = 'DISPONIBLE'") available)"
"$build/bench_match" "host=$tmp/pg/run user=bench_match_agent dbname=bench" \
	bench <"$tmp/leads"
