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
    for (size_t i = 0; i < a->n; i++) {
        free(a->mats[i].amps);
        free(a->mats[i].energies);
    }
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
    r->energy = (ws_energy){.status = WS_AS_EMPTY, .total = NAN, .ev_r = NAN, .ev_p = NAN};
    r->share = NAN;
    if (a->spec.status != WS_AS_OK || (cols != d && rows != d))
        return 0;   /* no basis, or no side of length d: not applicable */
    r->energy_transposed = cols != d;
    double *en = malloc((size_t)d * sizeof *en);
    if (!en)
        return ws_fail(e, "out of memory");
    int rc = ws_basis_energy(&a->spec, w, rows, cols, en, &r->energy, e);
    if (rc == 0 && r->energy.status == WS_AS_OK) {
        r->share = ws_basis_share_of(en, d, a->o.basis_k);
        free(r->energies);
        r->energies = en, en = NULL;
    }
    free(en);
    return rc;
}

/* The weight PR and, with `esd`, the ESD of W (the eigenvalues of its
 * uncentred Gram) from one pass over W; the ESD alone when !pr. */
static int mat_spectra(ws_analysis *a, ws_mat_result *r, const float *w, int pr, int esd, ws_err *e)
{
    int64_t rows = r->t->rows, cols = r->t->cols, n = rows < cols ? rows : cols;
    double *lam = esd ? malloc((size_t)n * sizeof *lam) : NULL;
    if (esd && !lam)
        return ws_fail(e, "out of memory for %lld eigenvalues", (long long)n);
    if (esd)
        ws_esd_none(&r->esd, ws_scan_values(w, rows, cols));
    int rc = 0;
    if (pr)
        rc = ws_matrix_pr_esd(w, rows, cols, a->o.centred, &r->pr, NULL, lam, e);
    else if (r->esd.status == WS_AS_OK)
        rc = ws_matrix_eigs(w, rows, cols, 0, lam, e);
    /* A centred PR needs two rows; the ESD does not: compute it alone then. */
    if (rc == 0 && pr && esd && r->pr.status == WS_AS_ONE_ROW && r->esd.status == WS_AS_OK)
        rc = ws_matrix_eigs(w, rows, cols, 0, lam, e);
    if (rc == 0 && esd && r->esd.status == WS_AS_OK)
        ws_esd_from_eigs(lam, (int)n, rows, cols, &r->esd);
    free(lam);
    return rc;
}

static int mat_one(ws_analysis *a, ws_mat_result *r, unsigned what, ws_err *e)
{
    const float *w = ws_tensor_f32(r->t, e);
    if (!w)
        return -1;
    if ((what & (WS_AN_PR | WS_AN_ESD)) &&
        mat_spectra(a, r, w, !!(what & WS_AN_PR), !!(what & WS_AN_ESD), e) < 0)
        return -1;
    if (what & WS_AN_PR) {
        /* White noise of this shape; centring leaves rows − 1 degrees of freedom. */
        double n = (double)(r->t->rows - (a->o.centred ? 1 : 0)), p = (double)r->t->cols;
        r->pr_mp = n >= 1 ? ws_mp_pr(n, p) : NAN;
        r->pc1_mp = n >= 1 ? ws_mp_pc1(n, p) : NAN;
    }
    if ((what & WS_AN_ENERGY) && mat_energy(a, r, w, e) < 0)
        return -1;
    if ((what & WS_AN_AMP) && ws_amp_of_matrix(w, r->t->rows, r->t->cols, a->o.amp_k, a->o.amp_centres,
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
    /* Null baselines of every part asked for (or computed before) that has none yet. */
    unsigned nulls = (what & WS_AN_NULLS) ? ((a->have | per_mat) & WS_AN_NULLABLE) & ~a->null_have : 0;
    if (ws_analysis_nulls(a, per_mat, nulls, p, e) < 0)
        return -1;
    a->have |= per_mat;
    a->null_have |= nulls;
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
