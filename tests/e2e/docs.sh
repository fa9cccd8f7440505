# The man pages, help and the command tables list the same commands and
# flags, and the pages render without warnings.
. "$(dirname "$0")/lib.sh"

man1=$STRATO_TOP/man/strato.1
man2=$STRATO_TOP/man/strato-etl.1

# Commands in the table (help --csv: command column).
"$STRATO" help --csv | sed 1d | cut -d, -f1 | sort >"$work/table"
# Commands in the man page: the .SS headings of COMMANDS, first words.
# A command without a verb (help, use, quit) has its arguments, or
# nothing, after its name.
awk '/^\.SH COMMANDS/{on=1; next} /^\.SH/{on=0} on && /^\.SS /{
	if ($3 == "" || $3 ~ /^[[A-Z]/) print $2; else print $2 " " $3 }' "$man1" |
	sort >"$work/man"
if cmp -s "$work/table" "$work/man"; then
	pass "strato(1) documents exactly the commands of the table"
else
	fail "strato(1) and the command table differ" "$(diff "$work/table" "$work/man")"
fi
[ -s "$work/table" ] && pass "the table is not empty" || fail "empty command table"

# Every flag a command accepts is in its man page heading (--json and
# --csv, which every command takes, are documented once).
before=$fails
nflags=0
while read -r cmd; do
	[ "$cmd" = help ] && continue
	heading=$(grep -F ".SS $cmd" "$man1" | head -n 1 | tr -d '\\')
	# shellcheck disable=SC2086
	for flag in $("$STRATO" $cmd --help | grep -oE '^  --[a-z-]+' | tr -d ' '); do
		case $flag in --json|--csv) continue ;; esac
		nflags=$((nflags + 1))
		case $heading in
		*"$flag"*) ;;
		*) fail "strato(1) lacks $flag of \"$cmd\"" "$heading" ;;
		esac
	done
done <"$work/table"
[ "$fails" -eq "$before" ] && [ "$nflags" -gt 0 ] &&
	pass "all $nflags flags of the commands are in strato(1)"

# strato-etl: subcommands and migrate actions.
"$ETL" --help | awk '/^subcommands:/{on=1; next} on && !NF {exit} on {print $1}' | sort >"$work/etl"
grep -E '^\.SS ' "$man2" | awk '{print $2}' | sort -u >"$work/etlman"
if cmp -s "$work/etl" "$work/etlman"; then
	pass "strato-etl(1) documents exactly the subcommands"
else
	fail "strato-etl(1) and the subcommands differ" "$(diff "$work/etl" "$work/etlman")"
fi
for action in $("$ETL" migrate --help | grep -oE 'migrate (status|up|down)' | awk '{print $2}' | sort -u); do
	if grep -q "^\.SS migrate $action" "$man2"; then
		pass "strato-etl(1) documents migrate $action"
	else
		fail "strato-etl(1) lacks migrate $action"
	fi
done
for action in $("$ETL" legacy --help | sed -n 's/.*legacy (\(.*\)).*/\1/p' | tr -d '|' ); do
	if grep -q "^\.SS legacy $action" "$man2"; then
		pass "strato-etl(1) documents legacy $action"
	else
		fail "strato-etl(1) lacks legacy $action"
	fi
done
# every long option of legacy, import and export is in the page
nflags=0
before=$fails
for sub in legacy "import leads" "export leads" ingest "campaigns run"; do
	# shellcheck disable=SC2086
	for flag in $("$ETL" $sub --help | grep -oE -- '--[a-z-]+' | sort -u); do
		nflags=$((nflags + 1))
		if tr -d '\\' <"$man2" | grep -q -- "$flag"; then :; else
			fail "strato-etl(1) lacks $flag of $sub"
		fi
	done
	if grep -q "^\.SS $sub" "$man2" || [ "$sub" = legacy ]; then :; else
		fail "strato-etl(1) has no section for $sub"
	fi
done
[ "$fails" -eq "$before" ] && [ "$nflags" -gt 20 ] &&
	pass "all $nflags options of legacy, import and export are in strato-etl(1)"

# Both pages render cleanly.
for page in "$man1" "$man2" "$STRATO_TOP/man/strato-campaign.5" \
	"$STRATO_TOP/man/strato-integrations.7" "$STRATO_TOP/man/strato-campaigns.7"; do
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	expect_eq "$warn" "" "$(basename "$page") renders without warnings"
done

# README gives the two set-up commands.
expect_contains "$(cat "$STRATO_TOP/README.md")" "make check" "README gives make check"
expect_contains "$(cat "$STRATO_TOP/README.md")" "make demo" "README gives make demo"

finish
