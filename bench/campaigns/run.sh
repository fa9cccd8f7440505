#!/bin/sh
# bench/campaigns/run.sh [LEADS] - strato-etl campaigns run against the
# mock provider answering with 20 ms of latency.
#
# In one throwaway PostgreSQL: a tenant with LEADS leads (default 50,000)
# and a WhatsApp integration at the mock (tests/mock-provider/mock.py
# --latency-ms 20, without a rate limit of its own: max_per_second 0), a
# template campaign to all of them, run with --concurrency 32. Prints the
# sends per second against the ideal 32 / 0.020 s = 1,600/s as a ratio
# (target >= 0.8), the client's CPU per send, and its peak RSS beside a
# run of a tenth of the leads (target: flat in the audience size). Every
# lead must end SENT. As a baseline measured in the same run (the machine
# is shared, the mock is Python), a bare curl multi client
# (bench/campaigns/bare.c) then sends as many messages to the same mock
# at the same concurrency: the ratio to it is the share of the provider's
# speed the engine keeps while claiming and recording every send.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${STRATO_BUILD:-$top/build}
leads=${1:-50000}
conc=32
lat=${STRATO_BENCH_LATENCY:-20}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strato-bench.XXXXXX")
chmod 755 "$tmp"
mock_pid=
trap '[ -z "$mock_pid" ] || kill $mock_pid 2>/dev/null; "$top/scripts/pg" stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

STRATO_PG_FSYNC=off "$top/scripts/pg" start "$tmp/pg" >/dev/null
S="host=$tmp/pg/run user=postgres"
C="$S dbname=bench"
psql "$S dbname=postgres" -XqAtc "CREATE DATABASE bench"
"$build/strato-etl" --quiet --db "$C" migrate up >/dev/null
"$build/strato" --db "$C" tenant create --name Bench --slug bench >/dev/null

python3 "$top/tests/mock-provider/mock.py" --port-file "$tmp/mock.port" \
	--latency-ms $lat --max-recorded 1000 >"$tmp/mock.log" 2>&1 &
mock_pid=$!
i=0
while [ ! -s "$tmp/mock.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mock="http://127.0.0.1:$(cat "$tmp/mock.port")"

openssl rand -base64 32 >"$tmp/key"
chmod 600 "$tmp/key"
export STRATO_MASTER_KEY_FILE="$tmp/key"
printf 'access_token=EAAGbench0123456789\napp_secret=benchsecret\n' |
	"$build/strato" --db "$C" --tenant bench integration set whatsapp \
	--secret-stdin --base-url "$mock" --phone-number-id 106540352242922 >/dev/null
"$build/strato" --db "$C" --tenant bench integration enable whatsapp >/dev/null
psql "$C" -XqAtc "UPDATE strato.tenant_integration SET config = config ||
	'{\"max_per_second\": \"0\"}'"
"$build/strato" --db "$C" --tenant bench template create --name novedades \
	--categoria marketing --contenido 'Hola {{1}}, hay novedades' \
	--variables '["Ana"]' >/dev/null

# campaign N: N leads tagged bN and a campaign to them, scheduled now
campaign() {
	psql "$C" -XqAtc "INSERT INTO strato.lead (tenant_id, nombre, telefono,
		telefono_e164, zona_interes, tags)
		SELECT t.id, 'Lead ' || g, '+54 9 11 ' || g, '+549' || (1100000000 + g + $2),
		'Palermo', ARRAY['b$1'] FROM strato.tenant t, generate_series(1, $1) g" \
		-c "VACUUM ANALYZE strato.lead"
	"$build/strato" --db "$C" --tenant bench campaign create --name "b$1" \
		--tipo personalizada --set audience.tags="b$1" --set channel=whatsapp \
		--set message.template.nombre=novedades \
		--set 'message.template.variables={{primer_nombre}}' >/dev/null
	"$build/strato" --db "$C" --tenant bench campaign schedule "b$1" now >/dev/null
}

# timed NAME: seconds, CPU seconds and peak RSS (KB) of one run
timed() {
	python3 - "$build/strato-etl" "$C" "$1" "$conc" <<'PY'
import json, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run([sys.argv[1], "--quiet", "--db", sys.argv[2], "campaigns", "run",
                    "--campaign", sys.argv[3], "--concurrency", sys.argv[4], "--json"],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
el = time.monotonic() - t
if p.returncode != 0:
    sys.stderr.write(p.stderr.decode() + p.stdout.decode())
    sys.exit(1)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
c = json.loads(p.stdout)["campaigns"][0]
sys.stderr.write(p.stderr.decode())
print(f"{el:.3f} {ru.ru_utime + ru.ru_stime:.3f} {ru.ru_maxrss} {c['sent']} {c['estado']}")
PY
}

small=$((leads / 10))
echo "generating $leads + $small leads..." >&2
campaign "$leads" 0
campaign "$small" 1000000
psql "$C" -XqAtc "CHECKPOINT"
echo "sending $small, then $leads, at --concurrency $conc..." >&2
set -- $(timed "b$small")
small_rss=$3
set -- $(timed "b$leads")
el=$1 cpu=$2 rss=$3 sent=$4 estado=$5
unsent=$(psql "$C" -XAtc "SELECT count(*) FROM strato.campaign_send WHERE estado <> 'SENT'")
# the baseline, right after: a bare curl multi client sending as many
# messages to the same mock at the same concurrency, no database at all
echo "baseline: $leads messages from a bare client, at --concurrency $conc..." >&2
bare=$("$build/bench_campaigns_bare" "$mock" "$leads" "$conc")
# the sending alone, from the first answer recorded to the last
span=$(psql "$C" -XAtc "SELECT extract(epoch FROM max(s.sent_at) - min(s.sent_at))
	FROM strato.campaign_send s JOIN strato.campaign c ON c.id = s.campaign_id
	WHERE c.nombre = 'b$leads'")

python3 - "$leads" "$sent" "$estado" "$el" "$cpu" "$rss" "$small" "$small_rss" "$unsent" "$conc" "$lat" "$span" "$bare" <<'PY'
import sys
leads, sent, estado = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
el, cpu, rss = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
small, small_rss, unsent = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
conc, lat = int(sys.argv[10]), int(sys.argv[11])
span = float(sys.argv[12])
bare = float(sys.argv[13])
ideal = conc / (lat / 1000)
rate = sent / el
print(f"leads:                          {leads:,} ({sent:,} sent, campaign {estado}, {unsent} rows not SENT)")
print(f"time:                           {el:8.2f} s")
print(f"sends/s:                        {rate:8.0f}   (ideal {conc} / {lat / 1000} s = {ideal:,.0f}/s)")
print(f"ratio to ideal:                 {rate / ideal:8.2f}   (target >= 0.8; the whole run: start, ledger fill, sends)")
print(f"ratio, sending alone:           {sent / span / ideal:8.2f}   ({sent / span:.0f}/s from the first recorded answer to the last)")
print(f"baseline, bare client:          {leads / bare:8.0f}/s  ({leads / bare / ideal:.2f} of ideal: the mock's own ceiling here, now)")
print(f"ratio to the baseline:          {rate / (leads / bare):8.2f}   (the whole run against the bare client, same run)")
print(f"client CPU per send:            {cpu / sent * 1e6:8.0f} us  ({cpu:.2f} s user+sys)")
print(f"peak RSS, {small:,} leads:         {small_rss / 1024:8.1f} MB")
print(f"peak RSS, {leads:,} leads:        {rss / 1024:8.1f} MB   (flat in the audience size)")
PY
