/* Spectrum of the embedding E (V × d): eigenvalues λ of EᵀE in double
 * precision, singular values s = √λ, decay ratios sᵢ/s₀, pairs of
 * near-equal adjacent eigenvalues, and the eigenvectors, kept for the
 * spectral energy and the corpus basis (DESIGN.md §3). */
#ifndef WS_SPECTRUM_H
#define WS_SPECTRUM_H

#include <stdint.h>

#include "astatus.h"
#include "error.h"

#define WS_PAIR_TOL_DEFAULT 0.01
/* Eigenvalues at or below this share of λ₀ are numerical zeros (a V < d
 * embedding's null space): never paired, not drawn. */
#define WS_SPECTRUM_ZERO 1e-12

typedef struct ws_pair {
    int i;          /* the pair is (λᵢ, λᵢ₊₁), 0-based, descending order */
    double gap;     /* |λᵢ − λᵢ₊₁| / λᵢ */
} ws_pair;

typedef struct ws_spectrum {
    ws_astatus status;
    int d;             /* number of eigenvalues (columns of E) */
    double *lam;       /* d eigenvalues of EᵀE, descending */
    double *sv;        /* singular values √max(λ, 0) */
    double *decay;     /* sv[i] / sv[0] */
    double *vec;       /* d × d, eigenvector j is row j: vec[j*d + i] */
    int n_pairs;
    ws_pair *pairs;
} ws_spectrum;

/* Compute everything for E (rows × cols). Degenerate E (NaN, zero, empty)
 * returns 0 with `status` set and no arrays. -1 on no memory or LAPACK
 * failure. Free with ws_spectrum_free. */
int ws_spectrum_compute(const float *e_mat, int64_t rows, int64_t cols, double tol,
                        ws_spectrum *out, ws_err *e);
void ws_spectrum_free(ws_spectrum *s);

/* Pairs in λ (descending): adjacent λᵢ, λᵢ₊₁ with |λᵢ − λᵢ₊₁| / λᵢ ≤ tol,
 * scanned from the top; after a pair the scan resumes at i + 2, so a pair
 * never shares an eigenvalue with another. Eigenvalues at or below
 * WS_SPECTRUM_ZERO·λ₀ count as numerical zeros and are not paired. Returns the count;
 * `pairs` holds at most n/2 entries. */
int ws_find_pairs(const double *lam, int n, double tol, ws_pair *pairs);

/* Energy of each eigen-component for W (rows × d): energy[i] = ‖W vᵢ‖²,
 * i in the spectrum's (descending eigenvalue) order. */
typedef struct ws_energy {
    ws_astatus status;
    double total;      /* Σ energy = ‖W‖²_F */
    int comps50;       /* leading components (eigenvalue order) for 50 % */
    int comps90;       /* ... for 90 % */
} ws_energy;

/* `energy` (may be NULL) receives d values. W must have d columns. */
int ws_spectral_energy(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols,
                       double *energy, ws_energy *out, ws_err *e);

#endif
