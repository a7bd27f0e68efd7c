/* Screen layout: a pure function of the terminal size, so it is tested
 * over many sizes without a terminal. */
#ifndef WS_LAYOUT_H
#define WS_LAYOUT_H

#include "cellbuf.h"

enum { TUI_MIN_ROWS = 12, TUI_MIN_COLS = 50 };

typedef struct tui_layout {
    int too_small;
    cb_rect title;    /* top line: model, view, tensor */
    cb_rect body;     /* the view's own area */
    cb_rect info;     /* one line above the status: view details, progress */
    cb_rect status;   /* bottom line: the keys that matter here */
} tui_layout;

tui_layout layout_compute(int rows, int cols);

/* The "terminal too small" screen, centred in a rows × cols buffer. */
void layout_draw_too_small(cellbuf *cb);

#endif
