/* Vectorised exp and GELU (see vecmath.h). Plain loops over expf/erff are
 * not vectorised by the compiler at -O2 and were a third of a small
 * model's step; these run eight lanes at a time. */
#include "vecmath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The 32-byte vectors only pass between static inline __attribute__((always_inline)) helpers here, never
 * across an ABI boundary, so GCC's ABI note does not apply. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));

/* One build per instruction set, picked by the loader (x86-64 + glibc). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MULTI_ISA __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MULTI_ISA
#endif

static inline __attribute__((always_inline)) v8f splat(float a) { return (v8f){ a, a, a, a, a, a, a, a }; }
static inline __attribute__((always_inline)) v8d dsplat(double a) { return (v8d){ a, a, a, a, a, a, a, a }; }

/* n floats (n <= 8), zero padded. A whole vector takes the constant-size
 * path, which compiles to one vector move; only a row's last partial
 * vector copies element-wise. */
static inline __attribute__((always_inline)) v8f load(const float *p, size_t n)
{
    v8f v = splat(0.0f);
    if (n == 8) memcpy(&v, p, sizeof v);
    else memcpy(&v, p, n * sizeof(float));
    return v;
}

static inline __attribute__((always_inline)) void store(float *p, v8f v, size_t n)
{
    if (n == 8) memcpy(p, &v, sizeof v);
    else memcpy(p, &v, n * sizeof(float));
}

static inline __attribute__((always_inline)) v8f select(v8i mask, v8f a, v8f b)   /* mask ? a : b */
{
    return (v8f)(((v8i)a & mask) | ((v8i)b & ~mask));
}

/* exp(x) = 2^n · exp(r), x = n·ln2 + r, |r| <= ln2/2. r and the
 * polynomial (Taylor to r^8, error < 1e-9) are computed in double, so the
 * only rounding that matters is the final one to float: as accurate as
 * libm's expf, which also works in double. */
static inline __attribute__((always_inline)) v8f vexp(v8f xf)
{
    v8i under = xf < splat(-87.3f);
    xf = select(xf > splat(88.7f), splat(88.7f), xf);
    xf = select(under, splat(0.0f), xf);
    v8d x = __builtin_convertvector(xf, v8d);
    const v8d magic = dsplat(6755399441055744.0);   /* 1.5·2^52: adding it rounds to an integer */
    v8d n = (x * dsplat(1.4426950408889634) + magic) - magic;
    v8d r = x - n * dsplat(0.6931471805599453);
    v8d p = dsplat(1.0 / 40320);
    p = p * r + dsplat(1.0 / 5040);
    p = p * r + dsplat(1.0 / 720);
    p = p * r + dsplat(1.0 / 120);
    p = p * r + dsplat(1.0 / 24);
    p = p * r + dsplat(1.0 / 6);
    p = p * r + dsplat(0.5);
    p = p * r + dsplat(1.0);
    p = p * r + dsplat(1.0);
    v8i e = (__builtin_convertvector(n, v8i) + 127) << 23;
    return (v8f)((v8i)(__builtin_convertvector(p, v8f) * (v8f)e) & ~under);
}


MULTI_ISA float wsv_max(const float *x, size_t n)
{
    v8f m = splat(x[0]);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8f v = load(x + i, 8);
        m = select(v > m, v, m);
    }
    if (i < n) {
        v8f v = splat(x[0]);   /* padding that cannot win */
        memcpy(&v, x + i, (n - i) * sizeof(float));
        m = select(v > m, v, m);
    }
    float best = m[0];
    for (int l = 1; l < 8; l++) best = m[l] > best ? m[l] : best;
    return best;
}

MULTI_ISA float wsv_exp_sum(float *x, size_t n, float shift)
{
    v8f acc = splat(0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8f e = vexp(load(x + i, 8) - splat(shift));
        store(x + i, e, 8);
        acc += e;
    }
    if (i < n) {
        v8i lane = { 0, 1, 2, 3, 4, 5, 6, 7 };
        v8f e = vexp(load(x + i, n - i) - splat(shift));
        e = select(lane < (int32_t)(n - i), e, splat(0.0f));
        store(x + i, e, n - i);
        acc += e;
    }
    float s = 0.0f;
    for (int l = 0; l < 8; l++) s += acc[l];
    return s;
}

MULTI_ISA void wsv_scale(float *x, size_t n, float s)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) store(x + i, load(x + i, 8) * splat(s), 8);
    for (; i < n; i++) x[i] *= s;
}

MULTI_ISA void wsv_softmax_back(float *p, const float *d, size_t n)
{
    v8f acc = splat(0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) acc += load(p + i, 8) * load(d + i, 8);
    if (i < n) acc += load(p + i, n - i) * load(d + i, n - i);   /* zero padded */
    float dot = 0.0f;
    for (int l = 0; l < 8; l++) dot += acc[l];
    for (i = 0; i + 8 <= n; i += 8)
        store(p + i, load(p + i, 8) * (load(d + i, 8) - splat(dot)), 8);
    for (; i < n; i++) p[i] *= d[i] - dot;
}

MULTI_ISA void wsv_add(float *x, const float *a, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) store(x + i, load(x + i, 8) + load(a + i, 8), 8);
    for (; i < n; i++) x[i] += a[i];
}

MULTI_ISA void wsv_mul(float *x, const float *a, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) store(x + i, load(x + i, 8) * load(a + i, 8), 8);
    for (; i < n; i++) x[i] *= a[i];
}

/* ---- LayerNorm rows ----
 * Partial vectors are zero padded; lanes past the row are masked where a
 * padded zero would count (the centred values). */

static inline __attribute__((always_inline)) v8i lanes_below(size_t k)
{
    return (v8i){ 0, 1, 2, 3, 4, 5, 6, 7 } < (int32_t)k;
}

static inline __attribute__((always_inline)) float hsum(v8f v)
{
    float s = 0.0f;
    for (int l = 0; l < 8; l++) s += v[l];
    return s;
}

/* w[i..i+k) or ones, b[i..i+k) or zeros. */
static inline __attribute__((always_inline)) v8f load_or(const float *p, size_t i, size_t k,
                                                        float dflt)
{
    return p ? load(p + i, k) : splat(dflt);
}

MULTI_ISA void wsv_layernorm_row(float *o, const float *x, const float *w, const float *b,
                                 size_t n, float eps, float *mean, float *rstd)
{
    v8f acc = splat(0.0f);
    for (size_t i = 0; i < n; i += 8) acc += load(x + i, n - i < 8 ? n - i : 8);
    float m = hsum(acc) / (float)n;
    acc = splat(0.0f);
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        v8f d = select(lanes_below(k), load(x + i, k) - splat(m), splat(0.0f));
        acc += d * d;
    }
    float s = 1.0f / sqrtf(hsum(acc) / (float)n + eps);
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        v8f y = (load(x + i, k) - splat(m)) * splat(s) * load_or(w, i, k, 1.0f) +
                load_or(b, i, k, 0.0f);
        store(o + i, y, k);
    }
    *mean = m;
    *rstd = s;
}

MULTI_ISA void wsv_layernorm_back_row(float *dx, const float *dout, const float *x,
                                      const float *w, size_t n, float m, float s)
{
    v8f a_dn = splat(0.0f), a_dnn = splat(0.0f);
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        v8f dn = load(dout + i, k) * load_or(w, i, k, 1.0f);
        a_dn += dn;
        a_dnn += dn * (load(x + i, k) - splat(m)) * splat(s);   /* dn is 0 past the row */
    }
    float mean_dn = hsum(a_dn) / (float)n, mean_dnn = hsum(a_dnn) / (float)n;
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        v8f nrm = (load(x + i, k) - splat(m)) * splat(s);
        v8f dn = load(dout + i, k) * load_or(w, i, k, 1.0f);
        store(dx + i, load(dx + i, k) + splat(s) * (dn - splat(mean_dn) - nrm * splat(mean_dnn)),
              k);
    }
}

MULTI_ISA void wsv_layernorm_dw_row(float *dw, const float *dout, const float *x, size_t n,
                                    float m, float s)
{
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        store(dw + i, load(dw + i, k) + load(dout + i, k) * (load(x + i, k) - splat(m)) * splat(s),
              k);
    }
}

/* Φ(x) = 1 − erfc(z)/2 for z = x/√2 >= 0 (erfc(z)/2 below zero), with
 * erfc(a) = t·poly(t)·exp(−a²), t = 1/(1 + p·a); φ(x) uses the same exp. */
static inline __attribute__((always_inline)) void gelu8(v8f v, v8f *y, v8f *d)
{
    v8f z = v * splat((float)M_SQRT1_2);
    v8f a = select(z < splat(0.0f), -z, z);
    v8f t = splat(1.0f) / (splat(1.0f) + splat(0.3275911f) * a);
    v8f poly = splat(1.061405429f);
    poly = poly * t + splat(-1.453152027f);
    poly = poly * t + splat(1.421413741f);
    poly = poly * t + splat(-0.284496736f);
    poly = poly * t + splat(0.254829592f);
    v8f e = vexp(-a * a);
    v8f half_erfc = splat(0.5f) * poly * t * e;
    v8f cdf = select(z < splat(0.0f), half_erfc, splat(1.0f) - half_erfc);
    *y = v * cdf;
    *d = cdf + v * e * splat(0.3989422804014327f);
}

MULTI_ISA void wsv_gelu(float *y, float *x, size_t n)
{
    v8f gy, gd;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        gelu8(load(x + i, 8), &gy, &gd);
        store(y + i, gy, 8);
        store(x + i, gd, 8);
    }
    if (i < n) {
        gelu8(load(x + i, n - i), &gy, &gd);
        store(y + i, gy, n - i);
        store(x + i, gd, n - i);
    }
}

/* AdamW's element update, c = { decay, beta1, beta2, step, sqrt(bias
 * correction 2), eps }, in torch's order of operations (decay, moments,
 * then p −= step·m / (√v / bc2 + eps)). The square root is the one
 * operation without a portable vector form: AVX's instruction where the
 * CPU has it, libm per element otherwise (and for the tail). */
static void adamw_scalar(float *p, const float *g, float *m, float *v, size_t n,
                         const float c[6])
{
    for (size_t i = 0; i < n; i++) {
        p[i] *= c[0];
        m[i] = c[1] * m[i] + (1.0f - c[1]) * g[i];
        v[i] = c[2] * v[i] + (1.0f - c[2]) * g[i] * g[i];
        p[i] -= c[3] * m[i] / (sqrtf(v[i]) / c[4] + c[5]);
    }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target("avx2,fma"))) static void adamw_avx2(
    float *p, const float *g, float *m, float *v, size_t n, const float c[6])
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8f gi = load(g + i, 8), pi = load(p + i, 8) * splat(c[0]);
        v8f mi = splat(c[1]) * load(m + i, 8) + splat(1.0f - c[1]) * gi;
        v8f vi = splat(c[2]) * load(v + i, 8) + splat(1.0f - c[2]) * gi * gi;
        pi -= splat(c[3]) * mi / (__builtin_ia32_sqrtps256(vi) / splat(c[4]) + splat(c[5]));
        store(m + i, mi, 8);
        store(v + i, vi, 8);
        store(p + i, pi, 8);
    }
    adamw_scalar(p + i, g + i, m + i, v + i, n - i, c);
}
#endif

void wsv_adamw(float *p, const float *g, float *m, float *v, size_t n, const float c[6])
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        adamw_avx2(p, g, m, v, n, c);
        return;
    }
#endif
    adamw_scalar(p, g, m, v, n, c);
}

/* GELU's tanh form: u = √(2/π)(x + 0.044715x³), with e = e^{2u}:
 * tanh u = 1 − 2/(e + 1) and 1 − tanh²u = 4e/(e + 1)² (that one directly,
 * not from tanh, which would cancel for large |x|); derivative
 * ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²). */
static inline __attribute__((always_inline)) void gelu_tanh8(v8f v, v8f *y, v8f *d)
{
    const float k = 0.7978845608028654f, c = 0.044715f;
    v8f u = splat(k) * (v + splat(c) * v * v * v);
    u = select(u > splat(40.0f), splat(40.0f), select(u < splat(-40.0f), splat(-40.0f), u));
    v8f e = vexp(splat(2.0f) * u), e1 = e + splat(1.0f);
    v8f t = splat(1.0f) - splat(2.0f) / e1, sech2 = splat(4.0f) * e / e1 / e1;
    *y = splat(0.5f) * v * (splat(1.0f) + t);
    *d = splat(0.5f) * (splat(1.0f) + t) +
         splat(0.5f) * v * sech2 * splat(k) * (splat(1.0f) + splat(3.0f * c) * v * v);
}

MULTI_ISA void wsv_gelu_tanh(float *y, float *x, size_t n)
{
    v8f gy, gd;
    for (size_t i = 0; i < n; i += 8) {
        size_t k = n - i < 8 ? n - i : 8;
        gelu_tanh8(load(x + i, k), &gy, &gd);
        store(y + i, gy, k);
        store(x + i, gd, k);
    }
}
