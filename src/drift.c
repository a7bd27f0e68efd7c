#include "drift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

void ws_drift_add(ws_drift *d, const float *w0, const float *w1, size_t n)
{
    double sd = 0, s0 = 0, s1 = 0, dot = 0;
    for (size_t i = 0; i < n; i++) {
        double a = w0[i], b = w1[i], diff = b - a;
        sd += diff * diff;
        s0 += a * a;
        s1 += b * b;
        dot += a * b;
    }
    d->ss_delta += sd;
    d->ss0 += s0;
    d->ss1 += s1;
    d->dot += dot;
    d->n += (int64_t)n;
    if (!isfinite(sd + s0 + s1 + dot))
        d->nonfinite = 1;
}

void ws_drift_pool(ws_drift *into, const ws_drift *from)
{
    into->ss_delta += from->ss_delta;
    into->ss0 += from->ss0;
    into->ss1 += from->ss1;
    into->dot += from->dot;
    into->n += from->n;
    into->nonfinite |= from->nonfinite;
}

void ws_drift_finish(ws_drift *d)
{
    d->rms = d->rel = d->cos = NAN;
    if (d->n == 0) {
        d->status = WS_AS_EMPTY;
        return;
    }
    if (d->nonfinite) {
        d->status = WS_AS_NONFINITE;
        return;
    }
    d->rms = sqrt(d->ss_delta / (double)d->n);
    d->status = d->ss0 > 0 && d->ss1 > 0 ? WS_AS_OK : WS_AS_ZERO;
    if (d->ss0 > 0)
        d->rel = sqrt(d->ss_delta / d->ss0);
    if (d->ss0 > 0 && d->ss1 > 0)
        d->cos = d->dot / sqrt(d->ss0 * d->ss1);
}

const char *ws_drift_note(const ws_drift *d)
{
    if (d->status != WS_AS_ZERO)
        return ws_astatus_text(d->status);
    if (!(d->ss0 > 0) && !(d->ss1 > 0))
        return "base and tuned are zero";
    return d->ss0 > 0 ? "tuned is zero" : "base is zero";
}

void ws_drift_delta(const float *w0, const float *w1, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = w1[i] - w0[i];
}

/* ---- matching ---- */

static int same_stripped(const ws_tensor *a, const ws_tensor *b)
{
    return !strcmp(ws_name_strip(a->name), ws_name_strip(b->name));
}

static int same_role(const ws_tensor *a, const ws_tensor *b)
{
    return a->kind == WS_KIND_NETWORK && a->role != WS_ROLE_NONE && a->role == b->role &&
           a->layer == b->layer && !a->is_bias == !b->is_bias;
}

/* Match rules in order of trust: exact name, stripped name, role. */
enum { MATCH_NAME, MATCH_STRIPPED, MATCH_ROLE, N_MATCH };

static int matches(int rule, const ws_tensor *a, const ws_tensor *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (rule) {
    case MATCH_NAME: return !strcmp(a->name, b->name);
    case MATCH_STRIPPED: return same_stripped(a, b);
    default: return same_role(a, b);
    }
}

ws_tensor *ws_drift_counterpart(const ws_model *other, const ws_tensor *t)
{
    for (int rule = 0; rule < N_MATCH; rule++)
        for (size_t i = 0; i < other->n_tensors; i++)
            if (matches(rule, t, &other->tensors[i]))
                return &other->tensors[i];
    return NULL;
}

int ws_drift_check_models(const ws_model *base, const ws_model *tuned, ws_err *e)
{
    for (size_t i = 0; i < base->n_tensors; i++)
        if (base->tensors[i].kind == WS_KIND_NETWORK && ws_drift_counterpart(tuned, &base->tensors[i]))
            return 0;
    return ws_fail(e, "no tensor of the base model (%s) corresponds to one of the tuned model (%s)",
                   ws_layout_name(base->layout), ws_layout_name(tuned->layout));
}

static int same_shape(const ws_tensor *a, const ws_tensor *b)
{
    return a->rows == b->rows && a->cols == b->cols && a->numel == b->numel;
}

/* Pair the tensors one to one (each rule over what the earlier left);
 * pair[i] is base tensor i's counterpart in tuned, or -1. */
static void pair_tensors(const ws_model *base, const ws_model *tuned, int all_kinds, long *pair,
                         unsigned char *taken)
{
    for (size_t i = 0; i < base->n_tensors; i++)
        pair[i] = -1;
    size_t n = tuned->n_tensors;
    for (int rule = 0; rule < N_MATCH; rule++) {
        size_t next = 0;   /* files list their tensors in the same order: look there first */
        for (size_t i = 0; i < base->n_tensors; i++) {
            const ws_tensor *a = &base->tensors[i];
            if (pair[i] >= 0 || (!all_kinds && a->kind != WS_KIND_NETWORK))
                continue;
            for (size_t k = 0; k < n; k++) {
                size_t j = (next + k) % n;
                if (!taken[j] && matches(rule, a, &tuned->tensors[j])) {
                    pair[i] = (long)j;
                    taken[j] = 1;
                    next = j + 1;
                    break;
                }
            }
        }
    }
}

/* ---- the report ---- */

typedef struct drift_job {
    ws_drift_report *r;
    ws_progress *p;
} drift_job;

static void drift_one(size_t begin, size_t end, int tid, void *user)
{
    (void)tid;
    drift_job *j = user;
    for (size_t i = begin; i < end; i++) {
        ws_err e;
        const float *a = j->r->shape_differs[i] ? NULL : ws_tensor_f32(j->r->t0[i], &e);
        const float *b = a ? ws_tensor_f32(j->r->t1[i], &e) : NULL;
        if (!a || !b) {
            /* Shapes that differ, unconvertible dtypes: empty (NaN), the rest goes on. */
            ws_drift_finish(&j->r->per_tensor[i]);
        } else {
            ws_drift_add(&j->r->per_tensor[i], a, b, (size_t)j->r->t0[i]->numel);
            ws_drift_finish(&j->r->per_tensor[i]);
        }
        ws_progress_add(j->p, 1);
    }
}

void ws_drift_report_free(ws_drift_report *r)
{
    free(r->t0), free(r->t1), free(r->per_tensor), free(r->shape_differs);
    free(r->per_layer), free(r->layer_mean_cos), free(r->only0), free(r->only1);
    *r = (ws_drift_report){0};
}

static int alloc_report(ws_drift_report *r, size_t n, int nl, size_t n0, size_t n1)
{
    r->t0 = calloc(n ? n : 1, sizeof *r->t0);
    r->t1 = calloc(n ? n : 1, sizeof *r->t1);
    r->per_tensor = calloc(n ? n : 1, sizeof *r->per_tensor);
    r->shape_differs = calloc(n ? n : 1, 1);
    r->per_layer = calloc(nl ? (size_t)nl : 1, sizeof *r->per_layer);
    r->layer_mean_cos = calloc(nl ? (size_t)nl : 1, sizeof *r->layer_mean_cos);
    r->only0 = calloc(n0 ? n0 : 1, sizeof *r->only0);
    r->only1 = calloc(n1 ? n1 : 1, sizeof *r->only1);
    return r->t0 && r->t1 && r->per_tensor && r->shape_differs && r->per_layer &&
           r->layer_mean_cos && r->only0 && r->only1 ? 0 : -1;
}

/* Fill the pairs and the one-sided lists from pair[]/taken[]. */
static void list_pairs(ws_drift_report *r, const ws_model *base, const ws_model *tuned,
                       int all_kinds, const long *pair, const unsigned char *taken)
{
    for (size_t i = 0; i < base->n_tensors; i++) {
        ws_tensor *a = &base->tensors[i];
        if (pair[i] >= 0) {
            r->t0[r->n] = a;
            r->t1[r->n] = &tuned->tensors[pair[i]];
            r->shape_differs[r->n] = !same_shape(a, r->t1[r->n]);
            r->n++;
        } else if (all_kinds || a->kind == WS_KIND_NETWORK) {
            r->only0[r->n_only0++] = a;
        } else {
            r->state0 += a->kind == WS_KIND_STATE;
        }
    }
    for (size_t j = 0; j < tuned->n_tensors; j++) {
        ws_tensor *b = &tuned->tensors[j];
        if (taken[j])
            continue;
        if (all_kinds || b->kind == WS_KIND_NETWORK)
            r->only1[r->n_only1++] = b;
        else
            r->state1 += b->kind == WS_KIND_STATE;
    }
}

/* Per layer and model sums over the network, and the means of cosines. */
static void pool(ws_drift_report *r)
{
    int *count = calloc(r->n_layers ? (size_t)r->n_layers : 1, sizeof *count);
    double sum = 0;
    for (size_t i = 0; i < r->n; i++) {
        const ws_tensor *t = r->t0[i];
        if (t->kind != WS_KIND_NETWORK)
            continue;
        int l = t->layer;
        if (l >= 0 && l < r->n_layers)
            ws_drift_pool(&r->per_layer[l], &r->per_tensor[i]);
        ws_drift_pool(&r->all, &r->per_tensor[i]);
        double c = r->per_tensor[i].cos;
        if (!ws_tensor_is_weight_matrix(t) || !isfinite(c))
            continue;
        sum += c;
        r->n_mean_cos++;
        if (count && l >= 0 && l < r->n_layers) {
            r->layer_mean_cos[l] += c;
            count[l]++;
        }
    }
    for (int l = 0; l < r->n_layers; l++) {
        ws_drift_finish(&r->per_layer[l]);
        r->layer_mean_cos[l] = count && count[l] ? r->layer_mean_cos[l] / count[l] : NAN;
    }
    ws_drift_finish(&r->all);
    r->mean_cos = r->n_mean_cos ? sum / r->n_mean_cos : NAN;
    free(count);
}

int ws_drift_models(const ws_model *base, const ws_model *tuned, int all_kinds,
                    ws_drift_report *out, ws_progress *p, ws_err *e)
{
    *out = (ws_drift_report){0};
    if (ws_drift_check_models(base, tuned, e) < 0)
        return -1;
    long *pair = malloc((base->n_tensors ? base->n_tensors : 1) * sizeof *pair);
    unsigned char *taken = calloc(tuned->n_tensors ? tuned->n_tensors : 1, 1);
    int nl = base->cfg.n_layer > 0 ? base->cfg.n_layer : 0;
    out->n_layers = nl;
    if (!pair || !taken ||
        alloc_report(out, base->n_tensors, nl, base->n_tensors, tuned->n_tensors) < 0) {
        free(pair), free(taken);
        ws_drift_report_free(out);
        return ws_fail(e, "out of memory for a drift report");
    }
    pair_tensors(base, tuned, all_kinds, pair, taken);
    list_pairs(out, base, tuned, all_kinds, pair, taken);
    free(pair), free(taken);
    if (p)
        atomic_fetch_add(&p->total, out->n);   /* on top of whatever else p counts */
    drift_job job = {.r = out, .p = p};
    if (ws_parallel_for(out->n, 1, 0, drift_one, &job, p) < 0) {
        ws_drift_report_free(out);
        return ws_fail(e, "cancelled");
    }
    pool(out);
    return 0;
}

float *ws_drift_delta_tensor(ws_tensor *t0, ws_tensor *t1, ws_err *e)
{
    if (t0->rows != t1->rows || t0->cols != t1->cols) {
        ws_fail(e, "%s: shapes differ (%lldx%lld vs %lldx%lld)", t0->name, (long long)t0->rows,
                (long long)t0->cols, (long long)t1->rows, (long long)t1->cols);
        return NULL;
    }
    const float *a = ws_tensor_f32(t0, e);
    const float *b = a ? ws_tensor_f32(t1, e) : NULL;
    if (!b)
        return NULL;
    size_t n = (size_t)t0->rows * (size_t)t0->cols;
    float *d = malloc(n ? n * sizeof *d : 1);
    if (!d) {
        ws_fail(e, "out of memory for the difference of %s", t0->name);
        return NULL;
    }
    ws_drift_delta(a, b, n, d);
    return d;
}
