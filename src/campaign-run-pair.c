/*
 * campaign-run-pair.c - the per-recipient token bucket of the send loop:
 * WhatsApp's pair rate limit (about one message every 6 seconds to one
 * recipient, with bursts of about 45; code 131056 past it).
 *
 * A bucket per recipient holds up to `burst` tokens and gains one every
 * `interval` seconds. Only recipients written to lately have one: a
 * bucket that has refilled is dropped at the next sweep, so the table
 * holds about (sends per second x interval) entries, flat in the size of
 * the audience.
 */
#include <stdlib.h>
#include <string.h>

#include "campaign-run-internal.h"
#include "strato/util.h"

#define NBUCKETS 4096

struct pair {
	char *to;
	double tokens;
	double last;
	struct pair *next;
};

struct cr_pairs {
	double interval;
	double burst;
	struct pair *b[NBUCKETS];
	double swept;
};

struct cr_pairs *
cr_pairs_new(double interval, int burst)
{
	struct cr_pairs *p = st_xcalloc(1, sizeof(*p));

	p->interval = interval > 0 ? interval : 6;
	p->burst = burst > 0 ? burst : 1;
	return p;
}

void
cr_pairs_free(struct cr_pairs *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct pair *e = p->b[i], *n;

		for (; e; e = n) {
			n = e->next;
			free(e->to);
			free(e);
		}
	}
	free(p);
}

static size_t
hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % NBUCKETS;
}

/* The recipient's bucket, brought up to now (a new, full one if none). */
static struct pair *
find(struct cr_pairs *p, const char *to, double now)
{
	size_t h = hash(to);
	struct pair *e;

	for (e = p->b[h]; e; e = e->next)
		if (strcmp(e->to, to) == 0)
			break;
	if (!e) {
		e = st_xcalloc(1, sizeof(*e));
		e->to = st_xstrdup(to);
		e->tokens = p->burst;
		e->next = p->b[h];
		p->b[h] = e;
	} else {
		e->tokens += (now - e->last) / p->interval;
		if (e->tokens > p->burst)
			e->tokens = p->burst;
	}
	e->last = now;
	return e;
}

/* Drop the buckets that have refilled, about once a second. */
static void
sweep(struct cr_pairs *p, double now)
{
	if (now - p->swept < 1)
		return;
	p->swept = now;
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct pair **pp = &p->b[i];

		while (*pp) {
			struct pair *e = *pp;

			if (e->tokens + (now - e->last) / p->interval >=
			    p->burst) {
				*pp = e->next;
				free(e->to);
				free(e);
			} else {
				pp = &e->next;
			}
		}
	}
}

/*
 * Take a token for a message to `to` now: 0 when there was one, else
 * the seconds until there is (nothing taken).
 */
double
cr_pairs_take(struct cr_pairs *p, const char *to, double now)
{
	struct pair *e;

	sweep(p, now);
	e = find(p, to, now);
	if (e->tokens >= 1) {
		e->tokens -= 1;
		return 0;
	}
	return (1 - e->tokens) * p->interval;
}

/* A message that cannot wait (a voice note after its text): counted. */
void
cr_pairs_charge(struct cr_pairs *p, const char *to, double now)
{
	find(p, to, now)->tokens -= 1;
}
