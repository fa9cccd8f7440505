/*
 * repl.h - the console's line-by-line front end: an interactive shell with
 * readline (history, completion from the command table), or a script read
 * from standard input or a file. Every line runs through the same command
 * table as the one-shot command line.
 */
#ifndef STRATO_REPL_H
#define STRATO_REPL_H

#include <stdio.h>

#include "cmd.h"

/*
 * Split a command line into words: blanks separate, '...' and "..." quote,
 * a backslash escapes the next character, '#' at the start of a word
 * begins a comment. Returns the count (argv NULL-terminated, owned by the
 * caller with repl_words_free), or -1 with err set for an open quote.
 */
int repl_split(const char *line, char ***argv, struct st_error *err);
void repl_words_free(char **argv);

/*
 * Run the commands of f, one a line, rendering each result to stdout and
 * each error to stderr. A line that fails does not stop the script.
 * Returns 0 when every command succeeded, 1 when any failed.
 */
int repl_script(struct cmd_ctx *ctx, FILE *f, const char *name);

/* The interactive shell on a terminal: readline, history in
 * $XDG_STATE_HOME/strato/history (lines starting with a space are not
 * kept), tab completion of nouns, verbs and options. */
int repl_interactive(struct cmd_ctx *ctx);

/* Run one line; 0 or -1 (the error already printed). */
int repl_run_line(struct cmd_ctx *ctx, const char *line);

#endif
