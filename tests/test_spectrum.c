/* Embedding spectrum, pairs and spectral energy against numpy float64
 * (tests/ref/spectra_ref.py). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "spectra_fixture.h"
#include "gram.h"
#include "spectrum.h"

/* The tolerance rule the fixtures were written for. */
static const ws_pair_rule tol_rule = {.tol = WS_PAIR_TOL_DEFAULT, .alpha = WS_PAIR_ALPHA_DEFAULT};

static void check_eigs(const char *name)
{
    int r, c;
    float *e = fx_getf(name, &r, &c);
    char key[80];
    snprintf(key, sizeof key, "%s_lam", name);
    const fx_block *ref = fx_get(key);
    snprintf(key, sizeof key, "%s_pairs", name);
    const fx_block *pr = fx_get(key);
    int want_pairs = (int)pr->v[0];
    ws_spectrum s;
    ws_err err;
    CHECK(ws_spectrum_compute(e, r, c, &tol_rule, &s, &err) == 0);
    CHECK(s.status == WS_AS_OK && s.d == c);
    for (int i = 0; i < c; i++)
        CHECK_REL(s.lam[i], ref->v[i], 1e-6);
    CHECK_NEAR(s.decay[0], 1.0, 1e-15);
    CHECKF(s.n_pairs == want_pairs, "%s: %d pairs, want %d", name, s.n_pairs, want_pairs);
    for (int p = 0; p < s.n_pairs && p < want_pairs; p++) {
        CHECK(s.pairs[p].i == (int)pr->v[1 + p]);
        CHECK(s.pairs[p].gap <= 0.01);
    }
    /* Eigenvectors: E v_j has squared norm λ_j. */
    for (int j = 0; j < 3; j++) {
        double n2 = 0;
        for (int row = 0; row < r; row++) {
            double dot = 0;
            for (int k = 0; k < c; k++)
                dot += (double)e[(size_t)row * c + k] * s.vec[j * c + k];
            n2 += dot * dot;
        }
        CHECK_REL(n2, s.lam[j], 1e-9);
    }
    ws_spectrum_free(&s);
    free(e);
}

static void check_energy(const ws_spectrum *s, const char *name)
{
    int r, c;
    float *w = fx_getf(name, &r, &c);
    char key[80];
    snprintf(key, sizeof key, "%s_energy", name);
    const fx_block *en_ref = fx_get(key);
    snprintf(key, sizeof key, "%s_counts", name);
    const fx_block *cnt = fx_get(key);
    double *en = malloc((size_t)c * sizeof *en);
    ws_energy out;
    ws_err err;
    CHECK(ws_spectral_energy(s, w, r, c, en, &out, &err) == 0);
    for (int i = 0; i < c; i++)
        CHECK_REL(en[i], en_ref->v[i], 1e-6);
    CHECKF(out.comps50 == (int)cnt->v[0], "%s: 50%% at %d, want %g", name, out.comps50, cnt->v[0]);
    CHECKF(out.comps90 == (int)cnt->v[1], "%s: 90%% at %d, want %g", name, out.comps90, cnt->v[1]);
    snprintf(key, sizeof key, "%s_ev_r", name);
    const fx_block *ev = fx_get(key);   /* scipy.stats.pearsonr(energies, eigenvalues) */
    CHECK_REL(out.ev_r, ev->v[0], 1e-9);
    CHECK_REL(out.ev_p, ev->v[1], 1e-6);
    free(en);
    free(w);
}

static void check_degenerate(void)
{
    ws_spectrum s;
    ws_err err;
    float z[12] = {0};
    CHECK(ws_spectrum_compute(z, 4, 3, &tol_rule, &s, &err) == 0 && s.status == WS_AS_ZERO && !s.lam);
    float nan_e[6] = {1, 2, 3, NAN, 5, 6};
    CHECK(ws_spectrum_compute(nan_e, 2, 3, &tol_rule, &s, &err) == 0 && s.status == WS_AS_NONFINITE);
    CHECK(ws_spectrum_compute(z, 0, 3, &tol_rule, &s, &err) == 0 && s.status == WS_AS_EMPTY);
    /* One row: rank 1, a valid spectrum with zeros and no pairs among them. */
    float one[3] = {3, 4, 0};
    CHECK(ws_spectrum_compute(one, 1, 3, &tol_rule, &s, &err) == 0 && s.status == WS_AS_OK);
    CHECK_REL(s.lam[0], 25.0, 1e-12);
    CHECK(s.n_pairs == 0);
    ws_energy en;
    CHECK(ws_spectral_energy(&s, z, 2, 3, NULL, &en, &err) == 0 && en.status == WS_AS_ZERO);
    CHECK(ws_spectral_energy(&s, z, 3, 2, NULL, &en, &err) == -1);
    CHECK_STR_CONTAINS(err.msg, "columns");
    ws_spectrum_free(&s);
}

static void check_scan(void)
{
    float v[5] = {-0.0f, 0.0f, -0.0f, 0.0f, 0.0f};
    CHECK(ws_scan_values(v, 1, 5) == WS_AS_ZERO);            /* -0 is zero */
    v[4] = 1e-45f;                                            /* a denormal in the odd tail */
    CHECK(ws_scan_values(v, 1, 5) == WS_AS_OK);
    v[4] = NAN;
    CHECK(ws_scan_values(v, 1, 5) == WS_AS_NONFINITE);
    v[4] = 0;
    v[1] = -INFINITY;
    CHECK(ws_scan_values(v, 5, 1) == WS_AS_NONFINITE);
    v[1] = 3.4e38f;                                           /* the largest floats are finite */
    v[2] = -3.4e38f;
    CHECK(ws_scan_values(v, 1, 5) == WS_AS_OK);
    CHECK(ws_scan_values(v, 0, 5) == WS_AS_EMPTY);
}

static void check_pairs_rule(void)
{
    ws_pair p[4];
    double three[] = {10, 9.95, 9.9, 1};   /* a triple: one pair, then 9.9 vs 1 */
    CHECK(ws_find_pairs(three, 4, 0.01, p) == 1 && p[0].i == 0);
    CHECK_NEAR(p[0].gap, 0.005, 1e-15);
    double zeros[] = {4, 0, 0};             /* numerical zeros are never paired */
    CHECK(ws_find_pairs(zeros, 3, 0.01, p) == 0);
}

int main(void)
{
    check_eigs("E_rand");
    check_eigs("E_pairs");
    check_eigs("E_gap");
    /* Built with repeated singular values: found where they were put. */
    const fx_block *pp = fx_get("E_pairs_pairs");
    CHECK(pp->v[0] == 4 && pp->v[1] == 1 && pp->v[2] == 3 && pp->v[3] == 5 && pp->v[4] == 9);
    /* Built with 2 % gaps between singular values: none found. */
    CHECK(fx_get("E_gap_pairs")->v[0] == 0);

    int r, c;
    float *e = fx_getf("E_rand", &r, &c);
    ws_spectrum s;
    ws_err err;
    CHECK(ws_spectrum_compute(e, r, c, &tol_rule, &s, &err) == 0);
    check_energy(&s, "W_energy_rand");
    check_energy(&s, "W_energy_top");
    ws_spectrum_free(&s);
    free(e);

    check_degenerate();
    check_pairs_rule();
    check_scan();
    return check_done();
}
