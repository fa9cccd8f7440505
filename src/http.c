/*
 * http.c - provider requests on libcurl: one easy handle per attempt,
 * retries with backoff, and redacted logging at the debug level.
 */
#include <ctype.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "strato/http.h"
#include "strato/log.h"
#include "strato/util.h"

#define LOG_BODY_MAX 2048
#define REDACTED "[redacted]"

static const char *const secret_words[] = {
	"token", "key", "secret", "password", "authorization", "signature",
	NULL,
};

/* One attempt's state, filled by the callbacks. */
struct attempt {
	struct st_buf body;
	char *content_type;
	long retry_after; /* seconds, -1 if none */
	bool sent;        /* the request's headers went out */
	const char *const *redact;
};

/* Case-insensitive substring. */
static bool
has_word(const char *name, size_t n, const char *word)
{
	size_t w = strlen(word);

	for (size_t i = 0; i + w <= n; i++)
		if (strncasecmp(name + i, word, w) == 0)
			return true;
	return false;
}

static bool
is_secret_name(const char *name, size_t n, const char *const *extra)
{
	for (size_t i = 0; secret_words[i]; i++)
		if (has_word(name, n, secret_words[i]))
			return true;
	for (size_t i = 0; extra && extra[i]; i++)
		if (strlen(extra[i]) == n && strncasecmp(name, extra[i], n) == 0)
			return true;
	return false;
}

static void
redact_json(json_t *j, const char *const *extra)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach(j, k, v) {
			if (is_secret_name(k, strlen(k), extra) &&
			    (json_is_string(v) || json_is_number(v)))
				json_object_set_new(j, k, json_string(REDACTED));
			else
				redact_json(v, extra);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			redact_json(v, extra);
	}
}

/* name=value pairs after '?' (a URL) or in a form body. */
static char *
redact_query(const char *text, size_t len, const char *const *extra)
{
	struct st_buf b = ST_BUF_INIT;
	const char *q = memchr(text, '?', len);
	size_t i = q ? (size_t)(q - text) + 1 : 0;

	st_buf_add(&b, text, i);
	while (i < len) {
		size_t end = i, eq;

		while (end < len && text[end] != '&')
			end++;
		for (eq = i; eq < end && text[eq] != '='; eq++)
			;
		if (eq < end && is_secret_name(text + i, eq - i, extra)) {
			st_buf_add(&b, text + i, eq - i + 1);
			st_buf_addstr(&b, REDACTED);
		} else {
			st_buf_add(&b, text + i, end - i);
		}
		if (end < len)
			st_buf_addch(&b, '&');
		i = end + 1;
	}
	return st_buf_detach(&b);
}

/*
 * JSON text: secret fields at any depth. "Name: value": the value when the
 * name is a secret's. Anything else is read as a URL or form.
 */
char *
st_http_redact(const char *text, size_t len, const char *const *extra)
{
	const char *colon = memchr(text, ':', len);
	json_t *j = NULL;
	char *s;

	if (len && (text[0] == '{' || text[0] == '[') &&
	    (j = json_loadb(text, len, 0, NULL)) != NULL) {
		redact_json(j, extra);
		s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(j);
		return s;
	}
	if (len && (text[0] == '{' || text[0] == '['))
		return st_xstrdup("[unparsable JSON, not shown]");
	if (colon && colon > text && !memmem(text, len, "://", 3) &&
	    !memchr(text, '?', (size_t)(colon - text))) {
		if (is_secret_name(text, (size_t)(colon - text), extra))
			return st_xasprintf("%.*s: " REDACTED,
					    (int)(colon - text), text);
		return st_xstrndup(text, len);
	}
	return redact_query(text, len, extra);
}

static void
log_text(const char *prefix, const char *data, size_t n,
	 const char *const *extra)
{
	char *r;

	while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
		n--;
	if (n == 0)
		return;
	r = st_http_redact(data, n, extra);
	if (strlen(r) > LOG_BODY_MAX)
		r[LOG_BODY_MAX] = '\0';
	st_log_debug("http: %s %s", prefix, r);
	free(r);
}

/* Header lines one by one; bodies only when they look like text. */
static void
log_headers(const char *prefix, const char *data, size_t n,
	    const char *const *extra)
{
	size_t i = 0;

	while (i < n) {
		size_t e = i;

		while (e < n && data[e] != '\n')
			e++;
		log_text(prefix, data + i, e - i, extra);
		i = e + 1;
	}
}

static bool
printable(const char *d, size_t n)
{
	for (size_t i = 0; i < n && i < 256; i++)
		if ((unsigned char)d[i] < 0x09)
			return false;
	return true;
}

static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t n, void *arg)
{
	struct attempt *a = arg;
	bool verbose = st_log_get_level() >= ST_LOG_DEBUG;

	(void)h;
	if (type == CURLINFO_HEADER_OUT)
		a->sent = true;
	if (!verbose)
		return 0;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		log_headers(">", data, n, a->redact);
		break;
	case CURLINFO_HEADER_IN:
		log_headers("<", data, n, a->redact);
		break;
	case CURLINFO_DATA_OUT:
		log_text("> body", data, n, a->redact);
		break;
	case CURLINFO_DATA_IN:
		if (printable(data, n))
			log_text("< body", data, n, a->redact);
		else
			st_log_debug("http: < body: %zu bytes of binary", n);
		break;
	default:
		break;
	}
	return 0;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct attempt *a = arg;

	st_buf_add(&a->body, data, size * nmemb);
	return size * nmemb;
}

static size_t
header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct attempt *a = arg;
	size_t n = size * nmemb;

	if (n > 12 && strncasecmp(data, "retry-after:", 12) == 0) {
		char *v = st_xstrndup(data + 12, n - 12);

		a->retry_after = st_http_parse_retry_after(v);
		free(v);
	}
	if (n > 4 && strncasecmp(data, "HTTP/", 5) == 0)
		a->retry_after = -1; /* a new response (after 100 Continue) */
	return n;
}

/* Seconds, or an HTTP date (converted to seconds from now). */
long
st_http_parse_retry_after(const char *v)
{
	char *end = NULL;
	long s;
	time_t t;

	while (v && isspace((unsigned char)*v))
		v++;
	if (!v || !*v)
		return -1;
	if (isdigit((unsigned char)*v)) {
		s = strtol(v, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		return *end ? -1 : s;
	}
	t = curl_getdate(v, NULL);
	if (t < 0)
		return -1;
	s = (long)(t - time(NULL));
	return s < 0 ? 0 : s;
}

long
st_http_backoff(int n, long backoff_ms, long max_ms, long retry_after_s)
{
	static unsigned int seed;
	long d;

	if (retry_after_s >= 0)
		d = retry_after_s * 1000;
	else {
		if (!seed)
			seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
		d = backoff_ms;
		for (int i = 1; i < n && d < max_ms; i++)
			d *= 2;
		if (d > max_ms)
			d = max_ms;
		d = d / 2 + (long)(rand_r(&seed) % (unsigned long)(d / 2 + 1));
	}
	return d > max_ms ? max_ms : d;
}

void
st_http_response_release(struct st_http_response *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->content_type);
	memset(r, 0, sizeof(*r));
}

static void
global_init(void)
{
	static bool done;

	if (!done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		done = true;
	}
}

/* The URL without its query, for messages: a query may hold a token. */
static char *
url_for_message(const char *url)
{
	return st_xstrndup(url, strcspn(url, "?#"));
}

/* Is url's host this machine (127.0.0.1, localhost, [::1])? */
static bool
is_loopback(const char *url)
{
	static const char *const hosts[] = { "127.0.0.1", "localhost",
					     "[::1]" };
	const char *h = strstr(url, "://");
	size_t n;

	if (!h)
		return false;
	h += 3;
	n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/?#");
	for (size_t i = 0; i < ST_ARRAY_SIZE(hosts); i++)
		if (strlen(hosts[i]) == n && strncmp(h, hosts[i], n) == 0)
			return true;
	return false;
}

/* Is url off limits (STRATO_HTTP_LOOPBACK_ONLY, set by the test run)? */
static bool
blocked(const char *url)
{
	return getenv("STRATO_HTTP_LOOPBACK_ONLY") && !is_loopback(url);
}

static CURL *
make_handle(const struct st_http_request *req, struct curl_slist **hdrs,
	    struct attempt *a)
{
	CURL *h = curl_easy_init();

	if (!h)
		return NULL;
	for (size_t i = 0; i < req->nheaders && i < ST_HTTP_HEADERS_MAX; i++)
		*hdrs = curl_slist_append(*hdrs, req->headers[i]);
	*hdrs = curl_slist_append(*hdrs, "Expect:");
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	if (blocked(req->url))
		/* the test run: anything else goes through a proxy on a
		 * closed local port (refused), never out of the machine */
		curl_easy_setopt(h, CURLOPT_PROXY, "http://127.0.0.1:9");
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (req->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)req->body_len);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "STRATO/" ST_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms ? req->connect_timeout_ms
						 : 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
			 req->timeout_ms ? req->timeout_ms : 30000L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->ca_bundle)
		curl_easy_setopt(h, CURLOPT_CAINFO, req->ca_bundle);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, a);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	return h;
}

/* One attempt: *rc the curl result, the response in resp when there is. */
static CURLcode
attempt_once(const struct st_http_request *req, struct attempt *a,
	     struct st_http_response *resp)
{
	struct curl_slist *hdrs = NULL;
	CURL *h = make_handle(req, &hdrs, a);
	CURLcode rc;
	char *ct = NULL;

	if (!h)
		return CURLE_FAILED_INIT;
	if (st_log_get_level() >= ST_LOG_DEBUG) {
		char *u = st_http_redact(req->url, strlen(req->url),
					 req->redact);

		st_log_debug("http: %s %s (attempt %d)", req->method, u,
			     resp->attempts);
		free(u);
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
		curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		free(resp->content_type);
		resp->content_type = ct ? st_xstrdup(ct) : NULL;
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	return rc;
}

static bool
status_retryable(long status, bool idempotent)
{
	if (status == 429 || status == 503)
		return true;
	return idempotent && status >= 500 && status <= 599;
}

/* Keep the attempt's body as the response's. */
static void
take_body(struct st_http_response *resp, struct attempt *a)
{
	free(resp->body);
	resp->len = a->body.len;
	st_buf_addch(&a->body, '\0');
	resp->body = st_buf_detach(&a->body);
}

static void
wait_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static int
transport_error(const struct st_http_request *req, CURLcode rc, bool sent,
		struct st_http_response *resp, struct st_error *err)
{
	char *u = url_for_message(req->url);

	resp->outcome = sent && !req->idempotent ? ST_HTTP_UNKNOWN
						 : ST_HTTP_FAILED;
	resp->status = 0;
	st_error_set(err, ST_ECONN, "%s %s failed: %s", req->method, u,
		     blocked(req->url) ? "only this machine may be called "
		     "(STRATO_HTTP_LOOPBACK_ONLY)" : curl_easy_strerror(rc));
	if (resp->outcome == ST_HTTP_UNKNOWN)
		st_error_detail(err, "The request went out before the failure; "
				"the provider may have acted on it, so it was "
				"not repeated.");
	else
		st_error_detail(err, "After %d attempt%s.", resp->attempts,
				resp->attempts == 1 ? "" : "s");
	free(u);
	return -1;
}

/*
 * Attempt, and decide after each: a response that is not retryable, or
 * the last attempt, ends it; so does a failure after sending a
 * non-idempotent request (outcome UNKNOWN).
 */
int
st_http_send(const struct st_http_request *req,
	     struct st_http_response *resp, struct st_error *err)
{
	int max = req->max_attempts > 0 ? req->max_attempts : 4;
	long base = req->backoff_ms > 0 ? req->backoff_ms : 500;
	long cap = req->backoff_max_ms > 0 ? req->backoff_max_ms : 30000;

	memset(resp, 0, sizeof(*resp));
	global_init();
	for (;;) {
		struct attempt a = { ST_BUF_INIT, NULL, -1, false, req->redact };
		CURLcode rc;
		bool again;

		resp->attempts++;
		resp->status = 0;
		rc = attempt_once(req, &a, resp);
		take_body(resp, &a);
		if (rc == CURLE_OK) {
			resp->outcome = ST_HTTP_DONE;
			again = status_retryable(resp->status, req->idempotent);
		} else {
			again = !a.sent || req->idempotent;
		}
		if (rc == CURLE_OK)
			st_log_debug("http: status %ld", resp->status);
		else
			st_log_debug("http: %s%s", curl_easy_strerror(rc),
				     a.sent ? " (after sending)" : "");
		if (!again || resp->attempts >= max)
			return rc == CURLE_OK ? 0 : transport_error(req, rc,
					a.sent, resp, err);
		wait_ms(st_http_backoff(resp->attempts, base, cap,
					a.retry_after));
	}
}

/* One transfer of a multi: its handle, what it must keep alive, its tag. */
struct xfer {
	CURL *h;
	struct curl_slist *hdrs;
	struct attempt a;
	char *body;
	char *method;
	char *url;
	bool idempotent;
	void *tag;
	struct xfer *next;
};

struct st_http_multi {
	CURLM *m;
	struct xfer *running;
	size_t n;
	int watch[2]; /* other fds to wake up for, or -1 */
};

struct st_http_multi *
st_http_multi_new(long max_host)
{
	struct st_http_multi *m = st_xcalloc(1, sizeof(*m));

	global_init();
	m->m = curl_multi_init();
	m->watch[0] = m->watch[1] = -1;
	curl_multi_setopt(m->m, CURLMOPT_MAX_HOST_CONNECTIONS,
			  max_host > 0 ? max_host : 64L);
	/* keep every connection between transfers (the default cache
	 * shrinks with the number of handles added) */
	curl_multi_setopt(m->m, CURLMOPT_MAXCONNECTS,
			  (max_host > 0 ? max_host : 64L) + 8);
	curl_multi_setopt(m->m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	return m;
}

static void
xfer_free(struct st_http_multi *m, struct xfer *x)
{
	curl_multi_remove_handle(m->m, x->h);
	curl_easy_cleanup(x->h);
	curl_slist_free_all(x->hdrs);
	st_buf_release(&x->a.body);
	free(x->a.content_type);
	free(x->body);
	free(x->method);
	free(x->url);
	free(x);
}

void
st_http_multi_free(struct st_http_multi *m)
{
	if (!m)
		return;
	while (m->running) {
		struct xfer *x = m->running;

		m->running = x->next;
		xfer_free(m, x);
	}
	curl_multi_cleanup(m->m);
	free(m);
}

/*
 * The body is copied (libcurl does not copy POSTFIELDS); headers, URL and
 * method are copied by libcurl itself, the URL and method kept for errors.
 */
void
st_http_multi_add(struct st_http_multi *m, const struct st_http_request *req,
		  void *tag)
{
	struct xfer *x = st_xcalloc(1, sizeof(*x));
	struct st_http_request r = *req;

	x->a.retry_after = -1;
	x->a.redact = NULL;
	if (req->body) {
		x->body = st_xmalloc(req->body_len + 1);
		memcpy(x->body, req->body, req->body_len);
		x->body[req->body_len] = '\0';
		r.body = x->body;
	}
	x->method = st_xstrdup(req->method);
	x->url = st_xstrdup(req->url);
	x->idempotent = req->idempotent;
	x->tag = tag;
	x->h = make_handle(&r, &x->hdrs, &x->a);
	if (!x->h)
		abort();
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	curl_multi_add_handle(m->m, x->h);
	x->next = m->running;
	m->running = x;
	m->n++;
}

/*
 * Let libcurl send what was added and read what came, without waiting:
 * for a caller about to be busy elsewhere (a database round trip).
 */
void
st_http_multi_kick(struct st_http_multi *m)
{
	int still;

	curl_multi_perform(m->m, &still);
}

void
st_http_multi_watch(struct st_http_multi *m, int fd, int fd2)
{
	m->watch[0] = fd;
	m->watch[1] = fd2;
}

size_t
st_http_multi_running(const struct st_http_multi *m)
{
	return m->n;
}

/* Unlink the ended transfer x, fill resp (and err), free it. */
static void
xfer_end(struct st_http_multi *m, struct xfer *x, CURLcode rc,
	 struct st_http_response *resp, struct st_error *err)
{
	struct xfer **pp = &m->running;
	char *ct = NULL;

	while (*pp != x)
		pp = &(*pp)->next;
	*pp = x->next;
	m->n--;
	memset(resp, 0, sizeof(*resp));
	resp->attempts = 1;
	resp->retry_after = x->a.retry_after;
	if (rc == CURLE_OK) {
		resp->outcome = ST_HTTP_DONE;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &resp->status);
		curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
		resp->content_type = ct ? st_xstrdup(ct) : NULL;
	} else {
		struct st_http_request req = { 0 };

		req.method = x->method;
		req.url = x->url;
		req.idempotent = x->idempotent;
		transport_error(&req, rc, x->a.sent, resp, err);
	}
	take_body(resp, &x->a);
	xfer_free(m, x);
}

/* Wait for the transfers (and the watched fds); true when one woke. */
static bool
poll_once(struct st_http_multi *m, long ms)
{
	struct curl_waitfd w[2];
	struct pollfd p[2];
	unsigned n = 0;

	for (int i = 0; i < 2; i++) {
		if (m->watch[i] < 0)
			continue;
		w[n] = (struct curl_waitfd){ m->watch[i], CURL_WAIT_POLLIN, 0 };
		p[n] = (struct pollfd){ m->watch[i], POLLIN, 0 };
		n++;
	}
	curl_multi_poll(m->m, n ? w : NULL, n, (int)ms, NULL);
	/* libcurl does not fill revents (7.88): ask the fds themselves */
	return n && poll(p, n, 0) > 0;
}

/*
 * Perform, then read one finished transfer; poll between until the time
 * is up. Several may end in one perform: the others stay queued in
 * libcurl's message list for the next calls.
 */
int
st_http_multi_next(struct st_http_multi *m, long timeout_ms, void **tag,
		   struct st_http_response *resp, struct st_error *err)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*tag = NULL;
	for (;;) {
		struct timespec now;
		CURLMsg *msg;
		int left, still;
		long spent;

		curl_multi_perform(m->m, &still);
		while ((msg = curl_multi_info_read(m->m, &left)) != NULL) {
			struct xfer *x = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  (char **)&x);
			*tag = x->tag;
			xfer_end(m, x, msg->data.result, resp, err);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (now.tv_sec - t0.tv_sec) * 1000 +
			(now.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= timeout_ms)
			return 0;
		if (poll_once(m, timeout_ms - spent))
			return 0;
	}
}
