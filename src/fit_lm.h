/* Internal to the fits: the Levenberg–Marquardt core (fit_lm.c) and the
 * search over starts and moves that drives it (fit_search.c), with a
 * caller's workspace, so a matrix fit allocates once per thread, not once
 * per row. */
#ifndef WS_FIT_LM_H
#define WS_FIT_LM_H

#include <stddef.h>
#include "fit.h"

/* Doubles of workspace ws_lm_fit needs for a row of length n. */
size_t ws_lm_work_size(int64_t n, int K);

/* Fit one row (o->K checked by the caller): the search of fit_search.c.
 * Never fails: degenerate rows get their status. `work` holds
 * ws_lm_work_size(n, K) doubles. */
void ws_lm_fit(const double *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, double *work);

/* One row's problem: the data, the box, and the buffers of the current
 * and the trial point (swapped on acceptance) in the workspace. */
typedef struct ws_lm {
    int64_t n;
    int K, P;                        /* P = 3K parameters x = (A_0, μ_0, σ_0, A_1, ...) */
    const double *w;
    double scale;                    /* max |w[j]|: the amplitude bound's unit */
    double lo[3 * WS_FIT_KMAX], hi[3 * WS_FIT_KMAX];
    double *g, *gt;                  /* the K Gaussians at the point and at the trial (K·n each) */
    double *J;                       /* the Jacobian (3K·n) */
    double *r, *rt;                  /* residuals w − model at the point and at the trial */
    double *sr, *sc;                 /* the search's residual and its correlations (n each) */
    double *tab;                     /* the search's Gaussian profiles (ws_scan_table_size) */
} ws_lm;

/* Doubles of the search's table of Gaussian profiles for rows of length n
 * (fit_search.c; part of ws_lm_work_size). */
size_t ws_scan_table_size(int64_t n);

/* Set up S for row w (n values, K components) in `work`: the box is
 * |A| ≤ amp_bound·max|w| (none when amp_bound ≤ 0), μ ∈ [0, n−1],
 * σ ∈ [WS_FIT_SIGMA_MIN, WS_FIT_SIGMA_MAX_FACTOR·n]. */
void ws_lm_setup(ws_lm *S, const double *w, int64_t n, int K, double amp_bound, double *work);
/* Clamp x into the box. */
void ws_lm_project(const ws_lm *S, double *x);
/* One LM run from x (in the box) until a stopping rule of o; x, its SSE
 * and the counters are updated in place. Returns converged or maxfev. */
ws_fit_status ws_lm_run(ws_lm *S, const ws_fit_opts *o, double *x, double *sse_io, int *nfev_io,
                        int *iters_io);

/* g[j] = exp(−(j − mu)² / (2 sigma²)), j = 0..n−1, by a multiplicative
 * recurrence from the centre outwards (three exp() per Gaussian); exactly 0
 * outside the support below. */
void ws_gauss_fill(int64_t n, double mu, double sigma, double *g);

/* The Gaussian and its derivatives in μ, σ are below 1e-17 of their peak
 * more than WS_GAUSS_SUPPORT σ from μ: the columns [lo, hi) inside. */
#define WS_GAUSS_SUPPORT 9.0
void ws_gauss_support(int64_t n, double mu, double sigma, int64_t *lo, int64_t *hi);

/* Solve the SPD system M x = b (m × m, row-major; M is overwritten, its
 * upper triangle by the Cholesky factor U, M = UᵀU; b by x). Returns -1
 * when M is not positive definite. */
int ws_chol_solve(int m, double *M, double *b);

#endif
