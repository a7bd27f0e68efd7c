/* Drawing the training view (view_train.c): the state line and numbers of
 * the selected run, the settings, the runs list, the largest updates and
 * the loss curves of the runs shown. No curses. */
#ifndef WS_TRAIN_DRAW_H
#define WS_TRAIN_DRAW_H

#include "train_runs.h"
#include "tui.h"

/* The settings, in the order shown. */
enum { SET_DATA, SET_STEPS, SET_BATCH, SET_SEQ, SET_LR, SET_SEED, SET_EVAL, SET_FROM, N_SET };
const char *train_setting_name(int i);
void train_setting_text(tui *t, int i, char *buf, size_t n);

/* The runs drawn in the plot (shown ones; the selected one when none is),
 * at most max; returns how many. */
int train_shown_runs(tui *t, tui_run **runs, int max);
/* The next EMA weight of the ladder 0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9,
 * 0.95, 0.97, 0.99, 0.995, 0.999, up or down from w. */
double train_next_smoothing(double w, int up);

void train_draw_view(tui *t, tui_run *sel, cellbuf *cb, cb_rect body, cb_rect info);

#endif
