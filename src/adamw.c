/* AdamW, gradient clipping and the learning-rate schedule (see adamw.h). */
#include "adamw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "threads.h"
#include "vecmath.h"

/* Steps are split into pieces of at most this many floats, spread over
 * the threads (the update is memory bound: both cores' bandwidth helps). */
#define PIECE 65536

typedef struct piece { size_t param, begin, end; } piece;

struct ws_adamw {
    size_t np;
    float **m, **v;       /* per parameter; NULL without state */
    float *state;         /* one allocation holding every m and v */
    piece *pieces;
    size_t n_pieces;
    int64_t t;
};

ws_adamw_opts ws_adamw_defaults(void)
{
    return (ws_adamw_opts){ 6e-4f, 0.9f, 0.95f, 1e-8f, 0.1f };
}

ws_adamw *ws_adamw_new(ws_gpt *g, ws_err *e)
{
    ws_adamw *o = calloc(1, sizeof *o);
    size_t np = ws_gpt_nparams(g), total = 0;
    if (!o) goto oom;
    o->np = np;
    o->m = calloc(np ? np : 1, sizeof *o->m);
    o->v = calloc(np ? np : 1, sizeof *o->v);
    if (!o->m || !o->v) goto oom;
    for (size_t i = 0; i < np; i++) {
        const ws_gpt_param *p = ws_gpt_param_at(g, i);
        if (p->trainable == WS_PARAM_TRAIN) total += p->n;
    }
    o->state = calloc(2 * total + 1, sizeof(float));
    o->pieces = malloc((total / PIECE + np + 1) * sizeof *o->pieces);
    if (!o->state || !o->pieces) goto oom;
    size_t off = 0;
    for (size_t i = 0; i < np; i++) {
        const ws_gpt_param *p = ws_gpt_param_at(g, i);
        if (p->trainable != WS_PARAM_TRAIN) continue;
        o->m[i] = o->state + off;
        o->v[i] = o->state + total + off;
        off += p->n;
        for (size_t b = 0; b < p->n; b += PIECE)
            o->pieces[o->n_pieces++] = (piece){ i, b, b + PIECE < p->n ? b + PIECE : p->n };
    }
    return o;
oom:
    ws_adamw_free(o);
    ws_fail(e, "out of memory for the optimizer state");
    return NULL;
}

void ws_adamw_free(ws_adamw *o)
{
    if (!o) return;
    free(o->m);
    free(o->v);
    free(o->state);
    free(o->pieces);
    free(o);
}

/* torch.optim.AdamW's single-tensor update, in its order of operations
 * (the loop is vecmath.c's). */
void ws_adamw_update(float *p, const float *grad, float *m, float *v, size_t n,
                     const ws_adamw_opts *opt, float lr, float wd, int64_t t)
{
    float b1 = opt->beta1, b2 = opt->beta2;
    float c[6] = { 1.0f - lr * wd, b1, b2, lr / (1.0f - powf(b1, (float)t)),
                   sqrtf(1.0f - powf(b2, (float)t)), opt->eps };
    wsv_adamw(p, grad, m, v, n, c);
}

typedef struct step_job {
    ws_adamw *o;
    ws_gpt *g;
    const ws_adamw_opts *opt;
    float lr;
} step_job;

static void step_pieces(size_t begin, size_t end, int tid, void *user)
{
    const step_job *j = user;
    (void)tid;
    for (size_t k = begin; k < end; k++) {
        const piece *pc = &j->o->pieces[k];
        ws_gpt_param *p = ws_gpt_param_at(j->g, pc->param);
        if (p->trainable != WS_PARAM_TRAIN) continue;
        float wd = p->ndim >= 2 ? j->opt->weight_decay : 0.0f;
        size_t b = pc->begin;
        ws_adamw_update(p->w + b, p->g + b, j->o->m[pc->param] + b, j->o->v[pc->param] + b,
                        pc->end - b, j->opt, j->lr, wd, j->o->t);
    }
}

void ws_adamw_step(ws_adamw *o, ws_gpt *g, const ws_adamw_opts *opt, float lr)
{
    o->t++;
    step_job j = { o, g, opt, lr };
    ws_parallel_for(o->n_pieces, 1, ws_gpt_get_threads(g), step_pieces, &j, NULL);
}

int64_t ws_adamw_steps(const ws_adamw *o) { return o->t; }
void ws_adamw_set_steps(ws_adamw *o, int64_t t) { o->t = t; }
float *ws_adamw_m(ws_adamw *o, size_t i) { return i < o->np ? o->m[i] : NULL; }
float *ws_adamw_v(ws_adamw *o, size_t i) { return i < o->np ? o->v[i] : NULL; }

typedef struct grad_job {
    ws_gpt *g;
    double *sums;     /* per parameter, for the norm */
    float coef;       /* for clipping */
} grad_job;

/* Sum of squares in 8 independent float lanes per block of 1024 (so the
 * compiler can vectorise), blocks added in double. */
static double sum_squares(const float *x, size_t n)
{
    double total = 0.0;
    for (size_t b = 0; b < n; b += 1024) {
        size_t e = b + 1024 < n ? b + 1024 : n, k = b;
        float acc[8] = { 0 };
        for (; k + 8 <= e; k += 8)
            for (int l = 0; l < 8; l++) acc[l] += x[k + l] * x[k + l];
        for (; k < e; k++) acc[0] += x[k] * x[k];
        for (int l = 0; l < 8; l++) total += acc[l];
    }
    return total;
}

static void norm_params(size_t begin, size_t end, int tid, void *user)
{
    const grad_job *j = user;
    (void)tid;
    for (size_t i = begin; i < end; i++) {
        const ws_gpt_param *p = ws_gpt_param_at(j->g, i);
        j->sums[i] = p->trainable == WS_PARAM_FROZEN ? 0.0 : sum_squares(p->g, p->n);
    }
}

float ws_grad_global_norm(ws_gpt *g)
{
    size_t np = ws_gpt_nparams(g);
    double *sums = calloc(np ? np : 1, sizeof *sums), s = 0.0;
    if (!sums) return NAN;
    grad_job j = { g, sums, 0.0f };
    ws_parallel_for(np, 1, ws_gpt_get_threads(g), norm_params, &j, NULL);
    for (size_t i = 0; i < np; i++) s += sums[i];   /* in order: deterministic */
    free(sums);
    return (float)sqrt(s);
}

static void scale_params(size_t begin, size_t end, int tid, void *user)
{
    const grad_job *j = user;
    (void)tid;
    for (size_t i = begin; i < end; i++) {
        ws_gpt_param *p = ws_gpt_param_at(j->g, i);
        if (p->trainable == WS_PARAM_FROZEN) continue;
        for (size_t k = 0; k < p->n; k++) p->g[k] *= j->coef;
    }
}

void ws_grad_clip(ws_gpt *g, float max_norm, float norm)
{
    float coef = max_norm / (norm + 1e-6f);
    if (!(coef < 1.0f)) return;   /* torch clamps to 1: nothing to scale */
    grad_job j = { g, NULL, coef };
    ws_parallel_for(ws_gpt_nparams(g), 1, ws_gpt_get_threads(g), scale_params, &j, NULL);
}

float ws_lr_at(int step, int warmup, int total, float lr, int cosine, float min_lr)
{
    if (step < warmup) return lr * (float)(step + 1) / (float)(warmup + 1);
    if (!cosine) return lr;
    if (step > total || total <= warmup) return min_lr;
    double ratio = (double)(step - warmup) / (double)(total - warmup);
    double coeff = 0.5 * (1.0 + cos(M_PI * ratio));
    return (float)(min_lr + coeff * (lr - min_lr));
}
