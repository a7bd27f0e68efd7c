/* Null baselines of the analysis's per-matrix statistics (null.h): the
 * layers table's (layer_stats.h: weight spectrum, ESD, amplitudes; and the
 * global amplitude row) and the corpus basis's (basis_stats.h; and the
 * pooled share). Every draw of every matrix runs in one parallel loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

/* The statistics (WS_LS_* ranges) of each layers-table part. */
static const struct {
    unsigned an, part;
    int first, last;
} layer_parts[] = {
    {WS_AN_PR, WS_LS_PART_PR, WS_LS_PR, WS_LS_SRANK},
    {WS_AN_ESD, WS_LS_PART_ESD, WS_LS_ALPHA, WS_LS_SPIKES},
    {WS_AN_AMP, WS_LS_PART_AMP, WS_LS_AMP_PR, WS_LS_AMP_KURT},
};
enum { N_LAYER_PARTS = sizeof layer_parts / sizeof *layer_parts };

static int part_ok(const ws_mat_result *r, unsigned an)
{
    switch (an) {
    case WS_AN_PR: return r->pr.status == WS_AS_OK;
    case WS_AN_ESD: return r->esd.status == WS_AS_OK;
    case WS_AN_AMP: return r->amp.status == WS_AS_OK && r->amps;
    default: return r->energy.status == WS_AS_OK;
    }
}

/* One batch of null items, one per matrix that takes part. */
typedef struct batch {
    ws_null_item *items;
    size_t *mat;             /* item → matrix index */
    double *x;               /* observed vectors, nsum each */
    ws_null *out;            /* nsum·NFAM each */
    double *draws;           /* NFAM·n·nstat each */
    size_t n;
    int nstat, nsum;
} batch;

static int batch_init(batch *b, size_t cap, int nstat, int nsum, int ndraws)
{
    cap = cap ? cap : 1;
    *b = (batch){.items = calloc(cap, sizeof *b->items), .mat = calloc(cap, sizeof *b->mat),
                 .x = calloc(cap * (size_t)nsum, sizeof *b->x),
                 .out = calloc(cap * (size_t)nsum * WS_NULL_NFAM, sizeof *b->out),
                 .draws = malloc(cap * WS_NULL_NFAM * (size_t)ndraws * (size_t)nstat * sizeof *b->draws),
                 .nstat = nstat, .nsum = nsum};
    return b->items && b->mat && b->x && b->out && b->draws ? 0 : -1;
}

static void batch_free(batch *b)
{
    free(b->items), free(b->mat), free(b->x), free(b->out), free(b->draws);
}

/* Add matrix i with its statistic and context; returns its observed vector. */
static double *batch_add(batch *b, const ws_analysis *a, size_t i, const float *w,
                         const ws_null_stat *stat, const void *ctx)
{
    const ws_mat_result *r = &a->mats[i];
    size_t at = b->n++;
    b->mat[at] = i;
    b->items[at] = (ws_null_item){
        .w = w, .rows = r->t->rows, .cols = r->t->cols, .key = ws_null_key(r->t->name),
        .stat = stat, .ctx = ctx, .nstat = b->nstat, .nsummary = b->nsum, .x = b->x + at * b->nsum,
        .out = b->out + at * b->nsum * WS_NULL_NFAM,
        .draws = b->draws + at * WS_NULL_NFAM * (size_t)a->o.null.n * b->nstat};
    return b->x + at * b->nsum;
}

/* Draw d of family f of item it, value s. */
static double draw_of(const batch *b, int n, size_t it, int f, int d, int s)
{
    return b->items[it].draws[((size_t)f * n + d) * b->nstat + s];
}

/* ---- the layers table ---- */

static int layer_items(ws_analysis *a, unsigned parts, batch *b, ws_layer_ctx *ctx, ws_err *e)
{
    for (size_t i = 0; i < a->n; i++) {
        ws_mat_result *r = &a->mats[i];
        unsigned lp = 0;
        for (int k = 0; k < N_LAYER_PARTS; k++)
            if ((parts & layer_parts[k].an) && part_ok(r, layer_parts[k].an))
                lp |= layer_parts[k].part;
        if (!lp)
            continue;
        const float *w = ws_tensor_f32(r->t, e);
        ws_layer_ctx *c = &ctx[b->n];
        if (!w || ws_layer_ctx_init(c, lp, a->o.centred, a->o.amp_k, a->o.amp_centres, r->t->cols, e) < 0)
            return ws_wrap(e, "%s", r->t->name);
        ws_layer_vector(&r->pr, &r->esd, &r->amp, batch_add(b, a, i, w, &ws_layer_null_stat, c));
    }
    return 0;
}

/* The global amplitude row: draw k of each family pools draw k of every
 * per-layer matrix through the amplitude sums. */
static int global_amp_null(ws_analysis *a, const batch *b, const ws_layer_ctx *ctx, ws_err *e)
{
    int k = a->o.amp_k, n = a->o.null.n, naux = 1 + k + k * k + 4;
    double *sum = malloc(sizeof(double) * (size_t)naux);
    double *st = malloc(sizeof(double) * WS_LS_COUNT * (size_t)n);
    int rc = sum && st ? 0 : ws_fail(e, "out of memory");
    double x[WS_LS_COUNT];
    ws_layer_vector(NULL, NULL, &a->amp_global, x);
    for (int f = 0; rc == 0 && f < WS_NULL_NFAM; f++) {
        for (int d = 0; rc == 0 && d < n; d++) {
            memset(sum, 0, sizeof(double) * (size_t)naux);
            for (size_t it = 0; it < b->n; it++)
                if (a->mats[b->mat[it]].t->layer >= 0 && (ctx[it].parts & WS_LS_PART_AMP))
                    for (int q = 0; q < naux; q++)
                        sum[q] += draw_of(b, n, it, f, d, WS_LS_AUX + q);
            ws_amp g;
            rc = ws_amp_from_sums(sum, k, &g, e);
            ws_layer_vector(NULL, NULL, &g, st + (size_t)d * WS_LS_COUNT);
        }
        for (int s = WS_LS_AMP_PR; rc == 0 && s <= WS_LS_AMP_KURT; s++)
            ws_null_summarise(x[s], st + s, n, WS_LS_COUNT, &a->amp_global_null[s][f]);
    }
    free(sum), free(st);
    return rc;
}

static int layer_prepare(ws_analysis *a, unsigned parts, batch *b, ws_layer_ctx **ctx, ws_err *e)
{
    *ctx = calloc(a->n ? a->n : 1, sizeof **ctx);
    if (batch_init(b, a->n, ws_layer_nstat(a->o.amp_k), WS_LS_COUNT, a->o.null.n) < 0 || !*ctx)
        return ws_fail(e, "out of memory for the null baselines");
    return layer_items(a, parts, b, *ctx, e);
}

/* The run's draws into the results (the parts computed now; the others'
 * nulls stay) and the global amplitude row. */
static int layer_finish(ws_analysis *a, unsigned parts, const batch *b, const ws_layer_ctx *ctx,
                        ws_err *e)
{
    for (size_t it = 0; it < b->n; it++)
        for (int k = 0; k < N_LAYER_PARTS; k++)
            if (parts & layer_parts[k].an)
                for (int s = layer_parts[k].first; s <= layer_parts[k].last; s++)
                    memcpy(a->mats[b->mat[it]].null[s], b->items[it].out + s * WS_NULL_NFAM,
                           sizeof(ws_null) * WS_NULL_NFAM);
    return (parts & WS_AN_AMP) ? global_amp_null(a, b, ctx, e) : 0;
}

static void layer_free(const ws_analysis *a, batch *b, ws_layer_ctx *ctx)
{
    batch_free(b);
    for (size_t i = 0; ctx && i < a->n; i++)
        ws_layer_ctx_free(&ctx[i]);
    free(ctx);
}

/* ---- the corpus basis ---- */

/* The matrices the pooled share runs over: per-layer, with a usable energy. */
static int pooled(const ws_mat_result *r) { return r->t->layer >= 0 && r->energy.status == WS_AS_OK; }

static void pool_share(ws_analysis *a)
{
    double kept = 0, total = 0;
    for (size_t i = 0; i < a->n; i++)
        if (pooled(&a->mats[i])) {
            kept += a->mats[i].share * a->mats[i].energy.total;
            total += a->mats[i].energy.total;
        }
    a->pooled_share = total > 0 ? kept / total : NAN;
    a->pooled_iso = a->spec.d > 0 ? (double)a->o.basis_k / a->spec.d : NAN;
}

static int basis_prepare(ws_analysis *a, batch *b, ws_basis_ctx *ctx, ws_err *e)
{
    *ctx = (ws_basis_ctx){.spec = &a->spec, .k = a->o.basis_k};
    if (batch_init(b, a->n, WS_BS_NSTAT, WS_BS_COUNT, a->o.null.n) < 0)
        return ws_fail(e, "out of memory for the null baselines");
    for (size_t i = 0; i < a->n; i++) {
        ws_mat_result *r = &a->mats[i];
        if (!part_ok(r, WS_AN_ENERGY))
            continue;
        const float *w = ws_tensor_f32(r->t, e);
        if (!w)
            return ws_wrap(e, "%s", r->t->name);
        double *x = batch_add(b, a, i, w, &ws_basis_null_stat, ctx);
        x[WS_BS_COMPS50] = r->energy.comps50, x[WS_BS_COMPS90] = r->energy.comps90;
        x[WS_BS_SHARE] = r->share;
    }
    return 0;
}

/* The run's draws into the results, and the pooled share's null. */
static int basis_finish(ws_analysis *a, const batch *b, ws_err *e)
{
    int n = a->o.null.n;
    for (size_t it = 0; it < b->n; it++)
        memcpy(a->mats[b->mat[it]].energy_null, b->items[it].out, sizeof(ws_null) * WS_BS_COUNT * WS_NULL_NFAM);
    /* The pooled share's draw k: Σ kept / Σ total of draw k over the pool. */
    double *st = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (!st)
        return ws_fail(e, "out of memory");
    for (int f = 0; f < WS_NULL_NFAM; f++) {
        for (int d = 0; d < n; d++) {
            double kept = 0, total = 0;
            for (size_t it = 0; it < b->n; it++)
                if (pooled(&a->mats[b->mat[it]])) {
                    kept += draw_of(b, n, it, f, d, WS_BS_KEPT);
                    total += draw_of(b, n, it, f, d, WS_BS_TOTAL);
                }
            st[d] = total > 0 ? kept / total : NAN;
        }
        ws_null_summarise(a->pooled_share, st, n, 1, &a->pooled_share_null[f]);
    }
    free(st);
    return 0;
}

/* Both tables' draws in one run: a matrix's permutation draws then serve
 * both (null.c), with one Gram (gram.h). */
static int run_batches(ws_analysis *a, batch *lb, batch *bb, ws_progress *p, ws_err *e)
{
    size_t n = lb->n + bb->n;
    ws_null_item *items = malloc((n ? n : 1) * sizeof *items);
    if (!items)
        return ws_fail(e, "out of memory for the null baselines");
    if (lb->n)   /* a batch not asked for has no items (memcpy from NULL is undefined) */
        memcpy(items, lb->items, lb->n * sizeof *items);
    if (bb->n)
        memcpy(items + lb->n, bb->items, bb->n * sizeof *items);
    int rc = ws_null_run(items, n, &a->o.null, p, e);
    free(items);
    return rc;
}

int ws_analysis_nulls(ws_analysis *a, unsigned computed, unsigned parts, ws_progress *p, ws_err *e)
{
    if (computed & WS_AN_ENERGY)
        pool_share(a);
    if (a->o.null.n <= 0)
        return 0;
    int layers = (parts & (WS_AN_PR | WS_AN_ESD | WS_AN_AMP)) != 0;
    int basis = (parts & WS_AN_ENERGY) && a->spec.status == WS_AS_OK;
    batch lb = {0}, bb = {0};
    ws_layer_ctx *lctx = NULL;
    ws_basis_ctx bctx;
    int rc = layers ? layer_prepare(a, parts, &lb, &lctx, e) : 0;
    if (rc == 0 && basis)
        rc = basis_prepare(a, &bb, &bctx, e);
    if (rc == 0)
        rc = run_batches(a, &lb, &bb, p, e);
    if (rc == 0 && layers)
        rc = layer_finish(a, parts, &lb, lctx, e);
    if (rc == 0 && basis)
        rc = basis_finish(a, &bb, e);
    layer_free(a, &lb, lctx);
    batch_free(&bb);
    return rc;
}
