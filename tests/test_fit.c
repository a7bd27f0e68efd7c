/* Gaussian row fits: recovery of known mixtures, scipy curve_fit and numpy
 * lstsq references (tests/ref/fit_ref.py), degenerate rows, summaries. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amp.h"
#include "check.h"
#include "fit.h"
#include "fit_lm.h"
#include "fit_measures.h"
#include "fit_nulls.h"
#include "fit_predict.h"
#include "model.h"
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

/* One set of fixture rows and scipy's best R² on each for K = 4 and 8
 * (tests/ref/fit_ref.py). */
typedef struct ref_set {
    const char *name, *file;
    int n, rows;
} ref_set;

static const ref_set ref_sets[] = {
    {"rows", "tests/fixtures/fit_rows.f32", FN, FR},
    {"trained96", "tests/fixtures/fit_trained96.f32", 96, 216},
    {"trained384", "tests/fixtures/fit_trained384.f32", 384, 48},
};

/* scipy's R² of row i of the set for K (index K == 8), from the CSV. */
static int read_scipy(const ref_set *set, double *ref)
{
    FILE *fp = fopen(check_src("tests/fixtures/fit_scipy_r2.csv"), "r");
    if (!fp) return 0;
    char line[160], name[32];
    int got = 0, K, i;
    double r2;
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "%31[^,],%d,%d,%lf", name, &K, &i, &r2) == 4 && !strcmp(name, set->name) &&
            i >= 0 && i < set->rows && (K == 4 || K == 8)) {
            ref[(K == 8) * set->rows + i] = r2;
            got++;
        }
    fclose(fp);
    return got;
}

/* The criterion of the fits: on rows nobody tuned the fitter for (a
 * trained model's, and the synthetic kinds), wscope's L1 fit reaches at
 * least the R² of scipy's curve_fit (best of its two usual starts, inside
 * the same bounds), "at least" meaning no lower by more than SCIPY_TIE (the
 * tolerance of a converged fit, not a basin): on ≥ 99 % of a trained
 * model's rows for each K, and of all the rows of every set and K pooled.
 * The synthetic sets alone: ≥ 95 % (smooth rows at K = 4 have basins the
 * search misses on a few rows), never below by more than 0.01. Every fit
 * also stays on the data's scale: |A| ≤ 2·max|w|, no cancelling pair. */
#define SCIPY_TIE 1e-6
static void test_scipy(void)
{
    int all = 0, all_lose = 0;
    for (size_t s = 0; s < sizeof ref_sets / sizeof *ref_sets; s++) {
        const ref_set *set = &ref_sets[s];
        int trained = !strncmp(set->name, "trained", 7);
        float *W = slurp(set->file, sizeof(float) * (size_t)(set->rows * set->n));
        double *ref = malloc(sizeof(double) * 2 * (size_t)set->rows);
        CHECK(W && ref);
        if (!W || !ref) { free(W); free(ref); continue; }
        CHECKF(read_scipy(set, ref) == 2 * set->rows, "%s: scipy fixture incomplete", set->name);
        for (int t = 0; t < 2; t++) {
            int K = t ? 8 : 4, lose = 0, better = 0, off_scale = 0;
            double worst = 0;
            ws_fit_opts o;
            ws_fit_opts_default(&o, K);
            for (int i = 0; i < set->rows; i++) {
                const float *w = W + (size_t)i * set->n;
                ws_fit_row f;
                ws_err e;
                CHECK(ws_fit_row_l1(w, set->n, &o, &f, &e) == 0);
                double d = f.r2 - ref[t * set->rows + i], top = 0;
                lose += d < -SCIPY_TIE;
                better += d > 1e-3;
                worst = fmin(worst, d);
                if (d < -SCIPY_TIE)
                    printf("  %s K=%d row %d: wscope %.7f scipy %.7f\n", set->name, K, i, f.r2, ref[t * set->rows + i]);
                for (int j = 0; j < set->n; j++) top = fmax(top, fabs(w[j]));
                for (int k = 0; k < K; k++) off_scale += fabs(f.A[k]) > WS_FIT_AMP_BOUND * top;
                off_scale += f.status == WS_FIT_CANCELLING;
            }
            printf("%s K=%d: R2 below scipy's on %d of %d rows (above by > 1e-3 on %d), worst %.3g\n",
                   set->name, K, lose, set->rows, better, worst);
            CHECKF(lose <= (trained ? 0.01 : 0.05) * set->rows, "%s K=%d: %d of %d rows below scipy", set->name,
                   K, lose, set->rows);
            CHECKF(worst >= -0.01, "%s K=%d: a row below scipy by %g", set->name, K, -worst);
            CHECKF(off_scale == 0, "%s K=%d: %d components off the data's scale", set->name, K, off_scale);
            all += set->rows, all_lose += lose;
        }
        free(W);
        free(ref);
    }
    printf("all rows: R2 below scipy's on %d of %d fits\n", all_lose, all);
    CHECKF(all_lose <= 0.01 * all, "%d of %d fits below scipy", all_lose, all);
}

/* A cancelling pair: the rule on given parameters, then a row whose
 * unbounded fit makes one (an odd, derivative-of-Gaussian bump: two tall
 * opposite Gaussians a little apart draw it best) and the default fit that
 * does not. */
static void test_cancelling(void)
{
    /* the review's case: ±1.35 at one μ on a row within ±0.06 */
    ws_fit_row f = {.K = 3, .A = {1.35, -1.38, 0.02}, .mu = {40, 40.4, 10}, .sigma = {3, 3.2, 5}};
    int k = -1, l = -1;
    CHECK(ws_fit_cancelling(&f, 0.06, &k, &l) == 1 && k == 0 && l == 1);
    CHECK(ws_fit_cancelling(&f, 0.7, NULL, NULL) == 0);      /* not taller than twice the row */
    f.mu[1] = 48;                                            /* apart by more than the wider σ */
    CHECK(ws_fit_cancelling(&f, 0.06, NULL, NULL) == 0);
    f.mu[1] = 40.4, f.A[1] = 1.38;                           /* the same sign */
    CHECK(ws_fit_cancelling(&f, 0.06, NULL, NULL) == 0);

    enum { N = 96 };
    float w[N];
    double top = 0;
    for (int j = 0; j < N; j++) {
        double d = (j - 47.3) / 2.5;
        w[j] = (float)(0.05 * d * exp(-d * d / 2) + 0.004 * sin(j * 0.7));
        top = fmax(top, fabs(w[j]));
    }
    ws_fit_opts o;
    ws_fit_opts_default(&o, 2);
    ws_fit_row bounded, free_fit;
    ws_err e;
    CHECK(ws_fit_row_l1(w, N, &o, &bounded, &e) == 0);
    o.amp_bound = 0;
    CHECK(ws_fit_row_l1(w, N, &o, &free_fit, &e) == 0);
    CHECKF(free_fit.status == WS_FIT_CANCELLING, "unbounded fit: %s", ws_fit_status_name(free_fit.status));
    CHECK(fabs(free_fit.A[0]) > 5 * top && fabs(free_fit.A[1]) > 5 * top);
    CHECKF(bounded.status == WS_FIT_CONVERGED, "default fit: %s", ws_fit_status_name(bounded.status));
    CHECK(fabs(bounded.A[0]) <= 2 * top && fabs(bounded.A[1]) <= 2 * top);
    CHECK(bounded.r2 > 0.85 && bounded.r2 <= free_fit.r2);
    CHECK(!strcmp(ws_fit_status_name(WS_FIT_CANCELLING), "cancelling"));

    /* In a summary: counted degenerate, its residual still counted in R². */
    float M[2 * N];
    memcpy(M, w, sizeof w);
    for (int j = 0; j < N; j++) M[N + j] = (float)(0.03 * exp(-(j - 30.0) * (j - 30.0) / 50.0));
    ws_fit_matrix_opts mo;
    ws_fit_matrix_opts_default(&mo);
    mo.fit.K = 2;
    mo.fit.amp_bound = 0;
    ws_fit_result res;
    CHECK(ws_fit_matrix(M, 2, N, &mo, &res, NULL, &e) == 0);
    CHECK(res.rows[0].status == WS_FIT_CANCELLING && res.rows[1].status == WS_FIT_CONVERGED);
    CHECK(res.s.degenerate == 1 && res.s.usable == 2);
    ws_fit_result_free(&res);
    mo.fit.amp_bound = WS_FIT_AMP_BOUND;
    CHECK(ws_fit_matrix(M, 2, N, &mo, &res, NULL, &e) == 0);
    CHECK(res.s.degenerate == 0 && res.s.usable == 2);
    ws_fit_result_free(&res);
}

/* The grid fit with centres c against numpy's lstsq amplitudes in `fixture`
 * (K = 4 then 8). */
static void grid_against(const char *fixture, ws_grid_centres c)
{
    float *W = slurp("tests/fixtures/fit_rows.f32", sizeof(float) * FR * FN);
    double *ref = slurp(fixture, sizeof(double) * FR * 12);
    CHECK(W && ref);
    if (!W || !ref) { free(W); free(ref); return; }
    const double *rk = ref;
    for (int K = 4; K <= 8; K += 4) {
        double A[FR * 8], sse[FR], sst[FR], worst = 0;
        ws_err e;
        CHECK(ws_grid_fit_rows(W, FR, FN, K, c, A, sse, sst, NULL, &e) == 0);
        for (int i = 0; i < FR; i++) {
            double m = 0;
            for (int k = 0; k < K; k++) m = fmax(m, fabs(rk[i * K + k]));
            for (int k = 0; k < K; k++) worst = fmax(worst, fabs(A[i * K + k] - rk[i * K + k]) / m);
        }
        CHECKF(worst < 1e-6, "%s K=%d: grid amplitudes differ from lstsq by %g (relative)", ws_grid_centres_name(c), K,
               worst);
        /* SSE from the normal equations equals the residual computed directly */
        double G[8 * FN], res = 0, se = 0, st = 0;
        ws_grid_basis(FN, K, c, G);
        for (int j = 0; j < FN; j++) {
            double v = W[5 * FN + j];
            for (int k = 0; k < K; k++) v -= A[5 * K + k] * G[k * FN + j];
            res += v * v;
        }
        CHECK_REL(sse[5], res, 1e-8);
        for (int i = 0; i < FR; i++) se += sse[i], st += sst[i];
        float Af[FR * 8];
        double r2;
        CHECK(ws_grid_fit(W, FR, FN, K, c, Af, &r2, &e) == 0);
        CHECK_REL(r2, 1 - se / st, 1e-12);
        CHECK_REL(Af[7 * K + 1], A[7 * K + 1], 1e-6);
        if (c == WS_GRID_LINSPACE) {   /* the amplitude structure (pr --centres) and fit --mode grid take this grid */
            ws_amp amp;
            float *amps = NULL;
            CHECK(ws_amp_of_matrix(W, FR, FN, K, c, &amp, &amps, &e) == 0 && amps);
            CHECK(amps && fabs(amps[9 * K + 2] - A[9 * K + 2]) <= 1e-6 * fabs(A[9 * K + 2]));
            free(amps);
            ws_fit_matrix_opts mo;
            ws_fit_matrix_opts_default(&mo);
            mo.mode = WS_FIT_MODE_GRID, mo.fit.K = K, mo.centres = c;
            ws_fit_result r;
            CHECK(ws_fit_matrix(W, FR, FN, &mo, &r, NULL, &e) == 0);
            CHECK(r.rows[3].mu[0] == 0 && r.rows[3].mu[K - 1] == FN - 1);
            CHECK_REL(r.rows[3].mu[1], (FN - 1.0) / (K - 1), 1e-12);
            CHECK_REL(r.rows[3].A[1], A[3 * K + 1], 1e-9);
            ws_fit_result_free(&r);
        }
        rk += FR * K;
    }
    free(W);
    free(ref);
}

static void test_grid(void)
{
    grid_against("tests/fixtures/fit_grid_A.f64", WS_GRID_INNER);
    grid_against("tests/fixtures/fit_grid_linspace_A.f64", WS_GRID_LINSPACE);
    ws_grid_centres c;
    CHECK(ws_grid_centres_parse("linspace", &c) == 0 && c == WS_GRID_LINSPACE);
    CHECK(ws_grid_centres_parse("inner", &c) == 0 && c == WS_GRID_INNER);
    CHECK(ws_grid_centres_parse("outer", &c) < 0);
    CHECK(ws_grid_mu(96, 1, 0, WS_GRID_LINSPACE) == 0);   /* numpy.linspace(0, 95, 1) */
    ws_err e;
    float tiny[3] = {1, 2, 3};
    CHECK(ws_grid_fit(tiny, 1, 3, 4, WS_GRID_INNER, NULL, NULL, &e) < 0);
    CHECK_STR_CONTAINS(e.msg, "fewer than K");
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
    /* the L2 MSE is the rebuilt rows' SSE over their values: (1 − R²)·ΣSST/(m·n) */
    double sst_all = 0;
    for (int i = 0; i < R; i++) sst_all += res.rows[i].sst;
    CHECK_REL(res.l2->mse, (1 - res.l2->r2_rows) * sst_all / (R * N), 1e-6);
    CHECK(res.s.m.params_l2 == 27 && res.s.m.params == R * N && res.s.m.params_l1 == R * 3);
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

/* Expected value `name` from tests/fixtures/fit_measures.txt (NaN if absent). */
static double measure_ref(const char *name)
{
    FILE *fp = fopen(check_src("tests/fixtures/fit_measures.txt"), "r");
    char key[64];
    double v, out = NAN;
    while (fp && fscanf(fp, "%63s %lf", key, &v) == 2)
        if (!strcmp(key, name)) out = v;
    if (fp) fclose(fp);
    CHECKF(!isnan(out), "no %s in fit_measures.txt", name);
    return out;
}

/* The fixture's rows and their given L1 parameters (tests/ref/
 * fit_measures_ref.py) as a fit result, and the spectrum of its E. */
typedef struct measures_fixture {
    ws_model *m;
    const float *W;
    int64_t rows, n;
    ws_fit_result r;
    ws_spectrum s;
} measures_fixture;

static int load_measures(measures_fixture *f)
{
    ws_err e = {{0}};
    memset(f, 0, sizeof *f);
    if (ws_model_open(check_src("tests/fixtures/fit_measures.safetensors"), &f->m, &e) < 0) {
        CHECKF(0, "%s", e.msg);
        return -1;
    }
    ws_tensor *E = ws_model_find(f->m, "E"), *W = ws_model_find(f->m, "W");
    ws_tensor *A = ws_model_find(f->m, "A"), *mu = ws_model_find(f->m, "mu"), *sg = ws_model_find(f->m, "sigma");
    CHECK(E && W && A && mu && sg);
    if (!E || !W || !A || !mu || !sg) return -1;
    const float *a = ws_tensor_f32(A, &e), *m = ws_tensor_f32(mu, &e), *s = ws_tensor_f32(sg, &e);
    f->W = ws_tensor_f32(W, &e);
    f->rows = W->rows, f->n = W->cols;
    int K = (int)A->cols;
    f->r.s.rows = f->r.s.fitted = f->rows, f->r.s.cols = f->n, f->r.s.K = K, f->r.s.mode = WS_FIT_FREE;
    f->r.row_index = malloc(sizeof(int64_t) * (size_t)f->rows);
    f->r.rows = calloc((size_t)f->rows, sizeof(ws_fit_row));
    for (int64_t i = 0; i < f->rows; i++) {
        f->r.row_index[i] = i;
        ws_fit_row *row = &f->r.rows[i];
        row->K = K, row->status = WS_FIT_CONVERGED;
        for (int k = 0; k < K; k++)
            row->A[k] = a[i * K + k], row->mu[k] = m[i * K + k], row->sigma[k] = s[i * K + k];
    }
    return ws_spectrum_compute(ws_tensor_f32(E, &e), E->rows, E->cols, NULL, &f->s, &e);
}

static void free_measures(measures_fixture *f)
{
    ws_fit_result_free(&f->r);
    ws_spectrum_free(&f->s);
    ws_model_free(f->m);
}

/* Predictability against numpy: every CV R², the PC shares and the
 * alignments; the planted structure (the first component's amplitude
 * follows the row's leading eigen-coordinate) is found, the rest is not. */
static void test_predict(void)
{
    measures_fixture f;
    if (load_measures(&f) < 0) { free_measures(&f); return; }
    ws_fit_predict_opts o;
    ws_fit_predict_opts_default(&o);
    ws_fit_predict p;
    ws_err e = {{0}};
    CHECK(ws_fit_predict_run(f.W, f.rows, f.n, &f.r, &f.s, &o, &p, &e) == 0);
    CHECKF(p.why == NULL, "%s", p.why);
    char key[32];
    const double *got[] = {p.r2_mu, p.r2_sigma, p.r2_amp, p.pc_share, p.r2_pc, p.align};
    const char *name[] = {"r2_mu", "r2_sigma", "r2_amp", "pc_share", "r2_pc", "align"};
    for (int q = 0; q < 6; q++)
        for (int k = 0; k < 3; k++) {
            snprintf(key, sizeof key, "%s%d", name[q], k);
            CHECK_NEAR(got[q][k], measure_ref(key), 1e-6);
        }
    for (int k = 0; k < 3; k++) {
        snprintf(key, sizeof key, "align_eig%d", k);
        CHECK(p.align_eig[k] == (int)measure_ref(key));
    }
    CHECK(p.r2_amp[0] > 0.99 && p.r2_amp[1] < 0.2 && p.r2_mu_mean < 0.2);
    CHECK(p.rows == 60 && p.npc == 3);
    /* not in d-space, a grid fit, too few rows: a reason, no numbers */
    CHECK(ws_fit_predict_run(f.W, f.rows, f.n + 1, &f.r, &f.s, &o, &p, &e) == 0 && p.why && isnan(p.r2_amp[0]));
    f.r.s.fitted = 9;
    CHECK(ws_fit_predict_run(f.W, f.rows, f.n, &f.r, &f.s, &o, &p, &e) == 0 && p.why);
    f.r.s.fitted = f.rows, f.r.s.mode = WS_FIT_MODE_GRID;
    CHECK(ws_fit_predict_run(f.W, f.rows, f.n, &f.r, &f.s, &o, &p, &e) == 0 && p.why);
    free_measures(&f);
}

/* The fit measurements against numpy/scipy on the same rows. */
static void test_measures(void)
{
    measures_fixture f;
    if (load_measures(&f) < 0) { free_measures(&f); return; }
    ws_fit_measures m;
    ws_fit_measure(&f.r, f.s.lam, f.s.d, &m);
    struct { const char *key; double got; } v[] = {
        {"sigma_mean", m.sigma_mean}, {"sigma_cv", m.sigma_cv}, {"amp_mean", m.amp_mean},
        {"amp_cv", m.amp_cv}, {"amp_abs_mean", m.amp_abs_mean}, {"centre_slope", m.centre_slope},
        {"centre_intercept", m.centre_intercept}, {"sigma_spacing_r", m.sigma_spacing_r},
        {"sigma_spacing_p", m.sigma_spacing_p}, {"amp_sv_r", m.amp_sv_r}, {"amp_sv_p", m.amp_sv_p},
        {"params", m.params}, {"params_l1", m.params_l1},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        CHECKF(fabs(v[i].got - measure_ref(v[i].key)) <= 1e-7 * fmax(1, fabs(measure_ref(v[i].key))),
               "%s: %.10g vs %.10g", v[i].key, v[i].got, measure_ref(v[i].key));
    char key[32];
    const double *per[] = {m.mu_k, m.sigma_k, m.sigma_cv_k, m.amp_k, m.amp_cv_k, m.amp_abs_k};
    const char *name[] = {"mu_k", "sigma_k", "sigma_cv_k", "amp_k", "amp_cv_k", "amp_abs_k"};
    for (int q = 0; q < 6; q++)
        for (int k = 0; k < 3; k++) {
            snprintf(key, sizeof key, "%s%d", name[q], k);
            double want = measure_ref(key);
            CHECKF(fabs(per[q][k] - want) <= 1e-7 * fmax(1, fabs(want)), "%s: %.10g vs %.10g", key, per[q][k], want);
        }
    CHECK(isnan(m.params_l2) == 0 && m.params_l2 == 0);
    /* without eigenvalues: no correlations */
    ws_fit_measure(&f.r, NULL, 0, &m);
    CHECK(isnan(m.sigma_spacing_r) && isnan(m.amp_sv_p) && isfinite(m.centre_slope));
    free_measures(&f);
}

/* Null baselines of the fit statistics: a noise matrix sits within a few
 * null sds of its nulls; rows built from K Gaussians stand far above them
 * (p < 0.01); the draws are seeded. */
static void test_fit_nulls(void)
{
    enum { R = 48, N = 64 };
    static float noise[R * N], planted[R * N];
    ws_rng g;
    ws_rng_seed(&g, 21);
    for (int i = 0; i < R * N; i++) noise[i] = (float)(0.02 * ws_rng_normal(&g));
    for (int i = 0; i < R; i++)
        for (int j = 0; j < N; j++) {
            double w = 0.002 * ws_rng_normal(&g);
            for (int k = 0; k < 4; k++) {
                double mu = 8 + 16 * k + 3 * sin(i + k), s = 4 + k;
                w += 0.05 * cos(i * 0.3 + k) * exp(-(j - mu) * (j - mu) / (2 * s * s));
            }
            planted[i * N + j] = (float)w;
        }
    ws_fit_matrix_opts mo;
    ws_fit_matrix_opts_default(&mo);
    mo.sample = 16;
    ws_null_opts no = {.n = 12, .seed = 3};
    ws_fit_result r[2];
    ws_err e;
    CHECK(ws_fit_matrix(noise, R, N, &mo, &r[0], NULL, &e) == 0);
    CHECK(ws_fit_matrix(planted, R, N, &mo, &r[1], NULL, &e) == 0);
    ws_fit_null_job jobs[2] = {{noise, R, N, "noise", &r[0], &r[0].s}, {planted, R, N, "planted", &r[1], &r[1].s}};
    CHECK(ws_fit_nulls_run(jobs, 2, &mo, &no, NULL, &e) == 0);
    const ws_null *nz = r[0].s.null.s[WS_FN_R2], *pl = r[1].s.null.s[WS_FN_R2];
    CHECK(r[0].s.null.n == 12 && nz[WS_NULL_GAUSS].n == 12);
    CHECKF(fabs(nz[WS_NULL_GAUSS].z) < 4 && fabs(nz[WS_NULL_PERM].z) < 4, "noise: z %g, %g",
           nz[WS_NULL_GAUSS].z, nz[WS_NULL_PERM].z);
    /* both matrices have 16 rows of 64: one gauss law, shared draws */
    CHECK(pl[WS_NULL_GAUSS].mean == nz[WS_NULL_GAUSS].mean && pl[WS_NULL_GAUSS].std == nz[WS_NULL_GAUSS].std);
    CHECKF(pl[WS_NULL_GAUSS].z > 3 && pl[WS_NULL_PERM].z > 3, "planted: z %g, %g", pl[WS_NULL_GAUSS].z,
           pl[WS_NULL_PERM].z);
    CHECK(r[1].s.r2 > 0.9 && pl[WS_NULL_GAUSS].mean < 0.6);
    CHECK(isnan(r[0].s.null.s[WS_FN_L2_R2][WS_NULL_GAUSS].mean));   /* level 1: no L2 statistic */
    /* seeded: the same draws again */
    double z = pl[WS_NULL_PERM].z;
    CHECK(ws_fit_nulls_run(jobs + 1, 1, &mo, &no, NULL, &e) == 0 && r[1].s.null.s[WS_FN_R2][WS_NULL_PERM].z == z);
    no.n = 0;
    CHECK(ws_fit_nulls_run(jobs, 2, &mo, &no, NULL, &e) == 0 && r[0].s.null.n == 0);
    ws_fit_result_free(&r[0]);
    ws_fit_result_free(&r[1]);
}

int main(void)
{
    test_gauss_fill();
    test_recovery();
    test_grid();
    test_degenerate();
    test_matrix();
    test_cancelling();
    test_predict();
    test_measures();
    test_fit_nulls();
    test_scipy();
    return check_done();
}
