/*
 * provider-internal.h - shared by the provider clients in src/providers/.
 */
#ifndef STRATO_PROVIDER_INTERNAL_H
#define STRATO_PROVIDER_INTERNAL_H

#include <jansson.h>

#include "strato/http.h"
#include "strato/provider.h"

/*
 * Call base_url + path (+ "?" + query) with the provider's auth header,
 * body (NULL: none) as JSON. 0 when a response arrived, whatever its
 * status; -1 without one (p->failure TRANSPORT, resp->outcome says
 * whether it may have gone out).
 */
int st_provider_call(struct st_provider *p, const char *method,
		     const char *path, const char *query, json_t *body,
		     bool idempotent, struct st_http_response *resp,
		     struct st_error *err);
/* The same with a body of any type (ctype, e.g. multipart/form-data). */
int st_provider_call_raw(struct st_provider *p, const char *method,
			 const char *path, const char *query,
			 const char *ctype, const char *body, size_t len,
			 bool idempotent, struct st_http_response *resp,
			 struct st_error *err);
/* "name=value" with value URL-escaped; a new string. */
char *st_provider_qs(const char *name, const char *value);
/* The body as JSON, or NULL with p->failure PROTOCOL and err set. */
json_t *st_provider_json(struct st_provider *p,
			 const struct st_http_response *resp,
			 const char *what, struct st_error *err);
/* p->failure from an HTTP status that is not 2xx. */
void st_provider_classify(struct st_provider *p, long status);
/* Set err: "<provider> <what> failed (HTTP n): <message>". */
void st_provider_fail(struct st_provider *p, const char *what, long status,
		      const char *message, struct st_error *err);
/* The outcome of a send that failed with p->failure. */
enum st_send_outcome st_provider_send_outcome(const struct st_provider *p,
					      const struct st_http_response *r);

int st_manychat_test(struct st_provider *p, char **summary,
		     struct st_error *err);
int st_uchat_test(struct st_provider *p, char **summary,
		  struct st_error *err);
int st_whatsapp_test(struct st_provider *p, char **summary,
		     struct st_error *err);
int st_elevenlabs_test(struct st_provider *p, char **summary,
		       struct st_error *err);

extern const struct st_channel_ops st_manychat_ops;
extern const struct st_channel_ops st_uchat_ops;
extern const struct st_channel_ops st_whatsapp_ops;
/* A WhatsApp template's components: the body's text parameters in order. */
json_t *st_whatsapp_components(const char *const *params, size_t nparams);

#endif
