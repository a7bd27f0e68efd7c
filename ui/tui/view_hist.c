/* Histogram view: the distribution of a tensor's values, one bin per
 * column between its min and max, counted on a worker thread. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "names.h"
#include "job.h"
#include "plots.h"
#include "tui.h"

typedef struct hjob {
    ws_tensor *t;
    int nbins;
    int64_t *counts;
    double lo, hi;
    ws_stats s;
    ws_err err;
    int failed;
} hjob;

typedef struct hist_view {
    view base;
    ws_tensor *t;
    char name[160];          /* as names.h shows it */
    int logscale;
    tui_job *job;
    hjob *jarg;
    hjob *res;            /* the shown result */
    char err[600];
} hist_view;

static const key_binding hist_keys[] = {
    {{'l', 0}, "l", ACT_LOG, "linear / logarithmic counts", "log"},
    {{'e', 0}, "e", ACT_EXPORT, "export the histogram (PNG, SVG, PDF beside the model)", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static void hjob_run(void *p, ws_progress *pr)
{
    hjob *j = p;
    atomic_store(&pr->total, 2);
    const float *a = ws_tensor_f32(j->t, &j->err);
    if (!a || ws_tensor_stats(j->t, &j->s, &j->err)) {
        j->failed = 1;
        return;
    }
    ws_progress_add(pr, 1);
    j->lo = j->s.min;
    j->hi = j->s.max;
    if (!(j->hi > j->lo))
        j->lo -= 0.5, j->hi += 0.5;
    if (!ws_cancelled(pr))
        hist_count(a, j->t->numel, j->lo, j->hi, j->nbins, j->counts);
    ws_progress_add(pr, 1);
}

static void hjob_free(void *p)
{
    hjob *j = p;
    if (j) {
        free(j->counts);
        free(j);
    }
}

static void start(hist_view *v, int nbins)
{
    hjob *j = calloc(1, sizeof *j);
    if (!j || !(j->counts = calloc((size_t)nbins, sizeof *j->counts))) {
        free(j);
        return;
    }
    j->t = v->t;
    j->nbins = nbins;
    v->jarg = j;
    v->job = job_start(hjob_run, j, hjob_free);
    if (!v->job) {
        hjob_free(j);
        v->jarg = NULL;
    }
}

static int take(hist_view *v)
{
    if (!v->job || !job_done(v->job))
        return 0;
    if (v->jarg->failed) {
        snprintf(v->err, sizeof v->err, "%s", v->jarg->err.msg);
    } else {
        hjob_free(v->res);
        v->res = job_take_arg(v->job);
        v->jarg = NULL;
        job_release(v->job);
        v->job = NULL;
        return 1;
    }
    job_release(v->job);
    v->job = NULL;
    v->jarg = NULL;
    return 1;
}

static void hist_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    hist_view *v = (hist_view *)vv;
    if (v->err[0]) {
        cb_text(cb, body.y + 1, 1, body.w - 2, v->err, CB_BOLD);
        return;
    }
    cb_rect area = {body.y + 1, body.x, body.h - 1, body.w - 1};
    int nbins = hist_plot_width(area);
    if (nbins < 1)
        return;
    if ((!v->res || v->res->nbins != nbins) && (!v->job || v->jarg->nbins != nbins)) {
        if (v->job) {
            job_release(v->job);
            v->job = NULL;
        }
        start(v, nbins);
        if (v->job)
            job_wait(v->job, 30);
        take(v);
    }
    cb_printf(cb, body.y, body.x + 10, body.w - 10, CB_BOLD, "%s: %s counts, %d bins",
              v->name, v->logscale ? "log10(1 + count)" : "linear", nbins);
    if (v->res)
        render_hist(cb, area, v->res->counts, v->res->nbins, v->res->lo, v->res->hi,
                    v->logscale, &t->style);
    if (v->job && !job_done(v->job)) {
        tui_draw_progress(cb, info.y, info.x, info.w, "counting", job_fraction(v->job));
    } else if (v->res) {
        const ws_stats *s = &v->res->s;
        cb_printf(cb, info.y, info.x, info.w, 0,
                  "n=%lld mean=%.4g std=%.4g min=%.4g max=%.4g zeros=%.3g%% nan=%lld inf=%lld",
                  (long long)v->t->numel, s->mean, s->std, s->min, s->max, 100 * s->zero_frac,
                  (long long)s->n_nan, (long long)s->n_inf);
    }
}

/* The histogram as a figure (as `wscope plot --hist`; log: a log count axis). */
static void export_hist(hist_view *v, tui *t)
{
    if (!v->res) {
        tui_message(t, "still counting %s", v->t->name);
        return;
    }
    ws_plot_opts o = {.ylog = v->logscale};
    char stem[160];
    snprintf(stem, sizeof stem, "%s-hist", v->t->name);
    ws_err e = {{0}};
    ws_plot_src src;
    ws_figure *f = ws_plot_src_tensor(v->t, &src, &e) == 0 ? ws_plot_hist(&src, &o, &e) : NULL;
    tui_export(t, f, stem, &e);
}

static int hist_action(view *vv, tui *t, ws_action a)
{
    hist_view *v = (hist_view *)vv;
    if (a == ACT_EXPORT) {
        export_hist(v, t);
        return 1;
    }
    if (a == ACT_LOG) {
        v->logscale = !v->logscale;
        return 1;
    }
    if (a == ACT_CANCEL && v->job) {
        job_release(v->job);
        v->job = NULL;
        v->jarg = NULL;
        snprintf(v->err, sizeof v->err, "cancelled");
        return 1;
    }
    return 0;
}

static int hist_tick(view *vv, tui *t, int *busy)
{
    (void)t;
    hist_view *v = (hist_view *)vv;
    if (!v->job)
        return 0;
    *busy = 1;
    take(v);
    return 1;
}

static void hist_destroy(view *vv)
{
    hist_view *v = (hist_view *)vv;
    if (v->job)
        job_release(v->job);
    hjob_free(v->res);
    free(v);
}

static const view_class hist_class = {
    "histogram", hist_keys, hist_draw, hist_action, hist_tick, hist_destroy,
};

view *view_hist_new(tui *t, ws_tensor *tensor)
{
    (void)t;
    hist_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = &hist_class;
    v->t = tensor;
    ws_display_name(t->model, tensor, 0, v->name, sizeof v->name);
    snprintf(v->base.title, sizeof v->base.title, "%s", v->name);
    if (tensor->numel == 0)
        snprintf(v->err, sizeof v->err, "%s is empty", tensor->name);
    return &v->base;
}
