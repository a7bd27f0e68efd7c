#include "gram.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows or columns promoted per dsyrk call: a few MB of doubles, enough to
 * keep dsyrk at full speed. */
#define GRAM_BLOCK_ELEMS (1 << 19)

ws_astatus ws_scan_values(const float *w, int64_t rows, int64_t cols)
{
    if (rows <= 0 || cols <= 0)
        return WS_AS_EMPTY;
    size_t n = (size_t)rows * (size_t)cols;
    /* On the bits, two floats per 64-bit word, without branches: with the
     * sign bits cleared, a float is NaN or Inf when its bits are at least
     * 0x7f800000, i.e. when adding 0x00800000 carries into bit 31 (the
     * halves cannot carry into each other), and zero when no bit is set. */
    const uint64_t sign = 0x8000000080000000ull, exp1 = 0x0080000000800000ull;
    uint64_t any = 0, bad = 0;
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        uint64_t u;
        memcpy(&u, w + i, sizeof u);
        u &= ~sign;
        any |= u;
        bad |= (u + exp1) & sign;
    }
    for (; i < n; i++) {
        uint32_t u;
        memcpy(&u, w + i, sizeof u);
        u &= 0x7fffffffu;
        any |= u;
        bad |= u >= 0x7f800000u;
    }
    if (bad)
        return WS_AS_NONFINITE;
    return any ? WS_AS_OK : WS_AS_ZERO;
}

void ws_col_means(const float *w, int64_t rows, int64_t cols, double *mean)
{
    memset(mean, 0, (size_t)cols * sizeof *mean);
    for (int64_t r = 0; r < rows; r++) {
        const float *row = w + (size_t)r * cols;
        for (int64_t c = 0; c < cols; c++)
            mean[c] += row[c];
    }
    for (int64_t c = 0; c < cols; c++)
        mean[c] /= (double)rows;
}

int ws_gram_cols(const float *w, int64_t rows, int64_t cols, const double *mean,
                 double *g, ws_err *e)
{
    int64_t blk = GRAM_BLOCK_ELEMS / cols;
    if (blk < 1)
        blk = 1;
    if (blk > rows)
        blk = rows;
    double *buf = malloc((size_t)blk * cols * sizeof *buf);
    if (!buf)
        return ws_fail(e, "out of memory for a %lldx%lld Gram block", (long long)blk, (long long)cols);
    for (int64_t r0 = 0; r0 < rows; r0 += blk) {
        int64_t nr = rows - r0 < blk ? rows - r0 : blk;
        for (int64_t r = 0; r < nr; r++) {
            const float *src = w + (size_t)(r0 + r) * cols;
            double *dst = buf + (size_t)r * cols;
            for (int64_t c = 0; c < cols; c++)
                dst[c] = mean ? (double)src[c] - mean[c] : (double)src[c];
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)cols, (int)nr, 1.0, buf,
                    (int)cols, r0 ? 1.0 : 0.0, g, (int)cols);
    }
    free(buf);
    return 0;
}

int ws_gram_rows(const float *w, int64_t rows, int64_t cols, const double *mean,
                 double *g, ws_err *e)
{
    int64_t blk = GRAM_BLOCK_ELEMS / rows;
    if (blk < 1)
        blk = 1;
    if (blk > cols)
        blk = cols;
    double *buf = malloc((size_t)blk * rows * sizeof *buf);
    if (!buf)
        return ws_fail(e, "out of memory for a %lldx%lld Gram block", (long long)rows, (long long)blk);
    /* Column blocks: G = Σ_blocks X_b X_bᵀ. */
    for (int64_t c0 = 0; c0 < cols; c0 += blk) {
        int64_t nc = cols - c0 < blk ? cols - c0 : blk;
        for (int64_t r = 0; r < rows; r++) {
            const float *src = w + (size_t)r * cols + c0;
            double *dst = buf + (size_t)r * nc;
            for (int64_t c = 0; c < nc; c++)
                dst[c] = mean ? (double)src[c] - mean[c0 + c] : (double)src[c];
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)rows, (int)nc, 1.0, buf,
                    (int)nc, c0 ? 1.0 : 0.0, g, (int)rows);
    }
    free(buf);
    return 0;
}

int ws_sym_eig(double *g, int n, double *lam, int vectors, ws_err *e)
{
    /* The row-major upper triangle is the column-major lower one: calling
     * LAPACK in column-major order saves LAPACKE two n × n transposes, and
     * the eigenvectors, columns for LAPACK, come out as our rows. */
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, vectors ? 'V' : 'N', 'L', n, g, n, lam);
    if (info != 0)
        return ws_fail(e, "eigenvalues of a %dx%d matrix did not converge (dsyevd info %d)",
                       n, n, (int)info);
    /* LAPACK gives ascending order; every caller wants descending. */
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        double t = lam[i];
        lam[i] = lam[j];
        lam[j] = t;
        if (vectors)
            for (int c = 0; c < n; c++) {
                t = g[(size_t)i * n + c];
                g[(size_t)i * n + c] = g[(size_t)j * n + c];
                g[(size_t)j * n + c] = t;
            }
    }
    return 0;
}

/* Rows (or columns) per float32 block of ws_gram_*_f32: each block's sums
 * carry float32 rounding, about √512·ε₃₂ ≈ 1.4e-6 relative. */
#define GRAM_F32_BLOCK 512

/* Add the float32 n × n upper triangle f into g. */
static void add_upper(double *g, const float *f, int64_t n, int first)
{
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i; j < n; j++)
            g[i * n + j] = (first ? 0 : g[i * n + j]) + f[i * n + j];
}

/* The thread's memo of its last float32 Gram (ws_gram_f32_memo_begin). */
static _Thread_local struct {
    int on;
    const float *w;
    int64_t rows, cols;
    int by_rows;
    double *g;         /* NULL until a Gram is kept */
} memo;

void ws_gram_f32_memo_begin(void) { memo.on = 1, memo.g = NULL; }

void ws_gram_f32_memo_end(void)
{
    free(memo.g);
    memo.on = 0, memo.g = NULL;
}

static int gram_f32_sum(const float *w, int64_t rows, int64_t cols, int by_rows, double *g, ws_err *e);

int ws_gram_f32(const float *w, int64_t rows, int64_t cols, int by_rows, double *g, ws_err *e)
{
    size_t bytes = (size_t)(by_rows ? rows : cols) * (size_t)(by_rows ? rows : cols) * sizeof *g;
    if (memo.on && memo.g && memo.w == w && memo.rows == rows && memo.cols == cols &&
        memo.by_rows == by_rows) {
        memcpy(g, memo.g, bytes);
        return 0;
    }
    int rc = gram_f32_sum(w, rows, cols, by_rows, g, e);
    if (rc == 0 && memo.on) {
        /* Keep a copy (callers may overwrite g); without memory, no memo. */
        free(memo.g);
        memo.g = malloc(bytes);
        if (memo.g) {
            memcpy(memo.g, g, bytes);
            memo.w = w, memo.rows = rows, memo.cols = cols, memo.by_rows = by_rows;
        }
    }
    return rc;
}

static int gram_f32_sum(const float *w, int64_t rows, int64_t cols, int by_rows, double *g, ws_err *e)
{
    int64_t n = by_rows ? rows : cols, k = by_rows ? cols : rows;
    float *f = malloc((size_t)(n * n) * sizeof *f);
    if (!f)
        return ws_fail(e, "out of memory for a %lldx%lld Gram", (long long)n, (long long)n);
    for (int64_t k0 = 0; k0 < k; k0 += GRAM_F32_BLOCK) {
        int64_t nk = k - k0 < GRAM_F32_BLOCK ? k - k0 : GRAM_F32_BLOCK;
        if (by_rows)   /* W Wᵀ over a block of columns */
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)nk, 1.0f, w + k0,
                        (int)cols, 0.0f, f, (int)n);
        else           /* Wᵀ W over a block of rows */
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)nk, 1.0f,
                        w + (size_t)k0 * cols, (int)cols, 0.0f, f, (int)n);
        add_upper(g, f, n, k0 == 0);
    }
    free(f);
    return 0;
}
