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

#include "complete.h"
#include "draw.h"
#include "repl.h"
#include "tui-internal.h"
#include "tui.h"

/* The screens Tab cycles through, each a console command but the first. */
const struct tui_screen tui_screens[TUI_NSCREENS] = {
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
const struct tui_binding tui_bindings[] = {
	{ 0, 0, "j k ↑ ↓", "move", ACT_VIEW, NULL },
	{ 0, 0, "PgUp PgDn g G", "page, first, last", ACT_VIEW, NULL },
	{ 0, 0, "Enter", "open the lead (the row, on other screens)",
	  ACT_VIEW, NULL },
	{ 0, 0, "mouse", "click selects, double click opens, wheel scrolls",
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
	{ VK_ESC, 0, "Esc q", "cancel a slow query, else back (q on the "
	  "first screen quits)", ACT_BACK, NULL },
	{ 3, 0, "Ctrl-C", "cancel the running query", ACT_CANCEL, NULL },
	{ 'R', 0, "R", "reconnect after a lost connection", ACT_RECONNECT,
	  NULL },
	{ 12, 0, "Ctrl-L", "redraw", ACT_REDRAW, NULL },
	{ '?', 0, "?", "this help", ACT_HELP, NULL },
};
const size_t tui_nbindings = ST_ARRAY_SIZE(tui_bindings);

/* Would line run a command that deletes, merges, disables or cancels?
 * Resolved through the command table, so aliases and prefixes count. */
static bool
destructive(const char *line)
{
	static const char *const verbs[] = { "delete", "merge", "disable",
					     "cancel", "rotate-key" };
	struct st_error err;
	char **argv = NULL;
	int argc = repl_split(line, &argv, &err);
	const struct cmd_entry *e = argc > 0 ? cmd_find(argc, argv) : NULL;
	bool yes = false;

	for (size_t i = 0; e && e->verb && i < ST_ARRAY_SIZE(verbs); i++)
		yes = yes || strcmp(e->verb, verbs[i]) == 0;
	repl_words_free(argv);
	return yes;
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
		tui_run_line(t, p, t->in_detail && strncmp(p, "lead ", 5) == 0 &&
			 strncmp(p, "lead show", 9) != 0 ? TO_ACTION : TO_PANE,
			 0);
		table_view_release(&t->pane);
		table_view_init(&t->pane, p);
		t->pane.loading = true;
		t->pane_open = true;
		t->pane_refresh = false;
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
		const char *sp = strrchr(t->line.text, ' ');
		size_t at = sp ? (size_t)(sp - t->line.text) + 1 : 0;
		char *before = st_xstrndup(t->line.text, at);

		tui_complete(t, before, t->line.text + at);
		free(before);
	} else {
		view_input_key(&t->line, key);
	}
}

static void
next_screen(struct tui *t, int step)
{
	do
		t->screen = (t->screen + step + TUI_NSCREENS) % TUI_NSCREENS;
	while (tui_screens[t->screen].service_only &&
	       !st_db_is_service(t->ctx->db));
	t->in_detail = false;
	t->pane_open = false;
	if (t->screen && t->tabs[t->screen].want_reload)
		tui_load_screen(t, t->screen);
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
do_action(struct tui *t, const struct tui_binding *b)
{
	switch (b->act) {
	case ACT_VIEW: return false;
	case ACT_HELP: t->help = true; break;
	case ACT_LINE: open_line(t, ""); break;
	case ACT_NEXT: next_screen(t, 1); break;
	case ACT_PREV: next_screen(t, -1); break;
	case ACT_BACK:
		/* Esc stops a slow query first; a second Esc goes back */
		if (worker_busy(t->w)) {
			worker_cancel(t->w, JOB_CMD);
			worker_cancel(t->w, JOB_LEADS);
			break;
		}
		back(t, false);
		break;
	case ACT_CANCEL: worker_cancel(t->w, JOB_CMD);
		worker_cancel(t->w, JOB_LEADS); break;
	case ACT_RECONNECT:
		if (!t->lost)
			return false;
		tui_reconnect(t);
		break;
	case ACT_REDRAW: t->dirty = true; break;
	default: {
		char *line;

		if (!t->in_detail || !t->detail_id)
			return false;
		{
			/* "%s" in prefill stands for the lead's id */
			const char *at = strstr(b->prefill, "%s");
			char *q = tui_quote(t->detail_id);

			line = st_xasprintf("%.*s%s%s", (int)(at - b->prefill),
					    b->prefill, q, at + 2);
			free(q);
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
	    !t->in_detail && !t->pane_open && tui_screens[t->screen].open) {
		const char *k = table_view_selected(&t->tabs[t->screen],
						    tui_screens[t->screen].key);
		char *line;

		if (!k)
			return;
		{
			char *q = tui_quote(k);

			line = st_xasprintf("%s %s", tui_screens[t->screen].open,
					    q);
			free(q);
		}
		table_view_release(&t->pane);
		table_view_init(&t->pane, line);
		t->pane.loading = true;
		t->pane_open = true;
		t->pane_refresh = true;
		tui_run_line(t, line, TO_PANE, 0);
		free(line);
		return;
	}
	/* Esc in a search prompt was the model's; here it is "back" */
	for (size_t i = 0; i < tui_nbindings; i++)
		if (tui_bindings[i].key && (tui_bindings[i].key == key ||
					tui_bindings[i].key2 == key) &&
		    do_action(t, &tui_bindings[i]))
			return;
}

static void
on_key(struct tui *t, int key)
{
	if ((key & VK_DOUBLE) && t->screen && !t->in_detail && !t->pane_open &&
	    !t->help && !t->confirm && !t->in_line) {
		/* a double click on a screen's row: select it, then Enter
		 * (the leads list opens a lead by itself) */
		on_key(t, key & ~VK_DOUBLE);
		key = VK_ENTER;
	}
	t->dirty = true;
	if (t->help) {
		t->help = false;
		return;
	}
	if (t->confirm) {
		if (key == 'y' || key == 'Y')
			tui_run_line(t, t->confirm, t->in_detail ? TO_ACTION
							     : TO_PANE, 0);
		else
			tui_set_note(t, "not done");
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
	tui_layout(t, &f);
	draw_frame(&f);
	view_frame_release(&f);
	t->dirty = false;
}

/* What the models asked for, now that keys and jobs are in. */
static void
follow_wants(struct tui *t)
{
	long now = tui_now_ms();

	switch (t->leads.want) {
	case LW_RELOAD: tui_load_leads(t, false); break;
	case LW_SEARCH: t->search_due = now + DEBOUNCE_MS; break;
	case LW_MORE: tui_load_leads(t, true); break;
	case LW_OPEN:
		if (leads_view_selected(&t->leads))
			tui_open_detail(t, leads_view_selected(&t->leads)->id);
		break;
	default: break;
	}
	t->leads.want = LW_NONE;
	if (t->search_due && now >= t->search_due) {
		t->search_due = 0;
		tui_load_leads(t, false);
	}
	if (t->screen && t->tabs[t->screen].want_reload && !t->in_detail)
		tui_load_screen(t, t->screen);
	if (t->screen && tui_screens[t->screen].refresh_ms && !t->in_line &&
	    !worker_busy(t->w) &&
	    now - t->loaded_at >= tui_screens[t->screen].refresh_ms) {
		tui_load_screen(t, t->screen);
		/* never a typed command: it could send or change things */
		if (t->pane_open && t->pane_refresh)
			tui_run_line(t, t->pane.command, TO_PANE, 0);
	}
	if (t->in_detail && t->detail.want_reload) {
		t->detail.want_reload = false;
		tui_open_detail(t, t->detail_id);
	}
}

static int
wait_ms(const struct tui *t)
{
	long left;

	if (t->search_due) {
		left = t->search_due - tui_now_ms();
		return left > 0 ? (int)left : 0;
	}
	if (worker_busy(t->w))
		return 100; /* the spinner turns */
	if (t->screen && tui_screens[t->screen].refresh_ms) {
		left = t->loaded_at + tui_screens[t->screen].refresh_ms - tui_now_ms();
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
			tui_take_jobs(t);
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
	for (int s = 0; s < TUI_NSCREENS; s++)
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
	for (int s = 0; s < TUI_NSCREENS; s++)
		table_view_init(&t.tabs[s], tui_screens[s].command ?
				tui_screens[s].command : "");
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

