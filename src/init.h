/* A GPT with nanoGPT-style random init, in our users' naming. */
#ifndef WS_INIT_H
#define WS_INIT_H

#include <stdint.h>
#include "model.h"

typedef struct ws_init_opts {
    int n_layer, n_embd, n_head, vocab_size, block_size;
    int tied;
    int bias;          /* linear layers and layer norms with biases */
    uint64_t seed;
} ws_init_opts;

/* N(0, 0.02) for weights, N(0, 0.02/sqrt(2·n_layer)) for the residual
 * projections (attn c_proj, mlp.2), zeros for biases, ones for LN weights. */
ws_model *ws_init_gpt(const ws_init_opts *o, ws_err *e);

#endif
