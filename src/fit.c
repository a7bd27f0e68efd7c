/* Gaussian fits: one row, and all (or a sample of) the rows of a matrix in
 * parallel. The LM itself is in fit_lm.c, the grid solve in fit_grid.c, the
 * L2 fit in fit_l2.c, the per-matrix summary in fit_summary.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "fit_internal.h"
#include "fit_lm.h"
#include "fit_measures.h"
#include "fit_predict.h"

static int check_k(int K, ws_err *e)
{
    if (K < 1 || K > WS_FIT_KMAX) return ws_fail(e, "K must be 1..%d, not %d", WS_FIT_KMAX, K);
    return 0;
}

int ws_fit_row_l1_d(const double *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, ws_err *e)
{
    if (check_k(o->K, e) < 0) return -1;
    if (n < 1) return ws_fail(e, "empty row");
    double *work = malloc(sizeof(double) * ws_lm_work_size(n, o->K));
    if (!work) return ws_fail(e, "out of memory");
    ws_lm_fit(w, n, o, out, work);
    free(work);
    return 0;
}

int ws_fit_row_l1(const float *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, ws_err *e)
{
    if (n < 1) return ws_fail(e, "empty row");
    double *wd = malloc(sizeof(double) * (size_t)n);
    if (!wd) return ws_fail(e, "out of memory");
    for (int64_t j = 0; j < n; j++) wd[j] = w[j];
    int rc = ws_fit_row_l1_d(wd, n, o, out, e);
    free(wd);
    return rc;
}

void ws_fit_eval(const ws_fit_row *f, int64_t n, double *out)
{
    double *g = malloc(sizeof(double) * (size_t)n);
    memset(out, 0, sizeof(double) * (size_t)n);
    if (!g) return;
    for (int k = 0; k < f->K; k++) {
        double s = f->sigma[k] > WS_FIT_SIGMA_MIN ? f->sigma[k] : WS_FIT_SIGMA_MIN;
        if (!isfinite(f->A[k]) || !isfinite(f->mu[k]) || !isfinite(s)) continue;
        ws_gauss_fill(n, f->mu[k], s, g);
        for (int64_t j = 0; j < n; j++) out[j] += f->A[k] * g[j];
    }
    free(g);
}

int64_t ws_fit_sample_rows(int64_t rows, int64_t m, int64_t *idx)
{
    if (m <= 0 || m >= rows) {
        for (int64_t i = 0; i < rows; i++) idx[i] = i;
        return rows > 0 ? rows : 0;
    }
    /* i·rows/m is strictly increasing in i when m < rows, so no duplicates. */
    for (int64_t i = 0; i < m; i++) idx[i] = (int64_t)((double)i * (double)rows / (double)m + 0.5);
    return m;
}

void ws_fit_matrix_opts_default(ws_fit_matrix_opts *o)
{
    memset(o, 0, sizeof *o);
    ws_fit_opts_default(&o->fit, WS_FIT_K_DEFAULT);
    o->mode = WS_FIT_FREE;
    o->level = 1;
    o->G = WS_FIT_G_DEFAULT;
    ws_fit_predict_opts_default(&o->predict);
}

typedef struct free_job {
    const float *W;
    int64_t n;
    const ws_fit_opts *o;
    const int64_t *idx;
    ws_fit_row *rows;
    double *work;            /* per thread */
    size_t work_len;
    ws_progress *p;
} free_job;

static void free_rows(size_t begin, size_t end, int tid, void *user)
{
    const free_job *j = user;
    double *work = j->work + (size_t)tid * j->work_len, *wd = work + j->work_len - (size_t)j->n;
    for (size_t i = begin; i < end; i++) {
        if (ws_cancelled(j->p)) return;
        const float *w = j->W + j->idx[i] * j->n;
        for (int64_t c = 0; c < j->n; c++) wd[c] = w[c];
        ws_lm_fit(wd, j->n, j->o, &j->rows[i], work);
        ws_progress_add(j->p, 1);
    }
}

static int fit_free(const float *W, int64_t n, const ws_fit_matrix_opts *o, ws_fit_result *r,
                    ws_progress *p, ws_err *e)
{
    int threads = o->threads > 0 ? o->threads : ws_ncores();
    if (threads > 64) threads = 64;
    size_t len = ws_lm_work_size(n, o->fit.K) + (size_t)n;
    double *work = malloc(sizeof(double) * len * (size_t)threads);
    if (!work) return ws_fail(e, "out of memory");
    free_job j = {.W = W, .n = n, .o = &o->fit, .idx = r->row_index, .rows = r->rows,
                  .work = work, .work_len = len, .p = p};
    /* Small chunks: rows differ a lot in cost (a few iterations to maxfev). */
    int rc = ws_parallel_for((size_t)r->s.fitted, 8, threads, free_rows, &j, p);
    free(work);
    return rc < 0 ? ws_fail(e, "cancelled") : 0;
}

/* Grid mode: solve every fitted row at once, then fill the per-row records. */
static int fit_grid(const float *W, int64_t n, const ws_fit_matrix_opts *o, ws_fit_result *r,
                    ws_progress *p, ws_err *e)
{
    int K = o->fit.K;
    int64_t m = r->s.fitted;
    float *Ws = NULL;
    const float *src = W;
    if (m < r->s.rows) {   /* a sample: gather its rows first */
        Ws = malloc(sizeof(float) * (size_t)(m * n) + 1);
        if (!Ws) return ws_fail(e, "out of memory");
        for (int64_t i = 0; i < m; i++)
            memcpy(Ws + i * n, W + r->row_index[i] * n, sizeof(float) * (size_t)n);
        src = Ws;
    }
    double *A = malloc(sizeof(double) * (size_t)(m * K) + 1);
    double *sse = malloc(sizeof(double) * (size_t)m + 1), *sst = malloc(sizeof(double) * (size_t)m + 1);
    int rc = -1;
    if (!A || !sse || !sst) { ws_fail(e, "out of memory"); goto out; }
    if (ws_grid_fit_rows(src, m, n, K, o->centres, A, sse, sst, p, e) < 0) goto out;
    for (int64_t i = 0; i < m; i++) {
        ws_fit_row *f = &r->rows[i];
        memset(f, 0, sizeof *f);
        f->K = K;
        for (int k = 0; k < K; k++) {
            f->A[k] = A[i * K + k];
            f->mu[k] = ws_grid_mu(n, K, k, o->centres);
            f->sigma[k] = ws_grid_sigma(n, K);
        }
        f->sse = sse[i], f->sst = sst[i];
        f->status = !isfinite(sse[i]) ? WS_FIT_NONFINITE : sst[i] == 0 ? WS_FIT_CONSTANT : WS_FIT_GRID;
        if (f->status == WS_FIT_CONSTANT && sse[i] == 0) {
            /* all-zero row (a nonzero constant leaves a residual) */
            f->status = WS_FIT_ZERO;
        }
        f->mse = f->status == WS_FIT_NONFINITE ? NAN : sse[i] / (double)n;
        f->r2 = f->status == WS_FIT_GRID ? 1 - sse[i] / sst[i] : NAN;
    }
    rc = 0;
out:
    free(Ws);
    free(A);
    free(sse);
    free(sst);
    return rc;
}

int ws_fit_matrix(const float *W, int64_t rows, int64_t n, const ws_fit_matrix_opts *o,
                  ws_fit_result *out, ws_progress *p, ws_err *e)
{
    memset(out, 0, sizeof *out);
    if (check_k(o->fit.K, e) < 0) return -1;
    if (rows < 1 || n < 1) return ws_fail(e, "nothing to fit: %lld × %lld", (long long)rows, (long long)n);
    if (o->mode == WS_FIT_MODE_GRID && n < o->fit.K)
        return ws_fail(e, "grid fit: %lld columns are fewer than K = %d", (long long)n, o->fit.K);
    out->row_index = malloc(sizeof(int64_t) * (size_t)rows);
    out->rows = calloc((size_t)rows, sizeof(ws_fit_row));
    if (!out->row_index || !out->rows) {
        ws_fit_result_free(out);
        return ws_fail(e, "out of memory");
    }
    ws_fit_summary *s = &out->s;
    s->rows = rows, s->cols = n, s->K = o->fit.K, s->mode = o->mode;
    s->fitted = ws_fit_sample_rows(rows, o->sample, out->row_index);
    if (p && atomic_load(&p->total) == 0) atomic_store(&p->total, (size_t)s->fitted);
    int rc = o->mode == WS_FIT_MODE_GRID ? fit_grid(W, n, o, out, p, e) : fit_free(W, n, o, out, p, e);
    if (rc == 0 && o->level >= 2 && o->mode == WS_FIT_FREE)
        rc = ws_fit_l2_run(W, n, o, out, e);
    if (rc < 0) {
        ws_fit_result_free(out);
        return -1;
    }
    ws_fit_summarise(out, o->eig, o->n_eig);
    ws_fit_measure(out, o->eig, o->n_eig, &out->s.m);
    rc = ws_fit_predict_run(W, rows, n, out, o->spec, &o->predict, &out->s.pred, e);
    if (rc < 0) ws_fit_result_free(out);
    return rc;
}

void ws_fit_result_free(ws_fit_result *r)
{
    free(r->row_index);
    free(r->rows);
    free(r->l2);
    r->row_index = NULL, r->rows = NULL, r->l2 = NULL;
}
