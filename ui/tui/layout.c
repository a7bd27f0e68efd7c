/* Screen layout (see layout.h). */
#include "layout.h"

#include <stdio.h>
#include <string.h>

tui_layout layout_compute(int rows, int cols)
{
    tui_layout l;
    memset(&l, 0, sizeof l);
    l.too_small = rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS;
    if (l.too_small)
        return l;
    l.title = (cb_rect){0, 0, 1, cols};
    l.body = (cb_rect){1, 0, rows - 3, cols};
    l.info = (cb_rect){rows - 2, 0, 1, cols};
    l.status = (cb_rect){rows - 1, 0, 1, cols};
    return l;
}

void layout_draw_too_small(cellbuf *cb)
{
    cb_clear(cb);
    char need[64];
    const char *msg = "terminal too small";
    int n = (int)strlen(msg);
    cb_text(cb, cb->rows / 2 - 1, (cb->cols - n) / 2 > 0 ? (cb->cols - n) / 2 : 0, -1, msg, CB_BOLD);
    int m = snprintf(need, sizeof need, "%dx%d, need %dx%d", cb->cols, cb->rows, TUI_MIN_COLS, TUI_MIN_ROWS);
    cb_text(cb, cb->rows / 2, (cb->cols - m) / 2 > 0 ? (cb->cols - m) / 2 : 0, -1, need, 0);
    const char *q = "Q quits";
    cb_text(cb, cb->rows / 2 + 1, (cb->cols - 7) / 2 > 0 ? (cb->cols - 7) / 2 : 0, -1, q, 0);
}
