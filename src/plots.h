/* The standard figures, shared by `wscope plot` and the TUI's export key:
 * a row or column as a line (with a Gaussian fit over it), a matrix as a
 * heatmap, the histogram of a tensor, the spectrum of the embedding. */
#ifndef WS_PLOTS_H
#define WS_PLOTS_H

#include "figure.h"
#include "fit.h"
#include "spectrum.h"
#include "tensor.h"

#define WS_PLOT_W 800
#define WS_PLOT_H 500
#define WS_PLOT_BINS 100
#define WS_PLOT_HEAT_MAX 1024   /* heatmap cells per side; bigger matrices are block-averaged */

typedef struct ws_plot_opts {
    int width, height;     /* 0: WS_PLOT_W × WS_PLOT_H */
    const char *title;     /* NULL: a title naming the tensor and what is shown */
    int ylog;              /* log y axis (values <= 0 are left out) */
    int bins;              /* histogram bins; 0: WS_PLOT_BINS */
} ws_plot_opts;

/* n values as a line over their index; `title` unless o->title. */
ws_figure *ws_plot_line(const float *y, int64_t n, const char *title, const char *xlabel,
                        const ws_plot_opts *o, ws_err *e);
/* A rows × cols matrix as a heatmap, colours centred on 0 spanning ±max|w|. */
ws_figure *ws_plot_matrix(const float *a, int64_t rows, int64_t cols, const char *title,
                          const ws_plot_opts *o, ws_err *e);

/* Row `index` (axis 0) or column `index` (axis 1) of the tensor's matrix. */
ws_figure *ws_plot_row(ws_tensor *t, int axis, int64_t index, const ws_plot_opts *o, ws_err *e);
/* The tensor's matrix as a heatmap. */
ws_figure *ws_plot_heatmap(ws_tensor *t, const ws_plot_opts *o, ws_err *e);
/* Histogram of every finite value: `bins` equal bins over [min, max]. */
ws_figure *ws_plot_hist(ws_tensor *t, const ws_plot_opts *o, ws_err *e);

/* The K-Gaussian fit of one row of n values: free (L1) or on the grid. */
int ws_plot_fit_row(const float *w, int64_t n, int K, ws_fit_mode mode, ws_fit_row *out,
                    ws_err *e);
/* Over a line figure of a row of n values: the fitted mixture (solid) and
 * its K components (dashed), with R² in the legend. */
int ws_plot_add_fit(ws_figure *f, const ws_fit_row *fit, int64_t n, ws_err *e);
/* The eigenvalues λ of EᵀE against their index on a log axis, the pairs
 * the spectrum found (by its rule, named in the legend) marked. */
ws_figure *ws_plot_spectrum(const ws_spectrum *s, const char *name, const ws_plot_opts *o,
                            ws_err *e);

#endif
