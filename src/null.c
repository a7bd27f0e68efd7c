#include "null.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gram.h"

void ws_null_opts_default(ws_null_opts *o)
{
    *o = (ws_null_opts){.n = WS_NULL_N_DEFAULT, .seed = WS_NULL_SEED_DEFAULT};
}

const char *ws_null_family_key(ws_null_family f) { return f == WS_NULL_PERM ? "perm" : "null"; }

uint64_t ws_null_key(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return h;
}

void ws_null_rng(ws_rng *r, uint64_t seed, uint64_t key, ws_null_family f, int draw)
{
    /* ws_rng_seed runs splitmix64 over the combined value, so nearby
     * combinations still give unrelated streams. */
    uint64_t x = seed * 0x9e3779b97f4a7c15ULL ^ key;
    x = x * 0xbf58476d1ce4e5b9ULL ^ ((uint64_t)f << 32 | (uint32_t)draw);
    ws_rng_seed(r, x);
}

double ws_null_sd(const float *w, size_t n)
{
    if (n == 0)
        return NAN;
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; i++)
        mean += w[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        m2 += (w[i] - mean) * (w[i] - mean);
    return sqrt(m2 / (double)n);
}

/* Uniform integer in [0, range) from 32 random bits, without bias
 * (Lemire 2019: multiply, reject the few low products that would bias). */
static uint32_t below32(ws_rng *r, uint32_t range, uint64_t *bits, int *nbits)
{
    for (;;) {
        if (*nbits == 0)
            *bits = ws_rng_u64(r), *nbits = 2;
        uint32_t x = (uint32_t)(*bits >> (32 * --*nbits));
        uint64_t m = (uint64_t)x * range;
        uint32_t low = (uint32_t)m;
        if (low >= range || low >= (uint32_t)(-range) % range)
            return (uint32_t)(m >> 32);
    }
}

static void permute_rows(const float *w, int64_t rows, int64_t cols, float *out, ws_rng *r)
{
    uint64_t bits = 0;
    int nbits = 0;
    for (int64_t i = 0; i < rows; i++) {
        float *o = out + i * cols;
        memcpy(o, w + i * cols, (size_t)cols * sizeof *o);
        for (int64_t j = cols - 1; j > 0; j--) {
            uint32_t k = below32(r, (uint32_t)(j + 1), &bits, &nbits);
            float t = o[j];
            o[j] = o[k];
            o[k] = t;
        }
    }
}

void ws_null_matrix(ws_null_family f, const float *w, int64_t rows, int64_t cols, double sd,
                    ws_rng *r, float *out)
{
    if (f == WS_NULL_PERM) {
        permute_rows(w, rows, cols, out, r);
        return;
    }
    size_t n = (size_t)rows * (size_t)cols;
    for (size_t i = 0; i < n; i++)
        out[i] = (float)(sd * ws_rng_normal(r));
}

void ws_null_summarise(double x, const double *draws, int n, int stride, ws_null *out)
{
    double sum = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(draws[(size_t)i * stride]))
            sum += draws[(size_t)i * stride], k++;
    *out = (ws_null){.mean = NAN, .std = NAN, .z = NAN, .n = k};
    if (k == 0)
        return;
    double mean = sum / k, m2 = 0;
    for (int i = 0; i < n; i++) {
        double v = draws[(size_t)i * stride];
        if (isfinite(v))
            m2 += (v - mean) * (v - mean);
    }
    out->mean = mean;
    if (k < 2)
        return;
    out->std = sqrt(m2 / (k - 1));
    if (out->std > 0 && isfinite(x))
        out->z = (x - mean) / out->std;
}

/* ---- the parallel runner ---- */

typedef struct null_task {
    size_t item;
    ws_null_family f;
    int draw;
    double cost;
} null_task;

typedef struct null_run {
    ws_null_item *items;
    size_t n_items;
    size_t *leader;        /* per item: the item whose gauss draws it shares (itself if none) */
    size_t *next;          /* per item: the next item of its matrix (shared perm draws), or n_items */
    char *chained;         /* per item: 1 when an earlier item of its matrix runs its perm draws */
    double **unit;         /* per leader of a shared class: its draws at sd 1 */
    double **draws;        /* per item: its draws array */
    double *sd;            /* per item */
    const ws_null_opts *o;
    null_task *tasks;
    float **scratch;       /* per thread, grown on demand */
    size_t *scratch_n;
    pthread_mutex_t lock;
    int failed;
    ws_err err;
    ws_progress *p;
} null_run;

/* Two items of one matrix: their perm draws are the same matrices. */
static int same_matrix(const ws_null_item *a, const ws_null_item *b)
{
    return a->w == b->w && a->rows == b->rows && a->cols == b->cols && a->key == b->key;
}

static int needs_matrix(const ws_null_item *it, ws_null_family f)
{
    return f == WS_NULL_PERM || !it->stat->gauss;
}

static int shares(const ws_null_item *it) { return it->stat->gauss && it->stat->same && it->stat->scale; }

/* The key of a shape: shared gauss draws do not depend on which matrix leads. */
static uint64_t shape_key(int64_t rows, int64_t cols)
{
    char buf[48];
    snprintf(buf, sizeof buf, "shape %lldx%lld", (long long)rows, (long long)cols);
    return ws_null_key(buf);
}

static int run_task(null_run *run, const null_task *t, int tid, ws_err *e)
{
    const ws_null_item *it = &run->items[t->item];
    int n = run->o->n;
    double *out = run->draws[t->item] + ((size_t)t->f * n + t->draw) * it->nstat;
    ws_rng r;
    if (t->f == WS_NULL_GAUSS && shares(it)) {
        ws_null_rng(&r, run->o->seed, shape_key(it->rows, it->cols), t->f, t->draw);
        out = run->unit[t->item] + (size_t)t->draw * it->nstat;
        return it->stat->gauss(it->ctx, it->rows, it->cols, 1.0, &r, out, e);
    }
    ws_null_rng(&r, run->o->seed, it->key, t->f, t->draw);
    if (!needs_matrix(it, t->f))
        return it->stat->gauss(it->ctx, it->rows, it->cols, run->sd[t->item], &r, out, e);
    size_t need = (size_t)it->rows * (size_t)it->cols;
    if (run->scratch_n[tid] < need) {
        free(run->scratch[tid]);
        run->scratch[tid] = malloc(need * sizeof(float));
        run->scratch_n[tid] = run->scratch[tid] ? need : 0;
        if (!run->scratch[tid])
            return ws_fail(e, "out of memory for a %lldx%lld null matrix", (long long)it->rows,
                           (long long)it->cols);
    }
    float *m = run->scratch[tid];
    ws_null_matrix(t->f, it->w, it->rows, it->cols, run->sd[t->item], &r, m);
    if (t->f != WS_NULL_PERM)
        return it->stat->fn(it->ctx, m, it->rows, it->cols, out, e);
    /* A permutation draw serves every item of the matrix, one Gram for all. */
    ws_gram_f32_memo_begin();
    int rc = 0;
    for (size_t i = t->item; rc == 0 && i != run->n_items; i = run->next[i]) {
        const ws_null_item *x = &run->items[i];
        rc = x->stat->fn(x->ctx, m, x->rows, x->cols,
                         run->draws[i] + ((size_t)t->f * n + t->draw) * x->nstat, e);
    }
    ws_gram_f32_memo_end();
    return rc;
}

static void run_range(size_t begin, size_t end, int tid, void *user)
{
    null_run *run = user;
    for (size_t i = begin; i < end; i++) {
        ws_err e;
        if (run_task(run, &run->tasks[i], tid, &e) < 0) {
            pthread_mutex_lock(&run->lock);
            if (!run->failed) {
                run->failed = 1;
                run->err = e;
                if (run->p)
                    atomic_store(&run->p->cancel, 1);
            }
            pthread_mutex_unlock(&run->lock);
        }
        ws_progress_add(run->p, 1);
    }
}

static double task_cost(const ws_null_item *it, ws_null_family f)
{
    if (!needs_matrix(it, f))
        return (double)(it->rows + it->cols);
    double m = (double)(it->rows < it->cols ? it->rows : it->cols);
    return (double)it->rows * (double)it->cols * (m + 16);
}

/* A task's cost: a perm draw's covers the items chained to it. */
static double chain_cost(const null_run *run, size_t i, ws_null_family f)
{
    if (f != WS_NULL_PERM)
        return task_cost(&run->items[i], f);
    double c = 0;
    for (; i != run->n_items; i = run->next[i])
        c += task_cost(&run->items[i], f);
    return c;
}

static int cmp_task(const void *a, const void *b)
{
    const null_task *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? 1 : -1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    if (x->f != y->f)
        return x->f < y->f ? -1 : 1;
    return x->draw - y->draw;
}

/* Each sharing item's gauss draws: its class's unit draws at its scale. */
static void scale_shared(null_run *run, size_t n_items)
{
    int n = run->o->n;
    for (size_t i = 0; i < n_items; i++) {
        const ws_null_item *it = &run->items[i];
        if (it->stat->gauss && shares(it)) {
            size_t len = (size_t)n * it->nstat;
            memcpy(run->draws[i], run->unit[run->leader[i]], len * sizeof(double));
            for (int d = 0; d < n; d++)
                it->stat->scale(it->ctx, run->sd[i], run->draws[i] + (size_t)d * it->nstat);
        }
    }
}

static void summarise_items(null_run *run, size_t n_items)
{
    int n = run->o->n;
    for (size_t i = 0; i < n_items; i++) {
        const ws_null_item *it = &run->items[i];
        for (int s = 0; s < it->nsummary; s++)
            for (int f = 0; f < WS_NULL_NFAM; f++)
                ws_null_summarise(it->x[s], run->draws[i] + (size_t)f * n * it->nstat + s, n,
                                  it->nstat, &it->out[s * WS_NULL_NFAM + f]);
    }
}

int ws_null_run(ws_null_item *items, size_t n_items, const ws_null_opts *o, ws_progress *p,
                ws_err *e)
{
    int n = o->n, threads = ws_ncores();
    size_t n_tasks = n_items * WS_NULL_NFAM * (size_t)(n > 0 ? n : 0);
    null_run run = {.items = items, .n_items = n_items, .o = o, .p = p};
    run.draws = calloc(n_items + 1, sizeof *run.draws);
    run.leader = calloc(n_items + 1, sizeof *run.leader);
    run.next = calloc(n_items + 1, sizeof *run.next);
    run.chained = calloc(n_items + 1, sizeof *run.chained);
    run.unit = calloc(n_items + 1, sizeof *run.unit);
    run.sd = calloc(n_items + 1, sizeof *run.sd);
    run.tasks = malloc((n_tasks + 1) * sizeof *run.tasks);
    run.scratch = calloc((size_t)threads, sizeof *run.scratch);
    run.scratch_n = calloc((size_t)threads, sizeof *run.scratch_n);
    int rc = run.draws && run.leader && run.next && run.chained && run.unit && run.sd && run.tasks && run.scratch &&
             run.scratch_n ? 0 : ws_fail(e, "out of memory for the null draws");
    for (size_t i = 0; rc == 0 && i < n_items; i++) {
        size_t nd = (size_t)WS_NULL_NFAM * (size_t)(n > 0 ? n : 0) * (size_t)items[i].nstat;
        run.draws[i] = items[i].draws ? items[i].draws : malloc((nd + 1) * sizeof(double));
        if (!run.draws[i])
            rc = ws_fail(e, "out of memory for the null draws");
        run.sd[i] = ws_null_sd(items[i].w, (size_t)items[i].rows * (size_t)items[i].cols);
        /* The first item of the same shape and law leads the class. */
        run.leader[i] = i;
        for (size_t j = 0; shares(&items[i]) && j < i; j++)
            if (items[j].stat == items[i].stat && items[j].rows == items[i].rows &&
                items[j].cols == items[i].cols && items[i].stat->same(items[j].ctx, items[i].ctx)) {
                run.leader[i] = j;
                break;
            }
        /* Items of one matrix share their perm draws: the first runs them
         * for the chain of the others. */
        run.next[i] = n_items;
        for (size_t j = i; j-- > 0;)
            if (same_matrix(&items[j], &items[i])) {
                run.next[j] = i;   /* j is the chain's last so far: i follows it */
                run.chained[i] = 1;
                break;
            }
        if (rc == 0 && shares(&items[i]) && run.leader[i] == i) {
            run.unit[i] = malloc(((size_t)(n > 0 ? n : 0) * items[i].nstat + 1) * sizeof(double));
            if (!run.unit[i])
                rc = ws_fail(e, "out of memory for the null draws");
        }
    }
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < n_items; i++)
        for (int f = 0; f < WS_NULL_NFAM; f++)
            for (int d = 0; d < n; d++)
                if (f == WS_NULL_GAUSS ? run.leader[i] == i : !run.chained[i])
                    run.tasks[k++] = (null_task){.item = i, .f = (ws_null_family)f, .draw = d,
                                                 .cost = chain_cost(&run, i, (ws_null_family)f)};
    n_tasks = k;
    if (rc == 0) {
        /* Most expensive first, so the cores finish together. */
        qsort(run.tasks, n_tasks, sizeof *run.tasks, cmp_task);
        if (p)
            atomic_fetch_add(&p->total, n_tasks);
        pthread_mutex_init(&run.lock, NULL);
        int prc = ws_parallel_for(n_tasks, 1, threads, run_range, &run, p);
        pthread_mutex_destroy(&run.lock);
        if (run.failed)
            rc = -1, *e = run.err;
        else if (prc < 0)
            rc = ws_fail(e, "cancelled");
        else
            scale_shared(&run, n_items), summarise_items(&run, n_items);
    }
    for (size_t i = 0; run.draws && i < n_items; i++)
        if (run.draws[i] != items[i].draws)
            free(run.draws[i]);
    for (int t = 0; run.scratch && t < threads; t++)
        free(run.scratch[t]);
    for (size_t i = 0; run.unit && i < n_items; i++)
        free(run.unit[i]);
    free(run.draws), free(run.sd), free(run.tasks), free(run.scratch), free(run.scratch_n);
    free(run.leader), free(run.next), free(run.chained), free(run.unit);
    return rc;
}
