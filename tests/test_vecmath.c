/* Vectorised exp and GELU of the training core against libm in double. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "vecmath.h"

#define N 200003   /* not a multiple of 8: the tails are exercised */

int main(void)
{
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    double worst = 0.0, sum = 0.0;
    for (int i = 0; i < N; i++) x[i] = -87.0f + 175.0f * (float)i / (N - 1);
    float got_sum = wsv_exp_sum(x, N, 0.0f);
    for (int i = 0; i < N; i++) {
        double want = exp((double)(-87.0f + 175.0f * (float)i / (N - 1)));
        worst = fmax(worst, fabs(x[i] - want) / want);
        sum += want;
    }
    printf("exp: max rel err %.3g\n", worst);
    CHECK(worst < 1.2e-7);   /* at most one float ulp, as libm */
    (void)got_sum;
    sum = 0.0;   /* the sum, where it fits a float */
    for (int i = 0; i < N; i++) {
        x[i] = -20.0f + 40.0f * (float)i / (N - 1);
        sum += exp((double)x[i] - 3.0);
    }
    CHECK_REL(wsv_exp_sum(x, N, 3.0f), sum, 1e-5);

    float u[5] = { -100.0f, -88.0f, 0.0f, 1.0f, 2.0f };
    wsv_exp_sum(u, 5, 0.0f);
    CHECK(u[0] == 0.0f && u[1] == 0.0f);   /* underflow gives 0, not garbage */
    CHECK(u[2] == 1.0f);
    CHECK_REL(u[4], exp(2.0), 3e-7);

    double worst_y = 0.0, worst_d = 0.0;
    for (int i = 0; i < N; i++) x[i] = -10.0f + 20.0f * (float)i / (N - 1);
    float *x0 = malloc(N * sizeof *x0);
    for (int i = 0; i < N; i++) x0[i] = x[i];
    wsv_gelu(y, x, N);
    for (int i = 0; i < N; i++) {
        double v = x0[i], cdf = 0.5 * (1.0 + erf(v / sqrt(2.0)));
        double pdf = exp(-0.5 * v * v) / sqrt(2.0 * M_PI);
        worst_y = fmax(worst_y, fabs(y[i] - v * cdf) / fmax(fabs(v), 1.0));
        worst_d = fmax(worst_d, fabs(x[i] - (cdf + v * pdf)));
    }
    printf("gelu: max err %.3g (relative to max(|x|,1)), derivative %.3g\n", worst_y, worst_d);
    CHECK(worst_y < 3e-7);
    CHECK(worst_d < 3e-7);

    for (int i = 0; i < N; i++) x[i] = x0[i];
    wsv_gelu_tanh(y, x, N);
    worst_y = worst_d = 0.0;
    for (int i = 0; i < N; i++) {
        double v = x0[i], k = sqrt(2.0 / M_PI), t = tanh(k * (v + 0.044715 * v * v * v));
        double dd = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
        worst_y = fmax(worst_y, fabs(y[i] - 0.5 * v * (1 + t)) / fmax(fabs(v), 1.0));
        worst_d = fmax(worst_d, fabs(x[i] - dd));
    }
    printf("gelu tanh: max err %.3g (relative to max(|x|,1)), derivative %.3g\n", worst_y, worst_d);
    CHECK(worst_y < 3e-7);
    CHECK(worst_d < 3e-7);

    float r[11] = { 3, -1, 7, 2, 9.5f, 0, 1, 2, 3, 4, -5 };
    CHECK(wsv_max(r, 11) == 9.5f);
    CHECK(wsv_max(r, 3) == 7.0f);
    wsv_scale(r, 11, 2.0f);
    CHECK(r[10] == -10.0f && r[4] == 19.0f);
    float one[11] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    wsv_add(r, one, 11);
    CHECK(r[10] == -9.0f && r[0] == 7.0f);
    wsv_mul(r, r, 11);
    CHECK(r[10] == 81.0f && r[4] == 400.0f);
    float sp[11] = { 0.1f, 0.2f, 0.05f, 0.05f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f };
    float sd[11] = { 1, -2, 3, 0.5f, 0, 4, -1, 2, 1, 0, 6 }, dot = 0, want[11];
    for (int i = 0; i < 11; i++) dot += sp[i] * sd[i];
    for (int i = 0; i < 11; i++) want[i] = sp[i] * (sd[i] - dot);
    wsv_softmax_back(sp, sd, 11);
    for (int i = 0; i < 11; i++) CHECK_NEAR(sp[i], want[i], 1e-6);
    /* LayerNorm of a row of 13 (a partial vector) against double, and its
     * backward against the formula in double. */
    {
        enum { C = 13 };
        float lx[C], lw[C], lb[C], lo[C], dout[C], dx[C] = { 0 }, dw[C] = { 0 }, m, rs;
        double md = 0, vd = 0;
        for (int i = 0; i < C; i++) {
            lx[i] = sinf(3.0f * i) * 2 + 0.5f;
            lw[i] = 1 + 0.1f * i;
            lb[i] = 0.01f * i;
            dout[i] = cosf(1.7f * i);
            md += lx[i];
        }
        md /= C;
        for (int i = 0; i < C; i++) vd += (lx[i] - md) * (lx[i] - md);
        double sd = 1 / sqrt(vd / C + 1e-5), mdn = 0, mdnn = 0;
        wsv_layernorm_row(lo, lx, lw, lb, C, 1e-5f, &m, &rs);
        CHECK_NEAR(m, md, 1e-6);
        CHECK_REL(rs, sd, 1e-6);
        for (int i = 0; i < C; i++) {
            CHECK_NEAR(lo[i], (lx[i] - md) * sd * lw[i] + lb[i], 1e-5);
            mdn += dout[i] * lw[i] / C;
            mdnn += dout[i] * lw[i] * (lx[i] - md) * sd / C;
        }
        wsv_layernorm_back_row(dx, dout, lx, lw, C, m, rs);
        wsv_layernorm_dw_row(dw, dout, lx, C, m, rs);
        for (int i = 0; i < C; i++) {
            double n = (lx[i] - md) * sd;
            CHECK_NEAR(dx[i], sd * (dout[i] * lw[i] - mdn - n * mdnn), 1e-5);
            CHECK_NEAR(dw[i], dout[i] * n, 1e-5);
        }
    }

    /* AdamW's update against torch's formula in double, three steps. */
    enum { NA = 1003 };
    float p[NA], g[NA], m[NA] = { 0 }, v[NA] = { 0 };
    double pd[NA], md[NA] = { 0 }, vd[NA] = { 0 };
    for (int i = 0; i < NA; i++) pd[i] = p[i] = sinf((float)i);
    double worst_p = 0.0;
    for (int t = 1; t <= 3; t++) {
        double lr = 1e-3, wd = 0.1, b1 = 0.9, b2 = 0.95, eps = 1e-8;
        float c[6] = { (float)(1 - lr * wd), (float)b1, (float)b2,
                       (float)(lr / (1 - pow(b1, t))), (float)sqrt(1 - pow(b2, t)), (float)eps };
        for (int i = 0; i < NA; i++) g[i] = cosf((float)(i * t)) * (i % 3 ? 1.0f : 1e-3f);
        wsv_adamw(p, g, m, v, NA, c);
        for (int i = 0; i < NA; i++) {
            pd[i] *= 1 - lr * wd;
            md[i] = b1 * md[i] + (1 - b1) * g[i];
            vd[i] = b2 * vd[i] + (1 - b2) * (double)g[i] * g[i];
            pd[i] -= lr / (1 - pow(b1, t)) * md[i] / (sqrt(vd[i]) / sqrt(1 - pow(b2, t)) + eps);
        }
    }
    for (int i = 0; i < NA; i++) worst_p = fmax(worst_p, fabs(p[i] - pd[i]));
    printf("adamw: max abs err %.3g after 3 steps of lr 1e-3\n", worst_p);
    CHECK(worst_p < 1e-6);
    free(x);
    free(x0);
    free(y);
    return check_done();
}
