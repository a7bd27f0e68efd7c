/* Null baselines of the fit statistics (fit_nulls.h). */
#include "fit_nulls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The fit every draw gets: the matrix's options on all of the draw's rows,
 * one thread (the draws run in parallel), no predictability. */
typedef struct null_ctx {
    ws_fit_matrix_opts mo;
} null_ctx;

static int fit_stats(const void *ctx, const float *w, int64_t rows, int64_t cols, double *out, ws_err *e)
{
    const null_ctx *c = ctx;
    ws_fit_result r;
    if (ws_fit_matrix(w, rows, cols, &c->mo, &r, NULL, e) < 0)
        return -1;
    out[WS_FN_R2] = r.s.r2;
    out[WS_FN_CENTRE_LIN] = r.s.centre_linearity;
    out[WS_FN_CENTRE_EV_R] = r.s.centre_ev_r;
    out[WS_FN_L2_R2] = r.l2 ? r.l2->r2_rows : NAN;
    ws_fit_result_free(&r);
    return 0;
}

/* Gaussian noise rows: the statistics do not see the scale, so sd 1. */
static int fit_gauss(const void *ctx, int64_t rows, int64_t cols, double sd, ws_rng *rng, double *out,
                     ws_err *e)
{
    (void)sd;
    float *w = malloc(sizeof(float) * (size_t)(rows * cols) + 1);
    if (!w) return ws_fail(e, "out of memory for a null draw");
    for (int64_t i = 0; i < rows * cols; i++) w[i] = (float)ws_rng_normal(rng);
    int rc = fit_stats(ctx, w, rows, cols, out, e);
    free(w);
    return rc;
}

/* Every job is fitted alike (one context), so one shape is one law. */
static int same_law(const void *a, const void *b) { return a == b; }
static void no_scale(const void *ctx, double sd, double *out) { (void)ctx, (void)sd, (void)out; }

static const ws_null_stat fit_null_stat = {fit_stats, fit_gauss, same_law, no_scale};

int ws_fit_nulls_run(ws_fit_null_job *jobs, size_t n_jobs, const ws_fit_matrix_opts *o,
                     const ws_null_opts *no, ws_progress *p, ws_err *e)
{
    for (size_t i = 0; i < n_jobs; i++) memset(&jobs[i].s->null, 0, sizeof jobs[i].s->null);
    if (no->n <= 0 || n_jobs == 0) return 0;
    null_ctx ctx = {.mo = *o};
    ctx.mo.threads = 1, ctx.mo.sample = 0, ctx.mo.spec = NULL;
    ws_null_item *items = calloc(n_jobs, sizeof *items);
    float **rows = calloc(n_jobs, sizeof *rows);
    double *x = malloc(sizeof(double) * WS_FN_COUNT * n_jobs);
    ws_null *out = calloc(WS_FN_COUNT * WS_NULL_NFAM * n_jobs, sizeof *out);
    int rc = items && rows && x && out ? 0 : ws_fail(e, "out of memory for the null baselines");
    for (size_t i = 0; rc == 0 && i < n_jobs; i++) {
        const ws_fit_result *r = jobs[i].r;
        int64_t m = r->s.fitted, n = jobs[i].n;
        rows[i] = malloc(sizeof(float) * (size_t)(m * n) + 1);
        if (!rows[i]) { rc = ws_fail(e, "out of memory for the null baselines"); break; }
        for (int64_t k = 0; k < m; k++)   /* the rows the fit used: the draws have as many */
            memcpy(rows[i] + k * n, jobs[i].W + r->row_index[k] * n, sizeof(float) * (size_t)n);
        double *xi = x + i * WS_FN_COUNT;
        xi[WS_FN_R2] = r->s.r2, xi[WS_FN_CENTRE_LIN] = r->s.centre_linearity;
        xi[WS_FN_CENTRE_EV_R] = r->s.centre_ev_r, xi[WS_FN_L2_R2] = r->l2 ? r->l2->r2_rows : NAN;
        items[i] = (ws_null_item){.w = rows[i], .rows = m, .cols = n, .key = ws_null_key(jobs[i].name),
                                  .stat = &fit_null_stat, .ctx = &ctx, .nstat = WS_FN_COUNT,
                                  .nsummary = WS_FN_COUNT, .x = xi, .out = out + i * WS_FN_COUNT * WS_NULL_NFAM};
    }
    if (rc == 0) rc = ws_null_run(items, n_jobs, no, p, e);
    for (size_t i = 0; rc == 0 && i < n_jobs; i++) {
        ws_fit_nulls *fn = &jobs[i].s->null;
        fn->n = no->n;
        for (int s = 0; s < WS_FN_COUNT; s++)
            for (int f = 0; f < WS_NULL_NFAM; f++) fn->s[s][f] = items[i].out[s * WS_NULL_NFAM + f];
    }
    for (size_t i = 0; rows && i < n_jobs; i++) free(rows[i]);
    free(items), free(rows), free(x), free(out);
    return rc;
}
