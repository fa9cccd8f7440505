/*
 * bare.c - the baseline of bench/campaigns: the same WhatsApp text
 * messages sent to the same mock at the same concurrency by a bare curl
 * multi client (libstrato's st_http_multi), with no database at all.
 *
 *   bench_campaigns_bare BASE_URL COUNT CONCURRENCY
 *
 * Prints the seconds it took. What the engine reaches against this, in
 * the same run on the same machine, is the share of the provider's
 * speed it keeps while claiming and recording every send.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strato/error.h"
#include "strato/http.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
add(struct st_http_multi *m, const char *url, long i)
{
	char body[256];
	struct st_http_request req;

	snprintf(body, sizeof(body), "{\"messaging_product\":\"whatsapp\","
		 "\"to\":\"54911%08ld\",\"type\":\"text\",\"text\":"
		 "{\"body\":\"Hola Lead %ld, hay novedades\"}}", 70000000 + i,
		 i);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers[0] = "Content-Type: application/json";
	req.headers[1] = "Authorization: Bearer EAAGbench0123456789";
	req.nheaders = 2;
	req.body = body;
	req.body_len = strlen(body);
	st_http_multi_add(m, &req, (void *)i);
}

int
main(int argc, char **argv)
{
	struct st_http_multi *m;
	struct st_http_response resp;
	struct st_error err;
	long count, conc, started = 0, done = 0, bad = 0;
	char url[512];
	void *tag;
	double t0;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_campaigns_bare BASE_URL COUNT "
			"CONCURRENCY\n");
		return 2;
	}
	snprintf(url, sizeof(url), "%s/v21.0/106540352242922/messages",
		 argv[1]);
	count = atol(argv[2]);
	conc = atol(argv[3]);
	m = st_http_multi_new(conc);
	t0 = now_s();
	while (done < count) {
		while (started < count && started - done < conc)
			add(m, url, started++);
		st_error_init(&err);
		if (st_http_multi_next(m, 100, &tag, &resp, &err) == 1) {
			done++;
			bad += resp.status != 200;
			st_http_response_release(&resp);
		}
	}
	printf("%.3f\n", now_s() - t0);
	st_http_multi_free(m);
	if (bad) {
		fprintf(stderr, "bench_campaigns_bare: %ld answers were not "
			"200\n", bad);
		return 1;
	}
	return 0;
}
