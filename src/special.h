/* Distribution functions for significance tests, in double precision.
 *
 * Written here rather than taken from a library: the few functions needed
 * (the regularised incomplete beta and what follows from it) are ~60 lines,
 * while the Debian candidates (GSL, Rmath) are large GPL libraries. Each is
 * checked against scipy.special / scipy.stats (tests/ref/nulls_ref.py). */
#ifndef WS_SPECIAL_H
#define WS_SPECIAL_H

/* Standard normal CDF Φ(x). */
double ws_normal_cdf(double x);

/* Regularised incomplete beta I_x(a, b) for a, b > 0, 0 ≤ x ≤ 1
 * (scipy.special.betainc); NaN outside. */
double ws_beta_inc(double a, double b, double x);

/* Two-sided p-value of Student's t with nu degrees of freedom:
 * P(|T| ≥ |t|) (2·scipy.stats.t.sf(|t|, nu)). */
double ws_student_t_p(double t, double nu);

/* Two-sided p-value of a Pearson correlation r over n pairs under the
 * hypothesis of no correlation (independent normal pairs): the t-test
 * t = r·√((n−2)/(1−r²)) with n−2 degrees of freedom, what
 * scipy.stats.pearsonr reports. 0 when |r| = 1, NaN when n < 3 or r is NaN. */
double ws_pearson_p(double r, int n);

#endif
