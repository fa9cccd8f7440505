/*
 * complete.h - completion candidates for a command line, shared by the
 * shell and the TUI.
 */
#ifndef STRATO_TUI_COMPLETE_H
#define STRATO_TUI_COMPLETE_H

#include "strato/db.h"

/*
 * Candidates for the word text, given before (the line up to it): nouns,
 * verbs and flags from the command table, and, with db, live data (tenant
 * slugs, user e-mails, lead and property ids, campaign names). Live
 * candidates may not start with text (a lead typed by a word of its name
 * completes to its id). NULL-terminated, never NULL; complete_free.
 */
char **complete_words(struct st_db *db, const char *tenant_slug,
		      const char *before, const char *text);
void complete_free(char **words);

#endif
