/*
 * tui.c - the full-screen console: screens, keys, the ":" line, and the
 * loop that waits on the keyboard and the query worker at once.
 *
 * The loop: poll the terminal and the worker's pipe; a key goes to the
 * ":" line, the help overlay or the screen's model, which says what it
 * wants; a finished job hands its data to its model; the screen is laid
 * out and drawn once per pass, only when something changed. KEY_RESIZE is
 * handled here and nowhere else.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "complete.h"
#include "draw.h"
#include "repl.h"
#include "strato/lead-estimate.h"
#include "strato/tenant.h"
#include "tui.h"
#include "view-leads.h"
#include "view-table.h"
#include "worker.h"

enum { MIN_ROWS = 10, MIN_COLS = 40, DEBOUNCE_MS = 200, SPIN_MS = 150 };

enum job_kind { JOB_LEADS, JOB_CMD, JOB_COMPLETE, JOB_RECONNECT };

/* The screens Tab cycles through, each a console command but the first. */
static const struct {
	const char *title, *command;
	bool service_only;
	const char *open, *key; /* Enter runs open + the row's key column */
	int refresh_ms;         /* reloaded this often while shown, or 0 */
} screens[] = {
	{ "Leads", NULL, false, NULL, NULL, 0 },
	{ "Propiedades", "property list --limit 500", false, "property show",
	  "id", 0 },
	/* estados and the send ledger move while a campaign runs */
	{ "Campañas", "campaign list", false, "campaign stats", "id", 5000 },
	{ "Integraciones", "integration list", false, "integration show",
	  "provider", 0 },
	{ "Tenants", "tenant list", true, "tenant show", "slug", 0 },
	{ "Auditoría", "audit list --limit 500", false, NULL, NULL, 0 },
};
#define NSCREENS ((int)ST_ARRAY_SIZE(screens))

/* Where a command's result goes. */
enum target { TO_SCREEN, TO_DETAIL, TO_PANE, TO_ACTION };

struct tui {
	struct cmd_ctx *ctx;
	struct worker *w;
	int screen;
	struct leads_view leads;
	struct table_view tabs[NSCREENS];
	struct table_view detail;
	char *detail_id;
	bool in_detail;
	struct table_view pane;
	bool pane_open;
	struct view_input line; /* the ":" line */
	bool in_line;
	char *confirm;          /* a destructive command awaiting y */
	char **cands;           /* completions to show */
	bool help;
	bool quit;
	bool lost;              /* the connection is gone */
	bool dirty;
	long search_due;        /* ms clock, 0: none */
	long loaded_at;         /* when the shown screen was last loaded */
	long busy_since;
	char *note;             /* a one-line notice for the bottom line */
};

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

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_note(struct tui *t, const char *msg)
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
	ret = cmd_run(&c, argc, argv, &fmt, &j->err);
	if (c.use_slug || (ret == 0 && strcmp(argv[0], "use") == 0))
		cj->use_slug = c.use_slug ? c.use_slug : st_xstrdup("");
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
		t->busy_since = now_ms();
	worker_submit(t->w, j);
	t->dirty = true;
}

static char *
dup_or_null(const char *s)
{
	return s ? st_xstrdup(s) : NULL;
}

static void
load_leads(struct tui *t, bool append)
{
	struct lead_job *lj = st_xcalloc(1, sizeof(*lj));
	struct st_lead_filter f;

	leads_view_filter(&t->leads, &f);
	lj->f.estado = dup_or_null(f.estado);
	lj->f.tag = dup_or_null(f.tag);
	lj->f.assigned = dup_or_null(f.assigned);
	lj->f.search = dup_or_null(f.search);
	lj->f.after = append ? dup_or_null(t->leads.next) : NULL;
	lj->f.sort = dup_or_null(f.sort);
	lj->f.limit = 100;
	lj->tenant = dup_or_null(t->ctx->tenant_slug);
	lj->append = append;
	t->leads.loading = true;
	if (!append)
		worker_cancel(t->w, JOB_LEADS); /* a newer search wins */
	submit(t, new_job(JOB_LEADS, run_leads, lj, release_leads));
}

static void
run_line(struct tui *t, const char *line, enum target to, int screen)
{
	struct cmd_job *cj = st_xcalloc(1, sizeof(*cj));

	cj->line = st_xstrdup(line);
	cj->tenant = dup_or_null(t->ctx->tenant_slug);
	cj->readonly = t->ctx->readonly;
	cj->to = to;
	cj->screen = screen;
	submit(t, new_job(JOB_CMD, run_cmd, cj, release_cmd));
}

static void
load_screen(struct tui *t, int s)
{
	t->loaded_at = now_ms();
	t->tabs[s].loading = true;
	t->tabs[s].want_reload = false;
	run_line(t, screens[s].command, TO_SCREEN, s);
}

static void
open_detail(struct tui *t, const char *id)
{
	char *line, *keep = st_xstrdup(id); /* id may be t->detail_id */

	free(t->detail_id);
	t->detail_id = keep;
	t->in_detail = true;
	t->detail.loading = true;
	line = st_xasprintf("lead show '%s'", keep);
	run_line(t, line, TO_DETAIL, 0);
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
	set_note(t, msg);
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
		load_leads(t, false);
	}
	if (j->rc < 0) {
		job_failed(t, j, cj->to == TO_ACTION ? NULL : into);
		if (cj->to == TO_PANE || cj->to == TO_ACTION)
			t->pane_open = false;
		return;
	}
	if (cj->to == TO_ACTION) {
		/* an action from the detail: show what it did, then refresh */
		set_note(t, cj->out->message ? cj->out->message : "done");
		into = &t->pane;
		t->pane_open = cj->out->ncols && !cj->out->single;
		if (t->in_detail && t->detail_id)
			open_detail(t, t->detail_id);
		load_leads(t, false);
		if (!t->pane_open)
			return;
	}
	if (cj->to == TO_PANE)
		t->pane_open = true;
	table_view_set(into, cj->out);
	cj->out = NULL;
	set_note(t, NULL);
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

static void
take_jobs(struct tui *t)
{
	struct job *j;

	while ((j = worker_take(t->w))) {
		if (j->dropped) {
			/* superseded before it ran */
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
			set_note(t, j->rc < 0 ? "still no connection: R tries "
				 "again, q quits" : "reconnected");
			if (!t->lost)
				load_leads(t, false);
		}
		j->release(j);
		t->dirty = true;
	}
}

/* ---- keys ---- */

enum action {
	ACT_VIEW,    /* the screen's own (listed for help) */
	ACT_HELP, ACT_LINE, ACT_NEXT, ACT_PREV, ACT_BACK, ACT_CANCEL,
	ACT_RECONNECT, ACT_REDRAW,
	/* on a lead's detail: prefill the ":" line */
	ACT_ESTADO, ACT_ASSIGN, ACT_TAG, ACT_NOTE, ACT_MATCH, ACT_VISIT,
	ACT_FICHAS, ACT_DELETE,
};

/* Every binding, in the order help shows them. */
static const struct binding {
	int key, key2;
	const char *label, *help;
	enum action act;
	const char *prefill; /* for the detail's actions: "%s" is the id */
} bindings[] = {
	{ 0, 0, "j k ↑ ↓", "move", ACT_VIEW, NULL },
	{ 0, 0, "PgUp PgDn g G", "page, first, last", ACT_VIEW, NULL },
	{ 0, 0, "Enter", "open the lead (the row, on other screens)",
	  ACT_VIEW, NULL },
	{ 0, 0, "/", "search name, phone, e-mail as you type", ACT_VIEW, NULL },
	{ 0, 0, "f", "filter: estado=E tag=T asignado=EMAIL", ACT_VIEW, NULL },
	{ 0, 0, "s", "sort: newest first, or by name", ACT_VIEW, NULL },
	{ 0, 0, "r", "reload", ACT_VIEW, NULL },
	{ '\t', 0, "Tab S-Tab", "next, previous screen", ACT_NEXT, NULL },
	{ 0x161, 0, "", "", ACT_PREV, NULL },
	{ ':', 0, ":", "run a console command (:q quits)", ACT_LINE, NULL },
	{ 'e', 0, "e", "lead: change estado", ACT_ESTADO,
	  "lead estado %s " },
	{ 'a', 0, "a", "lead: assign", ACT_ASSIGN, "lead assign %s " },
	{ 't', 0, "t", "lead: tags (+a -b)", ACT_TAG, "lead tag %s " },
	{ 'n', 0, "n", "lead: add a note", ACT_NOTE, "lead note %s " },
	{ 'm', 0, "m", "lead: match properties", ACT_MATCH,
	  "property match %s --limit 20" },
	{ 'v', 0, "v", "lead: schedule a visit", ACT_VISIT,
	  "visit schedule %s " },
	{ 's', 0, "s", "lead: send property sheets", ACT_FICHAS,
	  "send fichas %s " },
	{ 'D', 0, "D", "lead: delete (asks first)", ACT_DELETE,
	  "lead delete %s" },
	{ VK_ESC, 0, "Esc q", "back (q on the first screen quits)",
	  ACT_BACK, NULL },
	{ 3, 0, "Ctrl-C", "cancel the running query", ACT_CANCEL, NULL },
	{ 'R', 0, "R", "reconnect after a lost connection", ACT_RECONNECT,
	  NULL },
	{ 12, 0, "Ctrl-L", "redraw", ACT_REDRAW, NULL },
	{ '?', 0, "?", "this help", ACT_HELP, NULL },
};

static bool
destructive(const char *line)
{
	static const char *const verbs[] = { " delete", " merge ", " disable",
					     " cancel", " rotate-key" };

	for (size_t i = 0; i < ST_ARRAY_SIZE(verbs); i++)
		if (strstr(line, verbs[i]))
			return true;
	return false;
}

static void
open_line(struct tui *t, const char *text)
{
	view_input_release(&t->line);
	view_input_init(&t->line, text);
	t->in_line = true;
	complete_free(t->cands);
	t->cands = NULL;
}

/* Enter on the ":" line. */
static void
submit_line(struct tui *t)
{
	char *line = st_xstrdup(t->line.text);
	const char *p = line + strspn(line, " ");

	t->in_line = false;
	complete_free(t->cands);
	t->cands = NULL;
	if (strcmp(p, "q") == 0 || strcmp(p, "quit") == 0) {
		t->quit = true;
	} else if (*p && destructive(p) && !t->confirm) {
		t->confirm = st_xstrdup(p);
	} else if (*p) {
		run_line(t, p, t->in_detail && strncmp(p, "lead ", 5) == 0 &&
			 strncmp(p, "lead show", 9) != 0 ? TO_ACTION : TO_PANE,
			 0);
		table_view_release(&t->pane);
		table_view_init(&t->pane, p);
		t->pane.loading = true;
		t->pane_open = true;
	}
	free(line);
}

static void
line_key(struct tui *t, int key)
{
	if (key == VK_ESC || key == 3) {
		t->in_line = false;
	} else if (key == '\r' || key == '\n' || key == VK_ENTER) {
		submit_line(t);
	} else if (key == '\t') {
		struct cmd_job *cj = st_xcalloc(1, sizeof(*cj));
		const char *sp = strrchr(t->line.text, ' ');
		size_t at = sp ? (size_t)(sp - t->line.text) + 1 : 0;

		cj->before = st_xstrndup(t->line.text, at);
		cj->text = st_xstrdup(t->line.text + at);
		cj->tenant = dup_or_null(t->ctx->tenant_slug);
		submit(t, new_job(JOB_COMPLETE, run_complete, cj,
				  release_cmd));
	} else {
		view_input_key(&t->line, key);
	}
}

static void
next_screen(struct tui *t, int step)
{
	do
		t->screen = (t->screen + step + NSCREENS) % NSCREENS;
	while (screens[t->screen].service_only &&
	       !st_db_is_service(t->ctx->db));
	t->in_detail = false;
	t->pane_open = false;
	if (t->screen && t->tabs[t->screen].want_reload)
		load_screen(t, t->screen);
}

/* Esc and q go back a level; only q leaves from the first screen. */
static void
back(struct tui *t, bool may_quit)
{
	if (t->pane_open)
		t->pane_open = false;
	else if (t->in_detail)
		t->in_detail = false;
	else if (t->screen)
		t->screen = 0;
	else if (may_quit)
		t->quit = true;
}

static bool
do_action(struct tui *t, const struct binding *b)
{
	switch (b->act) {
	case ACT_VIEW: return false;
	case ACT_HELP: t->help = true; break;
	case ACT_LINE: open_line(t, ""); break;
	case ACT_NEXT: next_screen(t, 1); break;
	case ACT_PREV: next_screen(t, -1); break;
	case ACT_BACK: back(t, false); break;
	case ACT_CANCEL: worker_cancel(t->w, JOB_CMD);
		worker_cancel(t->w, JOB_LEADS); break;
	case ACT_RECONNECT:
		if (!t->lost)
			return false;
		submit(t, new_job(JOB_RECONNECT, run_reconnect, NULL,
				  release_cmd));
		break;
	case ACT_REDRAW: t->dirty = true; break;
	default: {
		char *line;

		if (!t->in_detail || !t->detail_id)
			return false;
		{
			/* "%s" in prefill stands for the lead's id */
			const char *at = strstr(b->prefill, "%s");

			line = st_xasprintf("%.*s%s%s", (int)(at - b->prefill),
					    b->prefill, t->detail_id, at + 2);
		}
		open_line(t, line);
		free(line);
		break;
	}
	}
	return true;
}

static void
screen_key(struct tui *t, int key)
{
	enum view_result r;

	if (t->pane_open)
		r = table_view_key(&t->pane, key);
	else if (t->in_detail)
		r = table_view_key(&t->detail, key);
	else if (t->screen)
		r = table_view_key(&t->tabs[t->screen], key);
	else
		r = leads_view_key(&t->leads, key);
	if (r == VR_QUIT)
		t->quit = true;
	if (r != VR_NONE)
		return;
	if ((key == '\r' || key == '\n' || key == VK_ENTER) && t->screen &&
	    !t->in_detail && !t->pane_open && screens[t->screen].open) {
		const char *k = table_view_selected(&t->tabs[t->screen],
						    screens[t->screen].key);
		char *line;

		if (!k)
			return;
		line = st_xasprintf("%s '%s'", screens[t->screen].open, k);
		table_view_release(&t->pane);
		table_view_init(&t->pane, line);
		t->pane.loading = true;
		t->pane_open = true;
		run_line(t, line, TO_PANE, 0);
		free(line);
		return;
	}
	/* Esc in a search prompt was the model's; here it is "back" */
	for (size_t i = 0; i < ST_ARRAY_SIZE(bindings); i++)
		if (bindings[i].key && (bindings[i].key == key ||
					bindings[i].key2 == key) &&
		    do_action(t, &bindings[i]))
			return;
}

static void
on_key(struct tui *t, int key)
{
	t->dirty = true;
	if (t->help) {
		t->help = false;
		return;
	}
	if (t->confirm) {
		if (key == 'y' || key == 'Y')
			run_line(t, t->confirm, t->in_detail ? TO_ACTION
							     : TO_PANE, 0);
		else
			set_note(t, "not done");
		free(t->confirm);
		t->confirm = NULL;
		return;
	}
	if (t->in_line) {
		line_key(t, key);
		return;
	}
	/* leaving the leads screen's prompts is the model's business */
	if (!t->screen && !t->in_detail && !t->pane_open &&
	    (t->leads.in_search || t->leads.in_filter)) {
		leads_view_key(&t->leads, key);
		return;
	}
	if (key == 'q' && (t->pane_open || t->in_detail || t->screen)) {
		back(t, true);
		return;
	}
	screen_key(t, key);
}

/* ---- layout ---- */

static void
layout_title(const struct tui *t, struct view_frame *f, bool busy)
{
	static const char spin[] = "|/-\\";
	int col;

	view_fill(f, 0, VA_TITLE);
	col = view_put(f, 0, 0, f->cols, VA_TITLE, " STRATO ", false);
	for (int s = 0; s < NSCREENS; s++) {
		if (screens[s].service_only && !st_db_is_service(t->ctx->db))
			continue;
		col = view_put(f, 0, col + 1, f->cols, s == t->screen ?
			       VA_SELECTED : VA_TITLE, screens[s].title, false);
	}
	if (busy)
		view_putf(f, 0, f->cols - 2, VA_TITLE, "%c",
			  spin[(now_ms() / 120) % 4]);
}

static void
layout_help(struct view_frame *f)
{
	int top = 1, left = f->cols > 64 ? (f->cols - 60) / 2 : 0;
	int row = top;

	for (int r = top; r < f->rows - 1; r++)
		view_fill(f, r, VA_NORMAL);
	view_put(f, row++, left, 60, VA_TITLE, " Keys (any key closes) ", false);
	for (size_t i = 0; i < ST_ARRAY_SIZE(bindings) && row < f->rows - 1;
	     i++) {
		if (!*bindings[i].label)
			continue;
		view_put(f, row, left, 16, VA_ACCENT, bindings[i].label, true);
		view_put(f, row++, left + 17, f->cols - left - 17, VA_NORMAL,
			 bindings[i].help, false);
	}
}

static void
layout_bottom(const struct tui *t, struct view_frame *f, bool leads_owns)
{
	int row = f->rows - 1;

	if (t->in_line) {
		int end = view_putf(f, row, 0, VA_NORMAL, ":%s", t->line.text);

		f->cursor_row = row;
		f->cursor_col = end < f->cols ? end : f->cols - 1;
		if (t->cands && row > 1) {
			struct st_buf b = ST_BUF_INIT;

			for (char **c = t->cands; *c; c++)
				st_buf_addf(&b, "%s  ", *c);
			view_fill(f, row - 1, VA_STATUS);
			view_put(f, row - 1, 0, f->cols, VA_STATUS, b.data,
				 false);
			st_buf_release(&b);
		}
	} else if (t->confirm) {
		view_putf(f, row, 0, VA_ERROR, "run \"%s\"? y/N", t->confirm);
	} else if (t->note) {
		view_put(f, row, 0, f->cols, t->lost ? VA_ERROR : VA_NORMAL,
			 t->note, false);
	} else if (!leads_owns) {
		view_put(f, row, 0, f->cols, VA_DIM, t->in_detail ?
			 "e estado  a assign  t tags  n note  m match  v visit  "
			 "s fichas  D delete  : command  Esc back  ? help" :
			 "j k move  r reload  : command  Tab screens  Esc back  "
			 "? help", false);
	}
}

static void
layout(struct tui *t, struct view_frame *f)
{
	bool busy = worker_busy(t->w) && now_ms() - t->busy_since > SPIN_MS;
	bool leads = !t->screen && !t->in_detail;

	if (f->rows < MIN_ROWS || f->cols < MIN_COLS) {
		view_putf(f, 0, 0, VA_ERROR, "terminal too small");
		view_putf(f, 1, 0, VA_NORMAL, "%dx%d, need %dx%d",
			  f->cols, f->rows, MIN_COLS, MIN_ROWS);
		return;
	}
	layout_title(t, f, busy);
	if (leads) {
		leads_view_layout(&t->leads, f);
	} else {
		struct table_view *v = t->in_detail ? &t->detail
						    : &t->tabs[t->screen];

		table_view_layout(v, f, 1, f->rows - 2);
		view_fill(f, f->rows - 2, VA_STATUS);
		view_putf(f, f->rows - 2, 0, VA_STATUS, " %s · %s%s",
			  t->ctx->tenant_slug ? t->ctx->tenant_slug : "-",
			  t->in_detail ? "lead " : screens[t->screen].title,
			  t->in_detail ? t->detail_id : "");
		if (v->message)
			view_put(f, f->rows - 1, 0, f->cols, VA_ERROR,
				 v->message, false);
	}
	if (t->pane_open) {
		int top = f->rows / 3;

		for (int r = top; r < f->rows - 1; r++)
			view_fill(f, r, VA_NORMAL);
		f->lines[top].n = 0;
		view_fill(f, top, VA_STATUS);
		view_putf(f, top, 0, VA_STATUS, " :%s  (Esc closes)",
			  t->pane.command);
		for (int r = top + 1; r < f->rows - 1; r++)
			f->lines[r].n = 0; /* spans below are covered */
		table_view_layout(&t->pane, f, top + 1, f->rows - 1);
	}
	if (t->help)
		layout_help(f);
	if (!leads || t->in_line || t->confirm || t->note)
		layout_bottom(t, f, leads);
}

/* ---- the loop ---- */

static void
restore_and_reraise(int sig)
{
	draw_stop();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
catch_crashes(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL,
				    SIGTERM, SIGHUP, SIGQUIT };

	for (size_t i = 0; i < ST_ARRAY_SIZE(sigs); i++)
		signal(sigs[i], restore_and_reraise);
}

static void
paint(struct tui *t)
{
	struct view_frame f;
	int rows, cols;

	draw_size(&rows, &cols);
	view_frame_init(&f, rows, cols);
	layout(t, &f);
	draw_frame(&f);
	view_frame_release(&f);
	t->dirty = false;
}

/* What the models asked for, now that keys and jobs are in. */
static void
follow_wants(struct tui *t)
{
	long now = now_ms();

	switch (t->leads.want) {
	case LW_RELOAD: load_leads(t, false); break;
	case LW_SEARCH: t->search_due = now + DEBOUNCE_MS; break;
	case LW_MORE: load_leads(t, true); break;
	case LW_OPEN:
		if (leads_view_selected(&t->leads))
			open_detail(t, leads_view_selected(&t->leads)->id);
		break;
	default: break;
	}
	t->leads.want = LW_NONE;
	if (t->search_due && now >= t->search_due) {
		t->search_due = 0;
		load_leads(t, false);
	}
	if (t->screen && t->tabs[t->screen].want_reload && !t->in_detail)
		load_screen(t, t->screen);
	if (t->screen && screens[t->screen].refresh_ms && !t->in_line &&
	    !worker_busy(t->w) &&
	    now - t->loaded_at >= screens[t->screen].refresh_ms) {
		load_screen(t, t->screen);
		if (t->pane_open && t->pane.command && *t->pane.command)
			run_line(t, t->pane.command, TO_PANE, 0);
	}
	if (t->in_detail && t->detail.want_reload) {
		t->detail.want_reload = false;
		open_detail(t, t->detail_id);
	}
}

static int
wait_ms(const struct tui *t)
{
	long left;

	if (t->search_due) {
		left = t->search_due - now_ms();
		return left > 0 ? (int)left : 0;
	}
	if (worker_busy(t->w))
		return 100; /* the spinner turns */
	if (t->screen && screens[t->screen].refresh_ms) {
		left = t->loaded_at + screens[t->screen].refresh_ms - now_ms();
		return left > 0 ? (int)left : 0;
	}
	return -1;
}

static void
loop(struct tui *t)
{
	while (!t->quit) {
		struct pollfd fds[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = worker_fd(t->w), .events = POLLIN },
		};
		int key;

		follow_wants(t);
		if (t->dirty || worker_busy(t->w))
			paint(t);
		if (poll(fds, 2, wait_ms(t)) < 0 && errno != EINTR)
			break;
		if (fds[1].revents & POLLIN)
			take_jobs(t);
		while ((key = draw_key()) >= 0) {
			if (key == VK_RESIZE) { /* the one place */
				t->dirty = true;
				continue;
			}
			on_key(t, key);
			if (t->quit)
				break;
		}
	}
}

static void
tui_release(struct tui *t)
{
	leads_view_release(&t->leads);
	for (int s = 0; s < NSCREENS; s++)
		table_view_release(&t->tabs[s]);
	table_view_release(&t->detail);
	table_view_release(&t->pane);
	view_input_release(&t->line);
	complete_free(t->cands);
	free(t->detail_id);
	free(t->confirm);
	free(t->note);
}

int
tui_run(struct cmd_ctx *ctx)
{
	struct tui t;

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	leads_view_init(&t.leads, ctx->tenant_slug, st_db_login(ctx->db));
	for (int s = 0; s < NSCREENS; s++)
		table_view_init(&t.tabs[s], screens[s].command ?
				screens[s].command : "");
	table_view_init(&t.detail, "lead show");
	t.detail.want_reload = false; /* loaded when a lead is opened */
	table_view_init(&t.pane, "");
	view_input_init(&t.line, "");
	if (!st_db_login_tenant(ctx->db) && !ctx->tenant_slug)
		leads_view_message(&t.leads, "no tenant selected: \":use SLUG\""
				   " or --tenant SLUG");
	if (draw_start() < 0) {
		tui_release(&t);
		return -1;
	}
	catch_crashes();
	t.w = worker_start(ctx->db);
	t.dirty = true;
	if (t.w)
		loop(&t);
	worker_stop(t.w);
	draw_stop();
	tui_release(&t);
	return t.w ? 0 : -1;
}
