/* Predictability of the L1 parameters from spectral features of the row
 * (the users' Papers 61 and 62; DESIGN.md §3, man page ANALYSES).
 *
 * For a matrix whose rows live in the embedding's space (n = d, the
 * columns of E) and its fitted rows w_i (i = 0..m−1, the usable L1 fits):
 *
 *   features  x_i = V_pᵀ w_i, the row's coordinates on the p leading
 *             eigenvectors of EᵀE (default p = 8);
 *   targets   the row's L1 parameters with its components sorted by centre:
 *             μ_(k), σ_(k), A_(k), k = 0..K−1; and its amplitude-PC scores:
 *             the grid amplitudes a_i (K Gaussians on the fixed grid,
 *             fit.h) of the m rows, centred, projected on their principal
 *             components (eigenvectors of their covariance, descending);
 *   model     ordinary least squares with an intercept, y ≈ β₀ + xᵀβ
 *             (minimum-norm solution, LAPACK dgelsd, as numpy's lstsq);
 *   CV        F-fold (default 5): row i is in fold i mod F (rows in
 *             matrix order); each fold is predicted by the model fitted on
 *             the others. R²_cv = 1 − Σ(y − ŷ_cv)² / Σ(y − ȳ)², ȳ over all
 *             m rows (NaN when y is constant). Below 0: worse than the mean.
 *
 * Alignment of an amplitude PC c (a unit K-vector) with the eigenvectors:
 * mapped to weight space through the grid, u = Gᵀc (an n-vector), then
 * max_i |cos(u, v_i)| over all d eigenvectors v_i of EᵀE, and that i. */
#ifndef WS_FIT_PREDICT_H
#define WS_FIT_PREDICT_H

#include "fit.h"
#include "spectrum.h"

/* (ws_fit_predict and its options are in fit.h, with the summary that holds them.) */

void ws_fit_predict_opts_default(ws_fit_predict_opts *o);

/* The predictability of the fitted rows of W (rows × n) in r (a free L1
 * fit) from the spectrum s (with eigenvectors). A matrix whose rows are not
 * of length s->d, a grid fit, or too few rows (each training set must hold
 * more than p + 1 rows) gives out->why and NaNs, not an error. -1 on no
 * memory or a LAPACK failure. */
int ws_fit_predict_run(const float *W, int64_t rows, int64_t n, const ws_fit_result *r,
                       const ws_spectrum *s, const ws_fit_predict_opts *o, ws_fit_predict *out,
                       ws_err *e);

#endif
