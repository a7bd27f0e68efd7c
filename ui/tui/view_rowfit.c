/* Row fit view: one matrix row with its Gaussian fit overlaid — the row,
 * the mixture, each component (toggleable) and optionally the residual —
 * and a side table of A, μ, σ and R². K and the mode (free L1 / grid) can
 * be changed; every change refits on a worker thread. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "export.h"
#include "names.h"
#include "job.h"
#include "plots.h"
#include "render_series.h"
#include "tui.h"
#include "view_rowfit.h"

enum { TABLE_W = 34 };

typedef struct fjob {
    float *w;
    int64_t n;
    int K;
    ws_fit_mode mode;
    ws_fit_row fit;
    ws_err err;
    int failed;
} fjob;

typedef struct rowfit_view {
    view base;
    ws_tensor *t;
    char name[160];          /* as names.h shows it */
    const float *a;
    int64_t row, n;
    int K, sel, show_resid;
    ws_fit_mode mode;
    int hidden[WS_FIT_KMAX];
    tui_job *job;
    fjob *jarg;
    fjob *res;               /* the fit shown */
    float *vals, *mix, *resid, *comp;   /* n, n, n, K·n */
    char err[600];
} rowfit_view;

static const key_binding rowfit_keys[] = {
    {{KEY_DOWN, 'j', 'n', 0}, "Down j n", ACT_NEXT, "next row, refit", "next"},
    {{KEY_UP, 'k', 'p', 0}, "Up k p", ACT_PREV, "previous row, refit", "prev"},
    {{'+', '=', 0}, "+", ACT_ZOOM_IN, "one Gaussian more (K+1, up to 16), refit", "K+"},
    {{'-', 0}, "-", ACT_ZOOM_OUT, "one Gaussian fewer (K-1), refit", "K-"},
    {{'m', 0}, "m", ACT_DSMODE, "mode: free (L1: A, mu, sigma) / grid (amplitudes only)", "mode"},
    {{KEY_LEFT, 'h', 0}, "Left h", ACT_LEFT, "select the previous component", NULL},
    {{KEY_RIGHT, 'l', 0}, "Right l", ACT_RIGHT, "select the next component", NULL},
    {{' ', '\n', '\r', KEY_ENTER}, "Space Enter", ACT_OPEN, "show / hide the selected component", "toggle"},
    {{'r', 0}, "r", ACT_LOG, "show / hide the residual (row - mixture)", "resid"},
    {{'e', 0}, "e", ACT_EXPORT, "export the row and its fit (PNG, SVG, PDF beside the model)", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static void fjob_run(void *p, ws_progress *pr)
{
    fjob *j = p;
    atomic_store(&pr->total, 1);
    j->failed = ws_plot_fit_row(j->w, j->n, j->K, j->mode, &j->fit, &j->err) < 0;
    ws_progress_add(pr, 1);
}

static void fjob_free(void *p)
{
    fjob *j = p;
    if (j) free(j->w);
    free(j);
}

static void start(rowfit_view *v)
{
    if (v->job) job_release(v->job);
    v->job = NULL;
    fjob *j = calloc(1, sizeof *j);
    if (!j || !(j->w = malloc(sizeof(float) * (size_t)v->n))) {
        fjob_free(j);
        snprintf(v->err, sizeof v->err, "out of memory");
        return;
    }
    memcpy(j->w, v->vals, sizeof(float) * (size_t)v->n);
    j->n = v->n, j->K = v->K, j->mode = v->mode;
    v->err[0] = 0;
    v->jarg = j;
    v->job = job_start(fjob_run, j, fjob_free);
    if (!v->job) {
        fjob_free(j);
        snprintf(v->err, sizeof v->err, "cannot start a worker thread");
    } else {
        job_wait(v->job, 30);   /* most rows are done by the first frame */
    }
}

/* The component curves, mixture and residual of the fit shown. */
static void curves(rowfit_view *v)
{
    const ws_fit_row *f = &v->res->fit;
    double *buf = malloc(sizeof(double) * (size_t)v->n);
    if (!buf) return;
    for (int64_t j = 0; j < v->n; j++) v->mix[j] = 0;
    for (int k = 0; k < f->K; k++) {
        ws_fit_row one = {.K = 1, .A = {f->A[k]}, .mu = {f->mu[k]}, .sigma = {f->sigma[k]}};
        ws_fit_eval(&one, v->n, buf);
        for (int64_t j = 0; j < v->n; j++) {
            v->comp[k * v->n + j] = (float)buf[j];
            v->mix[j] += (float)buf[j];
        }
    }
    for (int64_t j = 0; j < v->n; j++) v->resid[j] = v->vals[j] - v->mix[j];
    free(buf);
}

static int take(rowfit_view *v)
{
    if (!v->job || !job_done(v->job)) return 0;
    if (v->jarg->failed) {
        snprintf(v->err, sizeof v->err, "%s", v->jarg->err.msg);
    } else {
        fjob_free(v->res);
        v->res = job_take_arg(v->job);
        curves(v);
    }
    job_release(v->job);
    v->job = NULL, v->jarg = NULL;
    return 1;
}

static void load(rowfit_view *v, int64_t row)
{
    v->row = row < 0 ? 0 : row >= v->t->rows ? v->t->rows - 1 : row;
    if (v->sel >= v->K) v->sel = v->K - 1;
    memcpy(v->vals, v->a + v->row * v->n, sizeof(float) * (size_t)v->n);
    snprintf(v->base.title, sizeof v->base.title, "%s row %lld: %d Gaussians, %s", v->name,
             (long long)v->row, v->K, v->mode == WS_FIT_FREE ? "free" : "grid");
    start(v);
    take(v);
}

static void draw_table(rowfit_view *v, tui *t, cellbuf *cb, cb_rect r)
{
    const ws_fit_row *f = &v->res->fit;
    char r2[32];
    snprintf(r2, sizeof r2, isfinite(f->r2) ? "%.4f" : "-", f->r2);
    cb_printf(cb, r.y, r.x, r.w, CB_BOLD, "%s K=%d  R2=%s", v->mode == WS_FIT_FREE ? "free" : "grid",
              f->K, r2);
    cb_printf(cb, r.y + 1, r.x, r.w, CB_UNDERLINE, " k %10s %8s %8s", "A", "mu", "sigma");
    for (int k = 0; k < f->K && k + 2 < r.h; k++) {
        int attrs = (k == v->sel ? CB_REVERSE : 0) | (v->hidden[k] ? CB_DIM : 0);
        int x = r.x + cb_printf(cb, r.y + 2 + k, r.x, r.w, attrs, "%2d %10.3g %8.2f %8.2f", k, f->A[k],
                                f->mu[k], f->sigma[k]);
        cb_text(cb, r.y + 2 + k, x, 2, v->hidden[k] ? " -" : " *", 0);
        cb_set(cb, r.y + 2 + k, x + 1, v->hidden[k] ? "-" : "*", series_colour(k, &t->style), CB_DEFAULT, 0);
    }
}

static void rowfit_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    rowfit_view *v = (rowfit_view *)vv;
    int tw = body.w >= 70 ? TABLE_W : 0;
    cb_rect plot = {body.y + 1, body.x, body.h - 1, body.w - 1 - tw};
    cb_printf(cb, body.y, body.x + 10, body.w - 10, CB_BOLD, "%s[%lld, :]  row, mixture%s%s",
              v->name, (long long)v->row, v->res ? ", components" : "",
              v->show_resid ? ", residual" : "");
    plot_series s[WS_FIT_KMAX + 3];
    int ns = 0;
    s[ns++] = (plot_series){v->vals, CB_DEFAULT, CB_DIM, '.'};
    if (v->res) {
        for (int k = 0; k < v->res->fit.K; k++)
            if (!v->hidden[k])
                s[ns++] = (plot_series){v->comp + k * v->n, series_colour(k, &t->style), 0, 'o'};
        if (v->show_resid) s[ns++] = (plot_series){v->resid, CB_DEFAULT, CB_DIM, 'r'};
        s[ns++] = (plot_series){v->mix, colour_accent(&t->style), CB_BOLD, '#'};
    }
    render_series(cb, plot, s, ns, v->n, &t->style);
    if (v->res && tw) draw_table(v, t, cb, (cb_rect){body.y + 1, body.x + body.w - tw, body.h - 1, tw});
    if (v->err[0]) {
        cb_text(cb, info.y, info.x, info.w, v->err, CB_BOLD);
    } else if (v->job && !job_done(v->job)) {
        tui_draw_progress(cb, info.y, info.x, info.w, "fitting", job_fraction(v->job));
    } else if (v->res) {
        const ws_fit_row *f = &v->res->fit;
        char r2[32];
        snprintf(r2, sizeof r2, isfinite(f->r2) ? "%.5f" : "-", f->r2);
        cb_printf(cb, info.y, info.x, info.w, 0, "R2=%s mse=%.4g status=%s iterations=%d evaluations=%d%s",
                  r2, f->mse, ws_fit_status_name(f->status), f->iters, f->nfev,
                  tw ? "" : "  (widen the terminal for the parameter table)");
    }
}

/* The row with its fit as a figure (as `wscope plot --row N --fit K`). */
static void export_fit(rowfit_view *v, tui *t)
{
    if (!v->res || !ws_fit_status_fitted(v->res->fit.status)) {
        tui_message(t, "no fit to export yet");
        return;
    }
    char title[160], stem[160];
    const char *mode = ws_plot_fit_mode_name(v->res->mode);   /* the shown fit's */
    snprintf(title, sizeof title, "%s row %lld, %s fit", v->t->name, (long long)v->row, mode);
    snprintf(stem, sizeof stem, "%s-row%lld-fit%d-%s", v->t->name, (long long)v->row,
             v->res->fit.K, mode);
    ws_err e = {{0}};
    ws_figure *f = ws_plot_line(v->vals, v->n, title, "column index", NULL, NULL, &e);
    if (f && ws_plot_add_fit(f, &v->res->fit, v->res->mode, v->n, &e) != 0) {
        ws_figure_free(f);
        f = NULL;
    }
    tui_export(t, f, stem, &e);
}

static int rowfit_action(view *vv, tui *t, ws_action a)
{
    rowfit_view *v = (rowfit_view *)vv;
    int K = v->res ? v->res->fit.K : v->K;
    switch (a) {
    case ACT_NEXT: load(v, v->row + 1); return 1;
    case ACT_PREV: load(v, v->row - 1); return 1;
    case ACT_ZOOM_IN: if (v->K < WS_FIT_KMAX) v->K++; load(v, v->row); return 1;
    case ACT_ZOOM_OUT: if (v->K > 1) v->K--; load(v, v->row); return 1;
    case ACT_DSMODE: v->mode = v->mode == WS_FIT_FREE ? WS_FIT_MODE_GRID : WS_FIT_FREE; load(v, v->row); return 1;
    case ACT_LEFT: v->sel = (v->sel + K - 1) % K; return 1;
    case ACT_RIGHT: v->sel = (v->sel + 1) % K; return 1;
    case ACT_OPEN: v->hidden[v->sel] = !v->hidden[v->sel]; return 1;
    case ACT_LOG: v->show_resid = !v->show_resid; return 1;
    case ACT_EXPORT: export_fit(v, t); return 1;
    case ACT_CANCEL:
        if (!v->job) return 0;
        job_release(v->job);
        v->job = NULL, v->jarg = NULL;
        snprintf(v->err, sizeof v->err, "fit cancelled");
        return 1;
    default: return 0;
    }
}

static int rowfit_tick(view *vv, tui *t, int *busy)
{
    (void)t;
    rowfit_view *v = (rowfit_view *)vv;
    if (!v->job) return 0;
    *busy = 1;
    return take(v);
}

static void rowfit_destroy(view *vv)
{
    rowfit_view *v = (rowfit_view *)vv;
    if (v->job) job_release(v->job);
    fjob_free(v->res);
    free(v->vals);
    free(v->mix);
    free(v->resid);
    free(v->comp);
    free(v);
}

static const view_class rowfit_class = {
    "row fit", rowfit_keys, rowfit_draw, rowfit_action, rowfit_tick, rowfit_destroy,
};

view *view_rowfit_new(tui *t, ws_tensor *tensor, const float *data, int64_t row)
{
    rowfit_view *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    ws_display_name(t->model, tensor, 0, v->name, sizeof v->name);
    v->n = tensor->cols;
    size_t n = (size_t)v->n;
    v->vals = malloc(sizeof(float) * n);
    v->mix = malloc(sizeof(float) * n);
    v->resid = malloc(sizeof(float) * n);
    v->comp = malloc(sizeof(float) * n * WS_FIT_KMAX);
    if (!v->vals || !v->mix || !v->resid || !v->comp) {
        rowfit_destroy(&v->base);
        return NULL;
    }
    v->base.cls = &rowfit_class;
    v->t = tensor;
    v->a = data;
    v->K = WS_FIT_K_DEFAULT;
    v->mode = WS_FIT_FREE;
    load(v, row);
    return &v->base;
}
