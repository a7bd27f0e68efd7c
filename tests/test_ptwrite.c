/* wscope's .pt writer (src/ptwrite.h) read back by wscope's own reader:
 * an HF GPT-2-named model with F32, F16 and BF16 tensors, Conv1D weights
 * transposed and a tied head comes back under nanoGPT's names, canonical
 * and bit for bit, with its config; a training checkpoint leaves its state
 * out and keeps its step and settings; a model of unknown layout keeps its
 * names; the zip is torch.save's (stored, 64-byte aligned, CRCs right). The
 * same files loaded by torch with weights_only=True: tests/torch_export.sh. */
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "model.h"
#include "ptwrite.h"
#include "zip.h"

static char tmpdir[] = "/tmp/wscope-test-pt-XXXXXX";

static const char *tmp(const char *name) { return check_path(tmpdir, name); }

enum { L = 2, C = 8, V = 11, BLOCK = 6 };

/* n elements of `bytes` each with distinct, deterministic bit patterns. */
static void *fill(size_t n, size_t bytes, unsigned seed)
{
    unsigned char *p = malloc(n * bytes);
    uint32_t x = 2463534242u + seed;
    for (size_t i = 0; i < n * bytes; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        p[i] = (unsigned char)(x >> 7);
    }
    /* keep floats finite: clear the top exponent bit of each element */
    for (size_t i = 0; i < n; i++)
        p[i * bytes + bytes - 1] &= 0x3f;
    return p;
}

static void add(ws_model *m, const char *name, ws_dtype dt, int64_t r, int64_t c, unsigned seed)
{
    int64_t shape[2] = {r, c};
    int nd = c ? 2 : 1;
    size_t n = (size_t)(c ? r * c : r), el = (size_t)ws_dtype_bits(dt) / 8;
    ws_model_add(m, name, dt, nd, shape, fill(n, el, seed), 1, NULL);
}

/* GPT-2 as HF names it: Conv1D weights stored in × out, tied head. */
static ws_model *hf_model(void)
{
    ws_model *m = ws_model_new();
    char n[64];
    unsigned s = 1;
    add(m, "wte.weight", WS_DT_F32, V, C, s++);
    add(m, "wpe.weight", WS_DT_BF16, BLOCK, C, s++);
    for (int l = 0; l < L; l++) {
        static const char *ln[] = {"ln_1", "ln_2"};
        for (int k = 0; k < 2; k++) {
            snprintf(n, sizeof n, "h.%d.%s.weight", l, ln[k]);
            add(m, n, WS_DT_F16, C, 0, s++);
            snprintf(n, sizeof n, "h.%d.%s.bias", l, ln[k]);
            add(m, n, WS_DT_F16, C, 0, s++);
        }
        static const struct { const char *name; int in, out; } lin[] = {
            {"attn.c_attn", C, 3 * C}, {"attn.c_proj", C, C}, {"mlp.c_fc", C, 4 * C},
            {"mlp.c_proj", 4 * C, C}};
        for (int k = 0; k < 4; k++) {
            snprintf(n, sizeof n, "h.%d.%s.weight", l, lin[k].name);
            add(m, n, k == 2 ? WS_DT_F16 : WS_DT_F32, lin[k].in, lin[k].out, s++);
            snprintf(n, sizeof n, "h.%d.%s.bias", l, lin[k].name);
            add(m, n, WS_DT_F32, lin[k].out, 0, s++);
        }
    }
    add(m, "ln_f.weight", WS_DT_F32, C, 0, s++);
    add(m, "ln_f.bias", WS_DT_F32, C, 0, s++);
    ws_model_set_meta(m, "n_head", "2", NULL);
    ws_model_set_meta(m, "n_layer", "2", NULL);
    ws_model_recognise(m);
    return m;
}

/* Canonical bytes of a tensor (Conv1D transposed back), malloc'd. */
static unsigned char *canon(const ws_tensor *t, size_t *nbytes)
{
    size_t el = (size_t)ws_dtype_bits(t->dtype) / 8, rows = (size_t)t->rows, cols = (size_t)t->cols;
    unsigned char *out = malloc(rows * cols * el);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            memcpy(out + (r * cols + c) * el, t->data + (t->transposed ? c * rows + r : r * cols + c) * el, el);
    *nbytes = rows * cols * el;
    return out;
}

static const char *nano_name(const ws_tensor *t, char *buf, size_t n)
{
    static const char *stem[WS_ROLE_COUNT] = {
        [WS_ROLE_EMBED] = "transformer.wte", [WS_ROLE_POS_EMBED] = "transformer.wpe",
        [WS_ROLE_LN1] = "ln_1", [WS_ROLE_QKV] = "attn.c_attn", [WS_ROLE_ATTN_OUT] = "attn.c_proj",
        [WS_ROLE_LN2] = "ln_2", [WS_ROLE_MLP_UP] = "mlp.c_fc", [WS_ROLE_MLP_DOWN] = "mlp.c_proj",
        [WS_ROLE_LN_F] = "transformer.ln_f", [WS_ROLE_HEAD] = "lm_head"};
    if (t->layer >= 0)
        snprintf(buf, n, "transformer.h.%d.%s.%s", t->layer, stem[t->role], t->is_bias ? "bias" : "weight");
    else
        snprintf(buf, n, "%s.%s", stem[t->role], t->is_bias ? "bias" : "weight");
    return buf;
}

static void test_hf_round_trip(void)
{
    ws_model *m = hf_model(), *r = NULL;
    ws_err e = {{0}};
    CHECK(m->layout == WS_LAYOUT_HF_GPT2 && m->cfg.tied);
    CHECKF(ws_model_save(m, tmp("hf.pt"), &e) == 0, "%s", e.msg);
    CHECKF(ws_model_open(tmp("hf.pt"), &r, &e) == 0, "%s", e.msg);
    if (!r) {
        ws_model_free(m);
        return;
    }
    CHECK(r->layout == WS_LAYOUT_NANOGPT);
    CHECK(r->cfg.n_layer == L && r->cfg.n_head == 2 && r->cfg.n_embd == C);
    CHECK(r->cfg.vocab_size == V && r->cfg.block_size == BLOCK && r->cfg.bias && r->cfg.tied);
    CHECK(r->n_tensors == m->n_tensors);   /* the tied head is an alias, left out on reading */
    CHECK_STR_CONTAINS(ws_model_meta(r, "aliases"), "lm_head.weight");
    CHECK_STR_CONTAINS(ws_model_meta(r, "iter_num"), "0");
    for (size_t i = 0; i < m->n_tensors; i++) {
        const ws_tensor *t = &m->tensors[i];
        char name[128];
        ws_tensor *u = ws_model_find(r, nano_name(t, name, sizeof name));
        CHECKF(u != NULL, "%s (%s) missing", name, t->name);
        if (!u)
            continue;
        size_t nb;
        unsigned char *want = canon(t, &nb);
        CHECKF(u->dtype == t->dtype && u->nbytes == nb && !memcmp(u->data, want, nb), "%s", name);
        CHECKF(u->ndim == t->ndim && (t->ndim == 1 || (u->shape[0] == t->rows && u->shape[1] == t->cols)),
               "%s shape", name);
        free(want);
    }
    ws_model_free(r);
    ws_model_free(m);
}

/* A training checkpoint: the state stays out, the step and settings come along. */
static void test_checkpoint(void)
{
    ws_model *m = ws_model_new(), *r = NULL;
    ws_err e = {{0}};
    add(m, "tok_emb.weight", WS_DT_F32, V, C, 1);
    add(m, "pos_emb.weight", WS_DT_F32, BLOCK, C, 2);
    char n[64];
    const char *parts[] = {"ln1", "attn.c_attn", "attn.c_proj", "ln2", "mlp.0", "mlp.2"};
    int64_t rows[] = {C, 3 * C, C, C, 4 * C, C}, cols[] = {0, C, C, 0, C, 4 * C};
    for (int k = 0; k < 6; k++) {
        snprintf(n, sizeof n, "blocks.0.%s.weight", parts[k]);
        add(m, n, WS_DT_F32, rows[k], cols[k], 10 + k);
    }
    add(m, "ln_f.weight", WS_DT_F32, C, 0, 20);
    add(m, "head.weight", WS_DT_F32, V, C, 21);
    add(m, "optim.exp_avg.head.weight", WS_DT_F32, V, C, 22);
    add(m, "grid.A.blocks.0.mlp.0.weight", WS_DT_F32, 4 * C, 3, 23);
    ws_model_set_meta(m, "n_head", "2", NULL);
    ws_model_set_meta(m, "train.step", "1234", NULL);
    ws_model_set_meta(m, "train.options",
                      "{\"batch\":8,\"steps\":2000,\"lr\":0.0006,\"schedule\":\"cosine\",\"seed\":\"7\"}", NULL);
    ws_model_recognise(m);
    CHECKF(ws_model_save(m, tmp("ck.pt"), &e) == 0, "%s", e.msg);
    CHECKF(ws_model_open(tmp("ck.pt"), &r, &e) == 0, "%s", e.msg);
    if (r) {
        CHECK(r->n_tensors == 10);                        /* the network only */
        CHECK(ws_model_find(r, "lm_head.weight") && !ws_model_find(r, "optim.exp_avg.head.weight"));
        CHECK(!r->cfg.bias && !r->cfg.tied);
        CHECK(ws_model_meta(r, "iter_num") && !strcmp(ws_model_meta(r, "iter_num"), "1234"));
        const char *cfg = ws_model_meta(r, "config");
        CHECK_STR_CONTAINS(cfg, "\"batch_size\": 8");
        CHECK_STR_CONTAINS(cfg, "\"max_iters\": 2000");
        CHECK_STR_CONTAINS(cfg, "\"learning_rate\": 0.000600000");
        CHECK_STR_CONTAINS(cfg, "\"decay_lr\": true");
        CHECK_STR_CONTAINS(cfg, "\"seed\": 7");
        CHECK(ws_model_meta(r, "best_val_loss") && atof(ws_model_meta(r, "best_val_loss")) == 1e9);
    }
    ws_model_free(r);
    ws_model_free(m);
}

/* Unknown layout: a plain state dict under the file's own names. */
static void test_unknown_layout(void)
{
    ws_model *m = ws_model_new(), *r = NULL;
    ws_err e = {{0}};
    add(m, "encoder.proj", WS_DT_F32, 5, 3, 1);
    add(m, "encoder.scale", WS_DT_F64, 4, 0, 2);
    add(m, "counts", WS_DT_I64, 3, 0, 3);
    ws_model_recognise(m);
    CHECKF(ws_model_save(m, tmp("plain.pth"), &e) == 0, "%s", e.msg);
    CHECKF(ws_model_open(tmp("plain.pth"), &r, &e) == 0, "%s", e.msg);
    for (size_t i = 0; r && i < m->n_tensors; i++) {
        const ws_tensor *t = &m->tensors[i];
        ws_tensor *u = ws_model_find(r, t->name);
        CHECKF(u && u->dtype == t->dtype && u->nbytes == t->nbytes && !memcmp(u->data, t->data, t->nbytes),
               "%s", t->name);
    }
    ws_model_free(r);
    ws_model_free(m);
}

/* More than 65535 entries: the ZIP64 end records (the count does not fit
 * the classic ones), read back through them. */
static void test_many_entries(void)
{
    enum { N = 70000 };
    ws_model *m = ws_model_new(), *r = NULL;
    ws_err e = {{0}};
    char name[32];
    for (int i = 0; i < N; i++) {
        float *v = malloc(sizeof *v);
        *v = (float)i;
        int64_t one = 1;
        snprintf(name, sizeof name, "t%d", i);
        ws_model_add(m, name, WS_DT_F32, 1, &one, v, 1, NULL);
    }
    ws_model_recognise(m);
    CHECKF(ws_model_save(m, tmp("many.pt"), &e) == 0, "%s", e.msg);
    CHECKF(ws_model_open(tmp("many.pt"), &r, &e) == 0, "%s", e.msg);
    CHECK(r && r->n_tensors == N);
    ws_tensor *t = r ? ws_model_find(r, "t69999") : NULL;
    CHECK(t && t->nbytes == 4 && *(const float *)t->data == 69999.0f);
    ws_model_free(r);
    ws_model_free(m);
    unlink(tmp("many.pt"));
}

/* The container as torch.save writes it: every entry stored, its data on a
 * 64-byte boundary, its CRC right; data.pkl first, version last. */
static void test_zip(void)
{
    size_t len;
    unsigned char *buf = check_read_file(tmp("hf.pt"), &len);
    ws_zip z;
    ws_err e = {{0}};
    CHECKF(buf && ws_zip_open(&z, buf, len, &e) == 0, "%s", e.msg);
    if (!buf)
        return;
    CHECK(z.n >= 4 && !strcmp(z.entries[0].name, "archive/data.pkl") &&
          !strcmp(z.entries[1].name, "archive/byteorder") &&
          !strcmp(z.entries[z.n - 1].name, "archive/version"));
    for (size_t i = 0; i < z.n; i++) {
        const ws_zip_entry *x = &z.entries[i];
        CHECKF(x->method == 0 && (size_t)(x->data - buf) % 64 == 0, "%s", x->name);
        /* the CRC in the central directory (offset 16 of its record) */
        uLong crc = crc32(0, x->data, (uInt)x->size);
        const unsigned char *cd = buf;
        int found = 0;
        for (size_t p = 0; p + 46 < len; p++)
            if (!memcmp(buf + p, "PK\1\2", 4) && !memcmp(buf + p + 46, x->name, strlen(x->name))) {
                cd = buf + p;
                found = 1;
                break;
            }
        uint32_t want = (uint32_t)cd[16] | (uint32_t)cd[17] << 8 | (uint32_t)cd[18] << 16 | (uint32_t)cd[19] << 24;
        CHECKF(found && want == (uint32_t)crc, "%s crc", x->name);
    }
    CHECK(!strcmp(ws_pt_path("a/b.PT") ? "y" : "n", "y") && ws_pt_path("x.pth") && !ws_pt_path("x.pt.safetensors"));
    ws_zip_close(&z);
    free(buf);
}

/* `test_ptwrite DIR`: write DIR/hf.pt and its source DIR/hf.safetensors for
 * torch to check (tests/torch_export.sh), nothing else. */
static int write_for_torch(const char *dir)
{
    ws_model *m = hf_model();
    ws_err e = {{0}};
    int rc = ws_model_save(m, check_path(dir, "hf.pt"), &e) ||
             ws_model_save(m, check_path(dir, "hf.safetensors"), &e);
    if (rc)
        fprintf(stderr, "test_ptwrite: %s\n", e.msg);
    ws_model_free(m);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2)
        return write_for_torch(argv[1]);
    if (!mkdtemp(tmpdir))
        return 1;
    test_hf_round_trip();
    test_checkpoint();
    test_unknown_layout();
    test_many_entries();
    test_zip();
    const char *names[] = {"hf.pt", "ck.pt", "plain.pth"};
    for (size_t i = 0; i < 3; i++)
        unlink(tmp(names[i]));
    rmdir(tmpdir);
    return check_done();
}
