/*
 * tui.h - the full-screen console (strato tui, or strato on a terminal).
 */
#ifndef STRATO_TUI_H
#define STRATO_TUI_H

#include "cmd.h"

/*
 * Run the TUI until the user quits. ctx->db is handed to a worker thread
 * for the duration. Returns 0, or -1 when there is no usable terminal.
 */
int tui_run(struct cmd_ctx *ctx);

#endif
