/*
 * draw.h - the only curses code: turn a view_frame into the screen.
 */
#ifndef STRATO_DRAW_H
#define STRATO_DRAW_H

#include "view.h"

/* Start curses (UTF-8, keypad, no echo); colours unless NO_COLOR is set
 * or the terminal has none. Returns -1 when there is no terminal. */
int draw_start(void);
/* Restore the terminal; safe to call twice and from a signal handler's
 * path (endwin only). */
void draw_stop(void);
/* Paint f over the whole screen and refresh. */
void draw_frame(const struct view_frame *f);
/* The next key (curses' numbers: view.h's VK_*), or -1 when none waits. */
int draw_key(void);
/* The screen's size now. */
void draw_size(int *rows, int *cols);

#endif
