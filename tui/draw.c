/*
 * draw.c - curses, and nothing else: frames to the screen.
 */
#include <curses.h>
#include <locale.h>
#include <stdlib.h>

#include "draw.h"

static bool started;
static attr_t attrs[VA_COUNT];

/* Colour pairs when allowed, and attributes that read on monochrome. */
static void
setup_attrs(void)
{
	bool colour = has_colors() && !getenv("NO_COLOR");

	attrs[VA_NORMAL] = A_NORMAL;
	attrs[VA_HEADER] = A_BOLD | A_UNDERLINE;
	attrs[VA_SELECTED] = A_REVERSE;
	attrs[VA_STATUS] = A_REVERSE;
	attrs[VA_DIM] = A_DIM;
	attrs[VA_ERROR] = A_BOLD;
	attrs[VA_TITLE] = A_BOLD;
	attrs[VA_ACCENT] = A_NORMAL;
	if (!colour)
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_CYAN, -1);
	init_pair(2, COLOR_RED, -1);
	init_pair(3, COLOR_WHITE, COLOR_BLUE);
	init_pair(4, COLOR_YELLOW, -1);
	attrs[VA_HEADER] = A_BOLD | COLOR_PAIR(1);
	attrs[VA_ERROR] = A_BOLD | COLOR_PAIR(2);
	attrs[VA_STATUS] = COLOR_PAIR(3);
	attrs[VA_TITLE] = A_BOLD | COLOR_PAIR(3);
	attrs[VA_ACCENT] = COLOR_PAIR(4);
}

int
draw_start(void)
{
	setlocale(LC_ALL, "");
	if (!newterm(NULL, stdout, stdin))
		return -1;
	started = true;
	raw();       /* Ctrl-C is a key here: it cancels, it does not kill */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	/* clicks and the wheel; the terminal keeps selecting text with
	 * Shift held */
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
		  BUTTON5_PRESSED, NULL);
	curs_set(0);
	setup_attrs();
	return 0;
}

void
draw_stop(void)
{
	if (!started)
		return;
	started = false;
	endwin();
}

void
draw_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void
draw_frame(const struct view_frame *f)
{
	erase();
	for (int r = 0; r < f->rows; r++) {
		const struct view_line *l = &f->lines[r];

		if (l->fill != VA_NORMAL) {
			attrset(attrs[l->fill]);
			mvhline(r, 0, ' ', f->cols);
		}
		for (size_t i = 0; i < l->n; i++) {
			attrset(attrs[l->spans[i].attr]);
			mvaddstr(r, l->spans[i].col, l->spans[i].text);
		}
	}
	attrset(A_NORMAL);
	if (f->cursor_row >= 0) {
		move(f->cursor_row, f->cursor_col);
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}

/* A mouse event as a key: the wheel as arrows, a click with its row. */
static int
mouse_key(void)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return 0;
	if (ev.bstate & BUTTON4_PRESSED)
		return VK_UP;
	if (ev.bstate & BUTTON5_PRESSED)
		return VK_DOWN;
	if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		return VK_CLICK | VK_DOUBLE | (ev.y & 0xffff);
	if (ev.bstate & BUTTON1_CLICKED)
		return VK_CLICK | (ev.y & 0xffff);
	return 0;
}

int
draw_key(void)
{
	int k = getch();

	if (k == KEY_MOUSE) {
		k = mouse_key();
		return k ? k : draw_key(); /* other buttons: ignored */
	}
	return k == ERR ? -1 : k;
}
