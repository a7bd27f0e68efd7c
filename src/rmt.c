#include "rmt.h"

#include <lapacke.h>
#include <math.h>

void ws_mp_edges(double n, double p, double sigma2, double *lo, double *hi)
{
    double a = sqrt(n), b = sqrt(p);
    *lo = sigma2 * (a - b) * (a - b);
    *hi = sigma2 * (a + b) * (a + b);
}

double ws_mp_pr(double n, double p) { return (n * p + 2) / (n + p + 1); }

double ws_mp_pc1(double n, double p)
{
    double a = sqrt(n - 0.5), b = sqrt(p - 0.5);
    double mu = (a + b) * (a + b), sd = (a + b) * cbrt(1 / a + 1 / b);
    return (mu + WS_TW1_MEAN * sd) / (n * p);
}

int ws_laguerre_draw(ws_rng *r, int64_t n, int64_t p, double *lam, double *work, ws_err *e)
{
    int64_t m = n < p ? n : p, big = n < p ? p : n;
    if (m < 1)
        return 0;
    /* B upper bidiagonal (diagonal b, superdiagonal c); its squared
     * singular values are the eigenvalues of the tridiagonal BᵀB:
     * diagonal b_i² + c_{i−1}², off-diagonal b_i·c_i. dsterf (root-free
     * QR) is about twice as fast as the bidiagonal SVD here. */
    double prev_c = 0;
    for (int64_t i = 0; i < m; i++) {
        double b = ws_rng_chi(r, (double)(big - i));
        double c = i + 1 < m ? ws_rng_chi(r, (double)(m - 1 - i)) : 0;
        lam[i] = b * b + prev_c * prev_c;
        if (i + 1 < m)
            work[i] = b * c;
        prev_c = c;
    }
    lapack_int info = LAPACKE_dsterf((lapack_int)m, lam, work);
    if (info != 0)
        return ws_fail(e, "tridiagonal eigenvalues failed (LAPACK info %d)", (int)info);
    /* dsterf sorts ascending. */
    for (int64_t i = 0; i < m / 2; i++) {
        double t = lam[i];
        lam[i] = lam[m - 1 - i];
        lam[m - 1 - i] = t;
    }
    return 0;
}

double ws_wigner_cdf(double s) { return s > 0 ? -expm1(-M_PI * s * s / 4) : 0; }

void ws_unfold_spacings(const double *lam, int n, int half, double *s)
{
    int ng = n - 1;
    for (int i = 0; i < ng; i++)
        s[i] = NAN;
    if (ng < 2)
        return;
    int want = 2 * half < ng - 1 ? 2 * half : ng - 1;   /* other gaps in the window */
    for (int i = 0; i < ng; i++) {
        /* The window [lo, lo + want] holds i and `want` others. */
        int lo = i - half;
        if (lo < 0)
            lo = 0;
        if (lo + want > ng - 1)
            lo = ng - 1 - want;
        double sum = 0;
        for (int j = lo; j <= lo + want; j++)
            if (j != i)
                sum += log(lam[j] / lam[j + 1]);
        double mean = sum / want;
        if (mean > 0)
            s[i] = log(lam[i] / lam[i + 1]) / mean;
    }
}
