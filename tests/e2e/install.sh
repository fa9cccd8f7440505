# make install / uninstall honour PREFIX and DESTDIR, and the installed
# strato-etl finds its migrations wherever the tree is put.
. "$(dirname "$0")/lib.sh"

dest=$work/dest
# The same build variables as the build under test (make asan sets them).
run sh -c "make -s -C '$STRATO_TOP' ${STRATO_MAKEVARS:-BUILD='$STRATO_BUILD'} PREFIX=/opt/strato DESTDIR='$dest' install"
expect_rc 0 "make install"
for f in bin/strato bin/strato-etl share/man/man1/strato.1 share/man/man1/strato-etl.1 \
	share/man/man5/strato-campaign.5 share/man/man7/strato-integrations.7 \
	share/man/man7/strato-campaigns.7 \
	share/strato/migrations/0001_base.up.sql share/strato/migrations/0001_base.down.sql; do
	if [ -f "$dest/opt/strato/$f" ]; then pass "installed $f"
	else fail "not installed: $f"; fi
done

# Moved elsewhere, it still finds bin/../share/strato/migrations.
mv "$dest/opt/strato" "$work/moved"
db=e2e_install
new_db $db
run env -u STRATO_SQLDIR "$work/moved/bin/strato-etl" --db "$(conninfo postgres $db)" migrate up
expect_rc 0 "the installed strato-etl migrates"
expect_eq "$(sql $db "SELECT count(*) > 0 FROM strato.schema_migrations")" "t" \
	"with its installed migrations"
mv "$work/moved" "$dest/opt/strato"

run sh -c "make -s -C '$STRATO_TOP' ${STRATO_MAKEVARS:-BUILD='$STRATO_BUILD'} PREFIX=/opt/strato DESTDIR='$dest' uninstall"
expect_rc 0 "make uninstall"
expect_eq "$(find "$dest" -type f | wc -l)" "0" "uninstall removes every file"

finish
