/* Loss curves of training runs as a figure (PNG, SVG via figure.h): the
 * TUI's `e` in the training view. Per run its smoothed training loss
 * (run.h's EMA, labelled with the run's name), its raw loss as a thin
 * light line behind it, its validation losses as points joined by a
 * dashed line, and its freeze events as dotted vertical lines; axes
 * "step" and "loss", linear or log y, the window of the last N steps. */
#ifndef WS_PLOT_RUNS_H
#define WS_PLOT_RUNS_H

#include "plots.h"
#include "run.h"

typedef struct ws_loss_plot_opts {
    double smoothing;        /* EMA weight (0: the raw curve only) */
    int logy;
    int64_t window;          /* last N steps (0: all) */
} ws_loss_plot_opts;

ws_figure *ws_plot_loss_curves(const ws_run *const *runs, size_t n, const ws_loss_plot_opts *lo,
                               const ws_plot_opts *o, ws_err *e);

#endif
