/* Fits table: the Gaussian fit summary of every 2-D weight matrix of the
 * model, one line per matrix, computed on a worker thread (matrices appear
 * as they finish) and sortable by any column. By default a sample of rows
 * per matrix (evenly spaced, the rows `wscope fit --rows N` fits: the same
 * numbers), all rows on request. */
#include <curses.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "antable.h"
#include "fit.h"
#include "fit_nulls.h"
#include "fit_tables.h"
#include "export.h"
#include "job.h"
#include "tui.h"
#include "view_fits.h"

typedef struct fits_job {
    ws_tensor **mats;
    int n;
    ws_fit_matrix_opts mo;
    ws_fit_summary *sum;     /* n of them; the first `ready` are final */
    double *secs;
    atomic_int ready;
    /* The null baselines, drawn after the fits (sampled rows only): the
     * table reads them once nulls_done is set. */
    ws_fit_nulls *null;      /* n of them */
    atomic_int nulls_done;
    char err[600];
} fits_job;

/* The sizes `r` cycles through (rows per matrix; the first is the default). */
static const int64_t sample_sizes[] = {WS_FIT_ROWS_DEFAULT, 64, 128, 256};

typedef struct fits_view {
    view base;
    tui_job *job;
    fits_job *res;           /* shared with the job while it runs */
    int K;
    ws_fit_mode mode;
    int64_t sample;          /* rows per matrix; 0 = all */
    numtable tab;            /* the summary table of `wscope fit` */
    int shown_ready;         /* matrices in the table (-1: none yet) */
    int shown_running;       /* the job was running when the table was built */
    int shown_done;          /* the finished job has been drawn */
    int shown_nulls;         /* the table has the null baselines */
} fits_view;

static const key_binding fits_keys[] = {
    NUMTABLE_KEYS("open the matrix as a heatmap", NULL),
    {{'S', 0}, "S", ACT_LOG, "reverse the sort order", NULL},
    {{'+', '=', 0}, "+", ACT_ZOOM_IN, "one Gaussian more per row (K+1), refit all", "K+"},
    {{'-', 0}, "-", ACT_ZOOM_OUT, "one Gaussian fewer (K-1), refit all", "K-"},
    {{'m', 0}, "m", ACT_DSMODE, "mode: free (L1) / grid (amplitudes only), refit all", "mode"},
    {{'r', 0}, "r", ACT_ROW, "rows per matrix: 32, 64, 128, 256 (evenly spaced), refit", "rows"},
    {{'a', 0}, "a", ACT_FIT, "fit all rows of every matrix (progress below; x cancels)", "all"},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

/* The null baselines of every fitted matrix (gauss draws shared by shape). */
static void fits_nulls(fits_job *j, ws_fit_result *res, ws_progress *pr)
{
    ws_fit_null_job *jobs = calloc((size_t)j->n + 1, sizeof *jobs);
    ws_null_opts no;
    ws_null_opts_default(&no);
    ws_err e = {{0}};
    for (int i = 0; jobs && i < j->n; i++)
        jobs[i] = (ws_fit_null_job){ws_tensor_f32(j->mats[i], &e), j->mats[i]->rows, j->mats[i]->cols,
                                    j->mats[i]->name, &res[i], &res[i].s};
    if (!jobs || ws_fit_nulls_run(jobs, (size_t)j->n, &j->mo, &no, pr, &e) < 0) {
        if (!ws_cancelled(pr)) snprintf(j->err, sizeof j->err, "null baselines: %s", jobs ? e.msg : "out of memory");
    } else {
        for (int i = 0; i < j->n; i++) j->null[i] = res[i].s.null;
        atomic_store(&j->nulls_done, 1);
    }
    free(jobs);
}

static void fits_run(void *p, ws_progress *pr)
{
    fits_job *j = p;
    size_t total = 0;
    for (int i = 0; i < j->n; i++) {
        int64_t r = j->mats[i]->rows;
        total += (size_t)(j->mo.sample > 0 && j->mo.sample < r ? j->mo.sample : r);
    }
    atomic_store(&pr->total, total);
    ws_fit_result *res = calloc((size_t)j->n + 1, sizeof *res);
    if (!res) { snprintf(j->err, sizeof j->err, "out of memory"); return; }
    int i = 0;
    for (; i < j->n && !ws_cancelled(pr); i++) {
        ws_err e = {{0}};
        const float *W = ws_tensor_f32(j->mats[i], &e);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (!W || ws_fit_matrix(W, j->mats[i]->rows, j->mats[i]->cols, &j->mo, &res[i], pr, &e) < 0) {
            if (!ws_cancelled(pr))
                snprintf(j->err, sizeof j->err, "%s: %s", j->mats[i]->name, e.msg);
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        j->sum[i] = res[i].s;
        j->secs[i] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        atomic_store(&j->ready, i + 1);
    }
    /* the nulls refit every sampled row 2N times: not for all rows */
    if (i == j->n && j->mo.sample > 0 && !ws_cancelled(pr)) fits_nulls(j, res, pr);
    for (int k = 0; k < i; k++) ws_fit_result_free(&res[k]);
    free(res);
}

static void fits_free(void *p)
{
    fits_job *j = p;
    if (!j) return;
    free(j->mats);
    free(j->sum);
    free(j->secs);
    free(j->null);
    free(j);
}

static int pending_dim(const void *ctx, int row)
{
    return row >= *(const int *)ctx ? CB_DIM : 0;
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
        !(j->sum = calloc(n + 1, sizeof *j->sum)) || !(j->secs = calloc(n + 1, sizeof *j->secs)) ||
        !(j->null = calloc(n + 1, sizeof *j->null))) {
        fits_free(j);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (ws_tensor_is_weight_matrix(&t->model->tensors[i]))
            j->mats[j->n++] = &t->model->tensors[i];
    ws_fit_matrix_opts_default(&j->mo);
    j->mo.fit.K = v->K;
    j->mo.mode = v->mode;
    j->mo.sample = v->sample;
    v->res = j;
    v->shown_done = 0;
    v->shown_ready = -1;
    v->tab.row_attrs = pending_dim;
    v->tab.ctx = &v->shown_ready;
    v->job = job_start(fits_run, j, fits_free);
    if (!v->job) snprintf(j->err, sizeof j->err, "cannot start a worker thread");
    char rows[48];
    if (v->sample > 0) snprintf(rows, sizeof rows, "%lld rows per matrix", (long long)v->sample);
    else snprintf(rows, sizeof rows, "all rows");
    snprintf(v->base.title, sizeof v->base.title, "%d matrices, K=%d, %s, %s", j->n, v->K,
             v->mode == WS_FIT_FREE ? "free" : "grid", rows);
}

/* The summary table of the finished matrices, then the others with their
 * state, for the widget. */
static ws_table *build_table(fits_job *j, const tui *tu, int ready, int running)
{
    static const ws_col state = {"state", "state", WS_COL_STR, NULL, "",
                                 "empty when fitted, else fitting now or waiting for its turn", WS_MORE_NONE, 0};
    ws_fit_table_opts o = {1, 0, 1, 0};
    ws_table *t = ws_fit_summary_table(&o);
    int c_state = t ? ws_table_add_col(t, &state) : -1;
    int nulls = atomic_load(&j->nulls_done);
    for (int i = 0; c_state >= 0 && i < j->n; i++) {
        ws_fit_summary s = j->sum[i];
        if (nulls) s.null = j->null[i];
        int rc = i < ready ? ws_fit_summary_add(t, j->mats[i], &s, NULL, j->secs[i]) : 0;
        if (i >= ready) {
            ws_fit_summary pending = {.rows = j->mats[i]->rows, .cols = j->mats[i]->cols, .K = j->mo.fit.K,
                                      .mode = j->mo.mode, .r2 = NAN, .r2_median = NAN, .mse = NAN,
                                      .compression = NAN, .centre_linearity = NAN, .centre_ev_r = NAN};
            rc = ws_fit_summary_add(t, j->mats[i], &pending, NULL, NAN);
            int row = ws_table_nrows(t) - 1;
            ws_table_str(t, row, c_state, i == ready && running ? "fitting" : "waiting");
            for (int c = 0; c < c_state; c++)   /* counts of a fit not done are empty too */
                if (ws_table_col_desc(t, c)->kind == WS_COL_INT && strcmp(ws_table_col_name(t, c), "layer"))
                    ws_table_num(t, row, c, NAN);
        }
        if (rc < 0)
            c_state = -1;
        else
            tui_table_name(t, tu, i, j->mats[i]);
    }
    if (c_state < 0) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}

static const char *const fits_hide[] = {"fitted", "K", "mode", NULL};

static void fits_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    fits_view *v = (fits_view *)vv;
    fits_job *j = v->res;
    if (!j) { cb_text(cb, body.y, body.x, body.w, "out of memory", CB_BOLD); return; }
    int ready = atomic_load(&j->ready), running = v->job && !job_done(v->job), nulls = atomic_load(&j->nulls_done);
    /* rebuilt when a matrix is done, and when the job stops (a cancelled
     * one leaves no row reading "fitting") */
    if (ready != v->shown_ready || running != v->shown_running || nulls != v->shown_nulls || !v->tab.t) {
        if (numtable_set(&v->tab, build_table(j, t, ready, running), fits_hide, 2) < 0 || !v->tab.t) {
            cb_text(cb, body.y, body.x, body.w, "out of memory", CB_BOLD);
            return;
        }
        v->shown_ready = ready;
        v->shown_running = running;
        v->shown_nulls = nulls;
    }
    numtable_draw(&v->tab, cb, body, &t->style);
    if (j->err[0]) {
        cb_text(cb, info.y, info.x, info.w, j->err, CB_BOLD);
    } else if (running) {
        tui_draw_progress(cb, info.y, info.x, info.w, ready < j->n ? "fitting rows" : "null baselines",
                          job_fraction(v->job));
    } else {
        int c = v->tab.sort_col;
        char rows[48];
        if (v->sample > 0) snprintf(rows, sizeof rows, "%lld evenly spaced rows each", (long long)v->sample);
        else snprintf(rows, sizeof rows, "all rows; no null baselines");
        cb_printf(cb, info.y, info.x, info.w, 0, "%d of %d matrices fitted (%s); sorted by %s%s", ready, j->n,
                  rows, c < 0 ? "model order" : ws_table_col_desc(v->tab.t, c)->title,
                  c < 0 ? "" : v->tab.desc ? " (descending)" : " (ascending)");
    }
}

static int fits_action(view *vv, tui *t, ws_action a)
{
    fits_view *v = (fits_view *)vv;
    int row = numtable_selected(&v->tab);
    switch (a) {
    case ACT_OPEN:
        if (v->res && row >= 0 && row < v->res->n)
            tui_push(t, view_matrix_new(t, v->res->mats[row]));
        return 1;
    case ACT_EXPORT: tui_export_bars(t, v->tab.t, numtable_column(&v->tab)); return 1;
    case ACT_LOG:
        if (v->tab.sort_col < 0) return 0;
        numtable_sort(&v->tab, v->tab.sort_col, !v->tab.desc);
        return 1;
    case ACT_ZOOM_IN: if (v->K < WS_FIT_KMAX) v->K++; start(v, t); return 1;
    case ACT_ZOOM_OUT: if (v->K > 1) v->K--; start(v, t); return 1;
    case ACT_DSMODE: v->mode = v->mode == WS_FIT_FREE ? WS_FIT_MODE_GRID : WS_FIT_FREE; start(v, t); return 1;
    case ACT_ROW: {
        size_t i = 0, n = sizeof sample_sizes / sizeof *sample_sizes;
        while (i < n && sample_sizes[i] != v->sample) i++;
        v->sample = sample_sizes[i < n ? (i + 1) % n : 0];
        start(v, t);
        return 1;
    }
    case ACT_FIT: v->sample = 0; start(v, t); return 1;
    case ACT_CANCEL:
        if (!v->job || job_done(v->job)) return 0;
        job_cancel(v->job);
        snprintf(v->res->err, sizeof v->res->err, "cancelled: the matrices shown are done");
        return 1;
    default: return numtable_action(&v->tab, a);
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
    numtable_free(&v->tab);
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
    numtable_init(&v->tab);
    v->K = WS_FIT_K_DEFAULT;
    v->mode = WS_FIT_FREE;
    v->sample = WS_FIT_ROWS_DEFAULT;
    start(v, t);
    return &v->base;
}
