/* Kernels of the GPT forward and backward passes (private to gpt.c).
 *
 * Matrices are row-major; a linear layer's weight is out × in and
 * y = x·Wᵀ + b. Row-wise kernels run in parallel over rows with
 * ws_parallel_for; matrix products are cblas_sgemm split into blocks. */
#ifndef WS_GPT_LAYERS_H
#define WS_GPT_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#define WS_LN_EPS 1e-5f   /* nanoGPT's and GPT-2's; a model may say otherwise */

/* C = alpha·op(A)·op(B) + beta·C (row-major, op = transpose when ta/tb),
 * split into one block of rows or columns per thread. */
void wsl_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc, int threads);

/* out[N×nout] = (res ? res : 0) + (b ? b : 0) + x[N×nin]·W[nout×nin]ᵀ. out may not alias x. */
void wsl_linear(float *out, const float *x, const float *w, const float *b,
                const float *res, int N, int nin, int nout, int threads);
/* dx[N×nin] (=, or += when accumulate) dy[N×nout]·W[nout×nin]. */
void wsl_linear_dx(float *dx, const float *dy, const float *w, int N, int nin, int nout,
                   int accumulate, int threads);
/* dW[nout×nin] += dy[N×nout]ᵀ·x[N×nin]. */
void wsl_linear_dw(float *dw, const float *dy, const float *x, int N, int nin, int nout,
                   int threads);
/* db[nout] += Σ_rows dy[N×nout]. */
void wsl_bias_db(float *db, const float *dy, int N, int nout);

/* LayerNorm over rows of x[N×C]: out = (x−mean)·rstd·w + b (w, b optional),
 * rstd = 1/sqrt(var + eps), keeping mean and rstd per row. */
void wsl_layernorm(float *out, float *mean, float *rstd, const float *x,
                   const float *w, const float *b, int N, int C, float eps, int threads);
/* dx += LayerNorm backward of dout; dw, db (optional) accumulate. */
void wsl_layernorm_back(float *dx, float *dw, float *db, const float *dout,
                        const float *x, const float *mean, const float *rstd,
                        const float *w, int N, int C, int threads);

/* y = GELU(x) over n floats (exact erf, or the tanh approximation); x is
 * overwritten by GELU'(x) for the backward pass. */
void wsl_gelu(float *y, float *x, size_t n, int tanh_approx, int threads);

/* Causal self-attention. qkv is [B·T × 3C] (q, k, v per row), att receives
 * the probabilities [B×H×T×T] (row i: keys 0..i; zeros after i up to the end
 * of its row block, nothing written beyond), y is [B·T × C]. */
void wsl_attention(float *y, float *att, const float *qkv, int B, int T, int C,
                   int H, int threads);
/* dqkv (=) from dy; att is overwritten (by the score gradients). scratch
 * holds threads × T × T floats. */
void wsl_attention_back(float *dqkv, float *att, const float *dy, const float *qkv,
                        float *scratch, int B, int T, int C, int H, int threads);

/* Softmax cross-entropy of logits [N×V] against targets, mean over rows.
 * The logits are replaced in place by d(mean loss)/d(logits). */
double wsl_softmax_ce(float *logits, const int32_t *targets, int N, int V, int threads);

#endif
