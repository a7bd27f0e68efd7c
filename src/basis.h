/* Corpus basis (DESIGN.md §3).
 *
 * Share kept by the top-K eigenvectors V_K of EᵀE (the embedding spectrum):
 *   share = ‖W V_K‖²_F / ‖W‖²_F   for W with d_model columns (its rows
 *   projected); a matrix with d_model rows but not columns (mlp_down) is
 *   taken as Wᵀ. A square d × d matrix uses its rows.
 *
 * With a corpus of token ids: the bigram transition matrix
 *   T[a][b] = count(a → b) / count(a → ·)   (sparse, rows without a
 *   successor are zero), and per layer the cosine between QᵀK (Q = rows
 *   0..d−1, K = rows d..2d−1 of the qkv matrix, so QᵀK is d × d) and EᵀTE. */
#ifndef WS_BASIS_H
#define WS_BASIS_H

#include <stddef.h>
#include <stdint.h>

#include "astatus.h"
#include "error.h"
#include "spectrum.h"

#define WS_BASIS_K_DEFAULT 32

/* Spectral energy (spectrum.h) of W, or of Wᵀ when only W's rows have
 * length d: energy[i] = ‖W vᵢ‖² (resp. ‖Wᵀ vᵢ‖²). -1 when no side is d. */
int ws_basis_energy(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols,
                    double *energy, ws_energy *out, ws_err *e);

/* The same from the Gram over W's side of length d, summed from float32
 * blocks (ws_gram_f32): energyᵢ = vᵢᵀ G vᵢ, within about 1e-6 of
 * ws_basis_energy relative to the largest. For null draws: when the other
 * side is longer than d it costs a quarter or less of the projection, and
 * a draw's layer statistics share the Gram (ws_gram_f32_memo_begin); the
 * projection is used when the other side is shorter than d. */
int ws_basis_energy_gram(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols,
                         double *energy, ws_energy *out, ws_err *e);

/* Σ of the first k energies over the total (NaN when the total is 0). */
double ws_basis_share_of(const double *energy, int d, int k);

/* Share of ‖W‖² kept by the top-k eigenvectors of s. Degenerate W sets
 * *status (share NaN) and returns 0; a W with no side of length d is -1. */
int ws_basis_share(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols, int k,
                   double *share, ws_astatus *status, ws_err *e);

/* Sparse bigram transition matrix of a token stream, in CSR form. */
typedef struct ws_bigram {
    int64_t vocab;
    int64_t *row_start;   /* vocab + 1 offsets into col/prob */
    int32_t *col;
    double *prob;
    size_t nnz;
} ws_bigram;

/* Tokens must lie in [0, vocab); an id outside is an error naming it. */
int ws_bigram_build(const int32_t *tokens, size_t n, int64_t vocab, ws_bigram *out, ws_err *e);
void ws_bigram_free(ws_bigram *b);

/* M = EᵀTE (d × d, row-major, double) for E (vocab × d). */
int ws_bigram_project(const ws_bigram *t, const float *emb, int64_t vocab, int64_t d,
                      double *m, ws_err *e);

/* QᵀK (d × d, double) from a qkv matrix (≥ 2d rows × d). */
int ws_qk_matrix(const float *qkv, int64_t rows, int64_t d, double *qk, ws_err *e);

/* Cosine of two flattened arrays; NaN when either is zero. */
double ws_cosine(const double *a, const double *b, size_t n);

#endif
