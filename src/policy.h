/* Per-tensor training policies (DESIGN.md §4).
 *
 * A rule is PATTERN=POLICY. PATTERN selects tensors of the model (names.h;
 * several patterns separated by commas):
 *   ROLE            every tensor of that role (weights and biases), e.g. qkv
 *   ROLE@LAYERS     those in the given layers: N, N-M, a comma list of them,
 *                   or *; ROLE may be * for every role: attn_out@4, *@0-1
 *   anything else   a glob (fnmatch) on the tensor name, with or without
 *                   the _orig_mod. / transformer. / model. prefixes
 * ROLE is one of embed pos_embed ln1 qkv attn_out ln2 mlp_up mlp_down ln_f
 * head. Rules apply in order; a later rule overrides an earlier one; a
 * tensor no rule selects trains. A rule that selects nothing is an error.
 *
 * POLICY:
 *   train          trained (the default)
 *   freeze         values kept, no gradient, no optimizer state
 *   crystal:R      replaced by its rank-R truncated SVD, then frozen
 *   random         replaced by N(0, σ²), σ the original's standard
 *                  deviation (population), then frozen; seeded by the run's
 *                  seed and the tensor name
 *   grid:K         W = A·G with the fixed Gaussian grid G (K × n, n = W's
 *                  columns): G[k][j] = exp(−(j−μₖ)²/(2σₖ²)),
 *                  μₖ = n(k+1)/(K+1), σₖ = n/K (grid:K:linspace: Paper 61's
 *                  μₖ = k(n−1)/(K−1), fit.h). A (rows × K) starts as the
 *                  least-squares fit of W and is the only thing trained
 *                  (dA = dW·Gᵀ, AdamW with weight decay); W is replaced by
 *                  A·G from the start
 *   freeze@S       trained for steps 0 … S−1, frozen from step S on
 *   freeze-pr:X    trained until its weight participation ratio
 *                  PR = (Σλ)²/Σλ² (λ the eigenvalues of the centred row
 *                  covariance) is below X at a check, then frozen
 * crystal, grid and freeze-pr act on matrices only; a LayerNorm vector
 * they select keeps the policy it had.
 *
 * The bias rule: crystal, random and grid replace a matrix; its bias (the
 * vector of the same role and layer) keeps its values and follows the
 * matrix: frozen with crystal and random, trained with grid, whatever the
 * rules say of the bias itself. So `attn_out@4=crystal:1`,
 * `attn_out@4=random` and `attn_out@4=freeze` all leave the layer's bias
 * frozen at its trained values, and a strategy table compares the matrix
 * alone. random on a vector whose matrix is not replaced (a LayerNorm
 * weight, a bias alone) still draws it. */
#ifndef WS_POLICY_H
#define WS_POLICY_H

#include <stdint.h>

#include "adamw.h"
#include "error.h"
#include "fit.h"
#include "gpt.h"
#include "model.h"

typedef enum ws_policy_kind {
    WS_POL_TRAIN, WS_POL_FREEZE, WS_POL_CRYSTAL, WS_POL_RANDOM, WS_POL_GRID,
    WS_POL_FREEZE_AT, WS_POL_FREEZE_PR
} ws_policy_kind;

typedef struct ws_policy_rule {
    char pattern[128];
    ws_policy_kind kind;
    int64_t arg;       /* R, K or S */
    double threshold;  /* X of freeze-pr */
    ws_grid_centres centres;   /* grid's centres: grid:K (inner) or grid:K:linspace */
} ws_policy_rule;

/* The bias rule: the policy of the bias of a matrix whose policy is
 * `matrix`: freeze for crystal and random, train for grid; -1 when the
 * matrix is not replaced (the bias keeps its own). */
int ws_policy_bias_kind(ws_policy_kind matrix);

/* Parse "PATTERN=POLICY". */
int ws_policy_parse(const char *spec, ws_policy_rule *out, ws_err *e);
/* Does rule r select a tensor of this name, role, layer and number of
 * dimensions (as ws_policy_apply decides)? 1 yes, 0 no, -1 bad pattern. */
int ws_policy_rule_selects(const ws_policy_rule *r, const char *name, ws_role role, int layer,
                           int ndim);
/* "crystal:2", "freeze@100", "grid:8:linspace" ... into buf (`centres`
 * matters to grid only). */
const char *ws_policy_kind_text(ws_policy_kind k, int64_t arg, double thr, ws_grid_centres centres,
                                char *buf, size_t n);

typedef struct ws_policy ws_policy;

/* Decide each parameter's policy from the rules, apply the replacements
 * (crystal, random, grid) to g's weights, and set trainable flags. Call
 * before creating the optimizer so frozen tensors get no state. */
ws_policy *ws_policy_apply(ws_gpt *g, const ws_policy_rule *rules, size_t n,
                           uint64_t seed, ws_err *e);
void ws_policy_free(ws_policy *p);

/* Number of parameters currently frozen, and whether parameter i is. */
int ws_policy_n_frozen(const ws_policy *p);
int ws_policy_is_frozen(const ws_policy *p, size_t i);
int ws_policy_has_grid(const ws_policy *p);
/* Parameter i's policy as text ("train", "crystal:1" ...). */
const char *ws_policy_text(const ws_policy *p, size_t i, char *buf, size_t n);

/* Why parameter i froze, for the freeze events of a run: its policy text,
 * and for freeze-pr the PR that was under the threshold ("freeze-pr:20
 * (PR 17.93)"). */
const char *ws_policy_freeze_reason(const ws_policy *p, size_t i, char *buf, size_t n);

/* Step hooks, in this order each step:
 * begin (freeze@S), forward/backward, after_backward (dA = dW·Gᵀ),
 * global_norm + clip, the optimizer, step (grid's A update, W = A·G),
 * and every few steps check_pr. */
void ws_policy_begin_step(ws_policy *p, ws_gpt *g, int64_t step);
void ws_policy_after_backward(ws_policy *p, ws_gpt *g);
/* Global gradient norm over what trains: TRAIN gradients and grid's dA. */
float ws_policy_global_norm(ws_policy *p, ws_gpt *g);
void ws_policy_clip(ws_policy *p, ws_gpt *g, float max_norm, float norm);
/* t: the optimizer's 1-based step count for bias correction. */
void ws_policy_step(ws_policy *p, ws_gpt *g, const ws_adamw_opts *o, float lr, int64_t t);
/* Freeze the freeze-pr matrices whose PR fell under their threshold;
 * returns how many were frozen now. */
int ws_policy_check_pr(ws_policy *p, ws_gpt *g);

/* Weight participation ratio of a rows × cols matrix (centred rows). */
double ws_weight_pr(const float *w, int64_t rows, int64_t cols);

/* Checkpoint: the policy state as JSON (for metadata) plus grid tensors
 * ("grid.A.NAME", "grid.m.NAME", "grid.v.NAME") added to `out`. */
char *ws_policy_state_json(const ws_policy *p, const ws_gpt *g, ws_err *e);
int ws_policy_save_tensors(const ws_policy *p, ws_gpt *g, ws_model *out, ws_err *e);
/* Rebuild a policy from a checkpoint written by the two above: no
 * replacement is redone (the weights already carry them); trainable flags,
 * pending freeze rules and grid state come back exactly. */
ws_policy *ws_policy_restore(ws_gpt *g, const char *json, ws_model *ckpt, ws_err *e);

#endif
