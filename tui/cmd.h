/*
 * cmd.h - the one command table behind the CLI, the REPL and the TUI.
 *
 * Each noun lives in tui/cmd-<noun>.c and exports a table of verbs. A verb
 * declares its arguments and flags, so parsing, `help`, completion and the
 * man-page check all read the same source. A command never prints: it fills
 * ctx->out (a struct st_table) and the front end renders it.
 */
#ifndef STRATO_CMD_H
#define STRATO_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "strato/db.h"
#include "strato/error.h"
#include "strato/table.h"

struct cmd_flag {
	const char *name; /* long name, without the dashes */
	const char *arg;  /* metavariable ("SLUG"), or NULL for a switch;
			   * "TAG..." may be repeated, values joined by ',' */
	const char *help;
};

#define CMD_FLAGS_MAX 24

struct cmd_entry;

struct cmd_args {
	const struct cmd_entry *entry;
	int argc;
	char **argv;                       /* positional arguments */
	const char *values[CMD_FLAGS_MAX]; /* by flag index; "" for a switch */
	char *joined[CMD_FLAGS_MAX];       /* owned values of repeated flags */
	const char **all[CMD_FLAGS_MAX];   /* every value given, in order */
	size_t nall[CMD_FLAGS_MAX];
	enum st_format format;
};

struct cmd_ctx {
	struct st_db *db;
	const char *tenant_slug; /* the global --tenant (or "use"), or NULL */
	char *use_slug;          /* owns tenant_slug after "use" */
	bool readonly;
	bool shell;              /* the interactive shell ("use" works) */
	bool quit;               /* "quit" ran: stop reading lines */
	enum st_errcode last_error; /* of the last line that failed */
	FILE *in;                /* where --*-stdin reads from */
	struct st_table *out;
};

/* Entry options. */
#define CMD_MUTATES 0x1 /* refused under --readonly */
#define CMD_NO_DB 0x2   /* runs without a connection (help) */
#define CMD_DASH_ARGS 0x4 /* arguments may start with '-' ("-tag") */

struct cmd_entry {
	const char *noun;
	const char *verb; /* NULL for a noun-less command such as help */
	const char *alias;
	const char *args; /* usage of the positional arguments */
	const char *summary;
	int min_args;
	int max_args; /* -1: any */
	unsigned int opts;
	const struct cmd_flag *flags; /* NULL-terminated, may be NULL */
	int (*exec)(struct cmd_ctx *ctx, struct cmd_args *args,
		    struct st_error *err);
};

/* The tables of the nouns, each ending with an all-NULL entry. */
extern const struct cmd_entry cmd_tenant_table[];
extern const struct cmd_entry cmd_user_table[];
extern const struct cmd_entry cmd_lead_table[];
extern const struct cmd_entry cmd_property_table[];
extern const struct cmd_entry cmd_visit_table[];
extern const struct cmd_entry cmd_send_table[];
extern const struct cmd_entry cmd_audit_table[];
extern const struct cmd_entry cmd_campaign_table[];
extern const struct cmd_entry cmd_template_table[];
extern const struct cmd_entry cmd_assistant_table[];
extern const struct cmd_entry cmd_integration_table[];
extern const struct cmd_entry cmd_help_table[];
extern const struct cmd_entry cmd_shell_table[];

/* Every entry, in help order; *n is set to the count. */
const struct cmd_entry *const *cmd_all(size_t *n);

/*
 * Find and run the command in argv (noun verb args...). Nouns and verbs
 * match exactly, by alias, or by unique prefix; an ambiguous or unknown
 * word is ST_EUSAGE with the candidates in the hint. "--help" anywhere
 * fills ctx->out with the command's usage instead of running it. On return
 * *format says how ctx->out should be rendered.
 */
int cmd_run(struct cmd_ctx *ctx, int argc, char **argv,
	    enum st_format *format, struct st_error *err);

/* The entry argv would run (prefixes and aliases resolved), or NULL. */
const struct cmd_entry *cmd_find(int argc, char **argv);

/* True when the command named by argv needs no database connection. */
bool cmd_needs_db(int argc, char **argv);

/* The value of flag name, or NULL when absent (the last when repeated; a
 * "X..." flag's values joined by commas). */
const char *cmd_arg(const struct cmd_args *a, const char *name);

/* --limit as 1..max in *out (0 when absent); else a usage error. */
int cmd_limit(const struct cmd_args *args, int max, int *out,
	      struct st_error *err);
/* Every value of flag name, in command-line order; *n is the count. */
const char *const *cmd_arg_all(const struct cmd_args *a, const char *name,
			       size_t *n);

/*
 * The tenant a command works in: its own --tenant, else the global one,
 * else the login's (st_tenant_resolve). *tenant_id is a new string.
 */
int cmd_tenant(struct cmd_ctx *ctx, const struct cmd_args *args,
	       char **tenant_id, struct st_error *err);

/* Write the usage lines of one entry ("strato tenant create --name ..."). */
void cmd_usage(const struct cmd_entry *e, struct st_buf *b);

/* Read one line (a secret) from f, without echo when f is a terminal. */
char *cmd_read_secret(FILE *f, const char *prompt, struct st_error *err);

#endif
