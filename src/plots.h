/* The standard figures, shared by `wscope plot`, `wscope report` and the
 * TUI's export key: a row or column as a line (with a Gaussian fit over
 * it), a matrix as a heatmap (a 1-D tensor as a line), the histogram of a
 * tensor, the spectrum of the embedding. */
#ifndef WS_PLOTS_H
#define WS_PLOTS_H

#include "figure.h"
#include "fit.h"
#include "run.h"
#include "spectrum.h"
#include "table.h"
#include "tensor.h"

/* One journal column: 3.5 × 2.33 inches at WS_FIG_DPI. */
#define WS_PLOT_W 1050
#define WS_PLOT_H 700
#define WS_PLOT_BINS 100
#define WS_PLOT_SMOOTH 0.9   /* EMA weight of the loss curves */

typedef struct ws_plot_opts {
    int width, height;     /* pixels; 0: WS_PLOT_W × WS_PLOT_H */
    double dpi;            /* 0: WS_FIG_DPI */
    const char *title;     /* NULL: a title naming the tensor and what is shown */
    int ylog;              /* log y axis (values <= 0 are left out) */
    int bins;              /* histogram bins; 0: WS_PLOT_BINS */
    /* Heatmaps: colour map (NULL: diverging), range (unset: from the cells
     * drawn, their clip-th percentile; 0: 100, the extremes), square cells. */
    const ws_cmap *cmap;
    int has_vmin, has_vmax;
    double vmin, vmax;
    double clip;
    int aspect_equal;
} ws_plot_opts;

/* An empty figure of the options' size and dpi. */
ws_figure *ws_plot_figure(const ws_plot_opts *o, ws_err *e);

/* n values as a line over their index; `title` unless o->title; y axis
 * labelled `ylabel` (NULL: "weight"). */
ws_figure *ws_plot_line(const float *y, int64_t n, const char *title, const char *xlabel,
                        const char *ylabel, const ws_plot_opts *o, ws_err *e);
/* A rows × cols matrix as a heatmap of its block means, as many blocks as
 * the plot area has pixels (the TUI's downsampling), coloured over the
 * range of those blocks; the colour bar says `what` ("weight", "ΔW").
 * A single row is drawn as a line instead. */
ws_figure *ws_plot_matrix(const float *a, int64_t rows, int64_t cols, const char *title,
                          const char *what, const ws_plot_opts *o, ws_err *e);

/* What a figure of a tensor shows: its values, or the difference of the
 * same tensor in two models (ΔW, titled with both file names). */
typedef struct ws_plot_src {
    const float *a;        /* rows × cols, the canonical matrix view */
    int64_t rows, cols;
    const char *name;      /* the tensor's name */
    const char *diff_of;   /* NULL, or "TUNED − MODEL" in file names: a ΔW */
} ws_plot_src;

/* The tensor's values as a source (loads its float32 view). */
int ws_plot_src_tensor(ws_tensor *t, ws_plot_src *s, ws_err *e);

/* Row `index` (axis 0) or column `index` (axis 1) of the matrix. */
ws_figure *ws_plot_row(const ws_plot_src *s, int axis, int64_t index, const ws_plot_opts *o,
                       ws_err *e);
/* The matrix as a heatmap (a 1-D tensor as a line). */
ws_figure *ws_plot_heatmap(const ws_plot_src *s, const ws_plot_opts *o, ws_err *e);
/* Histogram of every finite value: `bins` equal bins over [min, max]. */
ws_figure *ws_plot_hist(const ws_plot_src *s, const ws_plot_opts *o, ws_err *e);

/* The K-Gaussian fit of one row of n values: free (L1) or on the grid. */
int ws_plot_fit_row(const float *w, int64_t n, int K, ws_fit_mode mode, ws_fit_row *out,
                    ws_err *e);
/* "free" or "grid". */
const char *ws_plot_fit_mode_name(ws_fit_mode mode);
/* Over a line figure of a row of n values: the fitted mixture (solid) and
 * its K components (dashed), the mode and R² in the legend. The y axis
 * follows the row and the mixture: components larger than both (a
 * cancelling pair) run off the plot rather than flatten the row. */
int ws_plot_add_fit(ws_figure *f, const ws_fit_row *fit, ws_fit_mode mode, int64_t n,
                    ws_err *e);
/* The eigenvalues λ of EᵀE against their index on a log axis, the pairs
 * the spectrum found (by its rule, named in the legend) marked; the
 * numerical null space (rank < d) left out and counted in the legend. */
ws_figure *ws_plot_spectrum(const ws_spectrum *s, const char *name, const ws_plot_opts *o,
                            ws_err *e);

/* ---- training runs (plots_runs.c) ---- */

typedef struct ws_loss_plot_opts {
    double smoothing;        /* EMA weight (0: the raw curve only); see run.h */
    int logy;
    int64_t window;          /* the last N steps of each run (0: all) */
} ws_loss_plot_opts;

/* The loss curves of n runs overlaid, one palette colour each: the raw
 * training losses faint, their EMA bold and named in the legend, the
 * validation losses (and the final evaluation) as dots, freeze events as
 * dashed vertical lines. `lo` NULL: smoothing WS_PLOT_SMOOTH, whole runs.
 * The TUI's training views, `wscope plot --runs` and the report draw
 * losses with it. */
ws_figure *ws_plot_loss_curves(const ws_run *const *runs, size_t n, const ws_loss_plot_opts *lo,
                               const ws_plot_opts *o, ws_err *e);

/* ---- described tables (plots_table.c) ---- */

/* A bar chart of the number column `key` of t: one bar per row that takes
 * part in bar charts (table.h), rows with a layer grouped by layer along
 * x and coloured by role (the role's "@N" dropped), rows without one (the
 * embedding, the head) a category each, in grey. Where the table has
 * KEY_null_mean and KEY_null_std, a grey band over each bar spans the null
 * mean ± 2 sd. Titled "TITLE by layer: SUBJECT" (SUBJECT may be NULL),
 * the y axis the column's title and unit. */
ws_figure *ws_plot_table_bars(const ws_table *t, const char *key, const char *subject,
                              const ws_plot_opts *o, ws_err *e);

#endif
