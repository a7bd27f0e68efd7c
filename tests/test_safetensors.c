/* safetensors: reference fixture, round trip, every validation rule,
 * truncation at every byte, sharded index, no overwrite of inputs. */
#include <jansson.h>
#include <stdint.h>
#include <unistd.h>

#include "atomic.h"
#include "check.h"
#include "model.h"
#include "safetensors.h"

static char tmpdir[] = "/tmp/wscope-test-st-XXXXXX";

static const char *tmp(const char *name) { return check_path(tmpdir, name); }

static void test_reference_fixture(void)
{
    ws_model *m;
    ws_err e = {{0}};
    CHECKF(ws_model_open(check_src("tests/fixtures/ref_numpy.safetensors"), &m, &e) == 0, "%s", e.msg);
    if (!m)
        return;
    json_t *exp = json_load_file(check_src("tests/fixtures/ref_numpy.expected.json"), 0, NULL);
    CHECK(exp != NULL);
    CHECK(m->n_tensors == json_object_size(exp));
    const char *name;
    json_t *v;
    json_object_foreach(exp, name, v) {
        ws_tensor *t = ws_model_find(m, name);
        CHECKF(t != NULL, "missing %s", name);
        if (!t)
            continue;
        CHECK(!strcmp(ws_dtype_name(t->dtype), json_string_value(json_object_get(v, "dtype"))));
        json_t *shape = json_object_get(v, "shape");
        CHECK((size_t)t->ndim == json_array_size(shape));
        for (int d = 0; d < t->ndim; d++)
            CHECK(t->shape[d] == json_integer_value(json_array_get(shape, (size_t)d)));
        const float *x = ws_tensor_f32(t, &e);
        json_t *vals = json_object_get(v, "values");
        CHECK((size_t)t->numel == json_array_size(vals));
        for (size_t i = 0; x && i < json_array_size(vals); i++)
            CHECK_NEAR(x[i], json_number_value(json_array_get(vals, i)), 1e-7);
    }
    CHECK(ws_model_meta(m, "n_head") && !strcmp(ws_model_meta(m, "n_head"), "4"));
    CHECK(m->cfg.n_head_known && m->cfg.n_head == 4);
    json_decref(exp);
    ws_model_free(m);
}

/* A small model with three dtypes, written and read back. */
static ws_model *make_model(void)
{
    ws_model *m = ws_model_new();
    int64_t s1[2] = {3, 4}, s2[1] = {5}, s3[2] = {2, 2};
    float *a = malloc(12 * sizeof *a);
    uint16_t *h = malloc(5 * sizeof *h), *b = malloc(4 * sizeof *b);
    for (int i = 0; i < 12; i++) a[i] = (float)i * 0.25f - 1.0f;
    for (int i = 0; i < 5; i++) h[i] = ws_float_to_half((float)i - 2.5f);
    for (int i = 0; i < 4; i++) b[i] = ws_float_to_bf16((float)i * 3.0f + 0.5f);
    ws_model_add(m, "zeta.weight", WS_DT_F32, 2, s1, a, 1, NULL);
    ws_model_add(m, "alpha.half", WS_DT_F16, 1, s2, h, 1, NULL);
    ws_model_add(m, "mid.bf16", WS_DT_BF16, 2, s3, b, 1, NULL);
    ws_model_set_meta(m, "note", "round trip", NULL);
    return m;
}

static void test_round_trip(void)
{
    ws_model *m = make_model();
    ws_err e = {{0}};
    CHECKF(ws_model_save(m, tmp("rt.safetensors"), &e) == 0, "%s", e.msg);
    ws_model *r;
    CHECKF(ws_model_open(tmp("rt.safetensors"), &r, &e) == 0, "%s", e.msg);
    if (!r) {
        ws_model_free(m);
        return;
    }
    CHECK(r->n_tensors == 3);
    for (size_t i = 0; i < m->n_tensors; i++) {
        ws_tensor *a = &m->tensors[i], *b = ws_model_find(r, a->name);
        CHECKF(b && b->dtype == a->dtype && b->nbytes == a->nbytes && !memcmp(a->data, b->data, a->nbytes),
               "%s differs", a->name);
    }
    CHECK(ws_model_meta(r, "note") && !strcmp(ws_model_meta(r, "note"), "round trip"));
    const float *h = ws_tensor_f32(ws_model_find(r, "alpha.half"), &e);
    CHECK(h && h[0] == -2.5f && h[4] == 1.5f);
    const float *b = ws_tensor_f32(ws_model_find(r, "mid.bf16"), &e);
    CHECK(b && b[3] == 9.5f);
    /* Header padded to 8 bytes; tensors laid out in name order. */
    size_t len;
    unsigned char *buf = check_read_file(tmp("rt.safetensors"), &len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | buf[i];
    CHECK(n % 8 == 0);
    CHECK(ws_model_find(r, "alpha.half")->data < ws_model_find(r, "mid.bf16")->data);
    CHECK(ws_model_find(r, "mid.bf16")->data < ws_model_find(r, "zeta.weight")->data);
    free(buf);
    /* An input file is never overwritten, even through another path. */
    e.msg[0] = 0;
    CHECK(ws_model_save(m, tmp("rt.safetensors"), &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "input");
    CHECK(ws_model_save(m, tmp("./rt.safetensors"), &e) != 0);
    ws_model_free(r);
    ws_model_free(m);
}

/* Build an image from a header string and `data` bytes of payload. */
static unsigned char *image(const char *hdr, size_t data, size_t *len)
{
    size_t n = strlen(hdr);
    *len = 8 + n + data;
    unsigned char *b = calloc(1, *len);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(b + 8, hdr, n);
    return b;
}

static void expect_parse_error(const char *hdr, size_t data, const char *msg)
{
    size_t len;
    unsigned char *b = image(hdr, data, &len);
    ws_model *m = ws_model_new();
    ws_err e = {{0}};
    CHECKF(ws_st_parse(ws_model_sink(m), b, len, &e) != 0, "accepted: %s", hdr);
    CHECK_STR_CONTAINS(e.msg, msg);
    ws_model_free(m);
    free(b);
}

static void test_validation_rules(void)
{
    ws_model *m = ws_model_new();
    ws_err e = {{0}};
    unsigned char small[5] = {1, 0, 0, 0, 0};
    CHECK(ws_st_parse(ws_model_sink(m), small, 5, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "too small");
    unsigned char big[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK(ws_st_parse(ws_model_sink(m), big, 16, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "exceeds the limit");
    unsigned char past[16] = {100};
    CHECK(ws_st_parse(ws_model_sink(m), past, 16, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "runs past the end");
    ws_model_free(m);

    expect_parse_error("{\"a\xff\":1}", 0, "not valid UTF-8");
    expect_parse_error("{\"a\":", 0, "not valid JSON");
    expect_parse_error("[1, 2]", 0, "not a JSON object");
    expect_parse_error("{\"a\": 1}", 0, "entry is not a JSON object");
    expect_parse_error("{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "missing dtype");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4, "missing shape");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, "missing data_offsets");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"x\": 1}}", 4,
                       "unexpected keys");
    expect_parse_error("{\"a\": {\"dtype\": \"F33\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "unknown dtype");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4,
                       "non-negative integers");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4,
                       "non-negative integers");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [2, 18446744073709551614], \"data_offsets\": [0, 4]}}",
                       4, "overflows");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4294967296], "
                       "\"data_offsets\": [0, 4]}}", 4, "overflows");
    expect_parse_error("{\"a\": {\"dtype\": \"F4\", \"shape\": [3], \"data_offsets\": [0, 2]}}", 2,
                       "whole number of bytes");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4,
                       "data_offsets must be");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", 4, "before they begin");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                       " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 12]}}", 12, "a gap");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                       " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, "an overlap");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "a gap");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4,
                       "shape x dtype needs 8");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 6,
                       "2 trailing bytes");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 6, "past the end");
    expect_parse_error("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                       " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "duplicate");
    expect_parse_error("{\"__metadata__\": {\"k\": 1}}", 0, "__metadata__ must map strings");
    expect_parse_error("{\"__metadata__\": [1]}", 0, "__metadata__ must map strings");

    /* Accepted: whitespace around the JSON, empty tensors, empty header. */
    size_t len;
    unsigned char *b = image("  {\"a\": {\"dtype\": \"F32\", \"shape\": [0, 3], \"data_offsets\": [0, 0]}}  ", 0, &len);
    m = ws_model_new();
    CHECKF(ws_st_parse(ws_model_sink(m), b, len, &e) == 0, "%s", e.msg);
    CHECK(m->n_tensors == 1 && m->tensors[0].numel == 0);
    ws_model_free(m);
    free(b);
}

/* Every prefix of a valid file is refused cleanly. */
static void test_truncation(void)
{
    size_t len;
    unsigned char *full = check_read_file(tmp("rt.safetensors"), &len);
    CHECK(full != NULL);
    if (!full)
        return;
    int refused = 0;
    for (size_t n = 0; n < len; n++) {
        ws_model *m = ws_model_new();
        ws_err e = {{0}};
        int rc = ws_st_parse(ws_model_sink(m), full, n, &e);
        refused += rc != 0 && e.msg[0];
        ws_model_free(m);
    }
    CHECKF(refused == (int)len, "%d of %zu prefixes refused", refused, len);
    /* On disk too, at a few lengths, and an empty file. */
    size_t cuts[] = {0, 4, 8, 20, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        FILE *f = fopen(tmp("cut.safetensors"), "wb");
        fwrite(full, 1, cuts[i], f);
        fclose(f);
        ws_model *m;
        ws_err e = {{0}};
        CHECK(ws_model_open(tmp("cut.safetensors"), &m, &e) != 0 && e.msg[0]);
    }
    free(full);
}

static void test_sharded(void)
{
    ws_model *m = make_model(), *a = ws_model_new(), *b = ws_model_new();
    ws_err e = {{0}};
    /* Split the three tensors across two shards. */
    ws_tensor *t0 = &m->tensors[0], *t1 = &m->tensors[1], *t2 = &m->tensors[2];
    ws_model_add(a, t0->name, t0->dtype, t0->ndim, t0->shape, (void *)t0->data, 0, NULL);
    ws_model_add(b, t1->name, t1->dtype, t1->ndim, t1->shape, (void *)t1->data, 0, NULL);
    ws_model_add(b, t2->name, t2->dtype, t2->ndim, t2->shape, (void *)t2->data, 0, NULL);
    CHECK(ws_model_save(a, tmp("model-00001-of-00002.safetensors"), &e) == 0);
    CHECK(ws_model_save(b, tmp("model-00002-of-00002.safetensors"), &e) == 0);
    char idx[1024];
    snprintf(idx, sizeof idx,
             "{\"metadata\": {\"total_size\": \"1\"}, \"weight_map\": {\"%s\": \"model-00001-of-00002.safetensors\","
             " \"%s\": \"model-00002-of-00002.safetensors\", \"%s\": \"model-00002-of-00002.safetensors\"}}",
             t0->name, t1->name, t2->name);
    CHECK(ws_atomic_write(tmp("model.safetensors.index.json"), idx, strlen(idx), &e) == 0);
    ws_model *r;
    CHECKF(ws_model_open(tmp("model.safetensors.index.json"), &r, &e) == 0, "%s", e.msg);
    CHECK(r && r->n_tensors == 3);
    ws_model_free(r);
    CHECKF(ws_model_open(tmpdir, &r, &e) == 0, "directory: %s", e.msg);
    ws_model_free(r);
    snprintf(idx, sizeof idx, "{\"weight_map\": {\"nope\": \"model-00001-of-00002.safetensors\"}}");
    ws_atomic_write(tmp("bad.index.json"), idx, strlen(idx), &e);
    CHECK(ws_model_open(tmp("bad.index.json"), &r, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "does not hold it");
    snprintf(idx, sizeof idx, "{\"weight_map\": {\"a\": \"../../etc/passwd\"}}");
    ws_atomic_write(tmp("evil.index.json"), idx, strlen(idx), &e);
    CHECK(ws_model_open(tmp("evil.index.json"), &r, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "plain file name");
    ws_model_free(a);
    ws_model_free(b);
    ws_model_free(m);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 99;
    test_reference_fixture();
    test_round_trip();
    test_validation_rules();
    test_truncation();
    test_sharded();
    check_rmtree(tmpdir);
    return check_done();
}
