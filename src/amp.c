#include "amp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "gram.h"
#include "pr.h"
#include "ttest.h"

double ws_excess_kurtosis(const float *x, size_t n)
{
    if (n == 0)
        return NAN;
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    double m2 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean, d2 = d * d;
        m2 += d2;
        m4 += d2 * d2;
    }
    m2 /= (double)n;
    m4 /= (double)n;
    return m2 > 0 ? m4 / (m2 * m2) - 3.0 : NAN;
}

/* Largest |corr| off the diagonal of a k × k covariance (upper triangle). */
static double max_abs_corr(const double *c, int k)
{
    double best = NAN;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++) {
            double vi = c[i * k + i], vj = c[j * k + j];
            if (!(vi > 0 && vj > 0))
                continue;
            double r = fabs(c[i * k + j]) / sqrt(vi * vj);
            if (isnan(best) || r > best)
                best = r;
        }
    return best;
}

int ws_amp_from_cov(double *c, int k, ws_amp *out, ws_err *e)
{
    double lam[WS_AMP_K_MAX];
    if (k > WS_AMP_K_MAX)
        return ws_fail(e, "%d amplitude columns, at most %d", k, WS_AMP_K_MAX);
    out->max_corr = max_abs_corr(c, k);
    double pairs = k * (k - 1) / 2.0, p = ws_pearson_p(out->max_corr, (int)(out->rows < INT32_MAX ? out->rows : INT32_MAX));
    out->max_corr_p = isnan(p) ? NAN : fmin(1, p * pairs);
    if (ws_sym_eig(c, k, lam, 0, e) < 0)
        return -1;
    ws_pr pr;
    ws_pr_from_eigs(lam, k, &pr);
    out->status = pr.status;
    if (pr.status == WS_AS_OK) {
        out->pr = pr.pr;
        out->pc1 = pr.pc1;
        out->comps95 = pr.comps95;
    } else {
        out->max_corr = out->max_corr_p = NAN;
    }
    return 0;
}

int ws_amp_structure(const float *a, int64_t rows, int k, ws_amp *out, ws_err *e)
{
    *out = (ws_amp){.k = k, .rows = rows, .pr = NAN, .pc1 = NAN, .max_corr = NAN,
                    .kurtosis = NAN, .max_corr_p = NAN};
    out->status = ws_scan_values(a, rows, k);
    if (out->status == WS_AS_OK && rows < 2)
        out->status = WS_AS_ONE_ROW;
    if (out->status != WS_AS_OK)
        return 0;
    double *mean = malloc((size_t)k * sizeof *mean), *c = malloc((size_t)k * k * sizeof *c);
    if (!mean || !c) {
        free(mean), free(c);
        return ws_fail(e, "out of memory for amplitude structure");
    }
    ws_col_means(a, rows, k, mean);
    int rc = ws_gram_cols(a, rows, k, mean, c, e);
    if (rc == 0)
        rc = ws_amp_from_cov(c, k, out, e);
    if (rc == 0 && out->status == WS_AS_OK)
        out->kurtosis = ws_excess_kurtosis(a, (size_t)rows * (size_t)k);
    free(mean), free(c);
    return rc;
}

int ws_amp_of_matrix(const float *w, int64_t rows, int64_t cols, int k, ws_grid_centres c, ws_amp *out,
                     float **amps_out, ws_err *e)
{
    if (amps_out)
        *amps_out = NULL;
    *out = (ws_amp){.k = k, .rows = rows, .pr = NAN, .pc1 = NAN, .max_corr = NAN,
                    .kurtosis = NAN, .max_corr_p = NAN, .status = ws_scan_values(w, rows, cols)};
    if (out->status != WS_AS_OK)
        return 0;
    if (cols < k)
        return ws_fail(e, "rows of %lld values cannot hold a grid of %d Gaussians",
                       (long long)cols, k);
    size_t n = (size_t)rows * (size_t)k;
    float *a = malloc(n * sizeof *a);
    double *ad = malloc(n * sizeof *ad);
    if (!a || !ad) {
        free(a), free(ad);
        return ws_fail(e, "out of memory for %lldx%d amplitudes", (long long)rows, k);
    }
    /* Amplitudes only: no per-row residual sums needed here. */
    int rc = ws_grid_fit_rows(w, rows, cols, k, c, ad, NULL, NULL, NULL, e);
    for (size_t i = 0; rc == 0 && i < n; i++)
        a[i] = (float)ad[i];
    free(ad);
    if (rc == 0)
        rc = ws_amp_structure(a, rows, k, out, e);
    if (rc == 0 && amps_out)
        *amps_out = a;
    else
        free(a);
    return rc;
}
