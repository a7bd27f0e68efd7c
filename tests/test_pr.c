/* Weight participation ratio and amplitude structure against numpy/scipy
 * float64 (tests/ref/spectra_ref.py). */
#include <math.h>
#include <stdlib.h>

#include "amp.h"
#include "check.h"
#include "pr.h"
#include "spectra_fixture.h"

static void check_pr(const char *name, int centred)
{
    int r, c;
    float *w = fx_getf(name, &r, &c);
    char key[80];
    snprintf(key, sizeof key, "%s_%s", name, centred ? "centred" : "uncentred");
    const fx_block *ref = fx_get(key);
    int n = r < c ? r : c;
    double *lam = malloc((size_t)n * sizeof *lam);
    ws_pr pr;
    ws_err err;
    CHECK(ws_matrix_pr(w, r, c, centred, &pr, lam, &err) == 0);
    CHECK(pr.status == WS_AS_OK && pr.n == n);
    CHECK_REL(pr.pr, ref->v[0], 1e-6);
    CHECK_REL(pr.pc1, ref->v[1], 1e-6);
    CHECKF(pr.comps95 == (int)ref->v[2], "%s: comps95 %d want %g", key, pr.comps95, ref->v[2]);
    CHECK_REL(pr.stable_rank, ref->v[3], 1e-6);
    CHECK_REL(pr.total, ref->v[4], 1e-6);
    if (centred) {
        snprintf(key, sizeof key, "%s_lam", name);
        const fx_block *l = fx_get(key);
        /* The eigenvalues that carry the variance (the rest are rounding). */
        for (int i = 0; i < n; i++)
            if (l->v[i] > 1e-9 * l->v[0])
                CHECK_REL(lam[i], l->v[i], 1e-6);
    }
    free(lam);
    free(w);
}

static void check_pr_degenerate(void)
{
    ws_pr pr;
    ws_err err;
    float z[8] = {0};
    CHECK(ws_matrix_pr(z, 2, 4, 1, &pr, NULL, &err) == 0 && pr.status == WS_AS_ZERO && isnan(pr.pr));
    float one[4] = {1, 2, 3, 4};
    CHECK(ws_matrix_pr(one, 1, 4, 1, &pr, NULL, &err) == 0 && pr.status == WS_AS_ONE_ROW);
    /* Uncentred, a single row is fine: rank 1, PR 1. */
    CHECK(ws_matrix_pr(one, 1, 4, 0, &pr, NULL, &err) == 0 && pr.status == WS_AS_OK);
    CHECK_REL(pr.pr, 1.0, 1e-12);
    float same[8] = {1, 2, 3, 4, 1, 2, 3, 4};   /* centred: no variance left */
    CHECK(ws_matrix_pr(same, 2, 4, 1, &pr, NULL, &err) == 0 && pr.status == WS_AS_ZERO);
    float bad[4] = {1, INFINITY, 3, 4};
    CHECK(ws_matrix_pr(bad, 2, 2, 1, &pr, NULL, &err) == 0 && pr.status == WS_AS_NONFINITE);
    CHECK(ws_matrix_pr(bad, 0, 2, 1, &pr, NULL, &err) == 0 && pr.status == WS_AS_EMPTY);
    CHECK_STR_CONTAINS(ws_astatus_text(WS_AS_NONFINITE), "NaN");
}

static void check_pr_identities(void)
{
    /* Equal eigenvalues: PR = n, PC1 = 1/n, stable rank n, 95 % needs all. */
    double flat[4] = {2, 2, 2, 2};
    ws_pr pr;
    ws_pr_from_eigs(flat, 4, &pr);
    CHECK_REL(pr.pr, 4.0, 1e-15);
    CHECK_REL(pr.pc1, 0.25, 1e-15);
    CHECK(pr.comps95 == 4);
    CHECK_REL(pr.stable_rank, 4.0, 1e-15);
}

static void check_amp(void)
{
    int r, k;
    float *a = fx_getf("A_amp", &r, &k);
    const fx_block *ref = fx_get("A_amp_ref");
    ws_amp amp;
    ws_err err;
    CHECK(ws_amp_structure(a, r, k, &amp, &err) == 0 && amp.status == WS_AS_OK);
    CHECK_REL(amp.pr, ref->v[0], 1e-6);
    CHECK_REL(amp.pc1, ref->v[1], 1e-6);
    CHECK(amp.comps95 == (int)ref->v[2]);
    CHECK_REL(amp.max_corr, ref->v[4], 1e-6);
    CHECK_REL(amp.kurtosis, ref->v[5], 1e-6);
    free(a);
    float z[16] = {0};
    CHECK(ws_amp_structure(z, 2, 8, &amp, &err) == 0 && amp.status == WS_AS_ZERO);
    float one[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK(ws_amp_structure(one, 1, 8, &amp, &err) == 0 && amp.status == WS_AS_ONE_ROW);
    CHECK(isnan(amp.pr) && isnan(amp.kurtosis));
}

/* Through the grid fit (fit.h) on a matrix, against numpy's lstsq. The
 * grid fit is float32 out, so 1e-5 rather than 1e-6. */
static void check_amp_of_matrix(void)
{
    int r, c;
    float *w = fx_getf("W_gridamp", &r, &c);
    const fx_block *ref = fx_get("W_gridamp_ref");
    ws_amp amp;
    float *amps = NULL;
    ws_err err;
    CHECK(ws_amp_of_matrix(w, r, c, 8, WS_GRID_INNER, &amp, &amps, &err) == 0 && amp.status == WS_AS_OK && amps);
    CHECK_REL(amp.pr, ref->v[0], 1e-5);
    CHECK_REL(amp.pc1, ref->v[1], 1e-5);
    CHECK(amp.comps95 == (int)ref->v[2]);
    CHECK_REL(amp.max_corr, ref->v[4], 1e-5);
    CHECK_REL(amp.kurtosis, ref->v[5], 1e-5);
    free(amps);
    w[7] = NAN;
    CHECK(ws_amp_of_matrix(w, r, c, 8, WS_GRID_INNER, &amp, &amps, &err) == 0 && amp.status == WS_AS_NONFINITE && !amps);
    CHECK(ws_amp_of_matrix(w, r, 4, 8, WS_GRID_INNER, &amp, &amps, &err) == 0);   /* NaN first */
    w[7] = 1;
    CHECK(ws_amp_of_matrix(w, r, 4, 8, WS_GRID_INNER, &amp, &amps, &err) == -1);
    CHECK_STR_CONTAINS(err.msg, "Gaussians");
    free(w);
}

int main(void)
{
    const char *names[] = {"W_pr_tall", "W_pr_wide", "W_pr_low"};
    for (int i = 0; i < 3; i++) {
        check_pr(names[i], 1);
        check_pr(names[i], 0);
    }
    check_pr_degenerate();
    check_pr_identities();
    check_amp();
    check_amp_of_matrix();
    return check_done();
}
