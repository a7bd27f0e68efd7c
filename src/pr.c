#include "pr.h"

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

int ws_matrix_eigs(const float *w, int64_t rows, int64_t cols, int centred, double *lam, ws_err *e)
{
    int64_t n = rows < cols ? rows : cols;
    double *mean = NULL, *g = malloc((size_t)n * n * sizeof *g);
    if (centred)
        mean = malloc((size_t)cols * sizeof *mean);
    if (!g || (centred && !mean)) {
        free(g), free(mean);
        return ws_fail(e, "out of memory for a %lldx%lld covariance", (long long)n, (long long)n);
    }
    if (mean)
        ws_col_means(w, rows, cols, mean);
    int rc = rows < cols ? ws_gram_rows(w, rows, cols, mean, g, e)
                         : ws_gram_cols(w, rows, cols, mean, g, e);
    if (rc == 0)
        rc = ws_sym_eig(g, (int)n, lam, 0, e);
    free(g), free(mean);
    return rc;
}

int ws_matrix_pr(const float *w, int64_t rows, int64_t cols, int centred,
                 ws_pr *out, double *lam_out, ws_err *e)
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
    int rc = ws_matrix_eigs(w, rows, cols, centred, lam, e);
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
