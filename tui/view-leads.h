/*
 * view-leads.h - the leads screen: a keyset-paged list, search, filters.
 *
 * The model never queries: it says what it wants (want) and the main loop
 * runs that on the worker, then hands the page back with
 * leads_view_take_page(). So the screen stays live while a query runs, and
 * a test can drive it with pages made up in memory.
 */
#ifndef STRATO_VIEW_LEADS_H
#define STRATO_VIEW_LEADS_H

#include "strato/lead.h"
#include "view.h"

enum leads_want {
	LW_NONE,
	LW_RELOAD, /* the first page again (filter or search changed) */
	LW_SEARCH, /* the same, after the typing pauses (debounce) */
	LW_MORE,   /* the page after the loaded rows */
	LW_OPEN,   /* the selected lead's detail */
};

struct leads_view {
	struct st_lead *rows;
	size_t n;
	char *next;        /* cursor after the loaded rows, NULL at the end */
	bool loading;
	size_t sel, top;
	int page_rows;     /* list rows on screen, from the last layout */
	int list_top;      /* the screen row of the first, likewise */
	struct view_input search;
	bool in_search;    /* "/" has the keys */
	struct view_input filter;
	bool in_filter;    /* "f" has the keys */
	char *estado, *tag, *assigned; /* the active filter */
	bool by_name;      /* sorted by name, else newest first */
	long estimate;     /* leads matching, from statistics; -1 unknown */
	char *message;     /* an error or a notice for the bottom line */
	const char *tenant, *login; /* borrowed, for the status line */
	enum leads_want want;
};

void leads_view_init(struct leads_view *v, const char *tenant,
		     const char *login);
void leads_view_release(struct leads_view *v);

/* The filter the next query should use (borrowed strings). */
void leads_view_filter(const struct leads_view *v, struct st_lead_filter *f);

/* Take a page: replaces the rows (reload) or appends them (more). The
 * page's items move into the view; page is left empty. */
void leads_view_take_page(struct leads_view *v, struct st_lead_list *page,
			  bool append);

/* A message for the bottom line (NULL clears it). */
void leads_view_message(struct leads_view *v, const char *msg);

enum view_result leads_view_key(struct leads_view *v, int key);
void leads_view_layout(struct leads_view *v, struct view_frame *f);

/* The selected lead, or NULL. */
const struct st_lead *leads_view_selected(const struct leads_view *v);

#endif
