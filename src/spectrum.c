#include "spectrum.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fit_internal.h"
#include "gram.h"
#include "pr.h"
#include "rmt.h"
#include "ttest.h"

/* Rows of W projected per dgemm in ws_spectral_energy. */
#define ENERGY_BLOCK_ELEMS (1 << 19)

void ws_pair_rule_default(ws_pair_rule *r)
{
    *r = (ws_pair_rule){.tol = -1, .alpha = WS_PAIR_ALPHA_DEFAULT};
}

void ws_spectrum_free(ws_spectrum *s)
{
    free(s->lam), free(s->sv), free(s->decay), free(s->vec), free(s->pairs);
    free(s->spacing), free(s->gap_p);
    *s = (ws_spectrum){0};
}

int ws_spectrum_rank(const double *lam, int n, int64_t rows, int64_t cols)
{
    if (n < 1 || !(lam[0] > 0))
        return 0;
    double t = (double)(rows > cols ? rows : cols) * FLT_EPSILON;
    double floor = lam[0] * t * t;   /* σ ≤ σ₀·t  ⇔  λ ≤ λ₀·t² */
    int r = 0;
    while (r < n && lam[r] > floor)
        r++;
    return r;
}

int ws_find_pairs_spacing(const double *lam, int n, const double *p, double alpha,
                          ws_pair *pairs)
{
    int m = 0;
    for (int i = 0; i + 1 < n; i++)
        m += isfinite(p[i]);
    int np = 0;
    for (int i = 0; m > 0 && i + 1 < n; i++)
        if (isfinite(p[i]) && p[i] <= alpha / m) {
            pairs[np++] = (ws_pair){.i = i, .gap = fabs(lam[i] - lam[i + 1]) / lam[i], .p = p[i]};
            i++;   /* resume after the pair */
        }
    return np;
}

void ws_spectrum_rule_text(const ws_spectrum *s, char *buf, size_t n)
{
    if (s->rule.tol >= 0)
        snprintf(buf, n, "tol %g", s->rule.tol);
    else
        snprintf(buf, n, "p ≤ %g, Bonferroni over %d gaps", s->rule.alpha, s->n_tested);
}

int ws_find_pairs(const double *lam, int n, double tol, ws_pair *pairs)
{
    if (n < 2 || !(lam[0] > 0))
        return 0;
    double floor = WS_SPECTRUM_ZERO * lam[0];
    int np = 0;
    for (int i = 0; i + 1 < n; i++) {
        if (lam[i] <= floor || lam[i + 1] <= floor)
            break;
        double gap = fabs(lam[i] - lam[i + 1]) / lam[i];
        if (gap <= tol) {
            pairs[np++] = (ws_pair){.i = i, .gap = gap, .p = NAN};
            i++;   /* resume after the pair */
        }
    }
    return np;
}

/* Spacings and p-values of the kept spectrum, then the pairs by the rule. */
static void find_pairs(ws_spectrum *s)
{
    int d = s->d, r = s->rank;
    for (int i = 0; i + 1 < d; i++)
        s->spacing[i] = s->gap_p[i] = NAN;
    if (r >= 2)
        ws_unfold_spacings(s->lam, r, WS_UNFOLD_HALF, s->spacing);
    s->n_tested = 0;
    for (int i = 0; i + 1 < r; i++)
        if (isfinite(s->spacing[i])) {
            s->gap_p[i] = ws_wigner_cdf(s->spacing[i]);
            s->n_tested++;
        }
    if (s->rule.tol >= 0) {
        s->n_pairs = ws_find_pairs(s->lam, r, s->rule.tol, s->pairs);
        for (int k = 0; k < s->n_pairs; k++)
            s->pairs[k].p = s->gap_p[s->pairs[k].i];
    } else {
        s->n_pairs = ws_find_pairs_spacing(s->lam, r, s->gap_p, s->rule.alpha, s->pairs);
    }
}

int ws_spectrum_compute(const float *e_mat, int64_t rows, int64_t cols, const ws_pair_rule *rule,
                        ws_spectrum *out, ws_err *e)
{
    *out = (ws_spectrum){.status = ws_scan_values(e_mat, rows, cols), .d = (int)cols};
    if (rule)
        out->rule = *rule;
    else
        ws_pair_rule_default(&out->rule);
    if (out->status != WS_AS_OK)
        return 0;
    int d = (int)cols;
    out->lam = malloc((size_t)d * sizeof(double));
    out->sv = malloc((size_t)d * sizeof(double));
    out->decay = malloc((size_t)d * sizeof(double));
    out->vec = malloc((size_t)d * d * sizeof(double));
    out->pairs = malloc((size_t)(d / 2 + 1) * sizeof(ws_pair));
    out->spacing = malloc((size_t)d * sizeof(double));
    out->gap_p = malloc((size_t)d * sizeof(double));
    if (!out->lam || !out->sv || !out->decay || !out->vec || !out->pairs || !out->spacing ||
        !out->gap_p) {
        ws_spectrum_free(out);
        return ws_fail(e, "out of memory for a %dx%d spectrum", d, d);
    }
    if (ws_gram_cols(e_mat, rows, cols, NULL, out->vec, e) < 0 ||
        ws_sym_eig(out->vec, d, out->lam, 1, e) < 0) {
        ws_spectrum_free(out);
        return -1;
    }
    for (int i = 0; i < d; i++)
        out->sv[i] = sqrt(fmax(out->lam[i], 0.0));
    for (int i = 0; i < d; i++)
        out->decay[i] = out->sv[i] / out->sv[0];
    out->rank = ws_spectrum_rank(out->lam, d, rows, cols);
    find_pairs(out);
    return 0;
}

void ws_energy_summarise(const ws_spectrum *s, const double *en, ws_energy *out)
{
    int d = s->d;
    double total = 0;
    for (int i = 0; i < d; i++)
        total += en[i];
    out->total = total;
    out->comps50 = ws_components_for(en, d, 0.5);
    out->comps90 = ws_components_for(en, d, 0.9);
    out->ev_r = ws_fit_pearson(en, s->lam, d);
    out->ev_p = ws_pearson_p(out->ev_r, d);
}

int ws_spectral_energy(const ws_spectrum *s, const float *w, int64_t rows, int64_t cols,
                       double *energy, ws_energy *out, ws_err *e)
{
    *out = (ws_energy){.status = WS_AS_OK, .total = NAN, .ev_r = NAN, .ev_p = NAN};
    if (s->status != WS_AS_OK || !s->vec)
        return ws_fail(e, "no embedding spectrum: %s", ws_astatus_text(s->status));
    if (cols != s->d)
        return ws_fail(e, "matrix has %lld columns, the embedding basis has %d",
                       (long long)cols, s->d);
    out->status = ws_scan_values(w, rows, cols);
    if (out->status != WS_AS_OK)
        return 0;
    int d = s->d;
    int64_t blk = ENERGY_BLOCK_ELEMS / d > 0 ? ENERGY_BLOCK_ELEMS / d : 1;
    if (blk > rows)
        blk = rows;
    double *x = malloc((size_t)blk * d * sizeof *x), *p = malloc((size_t)blk * d * sizeof *p);
    double *en = calloc((size_t)d, sizeof *en);
    if (!x || !p || !en) {
        free(x), free(p), free(en);
        return ws_fail(e, "out of memory for a spectral projection");
    }
    for (int64_t r0 = 0; r0 < rows; r0 += blk) {
        int64_t nr = rows - r0 < blk ? rows - r0 : blk;
        for (size_t k = 0; k < (size_t)nr * d; k++)
            x[k] = w[(size_t)r0 * d + k];
        /* P = X Vᵀ (V holds the vectors as rows): column i of P is X vᵢ. */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nr, d, d, 1.0, x, d,
                    s->vec, d, 0.0, p, d);
        for (int64_t r = 0; r < nr; r++)
            for (int i = 0; i < d; i++)
                en[i] += p[(size_t)r * d + i] * p[(size_t)r * d + i];
    }
    ws_energy_summarise(s, en, out);
    if (energy)
        for (int i = 0; i < d; i++)
            energy[i] = en[i];
    free(x), free(p), free(en);
    return 0;
}
