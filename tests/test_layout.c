/* Layout recognition for our users' naming, nanoGPT and HF GPT-2 (with the
 * Conv1D transpose), tied and untied, with and without config metadata. */
#include <unistd.h>

#include "check.h"
#include "model.h"

static char tmpdir[] = "/tmp/wscope-test-layout-XXXXXX";

typedef struct naming {
    const char *emb, *pos, *ln1, *qkv, *proj, *ln2, *up, *down, *lnf, *head;
    int conv1d;
} naming;

static const naming OURS = {"tok_emb", "pos_emb", "blocks.%d.ln1", "blocks.%d.attn.c_attn",
                            "blocks.%d.attn.c_proj", "blocks.%d.ln2", "blocks.%d.mlp.0",
                            "blocks.%d.mlp.2", "ln_f", "head", 0};
static const naming NANO = {"transformer.wte", "transformer.wpe", "transformer.h.%d.ln_1",
                            "transformer.h.%d.attn.c_attn", "transformer.h.%d.attn.c_proj",
                            "transformer.h.%d.ln_2", "transformer.h.%d.mlp.c_fc",
                            "transformer.h.%d.mlp.c_proj", "transformer.ln_f", "lm_head", 0};
static const naming HF = {"wte", "wpe", "h.%d.ln_1", "h.%d.attn.c_attn", "h.%d.attn.c_proj", "h.%d.ln_2",
                          "h.%d.mlp.c_fc", "h.%d.mlp.c_proj", "ln_f", NULL, 1};

enum { L = 2, D = 8, V = 11, T = 5 };

static void add(ws_model *m, const char *fmt, int layer, const char *sfx, int64_t r, int64_t c)
{
    char name[128], full[160];
    snprintf(name, sizeof name, fmt, layer);
    snprintf(full, sizeof full, "%s.%s", name, sfx);
    int64_t shape[2] = {r, c};
    int64_t n = r * (c ? c : 1);
    float *x = malloc((size_t)n * sizeof *x);
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)i; /* element i stored at i: makes the transpose checkable */
    ws_model_add(m, full, WS_DT_F32, c ? 2 : 1, shape, x, 1, NULL);
}

/* A linear layer out × in, stored in × out for Conv1D namings. */
static void add_linear(ws_model *m, const naming *nm, const char *fmt, int l, int64_t out, int64_t in)
{
    if (nm->conv1d)
        add(m, fmt, l, "weight", in, out);
    else
        add(m, fmt, l, "weight", out, in);
    add(m, fmt, l, "bias", out, 0);
}

static ws_model *build(const naming *nm, int tied, int with_meta)
{
    ws_model *m = ws_model_new();
    add(m, nm->emb, 0, "weight", V, D);
    add(m, nm->pos, 0, "weight", T, D);
    for (int l = 0; l < L; l++) {
        add(m, nm->ln1, l, "weight", D, 0);
        add(m, nm->ln1, l, "bias", D, 0);
        add_linear(m, nm, nm->qkv, l, 3 * D, D);
        add_linear(m, nm, nm->proj, l, D, D);
        add(m, nm->ln2, l, "weight", D, 0);
        add(m, nm->ln2, l, "bias", D, 0);
        add_linear(m, nm, nm->up, l, 4 * D, D);
        add_linear(m, nm, nm->down, l, D, 4 * D);
    }
    add(m, nm->lnf, 0, "weight", D, 0);
    if (!tied && nm->head)
        add(m, nm->head, 0, "weight", V, D);
    if (with_meta)
        ws_model_set_meta(m, "n_head", "2", NULL);
    return m;
}

static ws_model *round_trip(ws_model *m, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    ws_err e = {{0}};
    CHECKF(ws_model_save(m, path, &e) == 0, "%s", e.msg);
    ws_model_free(m);
    ws_model *r = NULL;
    CHECKF(ws_model_open(path, &r, &e) == 0, "%s", e.msg);
    return r;
}

static void check_model(ws_model *m, ws_layout want, int tied, int with_meta)
{
    if (!m)
        return;
    CHECKF(m->layout == want, "layout %s", ws_layout_name(m->layout));
    CHECK(m->cfg.n_layer == L && m->cfg.n_embd == D && m->cfg.vocab_size == V && m->cfg.block_size == T);
    CHECK(m->cfg.tied == tied);
    CHECK(m->cfg.bias == 1);
    CHECK(m->cfg.n_head_known == with_meta && (!with_meta || m->cfg.n_head == 2));
    static const ws_role per_layer[] = {WS_ROLE_LN1, WS_ROLE_QKV, WS_ROLE_ATTN_OUT, WS_ROLE_LN2,
                                        WS_ROLE_MLP_UP, WS_ROLE_MLP_DOWN};
    for (int l = 0; l < L; l++)
        for (size_t k = 0; k < sizeof per_layer / sizeof *per_layer; k++)
            CHECKF(ws_model_get(m, per_layer[k], l, 0) != NULL, "%s@%d", ws_role_name(per_layer[k]), l);
    CHECK(ws_model_get(m, WS_ROLE_EMBED, -1, 0) && ws_model_get(m, WS_ROLE_POS_EMBED, -1, 0));
    CHECK(ws_model_get(m, WS_ROLE_LN_F, -1, 0) != NULL);
    CHECK((ws_model_get(m, WS_ROLE_HEAD, -1, 0) != NULL) == !tied);
    /* Canonical out × in for every linear weight, whatever the storage. */
    ws_tensor *qkv = ws_model_get(m, WS_ROLE_QKV, 1, 0), *up = ws_model_get(m, WS_ROLE_MLP_UP, 0, 0);
    ws_tensor *down = ws_model_get(m, WS_ROLE_MLP_DOWN, 0, 0);
    CHECK(qkv->rows == 3 * D && qkv->cols == D);
    CHECK(up->rows == 4 * D && up->cols == D && down->rows == D && down->cols == 4 * D);
    CHECK(qkv->transposed == (want == WS_LAYOUT_HF_GPT2));
    ws_err e = {{0}};
    const float *w = ws_tensor_f32(qkv, &e);
    int ok = w != NULL;
    for (int64_t r = 0; ok && r < qkv->rows; r++)
        for (int64_t c = 0; c < qkv->cols; c++) {
            /* Stored element index: r*cols+c (plain) or c*rows+r (Conv1D). */
            float want_v = qkv->transposed ? (float)(c * qkv->rows + r) : (float)(r * qkv->cols + c);
            if (w[r * qkv->cols + c] != want_v)
                ok = 0;
        }
    CHECKF(ok, "qkv values in canonical orientation");
    /* Canonical order: embeddings first, then layer 0. */
    CHECK(m->tensors[0].role == WS_ROLE_EMBED && m->tensors[1].role == WS_ROLE_POS_EMBED);
    CHECK(m->tensors[2].layer == 0);
}

static void test_unknown(void)
{
    ws_model *m = ws_model_new();
    int64_t s[2] = {3, 3};
    ws_model_add(m, "encoder.layer.0.dense.weight", WS_DT_F32, 2, s, calloc(9, 4), 1, NULL);
    m = round_trip(m, "unknown.safetensors");
    if (!m)
        return;
    CHECK(m->layout == WS_LAYOUT_UNKNOWN);
    CHECK_STR_CONTAINS(m->layout_note, "embedding");
    CHECK(m->n_tensors == 1);
    ws_model_free(m);
}

static void test_prefixes(void)
{
    ws_model *m = build(&OURS, 1, 1);
    /* Rename everything with a torch.compile prefix. */
    for (size_t i = 0; i < m->n_tensors; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "_orig_mod.%s", m->tensors[i].name);
        free(m->tensors[i].name);
        m->tensors[i].name = strdup(buf);
    }
    m = round_trip(m, "prefixed.safetensors");
    check_model(m, WS_LAYOUT_OURS, 1, 1);
    ws_model_free(m);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 99;
    const struct { const naming *nm; ws_layout want; const char *file; } cases[] = {
        {&OURS, WS_LAYOUT_OURS, "ours"}, {&NANO, WS_LAYOUT_NANOGPT, "nano"}, {&HF, WS_LAYOUT_HF_GPT2, "hf"}};
    for (size_t i = 0; i < 3; i++)
        for (int tied = 0; tied < 2; tied++) {
            if (!cases[i].nm->head && !tied)
                continue; /* HF GPT-2 files carry no lm_head: always tied */
            char file[64];
            snprintf(file, sizeof file, "%s-%d.safetensors", cases[i].file, tied);
            ws_model *m = round_trip(build(cases[i].nm, tied, tied), file);
            check_model(m, cases[i].want, tied, tied);
            ws_model_free(m);
        }
    test_unknown();
    test_prefixes();
    check_rmtree(tmpdir);
    return check_done();
}
