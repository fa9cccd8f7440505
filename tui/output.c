/*
 * output.c - results to the terminal or the pager; Ctrl-C to PQcancel.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "output.h"
#include "strato/util.h"

static struct st_db *volatile armed_db;
static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	int saved = errno;

	(void)sig;
	interrupted = 1;
	if (armed_db)
		st_db_cancel(armed_db);
	errno = saved;
}

void
output_sigint_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

void
output_sigint_arm(struct st_db *db)
{
	armed_db = db;
}

bool
output_sigint_take(void)
{
	bool was = interrupted;

	interrupted = 0;
	return was;
}

/* Lines and widest line of text, in display columns. */
static void
measure(const char *text, size_t len, size_t *lines, size_t *width)
{
	const char *p = text, *end = text + len;

	*lines = 0;
	*width = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = st_xstrndup(p, nl ? (size_t)(nl - p)
					       : (size_t)(end - p));
		size_t w = st_display_width(line);

		free(line);
		if (w > *width)
			*width = w;
		(*lines)++;
		p = nl ? nl + 1 : end;
	}
}

/* The pager command, or NULL for none (PAGER set but blank). */
static const char *
pager_command(void)
{
	const char *p = getenv("PAGER");

	if (!p)
		return "less";
	return strspn(p, " \t") == strlen(p) ? NULL : p;
}

static int
write_all(FILE *f, const char *text, size_t len)
{
	if (len && fwrite(text, 1, len, f) != len)
		return -1;
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* Through the pager; -1 only when it could not be started. */
static int
page(const char *pager, const char *text, size_t len)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	FILE *p;

	if (!getenv("LESS"))
		setenv("LESS", "-SRXF", 0);
	fflush(stdout);
	p = popen(pager, "w");
	if (!p) {
		signal(SIGPIPE, old);
		return -1;
	}
	/* a pager quit early (q in less) is not a write error */
	if (len)
		(void)!fwrite(text, 1, len, p);
	pclose(p);
	signal(SIGPIPE, old);
	return 0;
}

int
output_render(const struct st_table *t, enum st_format fmt)
{
	/* A bare message (help, confirmations) is text whatever the format. */
	enum st_format f = t->ncols ? fmt : ST_FORMAT_TABLE;
	char *text = NULL;
	size_t len = 0, lines, width;
	struct winsize ws;
	const char *pager;
	FILE *mem;
	int ret;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) ||
	    !(pager = pager_command())) {
		if (st_table_print(t, f, stdout) < 0)
			return -1;
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
	}
	mem = open_memstream(&text, &len);
	if (!mem)
		return -1;
	ret = st_table_print(t, f, mem);
	if (fclose(mem) != 0)
		ret = -1;
	if (ret == 0) {
		measure(text, len, &lines, &width);
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row &&
		    (lines >= ws.ws_row || width > ws.ws_col) &&
		    page(pager, text, len) == 0)
			ret = 0;
		else
			ret = write_all(stdout, text, len);
	}
	free(text);
	return ret;
}
