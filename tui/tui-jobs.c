/*
 * tui-jobs.c - the TUI's queries: out to the worker thread, and their
 * results back into the screens' models.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "complete.h"
#include "repl.h"
#include "strato/lead-estimate.h"
#include "strato/tenant.h"
#include "tui-internal.h"

struct lead_job {
	struct st_lead_filter f; /* strings owned by the job */
	char *tenant;
	bool append;
	struct st_lead_list page;
	long estimate; /* a first page only: matching leads, from statistics */
};

struct cmd_job {
	char *line;
	char *tenant;
	char *use_slug; /* "use" ran: the new tenant */
	bool readonly;
	enum target to;
	int screen;
	struct st_table *out;
	char **words;   /* JOB_COMPLETE */
	char *before, *text;
};

long
tui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
tui_set_note(struct tui *t, const char *msg)
{
	free(t->note);
	t->note = msg ? st_xstrdup(msg) : NULL;
	t->dirty = true;
}


/* ---- jobs: run on the worker thread ---- */

static int
run_leads(struct st_db *db, struct job *j)
{
	struct lead_job *lj = j->data;
	char *tenant_id = NULL;
	int ret;

	if (st_tenant_resolve(db, lj->tenant, &tenant_id, &j->err) < 0)
		return -1;
	ret = st_lead_list(db, tenant_id, &lj->f, &lj->page, &j->err);
	lj->estimate = -1;
	if (ret == 0 && !lj->append) {
		struct st_error ignored;

		/* the count is a nicety: without it the list still shows */
		if (st_lead_estimate(db, tenant_id, &lj->f, &lj->estimate,
				     &ignored) < 0)
			lj->estimate = -1;
	}
	free(tenant_id);
	return ret;
}

static void
release_leads(struct job *j)
{
	struct lead_job *lj = j->data;

	free((char *)lj->f.estado);
	free((char *)lj->f.tag);
	free((char *)lj->f.assigned);
	free((char *)lj->f.search);
	free((char *)lj->f.after);
	free((char *)lj->f.sort);
	free(lj->tenant);
	st_lead_list_release(&lj->page);
	free(lj);
	free(j);
}

static int
run_cmd(struct st_db *db, struct job *j)
{
	struct cmd_job *cj = j->data;
	/* curses owns the terminal: a command that reads standard input
	 * (a secret, a config from "-") reads nothing and says so */
	FILE *none = NULL;
	struct cmd_ctx c = { .db = db, .tenant_slug = cj->tenant,
			     .readonly = cj->readonly, .shell = true };
	enum st_format fmt = ST_FORMAT_TABLE;
	char **argv = NULL;
	int argc, ret;

	cj->out = st_table_new();
	argc = repl_split(cj->line, &argv, &j->err);
	if (argc <= 0) {
		repl_words_free(argv);
		return argc;
	}
	c.out = cj->out;
	c.in = none = fopen("/dev/null", "r");
	if (!none) {
		st_error_set(&j->err, ST_EIO, "cannot open /dev/null");
		repl_words_free(argv);
		return -1;
	}
	ret = cmd_run(&c, argc, argv, &fmt, &j->err);
	if (c.use_slug || (ret == 0 && strcmp(argv[0], "use") == 0))
		cj->use_slug = c.use_slug ? c.use_slug : st_xstrdup("");
	if (ret < 0 && feof(none))
		st_error_hint(&j->err, "This command reads standard input: "
			      "run it from \"strato shell\".");
	fclose(none);
	repl_words_free(argv);
	return ret;
}

static int
run_complete(struct st_db *db, struct job *j)
{
	struct cmd_job *cj = j->data;

	cj->words = complete_words(db, cj->tenant, cj->before, cj->text);
	return 0;
}

static int
run_reconnect(struct st_db *db, struct job *j)
{
	return st_db_reconnect(db, &j->err);
}

static void
release_cmd(struct job *j)
{
	struct cmd_job *cj = j->data;

	if (cj) {
		free(cj->line);
		free(cj->tenant);
		free(cj->use_slug);
		st_table_free(cj->out);
		complete_free(cj->words);
		free(cj->before);
		free(cj->text);
		free(cj);
	}
	free(j);
}

static struct job *
new_job(int kind, int (*run)(struct st_db *, struct job *), void *data,
	void (*release)(struct job *))
{
	struct job *j = st_xcalloc(1, sizeof(*j));

	j->kind = kind;
	j->run = run;
	j->data = data;
	j->release = release;
	return j;
}

static void
submit(struct tui *t, struct job *j)
{
	if (!worker_busy(t->w))
		t->busy_since = tui_now_ms();
	worker_submit(t->w, j);
	t->dirty = true;
}

char *
tui_dup(const char *s)
{
	return s ? st_xstrdup(s) : NULL;
}

void
tui_load_leads(struct tui *t, bool append)
{
	struct lead_job *lj = st_xcalloc(1, sizeof(*lj));
	struct st_lead_filter f;
	struct job *j;

	leads_view_filter(&t->leads, &f);
	lj->f.estado = tui_dup(f.estado);
	lj->f.tag = tui_dup(f.tag);
	lj->f.assigned = tui_dup(f.assigned);
	lj->f.search = tui_dup(f.search);
	lj->f.after = append ? tui_dup(t->leads.next) : NULL;
	lj->f.sort = tui_dup(f.sort);
	lj->f.limit = 100;
	lj->tenant = tui_dup(t->ctx->tenant_slug);
	lj->append = append;
	t->leads.loading = true;
	if (!append)
		worker_cancel(t->w, JOB_LEADS); /* a newer search wins */
	j = new_job(JOB_LEADS, run_leads, lj, release_leads);
	j->supersedes = !append;
	submit(t, j);
}

void
tui_run_line(struct tui *t, const char *line, enum target to, int screen)
{
	struct cmd_job *cj = st_xcalloc(1, sizeof(*cj));

	cj->line = st_xstrdup(line);
	cj->tenant = tui_dup(t->ctx->tenant_slug);
	cj->readonly = t->ctx->readonly;
	cj->to = to;
	cj->screen = screen;
	submit(t, new_job(JOB_CMD, run_cmd, cj, release_cmd));
}

void
tui_load_screen(struct tui *t, int s)
{
	t->loaded_at = tui_now_ms();
	t->tabs[s].loading = true;
	t->tabs[s].want_reload = false;
	tui_run_line(t, tui_screens[s].command, TO_SCREEN, s);
}

void
tui_open_detail(struct tui *t, const char *id)
{
	char *line, *keep = st_xstrdup(id); /* id may be t->detail_id */

	free(t->detail_id);
	t->detail_id = keep;
	t->in_detail = true;
	t->detail.loading = true;
	{
		char *q = tui_quote(keep);

		line = st_xasprintf("lead show %s", q);
		free(q);
	}
	tui_run_line(t, line, TO_DETAIL, 0);
	free(line);
}

/* ---- finished jobs: back on the screen's thread ---- */

static void
job_failed(struct tui *t, struct job *j, struct table_view *into)
{
	char *msg = st_xasprintf("%s%s%s", j->err.message,
				 j->err.hint[0] ? " — " : "", j->err.hint);

	if (j->err.code == ST_ECONN) {
		t->lost = true;
		free(msg);
		msg = st_xstrdup("the connection to the database was lost: "
				 "R reconnects, q quits");
	}
	if (into)
		table_view_error(into, msg);
	else
		leads_view_message(&t->leads, msg);
	tui_set_note(t, msg);
	free(msg);
}

static void
cmd_done(struct tui *t, struct job *j)
{
	struct cmd_job *cj = j->data;
	struct table_view *into = cj->to == TO_SCREEN ? &t->tabs[cj->screen]
				: cj->to == TO_DETAIL ? &t->detail : &t->pane;

	if (cj->use_slug) {
		free(t->ctx->use_slug);
		t->ctx->use_slug = *cj->use_slug ? st_xstrdup(cj->use_slug)
						 : NULL;
		t->ctx->tenant_slug = t->ctx->use_slug;
		t->leads.tenant = t->ctx->tenant_slug;
		tui_load_leads(t, false);
	}
	if (j->rc < 0) {
		job_failed(t, j, cj->to == TO_ACTION ? NULL : into);
		if (cj->to == TO_PANE || cj->to == TO_ACTION)
			t->pane_open = false;
		return;
	}
	if (cj->to == TO_ACTION) {
		/* an action from the detail: show what it did, then refresh */
		tui_set_note(t, cj->out->message ? cj->out->message : "done");
		into = &t->pane;
		t->pane_open = cj->out->ncols && !cj->out->single;
		if (t->in_detail && t->detail_id)
			tui_open_detail(t, t->detail_id);
		tui_load_leads(t, false);
		if (!t->pane_open)
			return;
	}
	if (cj->to == TO_PANE)
		t->pane_open = true;
	table_view_set(into, cj->out);
	cj->out = NULL;
	tui_set_note(t, NULL);
}

/* Apply completions: the one candidate, or their common start; list them. */
static void
complete_done(struct tui *t, struct job *j)
{
	struct cmd_job *cj = j->data;
	char **w = cj->words;
	size_t n = 0, common;

	while (w && w[n])
		n++;
	if (!n)
		return;
	common = strlen(w[0]);
	for (size_t i = 1; i < n; i++) {
		size_t k = 0;

		while (k < common && w[i][k] == w[0][k])
			k++;
		common = k;
	}
	if (n == 1 || common > strlen(cj->text)) {
		char *line = st_xasprintf("%s%.*s%s", cj->before, (int)common,
					  w[0], n == 1 ? " " : "");

		view_input_release(&t->line);
		view_input_init(&t->line, line);
		free(line);
	}
	complete_free(t->cands);
	t->cands = n > 1 ? cj->words : NULL;
	if (n > 1)
		cj->words = NULL;
	t->dirty = true;
}

void
tui_take_jobs(struct tui *t)
{
	struct job *j;

	while ((j = worker_take(t->w))) {
		if (j->dropped) {
			/* superseded before it ran: a newer one is coming */
		} else if (j->kind == JOB_LEADS) {
			struct lead_job *lj = j->data;

			if (j->rc < 0) {
				t->leads.loading = false;
				if (strcmp(j->err.sqlstate, "57014") != 0)
					job_failed(t, j, NULL);
			} else {
				leads_view_take_page(&t->leads, &lj->page,
						     lj->append);
				if (!lj->append)
					t->leads.estimate = lj->estimate;
				leads_view_message(&t->leads, NULL);
			}
		} else if (j->kind == JOB_CMD) {
			cmd_done(t, j);
		} else if (j->kind == JOB_COMPLETE) {
			complete_done(t, j);
		} else if (j->kind == JOB_RECONNECT) {
			t->lost = j->rc < 0;
			tui_set_note(t, j->rc < 0 ? "still no connection: R tries "
				 "again, q quits" : "reconnected");
			if (!t->lost)
				tui_load_leads(t, false);
		}
		j->release(j);
		t->dirty = true;
	}
}


void
tui_complete(struct tui *t, const char *before, const char *text)
{
	struct cmd_job *cj = st_xcalloc(1, sizeof(*cj));

	cj->before = st_xstrdup(before);
	cj->text = st_xstrdup(text);
	cj->tenant = tui_dup(t->ctx->tenant_slug);
	struct job *j = new_job(JOB_COMPLETE, run_complete, cj, release_cmd);

	j->supersedes = true;
	submit(t, j);
}

void
tui_reconnect(struct tui *t)
{
	struct job *j = new_job(JOB_RECONNECT, run_reconnect, NULL,
				release_cmd);

	j->uncancellable = true; /* it replaces the cancel handle */
	submit(t, j);
}

/* s as one word of a command line: double-quoted, \ and " escaped. */
char *
tui_quote(const char *s)
{
	struct st_buf b = ST_BUF_INIT;

	st_buf_addch(&b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			st_buf_addch(&b, '\\');
		st_buf_addch(&b, *s);
	}
	st_buf_addch(&b, '"');
	return st_buf_detach(&b);
}
