/*
 * tui-internal.h - what the TUI's files share: its state, its screens and
 * the functions that move work to and from the query worker.
 *
 * tui.c: the loop and the keys; tui-jobs.c: queries out to the worker and
 * their results back into the models; tui-layout.c: the frame.
 */
#ifndef STRATO_TUI_INTERNAL_H
#define STRATO_TUI_INTERNAL_H

#include <stdbool.h>

#include "cmd.h"
#include "view-leads.h"
#include "view-table.h"
#include "worker.h"

enum { MIN_ROWS = 10, MIN_COLS = 40, DEBOUNCE_MS = 200, SPIN_MS = 150 };

enum job_kind { JOB_LEADS, JOB_CMD, JOB_COMPLETE, JOB_RECONNECT };

/* The screens Tab cycles through, each a console command but the first. */
struct tui_screen {
	const char *title, *command;
	bool service_only;
	const char *open, *key; /* Enter runs open + the row's key column */
	int refresh_ms;         /* reloaded this often while shown, or 0 */
};

#define TUI_NSCREENS 6
extern const struct tui_screen tui_screens[TUI_NSCREENS];

/* Where a command's result goes. */
enum target { TO_SCREEN, TO_DETAIL, TO_PANE, TO_ACTION };

struct tui {
	struct cmd_ctx *ctx;
	struct worker *w;
	int screen;
	struct leads_view leads;
	struct table_view tabs[TUI_NSCREENS];
	struct table_view detail;
	char *detail_id;
	bool in_detail;
	struct table_view pane;
	bool pane_open;
	bool pane_refresh;      /* the pane shows a row opened with Enter,
				 * read-only, so it may be reloaded */
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



/* A key binding: dispatched by tui.c, listed by the help overlay. */
struct tui_binding {
	int key, key2;
	const char *label, *help;
	int act;
	const char *prefill; /* for the detail's actions: "%s" is the id */
};
extern const struct tui_binding tui_bindings[];
extern const size_t tui_nbindings;

long tui_now_ms(void);
/* A one-line notice for the bottom line (NULL clears it). */
void tui_set_note(struct tui *t, const char *msg);
char *tui_dup(const char *s);
/* s quoted as one word for repl_split; a new string. */
char *tui_quote(const char *s);

/* Work for the worker: the leads page (append: the next one), a console
 * command whose result goes to "to", a screen's command, a lead's detail,
 * completions for the ":" line, a reconnection. */
void tui_load_leads(struct tui *t, bool append);
void tui_run_line(struct tui *t, const char *line, enum target to,
		  int screen);
void tui_load_screen(struct tui *t, int s);
void tui_open_detail(struct tui *t, const char *id);
void tui_complete(struct tui *t, const char *before, const char *text);
void tui_reconnect(struct tui *t);
/* Take finished jobs back into the models. */
void tui_take_jobs(struct tui *t);

/* Lay the whole screen out into f. */
void tui_layout(struct tui *t, struct view_frame *f);

#endif
