/* WeightWatcher's per-layer spectral diagnostics (DESIGN.md §3, "ESD").
 *
 * Of W (rows × cols), N = max(rows, cols), M = min(rows, cols): the
 * eigenvalues λ of WᵀW, i.e. W's squared singular values, unnormalised
 * (as WeightWatcher 0.7.5 computes them; it dropped the 1/N), M of them,
 * the numerical null space cut (ws_spectrum_rank, spectrum.h).
 *   alpha       power-law exponent of the ESD's tail (Clauset–Shalizi–
 *               Newman 2009, continuous): for each candidate xmin among the
 *               eigenvalues (all but the largest), the MLE
 *               α = 1 + n / Σ ln(λ/xmin) over the n eigenvalues ≥ xmin and
 *               the Kolmogorov–Smirnov distance
 *               D = maxᵢ |1 − (λ₍ᵢ₎/xmin)^(1−α) − i/n| over the tail sorted
 *               ascending (i = 0..n−1, the empirical CDF as the powerlaw
 *               package takes it); xmin minimises D (candidates with
 *               α ≤ 1 are skipped).
 *   alpha_hat   α·log10 λ_max (WeightWatcher's alpha_weighted)
 *   log_spectral_norm   log10 λ_max
 *   stable_rank Σλ / λ_max = ‖W‖²_F / σ₁² (uncentred; the layers table's
 *               other stable rank is of the centred covariance)
 *   mp_edge     the Marchenko–Pastur bulk edge σ²(√N + √M)² with
 *               σ² = Σλ/(N·M), the mean square entry: where the largest
 *               eigenvalue of a noise matrix of W's scale sits
 *   spikes      eigenvalues above mp_edge. */
#ifndef WS_ESD_H
#define WS_ESD_H

#include <stdint.h>

#include "astatus.h"

typedef struct ws_esd {
    ws_astatus status;       /* numbers NaN unless WS_AS_OK */
    int n;                   /* eigenvalues kept */
    double alpha, xmin, ks_d;
    int n_tail;              /* eigenvalues ≥ xmin */
    double alpha_hat, log_spectral_norm, stable_rank, mp_edge;
    int spikes;
} ws_esd;

/* No numbers (all NaN), with this status. */
void ws_esd_none(ws_esd *out, ws_astatus st);

/* Power-law fit of n positive values sorted ascending (the method above).
 * Fewer than 2 values, or no candidate with α > 1: NaN. */
void ws_powerlaw_fit(const double *x, int n, double *alpha, double *xmin, double *ks_d,
                     int *n_tail);

/* The diagnostics from the eigenvalues of WᵀW (descending, length n, of a
 * rows × cols W). A spectrum summing to zero gives status WS_AS_ZERO. */
void ws_esd_from_eigs(const double *lam, int n, int64_t rows, int64_t cols, ws_esd *out);

#endif
