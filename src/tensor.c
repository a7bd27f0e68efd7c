#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; int bits; int convertible; } dtypes[WS_DT_COUNT] = {
    [WS_DT_F32] = {"F32", 32, 1},   [WS_DT_F16] = {"F16", 16, 1},   [WS_DT_BF16] = {"BF16", 16, 1},
    [WS_DT_F64] = {"F64", 64, 1},   [WS_DT_I64] = {"I64", 64, 1},   [WS_DT_I32] = {"I32", 32, 1},
    [WS_DT_I16] = {"I16", 16, 1},   [WS_DT_I8] = {"I8", 8, 1},      [WS_DT_U64] = {"U64", 64, 1},
    [WS_DT_U32] = {"U32", 32, 1},   [WS_DT_U16] = {"U16", 16, 1},   [WS_DT_U8] = {"U8", 8, 1},
    [WS_DT_BOOL] = {"BOOL", 8, 1},  [WS_DT_F8_E4M3] = {"F8_E4M3", 8, 1},
    [WS_DT_F8_E5M2] = {"F8_E5M2", 8, 1}, [WS_DT_C64] = {"C64", 64, 0}, [WS_DT_F4] = {"F4", 4, 0},
    [WS_DT_F6_E2M3] = {"F6_E2M3", 6, 0}, [WS_DT_F6_E3M2] = {"F6_E3M2", 6, 0},
    [WS_DT_F8_E8M0] = {"F8_E8M0", 8, 0}, [WS_DT_F8_E4M3FNUZ] = {"F8_E4M3FNUZ", 8, 0},
    [WS_DT_F8_E5M2FNUZ] = {"F8_E5M2FNUZ", 8, 0},
};

const char *ws_dtype_name(ws_dtype dt) { return dt < WS_DT_COUNT ? dtypes[dt].name : "?"; }
int ws_dtype_bits(ws_dtype dt) { return dt < WS_DT_COUNT ? dtypes[dt].bits : 0; }
int ws_dtype_is_float_convertible(ws_dtype dt) { return dt < WS_DT_COUNT && dtypes[dt].convertible; }

int ws_dtype_from_name(const char *s, ws_dtype *out)
{
    for (int i = 0; i < WS_DT_COUNT; i++)
        if (!strcmp(s, dtypes[i].name)) {
            *out = (ws_dtype)i;
            return 0;
        }
    return -1;
}

static const char *role_names[WS_ROLE_COUNT] = {
    "-", "embed", "pos_embed", "ln1", "qkv", "attn_out", "ln2", "mlp_up", "mlp_down", "ln_f", "head",
};

const char *ws_role_name(ws_role r) { return r < WS_ROLE_COUNT ? role_names[r] : "?"; }

const char *ws_kind_name(ws_kind k)
{
    static const char *names[WS_KIND_COUNT] = {"network", "buffer", "training state"};
    return k < WS_KIND_COUNT ? names[k] : "?";
}

void ws_tensor_shape_text(const ws_tensor *t, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < t->ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "x" : "", (long long)t->shape[i]);
    if (t->ndim == 0)
        snprintf(buf, n, "scalar");
}

int ws_tensor_is_matrix(const ws_tensor *t) { return t->ndim == 2 && t->rows > 1 && t->cols > 1; }

int ws_tensor_is_weight_matrix(const ws_tensor *t)
{
    return t->kind == WS_KIND_NETWORK && ws_tensor_is_matrix(t) && !t->is_bias;
}

void ws_tensor_setup(ws_tensor *t)
{
    pthread_mutex_init(&t->lock, NULL);
    /* No elements when an axis is empty: then the other axes' product
     * need not fit (a reader checks it against the bytes only when it is
     * the element count). */
    int empty = 0;
    for (int i = 0; i < t->ndim; i++)
        empty |= t->shape[i] == 0;
    t->numel = !empty;
    for (int i = 0; i < t->ndim && !empty; i++)
        t->numel *= t->shape[i];
    if (t->ndim == 0) {
        t->rows = t->cols = 1;
    } else if (t->ndim == 1) {
        t->rows = 1;
        t->cols = t->shape[0];
    } else {
        t->rows = t->shape[0];
        t->cols = t->shape[0] ? t->numel / t->shape[0] : 0;
    }
    t->layer = -1;
}

int ws_tensor_narrow(ws_tensor *t, ws_dtype dt, ws_err *e)
{
    if (dt == t->dtype)
        return 0;
    if (t->dtype != WS_DT_F32 || !t->data_owned || (dt != WS_DT_F16 && dt != WS_DT_BF16))
        return ws_fail(e, "%s: cannot store %s as %s", t->name, ws_dtype_name(t->dtype), ws_dtype_name(dt));
    size_t n = (size_t)t->numel;
    uint16_t *h = malloc(n ? n * sizeof *h : 1);
    if (!h)
        return ws_fail(e, "%s: out of memory", t->name);
    const float *f = (const float *)(const void *)t->data;
    for (size_t i = 0; i < n; i++)
        h[i] = dt == WS_DT_F16 ? ws_float_to_half(f[i]) : ws_float_to_bf16(f[i]);
    if (t->f32 && !t->f32_owned)
        t->f32 = NULL;   /* it was the old data */
    if (t->f32 && t->f32_owned) {
        free(t->f32);
        t->f32 = NULL, t->f32_owned = 0;
    }
    free((void *)t->data);
    t->data = (const unsigned char *)h;
    t->dtype = dt;
    t->nbytes = n * sizeof *h;
    t->has_stats = 0;
    return 0;
}

void ws_tensor_release(ws_tensor *t)
{
    if (t->f32_owned)
        free(t->f32);
    if (t->data_owned)
        free((void *)t->data);
    free(t->name);
    pthread_mutex_destroy(&t->lock);
}

float ws_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: renormalise */
            int e = -1;
            do {
                man <<= 1;
                e++;
            } while (!(man & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t ws_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t man = x & 0x7fffff;
    if (((x >> 23) & 0xff) == 0xff)
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00);
    if (exp <= 0) {
        if (exp < -10)
            return (uint16_t)sign;
        man |= 0x800000;
        uint32_t shift = (uint32_t)(14 - exp);
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t h = sign | ((uint32_t)exp << 10) | (man >> 13), rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++; /* carries into the exponent correctly */
    return (uint16_t)h;
}

float ws_bf16_to_float(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t ws_float_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000)
        return (uint16_t)((x >> 16) | 0x40);
    x += 0x7fff + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

static float f8_to_float(uint8_t v, int exp_bits, int bias, int e4m3)
{
    int man_bits = 7 - exp_bits;
    int sign = v >> 7, exp = (v >> man_bits) & ((1 << exp_bits) - 1), man = v & ((1 << man_bits) - 1);
    float r;
    if (e4m3 && exp == 15 && man == 7)
        return NAN;
    if (!e4m3 && exp == 31)
        return man ? NAN : (sign ? -INFINITY : INFINITY);
    if (exp == 0)
        r = ldexpf((float)man, 1 - bias - man_bits);
    else
        r = ldexpf((float)(man + (1 << man_bits)), exp - bias - man_bits);
    return sign ? -r : r;
}

#define CONVERT_LOOP(T)                                  \
    do {                                                 \
        const unsigned char *s = src;                    \
        for (size_t i = 0; i < n; i++) {                 \
            T v;                                         \
            memcpy(&v, s + i * sizeof(T), sizeof(T));    \
            dst[i] = (float)v;                           \
        }                                                \
    } while (0)

int ws_convert_to_f32(ws_dtype dt, const void *src, float *dst, size_t n, ws_err *e)
{
    const unsigned char *s = src;
    switch (dt) {
    case WS_DT_F32: memcpy(dst, src, n * 4); break;
    case WS_DT_F64: CONVERT_LOOP(double); break;
    case WS_DT_I64: CONVERT_LOOP(int64_t); break;
    case WS_DT_I32: CONVERT_LOOP(int32_t); break;
    case WS_DT_I16: CONVERT_LOOP(int16_t); break;
    case WS_DT_I8: CONVERT_LOOP(int8_t); break;
    case WS_DT_U64: CONVERT_LOOP(uint64_t); break;
    case WS_DT_U32: CONVERT_LOOP(uint32_t); break;
    case WS_DT_U16: CONVERT_LOOP(uint16_t); break;
    case WS_DT_U8: CONVERT_LOOP(uint8_t); break;
    case WS_DT_BOOL:
        for (size_t i = 0; i < n; i++)
            dst[i] = s[i] ? 1.0f : 0.0f;
        break;
    case WS_DT_F16:
        for (size_t i = 0; i < n; i++)
            dst[i] = ws_half_to_float((uint16_t)(s[2 * i] | s[2 * i + 1] << 8));
        break;
    case WS_DT_BF16:
        for (size_t i = 0; i < n; i++)
            dst[i] = ws_bf16_to_float((uint16_t)(s[2 * i] | s[2 * i + 1] << 8));
        break;
    case WS_DT_F8_E4M3:
        for (size_t i = 0; i < n; i++)
            dst[i] = f8_to_float(s[i], 4, 7, 1);
        break;
    case WS_DT_F8_E5M2:
        for (size_t i = 0; i < n; i++)
            dst[i] = f8_to_float(s[i], 5, 15, 0);
        break;
    default:
        return ws_fail(e, "dtype %s cannot be converted to float32", ws_dtype_name(dt));
    }
    return 0;
}

/* Transposed conversion: the stored matrix is cols × rows (in × out). */
static int convert_transposed(const ws_tensor *t, float *dst, ws_err *e)
{
    int64_t R = t->rows, C = t->cols; /* canonical */
    float *tmp = malloc((size_t)t->numel * sizeof(float));
    if (!tmp)
        return ws_fail(e, "out of memory converting %s", t->name);
    if (ws_convert_to_f32(t->dtype, t->data, tmp, (size_t)t->numel, e) != 0) {
        free(tmp);
        return -1;
    }
    /* Blocked transpose: stored tmp is C × R. */
    const int64_t bs = 64;
    for (int64_t c0 = 0; c0 < C; c0 += bs)
        for (int64_t r0 = 0; r0 < R; r0 += bs)
            for (int64_t c = c0; c < c0 + bs && c < C; c++)
                for (int64_t r = r0; r < r0 + bs && r < R; r++)
                    dst[r * C + c] = tmp[c * R + r];
    free(tmp);
    return 0;
}

const float *ws_tensor_f32(ws_tensor *t, ws_err *e)
{
    pthread_mutex_lock(&t->lock);
    if (t->f32) {
        pthread_mutex_unlock(&t->lock);
        return t->f32;
    }
    int rc = 0;
    if (!ws_dtype_is_float_convertible(t->dtype)) {
        rc = ws_fail(e, "%s: dtype %s cannot be converted to float32", t->name, ws_dtype_name(t->dtype));
    } else if (t->dtype == WS_DT_F32 && !t->transposed && ((uintptr_t)t->data % 4) == 0) {
        t->f32 = (float *)t->data; /* aliases the mapping: no copy */
        t->f32_owned = 0;
    } else {
        float *buf = malloc((size_t)(t->numel ? t->numel : 1) * sizeof(float));
        if (!buf)
            rc = ws_fail(e, "%s: out of memory converting to float32", t->name);
        else if (t->transposed)
            rc = convert_transposed(t, buf, e);
        else
            rc = ws_convert_to_f32(t->dtype, t->data, buf, (size_t)t->numel, e);
        if (rc == 0) {
            t->f32 = buf;
            t->f32_owned = 1;
        } else {
            free(buf);
        }
    }
    pthread_mutex_unlock(&t->lock);
    return rc == 0 ? t->f32 : NULL;
}
