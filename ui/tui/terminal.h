/* The terminal: the only TUI file that talks to curses. Starts and stops
 * curses, picks the glyph and colour tiers, copies a cellbuf to the screen
 * (only the cells that changed) and restores the terminal on every exit,
 * including fatal signals. */
#ifndef WS_TERM_H
#define WS_TERM_H

#include "cellbuf.h"
#include "render.h"

typedef struct term_opts {
    int ascii;      /* --ascii: ASCII glyphs even with UTF-8 */
    int colors;     /* --colors N (0: detect) */
    int mouse;      /* --mouse */
} term_opts;

/* Start curses; fills the style. -1 with a message when there is no terminal. */
int term_start(const term_opts *o, render_style *style, char *err, size_t errlen);
void term_stop(void);

/* While `on`, SIGINT, SIGTERM and SIGHUP do not end the process: the
 * first is noted and term_stop_requested() returns its number (a blocking
 * term_getkey returns -1 at once); a second one ends it as usual. */
void term_defer_stop(int on);
int term_stop_requested(void);

/* Screen size now. */
void term_size(int *rows, int *cols);
/* Copy the buffer to the screen; force: repaint every cell. */
void term_blit(const cellbuf *cb, int force);

/* Next key; -1 after timeout_ms (< 0: wait as long as it takes) or on a
 * signal; TERM_WOKEN when wake_fd (wake.h; -1: none) became readable;
 * TERM_HANGUP when the terminal is gone. The process sleeps meanwhile.
 * Mouse events (with --mouse) come back as KEY_MOUSE with the cell and
 * button filled in. */
int term_getkey(int timeout_ms, int wake_fd);
enum { TERM_HANGUP = -2, TERM_WOKEN = -3 };
enum { TERM_CLICK = 1, TERM_WHEEL_UP, TERM_WHEEL_DOWN };
int term_mouse(int *y, int *x);

#endif
