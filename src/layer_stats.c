#include "layer_stats.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rmt.h"

int ws_layer_ctx_init(ws_layer_ctx *c, unsigned parts, int centred, int amp_k, ws_grid_centres centres,
                      int64_t cols, ws_err *e)
{
    memset(c, 0, sizeof *c);
    c->parts = parts;
    c->centred = centred;
    c->amp_k = amp_k;
    c->centres = centres;
    if (!(parts & WS_LS_PART_AMP))
        return 0;
    if (amp_k < 1 || amp_k > WS_AMP_K_MAX || cols < amp_k)
        return ws_fail(e, "rows of %lld values cannot hold a grid of %d Gaussians",
                       (long long)cols, amp_k);
    c->Pt = malloc((size_t)cols * (size_t)amp_k * sizeof *c->Pt);
    if (!c->Pt)
        return ws_fail(e, "out of memory for a grid operator");
    if (ws_grid_r(cols, amp_k, centres, c->R, c->Pt, e) < 0) {
        ws_layer_ctx_free(c);
        return -1;
    }
    return 0;
}

void ws_layer_ctx_free(ws_layer_ctx *c)
{
    free(c->Pt);
    c->Pt = NULL;
}

void ws_layer_vector(const ws_pr *pr, const ws_esd *esd, const ws_amp *amp, double *x)
{
    for (int i = 0; i < WS_LS_COUNT; i++)
        x[i] = NAN;
    if (pr && pr->status == WS_AS_OK) {
        x[WS_LS_PR] = pr->pr, x[WS_LS_PC1] = pr->pc1;
        x[WS_LS_COMPS95] = pr->comps95, x[WS_LS_SRANK] = pr->stable_rank;
    }
    if (esd && esd->status == WS_AS_OK) {
        x[WS_LS_ALPHA] = esd->alpha, x[WS_LS_ALPHA_HAT] = esd->alpha_hat;
        x[WS_LS_LOG_SNORM] = esd->log_spectral_norm, x[WS_LS_SRANK_RAW] = esd->stable_rank;
        x[WS_LS_SPIKES] = esd->spikes;
    }
    if (amp && amp->status == WS_AS_OK) {
        x[WS_LS_AMP_PR] = amp->pr, x[WS_LS_AMP_PC1] = amp->pc1;
        x[WS_LS_AMP_COMPS95] = amp->comps95, x[WS_LS_AMP_CORR] = amp->max_corr;
        x[WS_LS_AMP_KURT] = amp->kurtosis;
    }
}

void ws_amp_sums(const float *a, int64_t rows, int k, double *aux)
{
    double *n = aux, *s1 = aux + 1, *ss = s1 + k, *pw = ss + k * k;
    memset(aux, 0, sizeof(double) * (size_t)(1 + k + k * k + 4));
    *n = (double)rows;
    for (int64_t r = 0; r < rows; r++) {
        const float *x = a + r * k;
        for (int i = 0; i < k; i++) {
            double v = x[i], v2 = v * v;
            s1[i] += v;
            for (int j = i; j < k; j++)
                ss[i * k + j] += v * x[j];
            pw[0] += v, pw[1] += v2, pw[2] += v2 * v, pw[3] += v2 * v2;
        }
    }
}

int ws_amp_from_sums(const double *aux, int k, ws_amp *out, ws_err *e)
{
    const double n = aux[0], *s1 = aux + 1, *ss = s1 + k, *pw = ss + k * k;
    *out = (ws_amp){.k = k, .rows = (int64_t)n, .pr = NAN, .pc1 = NAN, .max_corr = NAN,
                    .kurtosis = NAN, .max_corr_p = NAN, .status = n < 2 ? WS_AS_ONE_ROW : WS_AS_OK};
    if (out->status != WS_AS_OK)
        return 0;
    double c[WS_AMP_K_MAX * WS_AMP_K_MAX];
    for (int i = 0; i < k; i++)
        for (int j = i; j < k; j++)
            c[i * k + j] = c[j * k + i] = ss[i * k + j] - s1[i] * s1[j] / n;
    if (ws_amp_from_cov(c, k, out, e) < 0)
        return -1;
    /* Central moments of all n·k values from their power sums. */
    double m = n * k, mu = pw[0] / m, e2 = pw[1] / m, e3 = pw[2] / m, e4 = pw[3] / m;
    double m2 = e2 - mu * mu, m4 = e4 - 4 * mu * e3 + 6 * mu * mu * e2 - 3 * mu * mu * mu * mu;
    if (out->status == WS_AS_OK && m2 > 0)
        out->kurtosis = m4 / (m2 * m2) - 3;
    return 0;
}

static void clear(double *out, int nstat)
{
    for (int i = 0; i < nstat; i++)
        out[i] = NAN;
}

/* The amplitude part from an amplitude matrix: statistics and sums. */
static int amp_part(const ws_layer_ctx *c, const float *a, int64_t rows, double *out, ws_err *e)
{
    ws_amp amp;
    if (ws_amp_structure(a, rows, c->amp_k, &amp, e) < 0)
        return -1;
    double x[WS_LS_COUNT];
    ws_layer_vector(NULL, NULL, &amp, x);
    for (int i = WS_LS_AMP_PR; i <= WS_LS_AMP_KURT; i++)
        out[i] = x[i];
    ws_amp_sums(a, rows, c->amp_k, out + WS_LS_AUX);
    return 0;
}

/* The weight-spectrum and ESD parts from the two Gram spectra (raw,
 * unnormalised; NULL when not computed). */
static void spectral_parts(const double *lam_c, const double *lam_u,
                           int n, int64_t rows, int64_t cols, double *out)
{
    ws_pr pr = {.status = WS_AS_EMPTY};
    ws_esd esd = {.status = WS_AS_EMPTY};
    if (lam_c)
        ws_pr_from_eigs(lam_c, n, &pr);
    if (lam_u)
        ws_esd_from_eigs(lam_u, n, rows, cols, &esd);
    double x[WS_LS_COUNT];
    ws_layer_vector(lam_c ? &pr : NULL, lam_u ? &esd : NULL, NULL, x);
    for (int i = WS_LS_PR; i <= WS_LS_SPIKES; i++)
        out[i] = x[i];
}

/* Amplitudes of `rows` white-noise rows: a = sd·R⁻¹z, z ~ N(0, I). */
static void gauss_amps(const ws_layer_ctx *c, int64_t rows, double sd, ws_rng *r, float *a)
{
    int k = c->amp_k;
    for (int64_t i = 0; i < rows; i++) {
        double x[WS_AMP_K_MAX];
        for (int j = 0; j < k; j++)
            x[j] = sd * ws_rng_normal(r);
        for (int j = k - 1; j >= 0; j--) {   /* back substitution R x = z */
            for (int l = j + 1; l < k; l++)
                x[j] -= c->R[j * k + l] * x[l];
            x[j] /= c->R[j * k + j];
        }
        for (int j = 0; j < k; j++)
            a[i * k + j] = (float)x[j];
    }
}

/* Where the numbers come from: a matrix w, or (w NULL) white noise of
 * standard deviation sd drawn from its exact law with r. */
typedef struct source {
    const float *w;
    double sd;
    ws_rng *r;
} source;

/* The Gram spectrum (raw, min(rows, cols) values, zero-padded). */
static int source_eigs(const source *s, int64_t rows, int64_t cols, int centred, double *lam,
                       double *work, ws_err *e)
{
    if (s->w)
        return ws_matrix_eigs(s->w, rows, cols, centred, lam, e);
    /* Centring takes one degree of freedom: rows − 1 of them remain. */
    int64_t n = rows < cols ? rows : cols;
    for (int64_t i = 0; i < n; i++)
        lam[i] = 0;
    if (ws_laguerre_draw(s->r, rows - centred, cols, lam, work, e) < 0)
        return -1;
    for (int64_t i = 0; i < n; i++)
        lam[i] *= s->sd * s->sd;
    return 0;
}

/* The amplitude matrix (rows × amp_k, caller frees; NULL for a degenerate W). */
static int source_amps(const ws_layer_ctx *c, const source *s, int64_t rows, int64_t cols,
                       float **a, ws_err *e)
{
    size_t n = (size_t)rows * (size_t)c->amp_k;
    *a = malloc(n * sizeof **a);
    if (!*a)
        return ws_fail(e, "out of memory for %lldx%d amplitudes", (long long)rows, c->amp_k);
    if (!s->w) {
        gauss_amps(c, rows, s->sd, s->r, *a);
        return 0;
    }
    /* The grid fit's amplitudes A = W·Pt, in float32 (see the header). */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, c->amp_k, (int)cols, 1.0f,
                s->w, (int)cols, c->Pt, c->amp_k, 0.0f, *a, c->amp_k);
    return 0;
}

static int layer_vector(const ws_layer_ctx *c, const source *src, int64_t rows, int64_t cols,
                        double *out, ws_err *e)
{
    clear(out, ws_layer_nstat(c->amp_k));
    int n = (int)(rows < cols ? rows : cols);
    double *lam = malloc((3 * (size_t)n + 1) * sizeof *lam), *work = lam + 2 * n;
    if (!lam)
        return ws_fail(e, "out of memory for %d eigenvalues", n);
    double *lam_c = (c->parts & WS_LS_PART_PR) && (!c->centred || rows >= 2) ? lam : NULL;
    double *lam_u = (c->parts & WS_LS_PART_ESD) ? lam + n : NULL;
    int rc = 0;
    if (src->w && lam_c && lam_u && c->centred) {
        rc = ws_matrix_eigs_both(src->w, rows, cols, lam_c, lam_u, e);   /* one Gram */
    } else {
        if (lam_c)
            rc = source_eigs(src, rows, cols, c->centred, lam_c, work, e);
        if (rc == 0 && lam_u)
            rc = source_eigs(src, rows, cols, 0, lam_u, work, e);
    }
    if (rc == 0)
        spectral_parts(lam_c, lam_u, n, rows, cols, out);
    free(lam);
    if (rc == 0 && (c->parts & WS_LS_PART_AMP)) {
        float *a = NULL;
        rc = source_amps(c, src, rows, cols, &a, e);
        if (rc == 0 && a)
            rc = amp_part(c, a, rows, out, e);
        free(a);
    }
    return rc;
}

int ws_layer_stats(const void *ctx, const float *w, int64_t rows, int64_t cols, double *out,
                   ws_err *e)
{
    source s = {.w = w};
    return layer_vector(ctx, &s, rows, cols, out, e);
}

int ws_layer_stats_gauss(const void *ctx, int64_t rows, int64_t cols, double sd, ws_rng *r,
                         double *out, ws_err *e)
{
    source s = {.sd = sd, .r = r};
    return layer_vector(ctx, &s, rows, cols, out, e);
}

/* Two contexts give the same gauss law for one shape: same parts, centring
 * and grid (R depends only on the columns and K). */
static int layer_same(const void *a, const void *b)
{
    const ws_layer_ctx *x = a, *y = b;
    return x->parts == y->parts && x->centred == y->centred && x->amp_k == y->amp_k && x->centres == y->centres;
}

/* A draw at sd 1 turned into one at sd: eigenvalues scale by sd², the
 * amplitudes by sd; every ratio (PR, PC1, α, correlations, kurtosis) stays. */
static void layer_scale(const void *ctx, double sd, double *out)
{
    const ws_layer_ctx *c = ctx;
    int k = c->amp_k;
    out[WS_LS_LOG_SNORM] += 2 * log10(sd);
    out[WS_LS_ALPHA_HAT] = out[WS_LS_ALPHA] * out[WS_LS_LOG_SNORM];
    double *aux = out + WS_LS_AUX, *s1 = aux + 1, *ss = s1 + k, *pw = ss + k * k;
    for (int i = 0; i < k; i++)
        s1[i] *= sd;
    for (int i = 0; i < k * k; i++)
        ss[i] *= sd * sd;
    for (int p = 0; p < 4; p++)
        pw[p] *= pow(sd, p + 1);
}

const ws_null_stat ws_layer_null_stat = {ws_layer_stats, ws_layer_stats_gauss, layer_same,
                                         layer_scale};
