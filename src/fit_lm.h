/* Internal to the fits: the Levenberg–Marquardt row fitter with a caller's
 * workspace, so a matrix fit allocates once per thread, not once per row. */
#ifndef WS_FIT_LM_H
#define WS_FIT_LM_H

#include <stddef.h>
#include "fit.h"

/* Doubles of workspace ws_lm_fit needs for a row of length n. */
size_t ws_lm_work_size(int64_t n, int K);

/* Fit one row (o->K checked by the caller). Never fails: degenerate rows get
 * their status. `work` holds ws_lm_work_size(n, K) doubles. */
void ws_lm_fit(const double *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, double *work);

/* g[j] = exp(−(j − mu)² / (2 sigma²)), j = 0..n−1, by a multiplicative
 * recurrence from the centre outwards (three exp() per Gaussian); exactly 0
 * outside the support below. */
void ws_gauss_fill(int64_t n, double mu, double sigma, double *g);

/* The Gaussian and its derivatives in μ, σ are below 1e-17 of their peak
 * more than WS_GAUSS_SUPPORT σ from μ: the columns [lo, hi) inside. */
#define WS_GAUSS_SUPPORT 9.0
void ws_gauss_support(int64_t n, double mu, double sigma, int64_t *lo, int64_t *hi);

/* Solve the SPD system M x = b (m × m, row-major, M overwritten by its
 * Cholesky factor, b by x). Returns -1 when M is not positive definite. */
int ws_chol_solve(int m, double *M, double *b);

#endif
