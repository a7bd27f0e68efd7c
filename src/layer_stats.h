/* The layers table's statistics of one matrix as one vector, so the null
 * baselines (null.h) can compute them on null matrices and draw them under
 * the gauss family from their exact law:
 *   weight spectrum (pr.h): PR, PC1 share, components for 95 %, stable rank
 *     of the (centred by default) covariance;
 *   ESD (esd.h): α, α̂, log10 λ_max, ‖W‖²_F/σ₁², spikes above the MP edge;
 *   amplitudes (amp.h): PR, PC1 share, components for 95 %, max |corr|,
 *     kurtosis of the grid fit's amplitudes;
 * then, for the global amplitude row, the amplitude matrix's sufficient
 * sums (rows, Σa, Σaaᵀ, Σx, Σx², Σx³, Σx⁴ over its values), which add over
 * matrices.
 *
 * On a matrix (the permutation draws) the amplitudes come from one float32
 * sgemm with the grid's operator, and both covariance spectra from one
 * Gram summed from float32 blocks (ws_matrix_eigs_both): about 1e-6
 * relative, far inside any null's spread, and twice as fast; the reported
 * values themselves are computed in double (analysis.h).
 *
 * Under the gauss family (i.i.d. N(0, s²)) the covariance spectra are
 * Wishart: drawn by ws_laguerre_draw (rmt.h) with rows − 1 (centred) or
 * rows degrees of freedom; the amplitude rows are i.i.d. N(0, s²·R⁻¹R⁻ᵀ)
 * (ws_grid_r, fit.h), drawn as s·R⁻¹z. */
#ifndef WS_LAYER_STATS_H
#define WS_LAYER_STATS_H

#include <stdint.h>

#include "amp.h"
#include "error.h"
#include "esd.h"
#include "fit.h"
#include "null.h"
#include "pr.h"

enum {
    WS_LS_PR, WS_LS_PC1, WS_LS_COMPS95, WS_LS_SRANK,
    WS_LS_ALPHA, WS_LS_ALPHA_HAT, WS_LS_LOG_SNORM, WS_LS_SRANK_RAW, WS_LS_SPIKES,
    WS_LS_AMP_PR, WS_LS_AMP_PC1, WS_LS_AMP_COMPS95, WS_LS_AMP_CORR, WS_LS_AMP_KURT,
    WS_LS_COUNT,            /* the statistics; the sufficient sums follow */
    WS_LS_AUX = WS_LS_COUNT
};

/* Parts of the vector (the analysis's WS_AN_* bits for them). */
enum { WS_LS_PART_PR = 1, WS_LS_PART_ESD = 2, WS_LS_PART_AMP = 4 };

typedef struct ws_layer_ctx {
    unsigned parts;        /* WS_LS_PART_* computed; the others are NaN */
    int centred;           /* the weight spectrum's covariance */
    int amp_k;
    ws_grid_centres centres;   /* the grid's centres (fit.h) */
    double R[WS_FIT_KMAX * WS_FIT_KMAX];   /* ws_grid_r for the matrix's columns */
    float *Pt;             /* ... and its amplitude operator (cols × amp_k) */
} ws_layer_ctx;

/* Values per vector for amplitudes with k Gaussians. */
static inline int ws_layer_nstat(int k) { return WS_LS_AUX + 1 + k + k * k + 4; }

/* Set up for a rows × cols matrix (the grid's R and Pt when amplitudes are
 * on, with the given centres); free with ws_layer_ctx_free. */
int ws_layer_ctx_init(ws_layer_ctx *c, unsigned parts, int centred, int amp_k, ws_grid_centres centres,
                      int64_t cols, ws_err *e);
void ws_layer_ctx_free(ws_layer_ctx *c);

/* The statistics vector of a finite W into out[ws_layer_nstat(amp_k)]. */
int ws_layer_stats(const void *ctx, const float *w, int64_t rows, int64_t cols, double *out,
                   ws_err *e);
/* One draw of it under the gauss family with standard deviation sd. */
int ws_layer_stats_gauss(const void *ctx, int64_t rows, int64_t cols, double sd, ws_rng *r,
                         double *out, ws_err *e);

extern const ws_null_stat ws_layer_null_stat;

/* Fill the statistics of the parts from results already computed. */
void ws_layer_vector(const ws_pr *pr, const ws_esd *esd, const ws_amp *amp, double *x);

/* The amplitude sums of a (rows × k) into aux (1 + k + k² + 4 values). */
void ws_amp_sums(const float *a, int64_t rows, int k, double *aux);
/* The amplitude structure (PR, PC1, comps95, max |corr|, kurtosis) of the
 * matrices whose sums were added into aux. */
int ws_amp_from_sums(const double *aux, int k, ws_amp *out, ws_err *e);

#endif
