/* nanoGPT-style random init, written in our users' naming. */
#include "init.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "threads.h"

enum fill { FILL_NORMAL, FILL_ZERO, FILL_ONE };

typedef struct spec {
    char name[64];
    int ndim;
    int64_t shape[2];
    enum fill fill;
    double std;
} spec;

typedef struct init_job {
    ws_model *m;
    const spec *specs;
    uint64_t seed;
} init_job;

static void fill_tensors(size_t b, size_t e, int tid, void *u)
{
    (void)tid;
    init_job *j = u;
    for (size_t i = b; i < e; i++) {
        ws_tensor *t = &j->m->tensors[i];
        float *x = (float *)t->data;
        ws_rng r;
        /* One stream per tensor: the result does not depend on thread count. */
        ws_rng_seed(&r, j->seed * 1000003ULL + i);
        for (int64_t k = 0; k < t->numel; k++)
            x[k] = j->specs[i].fill == FILL_NORMAL ? (float)(ws_rng_normal(&r) * j->specs[i].std)
                   : j->specs[i].fill == FILL_ONE  ? 1.0f : 0.0f;
    }
}

static int add_spec(spec *s, int *n, const char *name, int64_t r, int64_t c, enum fill f, double std)
{
    spec *p = &s[(*n)++];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->ndim = c ? 2 : 1;
    p->shape[0] = r;
    p->shape[1] = c;
    p->fill = f;
    p->std = std;
    return 0;
}

static int build_specs(const ws_init_opts *o, spec *s)
{
    int n = 0;
    int64_t d = o->n_embd, V = o->vocab_size;
    double std = 0.02, proj_std = 0.02 / sqrt(2.0 * o->n_layer);
    char nm[64];
    add_spec(s, &n, "tok_emb.weight", V, d, FILL_NORMAL, std);
    add_spec(s, &n, "pos_emb.weight", o->block_size, d, FILL_NORMAL, std);
    for (int l = 0; l < o->n_layer; l++) {
#define LIN(sfx, r, c, sd) do { snprintf(nm, sizeof nm, "blocks.%d.%s.weight", l, sfx); \
        add_spec(s, &n, nm, r, c, FILL_NORMAL, sd); \
        if (o->bias) { snprintf(nm, sizeof nm, "blocks.%d.%s.bias", l, sfx); add_spec(s, &n, nm, r, 0, FILL_ZERO, 0); } } while (0)
#define LN(sfx) do { snprintf(nm, sizeof nm, "blocks.%d.%s.weight", l, sfx); add_spec(s, &n, nm, d, 0, FILL_ONE, 0); \
        if (o->bias) { snprintf(nm, sizeof nm, "blocks.%d.%s.bias", l, sfx); add_spec(s, &n, nm, d, 0, FILL_ZERO, 0); } } while (0)
        LN("ln1");
        LIN("attn.c_attn", 3 * d, d, std);
        LIN("attn.c_proj", d, d, proj_std);
        LN("ln2");
        LIN("mlp.0", 4 * d, d, std);
        LIN("mlp.2", d, 4 * d, proj_std);
#undef LIN
#undef LN
    }
    add_spec(s, &n, "ln_f.weight", d, 0, FILL_ONE, 0);
    if (o->bias)
        add_spec(s, &n, "ln_f.bias", d, 0, FILL_ZERO, 0);
    if (!o->tied)
        add_spec(s, &n, "head.weight", V, d, FILL_NORMAL, std);
    return n;
}

static int check_opts(const ws_init_opts *o, ws_err *e)
{
    if (o->n_layer < 1 || o->n_embd < 1 || o->n_head < 1 || o->vocab_size < 1 || o->block_size < 1)
        return ws_fail(e, "layers, d, heads, vocab and block must all be positive");
    if (o->n_embd % o->n_head)
        return ws_fail(e, "d (%d) must be a multiple of heads (%d)", o->n_embd, o->n_head);
    if (o->n_layer > 1000 || o->n_embd > 65536 || o->vocab_size > 10000000 || o->block_size > 1000000)
        return ws_fail(e, "model too large");
    return 0;
}

ws_model *ws_init_gpt(const ws_init_opts *o, ws_err *e)
{
    if (check_opts(o, e) != 0)
        return NULL;
    int cap = 8 + 12 * o->n_layer;
    spec *specs = calloc((size_t)cap, sizeof *specs);
    ws_model *m = ws_model_new();
    if (!specs || !m) {
        free(specs);
        ws_model_free(m);
        ws_fail(e, "out of memory");
        return NULL;
    }
    int n = build_specs(o, specs);
    for (int i = 0; i < n; i++) {
        int64_t numel = specs[i].shape[0] * (specs[i].ndim == 2 ? specs[i].shape[1] : 1);
        float *buf = malloc((size_t)numel * sizeof(float));
        if (!buf || !ws_model_add(m, specs[i].name, WS_DT_F32, specs[i].ndim, specs[i].shape, buf, 1, e)) {
            free(buf);
            free(specs);
            ws_model_free(m);
            if (!buf)
                ws_fail(e, "out of memory");
            return NULL;
        }
    }
    init_job job = {m, specs, o->seed};
    ws_parallel_for(m->n_tensors, 1, 0, fill_tensors, &job, NULL);
    free(specs);
    char v[32];
#define META(k, x) do { snprintf(v, sizeof v, "%d", (x)); ws_model_set_meta(m, k, v, NULL); } while (0)
    META("n_layer", o->n_layer);
    META("n_head", o->n_head);
    META("n_embd", o->n_embd);
    META("vocab_size", o->vocab_size);
    META("block_size", o->block_size);
#undef META
    ws_model_set_meta(m, "gelu", "exact", NULL);
    ws_model_recognise(m);
    return m;
}
