/* Per-matrix summary of row fits: pooled R², median R², mean MSE,
 * compression, centre linearity and the optional eigenvalue-position
 * correlation, with their p-values. Every field is finite whatever the rows
 * were (no usable row gives zeros), except centre_ev_r (and the p-values),
 * NaN when no spectrum is given (or none is defined). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_internal.h"
#include "ttest.h"

double ws_fit_pearson(const double *x, const double *y, int n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) mx += x[i], my += y[i];
    mx /= n, my /= n;
    for (int i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Mean over usable rows of each row's centres sorted ascending. */
static int64_t mean_sorted_centres(const ws_fit_result *r, double *m)
{
    int K = r->s.K;
    int64_t used = 0;
    memset(m, 0, sizeof(double) * (size_t)K);
    for (int64_t i = 0; i < r->s.fitted; i++) {
        const ws_fit_row *f = &r->rows[i];
        if (!ws_fit_status_fitted(f->status)) continue;
        double c[WS_FIT_KMAX];
        memcpy(c, f->mu, sizeof(double) * (size_t)K);
        qsort(c, (size_t)K, sizeof *c, cmp_double);
        for (int k = 0; k < K; k++) m[k] += c[k];
        used++;
    }
    for (int k = 0; k < K && used; k++) m[k] /= (double)used;
    return used;
}

/* Positions (indices in the list, ascending) of the K largest eigenvalues,
 * rescaled to the row: index·(cols − 1)/(n − 1), so a spectrum of another
 * length than the rows (mlp_down: 1024 columns, d = 256 eigenvalues) maps
 * onto the row's column axis. Pearson's r does not change under the
 * rescaling: it only says which reading is taken. */
static void eig_positions(const double *eig, int64_t n, int K, int64_t cols, double *pos)
{
    int64_t best[WS_FIT_KMAX];
    for (int k = 0; k < K; k++) {
        best[k] = -1;
        for (int64_t j = 0; j < n; j++) {
            int taken = 0;
            for (int l = 0; l < k; l++) taken |= best[l] == j;
            if (!taken && isfinite(eig[j]) && (best[k] < 0 || eig[j] > eig[best[k]])) best[k] = j;
        }
        pos[k] = n > 1 ? (double)best[k] * (double)(cols - 1) / (double)(n - 1) : 0;
    }
    qsort(pos, (size_t)K, sizeof *pos, cmp_double);
}

static void centres(ws_fit_result *r, const double *eig, int64_t n_eig)
{
    ws_fit_summary *s = &r->s;
    int K = s->K;
    double m[WS_FIT_KMAX], k_idx[WS_FIT_KMAX];
    s->centre_ev_r = s->centre_ev_r_p = s->centre_linearity_p = NAN;
    if (!mean_sorted_centres(r, m)) { s->centre_linearity = 0; return; }
    for (int k = 0; k < K; k++) k_idx[k] = k;
    if (K <= 2) {
        s->centre_linearity = 1;   /* a line through ≤ 2 points is exact */
    } else {
        double rho = ws_fit_pearson(k_idx, m, K);
        s->centre_linearity = isfinite(rho) ? rho * rho : 0;  /* R² of a 1-D linear fit = r² */
        s->centre_linearity_p = ws_pearson_p(isfinite(rho) ? rho : 0, K);
    }
    if (eig && n_eig >= K && K >= 2) {
        double pos[WS_FIT_KMAX];
        eig_positions(eig, n_eig, K, s->cols, pos);
        s->centre_ev_r = ws_fit_pearson(m, pos, K);
        if (!isfinite(s->centre_ev_r)) s->centre_ev_r = 0;
        s->centre_ev_r_p = ws_pearson_p(s->centre_ev_r, K);
    }
}

void ws_fit_summarise(ws_fit_result *r, const double *eig, int64_t n_eig)
{
    ws_fit_summary *s = &r->s;
    double sse = 0, sst = 0, mse = 0;
    double *r2 = malloc(sizeof(double) * (size_t)(s->fitted + 1));
    s->usable = s->nonconverged = s->degenerate = 0;
    for (int64_t i = 0; i < s->fitted; i++) {
        const ws_fit_row *f = &r->rows[i];
        if (f->status == WS_FIT_MAXFEV) s->nonconverged++;
        if (ws_fit_status_degenerate(f->status)) s->degenerate++;
        if (!ws_fit_status_fitted(f->status)) continue;
        sse += f->sse, sst += f->sst, mse += f->mse;
        if (r2) r2[s->usable] = f->r2;
        s->usable++;
    }
    s->r2 = sst > 0 ? 1 - sse / sst : 0;
    s->mse = s->usable ? mse / (double)s->usable : 0;
    s->r2_median = 0;
    if (r2 && s->usable) {
        qsort(r2, (size_t)s->usable, sizeof *r2, cmp_double);
        int64_t h = s->usable / 2;
        s->r2_median = s->usable % 2 ? r2[h] : 0.5 * (r2[h - 1] + r2[h]);
    }
    free(r2);
    s->compression = (double)s->cols / (3.0 * s->K);
    centres(r, eig, n_eig);
}
