/*
 * worker.c - one thread, one connection, jobs in order.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "strato/util.h"
#include "worker.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct st_db *db;
	struct job *pending, *done; /* FIFOs (next-linked) */
	struct job *running;
	unsigned long seq;
	bool stopping;
	int pipe[2]; /* a byte per finished job */
};

static void
push(struct job **list, struct job *j)
{
	j->next = NULL;
	while (*list)
		list = &(*list)->next;
	*list = j;
}

static struct job *
pop(struct job **list)
{
	struct job *j = *list;

	if (j)
		*list = j->next;
	return j;
}

static void *
loop(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct job *j;

		while (!w->pending && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping)
			break;
		j = pop(&w->pending);
		if (!j->dropped) {
			w->running = j;
			pthread_mutex_unlock(&w->lock);
			st_error_init(&j->err);
			j->rc = j->run(w->db, j);
			pthread_mutex_lock(&w->lock);
			w->running = NULL;
		}
		push(&w->done, j);
		(void)!write(w->pipe[1], "x", 1);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct worker *
worker_start(struct st_db *db)
{
	struct worker *w = st_xcalloc(1, sizeof(*w));

	w->db = db;
	if (pipe(w->pipe) < 0) {
		free(w);
		return NULL;
	}
	fcntl(w->pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(w->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(w->pipe[1], F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, loop, w) != 0) {
		close(w->pipe[0]);
		close(w->pipe[1]);
		free(w);
		return NULL;
	}
	return w;
}

static void
free_list(struct job *j)
{
	while (j) {
		struct job *next = j->next;

		j->release(j);
		j = next;
	}
}

void
worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	if (w->running && !w->running->uncancellable)
		st_db_cancel(w->db);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	free_list(w->pending);
	free_list(w->done);
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w);
}

int
worker_fd(const struct worker *w)
{
	return w->pipe[0];
}

void
worker_submit(struct worker *w, struct job *j)
{
	pthread_mutex_lock(&w->lock);
	for (struct job *p = w->pending; p && j->supersedes; p = p->next)
		if (p->kind == j->kind)
			p->dropped = true;
	j->seq = ++w->seq;
	j->dropped = false;
	push(&w->pending, j);
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

struct job *
worker_take(struct worker *w)
{
	struct job *j;
	char buf[64];

	(void)!read(w->pipe[0], buf, sizeof(buf));
	pthread_mutex_lock(&w->lock);
	j = pop(&w->done);
	if (w->done) /* more left: keep the fd readable */
		(void)!write(w->pipe[1], "x", 1);
	pthread_mutex_unlock(&w->lock);
	return j;
}

void
worker_cancel(struct worker *w, int kind)
{
	pthread_mutex_lock(&w->lock);
	if (w->running && !w->running->uncancellable &&
	    (kind < 0 || w->running->kind == kind))
		st_db_cancel(w->db);
	pthread_mutex_unlock(&w->lock);
}

bool
worker_busy(struct worker *w)
{
	bool busy;

	pthread_mutex_lock(&w->lock);
	busy = w->running || w->pending;
	pthread_mutex_unlock(&w->lock);
	return busy;
}
