/* Null baselines (DESIGN.md §3, "Nulls"): what chance alone gives for a
 * statistic of a matrix W, from null matrices of W's shape and scale.
 *
 * Two families:
 *   gauss  i.i.d. N(0, s²) entries, s = W's standard deviation (over all
 *          entries, population). W's mean is not kept: a statistic that
 *          does not centre (the ESD, spectral energy, QᵀK) counts a mean
 *          as structure.
 *   perm   each row of W with its entries permuted (Fisher–Yates): every
 *          row keeps its values, the columns lose their structure.
 * N draws of each (default WS_NULL_N_DEFAULT). Draw k of family f for the
 * object with key K (ws_null_key of its name) uses its own generator,
 * seeded from (seed, K, f, k): the numbers depend on nothing else (not the
 * thread count, not the other matrices).
 *
 * Summary of statistic x over the finite draws: mean, standard deviation
 * (n − 1 in the denominator) and z = (x − mean)/std; z is NaN with fewer
 * than two finite draws or no spread (std 0).
 *
 * ws_null_run evaluates many (matrix, statistic) items at once, every draw
 * of every item a task of one parallel loop. A statistic may give a
 * shortcut for the gauss family that draws its values from their exact law
 * without building the noise matrix (rmt.h); it must agree in distribution
 * with building it, which the tests check. The gauss law depends only on
 * the shape and the scale, so matrices of one shape may share its draws
 * (ws_null_stat.same): a model's 8 qkv matrices then cost one set. */
#ifndef WS_NULL_H
#define WS_NULL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "rng.h"
#include "threads.h"

typedef enum ws_null_family { WS_NULL_GAUSS = 0, WS_NULL_PERM, WS_NULL_NFAM } ws_null_family;

#define WS_NULL_N_DEFAULT 10
#define WS_NULL_N_MAX 10000
#define WS_NULL_SEED_DEFAULT 1

typedef struct ws_null_opts {
    int n;            /* draws per family; 0 = no nulls */
    uint64_t seed;
} ws_null_opts;

void ws_null_opts_default(ws_null_opts *o);

/* One statistic under one family. */
typedef struct ws_null {
    double mean, std, z;
    int n;            /* finite draws */
} ws_null;

/* "null" for gauss, "perm" for perm: the infix of the output names
 * (X_null_mean, X_perm_z). */
const char *ws_null_family_key(ws_null_family f);

/* FNV-1a of a name: the key of a matrix. */
uint64_t ws_null_key(const char *name);
void ws_null_rng(ws_rng *r, uint64_t seed, uint64_t key, ws_null_family f, int draw);

/* Population standard deviation of n floats (double sums). */
double ws_null_sd(const float *w, size_t n);
/* A null matrix of family f for W (rows × cols, `sd` its ws_null_sd) into
 * out (rows × cols). */
void ws_null_matrix(ws_null_family f, const float *w, int64_t rows, int64_t cols, double sd,
                    ws_rng *r, float *out);

/* Summary of x against draws[0], draws[stride], … (n of them; NaN draws
 * skipped). */
void ws_null_summarise(double x, const double *draws, int n, int stride, ws_null *out);

/* A vector of statistics of a matrix. `fn` computes them from a matrix;
 * `gauss` (may be NULL) draws them under the gauss family directly. Both
 * return -1 with a message only on failure (no memory, LAPACK); a
 * statistic that does not exist for a draw is NaN. */
typedef struct ws_null_stat {
    int (*fn)(const void *ctx, const float *w, int64_t rows, int64_t cols, double *out,
              ws_err *e);
    int (*gauss)(const void *ctx, int64_t rows, int64_t cols, double sd, ws_rng *r, double *out,
                 ws_err *e);
    /* Optional, with `gauss`: when `same` says two items' contexts give the
     * same law up to the scale, items of one shape share their gauss draws:
     * drawn once at sd 1 (the generator keyed by the shape, not the name),
     * then `scale` turns a draw into one at the item's sd. */
    int (*same)(const void *ctx_a, const void *ctx_b);
    void (*scale)(const void *ctx, double sd, double *out);
} ws_null_stat;

typedef struct ws_null_item {
    const float *w;
    int64_t rows, cols;
    uint64_t key;
    const ws_null_stat *stat;
    const void *ctx;
    int nstat;            /* values per draw */
    int nsummary;         /* the first nsummary of them are summarised into out */
    const double *x;      /* observed values (nsummary) */
    ws_null *out;         /* nsummary × WS_NULL_NFAM: out[s·WS_NULL_NFAM + f] */
    double *draws;        /* may be NULL; else WS_NULL_NFAM·n·nstat values:
                           * draws[(f·n + k)·nstat + s] */
} ws_null_item;

/* Run every draw of every item (o->n per family) on all cores; progress
 * counts draws (added to p->total). Cancelling returns -1 "cancelled". */
int ws_null_run(ws_null_item *items, size_t n_items, const ws_null_opts *o, ws_progress *p,
                ws_err *e);

#endif
