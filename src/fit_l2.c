/* L2 fit: each of the 3K L1 parameter signals (A_k, μ_k, σ_k as functions of
 * the position i = 0..m−1 among the m fitted rows) is fitted by G Gaussians
 * with the same LM fitter. Then L1 is rebuilt from L2 and every row from
 * the rebuilt L1, and R² is measured at both levels.
 *
 * A signal that cannot be fitted is rebuilt as its exact mean when it is
 * constant (R² 1) and as zeros otherwise (too short, m < 3G: R² ≤ 0), so
 * the reconstruction always exists and is honest about the failure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_internal.h"
#include "fit_lm.h"

typedef struct l2_job {
    const ws_fit_result *r;
    int64_t m;
    ws_fit_opts o;
    ws_fit_l2 *l2;
    double *sig;      /* 3K × m: the L1 signals, overwritten by their rebuilds */
    double *work;     /* per thread */
    size_t work_len;
} l2_job;

static void l2_signal(size_t begin, size_t end, int tid, void *user)
{
    const l2_job *j = user;
    int64_t m = j->m;
    double *work = j->work + (size_t)tid * j->work_len;
    for (size_t p = begin; p < end; p++) {
        double *s = j->sig + p * (size_t)m;
        ws_fit_row *f = &j->l2->sig[p];
        ws_lm_fit(s, m, &j->o, f, work);
        if (ws_fit_status_fitted(f->status)) {
            ws_fit_eval(f, m, s);
        } else if (f->status == WS_FIT_CONSTANT || f->status == WS_FIT_ZERO) {
            f->r2 = 1;   /* kept exactly: s stays as it is */
        } else {
            memset(s, 0, sizeof(double) * (size_t)m);
            f->r2 = 0;
        }
    }
}

/* Pooled R² of the rows rebuilt from the rebuilt L1 parameters, and their
 * MSE (Σ SSE over the rows' values). */
static double rows_r2(const float *W, int64_t n, const ws_fit_result *r, const double *sig,
                      double *buf, double *mse)
{
    int K = r->s.K;
    int64_t m = r->s.fitted;
    double sse = 0, sst = 0;
    int64_t used = 0;
    for (int64_t i = 0; i < m; i++) {
        const ws_fit_row *f = &r->rows[i];
        if (!isfinite(f->sst) || f->sst == 0) continue;
        used++;
        ws_fit_row g = {.K = K};
        for (int k = 0; k < K; k++) {
            g.A[k] = sig[(3 * k) * m + i];
            g.mu[k] = sig[(3 * k + 1) * m + i];
            g.sigma[k] = sig[(3 * k + 2) * m + i];
        }
        ws_fit_eval(&g, n, buf);
        const float *w = W + r->row_index[i] * n;
        for (int64_t c = 0; c < n; c++) sse += (w[c] - buf[c]) * (w[c] - buf[c]);
        sst += f->sst;
    }
    *mse = used ? sse / ((double)used * (double)n) : NAN;
    return sst > 0 ? 1 - sse / sst : 0;
}

int ws_fit_l2_run(const float *W, int64_t n, const ws_fit_matrix_opts *o, ws_fit_result *r, ws_err *e)
{
    int K = r->s.K, G = o->G > 0 ? o->G : WS_FIT_G_DEFAULT, P = 3 * K;
    int64_t m = r->s.fitted;
    if (G > WS_FIT_KMAX) return ws_fail(e, "L2: G must be 1..%d, not %d", WS_FIT_KMAX, G);
    int threads = ws_ncores() < P ? ws_ncores() : P;
    if (threads > 64) threads = 64;
    l2_job j = {.r = r, .m = m, .work_len = ws_lm_work_size(m, G)};
    ws_fit_opts_default(&j.o, G);
    j.l2 = calloc(1, sizeof *j.l2);
    j.sig = malloc(sizeof(double) * (size_t)(P * m));
    j.work = malloc(sizeof(double) * j.work_len * (size_t)threads);
    double *buf = malloc(sizeof(double) * (size_t)n);
    int rc = -1;
    if (!j.l2 || !j.sig || !j.work || !buf) { ws_fail(e, "out of memory"); goto out; }
    for (int64_t i = 0; i < m; i++)
        for (int k = 0; k < K; k++) {
            j.sig[(3 * k) * m + i] = r->rows[i].A[k];
            j.sig[(3 * k + 1) * m + i] = r->rows[i].mu[k];
            j.sig[(3 * k + 2) * m + i] = r->rows[i].sigma[k];
        }
    ws_parallel_for((size_t)P, 1, threads, l2_signal, &j, NULL);
    ws_fit_l2 *l2 = j.l2;
    l2->G = G, l2->K = K, l2->len = m;
    double r2 = 0;
    for (int p = 0; p < P; p++) r2 += l2->sig[p].r2;
    l2->r2_params = r2 / P;
    l2->r2_rows = rows_r2(W, n, r, j.sig, buf, &l2->mse);
    /* Over the whole matrix, not the fitted rows: L2's 9KG parameters
     * stand for every row. */
    l2->compression = (double)r->s.rows * (double)n / (9.0 * K * G);
    r->l2 = l2;
    j.l2 = NULL;
    rc = 0;
out:
    free(j.l2);
    free(j.sig);
    free(j.work);
    free(buf);
    return rc;
}
