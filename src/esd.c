#include "esd.h"

#include <math.h>
#include <stdlib.h>

#include "rmt.h"
#include "spectrum.h"

/* Most eigenvalues kept on the stack for the ascending copy. */
#define ESD_STACK 4096

void ws_powerlaw_fit(const double *x, int n, double *alpha, double *xmin, double *ks_d,
                     int *n_tail)
{
    *alpha = *xmin = *ks_d = NAN;
    *n_tail = 0;
    if (n < 2)
        return;
    double lbuf[ESD_STACK], *lx = n <= ESD_STACK ? lbuf : malloc((size_t)n * sizeof *lx);
    if (!lx)
        return;
    for (int i = 0; i < n; i++)
        lx[i] = log(x[i]);
    double best = INFINITY;
    for (int i = 0; i + 1 < n; i++) {
        /* Σ ln(x/xmin) summed as differences: no cancellation. */
        double s = 0;
        for (int j = i + 1; j < n; j++)
            s += lx[j] - lx[i];
        double m = n - i, a = 1 + m / s;
        if (!(a > 1) || !isfinite(a))
            continue;
        /* D for this xmin, abandoned once it cannot beat the best. */
        double d = 0;
        for (int j = i; j < n && d < best; j++) {
            double cdf = -expm1((1 - a) * (lx[j] - lx[i]));
            double dev = fabs(cdf - (j - i) / m);
            if (dev > d)
                d = dev;
        }
        if (d < best) {
            best = d;
            *alpha = a, *xmin = x[i], *ks_d = d, *n_tail = n - i;
        }
    }
    if (lx != lbuf)
        free(lx);
}

void ws_esd_none(ws_esd *out, ws_astatus st)
{
    *out = (ws_esd){.status = st, .alpha = NAN, .xmin = NAN, .ks_d = NAN, .alpha_hat = NAN,
                    .log_spectral_norm = NAN, .stable_rank = NAN, .mp_edge = NAN};
}

void ws_esd_from_eigs(const double *lam, int n, int64_t rows, int64_t cols, ws_esd *out)
{
    ws_esd_none(out, WS_AS_ZERO);
    int k = ws_spectrum_rank(lam, n, rows, cols);
    if (k < 1)
        return;
    double sum = 0;
    for (int i = 0; i < k; i++)
        sum += lam[i];
    double big = (double)(rows > cols ? rows : cols), small = (double)(rows < cols ? rows : cols);
    double lo, hi;
    ws_mp_edges(big, small, sum / (big * small), &lo, &hi);
    out->status = WS_AS_OK;
    out->n = k;
    out->log_spectral_norm = log10(lam[0]);
    out->stable_rank = sum / lam[0];
    out->mp_edge = hi;
    while (out->spikes < k && lam[out->spikes] > hi)
        out->spikes++;
    double buf[ESD_STACK], *asc = k <= ESD_STACK ? buf : malloc((size_t)k * sizeof *asc);
    if (!asc)
        return;
    for (int i = 0; i < k; i++)
        asc[i] = lam[k - 1 - i];
    ws_powerlaw_fit(asc, k, &out->alpha, &out->xmin, &out->ks_d, &out->n_tail);
    out->alpha_hat = out->alpha * out->log_spectral_norm;
    if (asc != buf)
        free(asc);
}
