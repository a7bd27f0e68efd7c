/* Every structural analysis of one model, cached: the embedding
 * spectrum, and per weight matrix its weight PR, ESD diagnostics, spectral
 * energy / corpus basis share, and amplitude structure, each statistic with
 * its null baselines (null.h; o.null.n draws per family, 0 for none).
 * Parts are computed on demand and kept; the work can run on a worker
 * thread with progress and cancel.
 *
 * The matrices are the 2-D weights with a role: embed, pos_embed, per layer
 * qkv, attn_out, mlp_up, mlp_down, and head (when not tied). */
#ifndef WS_ANALYSIS_H
#define WS_ANALYSIS_H

#include <pthread.h>
#include <stddef.h>

#include "amp.h"
#include "basis_stats.h"
#include "drift.h"
#include "error.h"
#include "esd.h"
#include "layer_stats.h"
#include "model.h"
#include "null.h"
#include "pr.h"
#include "spectrum.h"
#include "threads.h"

enum {
    WS_AN_SPECTRUM = 1,   /* eigen-decomposition of EᵀE */
    WS_AN_PR = 2,         /* weight PR of every matrix */
    WS_AN_ENERGY = 4,     /* spectral energy and basis share (needs the spectrum) */
    WS_AN_AMP = 8,        /* amplitude structure from the grid fit */
    WS_AN_DRIFT = 16,     /* drift from the base model (ws_analysis_set_base) */
    WS_AN_ESD = 32,       /* WeightWatcher's diagnostics of every matrix (esd.h) */
    WS_AN_NULLS = 64,     /* with the others: their null baselines too (o.null) */
    WS_AN_LAYERS = WS_AN_PR | WS_AN_AMP | WS_AN_ESD,
    WS_AN_NULLABLE = WS_AN_PR | WS_AN_AMP | WS_AN_ESD | WS_AN_ENERGY,
    WS_AN_ALL = 15 | WS_AN_ESD,   /* everything about this model alone (no nulls) */
};

typedef struct ws_analysis_opts {
    int centred;       /* weight PR on the centred covariance (default 1) */
    double pair_tol;   /* < 0 (default): pairs by the spacing test; ≥ 0: by this tolerance */
    double pair_alpha; /* the spacing test's level, WS_PAIR_ALPHA_DEFAULT */
    int basis_k;       /* WS_BASIS_K_DEFAULT */
    int amp_k;         /* WS_AMP_K_DEFAULT */
    ws_grid_centres amp_centres;   /* the amplitudes' grid centres (fit.h), default inner */
    ws_null_opts null; /* null baselines: WS_NULL_N_DEFAULT draws per family, seed 1 */
    int drift_all;     /* drift over training state and buffers too (default: the network) */
} ws_analysis_opts;

void ws_analysis_opts_default(ws_analysis_opts *o);

typedef struct ws_mat_result {
    ws_tensor *t;
    ws_pr pr;
    ws_energy energy;      /* of W, or of Wᵀ when only its rows have length d */
    double *energies;      /* its d component energies ‖W vᵢ‖² (NULL when not computed) */
    int energy_transposed;
    double share;          /* basis share for the top basis_k eigenvectors */
    ws_amp amp;
    float *amps;           /* rows × amp_k grid amplitudes (kept for the global) */
    ws_esd esd;
    double pr_mp, pc1_mp;  /* PR and PC1 share of white noise of this shape (rmt.h) */
    /* Null baselines of the layers table's statistics (WS_LS_*, layer_stats.h)
     * per family: null[WS_LS_PR][WS_NULL_GAUSS].z is the weight PR's z against
     * Gaussian noise. n = 0 where none was computed. */
    ws_null null[WS_LS_COUNT][WS_NULL_NFAM];
    /* ... and of the basis statistics (WS_BS_*: comps50, comps90, share). */
    ws_null energy_null[WS_BS_COUNT][WS_NULL_NFAM];
} ws_mat_result;

typedef struct ws_analysis {
    ws_model *m;
    ws_analysis_opts o;
    unsigned have;          /* parts computed so far */
    unsigned null_have;     /* parts whose null baselines are computed */
    ws_tensor *embed;       /* NULL when the model has no embed role */
    ws_spectrum spec;
    size_t n;
    ws_mat_result *mats;
    ws_amp amp_global;      /* over the per-layer matrices' amplitudes stacked */
    ws_null amp_global_null[WS_LS_COUNT][WS_NULL_NFAM];   /* its WS_LS_AMP_* rows */
    /* The corpus basis pooled over the per-layer matrices with a side of
     * length d: Σ kept / Σ ‖W‖² (the notes' single "R² at K"), beside K/d,
     * what an isotropic matrix keeps. */
    double pooled_share, pooled_iso;
    ws_null pooled_share_null[WS_NULL_NFAM];
    const ws_model *base;   /* for WS_AN_DRIFT: this model is the tuned one */
    ws_drift_report drift;

    /* Worker thread (ws_analysis_start). */
    pthread_t tid;
    int started;
    unsigned want;
    ws_progress prog;
    atomic_int finished;
    int rc;
    ws_err err;
} ws_analysis;

/* Gather the model's matrices; computes nothing yet. */
ws_analysis *ws_analysis_new(ws_model *m, const ws_analysis_opts *o, ws_err *e);
void ws_analysis_free(ws_analysis *a);

/* Compare this model with `base` (-1 when no tensor of one corresponds to
 * one of the other: drift.h); WS_AN_DRIFT then fills a->drift. */
int ws_analysis_set_base(ws_analysis *a, const ws_model *base, ws_err *e);

/* Compute the parts in `what` not computed yet, here and now. `p` may be
 * NULL; its total is set; cancelling returns -1 ("cancelled") and keeps
 * what was finished before. */
int ws_analysis_compute(ws_analysis *a, unsigned what, ws_progress *p, ws_err *e);

/* The same on a worker thread: progress in a->prog, poll
 * ws_analysis_finished, then ws_analysis_wait for the result. */
int ws_analysis_start(ws_analysis *a, unsigned what, ws_err *e);
int ws_analysis_finished(ws_analysis *a);
void ws_analysis_cancel(ws_analysis *a);
int ws_analysis_wait(ws_analysis *a, ws_err *e);

/* After the per-matrix parts `computed`: the pooled share (with the
 * energy), and the null baselines of the parts in `nulls`
 * (analysis_nulls.c; called by ws_analysis_compute). */
int ws_analysis_nulls(ws_analysis *a, unsigned computed, unsigned nulls, ws_progress *p, ws_err *e);

/* The result row for a tensor, or NULL. */
ws_mat_result *ws_analysis_find(ws_analysis *a, const ws_tensor *t);

#endif
