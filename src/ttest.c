/* Welch's t-test and the incomplete beta function behind it (see ttest.h). */
#include "ttest.h"

#include <math.h>

/* Continued fraction of I_x(a, b) (modified Lentz), good for x below
 * (a+1)/(a+b+2); the caller uses the symmetry I_x(a,b) = 1 − I_{1−x}(b,a)
 * for the rest. */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        /* the even step d_{2m}, then the odd step d_{2m+1} */
        for (int odd = 0; odd < 2; odd++) {
            double num = odd ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                             : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d;
            c = 1 + num / c;
            if (fabs(d) < tiny)
                d = tiny;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1 / d;
            h *= d * c;
            if (odd && fabs(d * c - 1) < eps)
                return h;
        }
    }
    return h;
}

double ws_betainc(double a, double b, double x)
{
    if (!(a > 0 && b > 0) || !(x >= 0 && x <= 1))
        return NAN;
    if (x == 0 || x == 1)
        return x;
    /* x^a (1−x)^b / (a B(a, b)), in logs */
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2))
        return exp(lfront) * beta_cf(a, b, x) / a;
    return 1 - exp(lfront) * beta_cf(b, a, 1 - x) / b;
}

double ws_student_p2(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    if (isinf(t))
        return 0;
    return ws_betainc(df / 2, 0.5, df / (df + t * t));
}

double ws_pearson_p(double r, int n)
{
    if (isnan(r) || n < 3)
        return NAN;
    if (r * r >= 1)
        return 0;
    /* t² = r²ν/(1 − r²), so ν/(ν + t²) = 1 − r²: no t needed. */
    return ws_betainc((n - 2) / 2.0, 0.5, 1 - r * r);
}

ws_welch ws_welch_test(double m1, double s1, int n1, double m2, double s2, int n2)
{
    ws_welch w = {m2 - m1, NAN, NAN, NAN, NAN};
    if (n1 < 2 || n2 < 2 || !isfinite(m1) || !isfinite(m2) || !isfinite(s1) || !isfinite(s2))
        return w;
    double v1 = s1 * s1 / n1, v2 = s2 * s2 / n2;
    w.se = sqrt(v1 + v2);
    if (!(w.se > 0))
        return w;
    w.t = w.diff / w.se;
    w.df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
    w.p = ws_student_p2(w.t, w.df);
    return w;
}
