/* GPT forward and backward (see gpt.h): parameter bookkeeping, the one
 * activation buffer, and the order of the passes. Kernels are in
 * gpt_layers.c. */
#include "gpt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gpt_layers.h"
#include "threads.h"
#include "vecmath.h"

/* Parameter indices of one block; -1 for an absent (optional) tensor. */
typedef struct block_ix {
    int ln1w, ln1b, qkvw, qkvb, aow, aob, ln2w, ln2b, upw, upb, downw, downb;
} block_ix;

/* Saved activations of one block (each sized for the largest B·T). */
typedef struct block_act {
    float *ln1, *m1, *r1, *qkv, *att, *atty, *res2, *ln2, *m2, *r2;
    float *fc;                     /* GELU input, then (after forward) GELU'(input) */
    float *fcg, *res3;
} block_act;

struct ws_gpt {
    ws_gpt_dims d;
    int threads;
    size_t np, numel;
    ws_gpt_param *p;
    float *w, *g;                  /* the parameter and gradient buffers */
    int wte, wpe, lnfw, lnfb, headw, headb;
    block_ix *bix;
    block_act *ba;

    float *act;                    /* the activation buffer */
    float *enc, *lnf, *mf, *rf, *logits;
    float *dres, *dln, *dqkv, *dfc, *datty, *scratch;
    int32_t *tokens;               /* inputs of the last forward */
    int B, T, ready;               /* ready: a forward with targets to go back through */
    int max_threads;               /* attention scratch is sized for this many */
};

/* ---- construction ---- */

static int add_param(ws_gpt *g, const ws_model *m, ws_role role, int layer, int is_bias,
                     int64_t rows, int64_t cols, int required, int *ix, ws_err *e)
{
    *ix = -1;
    ws_tensor *t = ws_model_get(m, role, layer, is_bias);
    if (!t) {
        if (!required) return 0;
        if (layer >= 0)
            return ws_fail(e, "no %s %s for layer %d", ws_role_name(role),
                           is_bias ? "bias" : "weight", layer);
        return ws_fail(e, "no %s %s", ws_role_name(role), is_bias ? "bias" : "weight");
    }
    int vec = rows == 1;
    if (t->numel != rows * cols || (!vec && (t->rows != rows || t->cols != cols)))
        return ws_fail(e, "%s: shape %lld x %lld, expected %lld x %lld", t->name,
                       (long long)t->rows, (long long)t->cols, (long long)rows,
                       (long long)cols);
    ws_gpt_param *p = &g->p[g->np];
    p->name = strdup(t->name);
    if (!p->name) return ws_fail(e, "out of memory");
    p->role = role;
    p->layer = layer;
    p->is_bias = is_bias;
    p->n = (size_t)t->numel;
    p->rows = rows;
    p->cols = cols;
    p->ndim = vec ? 1 : 2;
    p->trainable = WS_PARAM_TRAIN;
    *ix = (int)g->np++;
    return 0;
}

static int collect_params(ws_gpt *g, const ws_model *m, ws_err *e)
{
    const ws_gpt_dims *d = &g->d;
    int64_t C = d->n_embd, V = d->vocab_size;
    if (add_param(g, m, WS_ROLE_EMBED, -1, 0, V, C, 1, &g->wte, e) ||
        add_param(g, m, WS_ROLE_POS_EMBED, -1, 0, d->block_size, C, 1, &g->wpe, e))
        return -1;
    for (int l = 0; l < d->n_layer; l++) {
        block_ix *b = &g->bix[l];
        if (add_param(g, m, WS_ROLE_LN1, l, 0, 1, C, 1, &b->ln1w, e) ||
            add_param(g, m, WS_ROLE_LN1, l, 1, 1, C, 0, &b->ln1b, e) ||
            add_param(g, m, WS_ROLE_QKV, l, 0, 3 * C, C, 1, &b->qkvw, e) ||
            add_param(g, m, WS_ROLE_QKV, l, 1, 1, 3 * C, 0, &b->qkvb, e) ||
            add_param(g, m, WS_ROLE_ATTN_OUT, l, 0, C, C, 1, &b->aow, e) ||
            add_param(g, m, WS_ROLE_ATTN_OUT, l, 1, 1, C, 0, &b->aob, e) ||
            add_param(g, m, WS_ROLE_LN2, l, 0, 1, C, 1, &b->ln2w, e) ||
            add_param(g, m, WS_ROLE_LN2, l, 1, 1, C, 0, &b->ln2b, e) ||
            add_param(g, m, WS_ROLE_MLP_UP, l, 0, 4 * C, C, 1, &b->upw, e) ||
            add_param(g, m, WS_ROLE_MLP_UP, l, 1, 1, 4 * C, 0, &b->upb, e) ||
            add_param(g, m, WS_ROLE_MLP_DOWN, l, 0, C, 4 * C, 1, &b->downw, e) ||
            add_param(g, m, WS_ROLE_MLP_DOWN, l, 1, 1, C, 0, &b->downb, e))
            return -1;
    }
    if (add_param(g, m, WS_ROLE_LN_F, -1, 0, 1, C, 1, &g->lnfw, e) ||
        add_param(g, m, WS_ROLE_LN_F, -1, 1, 1, C, 0, &g->lnfb, e))
        return -1;
    g->headw = g->headb = -1;
    if (!d->tied &&
        (add_param(g, m, WS_ROLE_HEAD, -1, 0, V, C, 1, &g->headw, e) ||
         add_param(g, m, WS_ROLE_HEAD, -1, 1, 1, V, 0, &g->headb, e)))
        return -1;
    return 0;
}

/* Lay the parameters out in one buffer (and the gradients in another) and
 * copy the model's float32 values in. */
static int load_params(ws_gpt *g, const ws_model *m, ws_err *e)
{
    size_t total = 0;
    for (size_t i = 0; i < g->np; i++)
        if (!ws_add_ok(total, g->p[i].n, &total)) return ws_fail(e, "model too large");
    g->numel = total;
    g->w = calloc(total, sizeof(float));
    g->g = calloc(total, sizeof(float));
    if (!g->w || !g->g) return ws_fail(e, "out of memory for %zu parameters", total);
    size_t off = 0;
    for (size_t i = 0; i < g->np; i++) {
        ws_gpt_param *p = &g->p[i];
        p->w = g->w + off;
        p->g = g->g + off;
        off += p->n;
        ws_tensor *t = ws_model_find(m, p->name);
        const float *src = t ? ws_tensor_f32(t, e) : NULL;
        if (!src) return t ? ws_wrap(e, "%s", p->name) : ws_fail(e, "%s vanished", p->name);
        memcpy(p->w, src, p->n * sizeof(float));
    }
    return 0;
}

/* Carve the activation buffer; with `base` NULL only count. */
static size_t layout_acts(ws_gpt *g, float *base)
{
    const ws_gpt_dims *d = &g->d;
    size_t N = (size_t)d->B * d->T, C = d->n_embd, V = d->vocab_size;
    size_t att = (size_t)d->B * d->n_head * d->T * d->T;
    size_t off = 0;
#define TAKE(ptr, count) do { if (base) (ptr) = base + off; \
    off += ((count) + 15) & ~(size_t)15; } while (0)
    TAKE(g->enc, N * C);
    for (int l = 0; l < d->n_layer; l++) {
        block_act *a = &g->ba[l];
        TAKE(a->ln1, N * C); TAKE(a->m1, N); TAKE(a->r1, N);
        TAKE(a->qkv, N * 3 * C); TAKE(a->att, att); TAKE(a->atty, N * C);
        TAKE(a->res2, N * C); TAKE(a->ln2, N * C); TAKE(a->m2, N); TAKE(a->r2, N);
        TAKE(a->fc, N * 4 * C); TAKE(a->fcg, N * 4 * C); TAKE(a->res3, N * C);
    }
    TAKE(g->lnf, N * C); TAKE(g->mf, N); TAKE(g->rf, N);
    TAKE(g->logits, N * V);
    TAKE(g->dres, N * C); TAKE(g->dln, N * C); TAKE(g->dqkv, N * 3 * C);
    TAKE(g->dfc, N * 4 * C); TAKE(g->datty, N * C);
    TAKE(g->scratch, (size_t)g->max_threads * d->T * d->T);
#undef TAKE
    return off;
}

static int check_model(const ws_model *m, int B, int T, ws_err *e)
{
    const ws_config *c = &m->cfg;
    if (m->layout == WS_LAYOUT_UNKNOWN)
        return ws_fail(e, "training needs a recognised GPT layout%s%s",
                       m->layout_note[0] ? ": " : "", m->layout_note);
    if (c->act_unknown[0])
        return ws_fail(e, "activation_function \"%s\" is not supported (gelu, gelu_new, "
                          "gelu_pytorch_tanh, gelu_fast)", c->act_unknown);
    if (!c->n_head_known || c->n_head < 1)
        return ws_fail(e, "n_head is not known (not in the file's metadata): give --heads H");
    if (c->n_layer < 1 || c->n_embd < 1 || c->vocab_size < 1 || c->n_embd % c->n_head)
        return ws_fail(e, "bad config: %d layers, n_embd %d, %d heads, vocab %d",
                       c->n_layer, c->n_embd, c->n_head, c->vocab_size);
    if (B < 1 || T < 1)
        return ws_fail(e, "batch %d and sequence %d must be positive", B, T);
    if (T > c->block_size)
        return ws_fail(e, "sequence length %d exceeds the block size %d", T, c->block_size);
    size_t n;
    if (!ws_mul_ok((size_t)B, (size_t)T, &n) || n > INT32_MAX / (size_t)c->vocab_size)
        return ws_fail(e, "batch %d x sequence %d is too large", B, T);
    return 0;
}

ws_gpt *ws_gpt_new(const ws_model *m, int B, int T, ws_err *e)
{
    if (check_model(m, B, T, e)) return NULL;
    ws_gpt *g = calloc(1, sizeof *g);
    if (!g) { ws_fail(e, "out of memory"); return NULL; }
    const ws_config *c = &m->cfg;
    g->d = (ws_gpt_dims){ c->n_layer, c->n_head, c->n_embd, c->vocab_size, c->block_size,
                          B, T, c->tied || !ws_model_get(m, WS_ROLE_HEAD, -1, 0),
                          c->gelu_tanh, c->ln_eps > 0 ? c->ln_eps : WS_LN_EPS };
    g->threads = ws_ncores();
    g->max_threads = g->threads;
    size_t max_params = 6 + 12 * (size_t)c->n_layer;
    g->p = calloc(max_params, sizeof *g->p);
    g->bix = calloc((size_t)c->n_layer, sizeof *g->bix);
    g->ba = calloc((size_t)c->n_layer, sizeof *g->ba);
    if (!g->p || !g->bix || !g->ba) { ws_fail(e, "out of memory"); goto fail; }
    if (collect_params(g, m, e) || load_params(g, m, e)) goto fail;
    size_t n_act = layout_acts(g, NULL);
    g->act = aligned_alloc(64, n_act * sizeof(float));
    g->tokens = malloc((size_t)B * T * sizeof(int32_t));
    if (!g->act || !g->tokens) {
        ws_fail(e, "out of memory for activations (%zu MiB)", n_act * 4 >> 20);
        goto fail;
    }
    layout_acts(g, g->act);
    return g;
fail:
    ws_gpt_free(g);
    return NULL;
}

void ws_gpt_free(ws_gpt *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->np; i++) free(g->p[i].name);
    free(g->p);
    free(g->bix);
    free(g->ba);
    free(g->w);
    free(g->g);
    free(g->act);
    free(g->tokens);
    free(g);
}

/* ---- access ---- */

const ws_gpt_dims *ws_gpt_get_dims(const ws_gpt *g) { return &g->d; }

void ws_gpt_set_threads(ws_gpt *g, int threads)
{
    g->threads = threads < 1 || threads > g->max_threads ? g->max_threads : threads;
}

int ws_gpt_get_threads(const ws_gpt *g) { return g->threads; }
size_t ws_gpt_nparams(const ws_gpt *g) { return g->np; }
size_t ws_gpt_numel(const ws_gpt *g) { return g->numel; }
float *ws_gpt_weights(ws_gpt *g) { return g->w; }
float *ws_gpt_grads(ws_gpt *g) { return g->g; }
const float *ws_gpt_logits(const ws_gpt *g) { return g->logits; }

ws_gpt_param *ws_gpt_param_at(ws_gpt *g, size_t i)
{
    return i < g->np ? &g->p[i] : NULL;
}

ws_gpt_param *ws_gpt_param_by_name(ws_gpt *g, const char *name)
{
    for (size_t i = 0; i < g->np; i++)
        if (!strcmp(g->p[i].name, name)) return &g->p[i];
    return NULL;
}

void ws_gpt_set_trainable(ws_gpt *g, size_t i, int mode)
{
    if (i >= g->np) return;
    g->p[i].trainable = mode;
    if (mode == WS_PARAM_FROZEN) memset(g->p[i].g, 0, g->p[i].n * sizeof(float));
}

static void zero_range(size_t begin, size_t end, int tid, void *user)
{
    (void)tid;
    memset((float *)user + begin, 0, (end - begin) * sizeof(float));
}

void ws_gpt_zero_grad(ws_gpt *g)
{
    ws_parallel_for(g->numel, 1 << 18, g->threads, zero_range, g->g, NULL);
}

/* Weights of parameter ix (NULL when absent), and its gradient when it
 * takes one (NULL when absent or frozen). */
static const float *W(const ws_gpt *g, int ix) { return ix < 0 ? NULL : g->p[ix].w; }
static float *G(const ws_gpt *g, int ix)
{
    return ix < 0 || g->p[ix].trainable == WS_PARAM_FROZEN ? NULL : g->p[ix].g;
}

/* ---- forward ---- */

static void embed(ws_gpt *g, const int32_t *tok, int B, int T)
{
    size_t C = g->d.n_embd;
    const float *wte = W(g, g->wte), *wpe = W(g, g->wpe);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            size_t i = (size_t)b * T + t;
            const float *te = wte + (size_t)tok[i] * C, *pe = wpe + (size_t)t * C;
            float *o = g->enc + i * C;
            memcpy(o, te, C * sizeof(float));
            wsv_add(o, pe, C);
        }
}

static void block_forward(ws_gpt *g, int l, const float *x, int B, int T)
{
    const block_ix *b = &g->bix[l];
    block_act *a = &g->ba[l];
    int N = B * T, C = g->d.n_embd, th = g->threads;
    wsl_layernorm(a->ln1, a->m1, a->r1, x, W(g, b->ln1w), W(g, b->ln1b), N, C, g->d.ln_eps, th);
    wsl_linear(a->qkv, a->ln1, W(g, b->qkvw), W(g, b->qkvb), NULL, N, C, 3 * C, th);
    wsl_attention(a->atty, a->att, a->qkv, B, T, C, g->d.n_head, th);
    wsl_linear(a->res2, a->atty, W(g, b->aow), W(g, b->aob), x, N, C, C, th);
    wsl_layernorm(a->ln2, a->m2, a->r2, a->res2, W(g, b->ln2w), W(g, b->ln2b), N, C, g->d.ln_eps,
                  th);
    wsl_linear(a->fc, a->ln2, W(g, b->upw), W(g, b->upb), NULL, N, C, 4 * C, th);
    wsl_gelu(a->fcg, a->fc, (size_t)N * 4 * C, g->d.gelu_tanh, th);
    wsl_linear(a->res3, a->fcg, W(g, b->downw), W(g, b->downb), a->res2, N, 4 * C, C, th);
}

static int tokens_ok(const int32_t *t, size_t n, int V)
{
    for (size_t i = 0; i < n; i++)
        if (t[i] < 0 || t[i] >= V) return 0;
    return 1;
}

float ws_gpt_forward(ws_gpt *g, const int32_t *inputs, const int32_t *targets, int B, int T)
{
    const ws_gpt_dims *d = &g->d;
    int N = B * T, C = d->n_embd, L = d->n_layer;
    g->ready = 0;
    if (B < 1 || T < 1 || B > d->B || T > d->T) return NAN;
    if (!tokens_ok(inputs, (size_t)N, d->vocab_size) ||
        (targets && !tokens_ok(targets, (size_t)N, d->vocab_size)))
        return NAN;
    memcpy(g->tokens, inputs, (size_t)N * sizeof(int32_t));
    g->B = B;
    g->T = T;
    embed(g, inputs, B, T);
    const float *x = g->enc;
    for (int l = 0; l < L; l++) {
        block_forward(g, l, x, B, T);
        x = g->ba[l].res3;
    }
    wsl_layernorm(g->lnf, g->mf, g->rf, x, W(g, g->lnfw), W(g, g->lnfb), N, C, g->d.ln_eps,
                  g->threads);
    int head = d->tied ? g->wte : g->headw;
    wsl_linear(g->logits, g->lnf, W(g, head), W(g, g->headb), NULL, N, C, d->vocab_size,
               g->threads);
    double loss = 0.0;
    if (targets) {
        loss = wsl_softmax_ce(g->logits, targets, N, d->vocab_size, g->threads);
        g->ready = 1;
    }
    return (float)loss;
}

/* ---- backward ---- */

static int block_needs_grad(const ws_gpt *g, int l)
{
    const int *ix = (const int *)&g->bix[l];
    for (size_t k = 0; k < sizeof(block_ix) / sizeof(int); k++)
        if (G(g, ix[k])) return 1;
    return 0;
}

/* Lowest block whose gradient is needed: -1 when the embeddings train,
 * n_layer when nothing below the final LayerNorm does. */
static int lowest_needed(const ws_gpt *g)
{
    if (G(g, g->wte) || G(g, g->wpe)) return -1;
    for (int l = 0; l < g->d.n_layer; l++)
        if (block_needs_grad(g, l)) return l;
    return g->d.n_layer;
}

static void bias_grad(const ws_gpt *g, int ix, const float *dy, int N, int nout)
{
    float *db = G(g, ix);
    if (db) wsl_bias_db(db, dy, N, nout);
}

static void weight_grad(const ws_gpt *g, int ix, const float *dy, const float *x,
                        int N, int nin, int nout)
{
    float *dw = G(g, ix);
    if (dw) wsl_linear_dw(dw, dy, x, N, nin, nout, g->threads);
}

/* g->dres holds d(block output); leaves d(block input) there when
 * `need_dx`. */
static void block_backward(ws_gpt *g, int l, const float *x, int need_dx)
{
    const block_ix *b = &g->bix[l];
    block_act *a = &g->ba[l];
    int B = g->B, T = g->T, N = B * T, C = g->d.n_embd, th = g->threads;

    /* MLP: res3 = res2 + down(gelu(up(ln2(res2)))) */
    wsl_linear_dx(g->dfc, g->dres, W(g, b->downw), N, 4 * C, C, 0, g->threads);
    weight_grad(g, b->downw, g->dres, a->fcg, N, 4 * C, C);
    bias_grad(g, b->downb, g->dres, N, C);
    wsv_mul(g->dfc, a->fc, (size_t)N * 4 * C);
    weight_grad(g, b->upw, g->dfc, a->ln2, N, C, 4 * C);
    bias_grad(g, b->upb, g->dfc, N, 4 * C);
    wsl_linear_dx(g->dln, g->dfc, W(g, b->upw), N, C, 4 * C, 0, g->threads);
    wsl_layernorm_back(g->dres, G(g, b->ln2w), G(g, b->ln2b), g->dln, a->res2,
                       a->m2, a->r2, W(g, b->ln2w), N, C, th);

    /* attention: res2 = x + proj(attn(qkv(ln1(x)))) */
    wsl_linear_dx(g->datty, g->dres, W(g, b->aow), N, C, C, 0, g->threads);
    weight_grad(g, b->aow, g->dres, a->atty, N, C, C);
    bias_grad(g, b->aob, g->dres, N, C);
    int need_qkv = need_dx || G(g, b->qkvw) || G(g, b->qkvb) || G(g, b->ln1w) || G(g, b->ln1b);
    if (!need_qkv) return;
    wsl_attention_back(g->dqkv, a->att, g->datty, a->qkv, g->scratch, B, T, C,
                       g->d.n_head, th);
    weight_grad(g, b->qkvw, g->dqkv, a->ln1, N, C, 3 * C);
    bias_grad(g, b->qkvb, g->dqkv, N, 3 * C);
    if (!need_dx && !G(g, b->ln1w) && !G(g, b->ln1b)) return;
    wsl_linear_dx(g->dln, g->dqkv, W(g, b->qkvw), N, C, 3 * C, 0, g->threads);
    wsl_layernorm_back(need_dx ? g->dres : NULL, G(g, b->ln1w), G(g, b->ln1b), g->dln, x,
                       a->m1, a->r1, W(g, b->ln1w), N, C, th);
}

static void embed_backward(ws_gpt *g)
{
    size_t C = g->d.n_embd;
    float *dwte = G(g, g->wte), *dwpe = G(g, g->wpe);
    for (int b = 0; b < g->B; b++)
        for (int t = 0; t < g->T; t++) {
            size_t i = (size_t)b * g->T + t;
            const float *d = g->dres + i * C;
            if (dwte) wsv_add(dwte + (size_t)g->tokens[i] * C, d, C);
            if (dwpe) wsv_add(dwpe + (size_t)t * C, d, C);
        }
}

void ws_gpt_backward(ws_gpt *g)
{
    if (!g->ready) return;
    g->ready = 0;
    const ws_gpt_dims *d = &g->d;
    int N = g->B * g->T, C = d->n_embd, V = d->vocab_size, L = d->n_layer;
    int head = d->tied ? g->wte : g->headw;
    const float *dlogits = g->logits;

    weight_grad(g, head, dlogits, g->lnf, N, C, V);
    bias_grad(g, g->headb, dlogits, N, V);
    int lowest = lowest_needed(g);
    if (lowest >= L && !G(g, g->lnfw) && !G(g, g->lnfb)) return;

    const float *xl = L ? g->ba[L - 1].res3 : g->enc;
    wsl_linear_dx(g->dln, dlogits, W(g, head), N, C, V, 0, g->threads);
    memset(g->dres, 0, (size_t)N * C * sizeof(float));
    wsl_layernorm_back(lowest < L ? g->dres : NULL, G(g, g->lnfw), G(g, g->lnfb), g->dln,
                       xl, g->mf, g->rf, W(g, g->lnfw), N, C, g->threads);
    for (int l = L - 1; l >= 0 && l >= lowest; l--)
        block_backward(g, l, l ? g->ba[l - 1].res3 : g->enc, l > lowest);
    if (lowest < 0) embed_backward(g);
}

/* ---- write back ---- */

static int store_param(const ws_gpt_param *p, ws_tensor *t, ws_err *e)
{
    if ((size_t)t->numel != p->n)
        return ws_fail(e, "%s: %lld values in the model, %zu trained", t->name,
                       (long long)t->numel, p->n);
    if (t->dtype != WS_DT_F32 && t->dtype != WS_DT_F16 && t->dtype != WS_DT_BF16)
        return ws_fail(e, "%s: cannot store weights as %s", t->name, ws_dtype_name(t->dtype));
    size_t esize = t->dtype == WS_DT_F32 ? 4 : 2;
    if (!t->data_owned) {
        /* Never write into a file mapping: give the tensor its own bytes. */
        unsigned char *own = malloc(p->n * esize + 1);
        if (!own) return ws_fail(e, "out of memory");
        t->data = own;
        t->nbytes = p->n * esize;
        t->data_owned = 1;
    }
    unsigned char *dst = (unsigned char *)t->data;
    int tr = t->transposed && p->rows > 1;
    for (size_t k = 0; k < p->n; k++) {
        /* Element k in file order; in canonical order it is (c, r) transposed. */
        size_t src = tr ? (k % (size_t)p->rows) * (size_t)p->cols + k / (size_t)p->rows : k;
        float v = p->w[src];
        if (esize == 4) memcpy(dst + 4 * k, &v, 4);
        else {
            uint16_t h = t->dtype == WS_DT_F16 ? ws_float_to_half(v) : ws_float_to_bf16(v);
            memcpy(dst + 2 * k, &h, 2);
        }
    }
    /* Drop the cached float32 view and statistics: they describe old values. */
    if (t->f32_owned) free(t->f32);
    t->f32 = NULL;
    t->f32_owned = 0;
    t->has_stats = 0;
    return 0;
}

int ws_gpt_write_back(const ws_gpt *g, ws_model *m, ws_err *e)
{
    for (size_t i = 0; i < g->np; i++) {
        ws_tensor *t = ws_model_find(m, g->p[i].name);
        if (!t) return ws_fail(e, "the model has no tensor %s", g->p[i].name);
        if (store_param(&g->p[i], t, e)) return -1;
    }
    return 0;
}

double ws_gpt_flops(const ws_gpt *g, int B, int T)
{
    const ws_gpt_dims *d = &g->d;
    double C = d->n_embd, N = (double)B * T;
    double matmul_params = d->n_layer * 12.0 * C * C + (double)d->vocab_size * C;
    /* The usual count: 6 flops per matmul weight per token (forward 2,
     * backward 4) plus 12·L·T·d per token for the attention products over
     * the full T×T scores (the causal blocks compute about 5/8 of them). */
    return 6.0 * N * matmul_params + 12.0 * d->n_layer * (double)B * T * T * C;
}
