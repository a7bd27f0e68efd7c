#include "analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "gram.h"
#include "rmt.h"

void ws_analysis_opts_default(ws_analysis_opts *o)
{
    *o = (ws_analysis_opts){.centred = 1, .pair_tol = -1, .pair_alpha = WS_PAIR_ALPHA_DEFAULT,
                            .basis_k = WS_BASIS_K_DEFAULT, .amp_k = WS_AMP_K_DEFAULT};
    ws_null_opts_default(&o->null);
}

static int is_analysed(const ws_tensor *t)
{
    switch (t->role) {
    case WS_ROLE_EMBED: case WS_ROLE_POS_EMBED: case WS_ROLE_QKV: case WS_ROLE_ATTN_OUT:
    case WS_ROLE_MLP_UP: case WS_ROLE_MLP_DOWN: case WS_ROLE_HEAD:
        return !t->is_bias && t->ndim == 2 && ws_dtype_is_float_convertible(t->dtype);
    default:
        return 0;
    }
}

ws_analysis *ws_analysis_new(ws_model *m, const ws_analysis_opts *o, ws_err *e)
{
    ws_analysis *a = calloc(1, sizeof *a);
    if (a)
        a->mats = calloc(m->n_tensors ? m->n_tensors : 1, sizeof *a->mats);
    if (!a || !a->mats) {
        free(a);
        ws_fail(e, "out of memory");
        return NULL;
    }
    a->m = m;
    if (o)
        a->o = *o;
    else
        ws_analysis_opts_default(&a->o);
    for (size_t i = 0; i < m->n_tensors; i++)
        if (is_analysed(&m->tensors[i]))
            a->mats[a->n++].t = &m->tensors[i];
    a->embed = ws_model_get(m, WS_ROLE_EMBED, -1, 0);
    ws_progress_init(&a->prog, 0);
    return a;
}

void ws_analysis_free(ws_analysis *a)
{
    if (!a)
        return;
    if (a->started) {
        ws_analysis_cancel(a);
        ws_analysis_wait(a, NULL);
    }
    ws_spectrum_free(&a->spec);
    ws_drift_report_free(&a->drift);
    for (size_t i = 0; i < a->n; i++)
        free(a->mats[i].amps);
    free(a->mats);
    free(a);
}

ws_mat_result *ws_analysis_find(ws_analysis *a, const ws_tensor *t)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->mats[i].t == t)
            return &a->mats[i];
    return NULL;
}

static int compute_spectrum(ws_analysis *a, ws_err *e)
{
    if (!a->embed)
        return ws_fail(e, "no token embedding (role embed) in this model%s%s",
                       a->m->layout_note[0] ? ": " : "", a->m->layout_note);
    const float *w = ws_tensor_f32(a->embed, e);
    if (!w)
        return ws_wrap(e, "%s", a->embed->name);
    ws_pair_rule rule = {.tol = a->o.pair_tol, .alpha = a->o.pair_alpha};
    if (ws_spectrum_compute(w, a->embed->rows, a->embed->cols, &rule, &a->spec, e) < 0)
        return ws_wrap(e, "%s", a->embed->name);
    return 0;
}

/* ---- per-matrix work, run over the matrices with ws_parallel_for ---- */

typedef struct mat_job {
    ws_analysis *a;
    unsigned what;
    size_t *order;          /* matrix indices, most expensive first */
    pthread_mutex_t lock;
    int failed;
    ws_err err;
    ws_progress *p;
} mat_job;

static int mat_energy(ws_analysis *a, ws_mat_result *r, const float *w, ws_err *e)
{
    int64_t rows = r->t->rows, cols = r->t->cols, d = a->spec.d;
    r->energy = (ws_energy){.status = WS_AS_EMPTY, .total = NAN};
    r->share = NAN;
    if (a->spec.status != WS_AS_OK || (cols != d && rows != d))
        return 0;   /* no basis, or no side of length d: not applicable */
    r->energy_transposed = cols != d;
    double *en = malloc((size_t)d * sizeof *en);
    if (!en)
        return ws_fail(e, "out of memory");
    int rc = ws_basis_energy(&a->spec, w, rows, cols, en, &r->energy, e);
    if (rc == 0 && r->energy.status == WS_AS_OK)
        r->share = ws_basis_share_of(en, d, a->o.basis_k);
    free(en);
    return rc;
}

/* The ESD of W: the eigenvalues of its uncentred Gram. */
static int mat_esd(ws_mat_result *r, const float *w, ws_err *e)
{
    int64_t rows = r->t->rows, cols = r->t->cols, n = rows < cols ? rows : cols;
    ws_esd_none(&r->esd, ws_scan_values(w, rows, cols));
    if (r->esd.status != WS_AS_OK)
        return 0;
    double *lam = malloc((size_t)n * sizeof *lam);
    if (!lam)
        return ws_fail(e, "out of memory for %lld eigenvalues", (long long)n);
    int rc = ws_matrix_eigs(w, rows, cols, 0, lam, e);
    if (rc == 0)
        ws_esd_from_eigs(lam, (int)n, rows, cols, &r->esd);
    free(lam);
    return rc;
}

static int mat_one(ws_analysis *a, ws_mat_result *r, unsigned what, ws_err *e)
{
    const float *w = ws_tensor_f32(r->t, e);
    if (!w)
        return -1;
    if ((what & WS_AN_PR) &&
        ws_matrix_pr(w, r->t->rows, r->t->cols, a->o.centred, &r->pr, NULL, e) < 0)
        return -1;
    if (what & WS_AN_PR) {
        /* White noise of this shape; centring leaves rows − 1 degrees of freedom. */
        double n = (double)(r->t->rows - (a->o.centred ? 1 : 0)), p = (double)r->t->cols;
        r->pr_mp = n >= 1 ? ws_mp_pr(n, p) : NAN;
        r->pc1_mp = n >= 1 ? ws_mp_pc1(n, p) : NAN;
    }
    if ((what & WS_AN_ESD) && mat_esd(r, w, e) < 0)
        return -1;
    if ((what & WS_AN_ENERGY) && mat_energy(a, r, w, e) < 0)
        return -1;
    if ((what & WS_AN_AMP) && ws_amp_of_matrix(w, r->t->rows, r->t->cols, a->o.amp_k,
                                               &r->amp, &r->amps, e) < 0)
        return -1;
    return 0;
}

static void mat_range(size_t begin, size_t end, int tid, void *user)
{
    (void)tid;
    mat_job *j = user;
    for (size_t i = begin; i < end; i++) {
        ws_mat_result *r = &j->a->mats[j->order[i]];
        ws_err e;
        if (mat_one(j->a, r, j->what, &e) < 0) {
            pthread_mutex_lock(&j->lock);
            if (!j->failed) {
                j->failed = 1;
                ws_fail(&j->err, "%s: %s", r->t->name, e.msg);
                if (j->p)
                    atomic_store(&j->p->cancel, 1);
            }
            pthread_mutex_unlock(&j->lock);
        }
        ws_progress_add(j->p, 1);
    }
}

static double mat_cost(const ws_tensor *t)
{
    double m = (double)(t->rows < t->cols ? t->rows : t->cols);
    return (double)t->rows * (double)t->cols * m;
}

static size_t *cost_order(const ws_analysis *a)
{
    size_t *ord = malloc((a->n ? a->n : 1) * sizeof *ord);
    if (!ord)
        return NULL;
    for (size_t i = 0; i < a->n; i++)
        ord[i] = i;
    /* Insertion sort: a few hundred matrices at most. */
    for (size_t i = 1; i < a->n; i++)
        for (size_t k = i; k > 0 && mat_cost(a->mats[ord[k]].t) > mat_cost(a->mats[ord[k - 1]].t); k--) {
            size_t t = ord[k];
            ord[k] = ord[k - 1];
            ord[k - 1] = t;
        }
    return ord;
}

/* Matrices in parallel, largest first so the cores finish together; each
 * runs single-threaded BLAS (ws_parallel_for pins it). */
static int compute_mats(ws_analysis *a, unsigned what, ws_progress *p, ws_err *e)
{
    mat_job job = {.a = a, .what = what, .p = p, .order = cost_order(a)};
    if (!job.order)
        return ws_fail(e, "out of memory");
    pthread_mutex_init(&job.lock, NULL);
    int rc = ws_parallel_for(a->n, 1, 0, mat_range, &job, p);
    pthread_mutex_destroy(&job.lock);
    free(job.order);
    if (job.failed) {
        *e = job.err;
        return -1;
    }
    return rc < 0 ? ws_fail(e, "cancelled") : 0;
}

static int compute_amp_global(ws_analysis *a, ws_err *e)
{
    int k = a->o.amp_k;
    size_t rows = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->mats[i].t->layer >= 0 && a->mats[i].amps)
            rows += (size_t)a->mats[i].t->rows;
    float *all = malloc((rows ? rows : 1) * (size_t)k * sizeof *all);
    if (!all)
        return ws_fail(e, "out of memory for the stacked amplitudes");
    size_t at = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->mats[i].t->layer >= 0 && a->mats[i].amps) {
            size_t n = (size_t)a->mats[i].t->rows * (size_t)k;
            memcpy(all + at, a->mats[i].amps, n * sizeof *all);
            at += n;
        }
    int rc = ws_amp_structure(all, (int64_t)rows, k, &a->amp_global, e);
    free(all);
    return rc;
}

/* ---- null baselines of the layers table's statistics ---- */

/* The statistics (WS_LS_* ranges) of each part. */
static const struct {
    unsigned an, part;
    int first, last;
} layer_parts[] = {
    {WS_AN_PR, WS_LS_PART_PR, WS_LS_PR, WS_LS_SRANK},
    {WS_AN_ESD, WS_LS_PART_ESD, WS_LS_ALPHA, WS_LS_SPIKES},
    {WS_AN_AMP, WS_LS_PART_AMP, WS_LS_AMP_PR, WS_LS_AMP_KURT},
};

static int part_ok(const ws_mat_result *r, unsigned an)
{
    switch (an) {
    case WS_AN_PR: return r->pr.status == WS_AS_OK;
    case WS_AN_ESD: return r->esd.status == WS_AS_OK;
    default: return r->amp.status == WS_AS_OK && r->amps;
    }
}

typedef struct null_job {
    ws_null_item *items;
    ws_layer_ctx *ctx;
    size_t *mat;             /* item → matrix index */
    double *x;               /* observed vectors, WS_LS_COUNT each */
    ws_null *out;            /* WS_LS_COUNT·NFAM each */
    double *draws;           /* NFAM·n·nstat each */
    size_t n;
} null_job;

static void null_job_free(null_job *j)
{
    free(j->items), free(j->ctx), free(j->mat), free(j->x), free(j->out), free(j->draws);
}

static int null_job_add(ws_analysis *a, null_job *j, size_t i, unsigned parts, ws_err *e)
{
    ws_mat_result *r = &a->mats[i];
    unsigned lp = 0;
    for (size_t k = 0; k < sizeof layer_parts / sizeof *layer_parts; k++)
        if ((parts & layer_parts[k].an) && part_ok(r, layer_parts[k].an))
            lp |= layer_parts[k].part;
    if (!lp)
        return 0;
    const float *w = ws_tensor_f32(r->t, e);
    size_t at = j->n, nstat = (size_t)ws_layer_nstat(a->o.amp_k);
    if (!w || ws_layer_ctx_init(&j->ctx[at], lp, a->o.centred, a->o.amp_k, r->t->cols, e) < 0)
        return ws_wrap(e, "%s", r->t->name);
    double *x = j->x + at * WS_LS_COUNT;
    ws_layer_vector(&r->pr, &r->esd, &r->amp, x);
    j->mat[at] = i;
    j->items[at] = (ws_null_item){
        .w = w, .rows = r->t->rows, .cols = r->t->cols, .key = ws_null_key(r->t->name),
        .stat = &ws_layer_null_stat, .ctx = &j->ctx[at], .nstat = (int)nstat,
        .nsummary = WS_LS_COUNT, .x = x, .out = j->out + at * WS_LS_COUNT * WS_NULL_NFAM,
        .draws = j->draws + at * WS_NULL_NFAM * (size_t)a->o.null.n * nstat};
    j->n++;
    return 0;
}

/* The global amplitude row's null: draw k of each family pools draw k of
 * every per-layer matrix through the amplitude sums. */
static int global_amp_null(ws_analysis *a, const null_job *j, ws_err *e)
{
    int k = a->o.amp_k, n = a->o.null.n, nstat = ws_layer_nstat(k), naux = 1 + k + k * k + 4;
    double *sum = malloc(sizeof(double) * (size_t)naux), *st = malloc(sizeof(double) * WS_LS_COUNT * (size_t)n);
    int rc = sum && st ? 0 : ws_fail(e, "out of memory");
    double x[WS_LS_COUNT];
    ws_layer_vector(NULL, NULL, &a->amp_global, x);
    for (int f = 0; rc == 0 && f < WS_NULL_NFAM; f++) {
        for (int d = 0; rc == 0 && d < n; d++) {
            memset(sum, 0, sizeof(double) * (size_t)naux);
            for (size_t it = 0; it < j->n; it++) {
                const ws_mat_result *r = &a->mats[j->mat[it]];
                const double *aux = j->items[it].draws + ((size_t)f * n + d) * nstat + WS_LS_AUX;
                if (r->t->layer >= 0 && (j->ctx[it].parts & WS_LS_PART_AMP))
                    for (int q = 0; q < naux; q++)
                        sum[q] += aux[q];
            }
            ws_amp g;
            rc = ws_amp_from_sums(sum, k, &g, e);
            ws_layer_vector(NULL, NULL, &g, st + (size_t)d * WS_LS_COUNT);
        }
        for (int s = WS_LS_AMP_PR; rc == 0 && s <= WS_LS_AMP_KURT; s++)
            ws_null_summarise(x[s], st + s, n, WS_LS_COUNT, &a->amp_global_null[s][f]);
    }
    free(sum), free(st);
    return rc;
}

/* Null baselines for the parts just computed (WS_AN_PR, ESD, AMP). */
static int compute_layer_nulls(ws_analysis *a, unsigned parts, ws_progress *p, ws_err *e)
{
    parts &= WS_AN_PR | WS_AN_ESD | WS_AN_AMP;
    int n = a->o.null.n;
    if (!parts || n <= 0)
        return 0;
    size_t m = a->n ? a->n : 1, nstat = (size_t)ws_layer_nstat(a->o.amp_k);
    null_job j = {.items = calloc(m, sizeof *j.items), .ctx = calloc(m, sizeof *j.ctx),
                  .mat = calloc(m, sizeof *j.mat), .x = calloc(m * WS_LS_COUNT, sizeof *j.x),
                  .out = calloc(m * WS_LS_COUNT * WS_NULL_NFAM, sizeof *j.out),
                  .draws = malloc(m * WS_NULL_NFAM * (size_t)n * nstat * sizeof *j.draws)};
    int rc = j.items && j.ctx && j.mat && j.x && j.out && j.draws ? 0
             : ws_fail(e, "out of memory for the null baselines");
    for (size_t i = 0; rc == 0 && i < a->n; i++)
        rc = null_job_add(a, &j, i, parts, e);
    if (rc == 0)
        rc = ws_null_run(j.items, j.n, &a->o.null, p, e);
    /* Keep the statistics of the parts computed now; the others' nulls stay. */
    for (size_t it = 0; rc == 0 && it < j.n; it++) {
        ws_mat_result *r = &a->mats[j.mat[it]];
        for (size_t k = 0; k < sizeof layer_parts / sizeof *layer_parts; k++)
            if (parts & layer_parts[k].an)
                for (int s = layer_parts[k].first; s <= layer_parts[k].last; s++)
                    for (int f = 0; f < WS_NULL_NFAM; f++)
                        r->null[s][f] = j.out[(it * WS_LS_COUNT + s) * WS_NULL_NFAM + f];
    }
    if (rc == 0 && (parts & WS_AN_AMP))
        rc = global_amp_null(a, &j, e);
    null_job_free(&j);
    return rc;
}

int ws_analysis_set_base(ws_analysis *a, const ws_model *base, ws_err *e)
{
    if (ws_drift_check_models(base, a->m, e) < 0)
        return -1;
    a->base = base;
    ws_drift_report_free(&a->drift);
    a->have &= ~(unsigned)WS_AN_DRIFT;
    return 0;
}

int ws_analysis_compute(ws_analysis *a, unsigned what, ws_progress *p, ws_err *e)
{
    if (what & WS_AN_ENERGY)
        what |= WS_AN_SPECTRUM;
    what &= ~a->have;
    unsigned per_mat = what & (WS_AN_PR | WS_AN_ENERGY | WS_AN_AMP | WS_AN_ESD);
    if (p)
        atomic_store(&p->total, ((what & WS_AN_SPECTRUM) ? 1 : 0) + (per_mat ? a->n : 0));
    if (what & WS_AN_SPECTRUM) {
        if (compute_spectrum(a, e) < 0)
            return -1;
        a->have |= WS_AN_SPECTRUM;
        ws_progress_add(p, 1);
    }
    if (ws_cancelled(p))
        return ws_fail(e, "cancelled");
    if (per_mat && compute_mats(a, per_mat, p, e) < 0)
        return -1;
    if ((per_mat & WS_AN_AMP) && compute_amp_global(a, e) < 0)
        return -1;
    if (compute_layer_nulls(a, per_mat, p, e) < 0)
        return -1;
    a->have |= per_mat;
    if (what & WS_AN_DRIFT) {
        /* The drift pass has its own total: tensors, not matrices. */
        if (!a->base)
            return ws_fail(e, "no base model to measure drift from");
        if (ws_drift_models(a->base, a->m, a->o.drift_all, &a->drift, p, e) < 0)
            return -1;
        a->have |= WS_AN_DRIFT;
    }
    return 0;
}

static void *worker(void *v)
{
    ws_analysis *a = v;
    a->rc = ws_analysis_compute(a, a->want, &a->prog, &a->err);
    atomic_store(&a->finished, 1);
    return NULL;
}

int ws_analysis_start(ws_analysis *a, unsigned what, ws_err *e)
{
    if (a->started)
        return ws_fail(e, "an analysis is already running");
    ws_progress_init(&a->prog, 0);
    atomic_store(&a->finished, 0);
    a->want = what;
    a->rc = 0;
    if (pthread_create(&a->tid, NULL, worker, a) != 0)
        return ws_fail(e, "cannot start a worker thread");
    a->started = 1;
    return 0;
}

int ws_analysis_finished(ws_analysis *a) { return !a->started || atomic_load(&a->finished); }

void ws_analysis_cancel(ws_analysis *a) { atomic_store(&a->prog.cancel, 1); }

int ws_analysis_wait(ws_analysis *a, ws_err *e)
{
    if (!a->started)
        return 0;
    pthread_join(a->tid, NULL);
    a->started = 0;
    if (a->rc < 0 && e)
        *e = a->err;
    return a->rc;
}
