/* Predictability of the L1 parameters from spectral features of the row
 * (fit_predict.h has the definitions). */
#include "fit_predict.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gram.h"

void ws_fit_predict_opts_default(ws_fit_predict_opts *o)
{
    o->dims = WS_PREDICT_DIMS_DEFAULT;
    o->folds = WS_PREDICT_FOLDS_DEFAULT;
}

static void clear(ws_fit_predict *out, int K, const ws_fit_predict_opts *o)
{
    memset(out, 0, sizeof *out);
    out->K = K, out->dims = o->dims, out->folds = o->folds;
    out->npc = K < WS_PREDICT_NPC ? K : WS_PREDICT_NPC;
    for (int k = 0; k < WS_FIT_KMAX; k++)
        out->r2_mu[k] = out->r2_sigma[k] = out->r2_amp[k] = out->pc_share[k] = NAN;
    for (int j = 0; j < WS_PREDICT_NPC; j++) out->r2_pc[j] = out->align[j] = NAN, out->align_eig[j] = -1;
    out->r2_mu_mean = out->r2_sigma_mean = out->r2_amp_mean = out->r2_pc_mean = out->align_mean = NAN;
}

/* The work of one matrix: m rows, P = p + 1 regressors (intercept first),
 * T targets. */
typedef struct pred {
    int64_t m, n;
    int P, T, K, npc;
    double *X;      /* m × P */
    double *Y;      /* m × T: μ_(k), σ_(k), A_(k) for k = 0..K−1, then the PC scores */
    double *amp;    /* m × K grid amplitudes */
    double *pc;     /* K × K: the amplitude PCs as rows, descending */
} pred;

static void pred_free(pred *q) { free(q->X), free(q->Y), free(q->amp), free(q->pc); }

/* Indices of the components of f in ascending order of centre. */
static void by_centre(const ws_fit_row *f, int *ord)
{
    for (int k = 0; k < f->K; k++) {
        int i = k;
        for (; i > 0 && f->mu[ord[i - 1]] > f->mu[k]; i--) ord[i] = ord[i - 1];
        ord[i] = k;
    }
}

/* X (features) and the sorted L1 targets of the used rows. */
static void features(pred *q, const float *W, const int64_t *use, const ws_fit_result *r,
                     const ws_spectrum *s)
{
    int K = q->K;
    for (int64_t i = 0; i < q->m; i++) {
        const float *w = W + r->row_index[use[i]] * q->n;
        double *x = q->X + i * q->P, *y = q->Y + i * q->T;
        x[0] = 1;
        for (int j = 1; j < q->P; j++) {
            const double *v = s->vec + (size_t)(j - 1) * (size_t)s->d;
            double a = 0;
            for (int64_t c = 0; c < q->n; c++) a += v[c] * w[c];
            x[j] = a;
        }
        const ws_fit_row *f = &r->rows[use[i]];
        int ord[WS_FIT_KMAX];
        by_centre(f, ord);
        for (int k = 0; k < K; k++) {
            y[k] = f->mu[ord[k]];
            y[K + k] = f->sigma[ord[k]];
            y[2 * K + k] = f->A[ord[k]];
        }
    }
}

/* Grid amplitudes of the used rows, their principal components and the
 * rows' scores on the first npc of them (into Y after the L1 targets). */
static int amp_pcs(pred *q, const float *W, const int64_t *use, const ws_fit_result *r,
                   ws_fit_predict *out, ws_err *e)
{
    int K = q->K;
    int64_t m = q->m, n = q->n;
    float *rows = malloc(sizeof(float) * (size_t)(m * n));
    double mean[WS_FIT_KMAX] = {0}, lam[WS_FIT_KMAX], tot = 0;
    if (!rows) return ws_fail(e, "out of memory");
    for (int64_t i = 0; i < m; i++)
        memcpy(rows + i * n, W + r->row_index[use[i]] * n, sizeof(float) * (size_t)n);
    int rc = ws_grid_fit_rows(rows, m, n, K, WS_GRID_INNER, q->amp, NULL, NULL, NULL, e);
    free(rows);
    if (rc < 0) return -1;
    for (int64_t i = 0; i < m; i++)
        for (int k = 0; k < K; k++) mean[k] += q->amp[i * K + k] / (double)m;
    memset(q->pc, 0, sizeof(double) * (size_t)(K * K));
    for (int64_t i = 0; i < m; i++)
        for (int a = 0; a < K; a++)
            for (int b = a; b < K; b++)
                q->pc[a * K + b] += (q->amp[i * K + a] - mean[a]) * (q->amp[i * K + b] - mean[b]) / (double)(m - 1);
    if (ws_sym_eig(q->pc, K, lam, 1, e) < 0) return -1;
    for (int k = 0; k < K; k++) tot += fmax(lam[k], 0);
    for (int k = 0; k < K; k++) out->pc_share[k] = tot > 0 ? fmax(lam[k], 0) / tot : NAN;
    for (int64_t i = 0; i < m; i++)
        for (int j = 0; j < q->npc; j++) {
            double sc = 0;
            for (int k = 0; k < K; k++) sc += (q->amp[i * K + k] - mean[k]) * q->pc[j * K + k];
            q->Y[i * q->T + 3 * K + j] = sc;
        }
    return 0;
}

/* F-fold cross-validated predictions of every target into yhat (m × T). */
static int cross_validate(const pred *q, int F, double *yhat, ws_err *e)
{
    int64_t m = q->m;
    int P = q->P, T = q->T;
    int64_t cap = m > P ? m : P;
    double *A = malloc(sizeof(double) * (size_t)(m * P)), *B = malloc(sizeof(double) * (size_t)(cap * T));
    double *sv = malloc(sizeof(double) * (size_t)P);
    int rc = A && B && sv ? 0 : ws_fail(e, "out of memory");
    for (int f = 0; rc == 0 && f < F; f++) {
        lapack_int ntr = 0, rank;
        for (int64_t i = 0; i < m; i++) {
            if (i % F == f) continue;
            memcpy(A + ntr * P, q->X + i * P, sizeof(double) * (size_t)P);
            memcpy(B + ntr * T, q->Y + i * T, sizeof(double) * (size_t)T);
            ntr++;
        }
        /* numpy's lstsq default: singular values below eps·max(rows, cols)·s₀ are cut */
        double rcond = DBL_EPSILON * (double)(ntr > P ? ntr : P);
        if (LAPACKE_dgelsd(LAPACK_ROW_MAJOR, ntr, P, T, A, P, B, T, sv, rcond, &rank) != 0) {
            rc = ws_fail(e, "predictability: least squares failed");
            break;
        }
        for (int64_t i = f; i < m; i += F)
            for (int t = 0; t < T; t++) {
                double y = 0;
                for (int j = 0; j < P; j++) y += q->X[i * P + j] * B[j * T + t];
                yhat[i * T + t] = y;
            }
    }
    free(A), free(B), free(sv);
    return rc;
}

/* R²_cv of target t. */
static double r2_cv(const pred *q, const double *yhat, int t)
{
    double mean = 0, sse = 0, sst = 0;
    for (int64_t i = 0; i < q->m; i++) mean += q->Y[i * q->T + t] / (double)q->m;
    for (int64_t i = 0; i < q->m; i++) {
        double y = q->Y[i * q->T + t];
        sse += (y - yhat[i * q->T + t]) * (y - yhat[i * q->T + t]);
        sst += (y - mean) * (y - mean);
    }
    return sst > 0 ? 1 - sse / sst : NAN;
}

/* Mean of the finite values (NaN when none). */
static double mean_of(const double *v, int n)
{
    double s = 0;
    int c = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) s += v[i], c++;
    return c ? s / c : NAN;
}

/* Alignment of each reported amplitude PC, mapped through the grid, with
 * the eigenvectors of EᵀE. */
static int alignment(const pred *q, const ws_spectrum *s, ws_fit_predict *out, ws_err *e)
{
    int K = q->K, d = s->d;
    double *G = malloc(sizeof(double) * (size_t)(K * q->n)), *u = malloc(sizeof(double) * (size_t)q->n);
    if (!G || !u) { free(G), free(u); return ws_fail(e, "out of memory"); }
    ws_grid_basis(q->n, K, WS_GRID_INNER, G);
    for (int j = 0; j < q->npc; j++) {
        double nu = 0;
        for (int64_t c = 0; c < q->n; c++) {
            u[c] = 0;
            for (int k = 0; k < K; k++) u[c] += q->pc[j * K + k] * G[k * q->n + c];
            nu += u[c] * u[c];
        }
        nu = sqrt(nu);
        for (int i = 0; nu > 0 && i < d; i++) {
            const double *v = s->vec + (size_t)i * (size_t)d;
            double dot = 0, nv = 0;
            for (int c = 0; c < d; c++) dot += u[c] * v[c], nv += v[c] * v[c];
            double cs = nv > 0 ? fabs(dot) / (nu * sqrt(nv)) : 0;
            if (out->align_eig[j] < 0 || cs > out->align[j]) out->align[j] = cs, out->align_eig[j] = i;
        }
    }
    out->align_mean = mean_of(out->align, q->npc);
    free(G), free(u);
    return 0;
}

int ws_fit_predict_run(const float *W, int64_t rows, int64_t n, const ws_fit_result *r,
                       const ws_spectrum *s, const ws_fit_predict_opts *o, ws_fit_predict *out,
                       ws_err *e)
{
    (void)rows;
    int K = r->s.K;
    clear(out, K, o);
    if (!s) { out->why = "not asked (fit --predict)"; return 0; }
    if (s->status != WS_AS_OK || !s->vec) { out->why = "no spectrum of the embedding"; return 0; }
    if (n != s->d) { out->why = "rows not of length d"; return 0; }
    if (r->s.mode != WS_FIT_FREE) { out->why = "a grid fit (centres and widths fixed)"; return 0; }
    if (o->dims < 1 || o->dims > s->d || o->folds < 2)
        return ws_fail(e, "predictability: %d dimensions of %d, %d folds", o->dims, s->d, o->folds);
    int64_t *use = malloc(sizeof(int64_t) * (size_t)(r->s.fitted + 1)), m = 0;
    if (!use) return ws_fail(e, "out of memory");
    for (int64_t i = 0; i < r->s.fitted; i++)
        if (ws_fit_status_fitted(r->rows[i].status)) use[m++] = i;
    out->rows = m;
    /* the smallest training set leaves out ⌈m/F⌉ rows and must exceed p + 1 */
    if (m - (m + o->folds - 1) / o->folds <= o->dims + 1 || m < o->folds || m < K + 1) {
        out->why = "too few fitted rows for the folds and dimensions";
        free(use);
        return 0;
    }
    pred q = {.m = m, .n = n, .P = o->dims + 1, .K = K, .npc = out->npc};
    q.T = 3 * K + q.npc;
    q.X = malloc(sizeof(double) * (size_t)(m * q.P));
    q.Y = malloc(sizeof(double) * (size_t)(m * q.T));
    q.amp = malloc(sizeof(double) * (size_t)(m * K));
    q.pc = malloc(sizeof(double) * (size_t)(K * K));
    double *yhat = malloc(sizeof(double) * (size_t)(m * q.T));
    int rc = q.X && q.Y && q.amp && q.pc && yhat ? 0 : ws_fail(e, "out of memory");
    if (rc == 0) {
        features(&q, W, use, r, s);
        rc = amp_pcs(&q, W, use, r, out, e);
    }
    if (rc == 0) rc = cross_validate(&q, o->folds, yhat, e);
    if (rc == 0) {
        for (int k = 0; k < K; k++) {
            out->r2_mu[k] = r2_cv(&q, yhat, k);
            out->r2_sigma[k] = r2_cv(&q, yhat, K + k);
            out->r2_amp[k] = r2_cv(&q, yhat, 2 * K + k);
        }
        for (int j = 0; j < q.npc; j++) out->r2_pc[j] = r2_cv(&q, yhat, 3 * K + j);
        out->r2_mu_mean = mean_of(out->r2_mu, K);
        out->r2_sigma_mean = mean_of(out->r2_sigma, K);
        out->r2_amp_mean = mean_of(out->r2_amp, K);
        out->r2_pc_mean = mean_of(out->r2_pc, q.npc);
        rc = alignment(&q, s, out, e);
    }
    pred_free(&q);
    free(yhat);
    free(use);
    return rc;
}
