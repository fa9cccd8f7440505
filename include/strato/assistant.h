/*
 * assistant.h - a tenant's assistant: its name, prompt, greeting, voice
 * and the weights of the property ranking.
 *
 * config (jsonb) holds "greeting" (text) and "ranking", an object of
 * non-negative weights under the keys zona, precio, ambientes and
 * recencia, which the property ranking reads from the active assistant.
 * A tenant has at most one active assistant: making one active
 * deactivates the other in the same transaction (each change audited),
 * and a tenant's first assistant is active unless told otherwise. The
 * rule lives here, not in an index, because installs migrated from the
 * single-tenant application may hold several active rows, copied
 * verbatim. Changes need a tenant admin.
 */
#ifndef STRATO_ASSISTANT_H
#define STRATO_ASSISTANT_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_assistant {
	char *id;
	char *nombre;
	char *prompt;
	char *config;   /* JSON text, or NULL */
	char *greeting; /* config.greeting */
	char *ranking;  /* config.ranking, JSON text */
	char *voice_id;
	bool is_active;
	char *created_at;
	char *updated_at;
};

struct st_assistant_list {
	size_t n;
	struct st_assistant *items;
};

/* What create sets and update changes; NULL members stay unchanged. */
struct st_assistant_spec {
	const char *nombre;
	const char *prompt;
	const char *greeting;
	const char *voice_id; /* "" removes the voice */
	const char *weights;  /* "zona=0.4,precio=0.3": merged into ranking */
	int active;           /* -1 unchanged (or the default), 0, 1 */
};

void st_assistant_release(struct st_assistant *a);
void st_assistant_list_release(struct st_assistant_list *l);

/*
 * Parse "zona=0.4,precio=0.3,..." into a JSON object text (caller frees);
 * NULL with ST_EINVAL naming the bad key or value.
 */
char *st_assistant_weights_parse(const char *s, struct st_error *err);

int st_assistant_list(struct st_db *db, const char *tenant_id,
		      struct st_assistant_list *out, struct st_error *err);
/* By id or nombre (a name two assistants share is ST_EINVAL). */
int st_assistant_get(struct st_db *db, const char *tenant_id,
		     const char *ref, struct st_assistant *out,
		     struct st_error *err);
int st_assistant_create(struct st_db *db, const char *tenant_id,
			const struct st_assistant_spec *spec,
			struct st_assistant *out, struct st_error *err);
int st_assistant_update(struct st_db *db, const char *tenant_id,
			const char *ref, const struct st_assistant_spec *spec,
			struct st_assistant *out, struct st_error *err);

#endif
