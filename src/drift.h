/* Drift between two versions of a weight (DESIGN.md §3), in double sums:
 *   RMS = ‖W1 − W0‖ / √N,  relative = ‖W1 − W0‖ / ‖W0‖,
 *   cosine = ⟨W0, W1⟩ / (‖W0‖ ‖W1‖)   (matrices flattened, Frobenius norms).
 * Per layer, the same with the sums taken over every tensor of the layer. */
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

/* Same layout, same tensor names, same shapes; else -1 with a message
 * naming the first mismatch. */
int ws_drift_check_models(const ws_model *base, const ws_model *tuned, ws_err *e);

typedef struct ws_drift_report {
    size_t n;              /* one per tensor of base, in file order */
    ws_tensor **t0, **t1;
    ws_drift *per_tensor;
    int n_layers;
    ws_drift *per_layer;   /* pooled over every tensor with that layer index */
    ws_drift all;          /* pooled over every tensor */
} ws_drift_report;

/* Drift of every tensor (checked with ws_drift_check_models first), in
 * parallel over tensors; adds the tensor count to p->total and one per
 * tensor done; honours p's cancel (-1). */
int ws_drift_models(const ws_model *base, const ws_model *tuned, ws_drift_report *out,
                    ws_progress *p, ws_err *e);
void ws_drift_report_free(ws_drift_report *r);

/* ΔW of one matching tensor pair as a new rows × cols array (caller frees). */
float *ws_drift_delta_tensor(ws_tensor *t0, ws_tensor *t1, ws_err *e);

#endif
