/*
 * view-table.h - any command's result on screen: the Properties,
 * Campaigns, Integrations, Tenants and Audit screens, a lead's detail, and
 * the pane of a ":" command. A table scrolls with a selected row; a record
 * or a message scrolls as lines.
 */
#ifndef STRATO_VIEW_TABLE_H
#define STRATO_VIEW_TABLE_H

#include "strato/table.h"
#include "view.h"

struct table_view {
	char *command;      /* the console command that fills it */
	struct st_table *t; /* owned; NULL until loaded */
	char **lines;       /* a record or message, as lines */
	size_t nlines;
	size_t sel, top;
	int page_rows;
	int first_row;      /* the screen row of row top, from the layout */
	bool loading;
	bool want_reload;
	char *message;      /* an error for the bottom line */
};

void table_view_init(struct table_view *v, const char *command);
void table_view_release(struct table_view *v);
/* Show t (taken: freed with the view). */
void table_view_set(struct table_view *v, struct st_table *t);
void table_view_error(struct table_view *v, const char *msg);
enum view_result table_view_key(struct table_view *v, int key);
/* Lay out in rows [top, bottom) of f. */
void table_view_layout(struct table_view *v, struct view_frame *f, int top,
		       int bottom);
/* The selected row's first cell (an id, usually), or NULL. */
const char *table_view_selected(const struct table_view *v, const char *col);

#endif
