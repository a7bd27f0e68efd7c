/* The structural analyses as described tables (analysis_tables.h).
 *
 * Each table: a row struct (starting with ws_row_id where the row is about
 * a tensor), getters, the column array, the builder. The definitions the
 * descriptions summarise are in the man page (ANALYSES) and DESIGN.md §3. */
#include "analysis_tables.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "table_id.h"

/* A new table with the identity columns, then `n` of its own. */
static ws_table *new_table(const char *name, const char *desc, int ident, const ws_colspec *cols, size_t n)
{
    ws_table *t = ws_table_new_named(name, desc);
    if (t && ((ident && ws_table_add_specs(t, ws_id_cols, WS_ID_NCOLS) < 0) ||
              ws_table_add_specs(t, cols, n) < 0)) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}

#define N_OF(a) (sizeof (a) / sizeof *(a))

/* The last column of a per-matrix table: why a row has no numbers. */
#define STATUS_COL(get)                                                                            \
    {{"status", "status", WS_COL_STR, NULL, "", "why a row has no numbers (ok when it has)",       \
      WS_MORE_NONE, 0}, NULL, get, NULL, 0}

/* ---- layers: weight PR, ESD and amplitude structure, with their nulls ---- */

typedef struct layer_row {
    ws_row_id id;
    const ws_pr *pr;      /* NULL: not computed for this row */
    const ws_esd *esd;    /* NULL: not computed */
    const ws_amp *amp;    /* NULL: not computed */
    double pr_mp, pc1_mp; /* white noise of this shape (Marchenko–Pastur) */
    const ws_null (*null)[WS_NULL_NFAM];   /* WS_LS_COUNT statistics, or NULL */
    ws_astatus status;
} layer_row;

/* arg: 0 pr, 1 pc1 %, 2 comps95, 3 stable rank, 4 MP PR, 5 MP PC1 % */
static double get_pr(const void *row, int arg)
{
    const layer_row *r = row;
    const ws_pr *p = r->pr;
    if (!p || p->status != WS_AS_OK)
        return NAN;
    double v[] = {p->pr, 100 * p->pc1, p->comps95, p->stable_rank, r->pr_mp, 100 * r->pc1_mp};
    return v[arg];
}

/* arg: 0 α, 1 α̂, 2 log10 λmax, 3 ‖W‖²F/σ₁², 4 spikes, 5 MP edge, 6 xmin,
 * 7 KS distance, 8 eigenvalues in the tail */
static double get_esd(const void *row, int arg)
{
    const ws_esd *d = ((const layer_row *)row)->esd;
    if (!d || d->status != WS_AS_OK)
        return NAN;
    double v[] = {d->alpha, d->alpha_hat, d->log_spectral_norm, d->stable_rank, d->spikes,
                  d->mp_edge, d->xmin, d->ks_d, d->n_tail};
    return v[arg];
}

/* arg: 0 pr, 1 pc1 %, 2 comps95, 3 max |corr|, 4 kurtosis, 5 max |corr|'s p */
static double get_amp(const void *row, int arg)
{
    const ws_amp *a = ((const layer_row *)row)->amp;
    if (!a || a->status != WS_AS_OK)
        return NAN;
    double v[] = {a->pr, 100 * a->pc1, a->comps95, a->max_corr, a->kurtosis, a->max_corr_p};
    return v[arg];
}

/* The nulls of statistic s (WS_LS_*): arg = 6s + 3·family + (0 mean, 1 std, 2 z). */
#define NULL_ARG(s) (6 * (s))
static double get_layer_null(const void *row, int arg)
{
    const layer_row *r = row;
    int s = arg / 6, f = arg % 6 / 3, which = arg % 3;
    if (!r->null || r->null[s][f].n == 0)
        return NAN;
    const ws_null *q = &r->null[s][f];
    double pct = s == WS_LS_PC1 || s == WS_LS_AMP_PC1 ? 100 : 1;   /* shown in percent */
    return which == 0 ? pct * q->mean : which == 1 ? pct * q->std : q->z;
}

static const char *get_layer_status(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ws_astatus_text(((const layer_row *)row)->status);
}

#define LAYER_NULLS(KEY, TITLE, WHAT, FMT, STAT, ZFLAGS) \
    WS_COLS_NULLS(KEY, TITLE, WHAT, FMT, get_layer_null, NULL_ARG(STAT), ZFLAGS)
#define DATA WS_COL_DATA

static const ws_colspec layers_cols[] = {
    {{"pr", "PR", WS_COL_NUM, "%.2f", "",
      "weight participation ratio (sum l)^2 / sum l^2 of the covariance of the rows",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pr, NULL, NULL, 0},
    LAYER_NULLS("pr", "PR", "the weight PR", "%.2f", WS_LS_PR, WS_COL_BARS),
    {{"pr_mp", "PR MP", WS_COL_NUM, "%.2f", "",
      "PR of white noise of this shape, Marchenko-Pastur: (np + 2) / (n + p + 1)", WS_MORE_HIGHER, DATA},
     get_pr, NULL, NULL, 4},
    {{"pc1_pct", "PC1%", WS_COL_NUM, "%.1f", "%", "share of the variance on the first principal component",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pr, NULL, NULL, 1},
    LAYER_NULLS("pc1_pct", "PC1%", "the PC1 share", "%.1f", WS_LS_PC1, DATA),
    {{"pc1_mp_pct", "PC1% MP", WS_COL_NUM, "%.1f", "%",
      "PC1 share of white noise of this shape: Marchenko-Pastur edge with Tracy-Widom's mean",
      WS_MORE_HIGHER, DATA}, get_pr, NULL, NULL, 5},
    {{"comps95", "c95", WS_COL_INT, NULL, "components", "principal components for 95 % of the variance",
      WS_MORE_HIGHER, WS_COL_BARS}, get_pr, NULL, NULL, 2},
    LAYER_NULLS("comps95", "c95", "the components for 95 %", "%.1f", WS_LS_COMPS95, DATA),
    {{"stable_rank", "srank", WS_COL_NUM, "%.2f", "",
      "stable rank of the covariance: sum of the eigenvalues / the largest", WS_MORE_HIGHER, WS_COL_BARS},
     get_pr, NULL, NULL, 3},
    LAYER_NULLS("stable_rank", "srank", "the stable rank", "%.2f", WS_LS_SRANK, DATA),
    {{"alpha", "alpha", WS_COL_NUM, "%.2f", "",
      "power-law exponent of the tail of the eigenvalues of W^T W (WeightWatcher's alpha)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_esd, NULL, NULL, 0},
    LAYER_NULLS("alpha", "alpha", "alpha", "%.2f", WS_LS_ALPHA, DATA),
    {{"alpha_hat", "alpha^", WS_COL_NUM, "%.2f", "", "alpha x log10 of the largest eigenvalue (alpha_weighted)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_esd, NULL, NULL, 1},
    LAYER_NULLS("alpha_hat", "alpha^", "alpha hat", "%.2f", WS_LS_ALPHA_HAT, DATA),
    {{"log_spectral_norm", "log l1", WS_COL_NUM, "%.3f", "", "log10 of the largest eigenvalue of W^T W",
      WS_MORE_HIGHER, DATA}, get_esd, NULL, NULL, 2},
    LAYER_NULLS("log_spectral_norm", "log l1", "the log spectral norm", "%.3f", WS_LS_LOG_SNORM, DATA),
    {{"stable_rank_fro", "srankF", WS_COL_NUM, "%.2f", "",
      "conventional stable rank ||W||_F^2 / sigma_1^2 (uncentred)", WS_MORE_HIGHER, DATA},
     get_esd, NULL, NULL, 3},
    LAYER_NULLS("stable_rank_fro", "srankF", "the stable rank of W", "%.2f", WS_LS_SRANK_RAW, DATA),
    {{"spikes", "spikes", WS_COL_INT, NULL, "eigenvalues",
      "eigenvalues of W^T W above the Marchenko-Pastur bulk edge of noise of W's scale", WS_MORE_HIGHER,
      WS_COL_BARS}, get_esd, NULL, NULL, 4},
    LAYER_NULLS("spikes", "spikes", "the spikes", "%.2f", WS_LS_SPIKES, DATA),
    {{"mp_edge", "MP edge", WS_COL_NUM, "%.4g", "", "the Marchenko-Pastur bulk edge sigma^2 (sqrt N + sqrt M)^2",
      WS_MORE_HIGHER, DATA}, get_esd, NULL, NULL, 5},
    {{"alpha_xmin", "xmin", WS_COL_NUM, "%.4g", "", "the tail's start: the eigenvalue of least KS distance",
      WS_MORE_HIGHER, DATA}, get_esd, NULL, NULL, 6},
    {{"alpha_ks", "KS", WS_COL_NUM, "%.4f", "", "Kolmogorov-Smirnov distance of the power-law fit",
      WS_MORE_LOWER, DATA}, get_esd, NULL, NULL, 7},
    {{"alpha_tail", "tail", WS_COL_INT, NULL, "eigenvalues", "eigenvalues in the fitted tail (>= xmin)",
      WS_MORE_HIGHER, DATA}, get_esd, NULL, NULL, 8},
    {{"amp_pr", "ampPR", WS_COL_NUM, "%.2f", "",
      "participation ratio of the grid fit's amplitudes (out of K)", WS_MORE_HIGHER, WS_COL_BARS},
     get_amp, NULL, NULL, 0},
    LAYER_NULLS("amp_pr", "ampPR", "the amplitude PR", "%.2f", WS_LS_AMP_PR, WS_COL_BARS),
    {{"amp_pc1_pct", "ampPC1%", WS_COL_NUM, "%.1f", "%",
      "share of the amplitudes' variance on their first principal component", WS_MORE_HIGHER, WS_COL_BARS},
     get_amp, NULL, NULL, 1},
    LAYER_NULLS("amp_pc1_pct", "ampPC1%", "the amplitude PC1 share", "%.1f", WS_LS_AMP_PC1, DATA),
    {{"amp_comps95", "amp95", WS_COL_INT, NULL, "components",
      "principal components for 95 % of the amplitudes' variance", WS_MORE_HIGHER, WS_COL_BARS},
     get_amp, NULL, NULL, 2},
    LAYER_NULLS("amp_comps95", "amp95", "the amplitude components for 95 %", "%.1f", WS_LS_AMP_COMPS95, DATA),
    {{"amp_max_corr", "max|r|", WS_COL_NUM, "%.3f", "",
      "largest |correlation| between two amplitude columns", WS_MORE_HIGHER, WS_COL_BARS},
     get_amp, NULL, NULL, 3},
    {{"amp_max_corr_p", "max|r| p", WS_COL_NUM, "%.2e", "",
      "p-value of max |r| against no correlation (Pearson, Bonferroni over the pairs)", WS_MORE_LOWER, DATA},
     get_amp, NULL, NULL, 5},
    LAYER_NULLS("amp_max_corr", "max|r|", "the max |corr|", "%.3f", WS_LS_AMP_CORR, DATA),
    {{"amp_kurtosis", "kurt", WS_COL_NUM, "%.1f", "", "excess kurtosis of all the amplitudes",
      WS_MORE_HIGHER, WS_COL_BARS}, get_amp, NULL, NULL, 4},
    LAYER_NULLS("amp_kurtosis", "kurt", "the kurtosis", "%.1f", WS_LS_AMP_KURT, DATA),
    STATUS_COL(get_layer_status),
};

ws_table *ws_layers_table(const ws_analysis *a, int amp)
{
    ws_table *t = new_table("layers", "per weight matrix: weight participation ratio of the covariance of its "
                            "rows, WeightWatcher's spectral diagnostics, and the amplitude structure of its "
                            "grid fit, each beside its null baselines",
                            1, layers_cols, N_OF(layers_cols));
    for (size_t i = 0; t && i < a->n; i++) {
        const ws_mat_result *m = &a->mats[i];
        layer_row r = {.pr = &m->pr, .esd = (a->have & WS_AN_ESD) ? &m->esd : NULL,
                       .amp = amp ? &m->amp : NULL, .pr_mp = m->pr_mp, .pc1_mp = m->pc1_mp,
                       .null = m->null};
        ws_row_id_tensor(&r.id, m->t);
        r.status = m->pr.status != WS_AS_OK ? m->pr.status : amp ? m->amp.status : WS_AS_OK;
        if (ws_table_add_item(t, &r) < 0)
            goto oom;
    }
    if (t && amp) {
        /* The amplitudes of every per-layer matrix together. */
        layer_row r = {.amp = &a->amp_global, .status = a->amp_global.status, .null = a->amp_global_null};
        ws_row_id_label(&r.id, "(all layers)", "amplitudes", -1);
        r.id.ndim = 2;
        r.id.shape[0] = a->amp_global.rows;
        r.id.shape[1] = a->amp_global.k;
        int row = ws_table_add_item(t, &r);
        if (row < 0)
            goto oom;
        ws_table_set_bars(t, row, 0);
    }
    return t;
oom:
    ws_table_free(t);
    return NULL;
}

/* ---- drift ---- */

typedef struct drift_row {
    ws_row_id id;
    const char *kind;
    const ws_drift *d;
    double mean_cos;      /* NaN on a tensor's row */
    char status[112];     /* "" : the drift's own note */
} drift_row;

/* arg: 0 rms, 1 relative, 2 cosine, 3 mean of the per-matrix cosines */
static double get_drift(const void *row, int arg)
{
    const drift_row *r = row;
    double v[] = {r->d->rms, r->d->rel, r->d->cos, r->mean_cos};
    return v[arg];
}

static const char *get_drift_kind(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ((const drift_row *)row)->kind;
}

static const char *get_drift_status(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    const drift_row *r = row;
    return r->status[0] ? r->status : ws_drift_note(r->d);
}

static const ws_colspec drift_cols[] = {
    {{"kind", "kind", WS_COL_STR, NULL, "", "what the row pools: one tensor, a layer, or the model",
      WS_MORE_NONE, 0}, NULL, get_drift_kind, NULL, 0},
    {{"rms", "RMS", WS_COL_NUM, "%.4g", "", "root mean square change ||W1 - W0|| / sqrt(N)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_drift, NULL, NULL, 0},
    {{"relative", "relative", WS_COL_NUM, "%.4g", "", "relative change ||W1 - W0|| / ||W0||",
      WS_MORE_HIGHER, WS_COL_BARS}, get_drift, NULL, NULL, 1},
    {{"cosine", "cosine", WS_COL_NUM, "%.6f", "", "cosine between W0 and W1 flattened (1: same direction)",
      WS_MORE_LOWER, WS_COL_BARS}, get_drift, NULL, NULL, 2},
    {{"mean_cos", "mean cos", WS_COL_NUM, "%.6f", "",
      "mean of the per-matrix cosines of the layer (or the network's weight matrices)", WS_MORE_LOWER,
      WS_COL_BARS}, get_drift, NULL, NULL, 3},
    {{"status", "status", WS_COL_STR, NULL, "", "why a row has no (or partial) numbers", WS_MORE_NONE, 0},
     NULL, get_drift_status, NULL, 0},
};

static int add_drift(ws_table *t, const drift_row *r, int bars)
{
    int row = ws_table_add_item(t, r);
    if (row >= 0)
        ws_table_set_bars(t, row, bars);
    return row;
}

/* As the shape column shows it: out x in, a vector its length. */
static const char *canonical_shape(const ws_tensor *t, char *buf, size_t n)
{
    if (t->ndim < 2)
        ws_tensor_shape_text(t, buf, n);
    else
        snprintf(buf, n, "%lldx%lld", (long long)t->rows, (long long)t->cols);
    return buf;
}

ws_table *ws_drift_table(const ws_drift_report *rep)
{
    ws_table *t = new_table("drift", "change from the base model (W0) to the tuned one (W1): per pair of "
                            "corresponding tensors, per layer and for the network (pooled over its tensors)",
                            1, drift_cols, N_OF(drift_cols));
    int rc = t ? 0 : -1;
    for (size_t i = 0; rc >= 0 && i < rep->n; i++) {
        drift_row r = {.kind = "tensor", .d = &rep->per_tensor[i], .mean_cos = NAN};
        ws_row_id_tensor(&r.id, rep->t0[i]);
        if (rep->shape_differs[i]) {
            char a[40], b[40];
            snprintf(r.status, sizeof r.status, "shape %s vs %s", canonical_shape(rep->t0[i], a, sizeof a),
                     canonical_shape(rep->t1[i], b, sizeof b));
        }
        rc = add_drift(t, &r, 0);
    }
    for (int l = 0; rc >= 0 && l < rep->n_layers; l++) {
        char name[32], role[16];
        snprintf(name, sizeof name, "layer %d", l);
        snprintf(role, sizeof role, "@%d", l);
        drift_row r = {.kind = "layer", .d = &rep->per_layer[l], .mean_cos = rep->layer_mean_cos[l]};
        ws_row_id_label(&r.id, name, role, l);
        rc = add_drift(t, &r, 1);
    }
    if (rc >= 0) {
        drift_row r = {.kind = "model", .d = &rep->all, .mean_cos = rep->mean_cos};
        ws_row_id_label(&r.id, "(model)", NULL, -1);
        rc = add_drift(t, &r, 0);
    }
    if (rc < 0) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}

/* ---- tensors on one side only ---- */

typedef struct unmatched_row {
    const ws_tensor *t;
    const char *side;
} unmatched_row;

/* arg: 0 name, 1 side, 2 kind */
static const char *get_unmatched(const void *row, int arg, char *buf, size_t n)
{
    (void)buf, (void)n;
    const unmatched_row *r = row;
    return arg == 0 ? r->t->name : arg == 1 ? r->side : ws_kind_name(r->t->kind);
}

static const ws_colspec unmatched_cols[] = {
    {{"name", "name", WS_COL_STR, NULL, "", "the tensor's name in its file", WS_MORE_NONE, 0},
     NULL, get_unmatched, NULL, 0},
    {{"in", "in", WS_COL_STR, NULL, "", "the model it is in: base or tuned", WS_MORE_NONE, 0},
     NULL, get_unmatched, NULL, 1},
    {{"kind", "kind", WS_COL_STR, NULL, "", "network, buffer or training state", WS_MORE_NONE, 0},
     NULL, get_unmatched, NULL, 2},
};

ws_table *ws_unmatched_table(const ws_drift_report *rep)
{
    ws_table *t = new_table("unmatched", "tensors without a counterpart in the other model (not compared)", 0,
                            unmatched_cols, N_OF(unmatched_cols));
    for (int side = 0; t && side < 2; side++)
        for (size_t i = 0; t && i < (side ? rep->n_only1 : rep->n_only0); i++) {
            unmatched_row r = {side ? rep->only1[i] : rep->only0[i], side ? "tuned" : "base"};
            if (ws_table_add_item(t, &r) < 0) {
                ws_table_free(t);
                t = NULL;
            }
        }
    return t;
}

/* ---- the spectrum ---- */

typedef struct eigen_row {
    const ws_spectrum *s;
    int i;
    int pair;   /* index into s->pairs, -1 when λᵢ is in no pair */
} eigen_row;

/* arg: 0 index, 1 λ, 2 singular value, 3 decay, 4 the pair's gap, 5 the
 * unfolded spacing of the gap to the next, 6 its p-value */
static double get_eigen(const void *row, int arg)
{
    const eigen_row *r = row;
    const ws_spectrum *s = r->s;
    int last = r->i + 1 >= s->d;
    switch (arg) {
    case 0: return r->i;
    case 1: return s->lam[r->i];
    case 2: return s->sv[r->i];
    case 3: return s->decay[r->i];
    case 5: return last || !s->spacing ? NAN : s->spacing[r->i];
    case 6: return last || !s->gap_p ? NAN : s->gap_p[r->i];
    default: return r->pair >= 0 ? s->pairs[r->pair].gap : NAN;
    }
}

static const char *get_eigen_pair(const void *row, int arg, char *buf, size_t n)
{
    (void)arg;
    const eigen_row *r = row;
    if (r->pair < 0)
        return r->i >= r->s->rank ? "null space" : NULL;
    snprintf(buf, n, "%d-%d", r->s->pairs[r->pair].i, r->s->pairs[r->pair].i + 1);
    return buf;
}

static const ws_colspec eigen_cols[] = {
    {{"i", "i", WS_COL_INT, NULL, "", "index, largest eigenvalue first", WS_MORE_NONE, 0},
     get_eigen, NULL, NULL, 0},
    {{"lambda", "lambda", WS_COL_NUM, "%.6g", "", "eigenvalue of E^T E (a squared singular value of E)",
      WS_MORE_HIGHER, WS_COL_BARS | WS_COL_F64}, get_eigen, NULL, NULL, 1},
    {{"sv", "sv", WS_COL_NUM, "%.5g", "", "singular value of E: sqrt(lambda)", WS_MORE_HIGHER,
      WS_COL_BARS | WS_COL_F64}, get_eigen, NULL, NULL, 2},
    {{"decay", "decay", WS_COL_NUM, "%.4f", "", "decay ratio sv / sv0", WS_MORE_HIGHER, WS_COL_BARS},
     get_eigen, NULL, NULL, 3},
    {{"spacing", "spacing", WS_COL_NUM, "%.3f", "",
      "unfolded spacing of the gap to the next eigenvalue (mean 1 locally)", WS_MORE_HIGHER, WS_COL_BARS},
     get_eigen, NULL, NULL, 5},
    {{"gap_p", "gap p", WS_COL_NUM, "%.2e", "",
      "P(S <= spacing) under the Wigner surmise: small means closer than random levels", WS_MORE_LOWER, 0},
     get_eigen, NULL, NULL, 6},
    {{"pair", "pair", WS_COL_STR, NULL, "",
      "the pair of near-equal eigenvalues this one belongs to (i-j), or null space", WS_MORE_NONE, 0},
     NULL, get_eigen_pair, NULL, 0},
    {{"pair_gap", "gap", WS_COL_NUM, "%.2e", "", "the pair's relative gap |lambda_i - lambda_j| / lambda_i",
      WS_MORE_LOWER, 0}, get_eigen, NULL, NULL, 4},
};

static int pair_of(const ws_spectrum *s, int i)
{
    for (int p = 0; p < s->n_pairs; p++)
        if (s->pairs[p].i == i || s->pairs[p].i + 1 == i)
            return p;
    return -1;
}

ws_table *ws_eigen_table(const ws_spectrum *s, int top)
{
    ws_table *t = new_table("eigenvalues", "eigenvalues of E^T E for the token embedding E, largest first, "
                            "with the pairs of near-equal ones", 0, eigen_cols, N_OF(eigen_cols));
    int n = top > 0 && top < s->d ? top : s->d;
    for (int i = 0; t && i < n; i++) {
        eigen_row r = {s, i, pair_of(s, i)};
        if (ws_table_add_item(t, &r) < 0) {
            ws_table_free(t);
            return NULL;
        }
    }
    return t;
}

/* arg: 0 i, 1 j, 2 λi, 3 λj, 4 gap, 5 spacing p-value */
static double get_pair(const void *row, int arg)
{
    const eigen_row *r = row;
    const ws_pair *p = &r->s->pairs[r->pair];
    double v[] = {p->i, p->i + 1, r->s->lam[p->i], r->s->lam[p->i + 1], p->gap, p->p};
    return v[arg];
}

static const ws_colspec pair_cols[] = {
    {{"i", "i", WS_COL_INT, NULL, "", "index of the larger eigenvalue of the pair", WS_MORE_NONE, 0},
     get_pair, NULL, NULL, 0},
    {{"j", "j", WS_COL_INT, NULL, "", "index of the smaller one (i + 1)", WS_MORE_NONE, 0},
     get_pair, NULL, NULL, 1},
    {{"lambda_i", "lambda_i", WS_COL_NUM, "%.6g", "", "the larger eigenvalue", WS_MORE_HIGHER, WS_COL_F64},
     get_pair, NULL, NULL, 2},
    {{"lambda_j", "lambda_j", WS_COL_NUM, "%.6g", "", "the smaller eigenvalue", WS_MORE_HIGHER, WS_COL_F64},
     get_pair, NULL, NULL, 3},
    {{"gap", "gap", WS_COL_NUM, "%.2e", "", "relative gap |lambda_i - lambda_j| / lambda_i", WS_MORE_LOWER,
      WS_COL_BARS}, get_pair, NULL, NULL, 4},
    {{"p", "p", WS_COL_NUM, "%.2e", "",
      "the gap's spacing p-value (empty under the tolerance rule)", WS_MORE_LOWER, 0}, get_pair, NULL, NULL, 5},
};

ws_table *ws_pairs_table(const ws_spectrum *s)
{
    ws_table *t = new_table("pairs", "adjacent eigenvalues of E^T E closer than chance (the spacing test), "
                            "or within the tolerance",
                            0, pair_cols, N_OF(pair_cols));
    for (int p = 0; t && p < s->n_pairs; p++) {
        eigen_row r = {s, s->pairs[p].i, p};
        if (ws_table_add_item(t, &r) < 0) {
            ws_table_free(t);
            return NULL;
        }
    }
    return t;
}

/* ---- spectral energy and basis share ---- */

typedef struct energy_row {
    ws_row_id id;
    const ws_mat_result *m;
    int applies;                   /* the matrix has a side of length d */
    const ws_corpus_layer *layer;  /* the corpus numbers of a qkv row, or NULL */
} energy_row;

static const char *get_projected(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    const energy_row *r = row;
    return !r->applies ? "-" : r->m->energy_transposed ? "columns" : "rows";
}

/* arg: 0 comps50, 1 comps90, 2 total energy, 3 basis share, 4 r(energy, λ), 5 its p */
static double get_energy(const void *row, int arg)
{
    const ws_mat_result *m = ((const energy_row *)row)->m;
    if (arg == 3)
        return m->share;
    if (m->energy.status != WS_AS_OK)
        return NAN;
    double v[] = {m->energy.comps50, m->energy.comps90, m->energy.total, NAN, m->energy.ev_r, m->energy.ev_p};
    return v[arg];
}

/* The nulls of basis statistic s (WS_BS_*): arg = 6s + 3·family + (mean, std, z). */
static double get_energy_null(const void *row, int arg)
{
    const ws_null *q = &((const energy_row *)row)->m->energy_null[arg / 6][arg % 6 / 3];
    return q->n == 0 ? NAN : arg % 3 == 0 ? q->mean : arg % 3 == 1 ? q->std : q->z;
}

/* arg: 0 QᵀK cosine, 1 its p-value, 2 Q's alignment with u₁; 3 + 6s + ... their nulls */
static double get_corpus_layer(const void *row, int arg)
{
    const ws_corpus_layer *l = ((const energy_row *)row)->layer;
    if (!l)
        return NAN;
    if (arg < 3) {
        double v[] = {l->qk_cos, l->qk_cos_p, l->q_align};
        return v[arg];
    }
    arg -= 3;
    const ws_null *q = &l->null[arg / 6][arg % 6 / 3];
    return q->n == 0 ? NAN : arg % 3 == 0 ? q->mean : arg % 3 == 1 ? q->std : q->z;
}

static const char *get_energy_status(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    const energy_row *r = row;
    return r->applies ? ws_astatus_text(r->m->energy.status) : "no side of length d_model";
}

#define PROJECTED_COL                                                                              \
    {{"projected", "projected", WS_COL_STR, NULL, "",                                             \
      "which side is projected on the eigenvectors: rows, columns (d-row matrices), - (neither)",  \
      WS_MORE_NONE, 0}, NULL, get_projected, NULL, 0}

static const ws_colspec energy_status_col = STATUS_COL(get_energy_status);

static const ws_colspec energy_cols[] = {
    PROJECTED_COL,
    {{"comps50", "c50", WS_COL_INT, NULL, "components",
      "leading eigenvectors of E^T E holding 50 % of ||W||^2", WS_MORE_HIGHER, WS_COL_BARS},
     get_energy, NULL, NULL, 0},
    WS_COLS_NULLS("comps50", "c50", "the components for 50 %", "%.1f", get_energy_null,
                  6 * WS_BS_COMPS50, DATA),
    {{"comps90", "c90", WS_COL_INT, NULL, "components",
      "leading eigenvectors of E^T E holding 90 % of ||W||^2", WS_MORE_HIGHER, WS_COL_BARS},
     get_energy, NULL, NULL, 1},
    WS_COLS_NULLS("comps90", "c90", "the components for 90 %", "%.1f", get_energy_null,
                  6 * WS_BS_COMPS90, DATA),
    {{"energy", "energy", WS_COL_NUM, "%.6g", "", "total energy ||W||^2 (squared Frobenius norm)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_energy, NULL, NULL, 2},
    {{"energy_ev_r", "r(en,ev)", WS_COL_NUM, "%.4f", "",
      "Pearson r of the component energies ||W v_i||^2 with the eigenvalues lambda_i (Paper 56)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_energy, NULL, NULL, 4},
    {{"energy_ev_p", "r p", WS_COL_NUM, "%.2e", "", "two-sided Pearson p-value of energy_ev_r over the d components",
      WS_MORE_LOWER, 0}, get_energy, NULL, NULL, 5},
    STATUS_COL(get_energy_status),
};

/* ---- the energy of every component (spectrum --energy --components) ---- */

typedef struct component_row {
    ws_row_id id;
    const ws_mat_result *m;
    const ws_spectrum *s;
    int i;
} component_row;

/* arg: 0 i, 1 λᵢ, 2 energy, 3 its share of ||W||^2 */
static double get_component(const void *row, int arg)
{
    const component_row *r = row;
    double v[] = {r->i, r->s->lam[r->i], r->m->energies[r->i], r->m->energies[r->i] / r->m->energy.total};
    return v[arg];
}

static const ws_colspec component_cols[] = {
    {{"i", "i", WS_COL_INT, NULL, "", "eigenvector of E^T E, largest eigenvalue first", WS_MORE_NONE, 0},
     get_component, NULL, NULL, 0},
    {{"lambda", "lambda", WS_COL_NUM, "%.6g", "", "its eigenvalue", WS_MORE_HIGHER, WS_COL_F64},
     get_component, NULL, NULL, 1},
    {{"energy", "energy", WS_COL_NUM, "%.6g", "", "||W v_i||^2 (columns of a d-row matrix: ||W^T v_i||^2)",
      WS_MORE_HIGHER, WS_COL_BARS | WS_COL_F64}, get_component, NULL, NULL, 2},
    {{"share", "share", WS_COL_NUM, "%.4g", "", "energy / ||W||^2", WS_MORE_HIGHER, 0},
     get_component, NULL, NULL, 3},
};

ws_table *ws_energy_components_table(const ws_analysis *a)
{
    ws_table *t = new_table("energy_components", "per weight matrix and eigenvector v_i of E^T E: the energy "
                            "||W v_i||^2 (the numbers behind comps50, comps90 and energy_ev_r)", 1,
                            component_cols, N_OF(component_cols));
    for (size_t k = 0; t && k < a->n; k++) {
        const ws_mat_result *m = &a->mats[k];
        for (int i = 0; m->energies && m->energy.status == WS_AS_OK && i < a->spec.d; i++) {
            component_row r = {.m = m, .s = &a->spec, .i = i};
            ws_row_id_tensor(&r.id, m->t);
            if (ws_table_add_item(t, &r) < 0) {
                ws_table_free(t);
                return NULL;
            }
        }
    }
    return t;
}

static const ws_colspec basis_cols[] = {
    PROJECTED_COL,
    {{"share", "share", WS_COL_NUM, "%.4f", "", "share of ||W||^2 kept by the top K eigenvectors of E^T E",
      WS_MORE_HIGHER, WS_COL_BARS}, get_energy, NULL, NULL, 3},
    WS_COLS_NULLS("share", "share", "the share", "%.4f", get_energy_null, 6 * WS_BS_SHARE, WS_COL_BARS),
};

static const ws_colspec qk_cols[] = {
    {{"qk_ete_cos", "QK cos", WS_COL_NUM, "%.4f", "",
      "cosine of the layer's Q^T K with E^T T E (T: the corpus's bigram transitions)", WS_MORE_HIGHER,
      WS_COL_BARS}, get_corpus_layer, NULL, NULL, 0},
    {{"qk_ete_cos_p", "QK p", WS_COL_NUM, "%.2e", "",
      "two-sided p-value of the cosine against Gaussian noise (its null taken as normal)", WS_MORE_LOWER,
      0}, get_corpus_layer, NULL, NULL, 1},
    WS_COLS_NULLS("qk_ete_cos", "QK cos", "the QK cosine", "%.4f", get_corpus_layer, 3 + 6 * WS_CQ_COS, DATA),
    {{"q_align", "Q align", WS_COL_NUM, "%.3f", "",
      "|cos| of Q's leading right singular vector with E^T T E's leading left one", WS_MORE_HIGHER,
      WS_COL_BARS}, get_corpus_layer, NULL, NULL, 2},
    WS_COLS_NULLS("q_align", "Q align", "the Q alignment", "%.3f", get_corpus_layer, 3 + 6 * WS_CQ_ALIGN,
                  WS_COL_BARS),
};

/* Rows of the energy and basis tables. */
static ws_table *energy_rows(ws_table *t, const ws_analysis *a, const ws_corpus *c)
{
    for (size_t i = 0; t && i < a->n; i++) {
        energy_row r = {.m = &a->mats[i]};
        ws_row_id_tensor(&r.id, r.m->t);
        r.applies = r.m->t->cols == a->spec.d || r.m->t->rows == a->spec.d;
        if (c && r.m->t->role == WS_ROLE_QKV && r.m->t->layer >= 0 && r.m->t->layer < c->n_layer)
            r.layer = &c->layer[r.m->t->layer];
        if (ws_table_add_item(t, &r) < 0) {
            ws_table_free(t);
            return NULL;
        }
    }
    return t;
}

ws_table *ws_energy_table(const ws_analysis *a)
{
    ws_table *t = new_table("energy", "per weight matrix: its energy ||W v_i||^2 on the eigenvectors v_i of "
                            "E^T E, largest eigenvalue first", 1, energy_cols, N_OF(energy_cols));
    return energy_rows(t, a, NULL);
}

ws_table *ws_basis_table(const ws_analysis *a, const ws_corpus *c)
{
    ws_table *t = new_table("basis", "per weight matrix: the share of ||W||^2 in the top eigenvectors of E^T E",
                            1, basis_cols, N_OF(basis_cols));
    if (t && ((c && ws_table_add_specs(t, qk_cols, N_OF(qk_cols)) < 0) ||
              ws_table_add_specs(t, &energy_status_col, 1) < 0)) {
        ws_table_free(t);
        return NULL;
    }
    return energy_rows(t, a, c);
}

/* ---- the corpus basis pooled, and the corpus's own numbers ---- */

typedef struct pooled_row {
    const ws_analysis *a;
    const ws_corpus *c;
} pooled_row;

/* arg: 0 pooled share, 1 K/d, 2..7 the share's nulls, 8 symmetric PR, 9
 * direct R², 10 random R², 11 blocks */
static double get_pooled(const void *row, int arg)
{
    const pooled_row *r = row;
    if (arg >= 2 && arg < 8) {
        const ws_null *q = &r->a->pooled_share_null[(arg - 2) / 3];
        return q->n == 0 ? NAN : (arg - 2) % 3 == 0 ? q->mean : (arg - 2) % 3 == 1 ? q->std : q->z;
    }
    if (arg >= 8 && !r->c)
        return NAN;
    double v[] = {r->a->pooled_share, r->a->pooled_iso, 0, 0, 0, 0, 0, 0,
                  r->c ? r->c->sym_pr : NAN, r->c ? r->c->direct_r2 : NAN,
                  r->c ? r->c->random_r2 : NAN, r->c ? r->c->n_blocks : NAN};
    return v[arg];
}

static const ws_colspec pooled_cols[] = {
    {{"pooled_share", "pooled", WS_COL_NUM, "%.4f", "",
      "share of the per-layer matrices' ||W||^2 in the top K eigenvectors, pooled (the notes' R^2 at K)",
      WS_MORE_HIGHER, 0}, get_pooled, NULL, NULL, 0},
    {{"isotropic", "K/d", WS_COL_NUM, "%.4f", "", "K / d: what a matrix with no preferred direction keeps",
      WS_MORE_HIGHER, 0}, get_pooled, NULL, NULL, 1},
    WS_COLS_NULLS("pooled_share", "pooled", "the pooled share", "%.4f", get_pooled, 2, 0),
};

static const ws_colspec corpus_cols[] = {
    {{"sym_pr", "sym PR", WS_COL_NUM, "%.3f", "",
      "PR over |eigenvalues| of the symmetric part of E^T T E", WS_MORE_HIGHER, 0}, get_pooled, NULL, NULL, 8},
    {{"direct_r2", "direct R2", WS_COL_NUM, "%.4f", "",
      "R^2 of the d x d weight blocks predicted by E^T T E scaled to each block's norm", WS_MORE_HIGHER, 0},
     get_pooled, NULL, NULL, 9},
    {{"random_r2", "random R2", WS_COL_NUM, "%.4f", "",
      "the same with a Gaussian matrix in place of E^T T E (the floor, about -1)", WS_MORE_HIGHER, 0},
     get_pooled, NULL, NULL, 10},
    {{"blocks", "blocks", WS_COL_INT, NULL, "", "d x d blocks the predictions pool", WS_MORE_NONE, 0},
     get_pooled, NULL, NULL, 11},
};

ws_table *ws_corpus_table(const ws_analysis *a, const ws_corpus *c)
{
    ws_table *t = new_table("corpus", "the corpus basis pooled over the per-layer matrices; with a corpus, "
                            "its own numbers", 0, pooled_cols, N_OF(pooled_cols));
    pooled_row r = {a, c};
    if (t && ((c && ws_table_add_specs(t, corpus_cols, N_OF(corpus_cols)) < 0) ||
              ws_table_add_item(t, &r) < 0)) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}
