/* Fits table: the Gaussian fit summary of every 2-D weight matrix of the
 * model, one line per matrix, computed on a worker thread (matrices appear
 * as they finish) and sortable by any column. */
#include <curses.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fit.h"
#include "job.h"
#include "names.h"
#include "tui.h"
#include "view_fits.h"

enum { COL_NAME, COL_R2, COL_MSE, COL_COMP, COL_LIN, COL_NONCONV, COL_SECS, N_COLS };
static const char *col_names[N_COLS] = {"tensor", "R2", "MSE", "compr", "centre lin", "nonconv", "s"};

typedef struct fits_job {
    ws_tensor **mats;
    int n;
    ws_fit_matrix_opts mo;
    ws_fit_summary *sum;     /* n of them; the first `ready` are final */
    double *secs;
    atomic_int ready;
    char err[600];
} fits_job;

typedef struct fits_view {
    view base;
    tui_job *job;
    fits_job *res;           /* shared with the job while it runs */
    int K;
    ws_fit_mode mode;
    int sort_col, descending, sel, top;
    int shown_done;          /* the finished job has been drawn */
    int *order;
} fits_view;

static const key_binding fits_keys[] = {
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "select the previous matrix", NULL},
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "select the next matrix", NULL},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "one page up", NULL},
    {{KEY_NPAGE, ' ', 0}, "PgDn Space", ACT_PGDN, "one page down", NULL},
    {{'s', 0}, "s", ACT_COLUMN, "sort by the next column (model order, R2, MSE, ...)", "sort"},
    {{'S', 0}, "S", ACT_LOG, "reverse the sort order", NULL},
    {{'+', '=', 0}, "+", ACT_ZOOM_IN, "one Gaussian more per row (K+1), refit all", "K+"},
    {{'-', 0}, "-", ACT_ZOOM_OUT, "one Gaussian fewer (K-1), refit all", "K-"},
    {{'m', 0}, "m", ACT_DSMODE, "mode: free (L1) / grid (amplitudes only), refit all", "mode"},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static void fits_run(void *p, ws_progress *pr)
{
    fits_job *j = p;
    size_t total = 0;
    for (int i = 0; i < j->n; i++) total += (size_t)j->mats[i]->rows;
    atomic_store(&pr->total, total);
    for (int i = 0; i < j->n && !ws_cancelled(pr); i++) {
        ws_err e = {{0}};
        const float *W = ws_tensor_f32(j->mats[i], &e);
        ws_fit_result r;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (!W || ws_fit_matrix(W, j->mats[i]->rows, j->mats[i]->cols, &j->mo, &r, pr, &e) < 0) {
            if (!ws_cancelled(pr))
                snprintf(j->err, sizeof j->err, "%s: %s", j->mats[i]->name, e.msg);
            return;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        j->sum[i] = r.s;
        j->secs[i] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        ws_fit_result_free(&r);
        atomic_store(&j->ready, i + 1);
    }
}

static void fits_free(void *p)
{
    fits_job *j = p;
    if (!j) return;
    free(j->mats);
    free(j->sum);
    free(j->secs);
    free(j);
}

static void start(fits_view *v, tui *t)
{
    if (v->job) job_release(v->job);   /* the reaper frees its argument */
    else fits_free(v->res);
    v->job = NULL;
    v->res = NULL;
    fits_job *j = calloc(1, sizeof *j);
    size_t n = t->model->n_tensors;
    if (!j || !(j->mats = malloc(sizeof *j->mats * (n + 1))) ||
        !(j->sum = calloc(n + 1, sizeof *j->sum)) || !(j->secs = calloc(n + 1, sizeof *j->secs))) {
        fits_free(j);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (ws_tensor_is_weight_matrix(&t->model->tensors[i]))
            j->mats[j->n++] = &t->model->tensors[i];
    ws_fit_matrix_opts_default(&j->mo);
    j->mo.fit.K = v->K;
    j->mo.mode = v->mode;
    free(v->order);
    v->order = malloc(sizeof *v->order * (size_t)(j->n + 1));
    v->res = j;
    v->shown_done = 0;
    v->job = job_start(fits_run, j, fits_free);
    if (!v->job) snprintf(j->err, sizeof j->err, "cannot start a worker thread");
    snprintf(v->base.title, sizeof v->base.title, "%d matrices, K=%d, %s", j->n, v->K,
             v->mode == WS_FIT_FREE ? "free" : "grid");
}

static double key_of(const fits_job *j, int i, int col)
{
    const ws_fit_summary *s = &j->sum[i];
    switch (col) {
    case COL_R2: return s->r2;
    case COL_MSE: return s->mse;
    case COL_COMP: return s->compression;
    case COL_LIN: return s->centre_linearity;
    case COL_NONCONV: return (double)s->nonconverged;
    case COL_SECS: return j->secs[i];
    default: return i;
    }
}

/* Finished matrices sorted by the chosen column, then the pending ones in model order. */
static int sort_rows(fits_view *v)
{
    fits_job *j = v->res;
    int ready = atomic_load(&j->ready);
    for (int i = 0; i < j->n; i++) v->order[i] = i;
    for (int a = 1; a < ready; a++)   /* insertion sort: a model has few matrices */
        for (int b = a; b > 0; b--) {
            int x = v->order[b - 1], y = v->order[b];
            int cmp = v->sort_col == COL_NAME ? (x > y) - (x < y)
                      : (key_of(j, x, v->sort_col) > key_of(j, y, v->sort_col)) -
                            (key_of(j, x, v->sort_col) < key_of(j, y, v->sort_col));
            int swap = v->descending ? cmp < 0 : cmp > 0;
            if (!swap) break;
            v->order[b - 1] = y, v->order[b] = x;
        }
    return ready;
}

static void fits_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    fits_view *v = (fits_view *)vv;
    fits_job *j = v->res;
    if (!j) { cb_text(cb, body.y, body.x, body.w, "out of memory", CB_BOLD); return; }
    int ready = sort_rows(v), nw = body.w - 64 > 12 ? body.w - 64 : 12;
    char head[256];
    snprintf(head, sizeof head, "%-*s %9s %8s %10s %6s %10s %8s %5s", nw, col_names[0], "shape",
             col_names[1], col_names[2], col_names[3], col_names[4], col_names[5], col_names[6]);
    cb_text(cb, body.y, body.x, body.w, head, CB_UNDERLINE);
    int rows = body.h - 1;
    if (v->sel < v->top) v->top = v->sel;
    if (v->sel >= v->top + rows) v->top = v->sel - rows + 1;
    for (int r = 0; r < rows && v->top + r < j->n; r++) {
        int i = v->order[v->top + r], y = body.y + 1 + r;
        int attrs = v->top + r == v->sel ? CB_REVERSE : 0;
        char shape[32], name[512];
        ws_tensor_shape_text(j->mats[i], shape, sizeof shape);
        int cells = ws_tensor_label(t->model, j->mats[i], nw, t->style.glyphs != WS_GLYPH_UTF8, name,
                                    sizeof name);
        int x = body.x + cb_printf(cb, y, body.x, nw, attrs, "%s%*s", name, nw - cells, "");
        if (v->top + r < ready) {
            const ws_fit_summary *s = &j->sum[i];
            cb_printf(cb, y, x, body.w - nw, attrs, " %9s %8.4f %10.4g %6.2f %10.4f %8lld %5.1f",
                      shape, s->r2, s->mse, s->compression, s->centre_linearity,
                      (long long)s->nonconverged, j->secs[i]);
        } else {
            cb_printf(cb, y, x, body.w - nw, attrs | CB_DIM, " %9s %8s", shape,
                      v->top + r == ready && v->job ? "fitting" : "waiting");
        }
    }
    if (j->err[0]) {
        cb_text(cb, info.y, info.x, info.w, j->err, CB_BOLD);
    } else if (v->job && !job_done(v->job)) {
        tui_draw_progress(cb, info.y, info.x, info.w, "fitting rows", job_fraction(v->job));
    } else {
        cb_printf(cb, info.y, info.x, info.w, 0, "%d of %d matrices fitted; sorted by %s%s", ready, j->n,
                  v->sort_col == COL_NAME ? "model order" : col_names[v->sort_col],
                  v->descending ? " (descending)" : "");
    }
}

static int fits_action(view *vv, tui *t, ws_action a)
{
    fits_view *v = (fits_view *)vv;
    int n = v->res ? v->res->n : 0;
    switch (a) {
    case ACT_UP: if (v->sel > 0) v->sel--; return 1;
    case ACT_DOWN: if (v->sel + 1 < n) v->sel++; return 1;
    case ACT_PGUP: v->sel = v->sel > 10 ? v->sel - 10 : 0; return 1;
    case ACT_PGDN: v->sel = v->sel + 10 < n ? v->sel + 10 : (n ? n - 1 : 0); return 1;
    case ACT_COLUMN: v->sort_col = (v->sort_col + 1) % N_COLS; return 1;
    case ACT_LOG: v->descending = !v->descending; return 1;
    case ACT_ZOOM_IN: if (v->K < WS_FIT_KMAX) v->K++; start(v, t); return 1;
    case ACT_ZOOM_OUT: if (v->K > 1) v->K--; start(v, t); return 1;
    case ACT_DSMODE: v->mode = v->mode == WS_FIT_FREE ? WS_FIT_MODE_GRID : WS_FIT_FREE; start(v, t); return 1;
    case ACT_CANCEL:
        if (!v->job || job_done(v->job)) return 0;
        job_cancel(v->job);
        snprintf(v->res->err, sizeof v->res->err, "cancelled: the matrices shown are done");
        return 1;
    default: return 0;
    }
}

static int fits_tick(view *vv, tui *t, int *busy)
{
    (void)t;
    fits_view *v = (fits_view *)vv;
    if (!v->job) return 0;
    *busy = !job_done(v->job);
    if (!*busy && v->shown_done) return 0;
    v->shown_done = !*busy;
    return 1;   /* progress moves while rows are fitted */
}

static void fits_destroy(view *vv)
{
    fits_view *v = (fits_view *)vv;
    if (v->job) job_release(v->job);
    else fits_free(v->res);
    free(v->order);
    free(v);
}

static const view_class fits_class = {
    "fits", fits_keys, fits_draw, fits_action, fits_tick, fits_destroy,
};

view *view_fits_new(tui *t)
{
    fits_view *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->base.cls = &fits_class;
    v->K = WS_FIT_K_DEFAULT;
    v->mode = WS_FIT_FREE;
    start(v, t);
    return &v->base;
}
