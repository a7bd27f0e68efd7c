/* Gaussian fits of weight rows (DESIGN.md §3).
 *
 * A row w of length n is modelled as a mixture of K Gaussians over the
 * column index j = 0..n-1:
 *
 *     w[j] ≈ Σ_k A_k · exp(−(j − μ_k)² / (2 σ_k²))
 *
 * - L1 fit ("free"): A, μ, σ of every component by Levenberg–Marquardt with
 *   an analytic Jacobian (fit_lm.c), driven by a search over ten starts and
 *   then pair and reseed moves from the best fit (fit_search.c); the best
 *   fit is kept. Bounds: |A_k| ≤ WS_FIT_AMP_BOUND·max|w|, μ_k ∈ [0, n−1] and
 *   σ_k ∈ [WS_FIT_SIGMA_MIN, WS_FIT_SIGMA_MAX_FACTOR·n]: a step that would
 *   leave the box is re-solved with the offending parameters fixed on their
 *   bounds (projected LM), so every trial point is inside.
 * - Grid fit: μ and σ fixed to the grid, amplitudes of all rows by one
 *   linear least-squares solve (W·Gᵀ, then the K×K system G·Gᵀ A = G w).
 * - L2 fit: the same L1 fitter applied, with G components, to each of the
 *   3K L1 parameter signals across the fitted rows.
 *
 * The grid (the users' Paper 56 closed form, also the L1 start point):
 *     μ_k = n·(k+1)/(K+1),   σ_k = n/K,   k = 0..K−1   (centres "inner"),
 * or Paper 61's centres μ_k = linspace(0, n−1, K)_k = k·(n−1)/(K−1) (0 when
 * K = 1; centres "linspace"), same σ. Inner is the default everywhere; fit
 * --centres, pr --centres and training's grid:K:linspace choose linspace for
 * the grid fit, the amplitude structure and the grid policy. The L1
 * search's starts always use the inner grid.
 *
 * Everything is computed in double precision; rows come in as float32. */
#ifndef WS_FIT_H
#define WS_FIT_H

#include <stdint.h>

#include "error.h"
#include "null.h"
#include "threads.h"

#define WS_FIT_KMAX 16
#define WS_FIT_K_DEFAULT 4
#define WS_FIT_G_DEFAULT 3
#define WS_FIT_ROWS_DEFAULT 32        /* rows per matrix fit and the fits table sample (the notes' 32) */
#define WS_FIT_SIGMA_MIN 0.5          /* columns */
#define WS_FIT_SIGMA_MAX_FACTOR 4.0   /* σ ≤ 4·n */
/* The free fit's amplitude bound: |A_k| ≤ WS_FIT_AMP_BOUND·max_j |w[j]|
 * (ws_fit_opts.amp_bound; 0 = none). A component much taller than the
 * whole row only fits when another one of the other sign cancels it where
 * it stands (ws_fit_cancelling), a shape on another scale than the data.
 * Twice the row's largest |value| leaves room for what true mixtures need
 * (a narrow peak between two samples, overlapping bumps of both signs) and
 * keeps every component drawn on the data's scale; the same factor marks a
 * cancelling pair, so the default fit never holds one. */
#define WS_FIT_AMP_BOUND 2.0

/* ---- the grid ---- */

typedef enum ws_grid_centres { WS_GRID_INNER = 0, WS_GRID_LINSPACE = 1 } ws_grid_centres;

static inline double ws_grid_mu(int64_t n, int K, int k, ws_grid_centres c)
{
    if (c == WS_GRID_LINSPACE)
        return K > 1 ? (double)(n - 1) * k / (K - 1) : 0;
    return (double)n * (k + 1) / (K + 1);
}
static inline double ws_grid_sigma(int64_t n, int K) { return (double)n / K; }

/* "inner" or "linspace". */
const char *ws_grid_centres_name(ws_grid_centres c);
/* Parse "inner" or "linspace": 0, or -1 for anything else. */
int ws_grid_centres_parse(const char *s, ws_grid_centres *out);

/* G (K × n, row-major): G[k][j] = exp(−(j − μ_k)² / (2σ²)) with the grid μ, σ. */
void ws_grid_basis(int64_t n, int K, ws_grid_centres c, double *G);

/* R (K × K, upper triangular, row-major) of the QR factorisation Gᵀ = Q R
 * of the grid basis. A row's amplitudes are a = R⁻¹Qᵀw, so a row of white
 * noise with variance σ² has amplitudes with covariance σ²·R⁻¹R⁻ᵀ (the
 * null baselines draw them from that law, null.h). Pt (may be NULL; n × K,
 * row-major) gets (R⁻¹Qᵀ)ᵀ in float32: W·Pt gives every row's amplitudes
 * in one sgemm, to float precision (the null draws' amplitudes). */
int ws_grid_r(int64_t n, int K, ws_grid_centres c, double *R, float *Pt, ws_err *e);

/* Amplitudes of every row of W (rows × n) on the grid, by least squares:
 * A_out (rows × K, float32) = W·Gᵀ·(G·Gᵀ)⁻¹. `r2_out` (may be NULL) gets the
 * pooled R² = 1 − ΣSSE/ΣSST over all rows (SST about each row's mean);
 * 1 when every row is constant and fitted exactly, 0 when all SST are 0 but
 * SSE is not. Runs on all cores; needs n ≥ K. */
int ws_grid_fit(const float *W, int64_t rows, int64_t n, int K, ws_grid_centres c, float *A_out,
                double *r2_out, ws_err *e);

/* The same with per-row sums (each may be NULL): sse[i] = ‖w_i − A_i G‖²,
 * sst[i] = Σ_j (w_ij − mean_i)², and A in double. Cancellable (returns -1
 * with "cancelled"), reports rows done. Non-finite rows get A = 0 and
 * sse = sst = NaN; callers skip them. */
int ws_grid_fit_rows(const float *W, int64_t rows, int64_t n, int K, ws_grid_centres c, double *A_out,
                     double *sse, double *sst, ws_progress *p, ws_err *e);

/* ---- L1 fit of one row ---- */

typedef enum ws_fit_status {
    WS_FIT_CONVERGED = 0,  /* ftol, xtol or gtol met */
    WS_FIT_MAXFEV,         /* stopped at the evaluation limit (parameters still the best found) */
    WS_FIT_ZERO,           /* row all zeros: nothing fitted, A = 0 */
    WS_FIT_CONSTANT,       /* row constant (SST = 0): nothing fitted */
    WS_FIT_NONFINITE,      /* row holds NaN or Inf */
    WS_FIT_TOO_SHORT,      /* n < 3K: more parameters than points */
    WS_FIT_GRID,           /* grid fit: μ, σ fixed, A by least squares */
    WS_FIT_CANCELLING,     /* fitted, but with a cancelling pair (ws_fit_cancelling): counted degenerate */
    WS_FIT_STATUS_COUNT
} ws_fit_status;

/* "converged", "maxfev", "zero", "constant", "nonfinite", "too-short", "grid",
 * "cancelling". */
const char *ws_fit_status_name(ws_fit_status s);
/* Status of a row that carries a fit with a residual (converged, maxfev,
 * grid, cancelling): its R² and MSE count in the summaries. */
static inline int ws_fit_status_fitted(ws_fit_status s)
{ return s == WS_FIT_CONVERGED || s == WS_FIT_MAXFEV || s == WS_FIT_GRID || s == WS_FIT_CANCELLING; }
/* Status counted in a summary's `degenerate`: no fit, or a cancelling pair. */
static inline int ws_fit_status_degenerate(ws_fit_status s)
{ return !ws_fit_status_fitted(s) || s == WS_FIT_CANCELLING; }

typedef struct ws_fit_opts {
    int K;              /* 1..WS_FIT_KMAX */
    double ftol;        /* relative SSE reduction (actual and predicted) ≤ ftol: converged */
    double xtol;        /* relative step ‖Dδ‖ ≤ xtol·‖Dx‖: converged */
    double gtol;        /* max |cos(residual, Jacobian column)| ≤ gtol: converged */
    int maxfev;         /* evaluation limit; 0 = 100·(3K+1) as MINPACK lmder */
    double amp_bound;   /* |A_k| ≤ amp_bound·max|w| (WS_FIT_AMP_BOUND); 0 = unbounded */
} ws_fit_opts;

/* K = K, ftol = 1e-5, xtol = 1.49012e-8, gtol = 0, maxfev = 0,
 * amp_bound = WS_FIT_AMP_BOUND. scipy's
 * curve_fit uses ftol = 1.49012e-8; on bench/fit's rows (n = 256) that
 * raises the mean R² by under 1e-3 (K = 4: 6e-4, K = 8: 3e-4) at three
 * (K = 4) to four (K = 8) times the cost, and with 1e-5 the fixture test
 * (tests/test_fit.c) still holds. */
void ws_fit_opts_default(ws_fit_opts *o, int K);

typedef struct ws_fit_row {
    double A[WS_FIT_KMAX], mu[WS_FIT_KMAX], sigma[WS_FIT_KMAX];
    double sse, sst;    /* Σ residual², Σ (w − mean)² */
    double mse, r2;     /* sse/n, 1 − sse/sst (NaN for rows without a fit) */
    int K;
    int iters, nfev;    /* LM iterations (accepted or not) and model evaluations, all starts */
    ws_fit_status status;
} ws_fit_row;

/* Fit one row. Degenerate rows return 0 with their status set (never NaN in
 * A, μ, σ). Returns -1 only for bad options (K out of range) or no memory. */
int ws_fit_row_l1(const float *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, ws_err *e);
/* The same on a double row (used by the L2 fit). */
int ws_fit_row_l1_d(const double *w, int64_t n, const ws_fit_opts *o, ws_fit_row *out, ws_err *e);

/* A cancelling pair: two components of opposite sign, each taller than
 * WS_FIT_AMP_BOUND times the row's largest |value| (scale = max_j |w[j]|),
 * whose centres are within the wider one's σ of each other: together they
 * draw a small difference of two big bumps, a shape on another scale than
 * the data. Returns 1 and the two components' indices (either pointer may
 * be NULL), else 0. */
int ws_fit_cancelling(const ws_fit_row *f, double scale, int *k_out, int *l_out);

/* Model value of a fitted row at j = 0..n−1 (σ clamped to WS_FIT_SIGMA_MIN). */
void ws_fit_eval(const ws_fit_row *f, int64_t n, double *out);

/* ---- a whole matrix ---- */

struct ws_spectrum;

/* Null baselines of a matrix's fit statistics (fit_nulls.h): per
 * statistic, per family (null.h), over n draws (0: none computed). */
enum { WS_FN_R2, WS_FN_CENTRE_LIN, WS_FN_CENTRE_EV_R, WS_FN_L2_R2, WS_FN_COUNT };
typedef struct ws_fit_nulls {
    int n;
    ws_null s[WS_FN_COUNT][WS_NULL_NFAM];
} ws_fit_nulls;

/* The users' fit measurements of a matrix (definitions: fit_measures.h). */
typedef struct ws_fit_measures {
    double sigma_mean, sigma_cv, amp_mean, amp_cv, amp_abs_mean;
    double mu_k[WS_FIT_KMAX], sigma_k[WS_FIT_KMAX], sigma_cv_k[WS_FIT_KMAX];
    double amp_k[WS_FIT_KMAX], amp_cv_k[WS_FIT_KMAX], amp_abs_k[WS_FIT_KMAX];
    double centre_slope, centre_intercept;
    double sigma_spacing_r, sigma_spacing_p, amp_sv_r, amp_sv_p;   /* NaN without eigenvalues */
    double params, params_l1, params_l2;
} ws_fit_measures;

/* Predictability of the L1 parameters from spectral features of the rows
 * (definitions: fit_predict.h). */
#define WS_PREDICT_DIMS_DEFAULT 8
#define WS_PREDICT_FOLDS_DEFAULT 5
#define WS_PREDICT_NPC 3          /* amplitude PCs reported (at most K) */

typedef struct ws_fit_predict_opts {
    int dims;     /* p, 1..d */
    int folds;    /* F ≥ 2 */
} ws_fit_predict_opts;

typedef struct ws_fit_predict {
    const char *why;       /* NULL when computed, else why not (a fixed string) */
    int K, dims, folds, npc;
    int64_t rows;          /* m: the rows used */
    double r2_mu[WS_FIT_KMAX], r2_sigma[WS_FIT_KMAX], r2_amp[WS_FIT_KMAX];
    double r2_mu_mean, r2_sigma_mean, r2_amp_mean;   /* means over k of the finite ones above */
    double pc_share[WS_FIT_KMAX];  /* variance share of each amplitude PC (descending) */
    double r2_pc[WS_PREDICT_NPC];  /* CV R² of the scores on PC 1..npc */
    double r2_pc_mean;
    double align[WS_PREDICT_NPC];  /* max |cos| of PC j (in weight space) with an eigenvector */
    int align_eig[WS_PREDICT_NPC]; /* that eigenvector (0-based, descending eigenvalue order) */
    double align_mean;
} ws_fit_predict;


typedef enum ws_fit_mode { WS_FIT_FREE = 0, WS_FIT_MODE_GRID = 1 } ws_fit_mode;

typedef struct ws_fit_summary {
    int64_t rows, cols;        /* matrix shape */
    int64_t fitted;            /* rows attempted (all, or the uniform sample) */
    int64_t usable;            /* rows with a fit (status converged/maxfev/grid/cancelling) */
    int64_t nonconverged;      /* status maxfev */
    int64_t degenerate;        /* zero, constant, nonfinite, too-short or cancelling */
    int K;
    ws_fit_mode mode;
    double r2;                 /* pooled: 1 − ΣSSE/ΣSST over usable rows (0 when none) */
    double r2_median;          /* median per-row R² over usable rows */
    double mse;                /* mean per-row MSE over usable rows */
    double compression;        /* n / (3K) */
    double centre_linearity;   /* R² of the mean sorted centres against k (1 when K ≤ 2) */
    double centre_linearity_p; /* its two-sided Pearson p over the K points (NaN when K ≤ 2) */
    double centre_ev_r;        /* Pearson r(mean sorted centres, eigenvalue positions rescaled
                                * to the row); NaN when no spectrum given */
    double centre_ev_r_p;      /* its two-sided Pearson p over the K points */
    ws_fit_measures m;         /* the users' measurements (fit_measures.h) */
    ws_fit_predict pred;       /* with ws_fit_matrix_opts.spec: predictability (fit_predict.h); else pred.why */
    ws_fit_nulls null;         /* filled by ws_fit_nulls_run, else n = 0 */
} ws_fit_summary;

typedef struct ws_fit_l2 {
    int G, K;
    int64_t len;               /* number of points of each signal (the fitted rows) */
    ws_fit_row sig[3 * WS_FIT_KMAX];  /* fit of signal p: p = 3k (A_k), 3k+1 (μ_k), 3k+2 (σ_k) */
    double r2_params;          /* mean over the 3K signals of their R² (constant signals count as 1 if fitted exactly) */
    double r2_rows;            /* pooled R² of the rows rebuilt from the L2-reconstructed L1 parameters */
    double mse;                /* their mean squared error: Σ SSE / (rows · n) */
    double compression;        /* rows·n / (9·K·G): the whole matrix over its 3K·3G L2
                                * parameters (the users' rows·n/108 for K = 4, G = 3) */
} ws_fit_l2;

typedef struct ws_fit_matrix_opts {
    ws_fit_opts fit;
    ws_fit_mode mode;
    ws_grid_centres centres;   /* the grid of mode grid (the L1 search and --predict use inner) */
    int64_t sample;            /* 0 = all rows, else a uniform sample of this many rows */
    int level;                 /* 1, or 2 to add the L2 fit (free mode) */
    int G;                     /* L2 components, default WS_FIT_G_DEFAULT */
    const double *eig;         /* optional EᵀE eigenvalues (any length ≥ K), for centre_ev_r */
    int64_t n_eig;
    const struct ws_spectrum *spec;  /* optional spectrum of E with eigenvectors: the predictability */
    ws_fit_predict_opts predict;
    int threads;               /* 0 = all cores */
} ws_fit_matrix_opts;

void ws_fit_matrix_opts_default(ws_fit_matrix_opts *o);

typedef struct ws_fit_result {
    ws_fit_summary s;
    int64_t *row_index;        /* fitted rows' indices in the matrix (s.fitted of them, ascending) */
    ws_fit_row *rows;          /* their fits */
    ws_fit_l2 *l2;             /* NULL unless level 2 */
} ws_fit_result;

/* Fit the rows of W (rows × n). Parallel over rows, cancellable through
 * `p` (returns -1 "cancelled"); progress counts rows: p->done grows by the
 * rows fitted, and p->total is set to them when it is 0 (a caller fitting
 * several matrices sets the grand total first). */
int ws_fit_matrix(const float *W, int64_t rows, int64_t n, const ws_fit_matrix_opts *o,
                  ws_fit_result *out, ws_progress *p, ws_err *e);
void ws_fit_result_free(ws_fit_result *r);

/* Indices of a uniform sample of m of `rows` rows: round(i·rows/m), ascending
 * (all rows when m = 0 or m ≥ rows). Returns the count written. */
int64_t ws_fit_sample_rows(int64_t rows, int64_t m, int64_t *idx);

#endif
