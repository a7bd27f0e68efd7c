/* Participation ratio and the numbers that go with it (DESIGN.md §3).
 *
 * Of a spectrum λ (descending, negatives from rounding clamped to 0):
 *   PR = (Σλ)² / Σλ²,  PC1 share = λ₁ / Σλ,
 *   components for 95 % = smallest k with λ₁+…+λ_k ≥ 0.95 Σλ,
 *   stable rank = Σλ / λ₁.
 * Weight PR of a matrix W (rows × cols) uses the eigenvalues of the
 * covariance of its rows, the columns being the features:
 *   C = (W − 1·mᵀ)ᵀ (W − 1·mᵀ) / (rows − 1),  m = column means,
 * i.e. numpy's np.cov(W, rowvar=False). Uncentred: C = WᵀW / rows. When
 * rows < cols the rows × rows Gram is used instead: same nonzero eigenvalues. */
#ifndef WS_PR_H
#define WS_PR_H

#include <stdint.h>

#include "astatus.h"
#include "error.h"

typedef struct ws_pr {
    ws_astatus status;   /* numbers are NaN unless WS_AS_OK */
    double pr;           /* participation ratio, 1 .. n */
    double pc1;          /* λ₁ / Σλ, a share (0..1) */
    int comps95;         /* components for 95 % of Σλ */
    double stable_rank;  /* Σλ / λ₁ */
    double total;        /* Σλ (the total variance) */
    int n;               /* number of eigenvalues */
} ws_pr;

/* Fill `out` from eigenvalues in descending order. A spectrum that sums to
 * zero gives status WS_AS_ZERO. */
void ws_pr_from_eigs(const double *lam, int n, ws_pr *out);

/* Smallest k with λ₁+…+λ_k ≥ share·Σλ (λ descending, clamped at 0). */
int ws_components_for(const double *lam, int n, double share);

/* The min(rows, cols) eigenvalues (descending) of W's Gram (WᵀW, or WWᵀ
 * when rows < cols: the same nonzero ones), about the column means when
 * `centred`, unnormalised. W must be finite. */
int ws_matrix_eigs(const float *w, int64_t rows, int64_t cols, int centred, double *lam, ws_err *e);

/* The same, and with lam_u (may be NULL) the uncentred Gram's eigenvalues
 * from the same pass over W: the centred Gram plus the means' part, terms
 * added, nothing cancelling (double precision throughout). */
int ws_matrix_eigs_pair(const float *w, int64_t rows, int64_t cols, int centred, double *lam,
                        double *lam_u, ws_err *e);

/* Both at once from one Gram: lam_c centred, lam_u uncentred. The centred
 * Gram is the uncentred one less the means' part, and the Gram is summed
 * from float32 blocks (ws_gram_f32): eigenvalues within about 1e-6 of
 * λ_max. For the null draws, where speed matters more than the last
 * digits. */
int ws_matrix_eigs_both(const float *w, int64_t rows, int64_t cols, double *lam_c,
                        double *lam_u, ws_err *e);

/* Weight PR of W. `lam_out` (may be NULL) receives min(rows, cols)
 * eigenvalues of C, descending. Degenerate inputs set out->status and
 * return 0; -1 only on no memory or a LAPACK failure. */
int ws_matrix_pr(const float *w, int64_t rows, int64_t cols, int centred,
                 ws_pr *out, double *lam_out, ws_err *e);
/* The same, and the ESD's eigenvalues (those of WᵀW, unnormalised; may be
 * NULL) from the same pass (ws_matrix_eigs_pair). */
int ws_matrix_pr_esd(const float *w, int64_t rows, int64_t cols, int centred, ws_pr *out,
                     double *lam_out, double *lam_u, ws_err *e);

#endif
