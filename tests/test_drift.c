/* Drift (RMS, relative, cosine) against numpy (tests/ref/spectra_ref.py),
 * pooling, and degenerate inputs. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "drift.h"
#include "spectra_fixture.h"

int main(void)
{
    int r, c;
    float *w0 = fx_getf("D_w0", &r, &c), *w1 = fx_getf("D_w1", NULL, NULL);
    const fx_block *ref = fx_get("D_ref");
    size_t n = (size_t)r * c;
    ws_drift d = {0};
    ws_drift_add(&d, w0, w1, n);
    ws_drift_finish(&d);
    CHECK(d.status == WS_AS_OK);
    CHECK_REL(d.rms, ref->v[0], 1e-6);
    CHECK_REL(d.rel, ref->v[1], 1e-6);
    CHECK_REL(d.cos, ref->v[2], 1e-6);

    /* Pooling two halves gives the whole. */
    ws_drift h1 = {0}, h2 = {0};
    ws_drift_add(&h1, w0, w1, n / 2);
    ws_drift_add(&h2, w0 + n / 2, w1 + n / 2, n - n / 2);
    ws_drift_pool(&h1, &h2);
    ws_drift_finish(&h1);
    CHECK_REL(h1.rms, d.rms, 1e-12);
    CHECK_REL(h1.cos, d.cos, 1e-12);

    float *delta = malloc(n * sizeof *delta);
    ws_drift_delta(w0, w1, n, delta);
    CHECK(delta[7] == w1[7] - w0[7]);

    /* Identical: zero drift, cosine 1. */
    ws_drift same = {0};
    ws_drift_add(&same, w0, w0, n);
    ws_drift_finish(&same);
    CHECK(same.rms == 0 && same.rel == 0);
    CHECK_NEAR(same.cos, 1.0, 1e-12);

    /* Zero base: relative and cosine undefined, a status says why. */
    float z[4] = {0}, one[4] = {1, 1, 1, 1};
    ws_drift zd = {0};
    ws_drift_add(&zd, z, one, 4);
    ws_drift_finish(&zd);
    CHECK(zd.status == WS_AS_ZERO && isnan(zd.rel) && isnan(zd.cos));
    CHECK_NEAR(zd.rms, 1.0, 1e-15);
    CHECK_STR_CONTAINS(ws_drift_note(&zd), "base is zero");
    ws_drift both = {0};
    ws_drift_add(&both, z, z, 4);
    ws_drift_finish(&both);
    CHECK_STR_CONTAINS(ws_drift_note(&both), "base and tuned are zero");
    CHECK_STR_CONTAINS(ws_drift_note(&d), "ok");
    float nan4[4] = {1, NAN, 1, 1};
    ws_drift nd = {0};
    ws_drift_add(&nd, one, nan4, 4);
    ws_drift_finish(&nd);
    CHECK(nd.status == WS_AS_NONFINITE && isnan(nd.rms));
    ws_drift empty = {0};
    ws_drift_finish(&empty);
    CHECK(empty.status == WS_AS_EMPTY);

    free(delta), free(w0), free(w1);
    return check_done();
}
