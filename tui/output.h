/*
 * output.h - how the console puts results on the screen, and how Ctrl-C
 * reaches a running query.
 *
 * Results go to standard output; when both standard input and output are
 * terminals and the result is taller or wider than the screen, through the
 * pager instead, as psql does: PAGER (blank disables it, unset means
 * "less"), with LESS=-SRXF when LESS is unset.
 *
 * Ctrl-C never kills the console while a query runs: the handler sends the
 * server a cancel request (PQcancel is safe in a signal handler), the
 * query fails with "canceling statement due to user request", and the
 * shell returns to its prompt.
 */
#ifndef STRATO_OUTPUT_H
#define STRATO_OUTPUT_H

#include <stdbool.h>

#include "strato/db.h"
#include "strato/table.h"

/* Render t as fmt; 0, or -1 when the output could not be written. */
int output_render(const struct st_table *t, enum st_format fmt);

/* Install the SIGINT handler (no SA_RESTART: a blocked read sees EINTR). */
void output_sigint_install(void);
/* Ctrl-C from now on cancels db's running query (NULL: nothing to cancel). */
void output_sigint_arm(struct st_db *db);
/* True once if Ctrl-C arrived since the last call. */
bool output_sigint_take(void);

#endif
