/* .pt (torch.save zip + restricted pickle) and .npy: values against files
 * written by torch/numpy (tests/ref/write_torch.py), nanoGPT config from
 * model_args, code-running pickles refused without running, every zip and
 * pickle validation rule, truncation at every byte. */
#include <jansson.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "npy.h"
#include "pickle.h"
#include "torchfile.h"
#include "zip.h"

#define FIX "tests/fixtures/formats/"
#define MARKER "/tmp/wscope-formats-pwned"

static void check_tensor(ws_tensor *t, json_t *want)
{
    CHECKF(!strcmp(ws_dtype_name(t->dtype), json_string_value(json_object_get(want, "dtype"))),
           "%s: dtype %s", t->name, ws_dtype_name(t->dtype));
    json_t *shape = json_object_get(want, "shape");
    CHECKF((size_t)t->ndim == json_array_size(shape), "%s: ndim %d", t->name, t->ndim);
    for (int d = 0; d < t->ndim && (size_t)d < json_array_size(shape); d++)
        CHECK(t->shape[d] == json_integer_value(json_array_get(shape, (size_t)d)));
    json_t *vals = json_object_get(want, "values");
    CHECK((size_t)t->numel == json_array_size(vals));
    float *f = malloc(((size_t)t->numel + 1) * sizeof *f);
    ws_err e = {{0}};
    CHECKF(ws_convert_to_f32(t->dtype, t->data, f, (size_t)t->numel, &e) == 0, "%s", e.msg);
    int bad = 0;
    for (size_t i = 0; i < (size_t)t->numel && i < json_array_size(vals); i++) {
        double w = json_number_value(json_array_get(vals, i));
        if (fabs(f[i] - w) > 1e-6 * fmax(fabs(w), 1e-30))
            bad++;
    }
    CHECKF(bad == 0, "%s: %d values differ from torch/numpy", t->name, bad);
    free(f);
}

/* Every fixture in expected.json: tensors (no more, no fewer) and metadata. */
static void test_expected_values(void)
{
    json_t *exp = json_load_file(check_src(FIX "expected.json"), 0, NULL);
    CHECK(exp != NULL);
    const char *file;
    json_t *spec;
    json_object_foreach(exp, file, spec) {
        char rel[256];
        snprintf(rel, sizeof rel, FIX "%s", file);
        ws_model *m = NULL;
        ws_err e = {{0}};
        CHECKF(ws_model_open(check_src(rel), &m, &e) == 0, "%s: %s", file, e.msg);
        if (!m)
            continue;
        json_t *tensors = json_object_get(spec, "tensors"), *meta = json_object_get(spec, "meta");
        CHECKF(m->n_tensors == json_object_size(tensors), "%s: %zu tensors", file, m->n_tensors);
        const char *name, *key;
        json_t *want;
        json_object_foreach(tensors, name, want) {
            ws_tensor *t = ws_model_find(m, name);
            CHECKF(t != NULL, "%s: missing %s", file, name);
            if (t)
                check_tensor(t, want);
        }
        json_object_foreach(meta, key, want) {
            const char *got = ws_model_meta(m, key);
            CHECKF(got && !strcmp(got, json_string_value(want)), "%s: meta %s = %s", file, key,
                   got ? got : "(none)");
        }
        ws_model_free(m);
    }
    json_decref(exp);
}

/* nanoGPT ckpt.pt: roles, tied head, n_head from model_args, loss value. */
static void test_nanogpt_config(void)
{
    static const char *files[] = {FIX "ckpt.pt", FIX "ckpt_compiled.pt"};
    for (int i = 0; i < 2; i++) {
        ws_model *m = NULL;
        ws_err e = {{0}};
        CHECKF(ws_model_open(check_src(files[i]), &m, &e) == 0, "%s", e.msg);
        if (!m)
            continue;
        CHECK(m->layout == WS_LAYOUT_NANOGPT);
        CHECK(m->cfg.n_head_known && m->cfg.n_head == 2);
        CHECK(m->cfg.n_layer == 1 && m->cfg.n_embd == 8 && m->cfg.vocab_size == 11 && m->cfg.block_size == 6);
        CHECK(m->cfg.tied && m->cfg.bias);
        CHECK(ws_model_get(m, WS_ROLE_QKV, 0, 0) && ws_model_get(m, WS_ROLE_MLP_DOWN, 0, 0));
        CHECK(ws_model_get(m, WS_ROLE_HEAD, -1, 0) == NULL);
        const char *loss = ws_model_meta(m, "best_val_loss");
        CHECK_NEAR(loss ? atof(loss) : 0, i == 0 ? 1.4695 : 2.25, 1e-6);
        const char *cfg = ws_model_meta(m, "config");
        CHECK_STR_CONTAINS(cfg, "\"dataset\": \"shakespeare_char\"");
        ws_model_free(m);
    }
}

static void expect_open_error(const char *rel, const char *needle)
{
    ws_model *m = NULL;
    ws_err e = {{0}};
    CHECKF(ws_model_open(check_src(rel), &m, &e) != 0, "%s loaded", rel);
    CHECK(m == NULL);
    CHECK_STR_CONTAINS(e.msg, needle);
}

/* Pickles that would run code are refused at the GLOBAL, before anything runs. */
static void test_refuses_code(void)
{
    unlink(MARKER);
    expect_open_error(FIX "evil_system.pt", "refusing to load: pickle references posix.system");
    expect_open_error(FIX "evil_eval.pt", "refusing to load: pickle references builtins.eval");
    struct stat st;
    CHECKF(stat(MARKER, &st) != 0, "%s was created: code ran", MARKER);
    expect_open_error(FIX "legacy.pt", "legacy PyTorch format: re-save with torch.save(..., "
                      "_use_new_zipfile_serialization=True)");
}

static int parse_torch(const unsigned char *buf, size_t len, ws_err *e)
{
    ws_model *m = ws_model_new();
    int rc = ws_torch_parse(ws_model_sink(m), buf, len, e);
    ws_model_free(m);
    return rc;
}

static void test_refused_archives(void)
{
    size_t len;
    unsigned char *b = check_read_file(check_src(FIX "evil_system.pt"), &len);
    for (size_t i = 0; b && i + 6 < len; i++)
        if (!memcmp(b + i, "posix\n", 6))
            b[i + 2] = '\r';   /* a control character inside the global's name */
    ws_err e = {{0}};
    CHECK(b && parse_torch(b, len, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "pickle references po\\rix.system");
    free(b);
    expect_open_error(FIX "scripted.pt", "TorchScript archive (torch.jit.save) is not supported");
    expect_open_error(FIX "big_endian.pt", "storages are not little-endian (byteorder \"big\")");
    expect_open_error(FIX "one_tensor.pt", "data.pkl holds a single tensor, not a dict of tensors");
}

/* Every shorter prefix of a good file fails cleanly, with a message. */
static void test_truncations(const char *rel, int is_npy)
{
    size_t len;
    unsigned char *full = check_read_file(check_src(rel), &len);
    CHECK(full != NULL);
    if (!full)
        return;
    int clean = 1;
    for (size_t n = 0; n < len; n++) {
        unsigned char *cut = malloc(n ? n : 1);
        memcpy(cut, full, n);
        ws_err e = {{0}};
        ws_model *m = ws_model_new();
        int rc = is_npy ? ws_npy_parse(ws_model_sink(m), cut, n, "t", &e) : ws_torch_parse(ws_model_sink(m), cut, n, &e);
        ws_model_free(m);
        if (rc == 0 || !e.msg[0]) {
            fprintf(stderr, "%s cut to %zu bytes: rc %d msg '%s'\n", rel, n, rc, e.msg);
            clean = 0;
        }
        free(cut);
    }
    CHECKF(clean, "%s: some truncation loaded or failed without a message", rel);
    free(full);
}

/* Flip every byte: no crash, and every failure carries a message. */
static void test_corruptions(const char *rel)
{
    size_t len;
    unsigned char *buf = check_read_file(check_src(rel), &len);
    if (!buf)
        return;
    int silent = 0, failed = 0;
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0xFF;
        ws_err e = {{0}};
        if (parse_torch(buf, len, &e) != 0) {
            failed++;
            silent += !e.msg[0];
        }
        buf[i] ^= 0xFF;
    }
    CHECK(silent == 0);
    CHECK(failed > 0);
    free(buf);
}

static size_t find_sig(const unsigned char *b, size_t len, const char *sig, size_t from)
{
    for (size_t i = from; i + 4 <= len; i++)
        if (!memcmp(b + i, sig, 4))
            return i;
    return SIZE_MAX;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Central-directory entry whose name ends with `suffix`. */
static size_t central_entry(const unsigned char *b, size_t len, const char *suffix)
{
    for (size_t p = find_sig(b, len, "PK\x01\x02", 0); p != SIZE_MAX; p = find_sig(b, len, "PK\x01\x02", p + 4)) {
        size_t n = (size_t)(b[p + 28] | b[p + 29] << 8), s = strlen(suffix);
        if (n >= s && !memcmp(b + p + 46 + n - s, suffix, s))
            return p;
    }
    return SIZE_MAX;
}

typedef void (*patch_fn)(unsigned char *b, size_t len);

static void patch_cd_offset(unsigned char *b, size_t len)
{
    size_t p = find_sig(b, len, "PK\x06\x06", 0);
    put32(b + p + 48, (uint32_t)len + 100);
}
static void patch_local_offset(unsigned char *b, size_t len) { put32(b + central_entry(b, len, "data/0") + 42, (uint32_t)len - 8); }
static void patch_size(unsigned char *b, size_t len)
{
    size_t p = central_entry(b, len, "data/0");
    put32(b + p + 20, 1u << 30);
    put32(b + p + 24, 1u << 30);
}
static void patch_small_storage(unsigned char *b, size_t len)
{
    size_t p = central_entry(b, len, "data/0");
    put32(b + p + 20, 4);
    put32(b + p + 24, 4);
}
static void patch_method(unsigned char *b, size_t len) { b[central_entry(b, len, "data.pkl") + 10] = 8; }
static void patch_name(unsigned char *b, size_t len) { memcpy(b + central_entry(b, len, "data.pkl") + 46, "../", 3); }
static void patch_folder(unsigned char *b, size_t len) { b[central_entry(b, len, "data/0") + 46] = 'X'; }
static void patch_duplicate(unsigned char *b, size_t len)
{
    size_t p = central_entry(b, len, "data/1");
    b[p + 46 + (b[p + 28] | b[p + 29] << 8) - 1] = '0';
}
static void patch_eocd(unsigned char *b, size_t len) { memset(b + len - 22, 0, 4); }

static void test_bad_zip(void)
{
    static const struct { patch_fn fn; const char *msg; } cases[] = {
        {patch_cd_offset, "central directory (offset"},
        {patch_local_offset, "local header of sd_mixed/data/0"},
        {patch_size, "runs past the end of the file"},
        {patch_small_storage, "declares"},
        {patch_method, "is compressed (method 8)"},
        {patch_name, "unsafe or empty entry name \"../"},
        {patch_eocd, "no end-of-central-directory record"},
        {patch_folder, "entries are not under one folder"},
        {patch_duplicate, "entry sd_mixed/data/0 appears twice"},
    };
    size_t len;
    unsigned char *good = check_read_file(check_src(FIX "sd_mixed.pt"), &len);
    CHECK(good != NULL);
    if (!good)
        return;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        unsigned char *b = malloc(len);
        memcpy(b, good, len);
        cases[i].fn(b, len);
        ws_err e = {{0}};
        CHECKF(parse_torch(b, len, &e) != 0, "case %zu loaded", i);
        CHECK_STR_CONTAINS(e.msg, cases[i].msg);
        free(b);
    }
    free(good);
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* A one-entry zip written by hand whose central directory keeps sizes and
 * the local-header offset in a ZIP64 extra field (as torch does for big
 * archives), behind a 100-byte gap so the offset is not 0. */
static void test_zip64_extra(void)
{
    static const char data[] = "hello zip64";
    const size_t n = sizeof data - 1, gap = 100, name = 5;   /* "a/b.c" */
    unsigned char b[512] = {0};
    size_t lh = gap, cd = lh + 30 + name + n;
    put32(b + lh, 0x04034b50);
    put16(b + lh + 26, (unsigned)name);
    memcpy(b + lh + 30, "a/b.c", name);
    memcpy(b + lh + 30 + name, data, n);
    put32(b + cd, 0x02014b50);
    put32(b + cd + 20, 0xFFFFFFFFu);
    put32(b + cd + 24, 0xFFFFFFFFu);
    put16(b + cd + 28, (unsigned)name);
    put16(b + cd + 30, 4 + 24);
    put32(b + cd + 42, 0xFFFFFFFFu);
    memcpy(b + cd + 46, "a/b.c", name);
    unsigned char *x = b + cd + 46 + name;
    put16(x, 1);
    put16(x + 2, 24);
    put64(x + 4, n);          /* uncompressed */
    put64(x + 12, n);         /* compressed */
    put64(x + 20, lh);        /* local header offset */
    size_t cd_size = 46 + name + 28, eocd = cd + cd_size;
    put32(b + eocd, 0x06054b50);
    put16(b + eocd + 8, 1);
    put16(b + eocd + 10, 1);
    put32(b + eocd + 12, (uint32_t)cd_size);
    put32(b + eocd + 16, (uint32_t)cd);
    ws_zip z;
    ws_err e = {{0}};
    CHECKF(ws_zip_open(&z, b, eocd + 22, &e) == 0, "%s", e.msg);
    const ws_zip_entry *en = ws_zip_find(&z, "a/b.c");
    CHECK(en && en->size == n && en->data == b + lh + 30 + name && !memcmp(en->data, data, n));
    ws_zip_close(&z);
    put64(x + 4, 1000);       /* sizes that run past the directory */
    put64(x + 12, 1000);
    CHECK(ws_zip_open(&z, b, eocd + 22, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "runs past the end of the file");
    put16(x + 2, 8);          /* extra field too short for the three values */
    CHECK(ws_zip_open(&z, b, eocd + 22, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "ZIP64 extra field is too short");
}

/* Run the VM on raw bytes; returns the root (or NULL) and frees nothing the
 * caller checks after ws_pk_arena_free. */
static int pk_run(const char *bytes, size_t n, ws_err *e, ws_pk_kind *kind)
{
    ws_pk_arena A = {0};
    ws_pk *r = ws_pk_load((const unsigned char *)bytes, n, &A, e);
    if (r && kind)
        *kind = r->kind;
    ws_pk_arena_free(&A);
    return r ? 0 : -1;
}

static void expect_pk_error(const char *bytes, size_t n, const char *needle)
{
    ws_err e = {{0}};
    CHECKF(pk_run(bytes, n, &e, NULL) != 0, "pickle accepted (%s)", needle);
    CHECK_STR_CONTAINS(e.msg, needle);
}

#define PK(lit) lit, sizeof(lit) - 1

static void test_pickle_rules(void)
{
    expect_pk_error(PK("\x80\x02h\x05."), "memo entry 5 is not set");
    expect_pk_error(PK("\x80\x02Nr\x00\x00\x00\x10."), "memo index 268435456 is out of range");
    expect_pk_error(PK("\x80\x02]K\x01K\x02s."), "SETITEM on something that is not a dict");
    expect_pk_error(PK("\x80\x02}K\x01" "a."), "APPEND on something that is not a list");
    expect_pk_error(PK("\x80\x02X\xff\xff\x00\x00" "ab."), "runs past the end");
    expect_pk_error(PK("\x80\x02\x8a\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09."), "too large");
    expect_pk_error(PK("\x80\x02NN."), "STOP leaves 2 objects");
    expect_pk_error(PK("\x80\x02I1\n."), "unsupported opcode 0x49");
    expect_pk_error(PK("\x80\x06N."), "protocol 6");
    expect_pk_error(PK("\x80\x02)R."), "stack underflow");
    expect_pk_error(PK("\x80\x02N)R."), "REDUCE needs an allowed global");
    expect_pk_error(PK("\x80\x02(X\x03\x00\x00\x00" "abct\x85Q."), "persistent id");
    expect_pk_error(PK("\x80\x02" "ctorch\nFloatStorage\n)R."), "cannot be called");
    expect_pk_error(PK("\x80\x02" "csubprocess\nPopen\n."), "refusing to load: pickle references subprocess.Popen");
    expect_pk_error(PK("\x80\x02" "c__main__\nGPT\n."), "save model.state_dict() instead of the model");
    expect_pk_error(PK("\x80\x04\x8c\x03os\n\x8c\x06system\x93."), "references os\n.system");
    ws_err pe = {{0}};
    CHECK(pk_run(PK("\x80\x02" "csubprocess\nPopen\n."), &pe, NULL) != 0 && !strstr(pe.msg, "state_dict"));
    expect_pk_error(PK("\x80\x02N"), "ends without STOP");
    expect_pk_error(PK("\x80\x02" "ctorch\nSize"), "truncated GLOBAL");
    /* BINFLOAT is big-endian; LONG1 is two's complement. */
    ws_err e = {{0}};
    ws_pk_arena A = {0};
    ws_pk *r = ws_pk_load((const unsigned char *)PK("\x80\x02G\x3f\xf8\x00\x00\x00\x00\x00\x00\x8a\x01\xff\x86."), &A, &e);
    CHECKF(r && r->kind == WS_PK_TUPLE && r->n == 2, "%s", e.msg);
    if (r && r->n == 2) {
        CHECK(r->items[0]->kind == WS_PK_FLOAT && r->items[0]->f == 1.5);
        CHECK(r->items[1]->kind == WS_PK_INT && r->items[1]->i == -1);
    }
    ws_pk_arena_free(&A);
}

/* Deep nesting: marks are capped; a 200,000-deep list builds without
 * recursion; too many stack entries are refused. */
static void test_pickle_limits(void)
{
    size_t n = 200000;
    char *b = malloc(2 * n + 8);
    memcpy(b, "\x80\x02", 2);
    memset(b + 2, '(', n);
    b[2 + n] = '.';
    expect_pk_error(b, n + 3, "nested deeper than");
    memset(b + 2, ']', n);
    memset(b + 2 + n, 'a', n - 1);
    b[2 + 2 * n - 1] = '.';
    ws_err e = {{0}};
    ws_pk_kind kind = WS_PK_NONE;
    CHECKF(pk_run(b, 2 * n + 2, &e, &kind) == 0 && kind == WS_PK_LIST, "%s", e.msg);
    free(b);
    n = WS_PK_MAX_STACK + 10;
    b = malloc(n + 3);
    memcpy(b, "\x80\x02", 2);
    memset(b + 2, 'N', n);
    b[n + 2] = '.';
    expect_pk_error(b, n + 3, "stack deeper than");
    free(b);
}

/* A .npy image from a header dict text and `data` bytes of payload. */
static unsigned char *make_npy(const char *dict, int version, size_t data, size_t *len)
{
    size_t pre = version == 1 ? 10 : 12, h = strlen(dict);
    *len = pre + h + data;
    unsigned char *b = calloc(1, *len);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)version;
    b[8] = (unsigned char)h;
    b[9] = (unsigned char)(h >> 8);
    memcpy(b + pre, dict, h);
    return b;
}

static void test_bad_npy(void)
{
    static const struct { const char *dict; int version; size_t data; const char *msg; } cases[] = {
        {"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n", 1, 16, "dtype '|O' is not supported"},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }\n", 1, 8, "bad value for 'descr'"},
        {"{'descr': '<f4', 'shape': (2,), }\n", 1, 8, "lacks descr, fortran_order or shape"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", 1, 8, "unexpected or repeated header key 'x'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n", 1, 8, "shape needs 12 data bytes but the file holds 8"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }\n", 1, 8, "overflows"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 4, 8, "format version 4.0"},
        {"{'descr': '<f4', 'fortran_order': maybe, 'shape': (2,), }\n", 1, 8, "bad value for 'fortran_order'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk\n", 1, 8, "junk after the header"},
        {"__import__('os').system('true')\n", 1, 8, "header is not a dict"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len;
        unsigned char *b = make_npy(cases[i].dict, cases[i].version, cases[i].data, &len);
        ws_model *m = ws_model_new();
        ws_err e = {{0}};
        CHECKF(ws_npy_parse(ws_model_sink(m), b, len, "t", &e) != 0, "npy case %zu loaded", i);
        CHECK_STR_CONTAINS(e.msg, cases[i].msg);
        ws_model_free(m);
        free(b);
    }
    size_t len;
    unsigned char *b = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", 1, 8, &len);
    b[8] = 0xff;   /* header length past the end */
    ws_model *m = ws_model_new();
    ws_err e = {{0}};
    CHECK(ws_npy_parse(ws_model_sink(m), b, len, "t", &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "runs past the end of the file");
    ws_model_free(m);
    free(b);
}

int main(void)
{
    test_expected_values();
    test_nanogpt_config();
    test_refuses_code();
    test_refused_archives();
    test_truncations(FIX "sd_mixed.pt", 0);
    test_truncations(FIX "ckpt.pt", 0);
    test_truncations(FIX "arr_f4.npy", 1);
    test_corruptions(FIX "sd_mixed.pt");
    test_bad_zip();
    test_zip64_extra();
    test_pickle_rules();
    test_pickle_limits();
    test_bad_npy();
    return check_done();
}
