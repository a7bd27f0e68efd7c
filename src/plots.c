/* The standard figures of a tensor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "downsample.h"
#include "plots.h"

ws_figure *ws_plot_figure(const ws_plot_opts *o, ws_err *e)
{
    int w = o && o->width ? o->width : WS_PLOT_W, h = o && o->height ? o->height : WS_PLOT_H;
    ws_figure *f = ws_figure_new(w, h, e);
    if (f && o) {
        f->ylog = o->ylog;
        f->dpi = o->dpi > 0 ? o->dpi : WS_FIG_DPI;
        f->aspect_equal = o->aspect_equal;
    }
    return f;
}

static const char *title_or(const ws_plot_opts *o, const char *fallback)
{
    return o && o->title ? o->title : fallback;
}

ws_figure *ws_plot_line(const float *y, int64_t n, const char *title, const char *xlabel,
                        const char *ylabel, const ws_plot_opts *o, ws_err *e)
{
    ws_figure *f = ws_plot_figure(o, e);
    if (!f)
        return NULL;
    ws_figure_set_labels(f, title_or(o, title), xlabel, ylabel ? ylabel : "weight");
    if (!ws_figure_add_f32(f, WS_SERIES_LINE, y, (size_t)n, NULL, 0, e)) {
        ws_figure_free(f);
        return NULL;
    }
    return f;
}

int ws_plot_src_tensor(ws_tensor *t, ws_plot_src *s, ws_err *e)
{
    const float *a = ws_tensor_f32(t, e);
    if (!a)
        return -1;
    *s = (ws_plot_src){a, t->rows, t->cols, t->name, NULL};
    return 0;
}

/* "NAME what" or "ΔW of NAME what: TUNED − MODEL". */
static void src_title(const ws_plot_src *s, const char *what, char *buf, size_t n)
{
    if (s->diff_of)
        snprintf(buf, n, "ΔW of %s%s: %s", s->name, what, s->diff_of);
    else
        snprintf(buf, n, "%s%s", s->name, what);
}

static const char *src_quantity(const ws_plot_src *s)
{
    return s->diff_of ? "ΔW" : "weight";
}

ws_figure *ws_plot_row(const ws_plot_src *s, int axis, int64_t index, const ws_plot_opts *o,
                       ws_err *e)
{
    int64_t count = axis ? s->cols : s->rows, n = axis ? s->rows : s->cols;
    if (index < 0 || index >= count) {
        ws_fail(e, "%s %lld is outside 0..%lld", axis ? "column" : "row", (long long)index,
                (long long)count - 1);
        return NULL;
    }
    float *y = malloc((size_t)n * sizeof *y);
    if (!y) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < n; i++)
        y[i] = axis ? s->a[i * s->cols + index] : s->a[index * s->cols + i];
    char what[64], title[256];
    snprintf(what, sizeof what, " %s %lld", axis ? "column" : "row", (long long)index);
    src_title(s, what, title, sizeof title);
    ws_figure *f = ws_plot_line(y, n, title, axis ? "row index" : "column index",
                                src_quantity(s), o, e);
    free(y);
    return f;
}

/* Apply the options' colour map and range to the heatmap. */
static void heat_style(ws_heatmap *h, const ws_plot_opts *o)
{
    if (!o)
        return;
    if (o->cmap)
        h->cmap = o->cmap;
    if (o->has_vmin)
        h->vmin = o->vmin;
    if (o->has_vmax)
        h->vmax = o->vmax;
    if (o->clip > 0)
        h->clip = o->clip;
}

/* Block means of the matrix, one block per pixel of the plot area: blocks
 * of br × bc elements (the TUI's downsampling, threaded), the last ones
 * partial. */
static float *block_means(const float *a, int64_t R, int64_t C, double pw, double ph,
                          int64_t *rows, int64_t *cols)
{
    ds_req q = {.a = a, .rows = R, .cols = C, .mode = DS_MEAN};
    int64_t wpx = pw >= 1 ? (int64_t)pw : 1, hpx = ph >= 1 ? (int64_t)ph : 1;
    q.br = (R + hpx - 1) / hpx;
    q.bc = (C + wpx - 1) / wpx;
    ds_grid_size(&q, (int)hpx, (int)wpx, &q.ph, &q.pw);
    float *out = malloc((size_t)q.ph * (size_t)q.pw * sizeof *out);
    if (!out)
        return NULL;
    ds_compute(&q, out, NULL);
    *rows = q.ph;
    *cols = q.pw;
    return out;
}

ws_figure *ws_plot_matrix(const float *a, int64_t rows, int64_t cols, const char *title,
                          const char *what, const ws_plot_opts *o, ws_err *e)
{
    if (rows < 1 || cols < 1) {
        ws_fail(e, "an empty matrix has no heatmap");
        return NULL;
    }
    if (rows == 1)
        return ws_plot_line(a, cols, title, "index", what, o, e);
    ws_figure *f = ws_plot_figure(o, e);
    if (!f)
        return NULL;
    ws_figure_set_labels(f, title_or(o, title), "column", "row");
    /* Lay the figure out with a stand-in cell to learn the plot area. */
    float one = 0;
    int64_t r = 0, c = 0;
    float *cells = NULL;
    if (ws_figure_set_heatmap(f, &one, 1, 1, what, e) == 0) {
        f->heat->index_rows = rows;
        f->heat->index_cols = cols;
        double x, y, w, h;
        ws_figure_plot_area(f, &x, &y, &w, &h);
        cells = block_means(a, rows, cols, w, h, &r, &c);
        if (!cells)
            ws_fail(e, "out of memory");
    }
    if (!cells || ws_figure_set_heatmap(f, cells, r, c, what, e) != 0) {
        free(cells);
        ws_figure_free(f);
        return NULL;
    }
    free(cells);
    f->heat->index_rows = rows;
    f->heat->index_cols = cols;
    heat_style(f->heat, o);
    return f;
}

ws_figure *ws_plot_heatmap(const ws_plot_src *s, const ws_plot_opts *o, ws_err *e)
{
    char what[64], title[256];
    if (s->rows == 1)
        snprintf(what, sizeof what, " (%lld values)", (long long)s->cols);
    else
        snprintf(what, sizeof what, " (%lld×%lld)", (long long)s->rows, (long long)s->cols);
    src_title(s, s->diff_of ? "" : what, title, sizeof title);
    return ws_plot_matrix(s->a, s->rows, s->cols, title, src_quantity(s), o, e);
}

ws_figure *ws_plot_hist(const ws_plot_src *s, const ws_plot_opts *o, ws_err *e)
{
    int64_t numel = s->rows * s->cols;
    double lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < numel; i++)
        if (isfinite(s->a[i]))
            lo = fmin(lo, s->a[i]), hi = fmax(hi, s->a[i]);
    int bins = o && o->bins ? o->bins : WS_PLOT_BINS;
    if (!isfinite(lo)) {
        ws_fail(e, "%s has no finite values to count", s->name);
        return NULL;
    }
    if (hi == lo)
        bins = 1, lo -= 0.5, hi += 0.5;
    double *x = calloc((size_t)bins, sizeof *x), *y = calloc((size_t)bins, sizeof *y);
    ws_figure *f = x && y ? ws_plot_figure(o, e) : NULL;
    if (!x || !y)
        ws_fail(e, "out of memory");
    if (!f) {
        free(x);
        free(y);
        return NULL;
    }
    double width = (hi - lo) / bins;
    for (int64_t i = 0; i < numel; i++) {
        if (!isfinite(s->a[i]))
            continue;
        int b = (int)((s->a[i] - lo) / width);
        y[b >= bins ? bins - 1 : b < 0 ? 0 : b] += 1;
    }
    for (int b = 0; b < bins; b++)
        x[b] = lo + (b + 0.5) * width;
    char what[64], title[256];
    snprintf(what, sizeof what, ": %lld values", (long long)numel);
    src_title(s, s->diff_of ? "" : what, title, sizeof title);
    ws_figure_set_labels(f, title_or(o, title), src_quantity(s), "count");
    ws_series *bars = ws_figure_add(f, WS_SERIES_BARS, x, y, (size_t)bins, NULL, 0, e);
    if (!bars) {
        ws_figure_free(f);
        f = NULL;
    } else {
        bars->width = 1.0;   /* bins touch */
    }
    free(x);
    free(y);
    return f;
}

int ws_plot_fit_row(const float *w, int64_t n, int K, ws_fit_mode mode, ws_fit_row *out,
                    ws_err *e)
{
    if (mode == WS_FIT_FREE) {
        ws_fit_opts o;
        ws_fit_opts_default(&o, K);
        return ws_fit_row_l1(w, n, &o, out, e);
    }
    ws_fit_matrix_opts mo;
    ws_fit_matrix_opts_default(&mo);
    mo.fit.K = K;
    mo.mode = WS_FIT_MODE_GRID;
    mo.threads = 1;
    ws_fit_result r;
    int rc = ws_fit_matrix(w, 1, n, &mo, &r, NULL, e) < 0 ? -1 : 0;
    if (rc == 0)
        *out = r.rows[0];
    ws_fit_result_free(&r);
    return rc;
}

/* Components k0..k1-1 of the fit at the m points x (as ws_fit_eval does
 * at integers: σ at least WS_FIT_SIGMA_MIN, non-finite components skipped). */
static void eval_fit(const ws_fit_row *fit, int k0, int k1, const double *x, size_t m, double *y)
{
    for (size_t i = 0; i < m; i++) {
        double v = 0;
        for (int k = k0; k < k1; k++) {
            double sg = fit->sigma[k] > WS_FIT_SIGMA_MIN ? fit->sigma[k] : WS_FIT_SIGMA_MIN;
            double d = (x[i] - fit->mu[k]) / sg;
            if (isfinite(fit->A[k]) && isfinite(fit->mu[k]) && isfinite(sg))
                v += fit->A[k] * exp(-0.5 * d * d);
        }
        y[i] = v;
    }
}

const char *ws_plot_fit_mode_name(ws_fit_mode mode)
{
    return mode == WS_FIT_MODE_GRID ? "grid" : "free";
}

int ws_plot_add_fit(ws_figure *f, const ws_fit_row *fit, ws_fit_mode mode, int64_t n,
                    ws_err *e)
{
    /* Curves are smooth between columns: 8 points per column (64..4096). */
    size_t m = (size_t)(n * 8 < 64 ? 64 : n * 8 > 4096 ? 4096 : n * 8);
    double *x = malloc(m * sizeof *x), *y = malloc(m * sizeof *y);
    if (!x || !y) {
        free(x);
        free(y);
        return ws_fail(e, "out of memory");
    }
    for (size_t i = 0; i < m; i++)
        x[i] = (double)(n - 1) * i / (m - 1);
    if (f->n_series) {
        f->series[0].colour = 0x6f6f6f;
        snprintf(f->series[0].label, sizeof f->series[0].label, "weights");
    }
    int rc = 0;
    for (int k = 0; k < fit->K && rc == 0; k++) {
        eval_fit(fit, k, k + 1, x, m, y);
        ws_series *s = ws_figure_add(f, WS_SERIES_LINE, x, y, m, k ? NULL : "components",
                                     ws_palette(2 + k % 5), e);
        if (!s)
            rc = -1;
        else   /* the axes follow the row and the mixture: a cancelling pair of
                * large components runs off the plot instead of flattening it */
            s->dashed = 1, s->width = 0.8, s->no_range = 1;
    }
    char label[96];
    snprintf(label, sizeof label, "%s %d-Gaussian fit, R² = %.3f", ws_plot_fit_mode_name(mode),
             fit->K, fit->r2);
    eval_fit(fit, 0, fit->K, x, m, y);
    ws_series *s = rc ? NULL : ws_figure_add(f, WS_SERIES_LINE, x, y, m, label, ws_palette(1), e);
    if (s)
        s->width = 1.4;
    free(x);
    free(y);
    return s ? 0 : -1;
}

ws_figure *ws_plot_spectrum(const ws_spectrum *s, const char *name, const ws_plot_opts *o,
                            ws_err *e)
{
    if (s->status != WS_AS_OK || s->d < 1) {
        ws_fail(e, "no spectrum: %s", ws_astatus_text(s->status));
        return NULL;
    }
    ws_figure *f = ws_plot_figure(o, e);
    if (!f)
        return NULL;
    f->ylog = 1;
    char title[160], label[128];
    snprintf(title, sizeof title, "Spectrum of EᵀE, E = %s", name);
    ws_figure_set_labels(f, title_or(o, title), "index i", "eigenvalue λ");
    int shown = s->rank;   /* the numerical null space is not drawn */
    if (shown < s->d)
        snprintf(label, sizeof label, "λ (%d numerical zeros not drawn)", s->d - shown);
    else
        snprintf(label, sizeof label, "λ");
    double *px = malloc(2 * (size_t)(s->n_pairs ? s->n_pairs : 1) * sizeof *px);
    double *py = malloc(2 * (size_t)(s->n_pairs ? s->n_pairs : 1) * sizeof *py);
    int ok = px && py && ws_figure_add(f, WS_SERIES_LINE, NULL, s->lam, (size_t)shown, label, 0, e);
    if (ok && s->n_pairs) {
        for (int k = 0; k < s->n_pairs; k++)
            for (int j = 0; j < 2; j++) {
                px[2 * k + j] = s->pairs[k].i + j;
                py[2 * k + j] = s->lam[s->pairs[k].i + j];
            }
        char rule[80];
        ws_spectrum_rule_text(s, rule, sizeof rule);
        snprintf(label, sizeof label, "%d pair%s (%s)", s->n_pairs, s->n_pairs > 1 ? "s" : "",
                 rule);
        ws_series *p = ws_figure_add(f, WS_SERIES_POINTS, px, py, 2 * (size_t)s->n_pairs, label,
                                     ws_palette(1), e);
        ok = p != NULL;
        if (p)
            p->width = 1.8;
    }
    if (!px || !py)
        ws_fail(e, "out of memory");
    free(px);
    free(py);
    if (!ok) {
        ws_figure_free(f);
        return NULL;
    }
    return f;
}
