/* The Levenberg–Marquardt core of the L1 fit: one run from a start point
 * (the starts and moves around it are in fit_search.c).
 *
 * Parameters x = (A_0, μ_0, σ_0, A_1, ...), P = 3K, analytic Jacobian.
 * Each iteration solves (JᵀJ + λ·diag(D²)) δ = Jᵀr by Cholesky, with D the
 * running maximum of the Jacobian's column norms (MINPACK's scaling, so the
 * fit does not depend on the units of A, μ, σ). Bounds |A| ≤ c·max|w|,
 * μ ∈ [0, n−1], σ ∈ [σmin, σmax]: a parameter on its bound that the step pushes outward
 * is held, and one the step would carry out of the box is fixed on the
 * bound and the rest re-solved (projected LM). λ follows Nielsen's rule
 * (shrink by max(1/3, 1 − (2ρ−1)³) on success, grow by ν = 2, 4, 8 ... on
 * failure). Stopping mirrors MINPACK lmder: ftol (actual and predicted
 * relative SSE reduction), xtol (relative scaled step), gtol (cosine of
 * residual and Jacobian columns), maxfev = 100·(3K+1) evaluations per start
 * by default, as scipy's curve_fit with a Jacobian.
 *
 * Speed: the Gaussians come from a multiplicative recurrence (three exp()
 * per component per evaluation), everything is computed only over the
 * components' supports, and the inner loops are the vector kernels of
 * fit_kernels.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_kernels.h"
#include "fit_lm.h"

const char *ws_fit_status_name(ws_fit_status s)
{
    static const char *names[] = {"converged", "maxfev", "zero", "constant",
                                  "nonfinite", "too-short", "grid", "cancelling"};
    return (unsigned)s < WS_FIT_STATUS_COUNT ? names[s] : "?";
}

void ws_fit_opts_default(ws_fit_opts *o, int K)
{
    o->K = K;
    o->ftol = 1e-5;
    o->xtol = 1.49012e-8;
    o->gtol = 0.0;
    o->maxfev = 0;
    o->amp_bound = WS_FIT_AMP_BOUND;
}

void ws_gauss_fill(int64_t n, double mu, double sigma, double *g)
{
    /* g(j+1) = g(j)·r(j), r(j) = exp(−(2(j−μ)+1)/(2σ²)), r(j+1) = r(j)·q,
     * q = exp(−1/σ²), walking away from the peak (values only shrink, so an
     * underflow to 0 is the true answer). Beyond the support (WS_GAUSS_SUPPORT
     * σ, where g < 1e-17) g is set to 0 without computing it. */
    int64_t lo, hi;
    ws_gauss_support(n, mu, sigma, &lo, &hi);
    memset(g, 0, sizeof(double) * (size_t)lo);
    memset(g + hi, 0, sizeof(double) * (size_t)(n - hi));
    if (hi <= lo) return;
    double s2 = 2.0 * sigma * sigma, q = exp(-2.0 / s2);
    int64_t c = (int64_t)floor(mu);
    if (c < lo) c = lo;
    if (c > hi - 1) c = hi - 1;
    double d = (double)c - mu;
    g[c] = exp(-d * d / s2);
    ws_kgauss_walk(g, c, 1, hi - 1 - c, exp(-(2.0 * d + 1.0) / s2), q);
    ws_kgauss_walk(g, c, -1, c - lo, exp((2.0 * d - 1.0) / s2), q);
}

void ws_gauss_support(int64_t n, double mu, double sigma, int64_t *lo, int64_t *hi)
{
    double a = ceil(mu - WS_GAUSS_SUPPORT * sigma), b = floor(mu + WS_GAUSS_SUPPORT * sigma) + 1;
    *lo = a < 0 ? 0 : a > (double)n ? n : (int64_t)a;
    *hi = b < 0 ? 0 : b > (double)n ? n : (int64_t)b;
}

int ws_chol_solve(int m, double *M, double *b)
{
    /* Right-looking: row j of M becomes row j of U (M = UᵀU), then the
     * trailing block gets the rank-one update; every inner loop runs along
     * a row, where the vector kernels apply. */
    for (int j = 0; j < m; j++) {
        double *uj = M + j * m;
        if (!(uj[j] > 0)) return -1;
        double u = sqrt(uj[j]);
        uj[j] = u;
        for (int k = j + 1; k < m; k++) uj[k] /= u;
        ws_krank1_sub(M + (j + 1) * m + j + 1, m, uj + j + 1, m - j - 1);
    }
    /* Uᵀ y = b, column by column; then U x = y, row by row */
    for (int i = 0; i < m; i++) {
        b[i] /= M[i * m + i];
        ws_ksub_scaled(b + i + 1, M + i * m + i + 1, b[i], m - i - 1);
    }
    for (int i = m - 1; i >= 0; i--)
        b[i] = (b[i] - ws_kdot(M + i * m + i + 1, b + i + 1, m - i - 1)) / M[i * m + i];
    return 0;
}

size_t ws_lm_work_size(int64_t n, int K)
{
    /* g, g trial (K·n each), J (3K·n), r, r trial, the search's residual
     * and correlations (n each), its profiles */
    return (size_t)n * (size_t)(5 * K + 4) + ws_scan_table_size(n) + 2;
}


/* Gaussians at x and the residual w − model; returns the SSE. */
static double lm_eval(const ws_lm *S, const double *x, double *g, double *r)
{
    int64_t n = S->n;
    for (int k = 0; k < S->K; k++)
        ws_gauss_fill(n, x[3 * k + 1], x[3 * k + 2], g + k * n);
    memcpy(r, S->w, (size_t)n * sizeof *r);
    for (int k = 0; k < S->K; k++) {
        const double *gk = g + k * n;
        double A = x[3 * k];
        int64_t lo, hi;
        ws_gauss_support(n, x[3 * k + 1], x[3 * k + 2], &lo, &hi);
        ws_ksub_scaled(r + lo, gk + lo, A, hi - lo);
    }
    return ws_kdot(r, r, n);
}

/* Analytic Jacobian of the model (∂/∂A = g, ∂/∂μ = A g (j−μ)/σ²,
 * ∂/∂σ = A g (j−μ)²/σ³), then JᵀJ and Jᵀr. Component k's three columns
 * are nonzero only on its support [lo_k, hi_k), so JᵀJ is built from 3 × 3
 * blocks, one per pair of components, each over the two supports' overlap
 * (what J holds outside the supports is never read). */
static void lm_normal(const ws_lm *S, const double *x, double *JtJ, double *Jtr)
{
    int64_t n = S->n, lo[WS_FIT_KMAX], hi[WS_FIT_KMAX];
    int K = S->K, P = S->P;
    for (int k = 0; k < K; k++) {
        const double *gk = S->g + k * n;
        double *ja = S->J + (3 * k) * n, *jm = ja + n, *js = jm + n;
        double A = x[3 * k], mu = x[3 * k + 1], s = x[3 * k + 2];
        double cm = A / (s * s), cs = A / (s * s * s);
        ws_gauss_support(n, mu, s, &lo[k], &hi[k]);
        ws_kjac(gk, lo[k], hi[k], mu, cm, cs, ja, jm, js);
        for (int c = 0; c < 3; c++)
            Jtr[3 * k + c] = ws_kdot(ja + c * n + lo[k], S->r + lo[k], hi[k] - lo[k]);
    }
    for (int k = 0; k < K; k++)
        for (int l = k; l < K; l++) {
            int64_t a = lo[k] > lo[l] ? lo[k] : lo[l], b = hi[k] < hi[l] ? hi[k] : hi[l];
            double o[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
            if (b > a) ws_kdot3x3(S->J + 3 * k * n, S->J + 3 * l * n, n, a, b, o);
            for (int u = 0; u < 3; u++)
                for (int v = 0; v < 3; v++)
                    JtJ[(3 * k + u) * P + 3 * l + v] = JtJ[(3 * l + v) * P + 3 * k + u] = o[3 * u + v];
        }
}

void ws_lm_project(const ws_lm *S, double *x)
{
    for (int p = 0; p < S->P; p++) {
        if (x[p] < S->lo[p]) x[p] = S->lo[p];
        if (x[p] > S->hi[p]) x[p] = S->hi[p];
    }
}

void ws_lm_setup(ws_lm *S, const double *w, int64_t n, int K, double amp_bound, double *work)
{
    S->n = n, S->K = K, S->P = 3 * K, S->w = w;
    S->scale = 0;
    for (int64_t j = 0; j < n; j++) S->scale = fmax(S->scale, fabs(w[j]));
    double amax = amp_bound > 0 ? amp_bound * S->scale : INFINITY;
    S->g = work;
    S->gt = S->g + K * n;
    S->J = S->gt + K * n;
    S->r = S->J + 3 * K * n;
    S->rt = S->r + n;
    S->sr = S->rt + n;
    S->sc = S->sr + n;
    S->tab = S->sc + n;
    for (int k = 0; k < K; k++) {
        S->lo[3 * k] = -amax, S->hi[3 * k] = amax;
        S->lo[3 * k + 1] = 0, S->hi[3 * k + 1] = (double)(n - 1);
        S->lo[3 * k + 2] = WS_FIT_SIGMA_MIN, S->hi[3 * k + 2] = WS_FIT_SIGMA_MAX_FACTOR * (double)n;
    }
}

/* Accept the trial point: swap the trial buffers in. */
static void lm_accept(ws_lm *S, double *x, const double *xt)
{
    memcpy(x, xt, sizeof(double) * (size_t)S->P);
    double *t = S->g; S->g = S->gt; S->gt = t;
    t = S->r; S->r = S->rt; S->rt = t;
}

/* A parameter on its bound whose descent direction points out of the box
 * is held fixed for this step (its row and column of the system become the
 * identity, its right-hand side 0). Without this, clamping such a parameter
 * after the solve spoils the step of all the others and LM creeps. */
static void freeze_active(const ws_lm *S, const double *th, const double *Jtr, double *M, double *d)
{
    int P = S->P;
    for (int p = 0; p < P; p++) {
        int out = (th[p] <= S->lo[p] && Jtr[p] < 0) || (th[p] >= S->hi[p] && Jtr[p] > 0);
        if (!out) continue;
        for (int q = 0; q < P; q++) M[p * P + q] = M[q * P + p] = 0;
        M[p * P + p] = 1;
        d[p] = 0;
    }
}

/* Solve M δ = d for the step; a parameter the step would push out of the
 * box is then fixed on its bound (its step becomes bound − θ) and the others
 * are solved again with that known, so the step stays a minimiser of the
 * damped model on the box face instead of being clamped afterwards. */
static int bounded_step(const ws_lm *S, const double *th, const double *M, double *d)
{
    int P = S->P, fixed[3 * WS_FIT_KMAX] = {0};
    double rhs[3 * WS_FIT_KMAX], Mf[9 * WS_FIT_KMAX * WS_FIT_KMAX], fix[3 * WS_FIT_KMAX] = {0};
    memcpy(rhs, d, sizeof(double) * (size_t)P);
    for (int pass = 0; pass < 3; pass++) {
        memcpy(Mf, M, sizeof(double) * (size_t)(P * P));
        for (int p = 0; p < P; p++)   /* fix[q] is 0 for a free q */
            d[p] = pass == 0 ? rhs[p] : rhs[p] - ws_kdot(M + p * P, fix, P);
        for (int p = 0; p < P; p++) {
            if (!fixed[p]) continue;
            for (int q = 0; q < P; q++) Mf[p * P + q] = Mf[q * P + p] = 0;
            Mf[p * P + p] = 1;
            d[p] = fix[p];
        }
        if (ws_chol_solve(P, Mf, d) < 0) return -1;
        int more = 0;
        for (int p = 0; p < P; p++) {
            if (fixed[p]) continue;
            double t = th[p] + d[p];
            if (t < S->lo[p] || t > S->hi[p]) {
                fixed[p] = 1, more = 1;
                fix[p] = (t < S->lo[p] ? S->lo[p] : S->hi[p]) - th[p];
            }
        }
        if (!more) break;
    }
    return 0;
}

/* 2 δᵀJᵀr − δᵀJᵀJδ: the reduction the linear model predicts for step δ. */
static double predicted(int P, const double *JtJ, const double *Jtr, const double *d)
{
    double pred = 0;
    for (int p = 0; p < P; p++) pred += d[p] * (2 * Jtr[p] - ws_kdot(JtJ + p * P, d, P));
    return pred;
}

/* Initial damping, relative to the squared column norms D². A half-damped
 * first step (λ = 1) keeps LM near the start's basin instead of leaping
 * into a far, usually worse one; on the scipy fixture it halves the
 * evaluations and raises R² (λ = 1e-3, Nielsen's usual τ, overshoots). */
#define LM_LAMBDA0 1.0

/* One LM run from x (already in the box) until a stopping rule; x, the SSE
 * and the counters are updated in place. */
ws_fit_status ws_lm_run(ws_lm *S, const ws_fit_opts *o, double *th, double *sse_io, int *nfev_io,
                            int *iters_io)
{
    int K = S->K, P = S->P;
    /* MINPACK lmder's default for 3K parameters, so the limit matches scipy's. */
    int maxfev = o->maxfev > 0 ? o->maxfev : 100 * (3 * K + 1);
    double tht[3 * WS_FIT_KMAX], D[3 * WS_FIT_KMAX] = {0};
    double JtJ[9 * WS_FIT_KMAX * WS_FIT_KMAX], Jtr[3 * WS_FIT_KMAX];
    double M[9 * WS_FIT_KMAX * WS_FIT_KMAX], d[3 * WS_FIT_KMAX];
    double sse = lm_eval(S, th, S->g, S->r);
    int nfev = 1, iters = 0, need_normal = 1;
    ws_fit_status st = WS_FIT_MAXFEV;
    double lambda = LM_LAMBDA0, nu = 2;
    while (nfev < maxfev) {
        if (need_normal) {
            lm_normal(S, th, JtJ, Jtr);
            double rn = sqrt(sse), gmax = 0;
            for (int p = 0; p < P; p++) {
                double cn = sqrt(fmax(JtJ[p * P + p], 0));
                if (cn > D[p]) D[p] = cn;
                if (cn > 0 && rn > 0) gmax = fmax(gmax, fabs(Jtr[p]) / (cn * rn));
            }
            for (int p = 0; p < P; p++) if (D[p] == 0) D[p] = 1;
            if (sse == 0 || gmax <= o->gtol) { st = WS_FIT_CONVERGED; break; }
            need_normal = 0;
        }
        iters++;
        memcpy(M, JtJ, sizeof(double) * (size_t)(P * P));
        for (int p = 0; p < P; p++) {
            M[p * P + p] += lambda * D[p] * D[p];
            d[p] = Jtr[p];
        }
        freeze_active(S, th, Jtr, M, d);
        if (bounded_step(S, th, M, d) < 0) {
            lambda *= nu, nu *= 2;
            if (!(lambda < 1e30)) { st = WS_FIT_CONVERGED; break; }
            continue;
        }
        double dxn = 0, xn = 0;
        for (int p = 0; p < P; p++) tht[p] = th[p] + d[p];
        ws_lm_project(S, tht);
        for (int p = 0; p < P; p++) {
            d[p] = tht[p] - th[p];
            dxn += (D[p] * d[p]) * (D[p] * d[p]);
            xn += (D[p] * th[p]) * (D[p] * th[p]);
        }
        double pred = predicted(P, JtJ, Jtr, d);
        double sset = lm_eval(S, tht, S->gt, S->rt);
        nfev++;
        double act = sse - sset, rho = pred > 0 ? act / pred : -1;
        double sse_old = sse;
        if (sset < sse) {
            lm_accept(S, th, tht);
            sse = sset;
            double f = 1 - pow(2 * rho - 1, 3);
            lambda *= f > 1.0 / 3 ? f : 1.0 / 3;
            nu = 2;
            need_normal = 1;
        } else {
            lambda *= nu, nu *= 2;
        }
        /* MINPACK's tests: ftol on the relative reductions, xtol on the step. */
        if (fabs(act) <= o->ftol * sse_old && pred <= o->ftol * sse_old && rho <= 2) { st = WS_FIT_CONVERGED; break; }
        if (sqrt(dxn) <= o->xtol * sqrt(xn)) { st = WS_FIT_CONVERGED; break; }
        if (!(lambda < 1e30)) { st = WS_FIT_CONVERGED; break; }
    }

    *sse_io = sse;
    *nfev_io += nfev;
    *iters_io += iters;
    return st;
}


