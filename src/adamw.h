/* AdamW as torch.optim.AdamW, gradient clipping as
 * torch.nn.utils.clip_grad_norm_, and nanoGPT's learning-rate schedule.
 *
 * State (m, v) exists only for parameters that were WS_PARAM_TRAIN when the
 * optimizer was created; weight decay applies to 2-D tensors only
 * (nanoGPT's rule: matrices and embeddings decay, biases and LayerNorm
 * weights do not). */
#ifndef WS_ADAMW_H
#define WS_ADAMW_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "gpt.h"

typedef struct ws_adamw_opts {
    float lr, beta1, beta2, eps, weight_decay;
} ws_adamw_opts;

/* nanoGPT's defaults: lr 6e-4, betas 0.9/0.95, eps 1e-8, weight decay 0.1. */
ws_adamw_opts ws_adamw_defaults(void);

typedef struct ws_adamw ws_adamw;

ws_adamw *ws_adamw_new(ws_gpt *g, ws_err *e);
void ws_adamw_free(ws_adamw *o);

/* One step with learning rate `lr` (opt->lr is ignored, so a schedule can
 * drive it) over the parameters that had state at creation and are still
 * WS_PARAM_TRAIN. */
void ws_adamw_step(ws_adamw *o, ws_gpt *g, const ws_adamw_opts *opt, float lr);

/* The update of one array, for tensors outside the model (grid's A):
 * t is the 1-based step; decay is applied when wd != 0. */
void ws_adamw_update(float *p, const float *grad, float *m, float *v, size_t n,
                     const ws_adamw_opts *opt, float lr, float wd, int64_t t);

/* Checkpoint access: steps taken so far, and the m / v arrays of parameter
 * i (NULL when it has no state). Restoring = writing into these arrays
 * and setting the step. */
int64_t ws_adamw_steps(const ws_adamw *o);
void ws_adamw_set_steps(ws_adamw *o, int64_t t);
float *ws_adamw_m(ws_adamw *o, size_t i);
float *ws_adamw_v(ws_adamw *o, size_t i);

/* L2 norm over the gradients of non-frozen parameters (TRAIN and GRAD).
 * The step, the norm and clipping use the model's threads
 * (ws_gpt_set_threads). */
float ws_grad_global_norm(ws_gpt *g);
/* Scale those gradients by min(1, max_norm / (norm + 1e-6)). */
void ws_grad_clip(ws_gpt *g, float max_norm, float norm);

/* Learning rate at `step` (0-based) as nanoGPT's get_lr: linear warm-up
 * lr·(step+1)/(warmup+1) for step < warmup, then constant lr, or with
 * `cosine` a cosine decay from lr to min_lr reaching min_lr at `total` and
 * staying there. */
float ws_lr_at(int step, int warmup, int total, float lr, int cosine, float min_lr);

#endif
