/* Recognising GPT layouts: which tensor plays which role (DESIGN.md §2).
 *
 * Names are normalised (wrapper prefixes dropped: names.h),
 * then matched against the spellings of our users' naming, nanoGPT and HF
 * GPT-2. nanoGPT and HF GPT-2 share names; they differ in orientation, so
 * the shape of c_attn decides: HF's Conv1D stores in × out (d × 3d). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "names.h"

typedef struct role_name { const char *name; ws_role role; } role_name;

static const role_name global_names[] = {
    {"tok_emb", WS_ROLE_EMBED}, {"wte", WS_ROLE_EMBED}, {"embed_tokens", WS_ROLE_EMBED},
    {"embeddings", WS_ROLE_EMBED}, {"embedding", WS_ROLE_EMBED},
    {"pos_emb", WS_ROLE_POS_EMBED}, {"wpe", WS_ROLE_POS_EMBED},
    {"ln_f", WS_ROLE_LN_F}, {"norm_f", WS_ROLE_LN_F},
    {"head", WS_ROLE_HEAD}, {"lm_head", WS_ROLE_HEAD},
};

static const role_name block_names[] = {
    {"ln1", WS_ROLE_LN1}, {"ln_1", WS_ROLE_LN1},
    {"ln2", WS_ROLE_LN2}, {"ln_2", WS_ROLE_LN2},
    {"attn.c_attn", WS_ROLE_QKV}, {"attn.c_proj", WS_ROLE_ATTN_OUT},
    {"mlp.0", WS_ROLE_MLP_UP}, {"mlp.c_fc", WS_ROLE_MLP_UP},
    {"mlp.2", WS_ROLE_MLP_DOWN}, {"mlp.c_proj", WS_ROLE_MLP_DOWN},
};

/* Split "stem.weight" / "stem.bias" (or a bare stem for embeddings stored
 * without a suffix). Returns 0 for other suffixes. */
static int split_param(const char *n, char *stem, size_t cap, int *is_bias)
{
    const char *dot = strrchr(n, '.');
    const char *suf = dot ? dot + 1 : "";
    *is_bias = !strcmp(suf, "bias");
    if (!dot || (!*is_bias && strcmp(suf, "weight")))
        return 0;
    size_t l = (size_t)(dot - n);
    if (l >= cap)
        return 0;
    memcpy(stem, n, l);
    stem[l] = 0;
    return 1;
}

static ws_role lookup(const role_name *tab, size_t n, const char *stem)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(tab[i].name, stem))
            return tab[i].role;
    return WS_ROLE_NONE;
}

/* Assign role, layer and bias flag to one tensor; note our users' naming. */
static void classify(ws_tensor *t, int *ours)
{
    const char *n = ws_name_strip(t->name);
    char stem[256];
    int is_bias;
    t->role = WS_ROLE_NONE;
    t->layer = -1;
    const char *rest = NULL;
    long layer = -1;
    char *end;
    if (!strncmp(n, "blocks.", 7)) {
        layer = strtol(n + 7, &end, 10);
        rest = end != n + 7 && *end == '.' ? end + 1 : NULL;
        if (rest)
            *ours = 1;
    } else if (!strncmp(n, "h.", 2)) {
        layer = strtol(n + 2, &end, 10);
        rest = end != n + 2 && *end == '.' ? end + 1 : NULL;
    }
    if (rest && layer >= 0 && layer < 100000) {
        t->layer = (int)layer;
        if (split_param(rest, stem, sizeof stem, &is_bias)) {
            t->role = lookup(block_names, sizeof block_names / sizeof *block_names, stem);
            t->is_bias = is_bias;
        }
        return;
    }
    if (split_param(n, stem, sizeof stem, &is_bias)) {
        t->role = lookup(global_names, sizeof global_names / sizeof *global_names, stem);
        t->is_bias = is_bias;
        if (!strcmp(stem, "tok_emb") || !strcmp(stem, "pos_emb"))
            *ours = 1;
    } else if (t->ndim == 2) {
        /* A bare name, as a lone embeddings.npy gives: a weight. */
        t->role = lookup(global_names, sizeof global_names / sizeof *global_names, n);
        if (t->role == WS_ROLE_EMBED && !strcmp(n, "tok_emb"))
            *ours = 1;
    }
}

/* Network, buffer or training state (names.h has the tables). A buffer
 * or state tensor has no role, layer or bias flag of its own. */
static void classify_kind(ws_tensor *t)
{
    t->kind = WS_KIND_NETWORK;
    if (ws_state_label(t->name, NULL))
        t->kind = WS_KIND_STATE;
    else if (t->role == WS_ROLE_NONE && (ws_name_is_buffer(t->name) || t->dtype == WS_DT_BOOL))
        t->kind = WS_KIND_BUFFER;
    if (t->kind == WS_KIND_NETWORK)
        return;
    t->role = WS_ROLE_NONE;
    t->is_bias = 0;
    if (t->kind == WS_KIND_STATE)
        t->layer = -1;
}

static int meta_int(const ws_model *m, const char *key, int *out)
{
    const char *v = ws_model_meta(m, key);
    if (!v)
        return 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v || *end || x <= 0 || x > 100000000)
        return 0;
    *out = (int)x;
    return 1;
}

/* Config keys may also sit in a JSON object under "config" or "model_args". */
static int meta_json_int(const ws_model *m, const char *key, int *out)
{
    static const char *holders[] = {"config", "model_args"};
    for (size_t h = 0; h < 2; h++) {
        const char *s = ws_model_meta(m, holders[h]);
        if (!s)
            continue;
        json_t *root = json_loads(s, 0, NULL);
        json_t *v = root ? json_object_get(root, key) : NULL;
        int ok = json_is_integer(v) && json_integer_value(v) > 0;
        if (ok)
            *out = (int)json_integer_value(v);
        json_decref(root);
        if (ok)
            return 1;
    }
    return 0;
}

/* A setting from the metadata, or from the "config" JSON object (a .pt's
 * nanoGPT config) as text in buf; NULL when neither has it. */
static const char *meta_or_config(const ws_model *m, const char *key, char *buf, size_t n)
{
    const char *v = ws_model_meta(m, key), *s = v ? NULL : ws_model_meta(m, "config");
    json_t *root = s ? json_loads(s, 0, NULL) : NULL, *x = root ? json_object_get(root, key) : NULL;
    if (json_is_string(x))
        v = buf, snprintf(buf, n, "%s", json_string_value(x));
    else if (json_is_number(x))
        v = buf, snprintf(buf, n, "%.17g", json_number_value(x));
    json_decref(root);
    return v;
}

static int config_value(const ws_model *m, const char *key, const char *alt, int *out)
{
    return meta_int(m, key, out) || meta_json_int(m, key, out) ||
           (alt && (meta_int(m, alt, out) || meta_json_int(m, alt, out)));
}

/* HF activation_function: gelu is the erf form; the tanh approximations
 * under their names; anything else is noted (training refuses it). */
static void set_activation(ws_config *c, const char *act)
{
    static const char *const tanh_forms[] = {"gelu_new", "gelu_pytorch_tanh", "gelu_fast"};
    c->gelu_tanh = 0;
    for (size_t i = 0; i < sizeof tanh_forms / sizeof *tanh_forms; i++)
        c->gelu_tanh |= !strcmp(act, tanh_forms[i]);
    if (!c->gelu_tanh && strcmp(act, "gelu"))
        snprintf(c->act_unknown, sizeof c->act_unknown, "%s", act);
}

static void derive_config(ws_model *m)
{
    ws_config *c = &m->cfg;
    memset(c, 0, sizeof *c);
    ws_tensor *emb = ws_model_get(m, WS_ROLE_EMBED, -1, 0);
    ws_tensor *pos = ws_model_get(m, WS_ROLE_POS_EMBED, -1, 0);
    for (size_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].layer + 1 > c->n_layer && m->tensors[i].role != WS_ROLE_NONE)
            c->n_layer = m->tensors[i].layer + 1;
    if (emb && emb->ndim == 2) {
        c->vocab_size = (int)emb->shape[0];
        c->n_embd = (int)emb->shape[1];
    }
    if (pos && pos->ndim == 2)
        c->block_size = (int)pos->shape[0];
    config_value(m, "n_layer", NULL, &c->n_layer);
    config_value(m, "n_embd", NULL, &c->n_embd);
    config_value(m, "vocab_size", NULL, &c->vocab_size);
    config_value(m, "block_size", "n_positions", &c->block_size);
    c->n_head_known = config_value(m, "n_head", NULL, &c->n_head);
    c->tied = emb && !ws_model_get(m, WS_ROLE_HEAD, -1, 0);
    c->bias = ws_model_get(m, WS_ROLE_QKV, 0, 1) != NULL;
    char gbuf[32], ebuf[32];
    const char *g = meta_or_config(m, "gelu", gbuf, sizeof gbuf);
    const char *act = ws_model_meta(m, "activation_function");
    if (g)
        c->gelu_tanh = !strcmp(g, "tanh");
    else if (act)
        set_activation(c, act);
    else /* HF GPT-2 checkpoints say nothing, and GPT-2 uses the tanh form (gelu_new) */
        c->gelu_tanh = m->layout == WS_LAYOUT_HF_GPT2;
    const char *eps = meta_or_config(m, "layer_norm_epsilon", ebuf, sizeof ebuf);
    char *end;
    double ev = eps ? strtod(eps, &end) : 0;
    c->ln_eps = eps && end != eps && !*end && ev > 0 && ev < 1 ? (float)ev : 1e-5f;
}

/* HF Conv1D weights are stored in × out: mark them for transposition. */
static void mark_transposed(ws_model *m)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        ws_tensor *t = &m->tensors[i];
        int linear = t->role == WS_ROLE_QKV || t->role == WS_ROLE_ATTN_OUT ||
                     t->role == WS_ROLE_MLP_UP || t->role == WS_ROLE_MLP_DOWN;
        if (linear && !t->is_bias && t->ndim == 2) {
            t->transposed = 1;
            t->rows = t->shape[1];
            t->cols = t->shape[0];
        }
    }
}

/* Canonical order: embeddings, then each layer by role, then ln_f and
 * head, then the network's tensors without a role, then buffers, then
 * training state (each by name). */
static int order_key(const ws_tensor *t)
{
    if (t->kind != WS_KIND_NETWORK)
        return 400000000 + (int)t->kind;
    if (t->role == WS_ROLE_NONE)
        return t->layer >= 0 ? 100000000 + t->layer : 300000000;
    if (t->layer >= 0)
        return 1000 + t->layer * 100 + (int)t->role * 2 + t->is_bias;
    return (t->role == WS_ROLE_LN_F || t->role == WS_ROLE_HEAD ? 200000000 : 0) + (int)t->role * 2 + t->is_bias;
}

static int cmp_canonical(const void *a, const void *b)
{
    const ws_tensor *x = a, *y = b;
    int kx = order_key(x), ky = order_key(y);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void count_kinds(ws_model *m)
{
    memset(m->n_kind, 0, sizeof m->n_kind);
    memset(m->params_kind, 0, sizeof m->params_kind);
    for (size_t i = 0; i < m->n_tensors; i++) {
        m->n_kind[m->tensors[i].kind]++;
        m->params_kind[m->tensors[i].kind] += m->tensors[i].numel;
    }
}

void ws_model_recognise(ws_model *m)
{
    int ours = 0, roles = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        classify(&m->tensors[i], &ours);
        classify_kind(&m->tensors[i]);
        roles += m->tensors[i].role != WS_ROLE_NONE;
    }
    ws_tensor *emb = ws_model_get(m, WS_ROLE_EMBED, -1, 0);
    ws_tensor *qkv = ws_model_get(m, WS_ROLE_QKV, 0, 0);
    if (!emb || !roles) {
        m->layout = WS_LAYOUT_UNKNOWN;
        snprintf(m->layout_note, sizeof m->layout_note,
                 "no token embedding (tok_emb, wte) found: analyses that need roles are off");
    } else if (!ws_model_get(m, WS_ROLE_QKV, 0, 0) && !ws_model_get(m, WS_ROLE_MLP_UP, 0, 0)) {
        m->layout = WS_LAYOUT_EMBEDDING;
    } else if (ours) {
        m->layout = WS_LAYOUT_OURS;
    } else if (qkv && qkv->ndim == 2 && emb->ndim == 2 && qkv->shape[0] == emb->shape[1] &&
               qkv->shape[1] == 3 * emb->shape[1]) {
        m->layout = WS_LAYOUT_HF_GPT2;
        mark_transposed(m);
    } else {
        m->layout = WS_LAYOUT_NANOGPT;
    }
    /* Only done before any tensor is used: the locks are not held and no
     * pointer into the array has been handed out yet. */
    if (m->n_tensors > 1)   /* qsort takes no NULL array, even of 0 elements */
        qsort(m->tensors, m->n_tensors, sizeof *m->tensors, cmp_canonical);
    derive_config(m);
    count_kinds(m);
    ws_names_common_prefix(m);
}
