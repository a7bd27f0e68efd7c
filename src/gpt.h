/* GPT forward and backward in float32 (DESIGN.md §4), the numerical core of
 * training.
 *
 * A ws_gpt holds a copy of a model's weights in one parameter buffer, one
 * gradient buffer of the same layout, and one activation buffer sized for the
 * batch B × sequence T given at creation. Semantics are nanoGPT's: token and
 * position embeddings, pre-LN blocks (LayerNorm eps 1e-5, or the model's
 * layer_norm_epsilon), causal multi-head
 * attention scaled by 1/sqrt(head_dim), MLP 4d with GELU (erf form, or tanh
 * when the model says so), final LayerNorm, tied or untied head, biases where
 * the model has them, cross-entropy averaged over B·T. exp and erf are
 * vectorised approximations (vecmath.h: exp to one float ulp, erf to 1.5e-7);
 * gradients match PyTorch's float64 to a relative 1e-4.
 *
 * Weights are kept in the canonical orientation (out × in, y = x·Wᵀ + b) for
 * every naming layout; ws_gpt_write_back restores each file's orientation.
 * Large products go through cblas_sgemm, each split over the threads into
 * row blocks; attention is split over (batch, head) pairs. */
#ifndef WS_GPT_H
#define WS_GPT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"

typedef struct ws_gpt ws_gpt;

/* What happens to a parameter's gradient. */
enum {
    WS_PARAM_FROZEN = 0,  /* no gradient work that can be skipped, no optimizer state */
    WS_PARAM_TRAIN = 1,   /* gradient computed, stepped by the optimizer */
    WS_PARAM_GRAD = 2,    /* gradient computed, the optimizer leaves it alone
                             (the caller maps it, e.g. grid: dA = dW·Gᵀ) */
};

typedef struct ws_gpt_param {
    char *name;            /* the model's tensor name */
    ws_role role;
    int layer;             /* block index, -1 when not per layer */
    int is_bias;           /* also set for LayerNorm biases */
    float *w, *g;          /* into the parameter / gradient buffer, canonical rows × cols */
    size_t n;
    int64_t rows, cols;    /* 1 × n for vectors */
    int ndim;              /* 1 or 2 as stored: only 2-D weights get weight decay */
    int trainable;         /* WS_PARAM_* */
} ws_gpt_param;

typedef struct ws_gpt_dims {
    int n_layer, n_head, n_embd, vocab_size, block_size;
    int B, T;              /* the largest batch and sequence length */
    int tied, gelu_tanh;
    float ln_eps;          /* LayerNorm epsilon (1e-5 unless the model says) */
} ws_gpt_dims;

/* Copy a model's weights in. Needs every role present (a layout wscope
 * recognises), n_head known and weights of consistent shapes; biases and
 * LayerNorm biases are optional per tensor. B and T are the largest batch
 * and sequence length later calls may use (T <= block_size). */
ws_gpt *ws_gpt_new(const ws_model *m, int B, int T, ws_err *e);
void ws_gpt_free(ws_gpt *g);

const ws_gpt_dims *ws_gpt_get_dims(const ws_gpt *g);
/* Threads for forward and backward (0 = all cores, at most the cores).
 * Products run with OpenBLAS held at one thread (ws_parallel_for does
 * that) and are split over these threads instead. */
void ws_gpt_set_threads(ws_gpt *g, int threads);
int ws_gpt_get_threads(const ws_gpt *g);
size_t ws_gpt_nparams(const ws_gpt *g);            /* number of tensors */
size_t ws_gpt_numel(const ws_gpt *g);              /* number of floats */
ws_gpt_param *ws_gpt_param_at(ws_gpt *g, size_t i);
ws_gpt_param *ws_gpt_param_by_name(ws_gpt *g, const char *name);
/* Set a parameter to WS_PARAM_FROZEN, _TRAIN or _GRAD. A frozen
 * parameter's gradient is zeroed and stays zero. */
void ws_gpt_set_trainable(ws_gpt *g, size_t i, int mode);
/* Whole parameter / gradient buffers (ws_gpt_numel floats each). */
float *ws_gpt_weights(ws_gpt *g);
float *ws_gpt_grads(ws_gpt *g);

/* Forward pass on B×T tokens (row-major, B, T at most those given at
 * creation). With targets, returns the mean cross-entropy and keeps what
 * backward needs; without (NULL), returns 0 and only fills the logits.
 * Returns NAN on a token id outside the vocabulary. */
float ws_gpt_forward(ws_gpt *g, const int32_t *inputs, const int32_t *targets,
                     int B, int T);
/* Logits of the last forward: B·T rows of vocab_size floats. After a
 * forward with targets they are overwritten by backward. */
const float *ws_gpt_logits(const ws_gpt *g);

void ws_gpt_zero_grad(ws_gpt *g);
/* Accumulate d(mean loss)/d(weights) of the last forward with targets into
 * the gradients of non-frozen parameters. */
void ws_gpt_backward(ws_gpt *g);

/* Copy the weights into a model with the same tensors (F32, the file's own
 * orientation, e.g. transposed back for HF Conv1D). */
int ws_gpt_write_back(const ws_gpt *g, ws_model *m, ws_err *e);

/* FLOPs of one full forward+backward on B×T tokens, by the usual count
 * (6 per matmul weight per token + 12·n_layer·T·n_embd), for GFLOP/s. */
double ws_gpt_flops(const ws_gpt *g, int B, int T);

#endif
