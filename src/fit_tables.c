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

/* arg: 0 r2_params, 1 r2_rows, 2 compression, 3 mse */
static double get_l2(const void *row, int arg)
{
    const ws_fit_l2 *l2 = ((const sum_row *)row)->l2;
    if (!l2)
        return NAN;
    double v[] = {l2->r2_params, l2->r2_rows, l2->compression, l2->mse};
    return v[arg];
}

static const char *get_mode(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ((const sum_row *)row)->s->mode == WS_FIT_MODE_GRID ? "grid" : "free";
}

/* A fit statistic's null baselines (fit_nulls.h): arg = 6·statistic +
 * 3·family + (0 mean, 1 std, 2 z); empty when none were drawn. */
static double get_fit_null(const void *row, int arg)
{
    const ws_fit_nulls *n = &((const sum_row *)row)->s->null;
    const ws_null *q = &n->s[arg / 6][arg % 6 / 3];
    if (n->n == 0 || q->n == 0)
        return NAN;
    return arg % 3 == 0 ? q->mean : arg % 3 == 1 ? q->std : q->z;
}

/* Both families after a fit statistic; only the Gaussian z may show. */
#define FIT_NULLS(KEY, TITLE, WHAT, FMT, STAT, ZFLAGS)                                              \
    WS_COLS_NULL3(KEY, "null", "_z", TITLE, TITLE " vs noise", WHAT,                              \
                  "Gaussian noise rows fitted alike (as many as fitted)", FMT, get_fit_null, 6 * (STAT), \
                  WS_COL_DATA, ZFLAGS),                                                             \
    WS_COLS_NULL3(KEY, "perm", "_perm_z", TITLE, TITLE " vs perm", WHAT,                          \
                  "the fitted rows with their entries permuted, fitted alike", FMT, get_fit_null,   \
                  6 * (STAT) + 3, WS_COL_DATA, WS_COL_DATA)

static const ws_colspec sum_cols[] = {
    {{"fitted", "fitted", WS_COL_INT, NULL, "rows", "rows fitted (all, or the uniform sample of --rows)",
      WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 0},
    {{"K", "K", WS_COL_INT, NULL, "", "Gaussians per row", WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 1},
    {{"mode", "mode", WS_COL_STR, NULL, "", "free: A, mu, sigma fitted; grid: amplitudes on the fixed grid",
      WS_MORE_NONE, 0}, NULL, get_mode, NULL, 0},
    {{"r2", "R2", WS_COL_NUM, "%.4f", "", "pooled R^2 = 1 - sum SSE / sum SST over the fitted rows",
      WS_MORE_HIGHER, WS_COL_BARS}, get_sum, NULL, NULL, 2},
    FIT_NULLS("r2", "R2", "the pooled R^2", "%.4f", WS_FN_R2, WS_COL_BARS),
    {{"r2_median", "R2 med", WS_COL_NUM, "%.4f", "", "median of the rows' R^2", WS_MORE_HIGHER, WS_COL_BARS},
     get_sum, NULL, NULL, 3},
    {{"mse", "MSE", WS_COL_NUM, "%.4g", "", "mean of the rows' mean squared error", WS_MORE_HIGHER, WS_COL_BARS},
     get_sum, NULL, NULL, 4},
    {{"compression", "compr", WS_COL_NUM, "%.2f", "x", "row length / parameters per row: n / (3K)",
      WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 5},
    {{"centre_linearity", "centre lin", WS_COL_NUM, "%.4f", "",
      "R^2 of the mean sorted centres against their index k", WS_MORE_HIGHER, WS_COL_BARS},
     get_sum, NULL, NULL, 6},
    FIT_NULLS("centre_linearity", "centre lin", "the centre linearity", "%.4f", WS_FN_CENTRE_LIN, WS_COL_DATA),
    {{"centre_linearity_p", "lin p", WS_COL_NUM, "%.2e", "",
      "Pearson p-value of the centre line over the K points (not of the null baselines: see the man page)",
      WS_MORE_LOWER, WS_COL_DATA}, get_sum, NULL, NULL, 11},
};

/* arg: 0 sigma_mean, 1 sigma_cv, 2 amp_mean, 3 amp_cv, 4 amp_abs_mean,
 * 5 centre_slope, 6 centre_intercept, 7 params, 8 params_l1, 9 params_l2,
 * 10 sigma_spacing_r, 11 its p, 12 amp_sv_r, 13 its p */
static double get_meas(const void *row, int arg)
{
    const ws_fit_measures *m = &((const sum_row *)row)->s->m;
    double v[] = {m->sigma_mean, m->sigma_cv, m->amp_mean, m->amp_cv, m->amp_abs_mean, m->centre_slope,
                  m->centre_intercept, m->params, m->params_l1, m->params_l2, m->sigma_spacing_r,
                  m->sigma_spacing_p, m->amp_sv_r, m->amp_sv_p};
    return v[arg];
}

static const ws_colspec meas_cols[] = {
    {{"centre_slope", "slope", WS_COL_NUM, "%.4g", "columns", "slope of the centre line m_k = slope k + intercept "
      "(m_k: mean over rows of the k-th centre by position)", WS_MORE_HIGHER, 0}, get_meas, NULL, NULL, 5},
    {{"centre_intercept", "intercept", WS_COL_NUM, "%.4g", "columns", "intercept of the centre line",
      WS_MORE_HIGHER, 0}, get_meas, NULL, NULL, 6},
    {{"sigma_mean", "sigma", WS_COL_NUM, "%.4g", "columns", "mean width sigma over every fitted row and component",
      WS_MORE_HIGHER, WS_COL_BARS}, get_meas, NULL, NULL, 0},
    {{"sigma_cv", "sigma CV", WS_COL_NUM, "%.3g", "", "coefficient of variation of sigma (population std / |mean|)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_meas, NULL, NULL, 1},
    {{"amp_mean", "A mean", WS_COL_NUM, "%.4g", "", "mean amplitude A over every fitted row and component",
      WS_MORE_HIGHER, WS_COL_DATA}, get_meas, NULL, NULL, 2},
    {{"amp_abs_mean", "|A| mean", WS_COL_NUM, "%.4g", "", "mean |A| over every fitted row and component",
      WS_MORE_HIGHER, WS_COL_DATA}, get_meas, NULL, NULL, 4},
    {{"amp_cv", "A CV", WS_COL_NUM, "%.3g", "", "coefficient of variation of A (population std / |mean|)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_meas, NULL, NULL, 3},
    {{"params", "params", WS_COL_INT, NULL, "", "parameters of the matrix: rows x n", WS_MORE_HIGHER, 0},
     get_meas, NULL, NULL, 7},
    {{"params_l1", "L1 params", WS_COL_INT, NULL, "", "L1 parameters of the whole matrix: rows x 3K (grid: rows x K)",
      WS_MORE_HIGHER, 0}, get_meas, NULL, NULL, 8},
};

static const ws_colspec eig_meas_cols[] = {
    {{"sigma_spacing_r", "sig~gap r", WS_COL_NUM, "%.3f", "",
      "Pearson r of the k-th mean sigma (by centre) with the eigenvalue spacing lambda_k - lambda_k+1 (fit --eig)",
      WS_MORE_HIGHER, 0}, get_meas, NULL, NULL, 10},
    {{"sigma_spacing_p", "sig~gap p", WS_COL_NUM, "%.2e", "", "two-sided Pearson p-value of sigma_spacing_r over the K points",
      WS_MORE_LOWER, 0}, get_meas, NULL, NULL, 11},
    {{"amp_sv_r", "|A|~sv r", WS_COL_NUM, "%.3f", "",
      "Pearson r of the k-th mean |A| (by centre) with the singular value sqrt(lambda_k) (fit --eig)",
      WS_MORE_HIGHER, 0}, get_meas, NULL, NULL, 12},
    {{"amp_sv_p", "|A|~sv p", WS_COL_NUM, "%.2e", "", "two-sided Pearson p-value of amp_sv_r over the K points",
      WS_MORE_LOWER, 0}, get_meas, NULL, NULL, 13},
};

/* arg: 0 rows used, 1 mu, 2 sigma, 3 amp, 4 PC1, 5 PCs, 6 PC1 align, 7 its
 * eigenvector, 8 mean align, 9 PC1 share */
static double get_pred(const void *row, int arg)
{
    const ws_fit_predict *p = &((const sum_row *)row)->s->pred;
    if (p->why)
        return NAN;
    double v[] = {(double)p->rows, p->r2_mu_mean, p->r2_sigma_mean, p->r2_amp_mean, p->r2_pc[0], p->r2_pc_mean,
                  p->align[0], p->align_eig[0], p->align_mean, p->pc_share[0]};
    return v[arg];
}

static const char *get_pred_why(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    const char *why = ((const sum_row *)row)->s->pred.why;
    return why ? why : "ok";
}

static const ws_colspec pred_cols[] = {
    {{"pred_mu_r2", "pred mu", WS_COL_NUM, "%.3f", "",
      "cross-validated R^2 of the sorted centres from the row's top EtE coordinates (mean over k)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pred, NULL, NULL, 1},
    {{"pred_sigma_r2", "pred sig", WS_COL_NUM, "%.3f", "", "the same for the widths (sorted by centre)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pred, NULL, NULL, 2},
    {{"pred_amp_r2", "pred A", WS_COL_NUM, "%.3f", "", "the same for the amplitudes (sorted by centre)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pred, NULL, NULL, 3},
    {{"pred_pc1_r2", "pred PC1", WS_COL_NUM, "%.3f", "", "the same for the score on the first amplitude PC",
      WS_MORE_HIGHER, WS_COL_DATA}, get_pred, NULL, NULL, 4},
    {{"pred_pc_r2", "pred PCs", WS_COL_NUM, "%.3f", "", "the same, mean over the first 3 amplitude PCs",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pred, NULL, NULL, 5},
    {{"pc1_share", "PC1 share", WS_COL_NUM, "%.3f", "", "share of the grid amplitudes' variance on their first PC",
      WS_MORE_HIGHER, WS_COL_DATA}, get_pred, NULL, NULL, 9},
    {{"pc1_align", "PC1 align", WS_COL_NUM, "%.3f", "",
      "max |cos| of the first amplitude PC, mapped through the grid, with an eigenvector of EtE", WS_MORE_HIGHER,
      WS_COL_DATA}, get_pred, NULL, NULL, 6},
    {{"pc1_align_eig", "PC1 eig", WS_COL_INT, NULL, "", "that eigenvector (0: the largest eigenvalue)",
      WS_MORE_NONE, WS_COL_DATA}, get_pred, NULL, NULL, 7},
    {{"pc_align", "PC align", WS_COL_NUM, "%.3f", "", "the same alignment, mean over the first 3 amplitude PCs",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pred, NULL, NULL, 8},
    {{"pred_rows", "pred rows", WS_COL_INT, NULL, "rows", "fitted rows the predictability used", WS_MORE_HIGHER,
      WS_COL_DATA}, get_pred, NULL, NULL, 0},
    {{"pred_status", "pred", WS_COL_STR, NULL, "", "ok, or why the predictability has no numbers", WS_MORE_NONE, 0},
     NULL, get_pred_why, NULL, 0},
};

static const ws_colspec eig_cols[] = {
    {{"centre_ev_r", "ev r", WS_COL_NUM, "%.4f", "",
      "Pearson r of the mean sorted centres with the eigenvalue positions (fit --eig), rescaled to the row",
      WS_MORE_HIGHER, WS_COL_BARS}, get_sum, NULL, NULL, 7},
    FIT_NULLS("centre_ev_r", "ev r", "r(centres, eigenvalue positions)", "%.4f", WS_FN_CENTRE_EV_R, WS_COL_DATA),
    {{"centre_ev_r_p", "ev p", WS_COL_NUM, "%.2e", "", "two-sided Pearson p-value of centre_ev_r over the K points",
      WS_MORE_LOWER, 0}, get_sum, NULL, NULL, 12},
};

static const ws_colspec count_cols[] = {
    {{"nonconverged", "nonconv", WS_COL_INT, NULL, "rows", "rows that stopped at the evaluation limit",
      WS_MORE_HIGHER, WS_COL_BARS}, get_sum, NULL, NULL, 8},
    {{"degenerate", "degen", WS_COL_INT, NULL, "rows", "rows that are zero, constant, not finite, too short, or hold a cancelling pair",
      WS_MORE_HIGHER, 0}, get_sum, NULL, NULL, 9},
};

static const ws_colspec l2_param_col = {
    {"params_l2", "L2 params", WS_COL_INT, NULL, "", "L2 parameters of the whole matrix: 9KG", WS_MORE_HIGHER, 0},
    get_meas, NULL, NULL, 9};

static const ws_colspec l2_cols[] = {
    {{"l2_r2_params", "L2 R2 par", WS_COL_NUM, "%.4g", "",
      "L2: mean R^2 of the 3K parameter signals fitted over the row index", WS_MORE_HIGHER, WS_COL_BARS},
     get_l2, NULL, NULL, 0},
    {{"l2_r2_rows", "L2 R2 rows", WS_COL_NUM, "%.4g", "", "L2: pooled R^2 of the rows rebuilt from the L2 fit",
      WS_MORE_HIGHER, WS_COL_BARS}, get_l2, NULL, NULL, 1},
    FIT_NULLS("l2_r2_rows", "L2 R2 rows", "the L2 rows' R^2", "%.4g", WS_FN_L2_R2, WS_COL_DATA),
    {{"l2_mse", "L2 MSE", WS_COL_NUM, "%.4g", "", "L2: mean squared error of the rows rebuilt from the L2 fit",
      WS_MORE_HIGHER, 0}, get_l2, NULL, NULL, 3},
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
             ws_table_add_specs(t, meas_cols, N_OF(meas_cols)) < 0 ||
             (o->with_eig && ws_table_add_specs(t, eig_meas_cols, N_OF(eig_meas_cols)) < 0) ||
             ws_table_add_specs(t, count_cols, N_OF(count_cols)) < 0 ||
             (o->level >= 2 && ws_table_add_specs(t, l2_cols, N_OF(l2_cols)) < 0) ||
             (o->level >= 2 && ws_table_add_specs(t, &l2_param_col, 1) < 0) ||
             (o->predict && ws_table_add_specs(t, pred_cols, N_OF(pred_cols)) < 0) ||
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

/* ---- per sorted component ---- */

typedef struct comp_row {
    ws_row_id id;
    const ws_fit_summary *s;
    int k;
} comp_row;

/* arg: 0 k, 1 mu, 2 sigma, 3 sigma CV, 4 A, 5 A CV, 6 |A|, 7..9 predictability of mu, sigma, A */
static double get_comp(const void *row, int arg)
{
    const comp_row *c = row;
    const ws_fit_measures *m = &c->s->m;
    const ws_fit_predict *p = &c->s->pred;
    int k = c->k;
    double v[] = {k, m->mu_k[k], m->sigma_k[k], m->sigma_cv_k[k], m->amp_k[k], m->amp_cv_k[k], m->amp_abs_k[k],
                  p->why ? NAN : p->r2_mu[k], p->why ? NAN : p->r2_sigma[k], p->why ? NAN : p->r2_amp[k]};
    return v[arg];
}

static const ws_colspec comp_cols[] = {
    {{"k", "k", WS_COL_INT, NULL, "", "the component's place in each row, by centre (0: leftmost)", WS_MORE_NONE, 0},
     get_comp, NULL, NULL, 0},
    {{"mu_mean", "mu", WS_COL_NUM, "%.4g", "columns", "mean centre of the k-th component", WS_MORE_NONE, 0},
     get_comp, NULL, NULL, 1},
    {{"sigma_mean", "sigma", WS_COL_NUM, "%.4g", "columns", "mean width of the k-th component", WS_MORE_HIGHER, 0},
     get_comp, NULL, NULL, 2},
    {{"sigma_cv", "sigma CV", WS_COL_NUM, "%.3g", "", "its coefficient of variation over the rows", WS_MORE_HIGHER, 0},
     get_comp, NULL, NULL, 3},
    {{"amp_mean", "A", WS_COL_NUM, "%.4g", "", "mean amplitude of the k-th component", WS_MORE_HIGHER, 0},
     get_comp, NULL, NULL, 4},
    {{"amp_cv", "A CV", WS_COL_NUM, "%.3g", "", "its coefficient of variation over the rows", WS_MORE_HIGHER, 0},
     get_comp, NULL, NULL, 5},
    {{"amp_abs_mean", "|A|", WS_COL_NUM, "%.4g", "", "mean |A| of the k-th component", WS_MORE_HIGHER, 0},
     get_comp, NULL, NULL, 6},
};

static const ws_colspec comp_pred_cols[] = {
    {{"pred_mu_r2", "pred mu", WS_COL_NUM, "%.3f", "", "cross-validated R^2 of the k-th centre (fit --predict)",
      WS_MORE_HIGHER, 0}, get_comp, NULL, NULL, 7},
    {{"pred_sigma_r2", "pred sig", WS_COL_NUM, "%.3f", "", "cross-validated R^2 of the k-th width", WS_MORE_HIGHER, 0},
     get_comp, NULL, NULL, 8},
    {{"pred_amp_r2", "pred A", WS_COL_NUM, "%.3f", "", "cross-validated R^2 of the k-th amplitude", WS_MORE_HIGHER, 0},
     get_comp, NULL, NULL, 9},
};

ws_table *ws_fit_components_table(int predict)
{
    ws_table *t = ws_table_new_named("components", "per matrix and component k (each row's components sorted by "
                                     "centre): means and spreads of the L1 parameters over the fitted rows");
    if (!t || ws_table_add_specs(t, ws_id_cols, WS_ID_NCOLS) < 0 ||
        ws_table_add_specs(t, comp_cols, N_OF(comp_cols)) < 0 ||
        (predict && ws_table_add_specs(t, comp_pred_cols, N_OF(comp_pred_cols)) < 0)) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}

int ws_fit_components_add(ws_table *t, const ws_tensor *x, const ws_fit_summary *s)
{
    for (int k = 0; k < s->K; k++) {
        comp_row c = {.s = s, .k = k};
        ws_row_id_tensor(&c.id, x);
        if (ws_table_add_item(t, &c) < 0)
            return -1;
    }
    return 0;
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
    {{"status", "status", WS_COL_STR, NULL, "", "converged, maxfev, grid, cancelling (a pair of tall opposite Gaussians), or why the row has no fit",
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
