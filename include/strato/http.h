/*
 * http.h - HTTPS requests to the providers, on libcurl.
 *
 * One call, st_http_send(), makes a request and retries it when that is
 * safe: network errors before anything was sent, 429 and 503 always;
 * network errors after the request went out and the other 5xx only when
 * the request is idempotent. Waits grow exponentially with jitter, and a
 * Retry-After header is honoured (capped). Attempts are bounded.
 *
 * A non-idempotent send (a message) that fails after the request went out
 * (a timeout, a reset connection) is reported as ST_HTTP_UNKNOWN and never
 * retried: the provider may have delivered it, and sending it again could
 * reach the lead twice.
 *
 * TLS peers are always verified (a CA bundle path may be given). Requests
 * carry "User-Agent: STRATO/<version>". At the debug log level (--verbose)
 * requests and responses are logged with credentials redacted: headers
 * such as Authorization and xi-api-key, any header or JSON field or query
 * parameter whose name holds "token", "key", "secret" or "password", and
 * any extra names the caller lists.
 */
#ifndef STRATO_HTTP_H
#define STRATO_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "strato/error.h"

#define ST_HTTP_HEADERS_MAX 16

/* What became of a request, beyond its HTTP status. */
enum st_http_outcome {
	ST_HTTP_DONE,    /* a response arrived (any status) */
	ST_HTTP_FAILED,  /* no response; the request had no effect */
	ST_HTTP_UNKNOWN, /* no response after it went out: may have acted */
};

struct st_http_request {
	const char *method; /* "GET", "POST", ... */
	const char *url;
	/* "Name: value" lines, at most ST_HTTP_HEADERS_MAX */
	const char *headers[ST_HTTP_HEADERS_MAX];
	size_t nheaders;
	const char *body; /* NULL: none */
	size_t body_len;
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* whole attempt; 0: 30 s */
	const char *ca_bundle;   /* NULL: the system's */
	int max_attempts;        /* 0: 4 */
	long backoff_ms;         /* first wait; 0: 500 ms */
	long backoff_max_ms;     /* cap of any wait, Retry-After too; 0: 30 s */
	bool idempotent;         /* safe to repeat after it went out */
	const char *const *redact; /* more secret names, NULL-terminated */
};

struct st_http_response {
	enum st_http_outcome outcome;
	long status;        /* 0 without a response */
	char *body;         /* NUL-terminated (may hold other NULs) */
	size_t len;
	char *content_type; /* NULL if none */
	int attempts;
	long retry_after;    /* multi only: Retry-After in seconds, -1 none */
};

/* Free what a response holds; accepts one never filled. */
void st_http_response_release(struct st_http_response *r);

/*
 * Make the request, retrying as described above. Returns 0 when a
 * response arrived (whatever its status; the last one after retries), -1
 * otherwise with resp->outcome FAILED or UNKNOWN and err ST_ECONN naming
 * the method, the URL's host and path and what went wrong.
 */
int st_http_send(const struct st_http_request *req,
		 struct st_http_response *resp, struct st_error *err);

/*
 * The wait before attempt n+1 (n >= 1) in ms: backoff * 2^(n-1) with
 * jitter (between half and all of it), or retry_after_s seconds when it is
 * >= 0; never more than max. Exposed for the tests.
 */
long st_http_backoff(int n, long backoff_ms, long max_ms, long retry_after_s);
/* A Retry-After value (seconds, or an HTTP date) in seconds; -1 if bad. */
long st_http_parse_retry_after(const char *v);
/*
 * A copy of text (a JSON body, a URL, a header line) for the log with
 * secrets replaced by "[redacted]". extra may add names (NULL-terminated).
 */
char *st_http_redact(const char *text, size_t len,
		     const char *const *extra);

/*
 * Many requests at once on one curl multi handle (the campaign engine's
 * sends): transfers share connections, each is one attempt (no retries:
 * the caller decides what a failure means for its message), and the
 * caller bounds how many run at once. A transfer that fails after its
 * request went out ends ST_HTTP_UNKNOWN unless req->idempotent, as with
 * st_http_send(). Not thread-safe: one multi per thread.
 */
struct st_http_multi;

/* A new multi handle; at most max_host connections to one host (0: 64). */
struct st_http_multi *st_http_multi_new(long max_host);
/* Abort the transfers still running and free everything; NULL is fine. */
void st_http_multi_free(struct st_http_multi *m);
/*
 * Start req (copied: it need not outlive the call) without waiting; tag
 * comes back from st_http_multi_next() when it ends.
 */
void st_http_multi_add(struct st_http_multi *m,
		       const struct st_http_request *req, void *tag);
/*
 * Also wake up st_http_multi_next() (returning 0) when fd or fd2 is
 * readable; -1 for neither. For a caller with database answers to wait
 * for.
 */
void st_http_multi_watch(struct st_http_multi *m, int fd, int fd2);
/* Send what was added and read what came, without waiting. */
void st_http_multi_kick(struct st_http_multi *m);
/* How many transfers are running. */
size_t st_http_multi_running(const struct st_http_multi *m);
/*
 * Drive the transfers for up to timeout_ms. 1 when one ended: *tag is its
 * tag, resp its response (0 attempts counted once) and, when no response
 * came, err says why (resp->outcome FAILED or UNKNOWN). 0 when none ended
 * in time.
 */
int st_http_multi_next(struct st_http_multi *m, long timeout_ms, void **tag,
		       struct st_http_response *resp, struct st_error *err);

#endif
