/* The bodies of the L1 fit's vector kernels (fit_kernels.h), included twice
 * by fit_kernels.c: once compiled for AVX2, once for the baseline. Before
 * each inclusion fit_kernels.c defines KTARGET (the target attribute) and
 * KNAME(name) (the name of this compilation of a kernel). No include guard:
 * that is the point. */

KTARGET static double KNAME(ws_kdot)(const double *a, const double *b, int64_t n)
{
    v4d s0 = {0, 0, 0, 0}, s1 = s0;
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        s0 += *(const v4d *)(a + j) * *(const v4d *)(b + j);
        s1 += *(const v4d *)(a + j + 4) * *(const v4d *)(b + j + 4);
    }
    if (j + 4 <= n) {
        s0 += *(const v4d *)(a + j) * *(const v4d *)(b + j);
        j += 4;
    }
    s0 += s1;
    double s = hsum(&s0);
    for (; j < n; j++) s += a[j] * b[j];
    return s;
}

KTARGET static void KNAME(ws_kdot3x3)(const double *x, const double *y, int64_t stride, int64_t j0,
                                       int64_t j1, double *out)
{
    const double *x0 = x, *x1 = x + stride, *x2 = x + 2 * stride;
    const double *y0 = y, *y1 = y + stride, *y2 = y + 2 * stride;
    v4d s00 = {0, 0, 0, 0}, s01 = s00, s02 = s00, s10 = s00, s11 = s00, s12 = s00, s20 = s00,
        s21 = s00, s22 = s00;
    int64_t j = j0;
    for (; j + 4 <= j1; j += 4) {
        v4d a = *(const v4d *)(x0 + j), b = *(const v4d *)(x1 + j), c = *(const v4d *)(x2 + j);
        v4d p = *(const v4d *)(y0 + j), q = *(const v4d *)(y1 + j), r = *(const v4d *)(y2 + j);
        s00 += a * p, s01 += a * q, s02 += a * r;
        s10 += b * p, s11 += b * q, s12 += b * r;
        s20 += c * p, s21 += c * q, s22 += c * r;
    }
    out[0] = hsum(&s00), out[1] = hsum(&s01), out[2] = hsum(&s02);
    out[3] = hsum(&s10), out[4] = hsum(&s11), out[5] = hsum(&s12);
    out[6] = hsum(&s20), out[7] = hsum(&s21), out[8] = hsum(&s22);
    for (; j < j1; j++)
        for (int u = 0; u < 3; u++)
            for (int v = 0; v < 3; v++) out[3 * u + v] += x[u * stride + j] * y[v * stride + j];
}

KTARGET static void KNAME(ws_ksub_scaled)(double *r, const double *g, double A, int64_t n)
{
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) *(v4d *)(r + j) -= A * *(const v4d *)(g + j);
    for (; j < n; j++) r[j] -= A * g[j];
}

KTARGET static void KNAME(ws_krank1_sub)(double *M, int64_t ld, const double *u, int64_t len)
{
    for (int64_t r = 0; r < len; r++) {
        double *row = M + r * ld, ur = u[r];
        int64_t c = 0;
        for (; c + 4 <= len; c += 4) *(v4d *)(row + c) -= ur * *(const v4d *)(u + c);
        for (; c < len; c++) row[c] -= ur * u[c];
    }
}

KTARGET static void KNAME(ws_kgauss_walk)(double *g, int64_t j0, int s, int64_t len, double r, double q)
{
    double v = g[j0], r1 = r;
    int64_t t = 1;
    for (; t <= len && t <= 4; t++) {
        v *= r, r *= q;
        g[j0 + s * t] = v;
    }
    if (len >= 8) {
        /* lane i holds the value at step 1+i; its ratio four steps on is
         * r_{2+i}·r_{3+i}·r_{4+i}·r_{5+i} = r_1⁴·q^(4i+10), and every ratio
         * grows by q¹⁶ per block */
        double q2 = q * q, q4 = q2 * q2, q8 = q4 * q4, R0 = r1 * r1 * r1 * r1 * q8 * q2;
        v4d G = {g[j0 + s], g[j0 + 2 * s], g[j0 + 3 * s], v};
        v4d R = {R0, R0 * q4, R0 * q8, R0 * q8 * q4};
        for (; t + 3 <= len; t += 4) {
            G *= R;
            R *= q8 * q8;
            if (s > 0) *(v4d *)(g + j0 + t) = G;
            else *(v4d *)(g + j0 - t - 3) = (v4d){G[3], G[2], G[1], G[0]};   /* reversed */
            r *= q4;   /* r_t for the scalar tail */
        }
        v = G[3];
    }
    for (; t <= len; t++) {
        v *= r, r *= q;
        g[j0 + s * t] = v;
    }
}

KTARGET static void KNAME(ws_kjac)(const double *g, int64_t lo, int64_t hi, double mu, double cm,
                                   double cs, double *ja, double *jm, double *js)
{
    int64_t j = lo;
    v4d d = {(double)lo - mu, (double)lo + 1 - mu, (double)lo + 2 - mu, (double)lo + 3 - mu};
    for (; j + 4 <= hi; j += 4, d += 4) {
        v4d gv = *(const v4d *)(g + j), t = gv * d;
        *(v4d *)(ja + j) = gv;
        *(v4d *)(jm + j) = cm * t;
        *(v4d *)(js + j) = cs * t * d;
    }
    for (; j < hi; j++) {
        double dd = (double)j - mu, t = g[j] * dd;
        ja[j] = g[j];
        jm[j] = cm * t;
        js[j] = cs * t * dd;
    }
}
