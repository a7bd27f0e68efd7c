#include "basis_stats.h"

#include <math.h>
#include <stdlib.h>

#include "basis.h"
#include "pr.h"

void ws_basis_vector(const double *energy, int d, int k, double *out)
{
    double total = 0, kept = 0;
    for (int i = 0; i < d; i++) {
        total += energy[i];
        if (i < k)
            kept += energy[i];
    }
    out[WS_BS_COMPS50] = ws_components_for(energy, d, 0.5);
    out[WS_BS_COMPS90] = ws_components_for(energy, d, 0.9);
    out[WS_BS_SHARE] = total > 0 ? kept / total : NAN;
    out[WS_BS_KEPT] = kept;
    out[WS_BS_TOTAL] = total;
}

static void clear(double *out)
{
    for (int i = 0; i < WS_BS_NSTAT; i++)
        out[i] = NAN;
}

int ws_basis_stats(const void *ctx, const float *w, int64_t rows, int64_t cols, double *out,
                   ws_err *e)
{
    const ws_basis_ctx *c = ctx;
    int d = c->spec->d;
    clear(out);
    double *en = malloc((size_t)d * sizeof *en);
    if (!en)
        return ws_fail(e, "out of memory for %d energies", d);
    ws_energy st;
    int rc = ws_basis_energy_gram(c->spec, w, rows, cols, en, &st, e);
    if (rc == 0 && st.status == WS_AS_OK)
        ws_basis_vector(en, d, c->k, out);
    free(en);
    return rc;
}

static int basis_gauss(const void *ctx, int64_t rows, int64_t cols, double sd, ws_rng *r,
                       double *out, ws_err *e)
{
    const ws_basis_ctx *c = ctx;
    int d = c->spec->d;
    int64_t projected = cols == d ? rows : cols;   /* the vectors projected */
    double *en = malloc((size_t)d * sizeof *en);
    if (!en)
        return ws_fail(e, "out of memory for %d energies", d);
    for (int i = 0; i < d; i++)
        en[i] = 2 * sd * sd * ws_rng_gamma(r, (double)projected / 2);   /* s²·χ²_r */
    ws_basis_vector(en, d, c->k, out);
    free(en);
    return 0;
}

static int basis_same(const void *a, const void *b)
{
    const ws_basis_ctx *x = a, *y = b;
    return x->spec == y->spec && x->k == y->k;
}

static void basis_scale(const void *ctx, double sd, double *out)
{
    (void)ctx;
    out[WS_BS_KEPT] *= sd * sd;
    out[WS_BS_TOTAL] *= sd * sd;
}

const ws_null_stat ws_basis_null_stat = {ws_basis_stats, basis_gauss, basis_same, basis_scale};
