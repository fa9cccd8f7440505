/*
 * check_lead.c - working leads through libstrato and the command table,
 * against the real server: cleaning, duplicates, clearing, tags, notes,
 * merge, delete and who may delete for good.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "cmd.h"
#include "strato/lead.h"
#include "strato/tenant.h"
#include "strato/user.h"
#include "suites.h"
#include "testdb.h"

struct fixture {
	const char *dbname;
	char svc[64];
	char agent[64];
	char tenant_id[40];
};

static void
setup(struct fixture *f)
{
	char sql[256];
	struct st_db *db;
	struct st_tenant t;
	struct st_user u;
	struct st_error err;
	PGconn *c;

	f->dbname = testdb_fresh();
	snprintf(f->svc, sizeof(f->svc), "%s_svc", f->dbname);
	snprintf(f->agent, sizeof(f->agent), "%s_ag", f->dbname);
	c = testdb_super(f->dbname);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE strato_service",
		 f->svc);
	testdb_exec(c, sql);
	PQfinish(c);
	db = testdb_connect(f->svc, f->dbname);
	ck_assert_int_eq(st_tenant_create(db, "Sur", "sur", NULL, &t, &err), 0);
	snprintf(f->tenant_id, sizeof(f->tenant_id), "%s", t.id);
	st_tenant_release(&t);
	{
		struct st_user_new spec = { "ag@sur.com.ar", "Ag", "agent",
					    f->agent, NULL };

		ck_assert_int_eq(st_user_create(db, f->tenant_id, &spec, &u,
						&err), 0);
		st_user_release(&u);
	}
	st_db_close(db);
}

/* Run one command line (words split on spaces) as db into out. */
static int
run(struct st_db *db, struct st_table *out, struct st_error *err,
    const char *line)
{
	struct cmd_ctx ctx = { .db = db, .tenant_slug = "sur", .out = out };
	enum st_format fmt;
	char buf[512];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 31;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	st_table_init(out);
	st_error_init(err);
	return cmd_run(&ctx, argc, argv, &fmt, err);
}

/* The value of column name in row 0 of t. */
static const char *
cell(const struct st_table *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->col_names[c], name) == 0)
			return t->rows[0][c];
	ck_abort_msg("no column %s", name);
	return NULL;
}

START_TEST(test_create_cleans_and_refuses_duplicates)
{
	struct fixture f;
	struct st_db *db;
	struct st_lead l, l2;
	struct st_error err;
	struct st_lead_spec spec = {
		.nombre = " Ana  Gómez ", .telefono = "011 15 2345-6789",
		.email = " Ana@Example.COM ", .presupuesto = "USD 100-150k",
		.tags = "vip, meta, VIP", .operacion = "alquilar",
		.assigned = "AG@sur.com.ar",
	};

	setup(&f);
	db = testdb_connect(f.agent, f.dbname);
	ck_assert_int_eq(st_lead_create(db, f.tenant_id, &spec, &l, &err), 0);
	ck_assert_str_eq(l.nombre, "Ana Gómez");
	ck_assert_str_eq(l.telefono_e164, "+5491123456789");
	ck_assert_str_eq(l.email, "ana@example.com");
	ck_assert_str_eq(l.presupuesto, "100000-150000 USD");
	ck_assert_str_eq(l.tags, "vip, meta, VIP"); /* as the import keeps them */
	ck_assert_str_eq(l.operacion, "ALQUILER");
	ck_assert_str_eq(l.asignado, "ag@sur.com.ar");
	ck_assert_str_eq(l.estado, "NUEVO");

	spec.nombre = "Otra";
	spec.email = NULL;
	spec.telefono = "+54 9 11 2345-6789";
	ck_assert_int_eq(st_lead_create(db, f.tenant_id, &spec, &l2, &err), -1);
	ck_assert_int_eq(err.code, ST_EEXIST);
	ck_assert_ptr_nonnull(strstr(err.message, l.id));
	spec.telefono = "garbage";
	ck_assert_int_eq(st_lead_create(db, f.tenant_id, &spec, &l2, &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	spec.telefono = NULL;
	ck_assert_int_eq(st_lead_create(db, f.tenant_id, &spec, &l2, &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	st_lead_release(&l);
	st_db_close(db);
}
END_TEST

START_TEST(test_update_estado_tag_note)
{
	struct fixture f;
	struct st_db *db;
	struct st_lead l;
	struct st_lead_note n;
	struct st_error err;
	struct st_lead_spec spec = { .nombre = "Beto", .email = "b@x.com",
				     .notas = "hola", .tags = "a,b" };
	struct st_lead_spec upd = { .email = "", .ambientes = "3 amb" };
	char *ops[] = { "+c", "-A", "d,e" };
	char *id;

	setup(&f);
	db = testdb_connect(f.agent, f.dbname);
	ck_assert_int_eq(st_lead_create(db, f.tenant_id, &spec, &l, &err), 0);
	id = st_xstrdup(l.id);
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_update(db, f.tenant_id, id, &upd, &l, &err), 0);
	ck_assert_ptr_null(l.email);
	ck_assert_str_eq(l.notas, "hola");
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_set_estado(db, f.tenant_id, id, "Ganado", &l,
					    &err), 0);
	ck_assert_str_eq(l.estado, "GANADO");
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_set_estado(db, f.tenant_id, id, "casi", &l,
					    &err), -1);
	ck_assert_int_eq(err.code, ST_EUSAGE);
	ck_assert_int_eq(st_lead_tag(db, f.tenant_id, id, 3, ops, &l, &err), 0);
	ck_assert_str_eq(l.tags, "b, c, d, e");
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_add_note(db, f.tenant_id, id, "Primera línea\n"
					  "segunda", &n, &err), 0);
	ck_assert_str_eq(n.titulo, "Primera línea");
	ck_assert_str_eq(n.usuario, "ag@sur.com.ar");
	st_lead_note_release(&n);
	ck_assert_int_eq(st_lead_get(db, f.tenant_id, id, &l, &err), 0);
	ck_assert_ptr_nonnull(strstr(l.timeline, "\"NOTA\""));
	ck_assert_str_eq(l.notas, "hola");
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_update(db, f.tenant_id, "nope", &upd, &l, &err),
			 -1);
	ck_assert_int_eq(err.code, ST_ENOTFOUND);
	free(id);
	st_db_close(db);
}
END_TEST

START_TEST(test_merge_and_delete)
{
	struct fixture f;
	struct st_db *db, *svc;
	struct st_lead l;
	struct st_lead_dup_list d;
	struct st_error err;
	struct st_lead_spec a = { .nombre = "A", .telefono = "1123456789",
				  .tags = "x" };
	struct st_lead_spec b = { .nombre = "B", .email = "b@x.com",
				  .tags = "X,y" };
	char *ida, *idb, *summary;

	setup(&f);
	db = testdb_connect(f.agent, f.dbname);
	ck_assert_int_eq(st_lead_create(db, f.tenant_id, &a, &l, &err), 0);
	ida = st_xstrdup(l.id);
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_create(db, f.tenant_id, &b, &l, &err), 0);
	idb = st_xstrdup(l.id);
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_duplicates(db, f.tenant_id, &d, &err), 0);
	ck_assert_uint_eq(d.n, 0);
	st_lead_dup_list_release(&d);
	ck_assert_int_eq(st_lead_merge(db, f.tenant_id, ida, idb, &l, &summary,
				       &err), 0);
	ck_assert_str_eq(l.email, "b@x.com");
	ck_assert_str_eq(l.tags, "x, y");
	ck_assert_ptr_nonnull(strstr(summary, idb));
	st_lead_release(&l);
	free(summary);
	ck_assert_int_eq(st_lead_get(db, f.tenant_id, idb, &l, &err), -1);
	ck_assert_int_eq(st_lead_delete(db, f.tenant_id, ida, true, &l, &err),
			 -1);
	ck_assert_int_eq(err.code, ST_EPERM);
	ck_assert_int_eq(st_lead_delete(db, f.tenant_id, ida, false, &l, &err),
			 0);
	st_lead_release(&l);
	ck_assert_int_eq(st_lead_get(db, f.tenant_id, ida, &l, &err), -1);
	svc = testdb_connect(f.svc, f.dbname);
	ck_assert_int_eq(st_lead_delete(svc, f.tenant_id, ida, true, &l, &err),
			 0);
	st_lead_release(&l);
	free(ida);
	free(idb);
	st_db_close(svc);
	st_db_close(db);
}
END_TEST

START_TEST(test_commands)
{
	struct fixture f;
	struct st_db *db;
	struct st_table out;
	struct st_error err;
	char line[256];
	char *id;

	setup(&f);
	db = testdb_connect(f.agent, f.dbname);
	ck_assert_int_eq(run(db, &out, &err, "lead create --name Ceci "
			     "--phone +5491155550000 --tag a --tag b,c "
			     "--zona Palermo"), 0);
	ck_assert_str_eq(cell(&out, "tags"), "a, b, c");
	ck_assert_str_eq(cell(&out, "zona"), "Palermo");
	id = st_xstrdup(cell(&out, "id"));
	st_table_release(&out);
	snprintf(line, sizeof(line), "lead tag %s -b +d", id);
	ck_assert_int_eq(run(db, &out, &err, line), 0);
	ck_assert_str_eq(cell(&out, "tags"), "a, c, d");
	st_table_release(&out);
	snprintf(line, sizeof(line), "lead assign %s ag@sur.com.ar", id);
	ck_assert_int_eq(run(db, &out, &err, line), 0);
	ck_assert_str_eq(cell(&out, "asignado"), "ag@sur.com.ar");
	st_table_release(&out);
	snprintf(line, sizeof(line), "lead assign %s --none", id);
	ck_assert_int_eq(run(db, &out, &err, line), 0);
	ck_assert_ptr_null(cell(&out, "asignado"));
	st_table_release(&out);
	snprintf(line, sizeof(line), "lead note %s hola", id);
	ck_assert_int_eq(run(db, &out, &err, line), 0);
	st_table_release(&out);
	snprintf(line, sizeof(line), "lead show %s", id);
	ck_assert_int_eq(run(db, &out, &err, line), 0);
	ck_assert_ptr_nonnull(strstr(cell(&out, "timeline"), "hola"));
	st_table_release(&out);
	ck_assert_int_eq(run(db, &out, &err, "lead duplicates"), 0);
	ck_assert_uint_eq(out.nrows, 0);
	st_table_release(&out);
	free(id);
	st_db_close(db);
}
END_TEST

Suite *
lead_suite(void)
{
	Suite *s = suite_create("lead");
	TCase *tc = tcase_create("write");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_cleans_and_refuses_duplicates);
	tcase_add_test(tc, test_update_estado_tag_note);
	tcase_add_test(tc, test_merge_and_delete);
	tcase_add_test(tc, test_commands);
	suite_add_tcase(s, tc);
	return s;
}
