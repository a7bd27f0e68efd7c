/* Names (src/names.c): tensor kinds, what users type (prefixes, ROLE@LAYER,
 * comma lists, the tied head) and what they read (display names, the one
 * elision rule, smart-case search). */
#include "check.h"
#include "model.h"
#include "names.h"

static void add(ws_model *m, const char *name, ws_dtype dt, int64_t r, int64_t c)
{
    int64_t shape[2] = {r, c};
    size_t n = (size_t)(r * (c ? c : 1));
    void *x = calloc(n, 4);
    ws_model_add(m, name, dt, c ? 2 : 1, shape, x, 1, NULL);
}

/* A tiny compiled nanoGPT (1 layer, tied) plus masks and wscope state. */
static ws_model *nanogpt(void)
{
    ws_model *m = ws_model_new();
    const char *p = "_orig_mod.transformer.";
    char n[160];
#define ADD(suffix, r, c) (snprintf(n, sizeof n, "%s%s", p, suffix), add(m, n, WS_DT_F32, r, c))
    ADD("wte.weight", 11, 8);
    ADD("wpe.weight", 6, 8);
    ADD("h.0.ln_1.weight", 8, 0);
    ADD("h.0.attn.c_attn.weight", 24, 8);
    ADD("h.0.attn.c_attn.bias", 24, 0);
    ADD("h.0.attn.c_proj.weight", 8, 8);
    ADD("h.0.ln_2.weight", 8, 0);
    ADD("h.0.mlp.c_fc.weight", 32, 8);
    ADD("h.0.mlp.c_proj.weight", 8, 32);
    ADD("ln_f.weight", 8, 0);
    ADD("h.0.attn.bias", 6, 6);          /* the causal mask buffer */
#undef ADD
    add(m, "h.0.attn.masked_bias", WS_DT_F32, 1, 0);
    add(m, "optim.exp_avg._orig_mod.transformer.h.0.attn.c_attn.weight", WS_DT_F32, 24, 8);
    add(m, "optim.exp_avg_sq._orig_mod.transformer.h.0.attn.c_attn.weight", WS_DT_F32, 24, 8);
    add(m, "grid.A._orig_mod.transformer.h.0.mlp.c_fc.weight", WS_DT_F32, 32, 4);
    ws_model_set_meta(m, "n_head", "2", NULL);
    ws_model_recognise(m);
    return m;
}

static ws_tensor *named(ws_model *m, const char *n)
{
    ws_tensor *t = ws_model_find(m, n);
    CHECKF(t != NULL, "%s", n);
    return t;
}

/* How many tensors a selection built from `arg` picks. */
static int count_sel(ws_model *m, const char *arg)
{
    ws_namesel s = {0};
    ws_err e = {{0}};
    if (ws_namesel_add(&s, arg, &e) < 0)
        return -1;
    int k = 0;
    for (size_t i = 0; i < m->n_tensors; i++)
        k += ws_namesel_match(&s, -1, m, &m->tensors[i]);
    ws_namesel_free(&s);
    return k;
}

static void kinds(void)
{
    ws_model *m = nanogpt();
    CHECK(m->layout == WS_LAYOUT_NANOGPT);
    CHECK(m->n_kind[WS_KIND_NETWORK] == 10);
    CHECK(m->n_kind[WS_KIND_BUFFER] == 2);
    CHECK(m->n_kind[WS_KIND_STATE] == 3);
    CHECK(m->params_kind[WS_KIND_STATE] == 24 * 8 * 2 + 32 * 4);
    CHECK(m->params_kind[WS_KIND_NETWORK] + m->params_kind[WS_KIND_BUFFER] +
              m->params_kind[WS_KIND_STATE] == m->n_params);
    ws_tensor *mask = named(m, "_orig_mod.transformer.h.0.attn.bias");
    CHECK(mask->kind == WS_KIND_BUFFER && mask->role == WS_ROLE_NONE && !mask->is_bias);
    CHECK(mask->layer == 0);
    ws_tensor *qb = named(m, "_orig_mod.transformer.h.0.attn.c_attn.bias");
    CHECK(qb->kind == WS_KIND_NETWORK && qb->role == WS_ROLE_QKV && qb->is_bias);
    ws_tensor *st = named(m, "optim.exp_avg_sq._orig_mod.transformer.h.0.attn.c_attn.weight");
    CHECK(st->kind == WS_KIND_STATE && st->role == WS_ROLE_NONE && st->layer == -1);
    /* Network first, buffers, then state, in file order after sorting. */
    CHECK(m->tensors[m->n_tensors - 1].kind == WS_KIND_STATE);
    CHECK(m->tensors[9].kind == WS_KIND_NETWORK && m->tensors[10].kind == WS_KIND_BUFFER);
    /* Weight matrices for fits: network only. */
    int mats = 0;
    for (size_t i = 0; i < m->n_tensors; i++)
        mats += ws_tensor_is_weight_matrix(&m->tensors[i]);
    CHECK(mats == 6);   /* wte, wpe, c_attn, c_proj, c_fc, mlp.c_proj (tied: no head) */
    char b[64];
    CHECK_STR_CONTAINS(ws_display_role(st, 1, b, sizeof b), "exp_avg_sq");
    CHECK_STR_CONTAINS(ws_display_role(mask, 1, b, sizeof b), "buffer");
    CHECK_STR_CONTAINS(ws_display_role(qb, 1, b, sizeof b), "qkv.b@0");
    ws_model_free(m);
}

static void typing(void)
{
    ws_model *m = nanogpt();
    /* With or without the prefixes. */
    CHECK(count_sel(m, "_orig_mod.transformer.h.0.attn.c_attn.weight") == 1);
    CHECK(count_sel(m, "transformer.h.0.attn.c_attn.weight") == 1);
    CHECK(count_sel(m, "h.0.attn.c_attn.weight") == 1);
    CHECK(count_sel(m, "h.0.attn.c_*") == 3);
    /* Roles and ROLE@LAYER; comma lists; a layer list continues. */
    CHECK(count_sel(m, "qkv") == 2);
    CHECK(count_sel(m, "qkv@0") == 2);
    CHECK(count_sel(m, "QKV@0") == 2);   /* roles in any case, as search */
    CHECK(count_sel(m, "qkv@1") == 0);
    CHECK(count_sel(m, "qkv@0,attn_out@0") == 3);
    CHECK(count_sel(m, "attn_out@0,1,qkv@0") == 3);
    CHECK(count_sel(m, "*@0") == 7);   /* every role tensor of layer 0, not the buffers */
    CHECK(count_sel(m, "*") == (int)m->n_tensors);
    /* The tied head is the embedding. */
    CHECK(count_sel(m, "lm_head.weight") == 1);
    CHECK(count_sel(m, "head") == 1);
    ws_namesel s = {0};
    ws_err e = {{0}};
    CHECK(ws_namesel_add(&s, "bogus@1", &e) < 0);
    CHECK_STR_CONTAINS((const char *)e.msg, "ROLE@LAYERS");
    CHECK(ws_namesel_add(&s, "qkv@0-x", &e) < 0);
    CHECK(ws_namesel_add(&s, "qkv@0, h.0.*", &e) == 0 && s.n == 2);
    CHECK(ws_namesel_check(&s, m, NULL, "tensor", NULL, &e) == 0);
    ws_namesel_free(&s);
    CHECK(ws_namesel_add(&s, "optim.*", &e) == 0);
    CHECK(ws_namesel_check(&s, m, NULL, "tensor", "--all-tensors", &e) < 0);
    CHECK_STR_CONTAINS((const char *)e.msg, "--all-tensors");
    ws_namesel_free(&s);
    CHECK(ws_namesel_add(&s, "nothing.here", &e) == 0);
    CHECK(ws_namesel_check(&s, m, NULL, "2-D tensor", NULL, &e) < 0);
    CHECK_STR_CONTAINS((const char *)e.msg, "\"nothing.here\" selects no 2-D tensor");
    ws_namesel_free(&s);
    /* One tensor. */
    char note[256];
    ws_tensor *t = ws_model_resolve(m, "qkv@0", note, sizeof note, &e);
    CHECK(t && !strcmp(t->name, "_orig_mod.transformer.h.0.attn.c_attn.weight"));
    t = ws_model_resolve(m, "transformer.h.0.mlp.c_fc.weight", note, sizeof note, &e);
    CHECK(t && t->role == WS_ROLE_MLP_UP && !note[0]);
    t = ws_model_resolve(m, "lm_head.weight", note, sizeof note, &e);
    CHECK(t && t->role == WS_ROLE_EMBED);
    CHECK(strstr(note, "tied") != NULL);
    t = ws_model_resolve(m, "optim.exp_avg._orig_mod.transformer.h.0.attn.c_attn.weight", note,
                         sizeof note, &e);
    CHECK(t && t->kind == WS_KIND_STATE);
    CHECK(!ws_model_resolve(m, "h.0.*", note, sizeof note, &e));
    CHECK_STR_CONTAINS((const char *)e.msg, "selects");
    CHECK(!ws_model_resolve(m, "nope", note, sizeof note, &e));
    CHECK_STR_CONTAINS((const char *)e.msg, "no tensor named nope");
    /* Policies use the same patterns. */
    CHECK(ws_name_list_match("transformer.h.0.*", "_orig_mod.transformer.h.0.ln_1.weight",
                             WS_ROLE_LN1, 0) == 1);
    CHECK(ws_name_list_match("ln2@0,ln1@0", "x", WS_ROLE_LN1, 0) == 1);
    ws_model_free(m);
}

static void reading(void)
{
    ws_model *m = nanogpt();
    char b[256];
    ws_tensor *q = named(m, "_orig_mod.transformer.h.0.attn.c_attn.weight");
    CHECK(!strcmp(ws_display_name(m, q, 0, b, sizeof b), "h.0.attn.c_attn.weight"));
    CHECK(!strcmp(ws_display_name(m, q, 1, b, sizeof b), "attn.c_attn.weight"));
    ws_tensor *st = named(m, "optim.exp_avg._orig_mod.transformer.h.0.attn.c_attn.weight");
    CHECK(!strcmp(ws_display_name(m, st, 1, b, sizeof b), "h.0.attn.c_attn.weight"));
    CHECK(ws_tensor_label(m, q, 40, 0, b, sizeof b) == 24);
    CHECK(!strcmp(b, "qkv@0 attn.c_attn.weight"));
    ws_tensor_label(m, q, 16, 0, b, sizeof b);
    CHECKF(ws_text_cells(b) == 16 && !strncmp(b, "qkv@0 ", 6), "%s", b);
    ws_tensor_label(m, q, 8, 0, b, sizeof b);
    CHECK(!strcmp(b, "qkv@0"));
    /* The elision rule: the head to the layer number, "…", the tail. */
    CHECK(ws_elide("h.0.attn.c_attn.weight", 30, 0, b, sizeof b) == 22);
    CHECK(ws_elide("blocks.11.attn.c_attn.weight", 24, 0, b, sizeof b) == 24);
    CHECKF(!strcmp(b, "blocks.11.\xe2\x80\xa6" "c_attn.weight"), "%s", b);
    ws_elide("blocks.11.attn.c_attn.weight", 16, 1, b, sizeof b);
    CHECKF(!strcmp(b, "~n.c_attn.weight"), "%s", b);   /* the layer takes over half: the tail */
    ws_elide("a_long_name_without_layers", 10, 0, b, sizeof b);
    CHECKF(!strcmp(b, "\xe2\x80\xa6" "ut_layers"), "%s", b);
    CHECK(ws_elide("abc", 1, 1, b, sizeof b) == 1 && !strcmp(b, "~"));
    /* A prefix every network name shares is dropped; never the layer container. */
    ws_model *g = ws_model_new();
    add(g, "gpt.wte.weight", WS_DT_F32, 5, 4);
    add(g, "gpt.h.0.attn.c_attn.weight", WS_DT_F32, 12, 4);
    ws_model_recognise(g);
    CHECK(!strcmp(g->name_prefix, "gpt."));
    CHECK(!strcmp(ws_display_name(g, named(g, "gpt.wte.weight"), 0, b, sizeof b), "wte.weight"));
    ws_model_free(g);
    g = ws_model_new();
    add(g, "h.0.a.weight", WS_DT_F32, 5, 4);
    add(g, "h.0.b.weight", WS_DT_F32, 5, 4);
    ws_model_recognise(g);
    CHECK(!strcmp(g->name_prefix, ""));
    ws_model_free(g);
    /* Any case, whatever the search holds. */
    CHECK(ws_name_contains("h.0.attn.c_attn.weight", "ATTN") == 1);
    CHECK(ws_name_contains("h.0.attn.c_attn.weight", "mlp") == 0);
    CHECK(ws_name_contains("h.0.attn.c_attn.weight", "attn") == 1);
    CHECK(ws_name_contains("H.0.Attn", "attn") == 1);
    ws_model_free(m);
}

int main(void)
{
    kinds();
    typing();
    reading();
    return check_done();
}
