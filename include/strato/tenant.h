/*
 * tenant.h - tenants and the tenant scope every tenant-level call runs in.
 *
 * st_tenant_begin() opens a transaction and sets app.tenant_id for it with
 * set_config(..., true), so the setting dies with the transaction and never
 * leaks to the next user of a pooled connection. Row-Level Security decides
 * visibility from it (for service logins) or from the login itself (agents,
 * for whom the setting changes nothing). Library calls made inside the scope
 * also filter on tenant_id explicitly.
 */
#ifndef STRATO_TENANT_H
#define STRATO_TENANT_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/db.h"
#include "strato/error.h"

struct st_tenant {
	char *id;
	char *nombre;
	char *slug;
	char *plan;
	bool is_active;
	char *config;     /* JSON text */
	char *created_at; /* ISO 8601 */
	char *updated_at;
};

struct st_tenant_list {
	size_t n;
	struct st_tenant *items;
};

void st_tenant_release(struct st_tenant *t);
void st_tenant_list_release(struct st_tenant_list *l);

/* Validate a slug: 2-63 of [a-z0-9-], starting with a letter or digit. */
bool st_tenant_slug_valid(const char *slug);
/* Validate a plan name: BASIC, PRO or ENTERPRISE (exact). */
bool st_tenant_plan_valid(const char *plan);

/*
 * Create a tenant (service logins only). plan may be NULL (BASIC). On
 * success *out is filled (caller releases). A taken slug is ST_EEXIST.
 */
int st_tenant_create(struct st_db *db, const char *nombre, const char *slug,
		     const char *plan, struct st_tenant *out,
		     struct st_error *err);
/* All tenants the login can see, by slug. */
int st_tenant_list(struct st_db *db, struct st_tenant_list *out,
		   struct st_error *err);
/* One tenant by slug; ST_ENOTFOUND when missing or not visible. */
int st_tenant_get(struct st_db *db, const char *slug, struct st_tenant *out,
		  struct st_error *err);
/* Enable or disable by slug. */
int st_tenant_set_active(struct st_db *db, const char *slug, bool active,
			 struct st_error *err);

/*
 * Rename a tenant or change its plan (platform admins). NULL leaves a field
 * as it is. *out is the tenant afterwards; the audit row holds the diff.
 */
int st_tenant_update(struct st_db *db, const char *slug, const char *nombre,
		     const char *plan, struct st_tenant *out,
		     struct st_error *err);

/*
 * The tenant's settings, kept in tenant.config: "country" (ISO 3166, for
 * phones written without a country code), "timezone" (IANA), "currency"
 * (ARS or USD), "lead_visibility" ("all": agents see every lead; "assigned":
 * only theirs and the unassigned). n keys are set to values after
 * validation; an empty value returns a key to its default. Platform admins.
 */
int st_tenant_configure(struct st_db *db, const char *slug,
			const char *const *keys, const char *const *values,
			size_t n, struct st_tenant *out, struct st_error *err);

/* The setting names, NULL-terminated, in display order. */
extern const char *const st_tenant_setting_names[];

/* A setting of t, its default when unset; a new string. */
char *st_tenant_setting(const struct st_tenant *t, const char *key);


/*
 * Resolve the tenant a command works in: the slug given (service logins;
 * for agents it must be their own tenant or NULL), else the agent's own
 * tenant. Fills *id_out with a new string. A service login without a slug,
 * or an agent naming another tenant, is ST_EINVAL / ST_EPERM.
 */
int st_tenant_resolve(struct st_db *db, const char *slug, char **id_out,
		      struct st_error *err);

/* Open a transaction scoped to tenant_id (a uuid string). */
int st_tenant_begin(struct st_db *db, const char *tenant_id,
		    struct st_error *err);
int st_tenant_commit(struct st_db *db, struct st_error *err);
void st_tenant_rollback(struct st_db *db);

#endif
