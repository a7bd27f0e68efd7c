/* Checkpoints as researchers have them (tests/ref/checkpoints_ref.py wrote
 * them and the expected numbers): a nanoGPT ckpt.pt, its F16 safetensors
 * export, an HF GPT-2 folder of a later version, a wscope fine-tune with
 * training state. Drift between each pair against numpy float64 over the
 * network's tensors; eval against PyTorch float64; counts without the
 * training state. */
#include <jansson.h>

#include "check.h"
#include "drift.h"
#include "gpt.h"
#include "names.h"
#include "train.h"

static json_t *expected;

static ws_model *open_fixture(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "tests/fixtures/net/%s", rel);
    ws_model *m = NULL;
    ws_err e = {{0}};
    CHECKF(ws_model_open(check_src(path), &m, &e) == 0, "%s: %s", rel, e.msg);
    return m;
}

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Every number of one pair's report against expected.json's "drift"."pair". */
static void check_pair(const ws_model *base, const char *rel, const char *pair, size_t state1)
{
    ws_model *tuned = open_fixture(rel);
    if (!base || !tuned)
        return;
    json_t *x = json_object_get(json_object_get(expected, "drift"), pair);
    json_t *tensors = json_object_get(x, "tensors"), *layers = json_object_get(x, "layers");
    ws_drift_report r;
    ws_err e = {{0}};
    CHECKF(ws_drift_models(base, tuned, 0, &r, NULL, &e) == 0, "%s", e.msg);
    CHECKF(r.n == json_object_size(tensors), "%s: %zu pairs, expected %zu", pair, r.n,
           json_object_size(tensors));
    CHECKF(r.n_only0 == 0 && r.n_only1 == 0, "%s: %zu / %zu unmatched", pair, r.n_only0, r.n_only1);
    CHECKF(r.state1 == state1 && r.state0 == 0, "%s: state %zu / %zu", pair, r.state0, r.state1);
    int compared = 0;
    for (size_t i = 0; i < r.n; i++) {
        json_t *want = json_object_get(tensors, r.t0[i]->name);
        CHECKF(want != NULL, "%s: %s not expected", pair, r.t0[i]->name);
        CHECKF(!r.shape_differs[i], "%s: %s shapes differ", pair, r.t0[i]->name);
        if (!want)
            continue;
        CHECK_REL(r.per_tensor[i].rms, num(want, "rms"), 1e-6);
        CHECK_REL(r.per_tensor[i].rel, num(want, "relative"), 1e-6);
        CHECK_REL(r.per_tensor[i].cos, num(want, "cosine"), 1e-9);
        compared++;
    }
    CHECK(compared == (int)r.n);
    CHECK(r.n_layers == (int)json_object_size(layers));
    for (int l = 0; l < r.n_layers; l++) {
        char key[16];
        snprintf(key, sizeof key, "%d", l);
        json_t *want = json_object_get(layers, key);
        CHECK_REL(r.per_layer[l].rms, num(want, "rms"), 1e-6);
        CHECK_REL(r.per_layer[l].cos, num(want, "cosine"), 1e-9);
        CHECK_REL(r.layer_mean_cos[l], num(want, "mean_cos"), 1e-9);
    }
    json_t *model = json_object_get(x, "model");
    CHECK_REL(r.all.rms, num(model, "rms"), 1e-6);
    CHECK_REL(r.all.rel, num(model, "relative"), 1e-6);
    CHECK_REL(r.all.cos, num(model, "cosine"), 1e-9);
    CHECK_REL(r.mean_cos, num(model, "mean_cos"), 1e-9);
    CHECK(r.n_mean_cos == (int)num(model, "n_mean_cos"));
    ws_drift_report_free(&r);

    /* With every kind: the buffers pair up too; the state is on one side only. */
    CHECK(ws_drift_models(base, tuned, 1, &r, NULL, &e) == 0);
    CHECKF(r.n_only1 == state1, "%s --all-tensors: %zu only in tuned", pair, r.n_only1);
    CHECK_REL(r.all.rms, num(model, "rms"), 1e-6);   /* the model row stays the network's */
    ws_drift_report_free(&r);
    ws_model_free(tuned);
}

/* Mean loss over val.bin's windows (T 16, B 4) against PyTorch; for the HF
 * folders (n_head, GELU form and LayerNorm epsilon from config.json) also
 * far from the loss the other GELU form gives. */
static void check_eval(const char *rel, const char *key)
{
    ws_model *m = open_fixture(rel);
    if (!m)
        return;
    FILE *f = fopen(check_src("tests/fixtures/net/val.bin"), "rb");
    uint16_t raw[4096];
    size_t n = f ? fread(raw, 2, 4096, f) : 0;
    if (f)
        fclose(f);
    int32_t tok[4096];
    for (size_t i = 0; i < n; i++)
        tok[i] = raw[i];
    ws_err e = {{0}};
    ws_gpt *g = ws_gpt_new(m, 4, 16, &e);
    CHECKF(g != NULL, "%s: %s", rel, e.msg);
    if (g) {
        double loss = ws_eval_windows(g, tok, n, 4, 16, 0, NULL, &e);
        double want = num(json_object_get(expected, "eval"), key);
        double other = num(json_object_get(expected, "eval_other_gelu"), key);
        CHECKF(fabs(loss - want) <= 3e-6 * want, "%s: loss %.9g, PyTorch %.9g", rel, loss, want);
        if (!isnan(other))
            CHECKF(fabs(loss - other) > 3 * 3e-6 * other, "%s: loss %.9g, the other GELU %.9g", rel,
                   loss, other);
        ws_gpt_free(g);
    }
    ws_model_free(m);
}

static char tmpdir[] = "/tmp/wscope-test-checkpoints-XXXXXX";

/* Weights-only saves of a fine-tune of an F16 model: F16 like the input
 * (each weight the nearest F16 of the float32 one, ties to even), BF16 or
 * F32 when asked; the buffers as they were; no training state; a
 * checkpoint keeps float32 and the state. */
static void check_weights_dtype(void)
{
    ws_model *m = open_fixture("nanogpt/ckpt.safetensors");
    if (!m)
        return;
    ws_err e = {{0}};
    ws_model_set_meta(m, "n_head", "2", &e);   /* as --heads does: the export says nothing */
    ws_model_recognise(m);
    const char *data[] = {check_src("tests/fixtures/net/train.bin")};
    ws_data d;
    CHECKF(ws_data_load(&d, data, 1, NULL, m->cfg.vocab_size, &e) == 0, "%s", e.msg);
    ws_data_split(&d, 0.2);
    ws_train_opts o = ws_train_defaults();
    o.steps = 2, o.B = 2, o.T = 8, o.lr = 1e-2f, o.eval_every = 0, o.eval_batches = 1;
    ws_train *t = ws_train_new(m, &d, &o, 0, &e);
    CHECKF(t != NULL, "%s", e.msg);
    if (!t)
        return;
    CHECK(ws_train_start(t, &e) == 0 && ws_train_wait(t) == WS_TRAIN_DONE);
    const char *names[4] = {"f16", "f32", "bf16", "ckpt"};
    ws_model *out[4] = {0};
    for (int k = 0; k < 4; k++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s.safetensors", tmpdir, names[k]);
        int rc = k == 3 ? ws_train_save(t, p, &e) : ws_train_save_weights_as(t, p, k == 0 ? WS_DT_COUNT
                                                           : k == 1 ? WS_DT_F32 : WS_DT_BF16, &e);
        CHECKF(rc == 0 && ws_model_open(p, &out[k], &e) == 0, "%s: %s", names[k], e.msg);
    }
    for (size_t i = 0; out[0] && out[1] && out[2] && i < out[1]->n_tensors; i++) {
        const ws_tensor *f32 = &out[1]->tensors[i];
        const ws_tensor *f16 = ws_model_find(out[0], f32->name), *bf = ws_model_find(out[2], f32->name);
        const ws_tensor *in = ws_model_find(m, f32->name);
        if (!f16 || !bf || !in) {
            CHECKF(0, "%s missing", f32->name);
            continue;
        }
        if (f32->kind == WS_KIND_BUFFER) {   /* untouched: the input's F16 bytes */
            CHECK(f32->dtype == WS_DT_F16 && f16->dtype == WS_DT_F16 && !memcmp(f16->data, in->data, in->nbytes));
            continue;
        }
        CHECKF(f32->dtype == WS_DT_F32 && f16->dtype == WS_DT_F16 && bf->dtype == WS_DT_BF16, "%s", f32->name);
        const float *w = (const float *)(const void *)f32->data;
        const uint16_t *h = (const uint16_t *)(const void *)f16->data, *b = (const uint16_t *)(const void *)bf->data;
        int same = 1;
        for (int64_t j = 0; j < f32->numel; j++)
            same &= h[j] == ws_float_to_half(w[j]) && b[j] == ws_float_to_bf16(w[j]);
        CHECKF(same, "%s: not the nearest F16/BF16 of the float32 weights", f32->name);
    }
    /* The weights kept in memory (float32) saved like the input: the same file. */
    ws_model *w = ws_train_weights_model(t, NULL, &e), *like = NULL;
    char p[256];
    snprintf(p, sizeof p, "%s/like.safetensors", tmpdir);
    CHECKF(w && ws_model_save_like(w, m, p, &e) == 0 && ws_model_open(p, &like, &e) == 0, "%s", e.msg);
    for (size_t i = 0; like && out[0] && i < out[0]->n_tensors; i++) {
        const ws_tensor *a = &out[0]->tensors[i], *b = ws_model_find(like, a->name);
        CHECKF(b && a->dtype == b->dtype && a->nbytes == b->nbytes && !memcmp(a->data, b->data, a->nbytes),
               "%s", a->name);
    }
    ws_model_free(like);
    ws_model_free(w);
    if (out[0] && out[3]) {
        CHECK(out[0]->n_kind[WS_KIND_STATE] == 0 && out[3]->n_kind[WS_KIND_STATE] > 0);
        CHECK(ws_model_meta(out[3], "train.options") && !ws_model_meta(out[0], "train.options"));
        ws_tensor *q = ws_model_find(out[3], "transformer.h.0.attn.c_attn.weight");
        CHECK(q && q->dtype == WS_DT_F32);   /* --resume needs the exact weights */
    }
    for (int k = 0; k < 4; k++)
        ws_model_free(out[k]);
    ws_train_free(t);
    ws_data_free(&d);
    ws_model_free(m);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    json_error_t je;
    expected = json_load_file(check_src("tests/fixtures/net/expected.json"), 0, &je);
    CHECKF(expected != NULL, "expected.json: %s", je.text);
    if (!expected)
        return check_done();
    ws_model *base = open_fixture("nanogpt/ckpt.pt");
    if (base) {
        CHECK(base->layout == WS_LAYOUT_NANOGPT && base->cfg.tied);
        CHECK(base->n_kind[WS_KIND_NETWORK] == (size_t)num(expected, "network_tensors"));
        CHECK(base->n_kind[WS_KIND_BUFFER] == 2 && base->n_kind[WS_KIND_STATE] == 0);
        /* The tied lm_head and the prefixes resolve to the stored tensors. */
        char note[256];
        ws_err e = {{0}};
        ws_tensor *h = ws_model_resolve(base, "lm_head.weight", note, sizeof note, &e);
        CHECK(h && h->role == WS_ROLE_EMBED && strstr(note, "tied"));
        h = ws_model_resolve(base, "transformer.h.1.attn.c_proj.weight", note, sizeof note, &e);
        CHECK(h && !strcmp(h->name, "_orig_mod.transformer.h.1.attn.c_proj.weight"));
    }
    check_pair(base, "tuned.safetensors", "tuned", (size_t)num(expected, "state_tensors_tuned"));
    check_pair(base, "nanogpt/ckpt.safetensors", "export", 0);
    check_pair(base, "hf_erf", "hf", 0);
    /* The fine-tune's counts are the network's; its state is apart. */
    ws_model *tuned = open_fixture("tuned.safetensors");
    if (tuned && base) {
        CHECK(tuned->params_kind[WS_KIND_NETWORK] == base->params_kind[WS_KIND_NETWORK]);
        CHECK(tuned->n_kind[WS_KIND_STATE] == (size_t)num(expected, "state_tensors_tuned"));
    }
    ws_model_free(tuned);
    check_eval("nanogpt/ckpt.pt", "nanogpt/ckpt.pt");
    check_eval("hf_erf", "hf_erf");
    check_eval("hf_tanh", "hf_tanh");
    check_eval("hf_sharded", "hf_erf");
    ws_model *t2 = open_fixture("hf_tanh/model.safetensors");
    if (t2) {
        CHECK(t2->cfg.n_head_known && t2->cfg.n_head == 2 && t2->cfg.gelu_tanh);
        CHECK(fabs(t2->cfg.ln_eps - 1e-3f) < 1e-9 && t2->config_path);
        CHECK_STR_CONTAINS(t2->config_keys, "n_head");
        CHECK(t2->n_kind[WS_KIND_BUFFER] == 4);   /* attn.bias and masked_bias of both layers */
    }
    ws_model_free(t2);
    ws_model_free(base);
    check_weights_dtype();
    json_decref(expected);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return check_done();
}
