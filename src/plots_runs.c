/* Figures of training runs: the loss curves of one or several runs
 * overlaid (src/run.h has the records and the smoothing). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plots.h"

/* The run's training (val = 0) or validation points after step `from`
 * as a series of the given style; none when the run has no such points.
 * The EMA runs over the whole run, so a window does not restart it. The
 * y range of what is drawn grows *lo..*hi. 0 or -1. */
static int add_points(ws_figure *f, const ws_run *r, int val, int64_t from, ws_series_kind kind,
                      const char *label, uint32_t colour, double smooth, double width,
                      double opacity, double *lo, double *hi, ws_err *e)
{
    size_t n = ws_run_count(r, val, -1);
    if (!n)
        return 0;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    int rc = 0;
    if (!x || !y)
        rc = ws_fail(e, "out of memory");
    else {
        n = ws_run_points(r, val, -1, x, y, n);
        if (smooth > 0)
            ws_ema(y, n, smooth, y);
        size_t a = 0;
        while (a < n && x[a] <= (double)from)
            a++;
        for (size_t i = a; i < n; i++)
            if (isfinite(y[i]) && (!f->ylog || y[i] > 0))
                *lo = fmin(*lo, y[i]), *hi = fmax(*hi, y[i]);
        ws_series *s = a < n ? ws_figure_add(f, kind, x + a, y + a, n - a, label, colour, e) : NULL;
        if (a < n && !s)
            rc = -1;
        else if (s)
            s->width = width, s->opacity = opacity;
    }
    free(x);
    free(y);
    return rc;
}

/* Freeze events after `from` as dashed vertical lines over [lo, hi]. */
static int add_events(ws_figure *f, const ws_run *r, uint32_t colour, int64_t from, double lo,
                      double hi, ws_err *e)
{
    for (size_t i = 0; i < r->n_ev; i++) {
        if (r->ev[i].step <= from)
            continue;
        double x[2] = {(double)r->ev[i].step, (double)r->ev[i].step}, y[2] = {lo, hi};
        ws_series *q = ws_figure_add(f, WS_SERIES_LINE, x, y, 2, NULL, colour, e);
        if (!q)
            return -1;
        q->dashed = 1, q->width = 0.6, q->opacity = 0.6;
    }
    return 0;
}

ws_figure *ws_plot_loss_curves(const ws_run *const *runs, size_t n, const ws_loss_plot_opts *lo,
                               const ws_plot_opts *o, ws_err *e)
{
    double smooth = lo ? lo->smoothing : WS_PLOT_SMOOTH;
    ws_figure *f = ws_plot_figure(o, e);
    if (!f)
        return NULL;
    f->ylog |= lo && lo->logy;
    char title[256];
    if (n == 1)
        snprintf(title, sizeof title, "Training loss: %s", runs[0]->name);
    else
        snprintf(title, sizeof title, "Training loss of %zu runs", n);
    ws_figure_set_labels(f, o && o->title ? o->title : title, "step", "loss");
    /* Per run: the raw losses faint, their EMA bold (named in the legend),
     * the validation losses as dots (named once, in grey, at the end). */
    double ylo = INFINITY, yhi = -INFINITY;
    int rc = 0, any_val = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const ws_run *r = runs[i];
        int64_t from = ws_run_window_from(ws_run_last_step(r), lo ? lo->window : 0);
        uint32_t c = ws_palette((int)i);
        char label[96];
        snprintf(label, sizeof label, smooth > 0 ? "%s (EMA %g)" : "%s", r->name, smooth);
        int has_train = ws_run_count(r, 0, from) > 0;
        any_val |= has_train && ws_run_count(r, 1, from) > 0;
        /* A log of validation losses only: its dots carry the run's name. */
        const char *val_label = has_train ? NULL : r->name;
        if (smooth > 0)   /* unsmoothed, the bold line is the raw one */
            rc = add_points(f, r, 0, from, WS_SERIES_LINE, NULL, c, 0, 0.6, 0.3, &ylo, &yhi, e);
        if (rc == 0)
            rc = add_points(f, r, 0, from, WS_SERIES_LINE, label, c, smooth, 1.4, 1, &ylo, &yhi, e);
        if (rc == 0)
            rc = add_points(f, r, 1, from, WS_SERIES_POINTS, val_label, c, 0, 1.8, 1, &ylo, &yhi, e);
    }
    if (rc == 0 && !(ylo <= yhi))
        rc = ws_fail(e, "no losses to draw in %s", n == 1 ? runs[0]->name : "the runs");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = add_events(f, runs[i], ws_palette((int)i),
                        ws_run_window_from(ws_run_last_step(runs[i]), lo ? lo->window : 0), ylo,
                        yhi, e);
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
