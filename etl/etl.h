/*
 * etl.h - what strato-etl's subcommands share.
 */
#ifndef STRATO_ETL_H
#define STRATO_ETL_H

#include "strato/db.h"
#include "strato/error.h"

/* Exit codes, documented in strato-etl(1). */
enum {
	ETL_EXIT_OK = 0,
	ETL_EXIT_ERROR = 1,
	ETL_EXIT_USAGE = 2,
	ETL_EXIT_PARTIAL = 3,
	ETL_EXIT_VERIFY = 4,
};

struct etl_ctx {
	const char *conninfo;
};

/* Each subcommand: parses its own argv (argv[0] is its name). */
int etl_migrate(struct etl_ctx *ctx, int argc, char **argv);
int etl_legacy(struct etl_ctx *ctx, int argc, char **argv);
int etl_import(struct etl_ctx *ctx, int argc, char **argv);
int etl_export(struct etl_ctx *ctx, int argc, char **argv);
int etl_ingest(struct etl_ctx *ctx, int argc, char **argv);
int etl_outbox(struct etl_ctx *ctx, int argc, char **argv);
int etl_campaigns(struct etl_ctx *ctx, int argc, char **argv);

/* Connect, or report the error and return NULL. */
struct st_db *etl_connect(struct etl_ctx *ctx);

#endif
