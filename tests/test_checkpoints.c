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

int main(void)
{
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
    json_decref(expected);
    return check_done();
}
