/* The standard figures of a tensor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plots.h"

static ws_figure *new_figure(const ws_plot_opts *o, ws_err *e)
{
    int w = o && o->width ? o->width : WS_PLOT_W, h = o && o->height ? o->height : WS_PLOT_H;
    ws_figure *f = ws_figure_new(w, h, e);
    if (f && o)
        f->ylog = o->ylog;
    return f;
}

static const char *title_or(const ws_plot_opts *o, const char *fallback)
{
    return o && o->title ? o->title : fallback;
}

ws_figure *ws_plot_line(const float *y, int64_t n, const char *title, const char *xlabel,
                        const ws_plot_opts *o, ws_err *e)
{
    ws_figure *f = new_figure(o, e);
    if (!f)
        return NULL;
    ws_figure_set_labels(f, title_or(o, title), xlabel, "weight");
    if (!ws_figure_add_f32(f, WS_SERIES_LINE, y, (size_t)n, NULL, 0, e)) {
        ws_figure_free(f);
        return NULL;
    }
    return f;
}

ws_figure *ws_plot_row(ws_tensor *t, int axis, int64_t index, const ws_plot_opts *o, ws_err *e)
{
    int64_t count = axis ? t->cols : t->rows, n = axis ? t->rows : t->cols;
    if (index < 0 || index >= count) {
        ws_fail(e, "%s %lld is outside 0..%lld", axis ? "column" : "row", (long long)index,
                (long long)count - 1);
        return NULL;
    }
    const float *a = ws_tensor_f32(t, e);
    if (!a)
        return NULL;
    float *y = malloc((size_t)n * sizeof *y);
    if (!y) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < n; i++)
        y[i] = axis ? a[i * t->cols + index] : a[index * t->cols + i];
    char title[160];
    snprintf(title, sizeof title, "%s %s %lld", t->name, axis ? "column" : "row",
             (long long)index);
    ws_figure *f = ws_plot_line(y, n, title, axis ? "row index" : "column index", o, e);
    free(y);
    return f;
}

/* Block means of the matrix on a grid of at most WS_PLOT_HEAT_MAX a side. */
static float *block_means(const float *a, int64_t R, int64_t C, int64_t *rows, int64_t *cols)
{
    *rows = R < WS_PLOT_HEAT_MAX ? R : WS_PLOT_HEAT_MAX;
    *cols = C < WS_PLOT_HEAT_MAX ? C : WS_PLOT_HEAT_MAX;
    float *out = calloc((size_t)*rows * *cols, sizeof *out);
    double *acc = calloc((size_t)*cols, sizeof *acc);
    if (!out || !acc) {
        free(out);
        free(acc);
        return NULL;
    }
    for (int64_t i = 0; i < *rows; i++) {
        int64_t r0 = i * R / *rows, r1 = (i + 1) * R / *rows;
        memset(acc, 0, (size_t)*cols * sizeof *acc);
        for (int64_t r = r0; r < r1; r++)
            for (int64_t j = 0; j < *cols; j++)
                for (int64_t c = j * C / *cols; c < (j + 1) * C / *cols; c++)
                    acc[j] += a[r * C + c];
        for (int64_t j = 0; j < *cols; j++) {
            int64_t cells = (r1 - r0) * ((j + 1) * C / *cols - j * C / *cols);
            out[i * *cols + j] = (float)(acc[j] / cells);
        }
    }
    free(acc);
    return out;
}

ws_figure *ws_plot_matrix(const float *a, int64_t rows, int64_t cols, const char *title,
                          const ws_plot_opts *o, ws_err *e)
{
    if (rows < 1 || cols < 1) {
        ws_fail(e, "an empty matrix has no heatmap");
        return NULL;
    }
    double vmax = 0;
    for (int64_t i = 0; i < rows * cols; i++)
        if (isfinite(a[i]) && fabs(a[i]) > vmax)
            vmax = fabs(a[i]);
    int64_t r, c;
    float *cells = block_means(a, rows, cols, &r, &c);
    if (!cells) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    ws_figure *f = new_figure(o, e);
    if (f) {
        ws_figure_set_labels(f, title_or(o, title), "column", "row");
        if (ws_figure_set_heatmap(f, cells, r, c, vmax, "weight", e) != 0) {
            ws_figure_free(f);
            f = NULL;
        } else {
            f->heat->index_rows = rows;
            f->heat->index_cols = cols;
        }
    }
    free(cells);
    return f;
}

ws_figure *ws_plot_heatmap(ws_tensor *t, const ws_plot_opts *o, ws_err *e)
{
    const float *a = ws_tensor_f32(t, e);
    if (!a)
        return NULL;
    char title[160];
    snprintf(title, sizeof title, "%s (%lldx%lld)", t->name, (long long)t->rows,
             (long long)t->cols);
    return ws_plot_matrix(a, t->rows, t->cols, title, o, e);
}

ws_figure *ws_plot_hist(ws_tensor *t, const ws_plot_opts *o, ws_err *e)
{
    ws_stats st;
    const float *a = ws_tensor_f32(t, e);
    if (!a || ws_tensor_stats(t, &st, e) != 0)
        return NULL;
    int bins = o && o->bins ? o->bins : WS_PLOT_BINS;
    double lo = st.min, hi = st.max;
    if (!isfinite(lo) || !isfinite(hi)) {
        ws_fail(e, "%s has no finite values to count", t->name);
        return NULL;
    }
    if (hi == lo)
        bins = 1, lo -= 0.5, hi += 0.5;
    double *x = calloc((size_t)bins, sizeof *x), *y = calloc((size_t)bins, sizeof *y);
    ws_figure *f = x && y ? new_figure(o, e) : NULL;
    if (!x || !y)
        ws_fail(e, "out of memory");
    if (!f) {
        free(x);
        free(y);
        return NULL;
    }
    double width = (hi - lo) / bins;
    for (int64_t i = 0; i < t->numel; i++) {
        if (!isfinite(a[i]))
            continue;
        int b = (int)((a[i] - lo) / width);
        y[b >= bins ? bins - 1 : b < 0 ? 0 : b] += 1;
    }
    for (int b = 0; b < bins; b++)
        x[b] = lo + (b + 0.5) * width;
    char title[160];
    snprintf(title, sizeof title, "%s: %lld values", t->name, (long long)t->numel);
    ws_figure_set_labels(f, title_or(o, title), "weight", "count");
    ws_series *s = ws_figure_add(f, WS_SERIES_BARS, x, y, (size_t)bins, NULL, 0, e);
    if (!s) {
        ws_figure_free(f);
        f = NULL;
    } else {
        s->width = 1.0;   /* bins touch */
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

int ws_plot_add_fit(ws_figure *f, const ws_fit_row *fit, int64_t n, ws_err *e)
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
        else
            s->dashed = 1, s->width = 1.2;
    }
    char label[96];
    snprintf(label, sizeof label, "%d-Gaussian fit, R² = %.3f", fit->K, fit->r2);
    eval_fit(fit, 0, fit->K, x, m, y);
    ws_series *s = rc ? NULL : ws_figure_add(f, WS_SERIES_LINE, x, y, m, label, 0xd1495b, e);
    if (s)
        s->width = 2.2;
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
    ws_figure *f = new_figure(o, e);
    if (!f)
        return NULL;
    f->ylog = 1;
    char title[160];
    snprintf(title, sizeof title, "Spectrum of EᵀE, E = %s", name);
    ws_figure_set_labels(f, title_or(o, title), "index i", "eigenvalue λ");
    double *px = malloc(2 * (size_t)(s->n_pairs ? s->n_pairs : 1) * sizeof *px);
    double *py = malloc(2 * (size_t)(s->n_pairs ? s->n_pairs : 1) * sizeof *py);
    int ok = px && py && ws_figure_add(f, WS_SERIES_LINE, NULL, s->lam, (size_t)s->d, "λ", 0, e);
    if (ok && s->n_pairs) {
        for (int k = 0; k < s->n_pairs; k++)
            for (int j = 0; j < 2; j++) {
                px[2 * k + j] = s->pairs[k].i + j;
                py[2 * k + j] = s->lam[s->pairs[k].i + j];
            }
        char label[128], rule[80];
        ws_spectrum_rule_text(s, rule, sizeof rule);
        snprintf(label, sizeof label, "%d pair%s (%s)", s->n_pairs, s->n_pairs > 1 ? "s" : "",
                 rule);
        ws_series *p = ws_figure_add(f, WS_SERIES_POINTS, px, py, 2 * (size_t)s->n_pairs, label,
                                     0xd1495b, e);
        ok = p != NULL;
        if (p)
            p->width = 3;
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
