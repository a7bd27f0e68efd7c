#include "drift.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int ws_drift_check_models(const ws_model *base, const ws_model *tuned, ws_err *e)
{
    if (base->layout != tuned->layout)
        return ws_fail(e, "layouts differ: %s vs %s", ws_layout_name(base->layout),
                       ws_layout_name(tuned->layout));
    for (size_t i = 0; i < base->n_tensors; i++) {
        const ws_tensor *a = &base->tensors[i];
        const ws_tensor *b = ws_model_find(tuned, a->name);
        if (!b)
            return ws_fail(e, "tensor %s is in the base model but not in the tuned one", a->name);
        int same = a->ndim == b->ndim;
        for (int k = 0; same && k < a->ndim; k++)
            same = a->shape[k] == b->shape[k];
        if (!same) {
            char sa[96], sb[96];
            ws_tensor_shape_text(a, sa, sizeof sa);
            ws_tensor_shape_text(b, sb, sizeof sb);
            return ws_fail(e, "tensor %s: shape %s in the base model, %s in the tuned one",
                           a->name, sa, sb);
        }
    }
    for (size_t i = 0; i < tuned->n_tensors; i++)
        if (!ws_model_find(base, tuned->tensors[i].name))
            return ws_fail(e, "tensor %s is in the tuned model but not in the base one",
                           tuned->tensors[i].name);
    return 0;
}

typedef struct drift_job {
    ws_drift_report *r;
    int failed;
    ws_err err;
    ws_progress *p;
} drift_job;

static void drift_one(size_t begin, size_t end, int tid, void *user)
{
    (void)tid;
    drift_job *j = user;
    for (size_t i = begin; i < end; i++) {
        ws_err e;
        const float *a = ws_tensor_f32(j->r->t0[i], &e);
        const float *b = a ? ws_tensor_f32(j->r->t1[i], &e) : NULL;
        if (!a || !b) {
            /* Unconvertible dtypes: recorded as empty, the rest goes on. */
            j->r->per_tensor[i].status = WS_AS_EMPTY;
        } else {
            ws_drift_add(&j->r->per_tensor[i], a, b, (size_t)j->r->t0[i]->numel);
            ws_drift_finish(&j->r->per_tensor[i]);
        }
        ws_progress_add(j->p, 1);
    }
}

void ws_drift_report_free(ws_drift_report *r)
{
    free(r->t0), free(r->t1), free(r->per_tensor), free(r->per_layer);
    *r = (ws_drift_report){0};
}

int ws_drift_models(const ws_model *base, const ws_model *tuned, ws_drift_report *out,
                    ws_progress *p, ws_err *e)
{
    *out = (ws_drift_report){0};
    if (ws_drift_check_models(base, tuned, e) < 0)
        return -1;
    size_t n = base->n_tensors;
    int nl = base->cfg.n_layer > 0 ? base->cfg.n_layer : 0;
    out->n = n;
    out->n_layers = nl;
    out->t0 = calloc(n ? n : 1, sizeof *out->t0);
    out->t1 = calloc(n ? n : 1, sizeof *out->t1);
    out->per_tensor = calloc(n ? n : 1, sizeof *out->per_tensor);
    out->per_layer = calloc(nl ? (size_t)nl : 1, sizeof *out->per_layer);
    if (!out->t0 || !out->t1 || !out->per_tensor || !out->per_layer) {
        ws_drift_report_free(out);
        return ws_fail(e, "out of memory for a drift report");
    }
    for (size_t i = 0; i < n; i++) {
        out->t0[i] = &base->tensors[i];
        out->t1[i] = ws_model_find(tuned, base->tensors[i].name);
    }
    if (p)
        atomic_fetch_add(&p->total, n);   /* on top of whatever else p counts */
    drift_job job = {.r = out, .p = p};
    if (ws_parallel_for(n, 1, 0, drift_one, &job, p) < 0) {
        ws_drift_report_free(out);
        return ws_fail(e, "cancelled");
    }
    for (size_t i = 0; i < n; i++) {
        int l = out->t0[i]->layer;
        if (l >= 0 && l < nl)
            ws_drift_pool(&out->per_layer[l], &out->per_tensor[i]);
        ws_drift_pool(&out->all, &out->per_tensor[i]);
    }
    for (int l = 0; l < nl; l++)
        ws_drift_finish(&out->per_layer[l]);
    ws_drift_finish(&out->all);
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
