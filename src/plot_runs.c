/* Loss curves of training runs as a figure (see plot_runs.h). */
#include "plot_runs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The colour halfway to white: the raw curve behind the smoothed one. */
static uint32_t light(uint32_t c)
{
    uint32_t r = (c >> 16 & 255), g = (c >> 8 & 255), b = c & 255;
    return ((r + 255) / 2) << 16 | ((g + 255) / 2) << 8 | (b + 255) / 2;
}

/* One run's series; 0 or -1. */
static int add_run(ws_figure *f, const ws_run *r, int k, const ws_loss_plot_opts *lo,
                   double *ylo, double *yhi, ws_err *e)
{
    size_t n = ws_run_count(r, 0, -1), nv = ws_run_count(r, 1, -1), m = n > nv ? n : nv;
    double *x = malloc((m ? m : 1) * sizeof *x), *y = malloc((m ? m : 1) * sizeof *y);
    double *s = malloc((m ? m : 1) * sizeof *s);
    int rc = !x || !y || !s ? ws_fail(e, "out of memory") : 0;
    int64_t from = ws_run_window_from(ws_run_last_step(r), lo->window);
    uint32_t colour = ws_palette(k);
    if (!rc) {
        n = ws_run_points(r, 0, -1, x, y, n);
        ws_ema(y, n, lo->smoothing, s);
        size_t a = 0;   /* the window: smoothed from the start, then cut */
        while (a < n && x[a] <= (double)from)
            a++;
        for (size_t i = a; i < n; i++)
            if (isfinite(y[i]) && (!lo->logy || y[i] > 0))
                *ylo = fmin(*ylo, y[i]), *yhi = fmax(*yhi, y[i]);
        ws_series *q;
        if (lo->smoothing > 0 && n > a) {
            q = ws_figure_add(f, WS_SERIES_LINE, x + a, y + a, n - a, NULL, light(colour), e);
            if (q)
                q->width = 1;
            rc = q ? 0 : -1;
        }
        if (!rc && n > a) {
            q = ws_figure_add(f, WS_SERIES_LINE, x + a, s + a, n - a, r->name, colour, e);
            if (q)
                q->width = 2;
            rc = q ? 0 : -1;
        }
    }
    if (!rc && nv) {
        nv = ws_run_points(r, 1, from, x, y, nv);
        for (size_t i = 0; i < nv; i++)
            if (isfinite(y[i]) && (!lo->logy || y[i] > 0))
                *ylo = fmin(*ylo, y[i]), *yhi = fmax(*yhi, y[i]);
        char label[96];
        snprintf(label, sizeof label, "%s val", r->name);
        ws_series *q = nv ? ws_figure_add(f, WS_SERIES_LINE, x, y, nv, NULL, colour, e) : NULL;
        if (q)
            q->dashed = 1;
        rc = nv && (!q || !ws_figure_add(f, WS_SERIES_POINTS, x, y, nv, label, colour, e)) ? -1 : 0;
    }
    free(x);
    free(y);
    free(s);
    return rc;
}

/* Freeze events of run k as dotted vertical lines over [ylo, yhi]. */
static int add_events(ws_figure *f, const ws_run *r, int k, int64_t from, double ylo, double yhi,
                      ws_err *e)
{
    for (size_t i = 0; i < r->n_ev; i++) {
        if (r->ev[i].step <= from)
            continue;
        double x[2] = {(double)r->ev[i].step, (double)r->ev[i].step}, y[2] = {ylo, yhi};
        ws_series *q = ws_figure_add(f, WS_SERIES_LINE, x, y, 2, NULL, light(ws_palette(k)), e);
        if (!q)
            return -1;
        q->dashed = 1;
        q->width = 1;
    }
    return 0;
}

ws_figure *ws_plot_loss_curves(const ws_run *const *runs, size_t n, const ws_loss_plot_opts *lo,
                               const ws_plot_opts *o, ws_err *e)
{
    ws_figure *f = ws_figure_new(o && o->width ? o->width : WS_PLOT_W,
                                 o && o->height ? o->height : WS_PLOT_H, e);
    if (!f)
        return NULL;
    char title[160];
    if (n == 1)
        snprintf(title, sizeof title, "%s: loss, smoothing %.3g", runs[0]->name, lo->smoothing);
    else
        snprintf(title, sizeof title, "loss of %zu runs, smoothing %.3g", n, lo->smoothing);
    ws_figure_set_labels(f, o && o->title ? o->title : title, "step", "loss");
    f->ylog = lo->logy;
    double ylo = INFINITY, yhi = -INFINITY;
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++)
        rc = add_run(f, runs[k], (int)k, lo, &ylo, &yhi, e);
    for (size_t k = 0; k < n && !rc && ylo < yhi; k++)
        rc = add_events(f, runs[k], (int)k, ws_run_window_from(ws_run_last_step(runs[k]), lo->window),
                        ylo, yhi, e);
    if (!rc && !(ylo <= yhi))
        rc = ws_fail(e, "no loss to plot yet");
    if (rc) {
        ws_figure_free(f);
        return NULL;
    }
    return f;
}
