/* Kernels of the GPT forward and backward passes: linear layers through
 * cblas_sgemm, and the row-wise parts (LayerNorm, GELU, attention softmax,
 * cross-entropy) split over threads with ws_parallel_for. */
#include "gpt_layers.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "threads.h"
#include "vecmath.h"

/* ws_parallel_for starts its threads per call (about 30 µs here): work
 * smaller than this many floats (row kernels) or multiply-adds (products)
 * runs on the calling thread alone. */
#define MIN_ROW_WORK (1u << 18)
#define MIN_GEMM_WORK 4e6

static int threads_for(double work, double min_work, int threads)
{
    return work < min_work ? 1 : threads;
}

/* ---- matrix products split over our own threads ----
 *
 * OpenBLAS runs at one thread here and each large product is split into
 * one row (or column) block per thread by us: OpenBLAS's idle workers spin
 * after each call and would compete with the row-wise kernels' threads. */

typedef struct gemm_job {
    int ta, tb, M, N, K, lda, ldb, ldc, parts, by_rows;
    float alpha, beta;
    const float *A, *B;
    float *C;
    const float *res, *bias;   /* optional: C starts as res + bias (ldc, per column) */
} gemm_job;

/* C[r0:r1, c0:c1] = res + bias, each thread on its own block before its
 * product adds to it. */
static void init_block(const gemm_job *j, int r0, int r1, int c0, int c1)
{
    for (int r = r0; r < r1; r++) {
        float *o = j->C + (size_t)r * j->ldc + c0;
        if (j->res) memcpy(o, j->res + (size_t)r * j->ldc + c0, sizeof(float) * (c1 - c0));
        else memset(o, 0, sizeof(float) * (c1 - c0));
        if (j->bias) wsv_add(o, j->bias + c0, (size_t)(c1 - c0));
    }
}

static void gemm_part(size_t begin, size_t end, int tid, void *user)
{
    const gemm_job *j = user;
    (void)tid;
    for (size_t part = begin; part < end; part++) {
        int len = j->by_rows ? j->M : j->N;
        int lo = (int)((int64_t)len * (int64_t)part / j->parts);
        int hi = (int)((int64_t)len * (int64_t)(part + 1) / j->parts);
        if (hi <= lo) continue;
        const float *A = j->A, *B = j->B;
        float *C = j->C;
        if (j->by_rows) {
            A += j->ta ? (size_t)lo : (size_t)lo * j->lda;
            C += (size_t)lo * j->ldc;
        } else {
            B += j->tb ? (size_t)lo * j->ldb : (size_t)lo;
            C += lo;
        }
        if (j->res || j->bias) {
            if (j->by_rows) init_block(j, lo, hi, 0, j->N);
            else init_block(j, 0, j->M, lo, hi);
        }
        cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans,
                    j->tb ? CblasTrans : CblasNoTrans,
                    j->by_rows ? hi - lo : j->M, j->by_rows ? j->N : hi - lo, j->K,
                    j->alpha, A, j->lda, B, j->ldb, j->beta, C, j->ldc);
    }
}

static void sgemm_init(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                       int lda, const float *B, int ldb, float beta, float *C, int ldc,
                       const float *res, const float *bias, int threads)
{
    /* One block per thread: smaller blocks measured slower (each block
     * packs the shared operand again, which costs most when K is large, as
     * in the weight gradients). */
    int by_rows = M >= N, len = by_rows ? M : N;
    int parts = len / 64 < threads ? len / 64 : threads;
    gemm_job j = { ta, tb, M, N, K, lda, ldb, ldc, parts, by_rows, alpha,
                   res || bias ? 1.0f : beta, A, B, C, res, bias };
    threads = threads_for((double)M * N * K, MIN_GEMM_WORK, threads);
    if (threads <= 1 || parts < 2) j.parts = 1;
    /* Even one block goes through ws_parallel_for: it holds OpenBLAS at one
     * thread while the block runs. */
    ws_parallel_for((size_t)j.parts, 1, threads, gemm_part, &j, NULL);
}

void wsl_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc, int threads)
{
    sgemm_init(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL, NULL, threads);
}

/* ---- linear layers ---- */

void wsl_linear(float *out, const float *x, const float *w, const float *b,
                const float *res, int N, int nin, int nout, int threads)
{
    sgemm_init(0, 1, N, nout, nin, 1.0f, x, nin, w, nin, 0.0f, out, nout, res, b, threads);
}

void wsl_linear_dx(float *dx, const float *dy, const float *w, int N, int nin, int nout,
                   int accumulate, int threads)
{
    wsl_sgemm(0, 0, N, nin, nout, 1.0f, dy, nout, w, nin, accumulate ? 1.0f : 0.0f, dx, nin,
              threads);
}

void wsl_linear_dw(float *dw, const float *dy, const float *x, int N, int nin, int nout,
                   int threads)
{
    wsl_sgemm(1, 0, nout, nin, N, 1.0f, dy, nout, x, nin, 1.0f, dw, nin, threads);
}

void wsl_bias_db(float *db, const float *dy, int N, int nout)
{
    /* Row by row, vectorised: deterministic, and no BLAS call outside the
     * one-thread products (it would wake OpenBLAS's spinning workers). */
    for (int i = 0; i < N; i++) wsv_add(db, dy + (size_t)i * nout, (size_t)nout);
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
    float eps;
} ln_job;

static void ln_rows(size_t begin, size_t end, int tid, void *user)
{
    const ln_job *j = user;
    size_t C = (size_t)j->C;
    (void)tid;
    for (size_t i = begin; i < end; i++)
        wsv_layernorm_row(j->out + i * C, j->x + i * C, j->w, j->b, C, j->eps,
                          &j->mean[i], &j->rstd[i]);
}

void wsl_layernorm(float *out, float *mean, float *rstd, const float *x,
                   const float *w, const float *b, int N, int C, float eps, int threads)
{
    ln_job j = { .out = out, .mean = mean, .rstd = rstd, .x = x, .w = w, .b = b, .C = C, .eps = eps };
    threads = threads_for((double)N * C, MIN_ROW_WORK, threads);
    ws_parallel_for((size_t)N, row_chunk((size_t)N, threads), threads, ln_rows, &j, NULL);
}

static void ln_back_rows(size_t begin, size_t end, int tid, void *user)
{
    const ln_job *j = user;
    size_t C = (size_t)j->C;
    (void)tid;
    for (size_t i = begin; i < end; i++)
        wsv_layernorm_back_row(j->dx + i * C, j->dout + i * C, j->x + i * C, j->w, C,
                               j->mean[i], j->rstd[i]);
}

void wsl_layernorm_back(float *dx, float *dw, float *db, const float *dout,
                        const float *x, const float *mean, const float *rstd,
                        const float *w, int N, int C, int threads)
{
    ln_job j = { .dx = dx, .mean = (float *)mean, .rstd = (float *)rstd,
                 .x = x, .w = w, .dout = dout, .C = C };
    threads = threads_for((double)N * C, MIN_ROW_WORK, threads);
    if (dx)
        ws_parallel_for((size_t)N, row_chunk((size_t)N, threads), threads,
                        ln_back_rows, &j, NULL);
    /* Parameter gradients sum over rows: kept serial (N·C adds) to avoid
     * races and stay deterministic. */
    for (int i = 0; dw && i < N; i++)
        wsv_layernorm_dw_row(dw, dout + (size_t)i * C, x + (size_t)i * C, (size_t)C, mean[i],
                             rstd[i]);
    for (int i = 0; db && i < N; i++) wsv_add(db, dout + (size_t)i * C, (size_t)C);
}

/* ---- GELU ---- */

typedef struct gelu_job {
    float *y, *x;
    int tanh_approx;
} gelu_job;

/* y = GELU(x), and x is replaced by GELU'(x): backward then needs one
 * multiplication, and no second erf/exp pass. */
static void gelu_fwd(size_t begin, size_t end, int tid, void *user)
{
    const gelu_job *j = user;
    (void)tid;
    if (j->tanh_approx) wsv_gelu_tanh(j->y + begin, j->x + begin, end - begin);
    else wsv_gelu(j->y + begin, j->x + begin, end - begin);
}

void wsl_gelu(float *y, float *x, size_t n, int tanh_approx, int threads)
{
    gelu_job j = { y, x, tanh_approx };
    ws_parallel_for(n, 16384, threads_for((double)n, MIN_ROW_WORK / 4, threads), gelu_fwd, &j,
                    NULL);
}

/* ---- causal self-attention, one (batch, head) pair per work item ---- */

typedef struct att_job {
    float *y, *att, *dqkv, *scratch;
    const float *qkv, *dy;
    int T, C, H;
} att_job;

/* The causal mask makes the score matrix lower triangular: rows are done
 * in ATT_BLOCKS blocks, block [r0, r1) against keys [0, r1) only, which
 * skips most of the products' upper half. */
#define ATT_BLOCKS 4

static int block_edge(int T, int i) { return T * i / ATT_BLOCKS; }

/* Row i of the scores holds keys j <= i: softmax there, and zeros from
 * i+1 to the end of its row block (the products read no further). */
static void causal_softmax(float *s, int T)
{
    for (int b = 0; b < ATT_BLOCKS; b++) {
        int r0 = block_edge(T, b), r1 = block_edge(T, b + 1);
        for (int i = r0; i < r1; i++) {
            float *r = s + (size_t)i * T;
            float sum = wsv_exp_sum(r, (size_t)i + 1, wsv_max(r, (size_t)i + 1));
            wsv_scale(r, (size_t)i + 1, 1.0f / sum);
            memset(r + i + 1, 0, sizeof(float) * (size_t)(r1 - i - 1));
        }
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
        float *p = j->att + bh * T * T, *y = j->y + b * T * C + h * hs;
        for (int i = 0; i < ATT_BLOCKS; i++) {
            int r0 = block_edge(T, i), r1 = block_edge(T, i + 1);
            if (r1 > r0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r1 - r0, r1, hs, scale,
                            q + (size_t)r0 * 3 * C, 3 * C, k, 3 * C, 0.0f,
                            p + (size_t)r0 * T, T);
        }
        causal_softmax(p, T);
        for (int i = 0; i < ATT_BLOCKS; i++) {
            int r0 = block_edge(T, i), r1 = block_edge(T, i + 1);
            if (r1 > r0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r1 - r0, hs, r1, 1.0f,
                            p + (size_t)r0 * T, T, v, 3 * C, 0.0f, y + (size_t)r0 * C, C);
        }
    }
}

void wsl_attention(float *y, float *att, const float *qkv, int B, int T, int C,
                   int H, int threads)
{
    att_job j = { .y = y, .att = att, .qkv = qkv, .T = T, .C = C, .H = H };
    ws_parallel_for((size_t)B * H, 1, threads, att_fwd, &j, NULL);
}

/* With P the probabilities and dP = dY·Vᵀ: dV = Pᵀ·dY,
 * dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = scale·dS·K, dK = scale·dSᵀ·Q,
 * by the same row blocks as forward. dV and dK sum over the blocks: the
 * last block (all keys) sets them, the others add. */
static void att_bwd(size_t begin, size_t end, int tid, void *user)
{
    const att_job *j = user;
    int T = j->T, C = j->C, H = j->H, hs = C / H, ld = 3 * C;
    float scale = 1.0f / sqrtf((float)hs);
    float *dp = j->scratch + (size_t)tid * T * T;
    for (size_t bh = begin; bh < end; bh++) {
        size_t b = bh / H, h = bh % H;
        size_t off = b * T * 3 * C + h * hs;
        const float *q = j->qkv + off, *k = q + C, *v = q + 2 * C;
        float *dq = j->dqkv + off, *dk = dq + C, *dv = dq + 2 * C;
        const float *dy = j->dy + b * T * C + h * hs;
        float *p = j->att + bh * T * T;
        for (int i = ATT_BLOCKS - 1; i >= 0; i--) {
            int r0 = block_edge(T, i), r1 = block_edge(T, i + 1);
            if (r1 <= r0) continue;
            float beta = r1 == T ? 0.0f : 1.0f;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, r1 - r0, r1, hs, 1.0f,
                        dy + (size_t)r0 * C, C, v, ld, 0.0f, dp + (size_t)r0 * T, T);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, r1, hs, r1 - r0, 1.0f,
                        p + (size_t)r0 * T, T, dy + (size_t)r0 * C, C, beta, dv, ld);
        }
        for (int i = 0; i < T; i++)
            wsv_softmax_back(p + (size_t)i * T, dp + (size_t)i * T, (size_t)i + 1);
        for (int i = ATT_BLOCKS - 1; i >= 0; i--) {
            int r0 = block_edge(T, i), r1 = block_edge(T, i + 1);
            if (r1 <= r0) continue;
            float beta = r1 == T ? 0.0f : 1.0f;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, r1 - r0, hs, r1, scale,
                        p + (size_t)r0 * T, T, k, ld, 0.0f, dq + (size_t)r0 * ld, ld);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, r1, hs, r1 - r0, scale,
                        p + (size_t)r0 * T, T, q + (size_t)r0 * ld, ld, beta, dk, ld);
        }
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
        float mx = wsv_max(l, (size_t)V), lt = l[tgt];
        float sum = wsv_exp_sum(l, (size_t)V, mx);
        j->row_loss[i] = (double)logf(sum) + (double)mx - (double)lt;
        wsv_scale(l, (size_t)V, inv_n / sum);
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
