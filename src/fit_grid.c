/* Grid fit: μ and σ fixed, amplitudes of every row by linear least squares.
 *
 * With G the K × n grid basis, the amplitudes of a row w are a = P w with
 * P = pinv(Gᵀ) = (G Gᵀ)⁻¹ G. P is built once from a QR factorisation of Gᵀ
 * (Gᵀ = Q R, Pᵀ = Q R⁻ᵀ), which is as accurate as numpy's lstsq even when
 * the overlapping grid Gaussians make G Gᵀ ill-conditioned. Then one GEMM
 * per block of rows, in double precision, gives both a = P w and b = G w;
 * the residual follows as SSE = ‖w‖² − aᵀb (a solves G Gᵀ a = b). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "fit_lm.h"

const char *ws_grid_centres_name(ws_grid_centres c) { return c == WS_GRID_LINSPACE ? "linspace" : "inner"; }

int ws_grid_centres_parse(const char *s, ws_grid_centres *out)
{
    if (!strcmp(s, "inner")) *out = WS_GRID_INNER;
    else if (!strcmp(s, "linspace")) *out = WS_GRID_LINSPACE;
    else return -1;
    return 0;
}

void ws_grid_basis(int64_t n, int K, ws_grid_centres c, double *G)
{
    for (int k = 0; k < K; k++)
        ws_gauss_fill(n, ws_grid_mu(n, K, k, c), ws_grid_sigma(n, K), G + (int64_t)k * n);
}

/* G (K × n) and the QR factorisation Gᵀ = Q R: Q (n × K, row-major,
 * explicit) and R (K × K, upper, row-major). */
static int grid_qr(int64_t n, int K, ws_grid_centres c, double *G, double *Q, double *R, ws_err *e)
{
    double tau[WS_FIT_KMAX];
    ws_grid_basis(n, K, c, G);
    for (int64_t j = 0; j < n; j++)
        for (int k = 0; k < K; k++) Q[j * K + k] = G[k * n + j];
    if (LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (int)n, K, Q, K, tau) != 0)
        return ws_fail(e, "grid fit: QR of the basis failed");
    for (int i = 0; i < K; i++)
        for (int k = 0; k < K; k++) R[i * K + k] = k >= i ? Q[i * K + k] : 0;
    for (int k = 0; k < K; k++)
        if (!(fabs(R[k * K + k]) > 1e-13 * fabs(R[0])))
            return ws_fail(e, "grid fit: the %d grid Gaussians are linearly dependent on %lld columns",
                           K, (long long)n);
    if (LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (int)n, K, K, Q, K, tau) != 0)
        return ws_fail(e, "grid fit: forming Q failed");
    return 0;
}

int ws_grid_r(int64_t n, int K, ws_grid_centres c, double *R, float *Pt, ws_err *e)
{
    if (K < 1 || K > WS_FIT_KMAX || n < K)
        return ws_fail(e, "grid fit: K = %d on %lld columns", K, (long long)n);
    double *G = malloc(sizeof(double) * (size_t)(n * K));
    double *Q = malloc(sizeof(double) * (size_t)(n * K));
    int rc = G && Q ? grid_qr(n, K, c, G, Q, R, e) : ws_fail(e, "out of memory");
    if (rc == 0 && Pt) {
        /* Pᵀ = Q R⁻ᵀ: solve X Rᵀ = Q. */
        cblas_dtrsm(CblasRowMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, (int)n, K, 1.0,
                    R, K, Q, K);
        for (int64_t i = 0; i < n * K; i++)
            Pt[i] = (float)Q[i];
    }
    free(G);
    free(Q);
    return rc;
}

/* C (n × 2K, row-major) = [Gᵀ | Pᵀ]. */
static int grid_operator(int64_t n, int K, ws_grid_centres c, double *C, ws_err *e)
{
    double *G = malloc(sizeof(double) * (size_t)(n * K));
    double *Q = malloc(sizeof(double) * (size_t)(n * K));
    double R[WS_FIT_KMAX * WS_FIT_KMAX];
    int rc = -1;
    if (!G || !Q) { ws_fail(e, "out of memory"); goto out; }
    if (grid_qr(n, K, c, G, Q, R, e) < 0) goto out;
    /* Pᵀ = Q R⁻ᵀ: solve X Rᵀ = Q. */
    cblas_dtrsm(CblasRowMajor, CblasRight, CblasUpper, CblasTrans, CblasNonUnit, (int)n, K, 1.0,
                R, K, Q, K);
    for (int64_t j = 0; j < n; j++)
        for (int k = 0; k < K; k++) {
            C[j * 2 * K + k] = G[k * n + j];
            C[j * 2 * K + K + k] = Q[j * K + k];
        }
    rc = 0;
out:
    free(G);
    free(Q);
    return rc;
}

enum { GRID_BLOCK = 64 };   /* rows per GEMM */

typedef struct grid_job {
    const float *W;
    int64_t n;
    int K;
    const double *C;
    double *A, *sse, *sst;
    double *buf;             /* per thread: GRID_BLOCK·(n + 2K) doubles */
    ws_progress *p;
} grid_job;

static void grid_rows(size_t begin, size_t end, int tid, void *user)
{
    const grid_job *g = user;
    int64_t n = g->n, m = (int64_t)(end - begin);
    int K = g->K;
    double *Wd = g->buf + (size_t)tid * GRID_BLOCK * (size_t)(n + 2 * K);
    double *AB = Wd + GRID_BLOCK * n;
    double ww[GRID_BLOCK], sst[GRID_BLOCK];
    int finite[GRID_BLOCK];
    for (int64_t i = 0; i < m; i++) {
        const float *w = g->W + ((int64_t)begin + i) * n;
        double s = 0, s2 = 0;
        finite[i] = 1;
        for (int64_t j = 0; j < n; j++) {
            double v = w[j];
            if (!isfinite(v)) finite[i] = 0, v = 0;
            Wd[i * n + j] = v;
            s += v;
        }
        double mean = s / (double)n, c = 0;
        for (int64_t j = 0; j < n; j++) {
            double v = Wd[i * n + j];
            s2 += v * v;
            c += (v - mean) * (v - mean);
        }
        ww[i] = s2, sst[i] = c;
    }
    /* AB (m × 2K) = Wd (m × n) · C (n × 2K): columns 0..K−1 are G w, K..2K−1 are P w. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, 2 * K, (int)n, 1.0, Wd, (int)n,
                g->C, 2 * K, 0.0, AB, 2 * K);
    for (int64_t i = 0; i < m; i++) {
        int64_t r = (int64_t)begin + i;
        const double *b = AB + i * 2 * K, *a = b + K;
        double ab = 0;
        for (int k = 0; k < K; k++) {
            ab += a[k] * b[k];
            if (g->A) g->A[r * K + k] = finite[i] ? a[k] : 0;
        }
        double sse = ww[i] - ab;
        if (sse < 0) sse = 0;   /* rounding when the row lies in the span */
        if (g->sse) g->sse[r] = finite[i] ? sse : NAN;
        if (g->sst) g->sst[r] = finite[i] ? sst[i] : NAN;
    }
    ws_progress_add(g->p, (size_t)m);
}

int ws_grid_fit_rows(const float *W, int64_t rows, int64_t n, int K, ws_grid_centres c, double *A_out,
                     double *sse, double *sst, ws_progress *p, ws_err *e)
{
    if (K < 1 || K > WS_FIT_KMAX) return ws_fail(e, "K must be 1..%d, not %d", WS_FIT_KMAX, K);
    if (n < K) return ws_fail(e, "grid fit: %lld columns are fewer than K = %d", (long long)n, K);
    if (n > INT32_MAX || rows < 0) return ws_fail(e, "grid fit: matrix too large");
    int threads = ws_ncores();
    double *C = malloc(sizeof(double) * (size_t)(n * 2 * K));
    double *buf = malloc(sizeof(double) * (size_t)threads * GRID_BLOCK * (size_t)(n + 2 * K));
    int rc = -1;
    if (!C || !buf) { ws_fail(e, "out of memory"); goto out; }
    if (grid_operator(n, K, c, C, e) < 0) goto out;
    grid_job g = {.W = W, .n = n, .K = K, .C = C, .A = A_out, .sse = sse, .sst = sst, .buf = buf,
                  .p = p};
    if (ws_parallel_for((size_t)rows, GRID_BLOCK, threads, grid_rows, &g, p) < 0) {
        ws_fail(e, "cancelled");
        goto out;
    }
    rc = 0;
out:
    free(C);
    free(buf);
    return rc;
}

int ws_grid_fit(const float *W, int64_t rows, int64_t n, int K, ws_grid_centres c, float *A_out, double *r2_out,
                ws_err *e)
{
    size_t nr = rows > 0 ? (size_t)rows : 0;
    double *A = malloc(sizeof(double) * (nr * (size_t)K + 1));
    double *sse = malloc(sizeof(double) * (nr + 1)), *sst = malloc(sizeof(double) * (nr + 1));
    int rc = -1;
    if (!A || !sse || !sst) { ws_fail(e, "out of memory"); goto out; }
    if (ws_grid_fit_rows(W, rows, n, K, c, A, sse, sst, NULL, e) < 0) goto out;
    double se = 0, st = 0;
    for (size_t i = 0; i < nr; i++) {
        for (int k = 0; k < K; k++) A_out[i * (size_t)K + (size_t)k] = (float)A[i * (size_t)K + (size_t)k];
        if (isfinite(sse[i])) se += sse[i], st += sst[i];
    }
    if (r2_out) *r2_out = st > 0 ? 1 - se / st : (se > 0 ? 0 : 1);
    rc = 0;
out:
    free(A);
    free(sse);
    free(sst);
    return rc;
}
