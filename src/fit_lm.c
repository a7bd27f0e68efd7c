/* Levenberg–Marquardt fit of K Gaussians to one row (the L1 fit).
 *
 * Parameters x = (A_0, μ_0, σ_0, A_1, ...), P = 3K, analytic Jacobian.
 * Each iteration solves (JᵀJ + λ·diag(D²)) δ = Jᵀr by Cholesky, with D the
 * running maximum of the Jacobian's column norms (MINPACK's scaling, so the
 * fit does not depend on the units of A, μ, σ). Bounds μ ∈ [0, n−1],
 * σ ∈ [σmin, σmax]: a parameter on its bound that the step pushes outward
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
                                  "nonfinite", "too-short", "grid"};
    return (unsigned)s < WS_FIT_STATUS_COUNT ? names[s] : "?";
}

void ws_fit_opts_default(ws_fit_opts *o, int K)
{
    o->K = K;
    o->ftol = 1e-5;
    o->xtol = 1.49012e-8;
    o->gtol = 0.0;
    o->maxfev = 0;
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
    /* g, g trial (K·n each), J (3K·n), r, r trial (n each) */
    return (size_t)n * (size_t)(5 * K + 2);
}

typedef struct lm {
    int64_t n;
    int K, P;                        /* P = 3K parameters (A_k, μ_k, σ_k) */
    const double *w;
    double lo[3 * WS_FIT_KMAX], hi[3 * WS_FIT_KMAX];
    double *g, *gt, *J, *r, *rt;
} lm;

/* Gaussians at x and the residual w − model; returns the SSE. */
static double lm_eval(const lm *S, const double *x, double *g, double *r)
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
 * ∂/∂σ = A g (j−μ)²/σ³), then JᵀJ and Jᵀr. */
static void lm_normal(const lm *S, const double *x, double *JtJ, double *Jtr)
{
    int64_t n = S->n, lo[3 * WS_FIT_KMAX], hi[3 * WS_FIT_KMAX];
    int P = S->P;
    for (int k = 0; k < S->K; k++) {
        const double *gk = S->g + k * n;
        double *ja = S->J + (3 * k) * n, *jm = ja + n, *js = jm + n;
        double A = x[3 * k], mu = x[3 * k + 1], s = x[3 * k + 2];
        double cm = A / (s * s), cs = A / (s * s * s);
        ws_gauss_support(n, mu, s, &lo[3 * k], &hi[3 * k]);
        lo[3 * k + 1] = lo[3 * k + 2] = lo[3 * k];
        hi[3 * k + 1] = hi[3 * k + 2] = hi[3 * k];
        /* zeros outside the support: the 4-column dot products may read there */
        for (int c = 0; c < 3; c++) {
            memset(ja + c * n, 0, sizeof(double) * (size_t)lo[3 * k]);
            memset(ja + c * n + hi[3 * k], 0, sizeof(double) * (size_t)(n - hi[3 * k]));
        }
        ws_kjac(gk, lo[3 * k], hi[3 * k], mu, cm, cs, ja, jm, js);
    }
    for (int p = 0; p < P; p++) {
        const double *jp = S->J + p * n;
        Jtr[p] = ws_kdot(jp + lo[p], S->r + lo[p], hi[p] - lo[p]);
        int q = p;
        for (; q + 4 <= P; q += 4) {
            /* p's support against the union of the four q's supports */
            int64_t a = lo[q], b = hi[q];
            for (int t = 1; t < 4; t++) a = lo[q + t] < a ? lo[q + t] : a, b = hi[q + t] > b ? hi[q + t] : b;
            a = a > lo[p] ? a : lo[p];
            b = b < hi[p] ? b : hi[p];
            double o4[4] = {0, 0, 0, 0};
            if (b > a) ws_kdot4(jp, S->J + q * n, n, a, b, o4);
            for (int t = 0; t < 4; t++) JtJ[p * P + q + t] = JtJ[(q + t) * P + p] = o4[t];
        }
        for (; q < P; q++) {
            int64_t a = lo[q] > lo[p] ? lo[q] : lo[p], b = hi[q] < hi[p] ? hi[q] : hi[p];
            JtJ[p * P + q] = JtJ[q * P + p] = b > a ? ws_kdot(jp + a, S->J + q * n + a, b - a) : 0;
        }
    }
}

/* Start: grid centres, widths `width`·n/K, least-squares amplitudes on them. */
static void lm_start(const lm *S, double *x, double width)
{
    int K = S->K;
    int64_t n = S->n;
    double M[WS_FIT_KMAX * WS_FIT_KMAX], b[WS_FIT_KMAX], tr = 0;
    for (int k = 0; k < K; k++) {
        x[3 * k + 1] = ws_grid_mu(n, K, k);
        x[3 * k + 2] = width * ws_grid_sigma(n, K);
        ws_gauss_fill(n, x[3 * k + 1], x[3 * k + 2], S->g + k * n);
    }
    for (int k = 0; k < K; k++) {
        b[k] = ws_kdot(S->g + k * n, S->w, n);
        for (int l = 0; l < K; l++) M[k * K + l] = ws_kdot(S->g + k * n, S->g + l * n, n);
        tr += M[k * K + k];
    }
    /* a tiny ridge keeps an overlapping grid on a short row solvable */
    for (int k = 0; k < K; k++) M[k * K + k] += 1e-12 * tr / K;
    if (ws_chol_solve(K, M, b) < 0)
        for (int k = 0; k < K; k++) b[k] = 0;
    for (int k = 0; k < K; k++) x[3 * k] = b[k];
}

static void project(const lm *S, double *x)
{
    for (int p = 0; p < S->P; p++) {
        if (x[p] < S->lo[p]) x[p] = S->lo[p];
        if (x[p] > S->hi[p]) x[p] = S->hi[p];
    }
}

/* Row checks before fitting; returns 1 and fills `out` when degenerate. */
static int degenerate(const double *w, int64_t n, int K, ws_fit_row *out)
{
    int finite = 1, zero = 1;
    double mean = 0;
    for (int64_t j = 0; j < n; j++) {
        if (!isfinite(w[j])) finite = 0;
        if (w[j] != 0) zero = 0;
        mean += w[j];
    }
    mean /= (double)n;
    double sst = 0;
    for (int64_t j = 0; finite && j < n; j++) sst += (w[j] - mean) * (w[j] - mean);
    out->sst = finite ? sst : NAN;
    if (!finite) out->status = WS_FIT_NONFINITE;
    else if (zero) out->status = WS_FIT_ZERO;
    else if (sst == 0) out->status = WS_FIT_CONSTANT;
    else if (n < 3 * (int64_t)K) out->status = WS_FIT_TOO_SHORT;
    else return 0;
    if (out->status == WS_FIT_ZERO) out->sse = out->mse = 0;
    return 1;
}

static void row_init(ws_fit_row *out, int64_t n, int K)
{
    memset(out, 0, sizeof *out);
    out->K = K;
    out->sse = out->sst = out->mse = out->r2 = NAN;
    for (int k = 0; k < K; k++) {
        out->mu[k] = ws_grid_mu(n, K, k);
        out->sigma[k] = ws_grid_sigma(n, K);
    }
}

static void lm_setup(lm *S, const double *w, int64_t n, int K, double *work)
{
    S->n = n, S->K = K, S->P = 3 * K, S->w = w;
    S->g = work;
    S->gt = S->g + K * n;
    S->J = S->gt + K * n;
    S->r = S->J + 3 * K * n;
    S->rt = S->r + n;
    for (int k = 0; k < K; k++) {
        S->lo[3 * k] = -INFINITY, S->hi[3 * k] = INFINITY;
        S->lo[3 * k + 1] = 0, S->hi[3 * k + 1] = (double)(n - 1);
        S->lo[3 * k + 2] = WS_FIT_SIGMA_MIN, S->hi[3 * k + 2] = WS_FIT_SIGMA_MAX_FACTOR * (double)n;
    }
}

/* Accept the trial point: swap the trial buffers in. */
static void lm_accept(lm *S, double *x, const double *xt)
{
    memcpy(x, xt, sizeof(double) * (size_t)S->P);
    double *t = S->g; S->g = S->gt; S->gt = t;
    t = S->r; S->r = S->rt; S->rt = t;
}

/* A parameter on its bound whose descent direction points out of the box
 * is held fixed for this step (its row and column of the system become the
 * identity, its right-hand side 0). Without this, clamping such a parameter
 * after the solve spoils the step of all the others and LM creeps. */
static void freeze_active(const lm *S, const double *th, const double *Jtr, double *M, double *d)
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
static int bounded_step(const lm *S, const double *th, const double *M, double *d)
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

/* Start at the row's K largest |w[j]| (at least n/(2K) apart where
 * possible), narrow (σ = n/(4K)), with those values as amplitudes: finds
 * spikes that starts from the smooth grid merge away. */
static void peak_start(const lm *S, double *x)
{
    int K = S->K;
    int64_t n = S->n, gap = n / (2 * K);
    for (int k = 0; k < K; k++) {
        int64_t best = -1;
        for (int pass = 0; pass < 2 && best < 0; pass++)
            for (int64_t j = 0; j < n; j++) {
                int near = 0;
                for (int l = 0; l < k; l++)
                    near |= pass == 0 ? llabs(j - (int64_t)x[3 * l + 1]) < gap : j == (int64_t)x[3 * l + 1];
                if (!near && (best < 0 || fabs(S->w[j]) > fabs(S->w[best]))) best = j;
            }
        if (best < 0) best = 0;
        x[3 * k] = S->w[best];
        x[3 * k + 1] = (double)best;
        x[3 * k + 2] = fmax(ws_grid_sigma(n, K) / 4, WS_FIT_SIGMA_MIN);
    }
}

/* Initial damping, relative to the squared column norms D². A half-damped
 * first step (λ = 1) keeps LM near the start's basin instead of leaping
 * into a far, usually worse one; on the scipy fixture it halves the
 * evaluations and raises R² (λ = 1e-3, Nielsen's usual τ, overshoots). */
#define LM_LAMBDA0 1.0

/* One LM run from x (already in the box) until a stopping rule; x, the SSE
 * and the counters are updated in place. */
static ws_fit_status lm_run(lm *S, const ws_fit_opts *o, double *th, double *sse_io, int *nfev_io,
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
        project(S, tht);
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

/* Multi-start: sums of overlapping Gaussians have many local minima, and
 * the narrower starts find features that the wide grid merges away. Every
 * start is first run to a loose tolerance (a scout); then, best first, the
 * scouts within SCOUT_MARGIN of the best are refined to the caller's
 * tolerances, and the best refined fit is kept. Refining only the
 * promising scouts saves most of the evaluations of the losing starts. */
#define N_STARTS 5
#define SCOUT_TOL 3e-3
#define SCOUT_MARGIN 1.02
/* The pair move changes the fit's shape more than a start does, and its
 * scout is further from its own minimum: a wider margin. */
#define PAIR_MARGIN 1.05

/* Start number s: the grid (σ = n/K, the documented start), the grid with
 * half the width, the row's peaks, the peaks at half their width, the grid
 * with 1.5 times the width. */
static void start_point(const lm *S, int s, double *x)
{
    static const double grid_width[N_STARTS] = {1.0, 0.5, 0, 0, 1.5};
    if (grid_width[s] > 0) {
        lm_start(S, x, grid_width[s]);
    } else {
        peak_start(S, x);
        if (s == 3)
            for (int k = 0; k < S->K; k++) x[3 * k + 2] *= 0.5;
    }
    project(S, x);
}

/* Energy scale of component k, |A|·√σ (‖A g‖ ∝ |A|·σ^½). */
static double comp_energy(const double *x, int k) { return fabs(x[3 * k]) * sqrt(x[3 * k + 2]); }

/* The pair move: from the fit x, the weakest component becomes a negative
 * twin of the strongest, σ/4 to its right. Together they start as a small
 * derivative-of-Gaussian term; LM can then grow it into the cancelling
 * pairs (a, m, s), (−a′, m + ε, s′) that fit odd or sharp features and
 * that no smooth start reaches (scipy's trf finds them on a few of the
 * fixture's rows). K = 1 has no pair: returns 0. */
static int twin_start(const lm *S, const double *x, double *t)
{
    int K = S->K, c = 0, wk = -1;
    if (K < 2) return 0;
    for (int k = 1; k < K; k++) if (comp_energy(x, k) > comp_energy(x, c)) c = k;
    for (int k = 0; k < K; k++)
        if (k != c && (wk < 0 || comp_energy(x, k) < comp_energy(x, wk))) wk = k;
    memcpy(t, x, sizeof(double) * (size_t)S->P);
    t[3 * wk] = -x[3 * c];
    t[3 * wk + 1] = x[3 * c + 1] + 0.25 * x[3 * c + 2];
    t[3 * wk + 2] = x[3 * c + 2];
    project(S, t);
    return 1;
}

/* The best fit so far over the starts. */
typedef struct fit_best {
    double x[3 * WS_FIT_KMAX], sse;
    ws_fit_status st;
} fit_best;

/* Run x on to the caller's tolerances; keep it when it beats b (the first
 * refined fit always does: b starts at SSE = ∞). */
static void refine(lm *S, const ws_fit_opts *o, double *x, fit_best *b, int *nfev, int *iters)
{
    double e;
    ws_fit_status st = lm_run(S, o, x, &e, nfev, iters);
    if (e < b->sse || b->sse == INFINITY) {
        b->sse = e, b->st = st;
        memcpy(b->x, x, sizeof(double) * (size_t)S->P);
    }
}

void ws_lm_fit(const double *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, double *work)
{
    int K = o->K;
    row_init(out, n, K);
    if (n < 1 || degenerate(w, n, K, out)) return;

    lm S;
    lm_setup(&S, w, n, K, work);
    double x[N_STARTS][3 * WS_FIT_KMAX], sse[N_STARTS], t[3 * WS_FIT_KMAX], e;
    int nfev = 0, iters = 0, ord[N_STARTS];
    ws_fit_opts scout = *o;
    scout.ftol = fmax(o->ftol, SCOUT_TOL);
    scout.xtol = fmax(o->xtol, SCOUT_TOL);
    for (int s = 0; s < N_STARTS; s++) {
        start_point(&S, s, x[s]);
        lm_run(&S, &scout, x[s], &sse[s], &nfev, &iters);
        /* insertion sort of the start indices by scout SSE */
        int i = s;
        for (; i > 0 && sse[ord[i - 1]] > sse[s]; i--) ord[i] = ord[i - 1];
        ord[i] = s;
    }
    fit_best b = {.sse = INFINITY, .st = WS_FIT_MAXFEV};
    for (int i = 0; i < N_STARTS; i++) {
        if (i > 0 && !(sse[ord[i]] < SCOUT_MARGIN * b.sse)) break;
        refine(&S, o, x[ord[i]], &b, &nfev, &iters);
    }
    /* the pair move from the best fit, scouted and refined like a start */
    if (twin_start(&S, b.x, t)) {
        lm_run(&S, &scout, t, &e, &nfev, &iters);
        if (e < PAIR_MARGIN * b.sse) refine(&S, o, t, &b, &nfev, &iters);
    }
    for (int k = 0; k < K; k++) {
        out->A[k] = b.x[3 * k];
        out->mu[k] = b.x[3 * k + 1];
        out->sigma[k] = b.x[3 * k + 2];
    }
    out->sse = b.sse;
    out->mse = b.sse / (double)n;
    out->r2 = 1 - b.sse / out->sst;
    out->iters = iters;
    out->nfev = nfev;
    out->status = b.st;
}
