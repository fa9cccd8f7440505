/*
 * complete.c - what may come next on a command line: nouns, verbs, flags
 * from the command table, and arguments from live data. Shared by the
 * shell (readline) and the TUI's ":" line.
 */
#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "repl.h"
#include "strato/complete.h"
#include "strato/tenant.h"

/* The list being built (one completion at a time: the shell's, or the
 * TUI worker's). */
static char **completion_words;
static size_t ncompletion;
static struct st_db *completion_db;

static void
add_word(char *w)
{
	completion_words = st_xrealloc(completion_words,
				       (ncompletion + 2) * sizeof(char *));
	completion_words[ncompletion++] = w;
	completion_words[ncompletion] = NULL;
}

static void
add_words(const char *const *list)
{
	for (; *list; list++)
		add_word(st_xstrdup(*list));
}

static const char *const estados[] = {
	"NUEVO", "CONTACTADO", "CALIFICADO", "VISITA_AGENDADA", "NEGOCIACION",
	"GANADO", "PERDIDO", NULL,
};
static const char *const providers[] = {
	"MANYCHAT", "UCHAT", "ELEVENLABS", "WHATSAPP", NULL,
};
static const char *const roles[] = { "admin", "agent", NULL };

/* Live data of kind for the word being completed, capped by the library. */
static void
add_live(enum st_complete_kind kind, const char *tenant_slug,
	 const char *text)
{
	struct st_error err;
	char *tenant_id = NULL;
	char **words;

	st_error_init(&err);
	if (!completion_db)
		return;
	if (kind != ST_COMPLETE_TENANT &&
	    st_tenant_resolve(completion_db, tenant_slug, &tenant_id, &err) < 0)
		return;
	words = st_complete(completion_db, tenant_id, kind, text, &err);
	for (char **w = words; w && *w; w++)
		add_word(*w);
	free(words); /* the strings now belong to completion_words */
	free(tenant_id);
}

/* What the argument at pos of noun verb is; -1 for nothing known. */
static int
positional_kind(const char *noun, const char *verb, int pos,
		const char *const **fixed)
{
	static const struct {
		const char *noun, *verbs;
		int pos;
		int kind; /* an st_complete_kind, or -2 - index of a list */
	} rules[] = {
		{ "tenant", " show update config enable disable ", 0,
		  ST_COMPLETE_TENANT },
		{ "user", " update role disable ", 0, ST_COMPLETE_USER },
		{ "user", " role ", 1, -2 },
		{ "lead", " show update estado assign tag note merge delete ",
		  0, ST_COMPLETE_LEAD },
		{ "lead", " merge ", 1, ST_COMPLETE_LEAD },
		{ "lead", " estado ", 1, -3 },
		{ "lead", " assign ", 1, ST_COMPLETE_USER },
		{ "property", " show update delete ", 0, ST_COMPLETE_PROPERTY },
		{ "property", " match ", 0, ST_COMPLETE_LEAD },
		{ "visit", " schedule ", 0, ST_COMPLETE_LEAD },
		{ "visit", " schedule ", 1, ST_COMPLETE_PROPERTY },
		{ "visit", " done cancel ", 0, ST_COMPLETE_EVENT },
		{ "send", " fichas ", 0, ST_COMPLETE_LEAD },
		{ "send", " fichas ", -1, ST_COMPLETE_PROPERTY },
		{ "campaign", " show update schedule pause resume cancel "
		  "preview stats ", 0, ST_COMPLETE_CAMPAIGN },
		{ "integration", " show set enable disable test ", 0, -4 },
	};
	static const char *const *const lists[] = { roles, estados, providers };
	char *v = st_xasprintf(" %s ", verb);
	int kind = -1;

	for (size_t i = 0; i < ST_ARRAY_SIZE(rules) && kind == -1; i++) {
		if (strcmp(rules[i].noun, noun) != 0 ||
		    !strstr(rules[i].verbs, v) ||
		    !(rules[i].pos == pos || (rules[i].pos == -1 && pos > 0)))
			continue;
		kind = rules[i].kind;
	}
	free(v);
	if (kind <= -2) {
		*fixed = lists[-2 - kind];
		return -2;
	}
	return kind;
}

/* The value a flag takes: live data, a fixed list, or nothing. */
static int
flag_kind(const char *flag, const char *const **fixed)
{
	if (strcmp(flag, "--tenant") == 0)
		return ST_COMPLETE_TENANT;
	if (strcmp(flag, "--assigned") == 0 || strcmp(flag, "--agent") == 0 ||
	    strcmp(flag, "--actor") == 0)
		return ST_COMPLETE_USER;
	if (strcmp(flag, "--lead") == 0)
		return ST_COMPLETE_LEAD;
	if (strcmp(flag, "--estado") == 0) {
		*fixed = estados;
		return -2;
	}
	return -1;
}

static const struct cmd_entry *
find_entry(const char *noun, const char *verb)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i]->noun, noun) == 0 && all[i]->verb && verb &&
		    strcmp(all[i]->verb, verb) == 0)
			return all[i];
	return NULL;
}

static bool
flag_takes_value(const struct cmd_entry *e, const char *word)
{
	for (const struct cmd_flag *f = e ? e->flags : NULL; f && f->name; f++)
		if (strncmp(word, "--", 2) == 0 && strcmp(word + 2, f->name) == 0)
			return f->arg != NULL;
	return false;
}

/* The flags of e, then --json, --csv and --help. */
static void
add_flags(const struct cmd_entry *e)
{
	for (const struct cmd_flag *f = e->flags; f && f->name; f++)
		add_word(st_xasprintf("--%s", f->name));
	add_words((const char *const[]){ "--json", "--csv", "--help", NULL });
}

/* Arguments of "noun verb ...": the flag's value, a positional, or flags. */
static void
collect_args(char **argv, int argc, const char *text, const char *tenant)
{
	const struct cmd_entry *e = find_entry(argv[0], argv[1]);
	const char *const *fixed = NULL;
	int pos = 0, kind = -1;
	bool want_flag_value = false;

	if (!e)
		return;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc)
			tenant = argv[i + 1];
		if (flag_takes_value(e, argv[i])) {
			if (i + 1 == argc)
				want_flag_value = true;
			i++;
		} else if (argv[i][0] != '-') {
			pos++;
		}
	}
	if (want_flag_value)
		kind = flag_kind(argv[argc - 1], &fixed);
	else if (text[0] != '-')
		kind = positional_kind(argv[0], argv[1], pos, &fixed);
	if (kind == -2)
		add_words(fixed);
	else if (kind >= 0)
		add_live((enum st_complete_kind)kind, tenant, text);
	else if (!want_flag_value)
		add_flags(e);
}

/*
 * Words that may come next after before (the line up to the word being
 * completed), starting with text or, for live data, matching it another
 * way (a lead's name for its id). From the command table, the line so far
 * and, when db is not NULL, the database. A NULL-terminated array of new
 * strings, never NULL; free with complete_free.
 */
char **
complete_words(struct st_db *db, const char *tenant_slug, const char *before,
	       const char *text)
{
	size_t n;
	const struct cmd_entry *const *all = cmd_all(&n);
	char **argv = NULL;
	struct st_error err;
	int argc = repl_split(before, &argv, &err);

	char **words;

	completion_words = NULL;
	ncompletion = 0;
	completion_db = db;
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "help") == 0)) {
		for (size_t i = 0; i < n; i++) {
			bool dup = false;

			for (size_t k = 0; k < ncompletion && !dup; k++)
				dup = strcmp(completion_words[k], all[i]->noun)
				      == 0;
			if (!dup)
				add_word(st_xstrdup(all[i]->noun));
		}
	} else if (argc == 1 && strcmp(argv[0], "use") == 0) {
		add_live(ST_COMPLETE_TENANT, NULL, text);
	} else if (argc == 1) {
		for (size_t i = 0; i < n; i++)
			if (all[i]->verb && strcmp(argv[0], all[i]->noun) == 0)
				add_word(st_xstrdup(all[i]->verb));
	} else if (argc >= 2) {
		collect_args(argv, argc, text, tenant_slug);
	}
	repl_words_free(argv);
	words = completion_words ? completion_words
				 : st_xcalloc(1, sizeof(char *));
	completion_words = NULL;
	completion_db = NULL;
	return words;
}

void
complete_free(char **words)
{
	repl_words_free(words);
}

