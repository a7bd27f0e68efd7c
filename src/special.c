#include "special.h"

#include <float.h>
#include <math.h>

double ws_normal_cdf(double x) { return 0.5 * erfc(-x / M_SQRT2); }

/* Continued fraction of I_x(a, b) (modified Lentz), converging fast for
 * x < (a + 1)/(a + b + 2); the caller uses the symmetry otherwise. */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        /* Even step, then odd step, of the fraction's coefficients. */
        for (int odd = 0; odd < 2; odd++) {
            double num = odd ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                             : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d;
            if (fabs(d) < tiny)
                d = tiny;
            c = 1 + num / c;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1 / d;
            h *= d * c;
            if (odd && fabs(d * c - 1) < 4 * DBL_EPSILON)
                return h;
        }
    }
    return h;
}

double ws_beta_inc(double a, double b, double x)
{
    if (!(a > 0 && b > 0 && x >= 0 && x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    /* x^a (1−x)^b / (a B(a, b)), in logs. */
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lfront) * beta_cf(a, b, x) / a;
    return 1 - exp(lfront) * beta_cf(b, a, 1 - x) / b;
}

double ws_student_t_p(double t, double nu)
{
    if (isnan(t) || !(nu > 0))
        return NAN;
    if (isinf(t))
        return 0;
    return ws_beta_inc(nu / 2, 0.5, nu / (nu + t * t));
}

double ws_pearson_p(double r, int n)
{
    if (isnan(r) || n < 3)
        return NAN;
    double r2 = r * r;
    if (r2 >= 1)
        return 0;
    double nu = n - 2;
    /* t² = r² ν / (1 − r²), so ν/(ν + t²) = 1 − r²: no t needed. */
    return ws_beta_inc(nu / 2, 0.5, 1 - r2);
}
