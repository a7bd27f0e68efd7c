/* Welch's t-test: do two means differ by more than their noise?
 *
 * For samples of sizes n₁, n₂ with means m₁, m₂ and sample standard
 * deviations s₁, s₂: SE = √(s₁²/n₁ + s₂²/n₂), t = (m₂ − m₁)/SE,
 * Welch–Satterthwaite degrees of freedom
 *     ν = SE⁴ / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)),
 * and the two-sided p-value P(|T_ν| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2), I the
 * regularized incomplete beta function (scipy.stats.ttest_ind with
 * equal_var=False gives the same numbers). */
#ifndef WS_TTEST_H
#define WS_TTEST_H

typedef struct ws_welch {
    double diff;             /* m₂ − m₁ */
    double se, t, df, p;     /* NaN when not defined (n < 2, or no spread) */
} ws_welch;

/* Both samples need n >= 2; with no spread on either side (SE = 0) there
 * is no test: se is 0 and t, df, p are NaN. */
ws_welch ws_welch_test(double m1, double s1, int n1, double m2, double s2, int n2);

/* Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1]. */
double ws_betainc(double a, double b, double x);
/* Two-sided p-value of Student's t with df degrees of freedom (df > 0). */
double ws_student_p2(double t, double df);

/* Two-sided p-value of a Pearson correlation r over n pairs under the
 * hypothesis of no correlation (independent normal pairs): the t-test
 * t = r·√((n−2)/(1−r²)) with n−2 degrees of freedom, what
 * scipy.stats.pearsonr reports. 0 when |r| = 1, NaN when n < 3 or r is NaN. */
double ws_pearson_p(double r, int n);

#endif
