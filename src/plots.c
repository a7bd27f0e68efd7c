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
    double *y = malloc((size_t)n * sizeof *y);
    ws_figure *f = y ? new_figure(o, e) : NULL;
    if (!y && e)
        ws_fail(e, "out of memory");
    if (!f) {
        free(y);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++)
        y[i] = axis ? a[i * t->cols + index] : a[index * t->cols + i];
    char title[160];
    snprintf(title, sizeof title, "%s %s %lld", t->name, axis ? "column" : "row",
             (long long)index);
    ws_figure_set_labels(f, title_or(o, title), axis ? "row index" : "column index", "weight");
    if (!ws_figure_add(f, WS_SERIES_LINE, NULL, y, (size_t)n, NULL, 0, e)) {
        ws_figure_free(f);
        f = NULL;
    }
    free(y);
    return f;
}

/* Block means of the matrix on a grid of at most WS_PLOT_HEAT_MAX a side. */
static float *block_means(const float *a, int64_t R, int64_t C, int64_t *rows, int64_t *cols)
{
    *rows = R < WS_PLOT_HEAT_MAX ? R : WS_PLOT_HEAT_MAX;
    *cols = C < WS_PLOT_HEAT_MAX ? C : WS_PLOT_HEAT_MAX;
    float *out = calloc((size_t)*rows * *cols, sizeof *out);
    if (!out)
        return NULL;
    for (int64_t i = 0; i < *rows; i++) {
        int64_t r0 = i * R / *rows, r1 = (i + 1) * R / *rows;
        double *acc = calloc((size_t)*cols, sizeof *acc);
        if (!acc) {
            free(out);
            return NULL;
        }
        for (int64_t r = r0; r < r1; r++)
            for (int64_t j = 0; j < *cols; j++)
                for (int64_t c = j * C / *cols; c < (j + 1) * C / *cols; c++)
                    acc[j] += a[r * C + c];
        for (int64_t j = 0; j < *cols; j++) {
            int64_t cells = (r1 - r0) * ((j + 1) * C / *cols - j * C / *cols);
            out[i * *cols + j] = (float)(acc[j] / cells);
        }
        free(acc);
    }
    return out;
}

/* The tensor's float values and their statistics (NULL on error). */
static const float *values(ws_tensor *t, ws_stats *st, ws_err *e)
{
    const float *a = ws_tensor_f32(t, e);
    return a && ws_tensor_stats(t, st, e) == 0 ? a : NULL;
}

ws_figure *ws_plot_heatmap(ws_tensor *t, const ws_plot_opts *o, ws_err *e)
{
    ws_stats st;
    const float *a = values(t, &st, e);
    if (!a)
        return NULL;
    int64_t rows, cols;
    float *cells = block_means(a, t->rows, t->cols, &rows, &cols);
    ws_figure *f = cells ? new_figure(o, e) : NULL;
    if (!cells)
        ws_fail(e, "out of memory");
    if (!f) {
        free(cells);
        return NULL;
    }
    char title[160];
    snprintf(title, sizeof title, "%s (%lldx%lld)", t->name, (long long)t->rows,
             (long long)t->cols);
    ws_figure_set_labels(f, title_or(o, title), "column", "row");
    double vmax = fmax(fabs(st.min), fabs(st.max));
    if (ws_figure_set_heatmap(f, cells, rows, cols, isfinite(vmax) ? vmax : 0, "weight", e) != 0) {
        ws_figure_free(f);
        f = NULL;
    } else {
        f->heat->index_rows = t->rows;
        f->heat->index_cols = t->cols;
    }
    free(cells);
    return f;
}

ws_figure *ws_plot_hist(ws_tensor *t, const ws_plot_opts *o, ws_err *e)
{
    ws_stats st;
    const float *a = values(t, &st, e);
    if (!a)
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
    if ((!x || !y) && e)
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
