/* Per-tensor training policies: selection, replacements, grid training,
 * progressive freezing, checkpoint state. */
#include "policy.h"

#include <cblas.h>
#include <jansson.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "names.h"
#include "table.h"
#include "pr.h"
#include "rng.h"

/* ---- parsing ---- */

static int parse_int(const char *s, int64_t lo, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < lo)
        return -1;
    *out = v;
    return 0;
}

static int parse_policy(const char *s, ws_policy_rule *r, ws_err *e)
{
    r->arg = 0;
    r->threshold = 0;
    r->centres = WS_GRID_INNER;
    if (!strcmp(s, "train"))
        r->kind = WS_POL_TRAIN;
    else if (!strcmp(s, "freeze"))
        r->kind = WS_POL_FREEZE;
    else if (!strcmp(s, "random"))
        r->kind = WS_POL_RANDOM;
    else if (!strncmp(s, "crystal:", 8)) {
        r->kind = WS_POL_CRYSTAL;
        if (parse_int(s + 8, 1, &r->arg))
            return ws_fail(e, "policy %s: the rank must be an integer >= 1", s);
    } else if (!strncmp(s, "grid:", 5)) {
        char k[32];
        const char *colon = strchr(s + 5, ':');
        size_t kn = colon ? (size_t)(colon - (s + 5)) : strlen(s + 5);
        r->kind = WS_POL_GRID;
        snprintf(k, sizeof k, "%.*s", (int)(kn < sizeof k ? kn : sizeof k - 1), s + 5);
        if (kn >= sizeof k || parse_int(k, 1, &r->arg))
            return ws_fail(e, "policy %s: K must be an integer >= 1", s);
        if (colon && ws_grid_centres_parse(colon + 1, &r->centres))
            return ws_fail(e, "policy %s: the centres must be inner or linspace", s);
    } else if (!strncmp(s, "freeze@", 7)) {
        r->kind = WS_POL_FREEZE_AT;
        if (parse_int(s + 7, 0, &r->arg))
            return ws_fail(e, "policy %s: the step must be an integer >= 0", s);
    } else if (!strncmp(s, "freeze-pr:", 10)) {
        char *end;
        r->kind = WS_POL_FREEZE_PR;
        r->threshold = strtod(s + 10, &end);
        if (end == s + 10 || *end || !(r->threshold > 0))
            return ws_fail(e, "policy %s: the threshold must be a number > 0", s);
    } else
        return ws_fail(e, "unknown policy \"%s\" (train, freeze, crystal:R, random, grid:K[:linspace], "
                          "freeze@S, freeze-pr:X)", s);
    return 0;
}

int ws_policy_parse(const char *spec, ws_policy_rule *out, ws_err *e)
{
    const char *eq = strrchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        return ws_fail(e, "policy \"%s\": expected PATTERN=POLICY", spec);
    size_t n = (size_t)(eq - spec);
    if (n >= sizeof out->pattern)
        return ws_fail(e, "policy \"%s\": pattern too long", spec);
    memcpy(out->pattern, spec, n);
    out->pattern[n] = 0;
    return parse_policy(eq + 1, out, e);
}

const char *ws_policy_kind_text(ws_policy_kind k, int64_t arg, double thr, ws_grid_centres centres,
                                char *buf, size_t n)
{
    switch (k) {
    case WS_POL_TRAIN: snprintf(buf, n, "train"); break;
    case WS_POL_FREEZE: snprintf(buf, n, "freeze"); break;
    case WS_POL_RANDOM: snprintf(buf, n, "random"); break;
    case WS_POL_CRYSTAL: snprintf(buf, n, "crystal:%lld", (long long)arg); break;
    case WS_POL_GRID:
        snprintf(buf, n, "grid:%lld%s", (long long)arg, centres == WS_GRID_LINSPACE ? ":linspace" : "");
        break;
    case WS_POL_FREEZE_AT: snprintf(buf, n, "freeze@%lld", (long long)arg); break;
    case WS_POL_FREEZE_PR: {   /* shortest text that reads back to thr: 0.1, not 0.10000000000000001 */
        char num[40];
        snprintf(buf, n, "freeze-pr:%s", ws_fmt_num(thr, 17, num, sizeof num));
        break;
    }
    }
    return buf;
}

/* ---- selection ---- */

/* 1 if rule selects p, 0 if not, -1 on a bad pattern (names.h). */
static int selects(const char *pat, const ws_gpt_param *p)
{
    return ws_name_list_match(pat, p->name, p->role, p->layer);
}

static int matrix_only(ws_policy_kind k)
{
    return k == WS_POL_CRYSTAL || k == WS_POL_GRID || k == WS_POL_FREEZE_PR;
}

int ws_policy_rule_selects(const ws_policy_rule *r, const char *name, ws_role role, int layer,
                           int ndim)
{
    ws_gpt_param p;
    memset(&p, 0, sizeof p);
    p.name = (char *)name;
    p.role = role;
    p.layer = layer;
    p.ndim = ndim;
    int s = selects(r->pattern, &p);
    return s <= 0 ? s : !(matrix_only(r->kind) && ndim != 2);
}

/* ---- per-parameter state ---- */

typedef struct pol_param {
    ws_policy_kind kind;
    int64_t arg;
    double threshold;
    ws_grid_centres centres;     /* grid */
    int frozen;
    double pr_at_freeze;         /* freeze-pr: the PR that froze it */
    /* grid */
    float *G, *A, *dA, *m, *v;   /* K×n, rows×K, rows×K, rows×K, rows×K */
} pol_param;

struct ws_policy {
    size_t n;
    pol_param *pp;
    int has_grid;
};

void ws_policy_free(ws_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        pol_param *q = &p->pp[i];
        free(q->G);
        free(q->A);
        free(q->dA);
        free(q->m);
        free(q->v);
    }
    free(p->pp);
    free(p);
}

static ws_policy *policy_alloc(ws_gpt *g, ws_err *e)
{
    ws_policy *p = calloc(1, sizeof *p);
    if (p)
        p->pp = calloc(ws_gpt_nparams(g), sizeof *p->pp);
    if (!p || !p->pp) {
        free(p);
        ws_fail(e, "out of memory");
        return NULL;
    }
    p->n = ws_gpt_nparams(g);
    return p;
}

/* ---- replacements ---- */

static int crystal(ws_gpt_param *p, int64_t r, ws_err *e)
{
    int64_t m = p->rows, n = p->cols, k = m < n ? m : n;
    if (r > k)
        return ws_fail(e, "%s: crystal rank %lld is more than min(rows, cols) = %lld",
                       p->name, (long long)r, (long long)k);
    double *a = malloc(sizeof(double) * (size_t)(m * n)), *s = malloc(sizeof(double) * (size_t)k);
    double *u = malloc(sizeof(double) * (size_t)(m * k)), *vt = malloc(sizeof(double) * (size_t)(k * n));
    int rc = 0;
    if (!a || !s || !u || !vt)
        rc = ws_fail(e, "out of memory");
    for (int64_t i = 0; !rc && i < m * n; i++)
        a[i] = p->w[i];
    if (!rc && LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)m, (lapack_int)n, a,
                              (lapack_int)n, s, u, (lapack_int)k, vt, (lapack_int)n))
        rc = ws_fail(e, "%s: the SVD did not converge", p->name);
    for (int64_t i = 0; !rc && i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double x = 0;
            for (int64_t c = 0; c < r; c++)
                x += u[i * k + c] * s[c] * vt[c * n + j];
            p->w[i * n + j] = (float)x;
        }
    free(a);
    free(s);
    free(u);
    free(vt);
    return rc;
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void randomize(ws_gpt_param *p, uint64_t seed)
{
    double sum = 0, sq = 0;
    for (size_t i = 0; i < p->n; i++)
        sum += p->w[i];
    double mean = sum / (double)p->n;
    for (size_t i = 0; i < p->n; i++)
        sq += (p->w[i] - mean) * (p->w[i] - mean);
    double sigma = sqrt(sq / (double)p->n);
    ws_rng r;
    ws_rng_seed(&r, seed ^ name_hash(p->name));
    for (size_t i = 0; i < p->n; i++)
        p->w[i] = (float)(sigma * ws_rng_normal(&r));
}

/* The grid of the fits (fit.h), in float for the products. */
static float *grid_basis(int64_t K, ws_grid_centres c, int64_t n)
{
    double *Gd = malloc(sizeof(double) * (size_t)(K * n));
    float *G = malloc(sizeof(float) * (size_t)(K * n));
    if (Gd && G) {
        ws_grid_basis(n, (int)K, c, Gd);
        for (int64_t i = 0; i < K * n; i++)
            G[i] = (float)Gd[i];
    } else {
        free(G);
        G = NULL;
    }
    free(Gd);
    return G;
}

/* W = A·G */
static void grid_compose(const pol_param *q, ws_gpt_param *p)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p->rows, (int)p->cols, (int)q->arg,
                1.0f, q->A, (int)q->arg, q->G, (int)p->cols, 0.0f, p->w, (int)p->cols);
}

static int grid_alloc(pol_param *q, const ws_gpt_param *p, ws_err *e)
{
    size_t na = (size_t)(p->rows * q->arg);
    q->G = grid_basis(q->arg, q->centres, p->cols);
    q->A = calloc(na, sizeof(float));
    q->dA = calloc(na, sizeof(float));
    q->m = calloc(na, sizeof(float));
    q->v = calloc(na, sizeof(float));
    if (!q->G || !q->A || !q->dA || !q->m || !q->v)
        return ws_fail(e, "out of memory");
    return 0;
}

/* A = argmin ‖A·G − W‖ (the grid fit's least squares, in double), then W = A·G. */
static int grid_init(pol_param *q, ws_gpt_param *p, ws_err *e)
{
    int64_t K = q->arg, n = p->cols, m = p->rows;
    if (K > n)
        return ws_fail(e, "%s: grid K = %lld is more than its %lld columns",
                       p->name, (long long)K, (long long)n);
    if (grid_alloc(q, p, e))
        return -1;
    double *A = malloc(sizeof(double) * (size_t)(m * K));
    int rc = A ? ws_grid_fit_rows(p->w, m, n, (int)K, q->centres, A, NULL, NULL, NULL, e) : ws_fail(e, "out of memory");
    for (int64_t i = 0; !rc && i < m * K; i++)
        q->A[i] = (float)A[i];
    free(A);
    if (rc)
        return ws_wrap(e, "%s", p->name);
    grid_compose(q, p);
    return 0;
}

/* ---- apply ---- */

static void set_frozen(ws_policy *p, ws_gpt *g, size_t i)
{
    p->pp[i].frozen = 1;
    ws_gpt_set_trainable(g, i, WS_PARAM_FROZEN);
}

static int apply_one(ws_policy *p, ws_gpt *g, size_t i, uint64_t seed, ws_err *e)
{
    pol_param *q = &p->pp[i];
    ws_gpt_param *gp = ws_gpt_param_at(g, i);
    switch (q->kind) {
    case WS_POL_TRAIN:
    case WS_POL_FREEZE_AT:
    case WS_POL_FREEZE_PR:
        ws_gpt_set_trainable(g, i, WS_PARAM_TRAIN);
        return 0;
    case WS_POL_FREEZE:
        break;
    case WS_POL_CRYSTAL:
        if (crystal(gp, q->arg, e))
            return -1;
        break;
    case WS_POL_RANDOM:
        randomize(gp, seed);
        break;
    case WS_POL_GRID:
        if (grid_init(q, gp, e))
            return -1;
        ws_gpt_set_trainable(g, i, WS_PARAM_GRAD);
        p->has_grid = 1;
        return 0;
    }
    set_frozen(p, g, i);
    return 0;
}

int ws_policy_bias_kind(ws_policy_kind matrix)
{
    switch (matrix) {
    case WS_POL_CRYSTAL:
    case WS_POL_RANDOM: return WS_POL_FREEZE;
    case WS_POL_GRID: return WS_POL_TRAIN;
    default: return -1;
    }
}

/* The bias rule (policy.h): the bias of a matrix that crystal, random or
 * grid replace keeps its values and follows the matrix, frozen with
 * crystal and random, trained with grid, whatever the rules said of it.
 * A bias's matrix is the 2-D parameter of its role and layer. */
static void bias_follows(ws_policy *p, ws_gpt *g)
{
    for (size_t i = 0; i < p->n; i++) {
        const ws_gpt_param *b = ws_gpt_param_at(g, i);
        if (!b->is_bias || b->ndim != 1)
            continue;
        for (size_t j = 0; j < p->n; j++) {
            const ws_gpt_param *w = ws_gpt_param_at(g, j);
            int k = ws_policy_bias_kind(p->pp[j].kind);
            if (w->ndim != 2 || w->role != b->role || w->layer != b->layer || k < 0)
                continue;
            p->pp[i].kind = (ws_policy_kind)k;
            p->pp[i].arg = 0;
            p->pp[i].threshold = 0;
        }
    }
}

ws_policy *ws_policy_apply(ws_gpt *g, const ws_policy_rule *rules, size_t n,
                           uint64_t seed, ws_err *e)
{
    ws_policy *p = policy_alloc(g, e);
    if (!p)
        return NULL;
    for (size_t r = 0; r < n; r++) {
        int any = 0;
        for (size_t i = 0; i < p->n; i++) {
            ws_gpt_param *gp = ws_gpt_param_at(g, i);
            int s = selects(rules[r].pattern, gp);
            if (s < 0) {
                ws_fail(e, "policy pattern \"%s\": bad role@layers selector", rules[r].pattern);
                ws_policy_free(p);
                return NULL;
            }
            if (!s || (matrix_only(rules[r].kind) && gp->ndim != 2))
                continue;
            p->pp[i].kind = rules[r].kind;
            p->pp[i].arg = rules[r].arg;
            p->pp[i].threshold = rules[r].threshold;
            p->pp[i].centres = rules[r].centres;
            any = 1;
        }
        if (!any) {
            ws_fail(e, "policy pattern \"%s\" selects no %s", rules[r].pattern,
                    matrix_only(rules[r].kind) ? "matrix" : "tensor");
            ws_policy_free(p);
            return NULL;
        }
    }
    bias_follows(p, g);
    for (size_t i = 0; i < p->n; i++)
        if (apply_one(p, g, i, seed, e)) {
            ws_policy_free(p);
            return NULL;
        }
    return p;
}

int ws_policy_n_frozen(const ws_policy *p)
{
    int k = 0;
    for (size_t i = 0; i < p->n; i++)
        k += p->pp[i].frozen;
    return k;
}

int ws_policy_is_frozen(const ws_policy *p, size_t i) { return i < p->n && p->pp[i].frozen; }
int ws_policy_has_grid(const ws_policy *p) { return p->has_grid; }

const char *ws_policy_text(const ws_policy *p, size_t i, char *buf, size_t n)
{
    const pol_param *q = &p->pp[i];
    return ws_policy_kind_text(q->kind, q->arg, q->threshold, q->centres, buf, n);
}

const char *ws_policy_freeze_reason(const ws_policy *p, size_t i, char *buf, size_t n)
{
    const pol_param *q = &p->pp[i];
    char pol[64];
    ws_policy_text(p, i, pol, sizeof pol);
    if (q->kind == WS_POL_FREEZE_PR && q->frozen)
        snprintf(buf, n, "%s (PR %.4g)", pol, q->pr_at_freeze);
    else
        snprintf(buf, n, "%s", pol);
    return buf;
}

/* ---- step hooks ---- */

void ws_policy_begin_step(ws_policy *p, ws_gpt *g, int64_t step)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->pp[i].kind == WS_POL_FREEZE_AT && !p->pp[i].frozen && step >= p->pp[i].arg)
            set_frozen(p, g, i);
}

static int is_grid(const pol_param *q) { return q->kind == WS_POL_GRID; }

void ws_policy_after_backward(ws_policy *p, ws_gpt *g)
{
    for (size_t i = 0; i < p->n && p->has_grid; i++) {
        pol_param *q = &p->pp[i];
        ws_gpt_param *gp = ws_gpt_param_at(g, i);
        if (is_grid(q))   /* dA = dW·Gᵀ */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)gp->rows, (int)q->arg,
                        (int)gp->cols, 1.0f, gp->g, (int)gp->cols, q->G, (int)gp->cols, 0.0f,
                        q->dA, (int)q->arg);
    }
}

static double sumsq(const float *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)x[i] * x[i];
    return s;
}

float ws_policy_global_norm(ws_policy *p, ws_gpt *g)
{
    if (!p->has_grid)
        return ws_grad_global_norm(g);
    double s = 0;
    for (size_t i = 0; i < p->n; i++) {
        ws_gpt_param *gp = ws_gpt_param_at(g, i);
        if (is_grid(&p->pp[i]))
            s += sumsq(p->pp[i].dA, (size_t)(gp->rows * p->pp[i].arg));
        else if (gp->trainable == WS_PARAM_TRAIN)
            s += sumsq(gp->g, gp->n);
    }
    return (float)sqrt(s);
}

void ws_policy_clip(ws_policy *p, ws_gpt *g, float max_norm, float norm)
{
    ws_grad_clip(g, max_norm, norm);
    float c = max_norm / (norm + 1e-6f);
    if (c >= 1.0f)
        return;
    for (size_t i = 0; i < p->n; i++)
        if (is_grid(&p->pp[i])) {
            size_t na = (size_t)(ws_gpt_param_at(g, i)->rows * p->pp[i].arg);
            for (size_t k = 0; k < na; k++)
                p->pp[i].dA[k] *= c;
        }
}

void ws_policy_step(ws_policy *p, ws_gpt *g, const ws_adamw_opts *o, float lr, int64_t t)
{
    for (size_t i = 0; i < p->n && p->has_grid; i++) {
        pol_param *q = &p->pp[i];
        ws_gpt_param *gp = ws_gpt_param_at(g, i);
        if (!is_grid(q))
            continue;
        ws_adamw_update(q->A, q->dA, q->m, q->v, (size_t)(gp->rows * q->arg), o, lr,
                        o->weight_decay, t);
        grid_compose(q, gp);
    }
}

double ws_weight_pr(const float *w, int64_t rows, int64_t cols)
{
    /* The analyses' definition (pr.h), so freeze-pr:X and `wscope pr` agree.
     * A matrix whose rows are all equal has no variance: PR 0. */
    ws_pr r;
    if (ws_matrix_pr(w, rows, cols, 1, &r, NULL, NULL) != 0)
        return NAN;
    return r.status == WS_AS_OK ? r.pr : r.status == WS_AS_ZERO ? 0 : NAN;
}

int ws_policy_check_pr(ws_policy *p, ws_gpt *g)
{
    int k = 0;
    for (size_t i = 0; i < p->n; i++) {
        pol_param *q = &p->pp[i];
        ws_gpt_param *gp = ws_gpt_param_at(g, i);
        if (q->kind != WS_POL_FREEZE_PR || q->frozen || gp->ndim != 2)
            continue;
        double pr = ws_weight_pr(gp->w, gp->rows, gp->cols);
        if (pr < q->threshold) {
            q->pr_at_freeze = pr;
            set_frozen(p, g, i);
            k++;
        }
    }
    return k;
}

/* ---- checkpoint state ---- */

char *ws_policy_state_json(const ws_policy *p, const ws_gpt *g, ws_err *e)
{
    json_t *o = json_object();
    char buf[64];
    for (size_t i = 0; o && i < p->n; i++) {
        const ws_gpt_param *gp = ws_gpt_param_at((ws_gpt *)g, i);
        json_t *t = json_pack("{s:s,s:b}", "policy", ws_policy_text(p, i, buf, sizeof buf),
                              "frozen", p->pp[i].frozen);
        if (!t || json_object_set_new(o, gp->name, t)) {
            json_decref(o);
            o = NULL;
        }
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    if (!s)
        ws_fail(e, "out of memory");
    return s;
}

static int add_copy(ws_model *out, const char *prefix, const char *name, const float *x,
                    int64_t rows, int64_t cols, ws_err *e)
{
    char key[512];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    size_t n = (size_t)(rows * cols);
    float *d = malloc(n * sizeof *d);
    if (!d)
        return ws_fail(e, "out of memory");
    memcpy(d, x, n * sizeof *d);
    int64_t shape[2] = {rows, cols};
    if (!ws_model_add(out, key, WS_DT_F32, 2, shape, d, 1, e)) {
        free(d);
        return -1;
    }
    return 0;
}

int ws_policy_save_tensors(const ws_policy *p, ws_gpt *g, ws_model *out, ws_err *e)
{
    for (size_t i = 0; i < p->n; i++) {
        const pol_param *q = &p->pp[i];
        const ws_gpt_param *gp = ws_gpt_param_at(g, i);
        if (!is_grid(q))
            continue;
        if (add_copy(out, "grid.A.", gp->name, q->A, gp->rows, q->arg, e) ||
            add_copy(out, "grid.m.", gp->name, q->m, gp->rows, q->arg, e) ||
            add_copy(out, "grid.v.", gp->name, q->v, gp->rows, q->arg, e))
            return -1;
    }
    return 0;
}

/* Copy a checkpoint tensor "PREFIXNAME" of n floats into dst. */
static int load_copy(ws_model *ck, const char *prefix, const char *name, float *dst, size_t n,
                     ws_err *e)
{
    char key[512];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    ws_tensor *t = ws_model_find(ck, key);
    if (!t || (size_t)t->numel != n || t->dtype != WS_DT_F32)
        return ws_fail(e, "checkpoint: %s missing or of the wrong shape", key);
    const float *x = ws_tensor_f32(t, e);
    if (!x)
        return -1;
    memcpy(dst, x, n * sizeof *dst);
    return 0;
}

static int restore_one(ws_policy *p, ws_gpt *g, size_t i, json_t *st, ws_model *ck, ws_err *e)
{
    pol_param *q = &p->pp[i];
    ws_gpt_param *gp = ws_gpt_param_at(g, i);
    json_t *pol = json_object_get(st, "policy"), *fz = json_object_get(st, "frozen");
    ws_policy_rule r;
    if (!json_is_string(pol) || !json_is_boolean(fz) || parse_policy(json_string_value(pol), &r, e))
        return ws_fail(e, "checkpoint: bad policy state for %s", gp->name);
    q->kind = r.kind;
    q->arg = r.arg;
    q->threshold = r.threshold;
    q->centres = r.centres;
    if (json_is_true(fz)) {
        set_frozen(p, g, i);
        return 0;
    }
    if (!is_grid(q)) {
        ws_gpt_set_trainable(g, i, WS_PARAM_TRAIN);
        return 0;
    }
    size_t na = (size_t)(gp->rows * q->arg);
    if (q->arg > gp->cols || gp->ndim != 2 || grid_alloc(q, gp, e) ||
        load_copy(ck, "grid.A.", gp->name, q->A, na, e) ||
        load_copy(ck, "grid.m.", gp->name, q->m, na, e) ||
        load_copy(ck, "grid.v.", gp->name, q->v, na, e))
        return ws_wrap(e, "%s", gp->name);
    ws_gpt_set_trainable(g, i, WS_PARAM_GRAD);
    p->has_grid = 1;
    return 0;
}

ws_policy *ws_policy_restore(ws_gpt *g, const char *json, ws_model *ck, ws_err *e)
{
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    if (!o) {
        ws_fail(e, "checkpoint: bad policy state: %s", je.text);
        return NULL;
    }
    ws_policy *p = policy_alloc(g, e);
    for (size_t i = 0; p && i < p->n; i++) {
        json_t *st = json_object_get(o, ws_gpt_param_at(g, i)->name);
        if (!st || restore_one(p, g, i, st, ck, e)) {
            if (!st)
                ws_fail(e, "checkpoint: no policy state for %s", ws_gpt_param_at(g, i)->name);
            ws_policy_free(p);
            p = NULL;
        }
    }
    json_decref(o);
    return p;
}
