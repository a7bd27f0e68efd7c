/* The search of the L1 fit: sums of overlapping Gaussians have many local
 * minima, so one LM run (fit_lm.c) from one start is not enough.
 *
 * 1. Starts, each run to a loose tolerance (a scout): the grid
 *    (μ_k = n(k+1)/(K+1), σ = n/K, least-squares amplitudes: the
 *    documented start), the grid at half and at 1.5 times the width, the
 *    row's K largest values as narrow peaks, those at half their width, a
 *    greedy start (matching pursuit: K times the single Gaussian that best
 *    fits what the ones before leave), the same with a wide first
 *    component (a baseline), and three random starts (seeded by their
 *    number: the same row always gets the same fit). Best first, the
 *    scouts within SCOUT_MARGIN of the best are refined to the caller's
 *    tolerances.
 * 2. Moves from the best fit, each scouted and refined when promising:
 *    the pair moves (the weakest component as an odd twin or a Mexican-hat
 *    partner of the strongest), then rounds of reseed moves (the feature
 *    the fit leaves most unexplained, the best single Gaussian of its
 *    residual, replaces one component, weakest first, until one improves
 *    the fit; rounds repeat while they improve).
 * 3. The best fit is run on to scipy's ftol (1.49012e-8).
 * Every point stays in the box of ws_lm_setup, so with the default
 * amplitude bound no fit holds a cancelling pair (fit.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_kernels.h"
#include "fit_lm.h"
#include "rng.h"

/* Start: grid centres, widths `width`·n/K, least-squares amplitudes on them. */
/* Least-squares amplitudes for the centres and widths in x. */
static void ls_amplitudes(const ws_lm *S, double *x)
{
    int K = S->K;
    int64_t n = S->n;
    double M[WS_FIT_KMAX * WS_FIT_KMAX], b[WS_FIT_KMAX], tr = 0;
    for (int k = 0; k < K; k++)
        ws_gauss_fill(n, x[3 * k + 1], x[3 * k + 2], S->g + k * n);
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

static void grid_start(const ws_lm *S, double *x, double width)
{
    for (int k = 0; k < S->K; k++) {
        x[3 * k + 1] = ws_grid_mu(S->n, S->K, k, WS_GRID_INNER);
        x[3 * k + 2] = width * ws_grid_sigma(S->n, S->K);
    }
    ls_amplitudes(S, x);
}

/* A random start (seeded by its number, so a row always gets the same):
 * centres uniform on the row, widths n/K·2^u with u uniform in [−2, 1]. */
static void random_start(const ws_lm *S, double *x, int which)
{
    ws_rng r;
    ws_rng_seed(&r, 0x5eed0000u + (uint64_t)which);
    for (int k = 0; k < S->K; k++) {
        x[3 * k + 1] = ws_rng_uniform(&r) * (double)(S->n - 1);
        x[3 * k + 2] = ws_grid_sigma(S->n, S->K) * pow(2, -2 + 3 * ws_rng_uniform(&r));
    }
    ls_amplitudes(S, x);
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
        out->mu[k] = ws_grid_mu(n, K, k, WS_GRID_INNER);
        out->sigma[k] = ws_grid_sigma(n, K);
    }
}

/* Start at the row's K largest |w[j]| (at least n/(2K) apart where
 * possible), narrow (σ = n/(4K)), with those values as amplitudes: finds
 * spikes that starts from the smooth grid merge away. */
static void peak_start(const ws_lm *S, double *x)
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

/* The single Gaussian that best fits the residual r: over centres μ on the
 * columns (every column for σ ≤ 4, then every σ/4 and the last column, as
 * a wide bump at the edge models a trend) and widths σ = 0.5·2^i ≤ 2n, the
 * least-squares amplitude (held in the box) and the SSE reduction it
 * gives; the best of them into A, μ, σ. A start, not a fit: the Gaussian
 * is cut at SCAN_REACH σ.
 *
 * The profiles of those widths are the same for every scan of a row (a fit
 * scans a dozen times), so scan_prepare makes them once per row into
 * S->tab: per width, the profile g(d), d = −reach..reach, then cum[t] =
 * Σ_{d<t} g(d)² over d ≥ 0, so ‖g‖² over a cut support is two lookups. */
#define SCAN_REACH 4.0

static int64_t scan_reach(int64_t n, double sg)
{
    int64_t reach = (int64_t)ceil(SCAN_REACH * sg);
    return reach > n - 1 ? n - 1 : reach;
}

/* One width's part of the table: the profile (2·reach + 1), then cum
 * (reach + 2). */
static size_t scan_level_size(int64_t reach) { return 3 * (size_t)reach + 3; }

size_t ws_scan_table_size(int64_t n)
{
    size_t size = 0;
    for (double sg = WS_FIT_SIGMA_MIN; sg <= 2.0 * n; sg *= 2) size += scan_level_size(scan_reach(n, sg));
    return size;
}

static void scan_prepare(const ws_lm *S)
{
    int64_t n = S->n;
    double *t = S->tab;
    for (double sg = WS_FIT_SIGMA_MIN; sg <= 2.0 * n; sg *= 2) {
        int64_t reach = scan_reach(n, sg);
        double *prof = t, *cum = t + 2 * reach + 1;
        cum[0] = 0;
        for (int64_t d = 0; d <= reach; d++) {
            prof[reach + d] = prof[reach - d] = exp(-(double)(d * d) / (2 * sg * sg));
            cum[d + 1] = cum[d] + prof[reach + d] * prof[reach + d];
        }
        t += scan_level_size(reach);
    }
}

/* The correlations c[m − reach] = Σ_d prof[reach + d]·r[m + d] of the
 * centres m whose cut support is whole (reach ≤ m ≤ n − 1 − reach), all at
 * once: 2·reach + 1 vector updates instead of a short dot per centre. */
static void scan_correlate(const double *r, int64_t n, const double *prof, int64_t reach, double *c)
{
    int64_t len = n - 2 * reach;
    memset(c, 0, sizeof(double) * (size_t)len);
    for (int64_t d = -reach; d <= reach; d++) ws_ksub_scaled(c, r + reach + d, -prof[reach + d], len);
}

/* The best scan candidate so far. */
typedef struct scan_pick {
    double gain, A, mu, sigma;
} scan_pick;

/* Centre m with correlation c and squared norm q over its cut support:
 * the least-squares amplitude (held in ±amax) and its SSE reduction; taken
 * when it beats the best so far (the first of equals stays). */
static void scan_consider(scan_pick *b, double c, double q, double amax, int64_t m, double sg)
{
    double A = c / q;
    if (A > amax) A = amax;
    if (A < -amax) A = -amax;
    double gain = 2 * A * c - A * A * q;
    if (gain > b->gain) *b = (scan_pick){gain, A, (double)m, sg};
}

static void scan_best(const ws_lm *S, const double *r, double smin, double *A_out, double *mu_out,
                      double *s_out)
{
    int64_t n = S->n;
    double amax = S->hi[0];
    const double *t = S->tab;
    scan_pick b = {0, 0, (double)(n - 1) / 2, ws_grid_sigma(n, S->K)};
    for (double sg = WS_FIT_SIGMA_MIN; sg <= 2.0 * n; sg *= 2) {
        int64_t reach = scan_reach(n, sg), step = (int64_t)(sg / 4);
        const double *prof = t, *cum = t + 2 * reach + 1;
        t += scan_level_size(reach);
        if (sg < smin) continue;
        if (step < 1) step = 1;
        /* Every column a centre: those whose support is whole (w_lo..w_hi)
         * are correlated at once, and as they share one ‖g‖², the gain
         * rises with |c| (clamped or not): only the first largest |c| of
         * them is a candidate. */
        int whole = step == 1 && n - 1 - reach >= reach;
        int64_t w_lo = whole ? reach : n, w_hi = n - 1 - reach;
        if (whole) scan_correlate(r, n, prof, reach, S->sc);
        for (int64_t m = step / 2, last = 0; !last; m += step) {
            if (m >= n - 1) m = n - 1, last = 1;
            if (m == w_lo) {
                int64_t at = 0;
                for (int64_t i = 1; i <= w_hi - w_lo; i++)
                    if (fabs(S->sc[i]) > fabs(S->sc[at])) at = i;
                scan_consider(&b, S->sc[at], 2 * cum[reach + 1] - 1, amax, w_lo + at, sg);
                m = w_hi;   /* on after the block */
                continue;
            }
            int64_t lo = m - reach < 0 ? 0 : m - reach, hi = m + reach + 1 > n ? n : m + reach + 1;
            double c = ws_kdot(r + lo, prof + reach - (m - lo), hi - lo);
            /* g(0)² = 1 is counted twice */
            scan_consider(&b, c, cum[m - lo + 1] + cum[hi - m] - 1, amax, m, sg);
        }
    }
    *A_out = b.A, *mu_out = b.mu, *s_out = b.sigma;
}

/* Residual of w against the components of x other than `skip` (−1: none). */
static void residual_without(const ws_lm *S, const double *x, int skip, double *r)
{
    int64_t n = S->n;
    memcpy(r, S->w, sizeof(double) * (size_t)n);
    for (int k = 0; k < S->K; k++) {
        if (k == skip) continue;
        int64_t lo, hi;
        ws_gauss_fill(n, x[3 * k + 1], x[3 * k + 2], S->gt);
        ws_gauss_support(n, x[3 * k + 1], x[3 * k + 2], &lo, &hi);
        ws_ksub_scaled(r + lo, S->gt + lo, x[3 * k], hi - lo);
    }
}

/* Greedy start: K times, the Gaussian that best fits what the ones before
 * leave (matching pursuit). */
static void greedy_start(const ws_lm *S, double *x, int baseline)
{
    int64_t n = S->n;
    memcpy(S->sr, S->w, sizeof(double) * (size_t)n);
    for (int k = 0; k < S->K; k++) {
        int64_t lo, hi;
        scan_best(S, S->sr, k == 0 && baseline ? (double)n / 2 : 0, &x[3 * k], &x[3 * k + 1], &x[3 * k + 2]);
        ws_gauss_fill(n, x[3 * k + 1], x[3 * k + 2], S->gt);
        ws_gauss_support(n, x[3 * k + 1], x[3 * k + 2], &lo, &hi);
        ws_ksub_scaled(S->sr + lo, S->gt + lo, x[3 * k], hi - lo);
    }
}

/* The feature that the fit x leaves most unexplained: the best single
 * Gaussian of its residual (A, μ, σ into f). */
static void worst_feature(const ws_lm *S, const double *x, double *f)
{
    residual_without(S, x, -1, S->sr);
    scan_best(S, S->sr, 0, &f[0], &f[1], &f[2]);
}

/* The starts are run to a loose tolerance (scouts); best first, those
 * within SCOUT_MARGIN of the best are refined to the caller's tolerances.
 * Refining only the promising scouts saves most of the evaluations of the
 * losing starts. A move changes the fit's shape more than a start does and
 * its scout is further from its own minimum: a wider margin. */
#define N_STARTS 10
#define SCOUT_TOL 3e-3
#define SCOUT_MARGIN 1.02
#define MOVE_MARGIN 1.05
#define POLISH_FTOL 1.49012e-8
/* Rounds of reseed moves at most (each ends at its first improvement; on
 * the tuning rows a second round rarely improves, a fifth never did). */
#define RESEED_ROUNDS 4

/* Start number s: the grid (σ = n/K, the documented start), the grid with
 * half the width, the row's peaks, the peaks at half their width, the grid
 * with 1.5 times the width, the greedy start. */
static void start_point(const ws_lm *S, int s, double *x)
{
    static const double grid_width[N_STARTS] = {1.0, 0.5, 0, 0, 1.5, -1, -2, -3, -3, -3};
    if (grid_width[s] < -2) {
        random_start(S, x, s);
    } else if (grid_width[s] < 0) {
        greedy_start(S, x, grid_width[s] < -1);
    } else if (grid_width[s] > 0) {
        grid_start(S, x, grid_width[s]);
    } else {
        peak_start(S, x);
        if (s == 3)
            for (int k = 0; k < S->K; k++) x[3 * k + 2] *= 0.5;
    }
    ws_lm_project(S, x);
}

/* Energy scale of component k, |A|·√σ (‖A g‖ ∝ |A|·σ^½). */
static double comp_energy(const double *x, int k) { return fabs(x[3 * k]) * sqrt(x[3 * k + 2]); }

/* The pair moves: from the fit x, the weakest component becomes a partner
 * of the strongest, of the other sign: σ/4 to its right with its width
 * (move 0: an odd, derivative-of-Gaussian pair) or at its centre 1.5 times
 * as wide (move 1: a Mexican hat). LM can grow such a pair into the odd or
 * sharp feature, or the dip around a bump, that no smooth start reaches
 * (within the amplitude bound). Returns 0 when K < 2. (move / 2 picks the
 * partner by rank: the table has room for the second strongest.) */
#define N_PAIR_MOVES 2
static int pair_start(const ws_lm *S, const double *x, int move, double *t)
{
    int K = S->K, ord[WS_FIT_KMAX];
    if (K < 2 || (move / 2 == 1 && K < 3)) return 0;
    for (int k = 0; k < K; k++) {   /* by energy, strongest first */
        int i = k;
        for (; i > 0 && comp_energy(x, ord[i - 1]) < comp_energy(x, k); i--) ord[i] = ord[i - 1];
        ord[i] = k;
    }
    int c = ord[move / 2], wk = ord[K - 1];
    memcpy(t, x, sizeof(double) * (size_t)S->P);
    t[3 * wk] = -x[3 * c];
    t[3 * wk + 1] = x[3 * c + 1] + (move % 2 ? 0 : 0.25 * x[3 * c + 2]);
    t[3 * wk + 2] = x[3 * c + 2] * (move % 2 ? 1.5 : 1);
    ws_lm_project(S, t);
    return 1;
}

/* The best fit so far, and the counters of all runs. */
typedef struct fit_best {
    double x[3 * WS_FIT_KMAX], sse;
    ws_fit_status st;
    int nfev, iters;
} fit_best;

/* Run x on to the caller's tolerances; keep it when it beats b (the first
 * refined fit always does: b starts at SSE = ∞). */
static void refine(ws_lm *S, const ws_fit_opts *o, double *x, fit_best *b)
{
    double e;
    ws_fit_status st = ws_lm_run(S, o, x, &e, &b->nfev, &b->iters);
    if (e < b->sse || b->sse == INFINITY) {
        b->sse = e, b->st = st;
        memcpy(b->x, x, sizeof(double) * (size_t)S->P);
    }
}

/* A move from the best fit: scout t, refine it when it is promising.
 * Returns 1 when it improved the best fit. */
static int try_move(ws_lm *S, const ws_fit_opts *o, const ws_fit_opts *scout, double *t, fit_best *b)
{
    double e, before = b->sse;
    ws_lm_run(S, scout, t, &e, &b->nfev, &b->iters);
    if (e < MOVE_MARGIN * b->sse) refine(S, o, t, b);
    return b->sse < before * (1 - 1e-9);
}

static void starts(ws_lm *S, const ws_fit_opts *o, const ws_fit_opts *scout, fit_best *b)
{
    double x[N_STARTS][3 * WS_FIT_KMAX], sse[N_STARTS];
    int ord[N_STARTS];
    for (int s = 0; s < N_STARTS; s++) {
        start_point(S, s, x[s]);
        ws_lm_run(S, scout, x[s], &sse[s], &b->nfev, &b->iters);
        /* insertion sort of the start indices by scout SSE */
        int i = s;
        for (; i > 0 && sse[ord[i - 1]] > sse[s]; i--) ord[i] = ord[i - 1];
        ord[i] = s;
    }
    for (int i = 0; i < N_STARTS; i++) {
        if (i > 0 && !(sse[ord[i]] < SCOUT_MARGIN * b->sse)) break;
        refine(S, o, x[ord[i]], b);
    }
}

/* Rounds of reseed moves: the feature the best fit leaves most unexplained
 * replaces one component, weakest first, until one improves the fit. */
static void reseed_moves(ws_lm *S, const ws_fit_opts *o, const ws_fit_opts *scout, fit_best *b)
{
    int K = S->K;
    for (int round = 0, improved = 1; round < RESEED_ROUNDS && improved; round++) {
        int order[WS_FIT_KMAX];
        for (int k = 0; k < K; k++) {   /* by energy, weakest first */
            int i = k;
            for (; i > 0 && comp_energy(b->x, order[i - 1]) > comp_energy(b->x, k); i--) order[i] = order[i - 1];
            order[i] = k;
        }
        double feat[3], t[3 * WS_FIT_KMAX];
        worst_feature(S, b->x, feat);
        improved = 0;
        for (int a = 0; a < K && !improved; a++) {
            memcpy(t, b->x, sizeof(double) * (size_t)S->P);
            memcpy(t + 3 * order[a], feat, sizeof feat);
            improved = try_move(S, o, scout, t, b);
        }
    }
}

void ws_lm_fit(const double *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, double *work)
{
    int K = o->K;
    row_init(out, n, K);
    if (n < 1 || degenerate(w, n, K, out)) return;

    ws_lm S;
    ws_lm_setup(&S, w, n, K, o->amp_bound, work);
    scan_prepare(&S);
    ws_fit_opts scout = *o;
    scout.ftol = fmax(o->ftol, SCOUT_TOL);
    scout.xtol = fmax(o->xtol, SCOUT_TOL);
    fit_best b = {.sse = INFINITY, .st = WS_FIT_MAXFEV};
    double t[3 * WS_FIT_KMAX];
    starts(&S, o, &scout, &b);
    for (int m = 0; m < N_PAIR_MOVES; m++)
        if (pair_start(&S, b.x, m, t)) try_move(&S, o, &scout, t, &b);
    reseed_moves(&S, o, &scout, &b);
    /* the best fit on to scipy's tolerance: the reported fit is converged
     * as tightly as curve_fit's (a few iterations from where it is) */
    ws_fit_opts tight = *o;
    tight.ftol = fmin(o->ftol, POLISH_FTOL);
    memcpy(t, b.x, sizeof t);
    refine(&S, &tight, t, &b);
    for (int k = 0; k < K; k++) {
        out->A[k] = b.x[3 * k];
        out->mu[k] = b.x[3 * k + 1];
        out->sigma[k] = b.x[3 * k + 2];
    }
    out->sse = b.sse;
    out->mse = b.sse / (double)n;
    out->r2 = 1 - b.sse / out->sst;
    out->iters = b.iters;
    out->nfev = b.nfev;
    out->status = ws_fit_cancelling(out, S.scale, NULL, NULL) ? WS_FIT_CANCELLING : b.st;
}

int ws_fit_cancelling(const ws_fit_row *f, double scale, int *k_out, int *l_out)
{
    for (int k = 0; k < f->K; k++)
        for (int l = k + 1; l < f->K; l++) {
            int opposite = (f->A[k] > 0 && f->A[l] < 0) || (f->A[k] < 0 && f->A[l] > 0);
            double tall = WS_FIT_AMP_BOUND * scale;
            if (!opposite || !(fabs(f->A[k]) > tall) || !(fabs(f->A[l]) > tall)) continue;
            if (!(fabs(f->mu[k] - f->mu[l]) <= fmax(f->sigma[k], f->sigma[l]))) continue;
            if (k_out) *k_out = k;
            if (l_out) *l_out = l;
            return 1;
        }
    return 0;
}
