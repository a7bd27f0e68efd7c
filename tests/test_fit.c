/* Gaussian row fits: recovery of known mixtures, scipy curve_fit and numpy
 * lstsq references (tests/ref/fit_ref.py), degenerate rows, summaries. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fit.h"
#include "fit_lm.h"
#include "rng.h"

#define FN 96      /* fixture row length */
#define FR 210     /* fixture rows */

static void *slurp(const char *rel, size_t want)
{
    FILE *fp = fopen(check_src(rel), "rb");
    if (!fp) { fprintf(stderr, "cannot open %s\n", check_src(rel)); return NULL; }
    void *b = malloc(want);
    size_t got = fread(b, 1, want, fp);
    fclose(fp);
    if (got != want) { fprintf(stderr, "%s: short file\n", rel); free(b); return NULL; }
    return b;
}

static void mixture(double *w, int64_t n, int K, const double *A, const double *mu, const double *s)
{
    for (int64_t j = 0; j < n; j++) {
        w[j] = 0;
        for (int k = 0; k < K; k++) w[j] += A[k] * exp(-(j - mu[k]) * (j - mu[k]) / (2 * s[k] * s[k]));
    }
}

/* Components of a fit in ascending μ order. */
static void sorted(const ws_fit_row *f, int *ord)
{
    for (int k = 0; k < f->K; k++) ord[k] = k;
    for (int a = 0; a < f->K; a++)
        for (int b = a + 1; b < f->K; b++)
            if (f->mu[ord[b]] < f->mu[ord[a]]) { int t = ord[a]; ord[a] = ord[b]; ord[b] = t; }
}

static void test_gauss_fill(void)
{
    double g[300];
    double cases[][2] = {{0, 3}, {150.3, 20}, {299, 0.5}, {-5, 10}, {320, 40}, {77.7, 1000}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        ws_gauss_fill(300, cases[c][0], cases[c][1], g);
        double worst = 0;
        for (int j = 0; j < 300; j++) {
            double d = j - cases[c][0], ref = exp(-d * d / (2 * cases[c][1] * cases[c][1]));
            /* relative inside the support, absolute (to the peak, 1) outside */
            worst = fmax(worst, fabs(g[j] - ref) / (ref > 1e-16 ? ref : 1));
        }
        CHECKF(worst < 1e-11, "mu %g sigma %g: rel err %g", cases[c][0], cases[c][1], worst);
    }
}

static void test_recovery(void)
{
    const double A[3] = {1.0, -0.6, 0.8}, mu[3] = {30, 66, 99}, s[3] = {12, 9, 14};
    double w[128];
    mixture(w, 128, 3, A, mu, s);
    ws_fit_opts o;
    ws_fit_opts_default(&o, 3);
    ws_fit_row f;
    ws_err e;
    CHECK(ws_fit_row_l1_d(w, 128, &o, &f, &e) == 0);
    CHECK(f.status == WS_FIT_CONVERGED);
    CHECK(f.r2 > 1 - 1e-12);
    int ord[3];
    sorted(&f, ord);
    for (int k = 0; k < 3; k++) {
        CHECK_REL(f.A[ord[k]], A[k], 1e-3);
        CHECK_REL(f.mu[ord[k]], mu[k], 1e-3);
        CHECK_REL(f.sigma[ord[k]], s[k], 1e-3);
    }
    /* the same with N(0, 0.01) noise: parameters close, R² high */
    ws_rng r;
    ws_rng_seed(&r, 7);
    for (int j = 0; j < 128; j++) w[j] += 0.01 * ws_rng_normal(&r);
    CHECK(ws_fit_row_l1_d(w, 128, &o, &f, &e) == 0);
    CHECK(ws_fit_status_fitted(f.status));
    CHECK(f.r2 > 0.99);
    sorted(&f, ord);
    for (int k = 0; k < 3; k++) {
        CHECK_REL(f.A[ord[k]], A[k], 0.05);
        CHECK_REL(f.mu[ord[k]], mu[k], 0.02);
        CHECK_REL(f.sigma[ord[k]], s[k], 0.05);
    }
    /* one Gaussian near the edge, K = 1, float entry point */
    float wf[64];
    for (int j = 0; j < 64; j++) wf[j] = (float)(-0.03 * exp(-(j - 5.5) * (j - 5.5) / (2 * 4.0 * 4.0)));
    ws_fit_opts_default(&o, 1);
    CHECK(ws_fit_row_l1(wf, 64, &o, &f, &e) == 0);
    CHECK_REL(f.A[0], -0.03, 1e-3);
    CHECK_REL(f.mu[0], 5.5, 1e-3);
    CHECK_REL(f.sigma[0], 4.0, 1e-3);
}

static void test_scipy(void)
{
    float *W = slurp("tests/fixtures/fit_rows.f32", sizeof(float) * FR * FN);
    FILE *fp = fopen(check_src("tests/fixtures/fit_scipy_r2.csv"), "r");
    CHECK(W && fp);
    if (!W || !fp) { free(W); if (fp) fclose(fp); return; }
    double ref[2][FR];
    char line[128];
    int nref = 0;
    while (fgets(line, sizeof line, fp)) {
        int K, i;
        double r2;
        if (sscanf(line, "%d,%d,%lf", &K, &i, &r2) == 3 && i >= 0 && i < FR && (K == 4 || K == 8)) {
            ref[K == 8][i] = r2;
            nref++;
        }
    }
    fclose(fp);
    CHECK(nref == 2 * FR);
    for (int t = 0; t < 2; t++) {
        int K = t ? 8 : 4, close = 0, far = 0, better = 0;
        double worst = 0;
        ws_fit_opts o;
        ws_fit_opts_default(&o, K);
        for (int i = 0; i < FR; i++) {
            ws_fit_row f;
            ws_err e;
            CHECK(ws_fit_row_l1(W + i * FN, FN, &o, &f, &e) == 0);
            double d = f.r2 - ref[t][i];
            close += d >= -1e-3;
            better += d > 1e-3;
            far += d < -0.05;
            worst = fmin(worst, d);
            if (d < -0.05) printf("  K=%d row %d: wscope %.4f scipy %.4f (%s)\n", K, i, f.r2, ref[t][i], ws_fit_status_name(f.status));
        }
        printf("K=%d: R² >= scipy-1e-3 on %d/%d rows (better on %d), worst difference %.4g\n",
               K, close, FR, better, worst);
        CHECKF(close >= 0.95 * FR, "K=%d: only %d of %d rows within 1e-3 of scipy", K, close, FR);
        CHECKF(far == 0, "K=%d: %d rows below scipy by more than 0.05", K, far);
    }
    free(W);
}

static void test_grid(void)
{
    float *W = slurp("tests/fixtures/fit_rows.f32", sizeof(float) * FR * FN);
    double *ref = slurp("tests/fixtures/fit_grid_A.f64", sizeof(double) * FR * 12);
    CHECK(W && ref);
    if (!W || !ref) { free(W); free(ref); return; }
    const double *rk = ref;
    for (int K = 4; K <= 8; K += 4) {
        double A[FR * 8], sse[FR], sst[FR], worst = 0;
        ws_err e;
        CHECK(ws_grid_fit_rows(W, FR, FN, K, A, sse, sst, NULL, &e) == 0);
        for (int i = 0; i < FR; i++) {
            double m = 0;
            for (int k = 0; k < K; k++) m = fmax(m, fabs(rk[i * K + k]));
            for (int k = 0; k < K; k++) worst = fmax(worst, fabs(A[i * K + k] - rk[i * K + k]) / m);
        }
        CHECKF(worst < 1e-6, "K=%d: grid amplitudes differ from lstsq by %g (relative)", K, worst);
        /* SSE from the normal equations equals the residual computed directly */
        double G[8 * FN], res = 0, se = 0, st = 0;
        ws_grid_basis(FN, K, G);
        for (int j = 0; j < FN; j++) {
            double v = W[5 * FN + j];
            for (int k = 0; k < K; k++) v -= A[5 * K + k] * G[k * FN + j];
            res += v * v;
        }
        CHECK_REL(sse[5], res, 1e-8);
        for (int i = 0; i < FR; i++) se += sse[i], st += sst[i];
        float Af[FR * 8];
        double r2;
        CHECK(ws_grid_fit(W, FR, FN, K, Af, &r2, &e) == 0);
        CHECK_REL(r2, 1 - se / st, 1e-12);
        CHECK_REL(Af[7 * K + 1], A[7 * K + 1], 1e-6);
        rk += FR * K;
    }
    ws_err e;
    float tiny[3] = {1, 2, 3};
    CHECK(ws_grid_fit(tiny, 1, 3, 4, NULL, NULL, &e) < 0);
    CHECK_STR_CONTAINS(e.msg, "fewer than K");
    free(W);
    free(ref);
}

static void test_degenerate(void)
{
    enum { R = 6, N = 40 };
    float W[R * N];
    ws_rng r;
    ws_rng_seed(&r, 3);
    for (int i = 0; i < R * N; i++) W[i] = (float)(0.02 * ws_rng_normal(&r));
    for (int j = 0; j < N; j++) W[1 * N + j] = 0;          /* zeros */
    for (int j = 0; j < N; j++) W[2 * N + j] = 0.5f;       /* constant */
    W[3 * N + 7] = NAN;                                     /* NaN */
    W[4 * N + 9] = INFINITY;                                /* Inf */
    ws_fit_opts o;
    ws_fit_opts_default(&o, 4);
    ws_fit_row f;
    ws_err e;
    ws_fit_status want[R] = {WS_FIT_CONVERGED, WS_FIT_ZERO, WS_FIT_CONSTANT, WS_FIT_NONFINITE,
                             WS_FIT_NONFINITE, WS_FIT_CONVERGED};
    for (int i = 0; i < R; i++) {
        CHECK(ws_fit_row_l1(W + i * N, N, &o, &f, &e) == 0);
        if (want[i] == WS_FIT_CONVERGED) CHECK(ws_fit_status_fitted(f.status));
        else CHECKF(f.status == want[i], "row %d: %s", i, ws_fit_status_name(f.status));
        for (int k = 0; k < 4; k++) CHECK(isfinite(f.A[k]) && isfinite(f.mu[k]) && isfinite(f.sigma[k]));
    }
    CHECK(ws_fit_row_l1(W, 11, &o, &f, &e) == 0);          /* n < 3K */
    CHECK(f.status == WS_FIT_TOO_SHORT);
    CHECK(!strcmp(ws_fit_status_name(f.status), "too-short"));
    o.K = 17;
    CHECK(ws_fit_row_l1(W, N, &o, &f, &e) < 0);
    CHECK_STR_CONTAINS(e.msg, "K must be");

    for (int mode = 0; mode < 2; mode++) {
        ws_fit_matrix_opts mo;
        ws_fit_matrix_opts_default(&mo);
        mo.mode = mode;
        mo.level = 2;
        ws_fit_result res;
        CHECK(ws_fit_matrix(W, R, N, &mo, &res, NULL, &e) == 0);
        ws_fit_summary *s = &res.s;
        CHECK(s->fitted == R);
        CHECKF(s->degenerate == 4, "mode %d: degenerate %lld", mode, (long long)s->degenerate);
        CHECK(s->usable == 2);
        CHECK(isfinite(s->r2) && isfinite(s->mse) && isfinite(s->r2_median));
        CHECK(isfinite(s->centre_linearity) && isnan(s->centre_ev_r));
        CHECK_NEAR(s->compression, N / 12.0, 1e-12);
        if (mode == 0) CHECK(res.l2 && isfinite(res.l2->r2_rows) && isfinite(res.l2->r2_params));
        ws_fit_result_free(&res);
    }
    /* a matrix of degenerate rows only: zeros everywhere in the summary, no NaN */
    float Z[2 * N] = {0};
    ws_fit_matrix_opts mo;
    ws_fit_matrix_opts_default(&mo);
    ws_fit_result res;
    CHECK(ws_fit_matrix(Z, 2, N, &mo, &res, NULL, &e) == 0);
    CHECK(res.s.usable == 0 && res.s.r2 == 0 && res.s.mse == 0 && res.s.centre_linearity == 0);
    ws_fit_result_free(&res);
}

static void test_matrix(void)
{
    /* rows of one Gaussian whose parameters move smoothly with the row: L1
     * exact, centres known, and L2 (3 Gaussians over the row index) can
     * follow the smooth parameter signals */
    enum { R = 60, N = 128 };
    static float W[R * N];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < N; j++) {
            double mu = 20 + 1.5 * i, a = 0.5 + 0.01 * i, sg = 6 + 0.05 * i;
            W[i * N + j] = (float)(a * exp(-(j - mu) * (j - mu) / (2 * sg * sg)));
        }
    ws_fit_matrix_opts mo;
    ws_fit_matrix_opts_default(&mo);
    mo.fit.K = 1;
    mo.level = 2;
    ws_fit_result res;
    ws_err e;
    ws_progress p;
    ws_progress_init(&p, 0);
    CHECK(ws_fit_matrix(W, R, N, &mo, &res, &p, &e) == 0);
    CHECK(atomic_load(&p.done) == R && atomic_load(&p.total) == R);
    CHECK(res.s.r2 > 1 - 1e-9);
    CHECK(res.s.nonconverged == 0);
    CHECK_NEAR(res.rows[10].mu[0], 35, 1e-3);
    CHECK(res.l2 && res.l2->len == R && res.l2->G == 3);
    CHECKF(res.l2->r2_params > 0.99, "L2 parameter R² %g", res.l2->r2_params);
    CHECKF(res.l2->r2_rows > 0.99, "L2 row R² %g", res.l2->r2_rows);
    CHECK_NEAR(res.l2->compression, R * N / 27.0, 1e-9);
    ws_fit_result_free(&res);

    /* a sample of rows, and the centre statistics in grid mode */
    mo.fit.K = 4;
    mo.level = 1;
    mo.sample = 7;
    mo.mode = WS_FIT_MODE_GRID;
    double eig[N];
    for (int j = 0; j < N; j++) eig[j] = j == 3 || j == 40 || j == 80 || j == 120 ? 10 + j : 1;
    mo.eig = eig, mo.n_eig = N;
    CHECK(ws_fit_matrix(W, R, N, &mo, &res, NULL, &e) == 0);
    CHECK(res.s.fitted == 7 && res.row_index[0] == 0 && res.row_index[6] < R);
    for (int i = 1; i < 7; i++) CHECK(res.row_index[i] > res.row_index[i - 1]);
    CHECK(res.rows[2].status == WS_FIT_GRID);
    CHECK_NEAR(res.s.centre_linearity, 1, 1e-12);    /* grid centres are a line */
    double m[4] = {25.6, 51.2, 76.8, 102.4}, pos[4] = {3, 40, 80, 120};
    double r = 0, mx = 0, my = 0, sxx = 0, syy = 0;
    for (int k = 0; k < 4; k++) mx += m[k] / 4, my += pos[k] / 4;
    for (int k = 0; k < 4; k++) r += (m[k] - mx) * (pos[k] - my), sxx += (m[k] - mx) * (m[k] - mx),
                                syy += (pos[k] - my) * (pos[k] - my);
    CHECK_NEAR(res.s.centre_ev_r, r / sqrt(sxx * syy), 1e-9);
    /* p-values: two-sided Pearson over K = 4 points, scipy.stats.pearsonr's
     * 2·t.sf(r·√(2/(1−r²)), 2); with 2 degrees of freedom that is
     * 1 − t/√(t² + 2) in closed form. */
    double rr = res.s.centre_ev_r, t = rr * sqrt(2 / (1 - rr * rr));
    CHECK_REL(res.s.centre_ev_r_p, 1 - t / sqrt(t * t + 2), 1e-9);   /* the t CDF with 2 dof */
    CHECK(res.s.centre_linearity_p == 0);                           /* r = 1 exactly */
    /* The L2 compression counts the matrix's rows, not the sample's. */
    ws_fit_result_free(&res);
    mo.mode = WS_FIT_FREE, mo.level = 2, mo.fit.K = 1;
    CHECK(ws_fit_matrix(W, R, N, &mo, &res, NULL, &e) == 0 && res.s.fitted == 7);
    CHECK_NEAR(res.l2->compression, R * N / 27.0, 1e-9);
    ws_fit_result_free(&res);
    /* A spectrum of another length than the rows: positions rescaled, the
     * same r (Pearson does not see the scale). */
    double eig2[N / 2];
    for (int j = 0; j < N / 2; j++) eig2[j] = eig[2 * j] + eig[2 * j + 1];
    mo.mode = WS_FIT_MODE_GRID, mo.level = 1, mo.fit.K = 4, mo.eig = eig2, mo.n_eig = N / 2;
    CHECK(ws_fit_matrix(W, R, N, &mo, &res, NULL, &e) == 0);
    double pos2[4] = {1, 20, 40, 60};   /* the K largest of eig2, before rescaling */
    r = 0, my = 0, syy = 0;
    for (int k = 0; k < 4; k++) my += pos2[k] / 4;
    for (int k = 0; k < 4; k++) r += (m[k] - mx) * (pos2[k] - my), syy += (pos2[k] - my) * (pos2[k] - my);
    CHECK_NEAR(res.s.centre_ev_r, r / sqrt(sxx * syy), 1e-9);
    ws_fit_result_free(&res);

    /* cancel: a progress already cancelled stops the work with an error */
    mo.sample = 0, mo.mode = WS_FIT_FREE, mo.eig = NULL;
    ws_progress_init(&p, 0);
    atomic_store(&p.cancel, 1);
    CHECK(ws_fit_matrix(W, R, N, &mo, &res, &p, &e) < 0);
    CHECK_STR_CONTAINS(e.msg, "cancelled");
}

int main(void)
{
    test_gauss_fill();
    test_recovery();
    test_grid();
    test_degenerate();
    test_matrix();
    test_scipy();
    return check_done();
}
