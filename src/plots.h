/* The standard figures of a tensor, shared by `wscope plot` and the TUI's
 * export key: a row or column as a line, the whole matrix as a heatmap, the
 * histogram of its values. */
#ifndef WS_PLOTS_H
#define WS_PLOTS_H

#include "figure.h"
#include "tensor.h"

#define WS_PLOT_W 800
#define WS_PLOT_H 500
#define WS_PLOT_BINS 100
#define WS_PLOT_HEAT_MAX 1024   /* heatmap cells per side; bigger matrices are block-averaged */

typedef struct ws_plot_opts {
    int width, height;     /* 0: WS_PLOT_W × WS_PLOT_H */
    const char *title;     /* NULL: a title naming the tensor and what is shown */
    int ylog;              /* log y axis (rows: values <= 0 are left out) */
    int bins;              /* histogram bins; 0: WS_PLOT_BINS */
} ws_plot_opts;

/* Row `index` (axis 0) or column `index` (axis 1) of the tensor's matrix. */
ws_figure *ws_plot_row(ws_tensor *t, int axis, int64_t index, const ws_plot_opts *o, ws_err *e);
/* The matrix as a heatmap, colours centred on 0 and spanning ±max|w|. */
ws_figure *ws_plot_heatmap(ws_tensor *t, const ws_plot_opts *o, ws_err *e);
/* Histogram of every finite value: `bins` equal bins over [min, max]. */
ws_figure *ws_plot_hist(ws_tensor *t, const ws_plot_opts *o, ws_err *e);

#endif
