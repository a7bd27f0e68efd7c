/* The users' fit measurements (Papers 56 and 61; man page ANALYSES,
 * Gaussian fits, "Fit measurements"), from the per-row fits of a matrix.
 *
 * Over the usable rows (a fit with a residual), each row's components
 * sorted by centre (k = 0..K−1 in ascending μ):
 *   sigma_mean, sigma_cv       mean and coefficient of variation (std/|mean|,
 *   amp_mean, amp_cv           population std) of σ and of A over every
 *                              (row, component); amp_abs_mean the mean |A|
 *   per component k            the same over the rows for the k-th by centre
 *                              (mu_mean too)
 *   centre_slope, centre_intercept
 *                              the least-squares line m_k = slope·k + intercept
 *                              through the mean sorted centres m_k
 * With eigenvalues of EᵀE (the K + 1 largest, λ_0 ≥ λ_1 ≥ ... ≥ λ_K): the
 * notes' reading over the K components, k-th by centre against k-th by
 * eigenvalue,
 *   sigma_spacing_r            Pearson r of the mean σ_(k) with the spacing
 *                              λ_k − λ_(k+1)
 *   amp_sv_r                   Pearson r of the mean |A_(k)| with the
 *                              singular value √λ_k
 * each with its two-sided Pearson p over the K points (ttest.h).
 * Parameter counts of the whole matrix: params = rows·n; params_l1 =
 * rows·3K (free: A, μ, σ per component) or rows·K (grid: amplitudes only;
 * the grid is shared); params_l2 = 9·K·G (level 2, else 0). */
#ifndef WS_FIT_MEASURES_H
#define WS_FIT_MEASURES_H

#include <stdint.h>

#include "fit.h"

/* (ws_fit_measures is in fit.h, with the summary that holds it.) */

/* The measurements of r (eig may be NULL: no eigenvalue correlations;
 * n_eig ≥ K + 1 needed). Numbers that do not exist are NaN. */
void ws_fit_measure(const ws_fit_result *r, const double *eig, int64_t n_eig, ws_fit_measures *out);

#endif
