/*
 * check_lead_list.c - st_lead_list() sends one prepared statement per
 * shape of filter (lead-query.c). Every shape, both sorts, walked page by
 * page on one connection, must give exactly the leads and the order of
 * the catch-all statement (LEAD_MATCH_SQL, every filter "$n IS NULL OR
 * ..."), with custom plans and with generic ones, and across a reconnect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "db-internal.h"
#include "lead-sql.h"
#include "strato/lead.h"
#include "strato/util.h"
#include "suites.h"
#include "testdb.h"

/* The reference: every matching lead's id in the given order, one per line. */
#define REF_SQL(order) \
	"SELECT coalesce(string_agg(id, E'\\n' ORDER BY " order "), '') FROM" \
	" (SELECT l.id, l.nombre, l.created_at FROM strato.lead l" \
	"  LEFT JOIN strato.app_user u ON u.tenant_id = l.tenant_id" \
	"  AND u.id = l.assigned_to_id WHERE " LEAD_MATCH_SQL ") l"

struct fixture {
	const char *dbname;
	char svc[64];
	char sur[37];
};

/*
 * Tenants sur (90 leads) and norte (30, the same values): estados, tipos,
 * tags, origenes, zonas and zona_interes, names with accents and repeats
 * (the by-name keyset's tie on id), some on the same created_at (the
 * newest-first keyset's tie), one agent with a share of them, a deleted one.
 */
static void
setup(struct fixture *f)
{
	char sql[256];
	PGconn *c;
	char *v;

	f->dbname = testdb_fresh();
	snprintf(f->svc, sizeof(f->svc), "%s_svc", f->dbname);
	c = testdb_super(f->dbname);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE strato_service",
		 f->svc);
	testdb_exec(c, sql);
	testdb_exec(c, "INSERT INTO strato.tenant (nombre, slug) VALUES"
		    " ('Sur', 'sur'), ('Norte', 'norte')");
	testdb_exec(c, "INSERT INTO strato.app_user (tenant_id, id, email,"
		    " nombre, role) SELECT id, 'u-' || slug, 'ag@' || slug ||"
		    " '.com.ar', 'Ag', 'AGENT' FROM strato.tenant");
	testdb_exec(c, "INSERT INTO strato.lead (tenant_id, nombre, estado,"
		    " tipo, tags, origen, zonas, zona_interes, assigned_to_id,"
		    " telefono_e164, created_at, deleted_at)"
		    " SELECT t.id, (ARRAY['Núñez', 'Nunez', 'Ana Gómez',"
		    "  'Iturbe', 'gon_zalo', 'Peña 100%'])[1 + i % 6]"
		    "  || CASE WHEN i % 4 = 0 THEN '' ELSE ' ' || i END,"
		    " (ARRAY['NUEVO', 'CONTACTADO', 'GANADO'])[1 + i % 3],"
		    " CASE WHEN i % 5 > 0 THEN (ARRAY['COMPRADOR',"
		    "  'INQUILINO'])[1 + i % 2] END,"
		    " CASE i % 3 WHEN 0 THEN ARRAY['meta', 'vip']"
		    "  WHEN 1 THEN ARRAY['meta', 'x'] ELSE ARRAY['zz'] END,"
		    " (ARRAY['meta', 'web', NULL])[1 + i % 3],"
		    " CASE WHEN i % 2 = 0 THEN ARRAY['Palermo', 'Belgrano']"
		    "  ELSE '{}' END,"
		    " CASE WHEN i % 7 = 0 THEN 'PALERMO' END,"
		    " CASE WHEN i % 3 = 1 THEN 'u-' || t.slug END,"
		    " '+54911' || (40000000 + i),"
		    " timestamptz '2026-01-01' + (i / 3) * interval '1 hour',"
		    " CASE WHEN i = 17 THEN now() END"
		    " FROM strato.tenant t, generate_series(1, 90) i"
		    " WHERE t.slug = 'sur' OR i <= 30");
	testdb_exec(c, "ANALYZE strato.lead");
	v = testdb_value(c, "SELECT id FROM strato.tenant WHERE slug = 'sur'");
	snprintf(f->sur, sizeof(f->sur), "%s", v);
	free(v);
	PQfinish(c);
}

/* st_lead_list's pages of 7, walked to the end: ids, one per line. */
static char *
walk(struct st_db *db, const char *tenant, struct st_lead_filter *flt)
{
	struct st_buf b;
	struct st_lead_list l;
	struct st_error err;
	char *after = NULL;

	st_buf_init(&b);
	flt->limit = 7;
	for (int pages = 0; pages < 100; pages++) {
		flt->after = after;
		ck_assert_msg(st_lead_list(db, tenant, flt, &l, &err) == 0,
			      "st_lead_list: %s", err.message);
		for (size_t i = 0; i < l.n; i++)
			st_buf_addf(&b, "%s%s", b.len ? "\n" : "", l.items[i].id);
		free(after);
		after = l.next ? st_xstrdup(l.next) : NULL;
		st_lead_list_release(&l);
		if (!after)
			break;
	}
	ck_assert_ptr_null(after);
	flt->after = NULL;
	return b.len ? st_buf_detach(&b) : st_xstrdup("");
}

/* The same from the reference statement, as the superuser. */
static char *
reference(PGconn *c, const char *tenant, const struct st_lead_filter *flt,
	  bool by_name)
{
	const char *p[] = { tenant, flt->estado, flt->tipo, flt->tag,
			    flt->origen, flt->zona, flt->assigned, flt->search };
	PGresult *res = PQexecParams(c, by_name ?
		REF_SQL("nombre, id") : REF_SQL("created_at DESC, id DESC"),
		8, NULL, p, NULL, NULL, 0);
	char *v;

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
		      PQresultErrorMessage(res));
	v = st_xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/*
 * Every one of the 128 combinations of the seven filters, both sorts;
 * returns how many gave a non-empty list (so the data exercised them).
 */
static int
all_shapes(struct st_db *db, PGconn *super, const char *tenant)
{
	static const char *vals[] = { "nuevo", "Comprador", "meta", "web",
				      "palermo", "AG@sur.com.ar", "nunez" };
	int nonempty = 0;

	for (unsigned m = 0; m < 128; m++) {
		for (int by_name = 0; by_name < 2; by_name++) {
			struct st_lead_filter flt = { 0 };
			const char **field[] = { &flt.estado, &flt.tipo,
				&flt.tag, &flt.origen, &flt.zona,
				&flt.assigned, &flt.search };
			char *got, *want;

			for (int i = 0; i < 7; i++)
				if (m & (1u << i))
					*field[i] = vals[i];
			flt.sort = by_name ? "nombre" : NULL;
			got = walk(db, tenant, &flt);
			want = reference(super, tenant, &flt, by_name);
			ck_assert_msg(strcmp(got, want) == 0, "filters %#x, %s:"
				      "\n got: %s\nwant: %s", m, by_name ?
				      "by name" : "newest first", got, want);
			nonempty += *want != '\0';
			free(got);
			free(want);
		}
	}
	return nonempty;
}

START_TEST(test_every_shape_matches_the_catch_all)
{
	struct fixture f;
	struct st_db *db;
	struct st_error err;
	PGconn *super;
	size_t shapes;
	int n;

	setup(&f);
	super = testdb_super(f.dbname);
	db = testdb_connect(f.svc, f.dbname);
	n = all_shapes(db, super, f.sur);
	/* the data is rich enough that most combinations match something */
	ck_assert_msg(n >= 60, "only %d of 256 lists were not empty", n);
	/* a statement per shape (with and without a cursor), prepared once */
	shapes = db->nprepared;
	ck_assert_msg(shapes > 256 && shapes <= 512, "%zu statements", shapes);
	/* again, every statement on its generic plan */
	ck_assert_int_eq(st_db_run(db, "SET plan_cache_mode ="
				   " force_generic_plan", 0, NULL, &err), 0);
	ck_assert_int_eq(all_shapes(db, super, f.sur), n);
	ck_assert_uint_eq(db->nprepared, shapes);
	/* a failing page (a cursor that is no time) leaves the connection
	 * usable and the statement prepared */
	{
		struct st_lead_filter bad = { .after = "mañana|x", .limit = 5 };
		struct st_lead_list l;

		ck_assert_int_eq(st_lead_list(db, f.sur, &bad, &l, &err), -1);
		ck_assert_str_eq(err.message, "invalid page cursor \"mañana|x\"");
		ck_assert_int_eq(st_lead_list(db, f.sur, &bad, &l, &err), -1);
		ck_assert_str_eq(err.message, "invalid page cursor \"mañana|x\"");
		bad.after = NULL;
		ck_assert_int_eq(st_lead_list(db, f.sur, &bad, &l, &err), 0);
		ck_assert_uint_eq(l.n, 5);
		st_lead_list_release(&l);
		ck_assert_uint_eq(db->nprepared, shapes);
	}
	/* a new session has no prepared statements: they are made again */
	ck_assert_int_eq(st_db_reconnect(db, &err), 0);
	ck_assert_uint_eq(db->nprepared, 0);
	ck_assert_int_eq(all_shapes(db, super, f.sur), n);
	st_db_close(db);
	PQfinish(super);
}
END_TEST

Suite *
lead_list_suite(void)
{
	Suite *s = suite_create("lead_list");
	TCase *tc = tcase_create("shapes");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_shape_matches_the_catch_all);
	suite_add_tcase(s, tc);
	return s;
}
