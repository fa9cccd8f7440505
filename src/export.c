/*
 * export.c - leads out, as CSV or JSON lines, with COPY ... TO STDOUT.
 *
 * COPY takes no bind parameters, so the filters travel as transaction-local
 * settings set with set_config($1) and read by the query with
 * current_setting(): user text never becomes SQL text. The CSV header uses
 * the names the import reads, so an export imports back into the same
 * leads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-internal.h"
#include "strato/import.h"
#include "strato/tenant.h"

#define SETTING(name) "nullif(current_setting('strato.export_" name "'), '')"

static const char *const select_cols =
	"SELECT l.nombre, coalesce(l.telefono, l.telefono_e164) AS telefono,"
	" l.email, l.origen, l.estado, l.tipo, l.operacion, l.tipo_propiedad,"
	" l.zona_interes AS zona, %s AS zonas, l.presupuesto_min,"
	" l.presupuesto_max, l.moneda, l.ambientes, %s AS tags, l.notas,"
	" u.email AS asignado, l.es_cliente, l.opt_out, l.custom,"
	" l.telefono_e164, l.created_at"
	" FROM strato.lead l LEFT JOIN strato.app_user u"
	" ON u.tenant_id = l.tenant_id AND u.id = l.assigned_to_id"
	" WHERE l.tenant_id = current_setting('app.tenant_id')::uuid"
	" AND l.deleted_at IS NULL"
	" AND (" SETTING("estado") " IS NULL OR l.estado = " SETTING("estado") ")"
	" AND (" SETTING("origen") " IS NULL OR l.origen = " SETTING("origen") ")"
	" AND (" SETTING("tag") " IS NULL OR l.tags @> ARRAY[" SETTING("tag") "])"
	" AND (" SETTING("since") " IS NULL"
	"      OR l.created_at >= " SETTING("since") "::timestamptz)"
	" ORDER BY l.created_at, l.id";

static int
set_filters(struct st_db *db, const struct st_export_opts *o,
	    struct st_error *err)
{
	const char *const names[] = { "estado", "origen", "tag", "since" };
	const char *const values[] = { o->estado, o->origen, o->tag, o->since };

	for (size_t i = 0; i < ST_ARRAY_SIZE(names); i++) {
		char *key = st_xasprintf("strato.export_%s", names[i]);
		int r = st_db_run(db, "SELECT set_config($1, coalesce($2, ''), true)",
				  2, (const char *const[]){ key, values[i] }, err);

		free(key);
		if (r < 0)
			return -1;
	}
	/* A bad date is an error here, not in the middle of the COPY. */
	if (o->since && st_db_run(db, "SELECT $1::timestamptz", 1, &o->since,
				  err) < 0)
		return -1;
	return 0;
}

/*
 * Stream the tenant's leads to o->out. CSV: a header and RFC 4180 rows, the
 * arrays as "a, b". JSON lines: one object per lead, arrays as arrays and
 * custom as an object.
 */
int
st_export_leads(struct st_db *db, const char *tenant_id,
		const struct st_export_opts *o, long long *rows,
		struct st_error *err)
{
	char *select = NULL, *copy = NULL;
	PGresult *res = NULL;
	char *buf = NULL;
	bool failed = false;
	int n;
	int ret = -1;

	*rows = 0;
	if (st_tenant_begin(db, tenant_id, err) < 0)
		return -1;
	if (set_filters(db, o, err) < 0)
		goto cleanup;
	if (o->format == ST_EXPORT_CSV) {
		select = st_xasprintf(select_cols, "array_to_string(l.zonas, ', ')",
				      "array_to_string(l.tags, ', ')");
		copy = st_xasprintf("COPY (%s) TO STDOUT WITH (FORMAT csv,"
				    " HEADER, FORCE_QUOTE (nombre))", select);
	} else {
		select = st_xasprintf(select_cols, "l.zonas", "l.tags");
		/* CSV format with separators JSON never emits raw: lines stay
		 * exactly as row_to_json wrote them. */
		copy = st_xasprintf("COPY (SELECT row_to_json(x) FROM (%s) x) TO"
				    " STDOUT WITH (FORMAT csv, DELIMITER E'\\x02',"
				    " QUOTE E'\\x01')", select);
	}
	res = PQexec(db->conn, copy);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		st_db_error(err, res, db->conn);
		goto cleanup;
	}
	PQclear(res);
	res = NULL;
	while ((n = PQgetCopyData(db->conn, &buf, 0)) > 0) {
		if (!failed && fwrite(buf, 1, (size_t)n, o->out) != (size_t)n) {
			st_error_set(err, ST_EIO, "cannot write the export");
			failed = true; /* keep reading: the COPY must finish */
		}
		PQfreemem(buf);
		(*rows)++;
	}
	if (n == -2 && !failed) {
		st_db_error(err, NULL, db->conn);
		failed = true;
	}
	if (st_db_copy_results(db->conn, failed ? NULL : err) < 0)
		failed = true;
	if (failed)
		goto cleanup;
	if (o->format == ST_EXPORT_CSV && *rows > 0)
		(*rows)--; /* the header */
	if (fflush(o->out) != 0) {
		st_error_set(err, ST_EIO, "cannot write the export");
		goto cleanup;
	}
	ret = st_tenant_commit(db, err);
cleanup:
	if (ret < 0)
		st_db_rollback(db);
	PQclear(res);
	free(select);
	free(copy);
	return ret;
}
