/*
 * testmock.h - the mock provider (tests/mock-provider/mock.py) for a Check
 * suite: started on a free loopback port with the given credentials,
 * stopped, and called on its control endpoints (/__reset, /__fault,
 * /__requests).
 */
#ifndef STRATO_TESTMOCK_H
#define STRATO_TESTMOCK_H

#include <jansson.h>

/* The running mock's base URL, and a scratch directory for its files. */
extern char mock_url[64];
extern char mock_dir[64];

/* Start it; tokens: "PROVIDER=VALUE" strings, NULL-terminated. */
void testmock_start(const char *const *tokens);
/* Stop it and empty and remove mock_dir. */
void testmock_stop(void);
/* A control call; the answer's body as JSON (json_decref it). */
json_t *mock_call(const char *method, const char *path, const char *body);

#endif
