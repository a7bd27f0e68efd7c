/* Vectorised row kernels for the training core: exp (for the softmaxes)
 * and the exact GELU, eight floats at a time with GCC vector extensions,
 * built once for AVX2+FMA and once for the baseline, chosen at run time.
 *
 * Accuracy: exp as libm's expf (computed in double, rounded once) over
 * [-87.3, 88.7] (smaller arguments give 0);
 * erf within 1.5e-7 absolute (Abramowitz & Stegun 7.1.26), so GELU and its
 * derivative are within ~1e-7 of the exact erf form. */
#ifndef WS_VECMATH_H
#define WS_VECMATH_H

#include <stddef.h>

/* Largest of x[0..n), n >= 1. */
float wsv_max(const float *x, size_t n);
/* x[i] = exp(x[i] − shift); returns the sum of the new values. */
float wsv_exp_sum(float *x, size_t n, float shift);
/* x[i] *= s. */
void wsv_scale(float *x, size_t n, float s);
/* Softmax backward of one row: p[i] = p[i]·(d[i] − Σ p·d). */
void wsv_softmax_back(float *p, const float *d, size_t n);
/* x[i] += a[i]; x[i] *= a[i]. */
void wsv_add(float *x, const float *a, size_t n);
void wsv_mul(float *x, const float *a, size_t n);
/* y[i] = x·Φ(x) (exact GELU), and x[i] is replaced by GELU'(x) = Φ(x) + x·φ(x). */
void wsv_gelu(float *y, float *x, size_t n);
/* The same for GELU's tanh approximation. */
void wsv_gelu_tanh(float *y, float *x, size_t n);

/* LayerNorm of one row of n: o = (x − mean)·rstd·w + b (w, b may be NULL),
 * rstd = 1/sqrt(var + eps); mean and rstd are returned. */
void wsv_layernorm_row(float *o, const float *x, const float *w, const float *b,
                       size_t n, float eps, float *mean, float *rstd);
/* Its backward for one row: dx += rstd·(dn − mean(dn) − x̂·mean(dn·x̂)) with
 * x̂ = (x − mean)·rstd and dn = dout·w; and dw += dout·x̂. */
void wsv_layernorm_back_row(float *dx, const float *dout, const float *x,
                            const float *w, size_t n, float mean, float rstd);
void wsv_layernorm_dw_row(float *dw, const float *dout, const float *x, size_t n,
                          float mean, float rstd);

/* One AdamW update of n elements (adamw.c): c = { 1 − lr·wd, beta1, beta2,
 * lr / (1 − beta1^t), sqrt(1 − beta2^t), eps }. */
void wsv_adamw(float *p, const float *g, float *m, float *v, size_t n, const float c[6]);

#endif
