#include "basis.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gram.h"
#include "pr.h"
#include "threads.h"

/* Source tokens gathered per dgemm in ws_bigram_project. */
#define PROJECT_BLOCK_ROWS 512
/* Partial sums of EᵀTE, each over every PROJECT_LANES-th block, added in
 * lane order: the cores share the work and the result does not depend on
 * how many there are. */
#define PROJECT_LANES 4

int ws_basis_energy(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols,
                    double *energy, ws_energy *out, ws_err *e)
{
    if (cols == s->d || rows != s->d)
        return ws_spectral_energy(s, w, rows, cols, energy, out, e);
    /* d rows: project the columns, i.e. the rows of Wᵀ. */
    float *wt = malloc((size_t)rows * (size_t)cols * sizeof *wt);
    if (!wt)
        return ws_fail(e, "out of memory for a transpose");
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            wt[(size_t)c * rows + r] = w[(size_t)r * cols + c];
    int rc = ws_spectral_energy(s, wt, cols, rows, energy, out, e);
    free(wt);
    return rc;
}

int ws_basis_energy_gram(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols,
                         double *energy, ws_energy *out, ws_err *e)
{
    int by_rows = cols != s->d;
    int64_t other = by_rows ? cols : rows;
    if ((by_rows && rows != s->d) || other < s->d || s->status != WS_AS_OK || !s->vec)
        return ws_basis_energy(s, w, rows, cols, energy, out, e);
    *out = (ws_energy){.status = ws_scan_values(w, rows, cols), .total = NAN, .ev_r = NAN, .ev_p = NAN};
    if (out->status != WS_AS_OK)
        return 0;
    int d = s->d;
    double *g = malloc((size_t)d * d * sizeof *g), *h = malloc((size_t)d * d * sizeof *h);
    int rc = g && h ? ws_gram_f32(w, rows, cols, by_rows, g, e)
                    : ws_fail(e, "out of memory for a %dx%d Gram", d, d);
    if (rc == 0) {
        /* H = V G (V's rows the eigenvectors): energyᵢ = vᵢᵀ G vᵢ = Σₖ Hᵢₖ Vᵢₖ. */
        cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, d, d, 1.0, g, d, s->vec, d, 0.0, h, d);
        for (int i = 0; i < d; i++) {
            double en = 0;
            for (int k = 0; k < d; k++)
                en += h[(size_t)i * d + k] * s->vec[(size_t)i * d + k];
            energy[i] = en;
        }
        ws_energy_summarise(s, energy, out);
    }
    free(g), free(h);
    return rc;
}

double ws_basis_share_of(const double *energy, int d, int k)
{
    double kept = 0, total = 0;
    for (int i = 0; i < d; i++) {
        total += energy[i];
        if (i < k)
            kept += energy[i];
    }
    return total > 0 ? kept / total : NAN;
}

int ws_basis_share(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols, int k,
                   double *share, ws_astatus *status, ws_err *e)
{
    *share = NAN;
    *status = WS_AS_OK;
    if (k < 1 || k > s->d)
        return ws_fail(e, "basis size %d out of range 1..%d", k, s->d);
    if (cols != s->d && rows != s->d)
        return ws_fail(e, "a %lldx%lld matrix has no side of length d_model %d",
                       (long long)rows, (long long)cols, s->d);
    double *en = malloc((size_t)s->d * sizeof *en);
    if (!en)
        return ws_fail(e, "out of memory for a projection");
    ws_energy st;
    int rc = ws_basis_energy(s, w, rows, cols, en, &st, e);
    if (rc == 0) {
        *status = st.status;
        if (st.status == WS_AS_OK)
            *share = ws_basis_share_of(en, s->d, k);
    }
    free(en);
    return rc;
}

void ws_bigram_free(ws_bigram *b)
{
    free(b->row_start), free(b->col), free(b->prob);
    *b = (ws_bigram){0};
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int ws_bigram_build(const int32_t *tokens, size_t n, int64_t vocab, ws_bigram *out, ws_err *e)
{
    *out = (ws_bigram){.vocab = vocab};
    for (size_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= vocab)
            return ws_fail(e, "token id %d at position %zu is outside the vocabulary (%lld)",
                           (int)tokens[i], i, (long long)vocab);
    size_t np = n > 1 ? n - 1 : 0;
    /* Each bigram as one sortable key a·V + b; equal keys are counted. */
    uint64_t *key = malloc((np ? np : 1) * sizeof *key);
    out->row_start = calloc((size_t)vocab + 1, sizeof *out->row_start);
    out->col = malloc((np ? np : 1) * sizeof *out->col);
    out->prob = malloc((np ? np : 1) * sizeof *out->prob);
    if (!key || !out->row_start || !out->col || !out->prob) {
        free(key);
        ws_bigram_free(out);
        return ws_fail(e, "out of memory for %zu bigrams", np);
    }
    for (size_t i = 0; i < np; i++)
        key[i] = (uint64_t)tokens[i] * (uint64_t)vocab + (uint64_t)tokens[i + 1];
    qsort(key, np, sizeof *key, cmp_u64);
    size_t nnz = 0;
    for (size_t i = 0; i < np;) {
        size_t j = i;
        while (j < np && key[j] == key[i])
            j++;
        int64_t a = (int64_t)(key[i] / (uint64_t)vocab);
        out->col[nnz] = (int32_t)(key[i] % (uint64_t)vocab);
        out->prob[nnz] = (double)(j - i);   /* a count for now */
        out->row_start[a + 1]++;
        nnz++;
        i = j;
    }
    for (int64_t a = 0; a < vocab; a++)
        out->row_start[a + 1] += out->row_start[a];
    for (int64_t a = 0; a < vocab; a++) {
        double sum = 0;
        for (int64_t q = out->row_start[a]; q < out->row_start[a + 1]; q++)
            sum += out->prob[q];
        for (int64_t q = out->row_start[a]; q < out->row_start[a + 1]; q++)
            out->prob[q] /= sum;
    }
    out->nnz = nnz;
    free(key);
    return 0;
}

typedef struct project_job {
    const ws_bigram *t;
    const float *emb;
    int64_t d;
    const int64_t *src;      /* the source tokens with a successor */
    size_t n_src;
    double *lanes;           /* PROJECT_LANES partial sums, d × d each */
    int failed;
} project_job;

/* Lane k: the blocks k, k + PROJECT_LANES, ... of source rows, each
 * gathered (x = E[a], y = Σ_b T[a][b] E[b]) and added as xᵀy by dgemm. */
static void project_lane(size_t begin, size_t end, int tid, void *user)
{
    (void)tid;
    project_job *j = user;
    int64_t d = j->d;
    double *x = malloc(PROJECT_BLOCK_ROWS * (size_t)d * sizeof *x);
    double *y = malloc(PROJECT_BLOCK_ROWS * (size_t)d * sizeof *y);
    for (size_t k = begin; k < end && x && y; k++) {
        double *m = j->lanes + k * (size_t)d * d;
        memset(m, 0, (size_t)d * d * sizeof *m);
        for (size_t b0 = k * PROJECT_BLOCK_ROWS; b0 < j->n_src;
             b0 += PROJECT_LANES * PROJECT_BLOCK_ROWS) {
            int nb = (int)(j->n_src - b0 < PROJECT_BLOCK_ROWS ? j->n_src - b0 : PROJECT_BLOCK_ROWS);
            for (int r = 0; r < nb; r++) {
                int64_t a = j->src[b0 + r];
                double *xr = x + (size_t)r * d, *yr = y + (size_t)r * d;
                for (int64_t c = 0; c < d; c++) {
                    xr[c] = j->emb[(size_t)a * d + c];
                    yr[c] = 0;
                }
                for (int64_t q = j->t->row_start[a]; q < j->t->row_start[a + 1]; q++) {
                    const float *eb = j->emb + (size_t)j->t->col[q] * d;
                    double pr = j->t->prob[q];
                    for (int64_t c = 0; c < d; c++)
                        yr[c] += pr * eb[c];
                }
            }
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d, nb, 1.0, x,
                        (int)d, y, (int)d, 1.0, m, (int)d);
        }
    }
    if (!x || !y)
        j->failed = 1;
    free(x), free(y);
}

int ws_bigram_project(const ws_bigram *t, const float *emb, int64_t vocab, int64_t d,
                      double *m, ws_err *e)
{
    if (t->vocab != vocab)
        return ws_fail(e, "bigram vocabulary %lld does not match the embedding's %lld",
                       (long long)t->vocab, (long long)vocab);
    /* EᵀTE = Σ_a E[a]ᵀ y_a with y_a = Σ_b T[a][b] E[b], over the source
     * tokens a that have a successor. */
    project_job j = {.t = t, .emb = emb, .d = d};
    int64_t *src = malloc((size_t)(vocab ? vocab : 1) * sizeof *src);
    j.lanes = malloc(PROJECT_LANES * (size_t)d * d * sizeof *j.lanes);
    if (!src || !j.lanes) {
        free(src), free(j.lanes);
        return ws_fail(e, "out of memory for EᵀTE");
    }
    for (int64_t a = 0; a < vocab; a++)
        if (t->row_start[a] < t->row_start[a + 1])
            src[j.n_src++] = a;
    j.src = src;
    ws_parallel_for(PROJECT_LANES, 1, 0, project_lane, &j, NULL);
    memset(m, 0, (size_t)d * d * sizeof *m);
    for (int k = 0; k < PROJECT_LANES; k++)
        for (size_t i = 0; i < (size_t)d * d; i++)
            m[i] += j.lanes[(size_t)k * d * d + i];
    free(src), free(j.lanes);
    return j.failed ? ws_fail(e, "out of memory for EᵀTE") : 0;
}

int ws_qk_matrix(const float *qkv, int64_t rows, int64_t d, double *qk, ws_err *e)
{
    if (rows < 2 * d)
        return ws_fail(e, "qkv matrix has %lld rows, QᵀK needs %lld", (long long)rows,
                       (long long)(2 * d));
    size_t n = (size_t)d * d;
    double *q = malloc(n * sizeof *q), *k = malloc(n * sizeof *k);
    if (!q || !k) {
        free(q), free(k);
        return ws_fail(e, "out of memory for QᵀK");
    }
    for (size_t i = 0; i < n; i++) {
        q[i] = qkv[i];
        k[i] = qkv[n + i];
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d, (int)d, 1.0, q, (int)d,
                k, (int)d, 0.0, qk, (int)d);
    free(q), free(k);
    return 0;
}

double ws_cosine(const double *a, const double *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : NAN;
}
