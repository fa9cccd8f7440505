# strato-etl legacy: the sample install copied and compared column by
# column, caught up, verified, rolled back, cut over; the legacy tables
# never written; conflicts reported; a SIGKILL mid-copy then a rerun.
. "$(dirname "$0")/lib.sh"

TABLES='User Assistant Lead Event Conversation Message WhatsAppTemplate WhatsAppSync'

# load_legacy DB: a legacy install from the sample, with a web-app role
load_legacy() {
	new_db "$1"
	psql "$(conninfo postgres "$1")" -XqAt -v ON_ERROR_STOP=1 \
		-f "$STRATO_TOP/sql/legacy/schema.sql" \
		-f "$STRATO_TOP/tests/data/legacy/sample.sql" >/dev/null
}

# legacy_sums DB: one checksum of every legacy table's full content
legacy_sums() {
	for t in $TABLES; do
		sql "$1" "SELECT '$t:' || count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x.id)), '')
			FROM public.\"$t\" x"
	done
}

db=e2e_legacy
load_legacy $db
C=$(conninfo postgres $db)
sql $db "DROP ROLE IF EXISTS e2e_webapp; CREATE ROLE e2e_webapp LOGIN;
	GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO e2e_webapp" >/dev/null
before=$(legacy_sums $db)

run "$ETL" --db "$C" legacy status --tenant-slug sur
expect_rc 1 "status before the STRATO schema exists"
expect_contains "$err" "schema is not installed" "says the schema is missing"

run "$ETL" --db "$C" legacy copy --tenant-slug sur --tenant-name "Inmobiliaria Sur"
expect_rc 0 "copy the sample install"
expect_contains "$err" "applied" "copy ran the pending migrations itself"
expect_contains "$out" "verified: every table matches" "copy ends with a passing verify"
expect_eq "$(legacy_sums $db)" "$before" "copy did not write the legacy tables"
T=$(sql $db "SELECT id FROM strato.tenant WHERE slug = 'sur'")
expect_eq "$(sql $db "SELECT nombre FROM strato.tenant WHERE id = '$T'")" "Inmobiliaria Sur" \
	"the default tenant was created with its name"

# Byte for byte: every column of every row, compared through SQL with the
# legacy row (ids kept, timestamps to the millisecond, UTF-8 intact).
cmp_rows() { # TABLE TARGET CONDITION
	sql $db "SELECT count(*) || '/' || (SELECT count(*) FROM public.\"$1\")
		FROM public.\"$1\" l JOIN strato.$2 t ON t.id = l.id AND t.tenant_id = '$T'
		WHERE $3"
}
n=$(cmp_rows User app_user "t.email = lower(l.email) AND t.nombre = l.nombre
	AND t.password_hash IS NOT DISTINCT FROM l.\"passwordHash\" AND t.role = l.role::text
	AND t.is_active = l.\"isActive\" AND t.login IS NULL
	AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'
	AND t.updated_at = l.\"updatedAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "3/3" "User rows identical, no logins yet"
n=$(cmp_rows Assistant assistant "t.nombre = l.nombre AND t.prompt IS NOT DISTINCT FROM l.prompt
	AND t.config = l.config::jsonb AND t.voice_id IS NOT DISTINCT FROM l.\"voiceId\"
	AND t.is_active = l.\"isActive\" AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'
	AND t.updated_at = l.\"updatedAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "1/1" "Assistant rows identical (JSON as jsonb)"
n=$(cmp_rows Lead lead "t.nombre = l.nombre AND t.telefono IS NOT DISTINCT FROM l.telefono
	AND t.email IS NOT DISTINCT FROM l.email AND t.origen IS NOT DISTINCT FROM l.origen
	AND t.estado = l.estado::text AND t.tipo IS NOT DISTINCT FROM l.tipo::text
	AND t.presupuesto IS NOT DISTINCT FROM l.presupuesto
	AND t.zona_interes IS NOT DISTINCT FROM l.\"zonaInteres\"
	AND t.notas IS NOT DISTINCT FROM l.notas AND t.tags = coalesce(l.tags, '{}')
	AND t.es_cliente = l.\"esCliente\" AND t.opt_out = l.\"optOut\"
	AND t.manychat_id IS NOT DISTINCT FROM l.\"manychatId\"
	AND t.uchat_id IS NOT DISTINCT FROM l.\"uchatId\" AND t.wa_id IS NOT DISTINCT FROM l.\"waId\"
	AND t.assigned_to_id IS NOT DISTINCT FROM l.\"assignedToId\"
	AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'
	AND t.updated_at = l.\"updatedAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "7/7" "Lead rows identical (quotes, newlines, tabs, emoji, arrays)"
n=$(cmp_rows Event event "t.lead_id = l.\"leadId\" AND t.user_id IS NOT DISTINCT FROM l.\"userId\"
	AND t.tipo = l.tipo::text AND t.titulo = l.titulo AND t.fecha = l.fecha AT TIME ZONE 'UTC'
	AND t.completado = l.completado AND t.notas IS NOT DISTINCT FROM l.notas
	AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "3/3" "Event rows identical"
n=$(cmp_rows Conversation conversation "t.lead_id = l.\"leadId\"
	AND t.assistant_id IS NOT DISTINCT FROM l.\"assistantId\" AND t.canal = l.canal::text
	AND t.external_id IS NOT DISTINCT FROM l.\"externalId\" AND t.abierta = l.abierta
	AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'
	AND t.updated_at = l.\"updatedAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "2/2" "Conversation rows identical"
n=$(cmp_rows Message message "t.conversation_id = l.\"conversationId\"
	AND t.direccion = l.direccion::text AND t.contenido IS NOT DISTINCT FROM l.contenido
	AND t.tipo = l.tipo AND t.media_url IS NOT DISTINCT FROM l.\"mediaUrl\"
	AND t.external_id IS NOT DISTINCT FROM l.\"externalId\"
	AND t.estado IS NOT DISTINCT FROM l.estado
	AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "4/4" "Message rows identical"
n=$(cmp_rows WhatsAppTemplate whatsapp_template "t.nombre = l.nombre AND t.idioma = l.idioma
	AND t.categoria = l.categoria AND t.contenido = l.contenido
	AND t.variables IS NOT DISTINCT FROM l.variables::jsonb AND t.estado = l.estado
	AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'
	AND t.updated_at = l.\"updatedAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "2/2" "WhatsAppTemplate rows identical"
n=$(cmp_rows WhatsAppSync whatsapp_sync "t.lead_id = l.\"leadId\" AND t.wa_id = l.\"waId\"
	AND t.last_sync_at IS NOT DISTINCT FROM l.\"lastSyncAt\" AT TIME ZONE 'UTC'
	AND t.estado = l.estado AND t.error IS NOT DISTINCT FROM l.error
	AND t.created_at = l.\"createdAt\" AT TIME ZONE 'UTC'")
expect_eq "$n" "2/2" "WhatsAppSync rows identical"
expect_eq "$(sql $db "SELECT count(*) FROM strato.message m JOIN strato.conversation c
	ON c.id = m.conversation_id WHERE m.tenant_id IS DISTINCT FROM c.tenant_id")" "0" \
	"every message carries its conversation's tenant"
expect_eq "$(sql $db "SELECT string_agg(coalesce(telefono_e164, '-'), ' ' ORDER BY id) FROM strato.lead")" \
	"+5491145678901 +5491123456789 +5493514567890 +5492235550101 - - +59899123456" \
	"phones normalised to E.164 beside the originals (invalid and missing: none)"
expect_eq "$(sql $db "SELECT zonas::text || ' ' || operacion FROM strato.lead WHERE id = 'clu0lead00000000000000002'")" \
	"{Caballito,Almagro} VENTA" "preferences read from the legacy free text"

# A second copy with nothing changed changes nothing.
run "$ETL" --db "$C" legacy copy --tenant-slug sur --json
expect_rc 0 "second copy"
expect_eq "$(json "sum(r['new'] + r['changed'] + r['deleted'] for r in j['copy'])")" \
	"0" "a second copy reports zero changes"
expect_eq "$(json "all(r['match'] for r in j['verify'])")" "True" "copy --json is one document"

# Changes in the legacy install since are picked up, and only they.
sql $db "UPDATE public.\"Lead\" SET nombre = 'María José Núñez (VIP)' WHERE id = 'clu0lead00000000000000001';
	INSERT INTO public.\"Lead\" (id, nombre, telefono, \"updatedAt\")
	VALUES ('clu0lead00000000000000099', 'Nueva Lead ñ', '(0351) 15-456-7890', '2025-02-02 10:00:00.123');
	DELETE FROM public.\"Message\" WHERE id = 'clu0msg000000000000000004'" >/dev/null
changed=$(legacy_sums $db)
run "$ETL" --db "$C" legacy copy --tenant-slug sur
expect_rc 0 "catch-up copy"
expect_contains "$(printf '%s\n' "$out" | grep '^Lead ')" "Lead                 8    1        2        0" \
	"one new lead, two changed (the edit, and the one now sharing a phone)"
expect_contains "$(printf '%s\n' "$out" | grep '^Message ')" "Message              3    0        0        1" \
	"the deleted message is removed"
expect_contains "$err" "clu0lead00000000000000003, clu0lead00000000000000099" \
	"the phone clash is reported with both ids"
expect_eq "$(sql $db "SELECT count(*) FROM strato.lead WHERE telefono_ambiguo")" "2" \
	"both clashing leads kept, marked ambiguous"
expect_eq "$(legacy_sums $db)" "$changed" "the catch-up did not write the legacy tables"

# verify catches a difference made behind its back, copy repairs it.
sql $db "UPDATE strato.event SET titulo = 'tampered' WHERE id = 'clu0evt000000000000000001'" >/dev/null
run "$ETL" --db "$C" legacy verify --tenant-slug sur --json
expect_rc 4 "verify fails on a difference (exit 4)"
expect_eq "$(json "[r['table'] for r in j if not r['match']]")" "['Event']" "and names the table"
expect_eq "$(legacy_sums $db)" "$changed" "verify did not write the legacy tables"
run "$ETL" --db "$C" legacy status --tenant-slug sur
expect_rc 0 "status"
expect_contains "$out" "verified: " "status shows the verification"
expect_eq "$(legacy_sums $db)" "$changed" "status did not write the legacy tables"
run "$ETL" --db "$C" legacy cutover --tenant-slug sur
expect_rc 1 "cutover refused after a failed verify"
expect_contains "$err" "did not pass" "says why"
run "$ETL" --db "$C" legacy copy --tenant-slug sur
expect_rc 0 "copy repairs it"

# Rollback returns strato.* to empty for the tenant, the legacy untouched.
run "$ETL" --db "$C" legacy rollback --tenant-slug sur
expect_rc 0 "rollback"
expect_contains "$out" 'tenant "sur" removed' "the tenant the copy made is removed"
left=0
for t in app_user assistant lead event conversation message whatsapp_template whatsapp_sync \
	legacy_migration audit_log; do
	left=$((left + $(sql $db "SELECT count(*) FROM strato.$t")))
done
expect_eq "$left" "0" "strato.* is empty again"
expect_eq "$(legacy_sums $db)" "$changed" "rollback did not write the legacy tables"

# Cut-over: refused while the legacy changed since the last verify.
run "$ETL" --db "$C" legacy copy --tenant-slug sur
sql $db "UPDATE public.\"Lead\" SET notas = 'otra nota' WHERE id = 'clu0lead00000000000000005'" >/dev/null
run "$ETL" --db "$C" legacy cutover --tenant-slug sur
expect_rc 1 "cutover refused when the legacy changed since the last verify"
expect_contains "$err" "changed since the last verify" "says so"
run "$ETL" --db "$C" legacy copy --tenant-slug sur
run "$ETL" --db "$C" legacy cutover --tenant-slug sur
expect_rc 0 "cutover"
expect_contains "$out" 'GRANT INSERT ON public."Lead" TO e2e_webapp;' "cutover says how to undo it"
cut=$(legacy_sums $db)
run psql "$(conninfo e2e_webapp $db)" -XqAt -v ON_ERROR_STOP=1 \
	-c "UPDATE public.\"Lead\" SET nombre = 'x' WHERE id = 'clu0lead00000000000000005'"
expect_rc 1 "the web application can no longer write the legacy tables"
expect_contains "$err" "permission denied" "refused by the server"
run psql "$(conninfo e2e_webapp $db)" -XqAt -c "SELECT count(*) FROM public.\"Lead\""
expect_eq "$out" "8" "it can still read them"
run "$ETL" --db "$C" legacy rollback --tenant-slug sur
expect_rc 1 "rollback refused after cut-over"
expect_contains "$err" "cannot be rolled back" "with an explanation"
run "$ETL" --db "$C" legacy copy --tenant-slug sur
expect_rc 1 "copy refused after cut-over"
run "$ETL" --db "$C" legacy status --tenant-slug sur --json
expect_eq "$(json "j['cutover_at'] is not None and j['verify_ok']")" "True" "status shows the cut-over"
expect_eq "$(legacy_sums $db)" "$cut" "nothing after cut-over wrote the legacy tables"

# Users whose e-mails clash once lower-cased: reported, nothing copied.
db2=e2e_legacy_clash
load_legacy $db2
sql $db2 "INSERT INTO public.\"User\" (id, email, nombre, \"updatedAt\")
	VALUES ('clu0dupe', 'Marta@Inmobiliaria-Sur.com.ar', 'Marta bis', now())" >/dev/null
run "$ETL" --db "$(conninfo postgres $db2)" legacy copy --tenant-slug sur
expect_rc 1 "clashing e-mails stop the copy"
expect_contains "$err" "clu0admin0000000000000001, clu0dupe" "both ids named"
expect_eq "$(sql $db2 "SELECT count(*) FROM strato.tenant")" "0" "nothing copied"

run "$ETL" --db "$(conninfo postgres $db2)" legacy copy --tenant-slug sur --legacy-schema nada
expect_rc 1 "a schema without an install"
expect_contains "$err" 'no legacy install in schema "nada"' "said plainly"
run "$ETL" --db "$(conninfo postgres $db2)" legacy copy
expect_rc 2 "--tenant-slug is required"

# SIGKILL in the middle of a large table, then run again: verify passes.
db3=e2e_legacy_kill
load_legacy $db3
sql $db3 "INSERT INTO public.\"Message\" (id, \"conversationId\", direccion, contenido, \"createdAt\")
	SELECT 'gen' || lpad(i::text, 8, '0'), 'clu0conv00000000000000001', 'ENTRANTE',
	       'mensaje número ' || i, '2025-01-01'::timestamp + i * interval '1 second'
	FROM generate_series(1, 300000) i" >/dev/null
C3=$(conninfo postgres $db3)
"$ETL" --quiet --db "$C3" legacy copy --tenant-slug sur --chunk-rows 5000 >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ]; do
	busy=$(sql $db3 "SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND query LIKE '%INSERT INTO strato.message%'" 2>/dev/null)
	[ "${busy:-0}" -gt 0 ] && break
	i=$((i + 1))
	sleep 0.05
done
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(sql $db3 "SELECT count(*) FROM strato.message")
case $n in
0|300004) pass "after SIGKILL the message step is all or nothing ($n rows)" ;;
*) fail "after SIGKILL strato.message holds $n rows (a partial step)" ;;
esac
run "$ETL" --db "$C3" legacy copy --tenant-slug sur
expect_rc 0 "the rerun completes the copy"
expect_contains "$out" "verified: every table matches" "and verify passes"
expect_eq "$(sql $db3 "SELECT count(*) FROM strato.message")" "300004" "every message is there once"

finish
