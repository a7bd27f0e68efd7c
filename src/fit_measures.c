/* The users' fit measurements (fit_measures.h has the definitions). */
#include "fit_measures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_internal.h"
#include "ttest.h"

/* Running sums of one quantity: n, Σx, Σx², Σ|x|. */
typedef struct sums { double n, s, ss, sa; } sums;

static void add(sums *a, double x) { a->n++, a->s += x, a->ss += x * x, a->sa += fabs(x); }
static double mean(const sums *a) { return a->n ? a->s / a->n : NAN; }
static double abs_mean(const sums *a) { return a->n ? a->sa / a->n : NAN; }

/* Population std / |mean| (NaN when there is nothing, or the mean is 0). */
static double cv(const sums *a)
{
    if (!a->n) return NAN;
    double m = a->s / a->n, var = fmax(a->ss / a->n - m * m, 0);
    return m != 0 ? sqrt(var) / fabs(m) : NAN;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The K + 1 largest finite eigenvalues, descending; 0 when there are too few. */
static int top_eig(const double *eig, int64_t n_eig, int K, double *top)
{
    double *v = malloc(sizeof(double) * (size_t)(n_eig + 1));
    int64_t m = 0;
    if (!v) return 0;
    for (int64_t i = 0; i < n_eig; i++)
        if (isfinite(eig[i])) v[m++] = eig[i];
    int ok = m >= K + 1;
    if (ok) {
        qsort(v, (size_t)m, sizeof *v, cmp_desc);
        memcpy(top, v, sizeof(double) * (size_t)(K + 1));
    }
    free(v);
    return ok;
}

static void with_eig(ws_fit_measures *out, int K, const double *eig, int64_t n_eig)
{
    double top[WS_FIT_KMAX + 1], spacing[WS_FIT_KMAX], sv[WS_FIT_KMAX];
    if (!eig || K < 3 || !top_eig(eig, n_eig, K, top)) return;   /* r needs 3 points for a p */
    for (int k = 0; k < K; k++) spacing[k] = top[k] - top[k + 1], sv[k] = sqrt(fmax(top[k], 0));
    out->sigma_spacing_r = ws_fit_pearson(out->sigma_k, spacing, K);
    out->amp_sv_r = ws_fit_pearson(out->amp_abs_k, sv, K);
    out->sigma_spacing_p = ws_pearson_p(out->sigma_spacing_r, K);
    out->amp_sv_p = ws_pearson_p(out->amp_sv_r, K);
}

void ws_fit_measure(const ws_fit_result *r, const double *eig, int64_t n_eig, ws_fit_measures *out)
{
    const ws_fit_summary *s = &r->s;
    int K = s->K;
    sums sg = {0}, am = {0}, mu_k[WS_FIT_KMAX] = {{0}}, sg_k[WS_FIT_KMAX] = {{0}}, am_k[WS_FIT_KMAX] = {{0}};
    for (int64_t i = 0; i < s->fitted; i++) {
        const ws_fit_row *f = &r->rows[i];
        if (!ws_fit_status_fitted(f->status)) continue;
        int ord[WS_FIT_KMAX];
        for (int k = 0; k < K; k++) {   /* by centre, ascending */
            int j = k;
            for (; j > 0 && f->mu[ord[j - 1]] > f->mu[k]; j--) ord[j] = ord[j - 1];
            ord[j] = k;
        }
        for (int k = 0; k < K; k++) {
            add(&sg, f->sigma[ord[k]]), add(&am, f->A[ord[k]]);
            add(&mu_k[k], f->mu[ord[k]]), add(&sg_k[k], f->sigma[ord[k]]), add(&am_k[k], f->A[ord[k]]);
        }
    }
    for (int k = 0; k < WS_FIT_KMAX; k++)
        out->mu_k[k] = out->sigma_k[k] = out->sigma_cv_k[k] = out->amp_k[k] = out->amp_cv_k[k] =
            out->amp_abs_k[k] = NAN;
    out->sigma_mean = mean(&sg), out->sigma_cv = cv(&sg);
    out->amp_mean = mean(&am), out->amp_cv = cv(&am), out->amp_abs_mean = abs_mean(&am);
    for (int k = 0; k < K; k++) {
        out->mu_k[k] = mean(&mu_k[k]);
        out->sigma_k[k] = mean(&sg_k[k]), out->sigma_cv_k[k] = cv(&sg_k[k]);
        out->amp_k[k] = mean(&am_k[k]), out->amp_cv_k[k] = cv(&am_k[k]), out->amp_abs_k[k] = abs_mean(&am_k[k]);
    }
    /* the centre line: least squares of m_k on k */
    out->centre_slope = out->centre_intercept = NAN;
    if (sg.n && K >= 2) {
        double kx = (K - 1) / 2.0, my = 0, sxy = 0, sxx = 0;
        for (int k = 0; k < K; k++) my += out->mu_k[k] / K;
        for (int k = 0; k < K; k++) sxy += (k - kx) * (out->mu_k[k] - my), sxx += (k - kx) * (k - kx);
        out->centre_slope = sxy / sxx;
        out->centre_intercept = my - out->centre_slope * kx;
    }
    out->sigma_spacing_r = out->sigma_spacing_p = out->amp_sv_r = out->amp_sv_p = NAN;
    with_eig(out, K, eig, n_eig);
    out->params = (double)s->rows * (double)s->cols;
    out->params_l1 = (double)s->rows * (s->mode == WS_FIT_MODE_GRID ? K : 3.0 * K);
    out->params_l2 = r->l2 ? 9.0 * K * r->l2->G : 0;
}
