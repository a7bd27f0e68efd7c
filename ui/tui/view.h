/* The view interface: how to add a view to the TUI.
 *
 * A view is a struct whose first member is `view`, plus its own state. It
 * provides a view_class:
 *
 *   name     shown in the title bar and the help screen;
 *   keys     its key table (keys.h): the table dispatches its keys and
 *            generates its help and status-bar hints. End it with ACT_NONE;
 *   draw     fill `body` (and the one-line `info` strip) of the cell buffer.
 *            Draw only; never touch curses. Called only when something
 *            changed (tui_dirty);
 *   action   handle an action from its key table (or ACT_CLICK,
 *            ACT_PROMPT_DONE). Return 1 if the screen must be redrawn, 0 if
 *            the action did not apply. ACT_BACK and ACT_QUIT are handled by
 *            the loop;
 *   tick     optional: poll background work (job.h). Return 1 when
 *            something changed. *busy = 1 keeps the loop polling at a short
 *            timeout while work runs;
 *   destroy  free the view (cancel its jobs with job_release).
 *
 * To add one: write ui/view_NAME.c with a constructor `view *view_NAME_new
 * (tui *t, ...)` declared below, give it a key table, and open it with
 * tui_push() from the action handler of the view that leads to it. */
#ifndef WS_VIEW_H
#define WS_VIEW_H

#include "cellbuf.h"
#include "keys.h"
#include "model.h"

typedef struct tui tui;
typedef struct view view;

typedef struct view_class {
    const char *name;
    const key_binding *keys;
    void (*draw)(view *v, tui *t, cellbuf *cb, cb_rect body, cb_rect info);
    int (*action)(view *v, tui *t, ws_action a);
    int (*tick)(view *v, tui *t, int *busy);
    void (*destroy)(view *v);
} view_class;

struct view {
    const view_class *cls;
    view *below;           /* the view this one was opened from */
    char title[256];       /* what the title bar shows after the model name */
};

view *view_model_new(tui *t);
view *view_matrix_new(tui *t, ws_tensor *tensor);
/* axis 0: plot `row` of the matrix; axis 1: plot column `col` (the other
 * is where `t` switches to). `data` is the tensor's float32 view (rows ×
 * cols), already loaded. */
view *view_row_new(tui *t, ws_tensor *tensor, const float *data, int axis, int64_t row, int64_t col);
view *view_hist_new(tui *t, ws_tensor *tensor);
view *view_help_new(tui *t, const view *from);
/* Spectra: EᵀE spectrum of t->model; the layers table (weight PR,
 * amplitude structure) of t->model; drift from t->model to t->tuned. */
view *view_spectrum_new(tui *t);
view *view_layers_new(tui *t);
view *view_drift_new(tui *t);
/* Training (train_marks.h): settings, the live run, and the comparison of
 * strategies across seeds. */
view *view_train_new(tui *t);
view *view_compare_new(tui *t);

#endif
