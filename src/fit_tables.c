/* The Gaussian fits as described tables (fit_tables.h). Definitions: the
 * man page (ANALYSES, Gaussian fits) and fit.h. */
#include "fit_tables.h"

#include <math.h>
#include <stdio.h>

#include "table_id.h"

#define N_OF(a) (sizeof (a) / sizeof *(a))

/* ---- the summary: one row per matrix ---- */

typedef struct sum_row {
    ws_row_id id;
    const ws_fit_summary *s;
    const ws_fit_l2 *l2;
    double secs;
} sum_row;

/* arg: 0 fitted, 1 K, 2 r2, 3 r2_median, 4 mse, 5 compression, 6 centre
 * linearity, 7 centre_ev_r, 8 nonconverged, 9 degenerate, 10 seconds,
 * 11 centre linearity's p, 12 centre_ev_r's p */
static double get_sum(const void *row, int arg)
{
    const sum_row *r = row;
    const ws_fit_summary *s = r->s;
    double v[] = {(double)s->fitted, s->K, s->r2, s->r2_median, s->mse, s->compression,
                  s->centre_linearity, s->centre_ev_r, (double)s->nonconverged, (double)s->degenerate,
                  r->secs, s->centre_linearity_p, s->centre_ev_r_p};
    return v[arg];
}

/* arg: 0 r2_params, 1 r2_rows, 2 compression */
static double get_l2(const void *row, int arg)
{
    const ws_fit_l2 *l2 = ((const sum_row *)row)->l2;
    if (!l2)
        return NAN;
    double v[] = {l2->r2_params, l2->r2_rows, l2->compression};
    return v[arg];
}

static const char *get_mode(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ((const sum_row *)row)->s->mode == WS_FIT_MODE_GRID ? "grid" : "free";
}

static const ws_colspec sum_cols[] = {
    {{"fitted", "fitted", WS_COL_INT, NULL, "rows", "rows fitted (all, or the uniform sample of --rows)",
      WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 0},
    {{"K", "K", WS_COL_INT, NULL, "", "Gaussians per row", WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 1},
    {{"mode", "mode", WS_COL_STR, NULL, "", "free: A, mu, sigma fitted; grid: amplitudes on the fixed grid",
      WS_MORE_NONE, 0}, NULL, get_mode, NULL, 0},
    {{"r2", "R2", WS_COL_NUM, "%.4f", "", "pooled R^2 = 1 - sum SSE / sum SST over the fitted rows",
      WS_MORE_HIGHER, WS_COL_BARS}, get_sum, NULL, NULL, 2},
    {{"r2_median", "R2 med", WS_COL_NUM, "%.4f", "", "median of the rows' R^2", WS_MORE_HIGHER, WS_COL_BARS},
     get_sum, NULL, NULL, 3},
    {{"mse", "MSE", WS_COL_NUM, "%.4g", "", "mean of the rows' mean squared error", WS_MORE_HIGHER, WS_COL_BARS},
     get_sum, NULL, NULL, 4},
    {{"compression", "compr", WS_COL_NUM, "%.2f", "x", "row length / parameters per row: n / (3K)",
      WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 5},
    {{"centre_linearity", "centre lin", WS_COL_NUM, "%.4f", "",
      "R^2 of the mean sorted centres against their index k", WS_MORE_HIGHER, WS_COL_BARS},
     get_sum, NULL, NULL, 6},
    {{"centre_linearity_p", "lin p", WS_COL_NUM, "%.2e", "",
      "Pearson p-value of the centre line over the K points (not of the null baselines: see the man page)",
      WS_MORE_LOWER, WS_COL_DATA}, get_sum, NULL, NULL, 11},
};

static const ws_colspec eig_cols[] = {
    {{"centre_ev_r", "ev r", WS_COL_NUM, "%.4f", "",
      "Pearson r of the mean sorted centres with the eigenvalue positions (fit --eig), rescaled to the row",
      WS_MORE_HIGHER, WS_COL_BARS}, get_sum, NULL, NULL, 7},
    {{"centre_ev_r_p", "ev p", WS_COL_NUM, "%.2e", "", "two-sided Pearson p-value of centre_ev_r over the K points",
      WS_MORE_LOWER, 0}, get_sum, NULL, NULL, 12},
};

static const ws_colspec count_cols[] = {
    {{"nonconverged", "nonconv", WS_COL_INT, NULL, "rows", "rows that stopped at the evaluation limit",
      WS_MORE_HIGHER, WS_COL_BARS}, get_sum, NULL, NULL, 8},
    {{"degenerate", "degen", WS_COL_INT, NULL, "rows", "rows that are zero, constant, not finite or too short",
      WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 9},
};

static const ws_colspec l2_cols[] = {
    {{"l2_r2_params", "L2 R2 par", WS_COL_NUM, "%.4g", "",
      "L2: mean R^2 of the 3K parameter signals fitted over the row index", WS_MORE_HIGHER, WS_COL_BARS},
     get_l2, NULL, NULL, 0},
    {{"l2_r2_rows", "L2 R2 rows", WS_COL_NUM, "%.4g", "", "L2: pooled R^2 of the rows rebuilt from the L2 fit",
      WS_MORE_HIGHER, WS_COL_BARS}, get_l2, NULL, NULL, 1},
    {{"l2_compression", "L2 compr", WS_COL_NUM, "%.1f", "x",
      "L2: the matrix's rows x n over its 9KG L2 parameters (rows x n / 108 at K = 4, G = 3)",
      WS_MORE_HIGHER, 0}, get_l2, NULL, NULL, 2},
};

static const ws_colspec secs_col = {
    {"seconds", "s", WS_COL_NUM, "%.3f", "s", "wall time of the fit", WS_MORE_HIGHER, 0},
    get_sum, NULL, NULL, 10};

ws_table *ws_fit_summary_table(const ws_fit_table_opts *o)
{
    ws_table *t = ws_table_new_named("fits", "per matrix: sums of K Gaussians fitted to its rows");
    int rc = t ? 0 : -1;
    if (!rc)
        rc = ws_table_add_specs(t, ws_id_cols, WS_ID_NCOLS) < 0 || ws_table_add_specs(t, sum_cols, N_OF(sum_cols)) < 0 ||
             (o->with_eig && ws_table_add_specs(t, eig_cols, N_OF(eig_cols)) < 0) ||
             ws_table_add_specs(t, count_cols, N_OF(count_cols)) < 0 ||
             (o->level >= 2 && ws_table_add_specs(t, l2_cols, N_OF(l2_cols)) < 0) ||
             (o->timing && ws_table_add_specs(t, &secs_col, 1) < 0);
    if (rc) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}

int ws_fit_summary_add(ws_table *t, const ws_tensor *x, const ws_fit_summary *s, const ws_fit_l2 *l2,
                       double secs)
{
    sum_row r = {.s = s, .l2 = l2, .secs = secs};
    ws_row_id_tensor(&r.id, x);
    return ws_table_add_item(t, &r) < 0 ? -1 : 0;
}

/* ---- every fitted row ---- */

typedef struct fit_row {
    ws_row_id id;
    int64_t index;
    const ws_fit_row *f;
} fit_row;

/* arg: 0 row index, 1 r2, 2 mse, 3 iterations, 4 evaluations */
static double get_row(const void *row, int arg)
{
    const fit_row *r = row;
    double v[] = {(double)r->index, r->f->r2, r->f->mse, r->f->iters, r->f->nfev};
    return v[arg];
}

static const char *get_row_status(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ws_fit_status_name(((const fit_row *)row)->f->status);
}

/* arg: 3k + 0 (A_k), 1 (mu_k), 2 (sigma_k) */
static double get_param(const void *row, int arg)
{
    const ws_fit_row *f = ((const fit_row *)row)->f;
    int k = arg / 3;
    if (k >= f->K)
        return NAN;
    return arg % 3 == 0 ? f->A[k] : arg % 3 == 1 ? f->mu[k] : f->sigma[k];
}

static const ws_colspec row_cols[] = {
    {{"row", "row", WS_COL_INT, NULL, "", "the row's index in the matrix", WS_MORE_NONE, 0},
     get_row, NULL, NULL, 0},
    {{"status", "status", WS_COL_STR, NULL, "", "converged, maxfev, grid, or why the row has no fit",
      WS_MORE_NONE, 0}, NULL, get_row_status, NULL, 0},
    {{"r2", "R2", WS_COL_NUM, "%.6g", "", "R^2 = 1 - SSE / SST of the row", WS_MORE_HIGHER, 0},
     get_row, NULL, NULL, 1},
    {{"mse", "MSE", WS_COL_NUM, "%.6g", "", "mean squared error SSE / n", WS_MORE_HIGHER, 0},
     get_row, NULL, NULL, 2},
    {{"iters", "iters", WS_COL_INT, NULL, "", "Levenberg-Marquardt iterations, all starts", WS_MORE_HIGHER, 0},
     get_row, NULL, NULL, 3},
    {{"nfev", "nfev", WS_COL_INT, NULL, "", "model evaluations, all starts", WS_MORE_HIGHER, 0},
     get_row, NULL, NULL, 4},
};

/* A_k, mu_k, sigma_k of component k. */
#define PARAMS(k)                                                                                  \
    {{"A" #k, "A" #k, WS_COL_NUM, "%.9g", "", "amplitude of Gaussian " #k, WS_MORE_HIGHER, 0},      \
     get_param, NULL, NULL, 3 * (k)},                                                              \
    {{"mu" #k, "mu" #k, WS_COL_NUM, "%.9g", "columns", "centre of Gaussian " #k, WS_MORE_NONE, 0},  \
     get_param, NULL, NULL, 3 * (k) + 1},                                                          \
    {{"sigma" #k, "sigma" #k, WS_COL_NUM, "%.9g", "columns", "width of Gaussian " #k, WS_MORE_HIGHER, 0}, \
     get_param, NULL, NULL, 3 * (k) + 2}

static const ws_colspec param_cols[3 * WS_FIT_KMAX] = {
    PARAMS(0), PARAMS(1), PARAMS(2), PARAMS(3), PARAMS(4), PARAMS(5), PARAMS(6), PARAMS(7),
    PARAMS(8), PARAMS(9), PARAMS(10), PARAMS(11), PARAMS(12), PARAMS(13), PARAMS(14), PARAMS(15),
};

ws_table *ws_fit_rows_table(int K)
{
    ws_table *t = ws_table_new_named("rows", "per fitted row: the fit's quality and each Gaussian's "
                                     "amplitude A, centre mu and width sigma");
    if (K < 1 || K > WS_FIT_KMAX || !t || ws_table_add_specs(t, ws_id_cols, 1) < 0 ||
        ws_table_add_specs(t, row_cols, N_OF(row_cols)) < 0 ||
        ws_table_add_specs(t, param_cols, 3 * (size_t)K) < 0) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}

int ws_fit_rows_add(ws_table *t, const ws_tensor *x, const ws_fit_result *r)
{
    for (int64_t i = 0; i < r->s.fitted; i++) {
        fit_row fr = {.index = r->row_index[i], .f = &r->rows[i]};
        ws_row_id_tensor(&fr.id, x);
        if (ws_table_add_item(t, &fr) < 0)
            return -1;
    }
    return 0;
}
