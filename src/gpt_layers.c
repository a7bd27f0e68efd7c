/* Kernels of the GPT forward and backward passes: linear layers through
 * cblas_sgemm, and the row-wise parts (LayerNorm, GELU, attention softmax,
 * cross-entropy) split over threads with ws_parallel_for. */
#include "gpt_layers.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "threads.h"

/* ---- linear layers ---- */

void wsl_linear(float *out, const float *x, const float *w, const float *b,
                const float *res, int N, int nin, int nout)
{
    float beta = (res || b) ? 1.0f : 0.0f;
    if (res || b) {
        for (int i = 0; i < N; i++) {
            float *o = out + (size_t)i * nout;
            if (res) memcpy(o, res + (size_t)i * nout, sizeof(float) * nout);
            else memset(o, 0, sizeof(float) * nout);
            if (b) for (int j = 0; j < nout; j++) o[j] += b[j];
        }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, nout, nin,
                1.0f, x, nin, w, nin, beta, out, nout);
}

void wsl_linear_dx(float *dx, const float *dy, const float *w, int N, int nin, int nout,
                   int accumulate)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, nin, nout,
                1.0f, dy, nout, w, nin, accumulate ? 1.0f : 0.0f, dx, nin);
}

void wsl_linear_dw(float *dw, const float *dy, const float *x, int N, int nin, int nout)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nout, nin, N,
                1.0f, dy, nout, x, nin, 1.0f, dw, nin);
}

void wsl_bias_db(float *db, const float *dy, const float *ones, int N, int nout)
{
    cblas_sgemv(CblasRowMajor, CblasTrans, N, nout, 1.0f, dy, nout, ones, 1, 1.0f, db, 1);
}

/* Rows per chunk so that each thread gets a few chunks. */
static size_t row_chunk(size_t n, int threads)
{
    size_t c = n / (size_t)(threads * 4);
    return c ? c : 1;
}

/* ---- LayerNorm ---- */

typedef struct ln_job {
    float *out, *mean, *rstd, *dx;
    const float *x, *w, *b, *dout;
    int C;
} ln_job;

static void ln_rows(size_t begin, size_t end, int tid, void *user)
{
    const ln_job *j = user;
    int C = j->C;
    (void)tid;
    for (size_t i = begin; i < end; i++) {
        const float *x = j->x + i * C;
        float *o = j->out + i * C;
        float m = 0.0f, v = 0.0f;
        for (int c = 0; c < C; c++) m += x[c];
        m /= C;
        for (int c = 0; c < C; c++) { float d = x[c] - m; v += d * d; }
        v /= C;
        float s = 1.0f / sqrtf(v + WS_LN_EPS);
        for (int c = 0; c < C; c++) {
            float n = (x[c] - m) * s;
            o[c] = n * (j->w ? j->w[c] : 1.0f) + (j->b ? j->b[c] : 0.0f);
        }
        j->mean[i] = m;
        j->rstd[i] = s;
    }
}

void wsl_layernorm(float *out, float *mean, float *rstd, const float *x,
                   const float *w, const float *b, int N, int C, int threads)
{
    ln_job j = { .out = out, .mean = mean, .rstd = rstd, .x = x, .w = w, .b = b, .C = C };
    ws_parallel_for((size_t)N, row_chunk((size_t)N, threads), threads, ln_rows, &j, NULL);
}

/* dx += rstd·(dn − mean(dn) − n·mean(dn·n)), with n the normalised input
 * and dn = dout·w. */
static void ln_back_rows(size_t begin, size_t end, int tid, void *user)
{
    const ln_job *j = user;
    int C = j->C;
    (void)tid;
    for (size_t i = begin; i < end; i++) {
        const float *x = j->x + i * C, *dout = j->dout + i * C;
        float *dx = j->dx + i * C;
        float m = j->mean[i], s = j->rstd[i];
        float sum_dn = 0.0f, sum_dnn = 0.0f;
        for (int c = 0; c < C; c++) {
            float dn = dout[c] * (j->w ? j->w[c] : 1.0f);
            sum_dn += dn;
            sum_dnn += dn * (x[c] - m) * s;
        }
        sum_dn /= C;
        sum_dnn /= C;
        for (int c = 0; c < C; c++) {
            float n = (x[c] - m) * s;
            float dn = dout[c] * (j->w ? j->w[c] : 1.0f);
            dx[c] += s * (dn - sum_dn - n * sum_dnn);
        }
    }
}

void wsl_layernorm_back(float *dx, float *dw, float *db, const float *dout,
                        const float *x, const float *mean, const float *rstd,
                        const float *w, int N, int C, int threads)
{
    ln_job j = { .dx = dx, .mean = (float *)mean, .rstd = (float *)rstd,
                 .x = x, .w = w, .dout = dout, .C = C };
    if (dx)
        ws_parallel_for((size_t)N, row_chunk((size_t)N, threads), threads,
                        ln_back_rows, &j, NULL);
    /* Parameter gradients sum over rows: kept serial (N·C adds) to avoid
     * races and stay deterministic. */
    for (int i = 0; dw && i < N; i++) {
        const float *xr = x + (size_t)i * C, *d = dout + (size_t)i * C;
        float m = mean[i], s = rstd[i];
        for (int c = 0; c < C; c++) dw[c] += d[c] * (xr[c] - m) * s;
    }
    for (int i = 0; db && i < N; i++) {
        const float *d = dout + (size_t)i * C;
        for (int c = 0; c < C; c++) db[c] += d[c];
    }
}

/* ---- GELU ---- */

typedef struct gelu_job {
    float *y;
    const float *x;
    int tanh_approx;
} gelu_job;

#define GELU_K 0.7978845608028654f   /* sqrt(2/pi) */
#define GELU_C 0.044715f

static void gelu_fwd(size_t begin, size_t end, int tid, void *user)
{
    const gelu_job *j = user;
    (void)tid;
    if (j->tanh_approx) {
        for (size_t i = begin; i < end; i++) {
            float x = j->x[i];
            j->y[i] = 0.5f * x * (1.0f + tanhf(GELU_K * (x + GELU_C * x * x * x)));
        }
    } else {
        for (size_t i = begin; i < end; i++) {
            float x = j->x[i];
            j->y[i] = 0.5f * x * (1.0f + erff(x * (float)M_SQRT1_2));
        }
    }
}

static void gelu_bwd(size_t begin, size_t end, int tid, void *user)
{
    const gelu_job *j = user;
    const float inv_sqrt_2pi = 0.3989422804014327f;
    (void)tid;
    if (j->tanh_approx) {
        for (size_t i = begin; i < end; i++) {
            float x = j->x[i];
            float u = GELU_K * (x + GELU_C * x * x * x);
            float t = tanhf(u);
            float du = GELU_K * (1.0f + 3.0f * GELU_C * x * x);
            j->y[i] *= 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
        }
    } else {
        for (size_t i = begin; i < end; i++) {
            float x = j->x[i];
            float cdf = 0.5f * (1.0f + erff(x * (float)M_SQRT1_2));
            float pdf = inv_sqrt_2pi * expf(-0.5f * x * x);
            j->y[i] *= cdf + x * pdf;
        }
    }
}

void wsl_gelu(float *y, const float *x, size_t n, int tanh_approx, int threads)
{
    gelu_job j = { y, x, tanh_approx };
    ws_parallel_for(n, 16384, threads, gelu_fwd, &j, NULL);
}

void wsl_gelu_back(float *d, const float *x, size_t n, int tanh_approx, int threads)
{
    gelu_job j = { d, x, tanh_approx };
    ws_parallel_for(n, 16384, threads, gelu_bwd, &j, NULL);
}

/* ---- causal self-attention, one (batch, head) pair per work item ---- */

typedef struct att_job {
    float *y, *att, *dqkv, *scratch;
    const float *qkv, *dy;
    int T, C, H;
} att_job;

/* Row i of the scores holds j <= i; softmax there, zeros above. */
static void causal_softmax(float *s, int T)
{
    for (int i = 0; i < T; i++) {
        float *r = s + (size_t)i * T;
        float mx = r[0];
        for (int k = 1; k <= i; k++) if (r[k] > mx) mx = r[k];
        float sum = 0.0f;
        for (int k = 0; k <= i; k++) { r[k] = expf(r[k] - mx); sum += r[k]; }
        float inv = 1.0f / sum;
        for (int k = 0; k <= i; k++) r[k] *= inv;
        for (int k = i + 1; k < T; k++) r[k] = 0.0f;
    }
}

static void att_fwd(size_t begin, size_t end, int tid, void *user)
{
    const att_job *j = user;
    int T = j->T, C = j->C, H = j->H, hs = C / H;
    float scale = 1.0f / sqrtf((float)hs);
    (void)tid;
    for (size_t bh = begin; bh < end; bh++) {
        size_t b = bh / H, h = bh % H;
        const float *q = j->qkv + b * T * 3 * C + h * hs;
        const float *k = q + C, *v = q + 2 * C;
        float *p = j->att + bh * T * T;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs,
                    scale, q, 3 * C, k, 3 * C, 0.0f, p, T);
        causal_softmax(p, T);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T,
                    1.0f, p, T, v, 3 * C, 0.0f, j->y + b * T * C + h * hs, C);
    }
}

void wsl_attention(float *y, float *att, const float *qkv, int B, int T, int C,
                   int H, int threads)
{
    att_job j = { .y = y, .att = att, .qkv = qkv, .T = T, .C = C, .H = H };
    ws_parallel_for((size_t)B * H, 1, threads, att_fwd, &j, NULL);
}

/* With P the probabilities and dP = dY·Vᵀ: dV = Pᵀ·dY,
 * dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = scale·dS·K, dK = scale·dSᵀ·Q. */
static void att_bwd(size_t begin, size_t end, int tid, void *user)
{
    const att_job *j = user;
    int T = j->T, C = j->C, H = j->H, hs = C / H;
    float scale = 1.0f / sqrtf((float)hs);
    float *dp = j->scratch + (size_t)tid * T * T;
    for (size_t bh = begin; bh < end; bh++) {
        size_t b = bh / H, h = bh % H;
        size_t off = b * T * 3 * C + h * hs;
        const float *q = j->qkv + off, *k = q + C, *v = q + 2 * C;
        float *dq = j->dqkv + off, *dk = dq + C, *dv = dq + 2 * C;
        const float *dy = j->dy + b * T * C + h * hs;
        float *p = j->att + bh * T * T;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs,
                    1.0f, dy, C, v, 3 * C, 0.0f, dp, T);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T,
                    1.0f, p, T, dy, C, 0.0f, dv, 3 * C);
        for (int i = 0; i < T; i++) {
            float *pr = p + (size_t)i * T, *dr = dp + (size_t)i * T;
            float dot = 0.0f;
            for (int k2 = 0; k2 <= i; k2++) dot += pr[k2] * dr[k2];
            for (int k2 = 0; k2 <= i; k2++) pr[k2] *= dr[k2] - dot;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T,
                    scale, p, T, k, 3 * C, 0.0f, dq, 3 * C);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T,
                    scale, p, T, q, 3 * C, 0.0f, dk, 3 * C);
    }
}

void wsl_attention_back(float *dqkv, float *att, const float *dy, const float *qkv,
                        float *scratch, int B, int T, int C, int H, int threads)
{
    att_job j = { .att = att, .dqkv = dqkv, .scratch = scratch, .qkv = qkv, .dy = dy,
                  .T = T, .C = C, .H = H };
    ws_parallel_for((size_t)B * H, 1, threads, att_bwd, &j, NULL);
}

/* ---- softmax cross-entropy, fused with its gradient ---- */

typedef struct ce_job {
    float *logits;
    const int32_t *targets;
    double *row_loss;
    int N, V;
} ce_job;

static void ce_rows(size_t begin, size_t end, int tid, void *user)
{
    const ce_job *j = user;
    int V = j->V;
    float inv_n = 1.0f / (float)j->N;
    (void)tid;
    for (size_t i = begin; i < end; i++) {
        float *l = j->logits + i * V;
        int tgt = j->targets[i];
        float mx = l[0];
        for (int k = 1; k < V; k++) if (l[k] > mx) mx = l[k];
        float lt = l[tgt];
        float sum = 0.0f;
        for (int k = 0; k < V; k++) { l[k] = expf(l[k] - mx); sum += l[k]; }
        j->row_loss[i] = (double)logf(sum) + (double)mx - (double)lt;
        float s = inv_n / sum;
        for (int k = 0; k < V; k++) l[k] *= s;
        l[tgt] -= inv_n;
    }
}

double wsl_softmax_ce(float *logits, const int32_t *targets, int N, int V, int threads)
{
    /* Row losses are summed in double, block by block, in row order, so
     * the result does not depend on the thread count. */
    enum { BLOCK = 4096 };
    double row_loss[BLOCK], total = 0.0;
    for (int start = 0; start < N; start += BLOCK) {
        int n = N - start < BLOCK ? N - start : BLOCK;
        ce_job j = { logits + (size_t)start * V, targets + start, row_loss, N, V };
        ws_parallel_for((size_t)n, row_chunk((size_t)n, threads), threads, ce_rows, &j, NULL);
        for (int i = 0; i < n; i++) total += row_loss[i];
    }
    return total / N;
}
