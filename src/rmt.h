/* Random-matrix theory for the null baselines (DESIGN.md §3, "Nulls"):
 * what white noise gives, analytically and by exact sampling.
 *
 * For X (n × p) with i.i.d. N(0, σ²) entries, the p eigenvalues of XᵀX
 * (Wishart) are, with m = min(n, p) nonzero:
 *   - Marchenko–Pastur bulk edges σ²(√n ± √p)²,
 *   - PR ≈ E[(Σλ)²] / E[Σλ²] = (np + 2)/(n + p + 1) (ratio of the
 *     Wishart moments; → p/(1 + p/n) as both grow),
 *   - PC1 share ≈ E[λ₁]/E[Σλ] with E[λ₁] = μ + E[TW₁]·σ_TW (Johnstone
 *     2001: μ = (√(n−½) + √(p−½))², σ_TW = √μ·(1/√(n−½) + 1/√(p−½))^⅓,
 *     E[TW₁] = −1.2065),
 * all symmetric in n and p (XᵀX and XXᵀ share their nonzero eigenvalues).
 *
 * Sampling: the singular values of X have the law of those of an m × m
 * upper bidiagonal matrix with diagonal χ_{N}, χ_{N−1}, …, χ_{N−m+1} and
 * superdiagonal χ_{m−1}, …, χ_1 (N = max(n, p); Householder
 * bidiagonalisation of a Gaussian matrix, Dumitriu–Edelman 2002), so a
 * white-noise spectrum costs O(m²) instead of O(n·p·m).
 *
 * Level spacing: adjacent eigenvalues of a random matrix repel. With the
 * spectrum unfolded to unit mean spacing, the spacing s of real symmetric
 * (GOE-class, which includes Wishart) matrices follows the Wigner surmise
 * P(s) = (π/2)·s·exp(−πs²/4), so P(S ≤ s) = 1 − exp(−πs²/4). */
#ifndef WS_RMT_H
#define WS_RMT_H

#include <stdint.h>

#include "error.h"
#include "rng.h"

#define WS_TW1_MEAN (-1.2065335745820)

/* Bulk edges of the eigenvalues of XᵀX, X n × p with entry variance σ². */
void ws_mp_edges(double n, double p, double sigma2, double *lo, double *hi);
/* Expected PR and PC1 share of the white-noise spectrum of XᵀX. */
double ws_mp_pr(double n, double p);
double ws_mp_pc1(double n, double p);

/* The min(n, p) nonzero eigenvalues of XᵀX for X n × p with i.i.d. N(0, 1)
 * entries, one draw from their exact law (bidiagonal model), descending.
 * `lam` has min(n, p) slots; `work` min(n, p) doubles. -1 on a LAPACK
 * failure. */
int ws_laguerre_draw(ws_rng *r, int64_t n, int64_t p, double *lam, double *work, ws_err *e);

/* Wigner surmise CDF P(S ≤ s) = 1 − exp(−πs²/4) (s ≥ 0). */
double ws_wigner_cdf(double s);

/* Half-width of the unfolding window: each gap is compared with the mean of
 * the 2·WS_UNFOLD_HALF nearest other gaps. */
#define WS_UNFOLD_HALF 5

/* Unfolded spacings of n positive eigenvalues λ (descending): gap
 * gᵢ = ln λᵢ − ln λᵢ₊₁ (i = 0..n−2) divided by the mean of the 2·half
 * nearest other gaps (the window shifted inward at the ends; all other gaps
 * when there are fewer). s[i] is NaN when that mean is 0 or n < 3. */
void ws_unfold_spacings(const double *lam, int n, int half, double *s);

#endif
