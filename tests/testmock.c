/*
 * testmock.c - the mock provider for Check suites (see testmock.h).
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "strato/http.h"
#include "testmock.h"

char mock_url[64];
char mock_dir[64];
static pid_t mock_pid;

void
testmock_start(const char *const *tokens)
{
	char portfile[128], mock[1024];
	const char *top = getenv("STRATO_TOP");
	const char *argv[32];
	FILE *f = NULL;
	int argc = 0, port = 0;

	snprintf(mock_dir, sizeof(mock_dir), "/tmp/strato-mock.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(mock_dir));
	snprintf(portfile, sizeof(portfile), "%s/port", mock_dir);
	snprintf(mock, sizeof(mock), "%s/tests/mock-provider/mock.py",
		 top ? top : ".");
	argv[argc++] = "python3";
	argv[argc++] = mock;
	argv[argc++] = "--port-file";
	argv[argc++] = portfile;
	for (size_t i = 0; tokens[i] && argc < 30; i++) {
		argv[argc++] = "--token";
		argv[argc++] = tokens[i];
	}
	argv[argc] = NULL;
	mock_pid = fork();
	if (mock_pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 200 && !(f = fopen(portfile, "r")); i++)
		usleep(50000);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &port), 1);
	fclose(f);
	unlink(portfile);
	snprintf(mock_url, sizeof(mock_url), "http://127.0.0.1:%d", port);
}

void
testmock_stop(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if (mock_pid > 0) {
		kill(mock_pid, SIGTERM);
		waitpid(mock_pid, NULL, 0);
	}
	if ((d = opendir(mock_dir))) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(path, sizeof(path), "%s/%s", mock_dir,
					 e->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(mock_dir);
}

json_t *
mock_call(const char *method, const char *path, const char *body)
{
	struct st_http_request req = { 0 };
	struct st_http_response r;
	struct st_error err;
	char url[256];
	json_t *j;

	snprintf(url, sizeof(url), "%s%s", mock_url, path);
	req.method = method;
	req.url = url;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.idempotent = true;
	ck_assert_int_eq(st_http_send(&req, &r, &err), 0);
	ck_assert_int_eq(r.status, 200);
	j = json_loadb(r.body, r.len, JSON_ALLOW_NUL, NULL);
	st_http_response_release(&r);
	return j;
}
