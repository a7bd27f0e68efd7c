/* Amplitude structure (DESIGN.md §3): from a grid fit with K Gaussians
 * (default 8), the amplitude matrix A (rows × K) of a weight matrix, and
 *   PR out of K, PC1 share, components for 95 %   (pr.h, on the centred
 *     covariance of A's rows: np.cov(A, rowvar=False)),
 *   max |corr|  = largest |Pearson correlation| between two different
 *     amplitude columns (columns with zero variance are skipped),
 *   kurtosis    = excess (Fisher) kurtosis of all rows·K amplitudes,
 *     population moments: m₄/m₂² − 3 (scipy.stats.kurtosis defaults).
 *   max_corr_p  = its p-value against no correlation (ttest.h's Pearson p
 *     over `rows` pairs, Bonferroni over the k(k−1)/2 pairs). The grid's
 *     Gaussians overlap, so white-noise rows give correlated amplitudes
 *     (max |corr| near 0.96 at K=8): the null baselines are the comparison
 *     that matters; the p-value tests only "not zero".
 * Globally: the same over the rows of every matrix's A stacked. */
#ifndef WS_AMP_H
#define WS_AMP_H

#include <stdint.h>

#include "astatus.h"
#include "error.h"
#include "fit.h"

#define WS_AMP_K_DEFAULT 8
#define WS_AMP_K_MAX 16

typedef struct ws_amp {
    ws_astatus status;   /* numbers NaN unless WS_AS_OK */
    int k;
    int64_t rows;
    double pr, pc1;
    int comps95;
    double max_corr, kurtosis;
    double max_corr_p;   /* two-sided Pearson p of max_corr over `rows` pairs, times the
                          * k(k−1)/2 pairs looked at (Bonferroni, at most 1) */
} ws_amp;

/* Structure of an amplitude matrix A (rows × k, row-major). Degenerate A
 * sets out->status and returns 0; -1 only on no memory or LAPACK failure. */
int ws_amp_structure(const float *a, int64_t rows, int k, ws_amp *out, ws_err *e);

/* PR, PC1, components for 95 % and max |corr| (and the status) from the
 * k × k covariance c of the amplitude columns (upper triangle filled;
 * overwritten). Kurtosis is left to the caller. */
int ws_amp_from_cov(double *c, int k, ws_amp *out, ws_err *e);

/* Grid-fit W (rows × cols) with k Gaussians (ws_grid_fit, fit.h) and take
 * the structure of the amplitudes. *amps_out (may be NULL) receives the
 * rows × k amplitudes (caller frees; NULL when W is degenerate). */
int ws_amp_of_matrix(const float *w, int64_t rows, int64_t cols, int k, ws_grid_centres c, ws_amp *out,
                     float **amps_out, ws_err *e);

/* Excess kurtosis of n values (population moments, in double). NaN when the
 * values do not vary. */
double ws_excess_kurtosis(const float *x, size_t n);

#endif
