# strato-etl migrate through the real binary: status, dry run, up, down,
# an edited file refused, two migrators at once, exit codes.
. "$(dirname "$0")/lib.sh"

db=e2e_migrate
new_db $db
C=$(conninfo postgres $db)

run "$ETL" --db "$C" migrate status --json
expect_rc 0 "status on an empty database"
expect_eq "$(json "sorted(set(m['state'] for m in j))")" "['pending']" \
	"every migration pending"
n=$(json "len(j)")

run "$ETL" --db "$C" migrate up --dry-run
expect_rc 0 "dry run"
expect_contains "$out" "would apply 0001_base" "dry run names the plan"
expect_eq "$(sql $db "SELECT to_regclass('strato.schema_migrations') IS NULL")" "t" \
	"dry run creates nothing"

run "$ETL" --db "$C" migrate up --to 2
expect_rc 0 "up --to 2"
expect_eq "$(sql $db "SELECT string_agg(version::text, ',' ORDER BY 1) FROM strato.schema_migrations")" \
	"1,2" "only 1 and 2 applied"

run "$ETL" --db "$C" migrate up
expect_rc 0 "up"
expect_eq "$(sql $db "SELECT count(*) FROM strato.schema_migrations")" "$n" "all applied"

run "$ETL" --db "$C" migrate down
expect_rc 0 "down (one step)"
expect_eq "$(sql $db "SELECT count(*) FROM strato.schema_migrations")" "$((n - 1))" \
	"down reverts exactly the newest"

run "$ETL" --db "$C" migrate down --to 0
expect_rc 0 "down --to 0"
expect_eq "$(sql $db "SELECT count(*) FROM pg_class WHERE relnamespace = 'strato'::regnamespace AND relkind = 'r'")" \
	"1" "only schema_migrations is left"

run "$ETL" --db "$C" migrate up
expect_rc 0 "up again after down to zero"

# An edited applied migration is refused, with the file named.
cp -r "$STRATO_TOP/sql/migrations" "$work/sql"
echo "-- edited" >>"$work/sql/0001_base.up.sql"
run "$ETL" --db "$C" migrate up --sql-dir "$work/sql"
expect_rc 1 "edited migration refused"
expect_contains "$err" "migration 0001_base was edited after it was applied" \
	"the error names the edited migration"
expect_contains "$err" "HINT:" "with a hint"
run "$ETL" --db "$C" migrate status --sql-dir "$work/sql"
expect_contains "$out" "applied, file edited" "status shows the edit"

# Two migrators at once on an empty database: one applied set.
db2=e2e_migrate_race
new_db $db2
C2=$(conninfo postgres $db2)
"$ETL" --db "$C2" migrate up >"$work/r1" 2>&1 &
p1=$!
"$ETL" --db "$C2" migrate up >"$work/r2" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
expect_eq "$r1$r2" "00" "both concurrent migrators succeed"
expect_eq "$(sql $db2 "SELECT count(*) FROM strato.schema_migrations")" "$n" \
	"the set is applied once"
applied=$(cat "$work/r1" "$work/r2" | grep -c '^applying')
expect_eq "$applied" "$n" "each migration ran exactly once across both"

# Usage errors are exit 2; connection errors exit 1.
run "$ETL" --db "$C" migrate sideways
expect_rc 2 "unknown migrate action"
run "$ETL" --db "$C" migrate up --to banana
expect_rc 2 "bad --to"
run "$ETL" --db "host=$work/nowhere" migrate status
expect_rc 1 "no server"
expect_contains "$err" "cannot connect to the database" "connection error said plainly"
run "$ETL" frobnicate
expect_rc 2 "unknown subcommand"

finish
