/* Spectrum of the embedding E (V × d): eigenvalues λ of EᵀE in double
 * precision, singular values s = √λ, decay ratios sᵢ/s₀, pairs of
 * near-equal adjacent eigenvalues, and the eigenvectors, kept for the
 * spectral energy and the corpus basis (DESIGN.md §3).
 *
 * Numerical null space: eigenvalues with σᵢ ≤ σ₀·max(V, d)·ε₃₂ (numpy's
 * matrix_rank rule with float32's ε, the weights being float32) are cut
 * from the pair search; `rank` counts the others. V < d always cuts d − V.
 *
 * Pairs, by default, by level spacing (rmt.h): the kept spectrum is
 * unfolded (ws_unfold_spacings: ln λ, local mean over the 10 nearest gaps),
 * each gap gets p = P(S ≤ s) under the Wigner surmise, and a gap is a pair
 * when p ≤ α/m, m the number of gaps tested (Bonferroni: the chance that
 * a white-noise spectrum shows any pair is at most α). Scanned from the
 * top; after a pair the scan resumes at i + 2, so pairs never share an
 * eigenvalue. With a tolerance instead (the older rule): |λᵢ − λᵢ₊₁| / λᵢ ≤
 * tol. */
#ifndef WS_SPECTRUM_H
#define WS_SPECTRUM_H

#include <stddef.h>
#include <stdint.h>

#include "astatus.h"
#include "error.h"

#define WS_PAIR_TOL_DEFAULT 0.01   /* the tolerance when that rule is asked for */
#define WS_PAIR_ALPHA_DEFAULT 0.01

/* How pairs are judged: tol ≥ 0 selects the tolerance rule, tol < 0 (the
 * default) the spacing test at family-wise level alpha. */
typedef struct ws_pair_rule {
    double tol;
    double alpha;
} ws_pair_rule;

void ws_pair_rule_default(ws_pair_rule *r);
/* The tolerance rule's own floor (ws_find_pairs): eigenvalues at or below
 * this share of λ₀ are never paired. */
#define WS_SPECTRUM_ZERO 1e-12

typedef struct ws_pair {
    int i;          /* the pair is (λᵢ, λᵢ₊₁), 0-based, descending order */
    double gap;     /* |λᵢ − λᵢ₊₁| / λᵢ */
    double p;       /* spacing p-value of the gap (NaN when not tested) */
} ws_pair;

typedef struct ws_spectrum {
    ws_astatus status;
    int d;             /* number of eigenvalues (columns of E) */
    double *lam;       /* d eigenvalues of EᵀE, descending */
    double *sv;        /* singular values √max(λ, 0) */
    double *decay;     /* sv[i] / sv[0] */
    double *vec;       /* d × d, eigenvector j is row j: vec[j*d + i] */
    int rank;          /* eigenvalues above the numerical null space */
    double *spacing;   /* d − 1 unfolded spacings sᵢ of the gaps λᵢ − λᵢ₊₁ (NaN: not tested) */
    double *gap_p;     /* d − 1 p-values P(S ≤ sᵢ) (NaN: not tested) */
    int n_tested;      /* gaps with a p-value: the Bonferroni m */
    ws_pair_rule rule; /* the rule the pairs were found by */
    int n_pairs;
    ws_pair *pairs;
} ws_spectrum;

/* Compute everything for E (rows × cols); `rule` NULL means the default.
 * Degenerate E (NaN, zero, empty) returns 0 with `status` set and no
 * arrays. -1 on no memory or LAPACK failure. Free with ws_spectrum_free. */
int ws_spectrum_compute(const float *e_mat, int64_t rows, int64_t cols, const ws_pair_rule *rule,
                        ws_spectrum *out, ws_err *e);
void ws_spectrum_free(ws_spectrum *s);

/* Pairs in λ (descending): adjacent λᵢ, λᵢ₊₁ with |λᵢ − λᵢ₊₁| / λᵢ ≤ tol,
 * scanned from the top; after a pair the scan resumes at i + 2, so a pair
 * never shares an eigenvalue with another. Eigenvalues at or below
 * WS_SPECTRUM_ZERO·λ₀ count as numerical zeros and are not paired. Returns the count;
 * `pairs` holds at most n/2 entries. */
int ws_find_pairs(const double *lam, int n, double tol, ws_pair *pairs);

/* Pairs by the spacing test: gap i (0 ≤ i < n − 1) is a pair when
 * p[i] ≤ alpha / m, m the number of finite p[i]; same scan as above. */
int ws_find_pairs_spacing(const double *lam, int n, const double *p, double alpha,
                          ws_pair *pairs);

/* Rank of a spectrum by the float32 matrix_rank rule above (λ descending,
 * of a rows × cols matrix's Gram). */
int ws_spectrum_rank(const double *lam, int n, int64_t rows, int64_t cols);

/* "p ≤ 0.01 (Bonferroni over 255 gaps)" or "tol 0.01": the pair rule as
 * used, for titles and legends. */
void ws_spectrum_rule_text(const ws_spectrum *s, char *buf, size_t n);

/* Energy of each eigen-component for W (rows × d): energy[i] = ‖W vᵢ‖²,
 * i in the spectrum's (descending eigenvalue) order. */
typedef struct ws_energy {
    ws_astatus status;
    double total;      /* Σ energy = ‖W‖²_F */
    int comps50;       /* leading components (eigenvalue order) for 50 % */
    int comps90;       /* ... for 90 % */
    double ev_r, ev_p; /* Pearson r of energy[i] with the eigenvalues λᵢ over
                        * the d components (Paper 56: 1 for E itself), and its
                        * two-sided p-value */
} ws_energy;

/* The summary of d component energies `en` (descending eigenvalue order):
 * total, comps50, comps90, ev_r and ev_p. */
void ws_energy_summarise(const ws_spectrum *s, const double *en, ws_energy *out);

/* `energy` (may be NULL) receives d values. W must have d columns. */
int ws_spectral_energy(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols,
                       double *energy, ws_energy *out, ws_err *e);

#endif
