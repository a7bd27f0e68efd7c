/* Levenberg–Marquardt fit of K Gaussians to one row (the L1 fit).
 *
 * Variable projection: the amplitudes enter linearly, so for given centres
 * and widths θ = (μ_0, σ_0, μ_1, ...) they are solved exactly (least
 * squares), and LM runs on θ alone (P = 2K) with Kaufman's analytic
 * Jacobian. That fits the same model as LM on all 3K parameters, with a
 * smaller, better-conditioned problem and far fewer iterations.
 *
 * Each iteration solves (JᵀJ + λ·diag(D²)) δ = Jᵀr by Cholesky, with D the
 * running maximum of the Jacobian's column norms (MINPACK's scaling). The
 * trial point θ + δ is projected onto the box μ ∈ [0, n−1],
 * σ ∈ [σmin, σmax]; the predicted reduction uses the projected step. λ
 * follows Nielsen's rule (shrink by max(1/3, 1 − (2ρ−1)³) on success, grow
 * by ν = 2, 4, 8 ... on failure). Stopping mirrors MINPACK lmder: ftol
 * (actual and predicted relative reduction), xtol (relative scaled step),
 * gtol (cosine of residual and Jacobian columns), maxfev = 100·(3K+1)
 * evaluations by default, as scipy's curve_fit with a Jacobian. */
#include <math.h>
#include <string.h>

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
    o->ftol = 1.49012e-8;
    o->xtol = 1.49012e-8;
    o->gtol = 0.0;
    o->maxfev = 0;
}

void ws_gauss_fill(int64_t n, double mu, double sigma, double *g)
{
    /* g(j+1) = g(j)·r(j), r(j) = exp(−(2(j−μ)+1)/(2σ²)), r(j+1) = r(j)·q,
     * q = exp(−1/σ²). Walking away from the peak only shrinks values, so an
     * underflow to 0 is the true answer there. */
    double s2 = 2.0 * sigma * sigma, q = exp(-2.0 / s2);
    int64_t c = (int64_t)floor(mu);
    if (c < 0) c = 0;
    if (c > n - 1) c = n - 1;
    double d = (double)c - mu;
    g[c] = exp(-d * d / s2);
    double r = exp(-(2.0 * d + 1.0) / s2);
    for (int64_t j = c + 1; j < n; j++) {
        g[j] = g[j - 1] * r;
        r *= q;
    }
    r = exp((2.0 * d - 1.0) / s2);
    for (int64_t j = c - 1; j >= 0; j--) {
        g[j] = g[j + 1] * r;
        r *= q;
    }
}

int ws_chol_solve(int m, double *M, double *b)
{
    for (int i = 0; i < m; i++) {
        for (int j = 0; j <= i; j++) {
            double s = M[i * m + j];
            for (int k = 0; k < j; k++)
                s -= M[i * m + k] * M[j * m + k];
            if (i == j) {
                if (!(s > 0)) return -1;
                M[i * m + i] = sqrt(s);
            } else {
                M[i * m + j] = s / M[j * m + j];
            }
        }
    }
    for (int i = 0; i < m; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++) s -= M[i * m + k] * b[k];
        b[i] = s / M[i * m + i];
    }
    for (int i = m - 1; i >= 0; i--) {
        double s = b[i];
        for (int k = i + 1; k < m; k++) s -= M[k * m + i] * b[k];
        b[i] = s / M[i * m + i];
    }
    return 0;
}

/* Four accumulators so the compiler can keep the FMA units busy. */
static double dot(const double *a, const double *b, int64_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
        s2 += a[j + 2] * b[j + 2];
        s3 += a[j + 3] * b[j + 3];
    }
    for (; j < n; j++) s0 += a[j] * b[j];
    return (s0 + s1) + (s2 + s3);
}


size_t ws_lm_work_size(int64_t n, int K)
{
    /* g, g trial (K·n each), Jθ (2K·n), r, r trial (n each) */
    return (size_t)n * (size_t)(4 * K + 2);
}

typedef struct lm {
    int64_t n;
    int K, P;                        /* P = 2K nonlinear parameters */
    const double *w;
    double lo[2 * WS_FIT_KMAX], hi[2 * WS_FIT_KMAX];
    double *g, *gt, *J, *r, *rt;
    /* at the current point: amplitudes and the Cholesky factor of ΦᵀΦ */
    double a[WS_FIT_KMAX], L[WS_FIT_KMAX * WS_FIT_KMAX];
    double at[WS_FIT_KMAX], Lt[WS_FIT_KMAX * WS_FIT_KMAX];
} lm;

/* Gaussians at θ, their least-squares amplitudes and the residual; returns
 * the SSE. The amplitudes solve ΦᵀΦ a = Φᵀw with a tiny ridge so that two
 * coinciding Gaussians still give an answer. */
static double lm_eval(const lm *S, const double *th, double *g, double *r, double *a, double *Lf)
{
    int64_t n = S->n;
    int K = S->K;
    for (int k = 0; k < K; k++)
        ws_gauss_fill(n, th[2 * k], th[2 * k + 1], g + k * n);
    double tr = 0;
    for (int k = 0; k < K; k++) {
        a[k] = dot(g + k * n, S->w, n);
        for (int l = 0; l <= k; l++)
            Lf[k * K + l] = Lf[l * K + k] = dot(g + k * n, g + l * n, n);
        tr += Lf[k * K + k];
    }
    for (int k = 0; k < K; k++) Lf[k * K + k] += 1e-13 * tr / K + 1e-300;
    if (ws_chol_solve(K, Lf, a) < 0)
        for (int k = 0; k < K; k++) a[k] = 0;
    memcpy(r, S->w, (size_t)n * sizeof *r);
    for (int k = 0; k < K; k++) {
        const double *gk = g + k * n;
        for (int64_t j = 0; j < n; j++) r[j] -= a[k] * gk[j];
    }
    return dot(r, r, n);
}

/* Kaufman's variable-projection Gauss–Newton matrix: with Jθ the model's
 * derivatives in μ, σ at the current amplitudes and Φ the Gaussians, the
 * reduced Jacobian is P⊥Jθ (P⊥ projects out span Φ), so
 *   JᵀJ = JθᵀJθ − (ΦᵀJθ)ᵀ (ΦᵀΦ)⁻¹ (ΦᵀJθ),   Jᵀr = Jθᵀr (r ⊥ Φ already). */
static void lm_normal(const lm *S, const double *th, double *JtJ, double *Jtr)
{
    int64_t n = S->n;
    int K = S->K, P = S->P;
    double X[WS_FIT_KMAX * 2 * WS_FIT_KMAX];   /* ΦᵀJθ, K × P, then L⁻¹ΦᵀJθ */
    for (int k = 0; k < K; k++) {
        const double *gk = S->g + k * n;
        double *jm = S->J + (2 * k) * n, *js = jm + n;
        double mu = th[2 * k], s = th[2 * k + 1];
        double cm = S->a[k] / (s * s), cs = S->a[k] / (s * s * s);
        for (int64_t j = 0; j < n; j++) {
            double d = (double)j - mu, t = gk[j] * d;
            jm[j] = cm * t;
            js[j] = cs * t * d;
        }
    }
    for (int p = 0; p < P; p++) {
        const double *jp = S->J + p * n;
        Jtr[p] = dot(jp, S->r, n);
        for (int q = p; q < P; q++)
            JtJ[p * P + q] = JtJ[q * P + p] = dot(jp, S->J + q * n, n);
        for (int k = 0; k < K; k++) X[k * P + p] = dot(S->g + k * n, jp, n);
    }
    /* X ← L⁻¹ X (forward substitution with the factor kept by lm_eval) */
    for (int k = 0; k < K; k++)
        for (int p = 0; p < P; p++) {
            double v = X[k * P + p];
            for (int l = 0; l < k; l++) v -= S->L[k * K + l] * X[l * P + p];
            X[k * P + p] = v / S->L[k * K + k];
        }
    for (int p = 0; p < P; p++)
        for (int q = p; q < P; q++) {
            double v = 0;
            for (int k = 0; k < K; k++) v += X[k * P + p] * X[k * P + q];
            JtJ[p * P + q] -= v;
            JtJ[q * P + p] = JtJ[p * P + q];
        }
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
    S->n = n, S->K = K, S->P = 2 * K, S->w = w;
    S->g = work;
    S->gt = S->g + K * n;
    S->J = S->gt + K * n;
    S->r = S->J + 2 * K * n;
    S->rt = S->r + n;
    for (int k = 0; k < K; k++) {
        S->lo[2 * k] = 0, S->hi[2 * k] = (double)(n - 1);
        S->lo[2 * k + 1] = WS_FIT_SIGMA_MIN, S->hi[2 * k + 1] = WS_FIT_SIGMA_MAX_FACTOR * (double)n;
    }
}

/* Accept the trial point: swap the trial buffers in. */
static void lm_accept(lm *S, double *th, const double *tht)
{
    memcpy(th, tht, sizeof(double) * (size_t)S->P);
    double *t = S->g; S->g = S->gt; S->gt = t;
    t = S->r; S->r = S->rt; S->rt = t;
    memcpy(S->a, S->at, sizeof S->a);
    memcpy(S->L, S->Lt, sizeof S->L);
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
    int P = S->P, fixed[2 * WS_FIT_KMAX] = {0};
    double rhs[2 * WS_FIT_KMAX], Mf[4 * WS_FIT_KMAX * WS_FIT_KMAX], fix[2 * WS_FIT_KMAX] = {0};
    memcpy(rhs, d, sizeof(double) * (size_t)P);
    for (int pass = 0; pass < 3; pass++) {
        memcpy(Mf, M, sizeof(double) * (size_t)(P * P));
        for (int p = 0; p < P; p++) {
            d[p] = rhs[p];
            for (int q = 0; q < P; q++) if (fixed[q]) d[p] -= M[p * P + q] * fix[q];
        }
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
    for (int p = 0; p < P; p++) {
        double Jd = 0;
        for (int q = 0; q < P; q++) Jd += JtJ[p * P + q] * d[q];
        pred += d[p] * (2 * Jtr[p] - Jd);
    }
    return pred;
}

void ws_lm_fit(const double *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, double *work)
{
    int K = o->K;
    row_init(out, n, K);
    if (n < 1 || degenerate(w, n, K, out)) return;

    lm S;
    lm_setup(&S, w, n, K, work);
    int P = S.P;
    /* MINPACK lmder's default for 3K parameters, so the limit matches scipy's. */
    int maxfev = o->maxfev > 0 ? o->maxfev : 100 * (3 * K + 1);
    double th[2 * WS_FIT_KMAX], tht[2 * WS_FIT_KMAX], D[2 * WS_FIT_KMAX] = {0};
    double JtJ[4 * WS_FIT_KMAX * WS_FIT_KMAX], Jtr[2 * WS_FIT_KMAX];
    double M[4 * WS_FIT_KMAX * WS_FIT_KMAX], d[2 * WS_FIT_KMAX];
    for (int k = 0; k < K; k++) th[2 * k] = ws_grid_mu(n, K, k), th[2 * k + 1] = ws_grid_sigma(n, K);
    project(&S, th);
    double sse = lm_eval(&S, th, S.g, S.r, S.a, S.L);
    int nfev = 1, iters = 0, need_normal = 1;
    ws_fit_status st = WS_FIT_MAXFEV;
    double lambda = 1e-3, nu = 2;

    while (nfev < maxfev) {
        if (need_normal) {
            lm_normal(&S, th, JtJ, Jtr);
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
        freeze_active(&S, th, Jtr, M, d);
        if (bounded_step(&S, th, M, d) < 0) {
            lambda *= nu, nu *= 2;
            if (!(lambda < 1e30)) { st = WS_FIT_CONVERGED; break; }
            continue;
        }
        double dxn = 0, xn = 0;
        for (int p = 0; p < P; p++) tht[p] = th[p] + d[p];
        project(&S, tht);
        for (int p = 0; p < P; p++) {
            d[p] = tht[p] - th[p];
            dxn += (D[p] * d[p]) * (D[p] * d[p]);
            xn += (D[p] * th[p]) * (D[p] * th[p]);
        }
        double pred = predicted(P, JtJ, Jtr, d);
        double sset = lm_eval(&S, tht, S.gt, S.rt, S.at, S.Lt);
        nfev++;
        double act = sse - sset, rho = pred > 0 ? act / pred : -1;
        double sse_old = sse;
        if (sset < sse) {
            lm_accept(&S, th, tht);
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

    for (int k = 0; k < K; k++) {
        out->A[k] = S.a[k];
        out->mu[k] = th[2 * k];
        out->sigma[k] = th[2 * k + 1];
    }
    out->sse = sse;
    out->mse = sse / (double)n;
    out->r2 = 1 - sse / out->sst;
    out->iters = iters;
    out->nfev = nfev;
    out->status = st;
}
