/* Internal to the fits: the vector kernels that most of an L1 fit's time is
 * spent in (dot products for JᵀJ, the residual, the Jacobian columns). */
#ifndef WS_FIT_KERNELS_H
#define WS_FIT_KERNELS_H

#include <stdint.h>

/* Σ a[j]·b[j], j = 0..n−1. */
double ws_kdot(const double *a, const double *b, int64_t n);

/* out[3u + v] = Σ x[u·stride + j]·y[v·stride + j] over j ∈ [j0, j1), u,
 * v = 0..2: the nine dot products of two components' three Jacobian
 * columns (one block of JᵀJ), sharing their loads. */
void ws_kdot3x3(const double *x, const double *y, int64_t stride, int64_t j0, int64_t j1, double *out);

/* r[j] −= A·g[j], j = 0..n−1 (r and g do not overlap). */
void ws_ksub_scaled(double *r, const double *g, double A, int64_t n);

/* M[r·ld + c] −= u[r]·u[c] for r, c = 0..len−1: the rank-one update of a
 * right-looking Cholesky step (the whole square, which is cheaper in
 * vector code than the triangle). */
void ws_krank1_sub(double *M, int64_t ld, const double *u, int64_t len);

/* The Gaussian's multiplicative recurrence, walking from j0 in steps of
 * s = ±1: g[j0 + s·t] = g[j0 + s·(t−1)]·r_t for t = 1..len, with r_1 = r
 * and r_{t+1} = r_t·q. Four lanes advance four steps at a time (each by
 * its own four-step ratio), so the chain of dependent multiplications is
 * a quarter as long. */
void ws_kgauss_walk(double *g, int64_t j0, int s, int64_t len, double r, double q);

/* The Jacobian columns of one component over j ∈ [lo, hi), from its
 * Gaussian g: ja = g, jm = cm·g·(j−μ), js = cs·g·(j−μ)². */
void ws_kjac(const double *g, int64_t lo, int64_t hi, double mu, double cm, double cs,
             double *ja, double *jm, double *js);

#endif
