/* A training run on a worker thread (DESIGN.md §4).
 *
 * Each step s (0-based): freeze@S rules, the batch of step s (data.h), the
 * loss before the update, backward, gradient norm over what trains and
 * clipping, the learning rate of step s (warm-up, then cosine or constant),
 * AdamW, grid updates. Validation loss every `eval_every` steps (before that
 * step's update) and after the last step, over the first `eval_batches`
 * batches of sequential windows of the held-out tokens.
 *
 * The front end polls: records (one per step), the state, and pause /
 * resume / cancel. A non-finite loss or gradient norm stops the run and
 * keeps the last weights that gave a finite loss.
 *
 * Checkpoints (the `out` file) are safetensors: the model's tensors in
 * float32, its buffers as they were, its metadata, the tokenizer, plus
 *   tensors  optim.exp_avg.NAME, optim.exp_avg_sq.NAME   AdamW m and v
 *            grid.A.NAME, grid.m.NAME, grid.v.NAME       grid policy state
 *   metadata train.step (steps done), train.adam_steps, train.options
 *            (JSON of the options), train.policy (JSON: per tensor its
 *            policy and whether it is frozen)
 * Resuming from one continues bit for bit as if never stopped. */
#ifndef WS_TRAIN_H
#define WS_TRAIN_H

#include <stdint.h>

#include "adamw.h"
#include "data.h"
#include "error.h"
#include "gpt.h"
#include "model.h"
#include "policy.h"
#include "run.h"
#include "threads.h"

typedef struct ws_train_opts {
    int64_t steps;           /* total steps of the schedule */
    int64_t stop_at;         /* stop (and save) after this many steps; 0 = steps */
    int B, T;
    float lr, min_lr;        /* cosine decays lr to min_lr at `steps` */
    ws_adamw_opts adam;      /* betas, eps, weight decay (adam.lr unused) */
    float clip;              /* 0 = off */
    int cosine;              /* else constant after warm-up */
    int64_t warmup;
    ws_sampling sampling;
    uint64_t seed;
    double val_frac;         /* recorded for resume; the caller splits the data */
    int64_t eval_every;      /* 0 = only at the end */
    int eval_batches;
    int64_t pr_every;        /* freeze-pr checks; 0 = eval_every */
    int64_t save_every;      /* checkpoint every N steps; 0 = only at the end */
    const char *out;         /* checkpoint path; NULL = do not save */
    int overwrite_input;     /* `out` may be the input model (replaced atomically) */
    int threads;             /* for forward/backward; 0 = all cores */
    int weights_only;        /* the final save without optimizer and policy state */
    /* Weights-only saves store each weight in its input's dtype (F16, BF16,
     * else F32) unless weights_dtype_set asks for weights_dtype (F32, F16
     * or BF16). Checkpoints with state keep F32: --resume needs the exact
     * float32 weights. */
    int weights_dtype_set;
    ws_dtype weights_dtype;
    const ws_policy_rule *rules;
    size_t n_rules;
} ws_train_opts;

/* nanoGPT-like defaults (betas 0.9/0.95, eps 1e-8, wd 0.1, clip 1.0, lr
 * 6e-4, min_lr lr/10, cosine) with 1000 steps, B 8, T 0 (= block size). */
ws_train_opts ws_train_defaults(void);
/* Options as JSON (without out and rules) and back onto `o`. */
char *ws_train_opts_json(const ws_train_opts *o, ws_err *e);
int ws_train_opts_from_json(ws_train_opts *o, const char *json, ws_err *e);

/* One record per step, then one for the final evaluation (run.h's record:
 * step, loss, val_loss, lr, grad_norm, tokens_per_s — B·T over the step's
 * wall time, eval and saving excluded —, elapsed_s — running seconds since
 * ws_train_start, pauses excluded — and n_frozen). */
typedef ws_run_rec ws_train_rec;

typedef enum ws_train_state {
    WS_TRAIN_READY, WS_TRAIN_RUNNING, WS_TRAIN_PAUSED, WS_TRAIN_DONE,
    WS_TRAIN_CANCELLED, WS_TRAIN_DIVERGED, WS_TRAIN_FAILED
} ws_train_state;

typedef struct ws_train ws_train;

/* Prepare a run on model m with data d (split already). Both must outlive
 * the run. With `resume`, m must be a checkpoint: weights, optimizer state,
 * policies and step come from it, and o->rules must be empty. This applies
 * the policies (an SVD per crystal, a least-squares fit per grid), which
 * can take a second on large matrices: call it off the UI thread. */
ws_train *ws_train_new(ws_model *m, const ws_data *d, const ws_train_opts *o, int resume,
                       ws_err *e);
void ws_train_free(ws_train *t);

int ws_train_start(ws_train *t, ws_err *e);
/* Nonzero once the worker has ended (checkpoint written): poll this. */
int ws_train_finished(ws_train *t);
/* Block until the worker ends; returns the final state. */
ws_train_state ws_train_wait(ws_train *t);
void ws_train_pause(ws_train *t);
void ws_train_resume(ws_train *t);
void ws_train_cancel(ws_train *t);   /* async-signal-safe */
/* Current state; `msg` (may be NULL) gets the reason for DIVERGED/FAILED
 * or a note (where the checkpoint went). */
ws_train_state ws_train_get_state(ws_train *t, char *msg, size_t n);
/* done = steps finished, total = steps of this run. */
ws_progress *ws_train_progress(ws_train *t);
int64_t ws_train_first_step(const ws_train *t);

/* The record history (thread-safe snapshot copies). */
size_t ws_train_nrecords(ws_train *t);
int ws_train_record(ws_train *t, size_t i, ws_train_rec *out);
/* Freeze events (run.h): a freeze@S or freeze-pr:X tensor stopped training
 * at `step` (frozen from that step on), with why ("freeze-pr:20 (PR 17.9)").
 * Thread-safe snapshot copies, in the order they happened. */
size_t ws_train_nevents(ws_train *t);
int ws_train_event(ws_train *t, size_t i, ws_run_event *out);

/* Per-matrix update norms ‖W_after − W_before‖ of record i's step
 * (n_matrices floats, 0 for frozen ones; NaN for the final evaluation). */
int ws_train_n_matrices(const ws_train *t);
const char *ws_train_matrix_name(const ws_train *t, int k);
int ws_train_update_norms(ws_train *t, size_t i, float *out);

/* Copy the current values of a weight (canonical rows × cols, `n` floats)
 * while the run goes on: taken between two updates, never half-way. */
int ws_train_copy_weights(ws_train *t, const char *name, float *out, size_t n, ws_err *e);

/* Write the checkpoint of the current state to `path` (the run must not
 * be running): float32 weights and the training state, what --resume
 * reads. ws_train_save_weights writes the weights only: the network (and
 * its buffers as they were), the input's metadata (config, tokenizer) and
 * train.step, each weight in the input's dtype (weights_dtype when set); a
 * plain model, not resumable. */
int ws_train_save(ws_train *t, const char *path, ws_err *e);
int ws_train_save_weights(ws_train *t, const char *path, ws_err *e);
/* The same with the weights in `dt` (F32, F16, BF16; WS_DT_COUNT: each in
 * its input's dtype, the default of ws_train_save_weights without
 * weights_dtype_set). */
int ws_train_save_weights_as(ws_train *t, const char *path, ws_dtype dt, ws_err *e);
/* The current weights as a model in memory (as ws_train_save_weights
 * would write it), its path set to `path` (may be NULL) for display;
 * taken between two updates, never half-way. */
ws_model *ws_train_weights_model(ws_train *t, const char *path, ws_err *e);

/* The underlying network (for tests and evaluation) and the policies
 * (parameter i of the network is policy i). */
ws_gpt *ws_train_gpt(ws_train *t);
const ws_policy *ws_train_policy(const ws_train *t);

/* Mean cross-entropy over the sequential windows k·T, k = 0, 1, … (while
 * k·T + T < n) of tok[0, n), B windows per forward; at most `max_batches`
 * batches (0 = all). NaN and a message when no window fits. `p` (may be
 * NULL) gets done/total in windows and can cancel. */
double ws_eval_windows(ws_gpt *g, const int32_t *tok, size_t n, int B, int T,
                       size_t max_batches, ws_progress *p, ws_err *e);

#endif
