/*
 * view.h - what a TUI screen looks like, without curses.
 *
 * Each screen is a model (view-<screen>.c) with a key handler that returns
 * what changed and a layout that writes a frame: rows of spans of UTF-8
 * text with an attribute each. draw.c is the only code that turns a frame
 * into curses calls, so every screen is unit-tested by laying it out at a
 * size and reading the frame back as text.
 */
#ifndef STRATO_VIEW_H
#define STRATO_VIEW_H

#include <stdbool.h>
#include <stddef.h>

enum view_attr {
	VA_NORMAL,
	VA_HEADER,   /* column headings */
	VA_SELECTED, /* the cursor's row */
	VA_STATUS,   /* the status line */
	VA_DIM,      /* hints, empty values */
	VA_ERROR,
	VA_TITLE,    /* screen and section titles */
	VA_ACCENT,   /* keys in help, the estado column */
	VA_COUNT
};

struct view_span {
	int col;
	enum view_attr attr;
	char *text; /* already fitted: never wider than the frame */
};

struct view_line {
	enum view_attr fill; /* the attribute of the whole row */
	size_t n;
	struct view_span *spans;
};

struct view_frame {
	int rows, cols;
	struct view_line *lines; /* rows of them */
	int cursor_row, cursor_col; /* -1: hidden */
};

/* What a key did to a model. */
enum view_result {
	VR_NONE,   /* not ours */
	VR_HANDLED,
	VR_REDRAW,
	VR_BACK,   /* leave this screen */
	VR_QUIT,
};

/* Keys beyond bytes, the same numbers curses uses, so models need no
 * curses header. */
enum {
	VK_DOWN = 0402, VK_UP = 0403, VK_LEFT = 0404, VK_RIGHT = 0405,
	VK_HOME = 0406, VK_BACKSPACE = 0407, VK_NPAGE = 0522,
	VK_PPAGE = 0523, VK_ENTER = 0527, VK_END = 0550, VK_RESIZE = 0632,
	VK_ESC = 27, VK_TAB = '\t', VK_CTRL_U = 21, VK_CTRL_W = 23,
};

/* A mouse click on a screen row: VK_CLICK | row (a double click adds
 * VK_DOUBLE). The wheel arrives as VK_UP and VK_DOWN. */
#define VK_CLICK 0x100000
#define VK_DOUBLE 0x200000
#define VK_ROW(key) ((key) & 0xffff)

void view_frame_init(struct view_frame *f, int rows, int cols);
void view_frame_release(struct view_frame *f);

/* Empty a row (an overlay covers what was laid out under it). */
void view_clear_row(struct view_frame *f, int row);

/* The whole row takes attribute a (selected rows, the status line). */
void view_fill(struct view_frame *f, int row, enum view_attr a);

/*
 * Put text at row, col, fitted into width display columns (cut with "…",
 * padded when pad). Out of the frame: nothing. Returns the column after.
 */
int view_put(struct view_frame *f, int row, int col, int width,
	     enum view_attr a, const char *text, bool pad);

/* printf into view_put with pad off and the rest of the row as width. */
int view_putf(struct view_frame *f, int row, int col, enum view_attr a,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The frame as plain text, one line a row, trailing blanks trimmed: what
 * tests compare. A new string. */
char *view_frame_text(const struct view_frame *f);

/* The text of one row (trailing blanks trimmed); a new string. */
char *view_row_text(const struct view_frame *f, int row);

/* A one-line text input: the "/" search, the ":" command line. */
struct view_input {
	char *text;   /* UTF-8, never NULL after init */
	size_t len;   /* bytes */
};

void view_input_init(struct view_input *in, const char *initial);
void view_input_release(struct view_input *in);
/* Edit with key (printable bytes, Backspace, Ctrl-U, Ctrl-W); true when
 * the text changed. UTF-8 sequences arrive byte by byte and stay whole. */
bool view_input_key(struct view_input *in, int key);

#endif
