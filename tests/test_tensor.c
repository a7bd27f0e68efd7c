/* dtype conversion, statistics (against a plain double loop), tables, rng. */
#include <stdint.h>

#include "check.h"
#include "model.h"
#include "rng.h"
#include "table.h"

static void test_half(void)
{
    /* Exact values of IEEE binary16 bit patterns. */
    CHECK(ws_half_to_float(0x3c00) == 1.0f);
    CHECK(ws_half_to_float(0xc000) == -2.0f);
    CHECK(ws_half_to_float(0x7bff) == 65504.0f);
    CHECK(ws_half_to_float(0x0001) == 5.9604644775390625e-08f); /* smallest subnormal */
    CHECK(ws_half_to_float(0x03ff) == 6.097555160522461e-05f);  /* largest subnormal */
    CHECK(isinf(ws_half_to_float(0x7c00)) && isnan(ws_half_to_float(0x7e00)));
    int ok = 1;
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = ws_half_to_float((uint16_t)h);
        if (!isnan(f) && ws_float_to_half(f) != h)
            ok = 0; /* every finite half survives the round trip */
    }
    CHECK(ok);
    CHECK(ws_float_to_half(1.0f + 1.0f / 4096) == 0x3c00); /* ties to even */
    CHECK(ws_bf16_to_float(0x3f80) == 1.0f && ws_float_to_bf16(1.0f) == 0x3f80);
    CHECK(ws_float_to_bf16(1.00390625f) == 0x3f80);  /* 1 + 2^-8: tie, rounds to even */
    CHECK(ws_float_to_bf16(1.01171875f) == 0x3f82);  /* 1 + 3·2^-8: tie, rounds up to even */
}

static void test_stats(void)
{
    /* Large enough to be split over threads and blocks. */
    const int64_t n = 1000003;
    float *x = malloc((size_t)n * sizeof *x);
    ws_rng r;
    ws_rng_seed(&r, 5);
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)(100.0 + ws_rng_normal(&r) * 0.01); /* |mean| ≫ std */
    x[10] = 0.0f;
    x[20] = NAN;
    x[30] = INFINITY;
    double sum = 0, sq = 0, mn = INFINITY, mx = -INFINITY;
    int64_t cnt = 0;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            sum += x[i];
            mn = fmin(mn, x[i]);
            mx = fmax(mx, x[i]);
            cnt++;
        }
    double mean = sum / (double)cnt, var = 0;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            var += ((double)x[i] - mean) * ((double)x[i] - mean);
            sq += (double)x[i] * x[i];
        }
    ws_model *m = ws_model_new();
    int64_t shape[2] = {1000003, 1};
    ws_tensor *t = ws_model_add(m, "x", WS_DT_F32, 2, shape, x, 1, NULL);
    ws_stats s;
    ws_err e = {{0}};
    CHECK(ws_tensor_stats(t, &s, &e) == 0);
    CHECK_REL(s.mean, mean, 1e-12);
    CHECK_REL(s.std, sqrt(var / (double)cnt), 1e-9);
    CHECK(s.min == mn && s.max == mx);
    CHECK_REL(s.fro_norm, sqrt(sq), 1e-12);
    CHECK(s.n_nan == 1 && s.n_inf == 1);
    CHECK_NEAR(s.zero_frac, 1.0 / (double)n, 1e-15);
    ws_model_free(m);

    /* F16 statistics go through conversion. */
    m = ws_model_new();
    uint16_t *h = malloc(4 * sizeof *h);
    float v[4] = {1, -2, 0.5f, 0};
    for (int i = 0; i < 4; i++)
        h[i] = ws_float_to_half(v[i]);
    int64_t s4[1] = {4};
    t = ws_model_add(m, "h", WS_DT_F16, 1, s4, h, 1, NULL);
    CHECK(ws_tensor_stats(t, &s, &e) == 0);
    CHECK_NEAR(s.mean, -0.125, 1e-15);
    CHECK_NEAR(s.fro_norm, sqrt(5.25), 1e-12);
    CHECK(s.min == -2 && s.max == 1 && s.zero_frac == 0.25);
    /* Unconvertible dtypes give a message, not a crash. */
    unsigned char *f4 = calloc(2, 1);
    t = ws_model_add(m, "f4", WS_DT_F4, 1, s4, f4, 1, NULL);
    CHECK(ws_tensor_f32(t, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "F4");
    ws_model_free(m);
}

static void test_rng(void)
{
    ws_rng a, b;
    ws_rng_seed(&a, 42);
    ws_rng_seed(&b, 42);
    int same = 1;
    double s = 0, s2 = 0;
    for (int i = 0; i < 100000; i++) {
        double x = ws_rng_normal(&a);
        same &= x == ws_rng_normal(&b);
        s += x;
        s2 += x * x;
    }
    CHECK(same);
    CHECK_NEAR(s / 1e5, 0, 0.02);
    CHECK_NEAR(s2 / 1e5, 1, 0.02);
}

int main(void)
{
    test_half();
    test_stats();
    test_rng();
    return check_done();
}
