/*
 * worker.h - the TUI's queries, off the screen's thread.
 *
 * One thread owns the database connection and runs jobs in order; the
 * screen's loop polls worker_fd() beside the keyboard and takes finished
 * jobs back, so typing, scrolling and resizing never wait on the server.
 * worker_cancel() asks the server to stop the running job's query
 * (PQcancel); the job then finishes with the server's error. Library calls
 * stay as they are (blocking, PGresult kept inside src/), which is why this
 * is a thread and not PQsendQuery in the loop.
 */
#ifndef STRATO_WORKER_H
#define STRATO_WORKER_H

#include <stdbool.h>

#include "strato/db.h"
#include "strato/error.h"

struct job {
	int kind;                 /* the caller's tag */
	unsigned long seq;        /* set by worker_submit */
	int (*run)(struct st_db *db, struct job *j); /* on the worker */
	void *data;               /* the caller's */
	void (*release)(struct job *j); /* frees data and j itself */
	int rc;                   /* run's return */
	struct st_error err;
	bool supersedes;          /* a newer one drops pending ones of
				   * its kind (a search as you type) */
	bool uncancellable;       /* never PQcancel it (a reconnection) */
	bool dropped;             /* superseded before it ran */
	struct job *next;
};

struct worker;

/* Start the thread; it uses db from now on (the caller must not). */
struct worker *worker_start(struct st_db *db);
/* Cancel, join, and hand back nothing: finished jobs are discarded. */
void worker_stop(struct worker *w);

int worker_fd(const struct worker *w);
/* Queue j (owned by the worker until returned by worker_take). When
 * j->supersedes, pending jobs of its kind are dropped: only the latest
 * search runs. Other jobs (a typed command) are never dropped. */
void worker_submit(struct worker *w, struct job *j);
/* A finished (or dropped) job, or NULL; the caller owns it again. */
struct job *worker_take(struct worker *w);
/* Cancel the running query, if its job is of kind (-1: any). */
void worker_cancel(struct worker *w, int kind);
/* True while a job runs or waits. */
bool worker_busy(struct worker *w);

#endif
