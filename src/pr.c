#include "pr.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "gram.h"

static void pr_set_nan(ws_pr *out, ws_astatus st, int n)
{
    *out = (ws_pr){.status = st, .pr = NAN, .pc1 = NAN, .comps95 = 0,
                   .stable_rank = NAN, .total = NAN, .n = n};
}

int ws_components_for(const double *lam, int n, double share)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += fmax(lam[i], 0.0);
    double acc = 0;
    for (int i = 0; i < n; i++) {
        acc += fmax(lam[i], 0.0);
        if (acc >= share * total)
            return i + 1;
    }
    return n;
}

void ws_pr_from_eigs(const double *lam, int n, ws_pr *out)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double l = fmax(lam[i], 0.0);
        s += l;
        s2 += l * l;
    }
    if (n <= 0 || !(s > 0)) {
        pr_set_nan(out, n <= 0 ? WS_AS_EMPTY : WS_AS_ZERO, n);
        return;
    }
    double l1 = fmax(lam[0], 0.0);
    *out = (ws_pr){.status = WS_AS_OK, .pr = s * s / s2, .pc1 = l1 / s,
                   .comps95 = ws_components_for(lam, n, 0.95),
                   .stable_rank = s / l1, .total = s, .n = n};
}

/* The Gram of W (rows Gram when rows < cols), about the column means m
 * when given; n × n upper triangle. */
static int gram_of(const float *w, int64_t rows, int64_t cols, const double *m, double *g, ws_err *e)
{
    return rows < cols ? ws_gram_rows(w, rows, cols, m, g, e) : ws_gram_cols(w, rows, cols, m, g, e);
}

int ws_matrix_eigs(const float *w, int64_t rows, int64_t cols, int centred, double *lam, ws_err *e)
{
    return ws_matrix_eigs_pair(w, rows, cols, centred, lam, NULL, e);
}

int ws_matrix_eigs_pair(const float *w, int64_t rows, int64_t cols, int centred, double *lam,
                        double *lam_u, ws_err *e)
{
    int64_t n = rows < cols ? rows : cols;
    double *mean = NULL, *g = malloc((size_t)n * n * sizeof *g), *u = NULL;
    int with_u = centred && lam_u;
    if (centred)
        mean = malloc((size_t)cols * sizeof *mean);
    if (with_u)
        u = malloc((size_t)(n * n + n) * sizeof *u);
    if (!g || (centred && !mean) || (with_u && !u)) {
        free(g), free(mean), free(u);
        return ws_fail(e, "out of memory for a %lldx%lld covariance", (long long)n, (long long)n);
    }
    if (mean)
        ws_col_means(w, rows, cols, mean);
    int rc = gram_of(w, rows, cols, mean, g, e);
    if (rc == 0 && with_u) {
        /* The uncentred Gram from the centred one, W = Wc + 1mᵀ: cols Gram
         * + rows·m mᵀ; rows Gram + v1ᵀ + 1vᵀ + (mᵀm)11ᵀ with v = Wc m.
         * Terms are added, so nothing cancels. */
        double *gu = u, *v = u + n * n, mm = 0;
        for (int64_t j = 0; j < cols; j++)
            mm += mean[j] * mean[j];
        for (int64_t i = 0; rows < cols && i < n; i++) {
            double d = 0;
            for (int64_t j = 0; j < cols; j++)
                d += ((double)w[i * cols + j] - mean[j]) * mean[j];
            v[i] = d;
        }
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = i; j < n; j++)
                gu[i * n + j] = g[i * n + j] + (rows < cols ? v[i] + v[j] + mm
                                                            : (double)rows * mean[i] * mean[j]);
        rc = ws_sym_eig(gu, (int)n, lam_u, 0, e);
    }
    if (rc == 0)
        rc = ws_sym_eig(g, (int)n, lam, 0, e);
    if (rc == 0 && lam_u && !centred)
        for (int64_t i = 0; i < n; i++)
            lam_u[i] = lam[i];
    free(g), free(mean), free(u);
    return rc;
}

/* Eigenvalues (descending) of the tridiagonal (d, e) of order n; d and e
 * are overwritten. */
static int tridiag_eigs(double *d, double *e, int n, double *lam, ws_err *err)
{
    lapack_int info = LAPACKE_dsterf(n, d, e);
    if (info != 0)
        return ws_fail(err, "tridiagonal eigenvalues failed (LAPACK info %d)", (int)info);
    for (int i = 0; i < n; i++)
        lam[i] = d[n - 1 - i];
    return 0;
}

/* Both spectra of a Gram G (n × n, upper triangle filled, row-major) from
 * one tridiagonalisation. A Householder reflection H with H x = ±‖x‖e₁ is
 * applied first; LAPACK's lower tridiagonalisation of HGH = Q T Qᵀ keeps
 * e₁ fixed (Q e₁ = e₁), so a change of G along x shows in T's first row
 * only:
 *   cols Gram WᵀW, x = m (the column means): the centred Gram is
 *     G − ρ m mᵀ (ρ = rows), whose tridiagonal is T with T₀₀ − ρ‖m‖²;
 *   rows Gram WWᵀ, x = 1: the centred Gram is J G J, J = I − 11ᵀ/rows
 *     the centring projector, whose tridiagonal is T with its first row
 *     and column zeroed: a zero and the eigenvalues of T[1:, 1:]. */
static int eigs_both_from_gram(double *g, int n, const double *x, int rows_gram, double rho,
                               double *lam_c, double *lam_u, ws_err *err)
{
    double *v = malloc((size_t)n * sizeof *v), *p = malloc((size_t)n * sizeof *p);
    double *d = malloc(2 * (size_t)n * sizeof *d), *e = malloc(2 * (size_t)n * sizeof *e);
    double *tau = malloc((size_t)n * sizeof *tau);
    if (!v || !p || !d || !e || !tau) {
        free(v), free(p), free(d), free(e), free(tau);
        return ws_fail(err, "out of memory for a %dx%d tridiagonalisation", n, n);
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            g[j * n + i] = g[i * n + j];
    double xx = 0;
    for (int i = 0; i < n; i++)
        xx += x[i] * x[i];
    double norm = sqrt(xx);
    if (norm > 0) {
        /* v = x + sign(x₀)‖x‖e₁; H = I − βvvᵀ; HGH = G − v wᵀ − w vᵀ with
         * p = βGv, w = p − (β/2)(vᵀp) v. */
        for (int i = 0; i < n; i++)
            v[i] = x[i];
        v[0] += x[0] >= 0 ? norm : -norm;
        double vv = 0;
        for (int i = 0; i < n; i++)
            vv += v[i] * v[i];
        double beta = 2 / vv, vp = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++)
                s += g[i * n + j] * v[j];
            p[i] = beta * s;
            vp += v[i] * p[i];
        }
        for (int i = 0; i < n; i++)
            p[i] -= beta / 2 * vp * v[i];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                g[i * n + j] -= v[i] * p[j] + p[i] * v[j];
    }
    lapack_int info = LAPACKE_dsytrd(LAPACK_COL_MAJOR, 'L', n, g, n, d, e, tau);
    int rc = info == 0 ? 0 : ws_fail(err, "tridiagonalisation failed (LAPACK info %d)", (int)info);
    for (int i = 0; rc == 0 && i < n; i++)
        d[n + i] = d[i], e[n + i] = e[i];
    if (rc == 0)
        rc = tridiag_eigs(d, e, n, lam_u, err);
    if (rc == 0 && !rows_gram) {
        d[n] -= rho * xx;
        rc = tridiag_eigs(d + n, e + n, n, lam_c, err);
    } else if (rc == 0) {
        rc = n > 1 ? tridiag_eigs(d + n + 1, e + n + 1, n - 1, lam_c, err) : 0;
        lam_c[n - 1] = 0;
    }
    free(v), free(p), free(d), free(e), free(tau);
    return rc;
}

int ws_matrix_eigs_both(const float *w, int64_t rows, int64_t cols, double *lam_c,
                        double *lam_u, ws_err *e)
{
    int64_t n = rows < cols ? rows : cols;
    int rows_gram = rows < cols;
    double *g = malloc((size_t)n * n * sizeof *g), *x = malloc((size_t)cols * sizeof *x);
    int rc = g && x ? 0 : ws_fail(e, "out of memory for a %lldx%lld Gram", (long long)n, (long long)n);
    if (rc == 0)
        rc = ws_gram_f32(w, rows, cols, rows_gram, g, e);
    if (rc == 0) {
        if (rows_gram)
            for (int64_t i = 0; i < n; i++)
                x[i] = 1;
        else
            ws_col_means(w, rows, cols, x);
        rc = eigs_both_from_gram(g, (int)n, x, rows_gram, (double)rows, lam_c, lam_u, e);
    }
    free(g), free(x);
    return rc;
}

int ws_matrix_pr(const float *w, int64_t rows, int64_t cols, int centred,
                 ws_pr *out, double *lam_out, ws_err *e)
{
    return ws_matrix_pr_esd(w, rows, cols, centred, out, lam_out, NULL, e);
}

int ws_matrix_pr_esd(const float *w, int64_t rows, int64_t cols, int centred, ws_pr *out,
                     double *lam_out, double *lam_u, ws_err *e)
{
    int64_t n = rows < cols ? rows : cols;
    ws_astatus st = ws_scan_values(w, rows, cols);
    if (st == WS_AS_OK && centred && rows < 2)
        st = WS_AS_ONE_ROW;
    if (st != WS_AS_OK) {
        pr_set_nan(out, st, (int)n);
        return 0;
    }
    double *lam = malloc((size_t)n * sizeof *lam);
    if (!lam)
        return ws_fail(e, "out of memory for %lld eigenvalues", (long long)n);
    int rc = ws_matrix_eigs_pair(w, rows, cols, centred, lam, lam_u, e);
    if (rc == 0) {
        /* The covariance normalisation: PR, PC1 and stable rank do not
         * depend on it, but Σλ (the total variance) does. */
        double scale = centred ? 1.0 / (double)(rows - 1) : 1.0 / (double)rows;
        for (int64_t i = 0; i < n; i++)
            lam[i] *= scale;
        ws_pr_from_eigs(lam, (int)n, out);
        if (lam_out)
            for (int64_t i = 0; i < n; i++)
                lam_out[i] = lam[i];
    }
    free(lam);
    return rc;
}
