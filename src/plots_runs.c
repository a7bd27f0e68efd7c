/* Figures of training runs: the loss curves of one or several runs
 * overlaid (src/run.h has the records and the smoothing). */
#include <stdlib.h>
#include <string.h>

#include "plots.h"

/* The run's training (val = 0) or validation points as a series of the
 * given style; none when the run has no such points. 0 or -1. */
static int add_points(ws_figure *f, const ws_run *r, int val, ws_series_kind kind,
                      const char *label, uint32_t colour, double smooth, double width,
                      double opacity, ws_err *e)
{
    size_t n = ws_run_count(r, val, -1);
    if (!n)
        return 0;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    ws_series *s = NULL;
    if (!x || !y)
        ws_fail(e, "out of memory");
    else {
        n = ws_run_points(r, val, -1, x, y, n);
        if (smooth > 0)
            ws_ema(y, n, smooth, y);
        s = ws_figure_add(f, kind, x, y, n, label, colour, e);
    }
    free(x);
    free(y);
    if (!s)
        return -1;
    s->width = width;
    s->opacity = opacity;
    return 0;
}

ws_figure *ws_plot_runs(const ws_run *const *runs, size_t n, double smooth,
                        const ws_plot_opts *o, ws_err *e)
{
    size_t points = 0;
    for (size_t i = 0; i < n; i++)
        points += ws_run_count(runs[i], 0, -1) + ws_run_count(runs[i], 1, -1);
    if (!points) {
        ws_fail(e, "no losses to draw in %s", n == 1 ? runs[0]->name : "the runs");
        return NULL;
    }
    ws_figure *f = ws_plot_figure(o, e);
    if (!f)
        return NULL;
    char title[256];
    if (n == 1)
        snprintf(title, sizeof title, "Training loss: %s", runs[0]->name);
    else
        snprintf(title, sizeof title, "Training loss of %zu runs", n);
    ws_figure_set_labels(f, o && o->title ? o->title : title, "step", "loss");
    /* Per run: the raw losses faint, their EMA bold (named in the legend),
     * the validation losses as dots (named once, in grey, at the end). */
    int rc = 0, any_val = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t c = ws_palette((int)i);
        char label[96];
        snprintf(label, sizeof label, smooth > 0 ? "%s (EMA %g)" : "%s", runs[i]->name, smooth);
        int has_train = ws_run_count(runs[i], 0, -1) > 0;
        any_val |= has_train && ws_run_count(runs[i], 1, -1) > 0;
        /* A log of validation losses only: its dots carry the run's name. */
        const char *val_label = has_train ? NULL : runs[i]->name;
        if (smooth > 0)   /* unsmoothed, the bold line is the raw one */
            rc = add_points(f, runs[i], 0, WS_SERIES_LINE, NULL, c, 0, 0.6, 0.3, e);
        if (rc == 0)
            rc = add_points(f, runs[i], 0, WS_SERIES_LINE, label, c, smooth, 1.4, 1, e);
        if (rc == 0)
            rc = add_points(f, runs[i], 1, WS_SERIES_POINTS, val_label, c, 0, 1.8, 1, e);
    }
    if (rc == 0 && any_val) {   /* a legend entry only */
        ws_series *v = ws_figure_add(f, WS_SERIES_POINTS, NULL, NULL, 0, "validation", 0x555555, e);
        rc = v ? 0 : -1;
        if (v)
            v->width = 1.8;
    }
    if (rc != 0) {
        ws_figure_free(f);
        return NULL;
    }
    return f;
}
