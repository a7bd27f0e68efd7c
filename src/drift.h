/* Drift between two versions of a weight (DESIGN.md §3), in double sums:
 *   RMS = ‖W1 − W0‖ / √N,  relative = ‖W1 − W0‖ / ‖W0‖,
 *   cosine = ⟨W0, W1⟩ / (‖W0‖ ‖W1‖)   (matrices flattened, Frobenius norms).
 * Per layer, the same with the sums taken over every tensor of the layer;
 * for the model, over every tensor of the network. The two versions may
 * come from different formats and namings and carry training state or not:
 * tensors are matched by name, name without prefixes, or role and layer,
 * in the canonical orientation (HF Conv1D transposed). */
#ifndef WS_DRIFT_H
#define WS_DRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "astatus.h"
#include "error.h"
#include "model.h"
#include "threads.h"

typedef struct ws_drift {
    ws_astatus status;     /* NONFINITE: NaN/Inf in either; ZERO: W0 or W1 all zero */
    double rms, rel, cos;  /* NaN when undefined (rel needs W0 ≠ 0, cos both ≠ 0) */
    /* The sums behind them, so drifts can be pooled. */
    double ss_delta, ss0, ss1, dot;
    int64_t n;
    int nonfinite;
} ws_drift;

/* Add n elements to the sums; then ws_drift_finish computes the ratios. */
void ws_drift_add(ws_drift *d, const float *w0, const float *w1, size_t n);
void ws_drift_pool(ws_drift *into, const ws_drift *from);
void ws_drift_finish(ws_drift *d);

/* Why a drift has no (or partial) numbers: "ok", "base and tuned are
 * zero", "base is zero", "tuned is zero", or the status text. */
const char *ws_drift_note(const ws_drift *d);

/* ΔW = W1 − W0, element by element (for the heatmap). */
void ws_drift_delta(const float *w0, const float *w1, size_t n, float *out);

/* The tensor of `other` that stands for t (of another model): of the same
 * kind, with the same name, else the same name without wrapper prefixes
 * (names.h), else, for the network, the same role, layer and bias flag, so
 * nanoGPT, HF GPT-2 and our users' naming match. NULL when none. Shapes are
 * not checked. */
ws_tensor *ws_drift_counterpart(const ws_model *other, const ws_tensor *t);

/* Whether two models can be compared: some network tensor of `base` has a
 * counterpart in `tuned`; else -1 with a message. */
int ws_drift_check_models(const ws_model *base, const ws_model *tuned, ws_err *e);

typedef struct ws_drift_report {
    size_t n;              /* matched pairs, in base order */
    ws_tensor **t0, **t1;
    ws_drift *per_tensor;  /* EMPTY status when the pair's shapes differ */
    unsigned char *shape_differs;   /* per pair: canonical shapes differ, no numbers */
    int n_layers;
    ws_drift *per_layer;   /* pooled over the network's tensors of that layer */
    double *layer_mean_cos; /* mean of the layer's per-matrix cosines (NaN: none) */
    ws_drift all;          /* pooled over every matched tensor of the network */
    double mean_cos;       /* mean of the per-matrix cosines over the network */
    int n_mean_cos;        /* matrices in that mean */
    /* Tensors (of the kinds compared) on one side only, and the training
     * state left out when only the network is compared. */
    size_t n_only0, n_only1;
    ws_tensor **only0, **only1;
    size_t state0, state1;
} ws_drift_report;

/* Drift of every corresponding pair (ws_drift_counterpart, one to one:
 * exact names first, then stripped names, then roles), in parallel over
 * pairs; the network by default, every kind with `all_kinds` (per layer
 * and model rows stay the network's). A pair whose shapes differ gets a
 * status, not numbers; tensors without a counterpart are listed. Adds the
 * pair count to p->total and one per pair done; honours p's cancel (-1).
 * The mean of per-matrix cosines is over the network's weight matrices
 * (ws_tensor_is_weight_matrix) with a finite cosine. */
int ws_drift_models(const ws_model *base, const ws_model *tuned, int all_kinds,
                    ws_drift_report *out, ws_progress *p, ws_err *e);
void ws_drift_report_free(ws_drift_report *r);

/* ΔW of one matching tensor pair as a new rows × cols array (caller frees). */
float *ws_drift_delta_tensor(ws_tensor *t0, ws_tensor *t1, ws_err *e);

#endif
