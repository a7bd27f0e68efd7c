/* Corpus part of the basis analysis on a model (basis.h has the
 * definitions of T, EᵀTE and QᵀK): with M = EᵀTE for the corpus's bigram
 * transition matrix T (DESIGN.md §3, "Corpus"),
 *   per layer (Q = rows 0..d−1, K = rows d..2d−1 of the qkv matrix):
 *     qk_cos   cosine of the flattened QᵀK and M, and qk_cos_p, its
 *              two-sided p-value against the gauss null taken as normal,
 *              2Φ(−|z|) (a cosine of two matrices is no correlation of
 *              independent samples: no t-test; a bootstrap over the rows of
 *              Q and K breaks QᵀK itself, so the null is the reference);
 *     q_align  |⟨q̂₁, u₁⟩|: q̂₁ the leading right singular vector of Q (the
 *              input direction Q amplifies most), u₁ the leading left
 *              singular vector of M (its dominant source-token direction);
 *     both with null baselines (null.h) from the layer's qkv matrix;
 *   sym_pr     PR of the symmetric part S = (M + Mᵀ)/2 over |eigenvalues|:
 *              (Σ|λ|)² / Σλ² (the notes' "symmetric corpus PR");
 *   direct_r2  how well the corpus alone predicts the weights: each d × d
 *              block B of the per-layer matrices (qkv, attn_out, mlp_up
 *              rows in blocks of d; mlp_down's columns) predicted by M scaled
 *              to B's norm, R² = 1 − Σ‖B − B̂‖² / Σ‖B‖² pooled over the
 *              blocks (no parameter fitted: −1 + 2·the norm-weighted mean
 *              cosine);
 *   random_r2  the same with a Gaussian matrix (seeded) in place of M: the
 *              floor, about −1. */
#ifndef WS_BASIS_CORPUS_H
#define WS_BASIS_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "error.h"
#include "model.h"
#include "null.h"
#include "threads.h"

/* The corpus at `path` as token ids of the model's vocabulary: a nanoGPT
 * .bin file is ids already, text is encoded with the tokenizer at
 * `tok_path` or the one found for the model (tokenizer_files.h). Errors
 * start with the file and say what is missing (no embedding, no tokenizer
 * for a text corpus, fewer than two tokens). `tk_out` (may be NULL) gets
 * the tokenizer used (NULL for .bin data; the caller frees it). Free the
 * data with ws_data_free. */
int ws_corpus_load(const ws_model *m, const char *path, const char *tok_path, ws_data *d,
                   struct ws_tokenizer **tk_out, ws_err *e);


enum { WS_CQ_COS, WS_CQ_ALIGN, WS_CQ_COUNT };

typedef struct ws_corpus_layer {
    double qk_cos, qk_cos_p;
    double q_align;
    ws_null null[WS_CQ_COUNT][WS_NULL_NFAM];   /* n = 0 when not computed */
} ws_corpus_layer;

typedef struct ws_corpus {
    int n_layer;
    ws_corpus_layer *layer;    /* NaN for a layer without a usable qkv matrix */
    double sym_pr;
    double direct_r2, random_r2;
    int n_blocks;              /* the d × d blocks the predictions pooled */
} ws_corpus;

/* Everything above for the token stream tok (ids in the embedding's
 * vocabulary); nulls with o->n draws (0: none). Progress: one unit for
 * EᵀTE, one per layer, then the null draws. Free with ws_corpus_free. */
int ws_corpus_analyse(const ws_model *m, const int32_t *tok, size_t n, const ws_null_opts *o,
                      ws_corpus *out, ws_progress *p, ws_err *e);
void ws_corpus_free(ws_corpus *c);

/* cos[l] = qk_cos of layer l alone, for l < n_layer. */
int ws_corpus_qk_cosines(const ws_model *m, const int32_t *tok, size_t n, double *cos,
                         ws_progress *p, ws_err *e);

#endif
