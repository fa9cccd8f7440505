/*
 * send-async.h - channel sends split for curl multi: a request to start
 * now and an answer to read later (src/providers/send-async.c).
 *
 * st_send_prepare_* build the HTTP request of a text, audio (by link) or
 * WhatsApp template message for a contact of the channel p is opened on;
 * start it with st_http_multi_add(). When it ends, st_send_finish()
 * reads the response into a struct st_send_result by the rules of the
 * synchronous clients. The prepared request holds the credential: release
 * it (wiped) as soon as the transfer has started.
 */
#ifndef STRATO_SEND_ASYNC_H
#define STRATO_SEND_ASYNC_H

#include <stddef.h>

#include "strato/error.h"
#include "strato/http.h"
#include "strato/provider.h"

struct st_send_req {
	struct st_http_request http; /* points into the members below */
	const char *provider;
	char *url;
	char *auth; /* the "Authorization: Bearer" line, wiped on release */
	char *body;
};

void st_send_req_release(struct st_send_req *r);
int st_send_prepare_text(struct st_provider *p, const char *contact,
			 const char *text, struct st_send_req *r,
			 struct st_error *err);
int st_send_prepare_audio(struct st_provider *p, const char *contact,
			  const char *url, struct st_send_req *r,
			  struct st_error *err);
int st_send_prepare_template(struct st_provider *p, const char *contact,
			     const char *name, const char *lang,
			     const char *const *params, size_t nparams,
			     struct st_send_req *r, struct st_error *err);
int st_send_finish(const char *provider, const struct st_http_response *resp,
		   struct st_send_result *res, struct st_error *err);

#endif
