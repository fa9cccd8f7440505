# strato-etl import leads / export leads through the real binary: the
# fixture corpus of tests/data/import with each outcome asserted, pipes,
# rejects (fixed and imported again), dedupe and updates, the round trip,
# and a kill in the middle of an import then a rerun or a resume.
. "$(dirname "$0")/lib.sh"

D=$STRATO_TOP/tests/data/import
db=e2e_import
new_db $db
C=$(conninfo postgres $db)
"$ETL" --quiet --db "$C" migrate up >/dev/null
leads() { sql $db "SELECT count(*) FROM strato.lead WHERE tenant_id = '$T'"; }
lead() { sql $db "SELECT $1 FROM strato.lead WHERE tenant_id = '$T' AND $2"; }

# use_tenant SLUG: work in it from now on (created if new)
use_tenant() {
	SLUG=$1
	if [ -z "$(sql $db "SELECT 1 FROM strato.tenant WHERE slug = '$SLUG'")" ]; then
		"$STRATO" --db "$C" tenant create --name "$SLUG" --slug "$SLUG" >/dev/null
		"$STRATO" --db "$C" --tenant "$SLUG" user create --email joaquin@sur.com.ar \
			--name Joaquín --role agent >/dev/null
	fi
	T=$(sql $db "SELECT id FROM strato.tenant WHERE slug = '$SLUG'")
}

# import FILE [OPTIONS]: JSON summary in $out
imp() {
	f=$1
	shift
	run "$ETL" --quiet --db "$C" import leads --tenant "$SLUG" --json --rejects "$work/rej.csv" "$@" "$f"
}
summary() { json "' '.join(str(j[k]) for k in ('read', 'inserted', 'updated', 'unchanged', 'duplicates', 'rejected'))"; }

# Windows-1252 with ';' from Excel: accents intact, phones normalised.
use_tenant f-cp1252
imp "$D/imp-cp1252-semicolon.csv"
expect_rc 0 "Windows-1252 semicolon file"
expect_eq "$(summary)" "4 4 0 0 0 0" "4 read, 4 inserted"
expect_eq "$(json "j['encoding'] + ' ' + j['delimiter']")" "windows-1252 ;" "encoding and delimiter detected"
expect_eq "$(lead nombre "telefono_e164 = '+5491123456789'")" "María José Núñez" "Núñez arrives as Núñez"
expect_eq "$(lead "email || ' ' || presupuesto_max || ' ' || moneda || ' ' || array_to_string(tags, '|')" "telefono_e164 = '+5491123456789'")" \
	"mjnunez@gmail.com 150000.00 USD meta|vip" "e-mail lower-cased, budget and tags parsed"
expect_eq "$(lead "presupuesto_max || moneda" "nombre = 'Joaquín Ibáñez'")" "1200000.00ARS" '"$ 1.200.000" is ARS 1,200,000'
expect_eq "$(lead "presupuesto_max::text" "nombre = 'Agustín Muñoz'")" "150000.50" '"150000,50" keeps its decimals'

use_tenant f-bom
imp "$D/imp-utf8-bom.csv"
expect_eq "$(summary)" "3 3 0 0 0 0" "UTF-8 with BOM"
expect_eq "$(lead notas "email = 'lucia@example.com'")" "prefiere WhatsApp 📱" "emoji kept"
expect_eq "$(lead nombre "email = 'lucia@example.com'")" "Lucía Fernández" "the BOM is not part of the first header"

use_tenant f-utf16
imp "$D/imp-utf16le-ads.csv"
expect_eq "$(summary)" "2 2 0 0 0 0" "UTF-16LE tab-separated ad-platform export"
expect_eq "$(lead "origen || ' ' || telefono_e164 || ' ' || (custom->>'campaign_name') || ' ' || (custom->>'ad_name')" "nombre = 'Martín Gómez'")" \
	"META_ADS +5491155556666 Lanzamiento Verano Depto Palermo" "origen META_ADS, ad and campaign kept"
expect_eq "$(lead "custom->>'¿qué_zona_buscás?'" "nombre = 'Carla Díaz'")" "Colegiales" "a form question kept under its header"

use_tenant f-newlines
imp "$D/imp-embedded-newlines.csv"
expect_rc 3 "embedded newlines: one row refused (exit 3)"
expect_eq "$(summary)" "4 3 0 0 0 1" "three imported, one rejected"
expect_eq "$(lead notas "nombre = 'Ana, la del 3°B'")" "primera línea
segunda línea" "a note with a line break"
expect_contains "$(cat "$work/rej.csv")" "Sin Datos,,,8,no usable identity" \
	"the reject names its physical line (8) after multi-line records"

use_tenant f-unterminated
imp "$D/imp-unterminated.csv"
expect_eq "$(summary)" "2 1 0 0 0 1" "unterminated quote at the end"
expect_contains "$(cat "$work/rej.csv")" "unterminated quoted field" "refused for it"

use_tenant f-ragged
imp "$D/imp-ragged.csv"
expect_eq "$(summary)" "4 2 0 0 0 2" "ragged rows refused, trailing empty cells accepted"
expect_contains "$(cat "$work/rej.csv")" '"2 fields, the header has 3"' "the field count named"

use_tenant f-nul
imp "$D/imp-nul.csv"
expect_eq "$(summary)" "2 1 0 0 0 1" "a NUL byte"
expect_contains "$(cat "$work/rej.csv")" "3,NUL byte in the data" "refused with its line"

use_tenant f-empty
imp "$D/imp-empty.csv"
expect_rc 1 "an empty file is fatal"
expect_contains "$err" "empty" "and says so"
imp "$D/imp-header-only.csv"
expect_rc 0 "header only"
expect_eq "$(summary)" "0 0 0 0 0 0" "nothing to do"
imp "$D/imp-no-header.csv"
expect_rc 1 "no header"
expect_contains "$err" "looks like data, not a header" "said clearly"

before=$(leads)
use_tenant f-dup
imp "$D/imp-duplicates.csv"
expect_eq "$(summary)" "4 2 0 0 2 0" "the same lead three times merges into one"
expect_eq "$(lead "nombre || ' ' || email || ' ' || array_to_string(tags, ',')" "telefono_e164 = '+5491123456789' AND nombre LIKE 'Ana%'")" \
	"Ana Pérez ana@example.com a,b,c" "first name kept, e-mail filled, tags merged"
expect_eq "$(($(leads) - before))" "2" "two new leads"

use_tenant f-phones
imp "$D/imp-phones-ar.csv"
expect_eq "$(summary)" "7 6 0 0 0 1" "every Argentine phone form"
expect_eq "$(sql $db "SELECT string_agg(telefono_e164, ' ' ORDER BY telefono_e164) FROM strato.lead
	WHERE tenant_id = '$T'")" \
	"+14155552671 +541123456789 +5491123456789 +5493514567890 +5493514567891 +59899123456" "each normalised to E.164"

use_tenant f-emails
imp "$D/imp-invalid-emails.csv"
expect_eq "$(summary)" "4 1 0 0 0 3" "invalid e-mails refused"
use_tenant f-cr
imp "$D/imp-cr-only.csv"
expect_eq "$(summary)" "2 2 0 0 0 0" "CR-only line ends"

use_tenant sur
imp "$D/imp-utf8-bom.csv"

# A 1 MB field is refused, the rest imported, memory stays bounded.
python3 -c "
import sys
sys.stdout.write('nombre,telefono,notas\n')
sys.stdout.write('Grande,+54 9 11 8888-1111,' + 'x' * 1048576 + '\n')
sys.stdout.write('Chico,+54 9 11 8888-2222,ok\n')" >"$work/big.csv"
imp "$work/big.csv"
expect_eq "$(summary)" "2 1 0 0 0 1" "a 1 MB field"
expect_contains "$(cut -c 65530- "$work/rej.csv")" "field longer than 65536 bytes" "refused for its size"

# Fix the rejects file and import it: it works.
imp "$D/imp-invalid-emails.csv" --rejects "$work/fixme.csv"
sed -e 's/a@@example.com/doble@example.com/' -e 's/nadie@,/nadie@example.com,/' \
	-e 's/con espacio@example.com/conespacio@example.com/' "$work/fixme.csv" >"$work/fixed.csv"
imp "$work/fixed.csv"
expect_rc 0 "the fixed rejects file imports"
expect_eq "$(summary)" "3 3 0 0 0 0" "all three rows now"

# A pipe, as agencies use it; the rejects land beside, named after the run.
(cd "$work" && printf 'nombre;celular\nPipa;+54 9 11 7777-1234\nMala;xx\n' |
	"$ETL" --quiet --db "$C" import leads --tenant sur - --json >"$work/pipe.json")
rc=$?
out=$(cat "$work/pipe.json")
expect_eq "$rc" "3" "import from a pipe (one row refused)"
run_id=$(json "j['run_id']")
expect_eq "$(ls "$work" | grep -c "import-$run_id.rejects.csv")" "1" "stdin rejects named after the run"
expect_eq "$(sql $db "SELECT estado || ' ' || source || ' ' || (counts->>'inserted') FROM strato.import_run WHERE id = '$run_id'")" \
	"PARTIAL stdin 1" "the import is recorded in import_run"
expect_eq "$(sql $db "SELECT count(*) FROM strato.audit_log WHERE action = 'import.leads' AND entity_id = '$run_id'")" \
	"1" "and in the audit log"

# Updates fill empty fields and merge tags, never blank a field.
printf 'nombre,telefono,email,zona,tags,asignado\n,+54 9 11 4444-5555,,Recoleta,nuevo,joaquin@sur.com.ar\n' >"$work/upd.csv"
imp "$work/upd.csv"
expect_eq "$(summary)" "1 0 1 0 0 0" "an update"
expect_eq "$(lead "nombre || ' ' || email || ' ' || zona_interes || ' ' || array_to_string(tags, ',') || ' ' || (assigned_to_id IS NOT NULL)" "email = 'lucia@example.com'")" \
	"Lucía Fernández lucia@example.com Recoleta nuevo true" "filled, nothing blanked"
imp "$work/upd.csv"
expect_eq "$(summary)" "1 0 0 1 0 0" "the same again changes nothing"
imp "$work/upd.csv" --mode create
expect_eq "$(json "j['skipped']")" "1" "--mode create skips an existing lead"
printf 'telefono\n+54 9 11 4321-0987\n' >"$work/new.csv"
imp "$work/new.csv" --mode update
expect_eq "$(json "j['skipped'], j['inserted']")" "1 0" "--mode update skips a new lead"
printf 'Cel,Mail\n+54 9 11 0202-0202,map@example.com\n' >"$work/map.csv"
imp "$work/map.csv" --map 'Cel=telefono,Mail=email' --default origen=FERIA
expect_eq "$(lead origen "email = 'map@example.com'")" "FERIA" "--map and --default"
printf 'first_name,last_name,phone_number,Color favorito\nAna María,  Gómez   Paz ,+54 9 11 4303-0303,verde\n' >"$work/split.csv"
imp "$work/split.csv"
expect_eq "$(lead "nombre || ' ' || (custom->>'Color favorito')" "telefono_e164 = '+5491143030303'")" \
	"Ana María Gómez Paz verde" "first and last name joined, an unknown column kept in custom"
printf 'nombre,telefono,Color favorito\nBeto,+54 9 11 4404-0404,azul\n' >"$work/ignore.csv"
imp "$work/ignore.csv" --ignore-unknown
expect_eq "$(lead "custom::text" "telefono_e164 = '+5491144040404'")" "{}" "--ignore-unknown drops it"
imp "$work/map.csv" --dry-run --map 'Cel=telefono'
expect_rc 0 "--dry-run"
expect_eq "$(sql $db "SELECT count(*) FROM strato.import_run WHERE options->>'map' = 'Cel=telefono'")" "0" \
	"a dry run records nothing"
run "$ETL" --quiet --db "$C" import leads --tenant sur --mode sideways "$work/map.csv"
expect_rc 2 "usage errors exit 2"
run "$ETL" --quiet --db "$C" import leads --tenant nadie "$work/map.csv"
expect_rc 1 "an unknown tenant"

# Tenants stay apart: the other tenant saw none of it.
use_tenant otra
use_tenant sur
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead l JOIN strato.tenant t ON t.id = l.tenant_id WHERE t.slug = 'otra'")" \
	"0" "nothing landed in another tenant"

# Round trip: export, import into an empty tenant, export again: identical.
run "$ETL" --quiet --db "$C" export leads --tenant sur "$work/exp1.csv"
expect_rc 0 "export"
use_tenant otra
use_tenant sur
run "$ETL" --quiet --db "$C" import leads --tenant otra --json "$work/exp1.csv"
expect_eq "$(json "j['rejected']")" "0" "the export imports without rejects"
"$ETL" --quiet --db "$C" export leads --tenant otra "$work/exp2.csv"
lead_sums() {
	sql $db "SELECT count(*) || ' ' || md5(string_agg(ROW(l.nombre, l.telefono, l.telefono_e164,
		l.email, l.origen, l.estado, l.tipo, l.operacion, l.tipo_propiedad, l.zona_interes,
		l.zonas, l.presupuesto_min, l.presupuesto_max, l.moneda, l.ambientes, l.tags, l.notas,
		l.custom, u.email, l.es_cliente, l.opt_out)::text, '|' ORDER BY l.telefono_e164, l.email))
		FROM strato.lead l JOIN strato.tenant t ON t.id = l.tenant_id
		LEFT JOIN strato.app_user u ON u.tenant_id = l.tenant_id AND u.id = l.assigned_to_id
		WHERE t.slug = '$1'"
}
expect_eq "$(lead_sums otra)" "$(lead_sums sur)" "export, import into an empty tenant: identical leads"
"$ETL" --quiet --db "$C" export leads --tenant otra "$work/exp2.csv"
expect_eq "$(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding='utf-8'))) - 1)" "$work/exp2.csv")" \
	"$(leads)" "the export has every lead"
run "$ETL" --quiet --db "$C" export leads --tenant f-utf16 --format jsonl --where origen=META_ADS
expect_eq "$(printf '%s\n' "$out" | python3 -c 'import json,sys; print(sorted(json.loads(l)["nombre"] for l in sys.stdin))')" \
	"['Carla Díaz', 'Martín Gómez']" "JSON lines, filtered"
run "$ETL" --quiet --db "$C" export leads --tenant sur --where since=not-a-date
expect_rc 1 "a bad filter date is an error"

# Kill in the middle: one transaction imports nothing; batches resume.
python3 -c "
import sys
w = sys.stdout.write
w('nombre,telefono,email\n')
for i in range(200000):
    w('Persona %d,+54 9 11 %04d-%04d,p%d@example.com\n' % (i, 5000 + i // 10000, i % 10000, i))" >"$work/many.csv"
kill_when_copying() {
	i=0
	while [ $i -lt 400 ]; do
		busy=$(sql $db "SELECT count(*) FROM pg_stat_activity WHERE state = 'active'
			AND query LIKE 'COPY import_stage%'" 2>/dev/null)
		[ "${busy:-0}" -gt 0 ] && break
		i=$((i + 1))
		sleep 0.05
	done
	sleep 0.5
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
n0=$(sql $db "SELECT count(*) FROM strato.lead")
"$ETL" --quiet --db "$C" import leads --tenant otra "$work/many.csv" >/dev/null 2>&1 &
kill_when_copying $!
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead")" "$n0" "a killed one-transaction import imported nothing"
"$ETL" --db "$C" import leads --tenant otra --batch-size 20000 "$work/many.csv" >"$work/b.out" 2>"$work/b.err" &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q "committed up to line" "$work/b.err"; do
	i=$((i + 1))
	sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
run_id=$(sed -n 's/.*import run \([0-9a-f-]*\): committed.*/\1/p' "$work/b.err" | head -n 1)
done_lines=$(sql $db "SELECT last_line FROM strato.import_run WHERE id = '$run_id'")
kept=$(($(sql $db "SELECT count(*) FROM strato.lead") - n0))
expect_eq "$kept" "$((done_lines - 1))" "a killed batched import kept exactly its committed batches"
run "$ETL" --quiet --db "$C" import leads --tenant otra --batch-size 20000 --resume "$run_id" --json "$work/many.csv"
expect_rc 0 "--resume continues after the last committed line"
expect_eq "$(json "j['resumed_after_line']")" "$done_lines" "from where it stopped"
expect_eq "$(($(sql $db "SELECT count(*) FROM strato.lead") - n0))" "200000" "every row once, none twice"
expect_eq "$(sql $db "SELECT estado FROM strato.import_run WHERE id = '$run_id'")" "COMPLETED" "the run completes"

finish
