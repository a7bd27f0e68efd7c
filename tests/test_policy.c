/* Training policies against numpy (tests/ref/policy_ref.py): crystal is the
 * SVD truncation, PR as defined, grid's basis and least-squares start, and
 * in training: grid moves only A, frozen tensors stay bit-identical. */
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gpt.h"
#include "init.h"
#include "model.h"
#include "policy.h"
#include "train.h"

static ws_model *ref;

static const float *refv(const char *name, int64_t n)
{
    ws_err e = {{0}};
    ws_tensor *t = ws_model_find(ref, name);
    CHECKF(t && t->numel == n, "fixture %s", name);
    return t ? ws_tensor_f32(t, &e) : NULL;
}

static ws_model *tiny_model(void)
{
    ws_err e = {{0}};
    ws_init_opts o = {.n_layer = 1, .n_embd = 16, .n_head = 2, .vocab_size = 50,
                      .block_size = 16, .bias = 1, .seed = 5};
    ws_model *m = ws_init_gpt(&o, &e);
    CHECKF(m != NULL, "%s", e.msg);
    return m;
}

static ws_gpt_param *param(ws_gpt *g, const char *name)
{
    ws_gpt_param *p = ws_gpt_param_by_name(g, name);
    CHECKF(p != NULL, "no %s", name);
    return p;
}

/* Put the fixture matrices into the network. */
static void load_fixture_weights(ws_gpt *g)
{
    memcpy(param(g, "blocks.0.attn.c_attn.weight")->w, refv("W1", 48 * 16), 48 * 16 * 4);
    memcpy(param(g, "blocks.0.mlp.2.weight")->w, refv("W2", 16 * 64), 16 * 64 * 4);
    memcpy(param(g, "blocks.0.mlp.0.weight")->w, refv("W3", 64 * 16), 64 * 16 * 4);
}

static double max_abs_diff(const float *a, const float *b, size_t n, double *scale)
{
    double d = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        s = fmax(s, fabs((double)b[i]));
    }
    *scale = s;
    return d;
}

/* Numerical rank: singular values above 1e-5 of the largest. */
static int rank_of(const float *w, int m, int n)
{
    double *a = malloc(sizeof(double) * (size_t)(m * n)), s[64];
    for (int i = 0; i < m * n; i++)
        a[i] = w[i];
    int k = m < n ? m : n, r = 0;
    double dummy[1];
    LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', m, n, a, n, s, dummy, m > n ? m : n, dummy, m > n ? m : n);
    for (int i = 0; i < k; i++)
        r += s[i] > 1e-5 * s[0];
    free(a);
    return r;
}

static void test_parse(void)
{
    ws_policy_rule r;
    ws_err e = {{0}};
    CHECK(ws_policy_parse("attn_out@4=crystal:1", &r, &e) == 0);
    CHECK(!strcmp(r.pattern, "attn_out@4") && r.kind == WS_POL_CRYSTAL && r.arg == 1);
    CHECK(ws_policy_parse("blocks.*.mlp.*=freeze@100", &r, &e) == 0);
    CHECK(r.kind == WS_POL_FREEZE_AT && r.arg == 100);
    CHECK(ws_policy_parse("*@0-1=freeze-pr:12.5", &r, &e) == 0);
    CHECK(r.kind == WS_POL_FREEZE_PR && r.threshold == 12.5);
    {   /* the policy's text is the shortest that reads back to the threshold */
        char txt[64];
        CHECK(ws_policy_parse("qkv=freeze-pr:0.1", &r, &e) == 0);
        CHECK(!strcmp(ws_policy_kind_text(r.kind, r.arg, r.threshold, r.centres, txt, sizeof txt), "freeze-pr:0.1"));
    }
    CHECK(ws_policy_parse("qkv=grid:8", &r, &e) == 0 && r.kind == WS_POL_GRID && r.arg == 8);
    CHECK(r.centres == WS_GRID_INNER);
    {   /* Paper 61's centres: grid:K:linspace, and its text reads back */
        char txt[64];
        CHECK(ws_policy_parse("qkv=grid:8:linspace", &r, &e) == 0 && r.kind == WS_POL_GRID && r.arg == 8);
        CHECK(r.centres == WS_GRID_LINSPACE);
        CHECK(!strcmp(ws_policy_kind_text(r.kind, r.arg, r.threshold, r.centres, txt, sizeof txt),
                      "grid:8:linspace"));
        CHECK(ws_policy_parse("qkv=grid:8:inner", &r, &e) == 0 && r.centres == WS_GRID_INNER);
        CHECK(ws_policy_parse("qkv=grid:8:outer", &r, &e) == -1);
        CHECK_STR_CONTAINS(e.msg, "inner or linspace");
        CHECK(ws_policy_parse("qkv=grid::linspace", &r, &e) == -1);
    }
    CHECK(ws_policy_parse("qkv=melt", &r, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "unknown policy \"melt\"");
    CHECK(ws_policy_parse("qkv=crystal:0", &r, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "rank");
    CHECK(ws_policy_parse("qkv", &r, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "PATTERN=POLICY");
}

static void test_selection_errors(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_gpt *g = ws_gpt_new(m, 2, 8, &e);
    ws_policy_rule r;
    ws_policy_parse("attn_out@7=freeze", &r, &e);
    CHECK(ws_policy_apply(g, &r, 1, 1, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "selects no tensor");
    ws_policy_parse("ln_f=crystal:1", &r, &e);
    CHECK(ws_policy_apply(g, &r, 1, 1, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "selects no matrix");
    ws_policy_parse("qkv@x=freeze", &r, &e);
    CHECK(ws_policy_apply(g, &r, 1, 1, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "bad role@layers");
    ws_policy_parse("qkv=crystal:17", &r, &e);
    CHECK(ws_policy_apply(g, &r, 1, 1, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "more than min(rows, cols) = 16");

    /* role selector takes weight and bias; later rules override; glob */
    ws_policy_rule rs[3];
    ws_policy_parse("qkv@0=freeze", &rs[0], &e);
    ws_policy_parse("blocks.0.attn.c_attn.bias=train", &rs[1], &e);
    ws_policy_parse("*@*=freeze", &rs[2], &e);
    ws_policy *p = ws_policy_apply(g, rs, 2, 1, &e);
    CHECK(p && ws_policy_n_frozen(p) == 1);
    CHECK(param(g, "blocks.0.attn.c_attn.weight")->trainable == WS_PARAM_FROZEN);
    CHECK(param(g, "blocks.0.attn.c_attn.bias")->trainable == WS_PARAM_TRAIN);
    ws_policy_free(p);
    p = ws_policy_apply(g, rs + 2, 1, 1, &e);   /* every per-layer tensor: 12 */
    CHECK(p && ws_policy_n_frozen(p) == 12);
    CHECK(param(g, "tok_emb.weight")->trainable == WS_PARAM_TRAIN);
    ws_policy_free(p);
    ws_gpt_free(g);
    ws_model_free(m);
}

static void test_replacements(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_gpt *g = ws_gpt_new(m, 2, 8, &e);
    load_fixture_weights(g);
    ws_gpt_param *qkv = param(g, "blocks.0.attn.c_attn.weight");
    ws_gpt_param *down = param(g, "blocks.0.mlp.2.weight");
    ws_gpt_param *up = param(g, "blocks.0.mlp.0.weight");

    CHECK_REL(ws_weight_pr(qkv->w, 48, 16), refv("pr", 2)[0], 1e-5);
    CHECK_REL(ws_weight_pr(down->w, 16, 64), refv("pr", 2)[1], 1e-5);

    ws_policy_rule r[4];
    ws_policy_parse("qkv=crystal:3", &r[0], &e);
    ws_policy_parse("mlp_down@0=crystal:2", &r[1], &e);
    ws_policy_parse("blocks.0.mlp.0.weight=grid:5", &r[2], &e);
    ws_policy_parse("attn_out=random", &r[3], &e);
    ws_gpt_param *ao = param(g, "blocks.0.attn.c_proj.weight");
    double sum = 0, sq = 0;
    for (size_t i = 0; i < ao->n; i++)
        sum += ao->w[i];
    for (size_t i = 0; i < ao->n; i++)
        sq += (ao->w[i] - sum / ao->n) * (ao->w[i] - sum / ao->n);
    double sigma0 = sqrt(sq / ao->n);

    ws_policy *p = ws_policy_apply(g, r, 4, 42, &e);
    CHECKF(p != NULL, "%s", e.msg);
    double scale, d = max_abs_diff(qkv->w, refv("crystal3_W1", 48 * 16), 48 * 16, &scale);
    CHECKF(d <= 1e-5 * scale, "crystal:3 off by %g (scale %g)", d, scale);
    d = max_abs_diff(down->w, refv("crystal2_W2", 16 * 64), 16 * 64, &scale);
    CHECKF(d <= 1e-5 * scale, "crystal:2 off by %g (scale %g)", d, scale);
    CHECK(rank_of(qkv->w, 48, 16) == 3 && rank_of(down->w, 16, 64) == 2);
    CHECK(rank_of(refv("W1", 48 * 16), 48, 16) == 16);   /* the originals are full rank */
    d = max_abs_diff(up->w, refv("grid_W", 64 * 16), 64 * 16, &scale);
    CHECKF(d <= 1e-4 * scale, "grid start off by %g (scale %g)", d, scale);
    CHECK(qkv->trainable == WS_PARAM_FROZEN && down->trainable == WS_PARAM_FROZEN);
    CHECK(up->trainable == WS_PARAM_GRAD && ao->trainable == WS_PARAM_FROZEN);
    CHECK(ws_policy_has_grid(p));

    /* random: N(0, σ of the original), seeded */
    sum = sq = 0;
    for (size_t i = 0; i < ao->n; i++) {
        sum += ao->w[i];
        sq += (double)ao->w[i] * ao->w[i];
    }
    CHECK_REL(sqrt(sq / ao->n), sigma0, 0.08);   /* 256 samples: ~4.4 % s.d. */
    CHECK(fabs(sum / ao->n) < 3 * sigma0 / 16);
    ws_policy_free(p);
    ws_gpt_free(g);
    ws_model_free(m);
}

/* The bias rule: the bias of a matrix that crystal, random or grid replace
 * keeps its values and follows the matrix (frozen, frozen, trained),
 * whatever the rules said of it; random on a bias alone still draws. */
static void test_bias_rule(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_gpt *g = ws_gpt_new(m, 1, 4, &e);
    const char *bias[4] = {"blocks.0.attn.c_attn.bias", "blocks.0.attn.c_proj.bias",
                           "blocks.0.mlp.0.bias", "blocks.0.mlp.2.bias"};
    float before[4][64];
    for (int b = 0; b < 4; b++) {
        ws_gpt_param *p = param(g, bias[b]);
        CHECK(p->n <= 64);
        for (size_t i = 0; i < p->n; i++)
            p->w[i] = before[b][i] = 0.01f * (float)(i % 7) - 0.02f;   /* trained-looking values */
    }
    ws_policy_rule r[5];
    ws_policy_parse("qkv=crystal:2", &r[0], &e);                     /* weight and bias selected */
    ws_policy_parse("blocks.0.attn.c_attn.bias=train", &r[1], &e);   /* overruled by the rule */
    ws_policy_parse("attn_out=random", &r[2], &e);
    ws_policy_parse("blocks.0.mlp.0.weight=grid:4", &r[3], &e);      /* the weight alone */
    ws_policy_parse("blocks.0.mlp.2.weight=crystal:1", &r[4], &e);   /* the weight alone */
    ws_policy *p = ws_policy_apply(g, r, 5, 3, &e);
    CHECKF(p != NULL, "%s", e.msg);
    int want[4] = {WS_PARAM_FROZEN, WS_PARAM_FROZEN, WS_PARAM_TRAIN, WS_PARAM_FROZEN};
    char buf[32];
    for (int b = 0; b < 4; b++) {
        ws_gpt_param *q = param(g, bias[b]);
        CHECKF(q->trainable == want[b], "%s: trainable %d", bias[b], q->trainable);
        CHECKF(!memcmp(q->w, before[b], q->n * 4), "%s: values changed", bias[b]);
        for (size_t i = 0; i < ws_gpt_nparams(g); i++)
            if (ws_gpt_param_at(g, i) == q)
                CHECK(!strcmp(ws_policy_text(p, i, buf, sizeof buf), want[b] == WS_PARAM_TRAIN ? "train" : "freeze"));
    }
    ws_policy_free(p);
    /* random on a bias whose matrix trains: drawn (N(0, σ of the values)) */
    ws_policy_parse("blocks.0.attn.c_proj.bias=random", &r[0], &e);
    p = ws_policy_apply(g, r, 1, 3, &e);
    ws_gpt_param *q = param(g, "blocks.0.attn.c_proj.bias");
    CHECK(p && q->trainable == WS_PARAM_FROZEN && memcmp(q->w, before[1], q->n * 4) != 0);
    ws_policy_free(p);
    ws_gpt_free(g);
    ws_model_free(m);
}

/* Same seed → same random values; another seed → others. */
/* grid:K:linspace starts from the least-squares fit on Paper 61's grid. */
static void test_grid_linspace(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_gpt *g = ws_gpt_new(m, 2, 8, &e);
    load_fixture_weights(g);
    ws_policy_rule r;
    CHECK(ws_policy_parse("blocks.0.mlp.0.weight=grid:5:linspace", &r, &e) == 0);
    ws_policy *p = ws_policy_apply(g, &r, 1, 42, &e);
    CHECKF(p != NULL, "%s", e.msg);
    double scale, d = max_abs_diff(param(g, "blocks.0.mlp.0.weight")->w, refv("grid_lin_W", 64 * 16), 64 * 16, &scale);
    CHECKF(d <= 1e-4 * scale, "grid:5:linspace start off by %g (scale %g)", d, scale);
    d = max_abs_diff(param(g, "blocks.0.mlp.0.weight")->w, refv("grid_W", 64 * 16), 64 * 16, &scale);
    CHECKF(d > 1e-2 * scale, "grid:5:linspace starts where the inner grid does (%g)", d);
    char txt[64];
    for (size_t i = 0; p && i < ws_gpt_nparams(g); i++)
        if (!strcmp(ws_gpt_param_at(g, i)->name, "blocks.0.mlp.0.weight"))
            CHECK(!strcmp(ws_policy_text(p, i, txt, sizeof txt), "grid:5:linspace"));
    ws_policy_free(p);
    ws_gpt_free(g);
    ws_model_free(m);
}

static void test_random_seeded(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_gpt *g1 = ws_gpt_new(m, 1, 4, &e), *g2 = ws_gpt_new(m, 1, 4, &e), *g3 = ws_gpt_new(m, 1, 4, &e);
    ws_policy_rule r;
    ws_policy_parse("mlp_up=random", &r, &e);
    ws_policy *p1 = ws_policy_apply(g1, &r, 1, 9, &e), *p2 = ws_policy_apply(g2, &r, 1, 9, &e);
    ws_policy *p3 = ws_policy_apply(g3, &r, 1, 10, &e);
    const char *n = "blocks.0.mlp.0.weight";
    CHECK(!memcmp(param(g1, n)->w, param(g2, n)->w, param(g1, n)->n * 4));
    CHECK(memcmp(param(g1, n)->w, param(g3, n)->w, param(g1, n)->n * 4) != 0);
    ws_policy_free(p1);
    ws_policy_free(p2);
    ws_policy_free(p3);
    ws_gpt_free(g1);
    ws_gpt_free(g2);
    ws_gpt_free(g3);
    ws_model_free(m);
}

/* Residual of W's rows after projecting on the row space of G (least squares). */
static double span_residual(const float *w, const float *G, int rows, int K, int n)
{
    double worst = 0;
    for (int i = 0; i < rows; i++) {
        /* normal equations (G Gᵀ) a = G wᵢ, solved by Gaussian elimination in double */
        double M[8][9];
        for (int a = 0; a < K; a++) {
            for (int b = 0; b < K; b++) {
                double s = 0;
                for (int j = 0; j < n; j++)
                    s += (double)G[a * n + j] * G[b * n + j];
                M[a][b] = s;
            }
            double s = 0;
            for (int j = 0; j < n; j++)
                s += (double)G[a * n + j] * w[i * n + j];
            M[a][K] = s;
        }
        for (int c = 0; c < K; c++)
            for (int r2 = c + 1; r2 < K; r2++) {
                double f = M[r2][c] / M[c][c];
                for (int k = c; k <= K; k++)
                    M[r2][k] -= f * M[c][k];
            }
        double a[8];
        for (int c = K - 1; c >= 0; c--) {
            double s = M[c][K];
            for (int k = c + 1; k < K; k++)
                s -= M[c][k] * a[k];
            a[c] = s / M[c][c];
        }
        double res = 0, nw = 0;
        for (int j = 0; j < n; j++) {
            double x = w[i * n + j];
            for (int k = 0; k < K; k++)
                x -= a[k] * G[k * n + j];
            res += x * x;
            nw += (double)w[i * n + j] * w[i * n + j];
        }
        worst = fmax(worst, sqrt(res / fmax(nw, 1e-30)));
    }
    return worst;
}

/* A short run: grid trains only A; crystal/freeze stay bit-identical. */
static void test_training(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_data d = {0};
    d.n = d.n_train = 400;
    d.tok = malloc(d.n * sizeof *d.tok);
    for (size_t i = 0; i < d.n; i++)
        d.tok[i] = (int32_t)((i * 7 + i / 5) % 50);
    ws_policy_rule r[3];
    ws_policy_parse("mlp_up=grid:5", &r[0], &e);
    ws_policy_parse("qkv=crystal:2", &r[1], &e);
    ws_policy_parse("ln1=freeze", &r[2], &e);
    ws_train_opts o = ws_train_defaults();
    o.steps = 6;
    o.B = 2;
    o.T = 8;
    o.lr = 1e-2f;
    o.eval_every = 0;
    o.rules = r;
    o.n_rules = 3;
    ws_train *t = ws_train_new(m, &d, &o, 0, &e);
    CHECKF(t != NULL, "%s", e.msg);
    if (!t)
        return;
    ws_gpt *g = ws_train_gpt(t);
    ws_gpt_param *up = param(g, "blocks.0.mlp.0.weight"), *qkv = param(g, "blocks.0.attn.c_attn.weight");
    ws_gpt_param *ln = param(g, "blocks.0.ln1.weight"), *lnb = param(g, "blocks.0.ln1.bias");
    float *up0 = malloc(up->n * 4), *qkv0 = malloc(qkv->n * 4), *ln0 = malloc(ln->n * 4), *lnb0 = malloc(lnb->n * 4);
    memcpy(up0, up->w, up->n * 4);
    memcpy(qkv0, qkv->w, qkv->n * 4);
    memcpy(ln0, ln->w, ln->n * 4);
    memcpy(lnb0, lnb->w, lnb->n * 4);
    CHECK(ws_train_start(t, &e) == 0);
    CHECK(ws_train_wait(t) == WS_TRAIN_DONE);
    CHECK(ws_train_nrecords(t) == 7);   /* 6 steps + final evaluation */
    CHECK(memcmp(up0, up->w, up->n * 4) != 0);   /* W = A·G moved */
    CHECK(!memcmp(qkv0, qkv->w, qkv->n * 4));
    CHECK(!memcmp(ln0, ln->w, ln->n * 4) && !memcmp(lnb0, lnb->w, lnb->n * 4));
    /* W stays in the span of G's rows; G from the fixture formula */
    const float *G = refv("grid_G", 5 * 16);
    double before = span_residual(up0, G, 64, 5, 16), after = span_residual(up->w, G, 64, 5, 16);
    CHECKF(before < 1e-4 && after < 1e-4, "residuals %g %g", before, after);
    /* a row not in the span would show: the original W3 is not */
    CHECK(span_residual(refv("W3", 64 * 16), G, 64, 5, 16) > 0.1);
    /* update norms: zero for frozen, positive for grid */
    float *un = malloc(sizeof(float) * (size_t)ws_train_n_matrices(t));
    CHECK(ws_train_update_norms(t, 2, un) == 0);
    for (int k = 0; k < ws_train_n_matrices(t); k++) {
        const char *name = ws_train_matrix_name(t, k);
        if (!strcmp(name, "blocks.0.attn.c_attn.weight"))
            CHECK(un[k] == 0);
        if (!strcmp(name, "blocks.0.mlp.0.weight"))
            CHECK(un[k] > 0);
    }
    free(un);
    free(up0);
    free(qkv0);
    free(ln0);
    free(lnb0);
    ws_train_free(t);
    free(d.tok);
    ws_model_free(m);
}

/* freeze-pr freezes a matrix exactly when its PR is under the threshold. */
static void test_freeze_pr(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_gpt *g = ws_gpt_new(m, 1, 4, &e);
    load_fixture_weights(g);
    double pr1 = refv("pr", 2)[0], pr2 = refv("pr", 2)[1];
    char spec[2][64];
    snprintf(spec[0], sizeof spec[0], "qkv=freeze-pr:%.9g", pr1 * 1.001);       /* above PR: freezes */
    snprintf(spec[1], sizeof spec[1], "mlp_down=freeze-pr:%.9g", pr2 * 0.999);  /* below: trains on */
    ws_policy_rule r[2];
    CHECK(ws_policy_parse(spec[0], &r[0], &e) == 0 && ws_policy_parse(spec[1], &r[1], &e) == 0);
    ws_policy *p = ws_policy_apply(g, r, 2, 1, &e);
    CHECK(p && ws_policy_n_frozen(p) == 0);
    CHECK(ws_policy_check_pr(p, g) == 1);
    CHECK(param(g, "blocks.0.attn.c_attn.weight")->trainable == WS_PARAM_FROZEN);
    CHECK(param(g, "blocks.0.attn.c_attn.bias")->trainable == WS_PARAM_TRAIN);   /* vectors: untouched */
    CHECK(param(g, "blocks.0.mlp.2.weight")->trainable == WS_PARAM_TRAIN);
    CHECK(ws_policy_check_pr(p, g) == 0);
    ws_policy_free(p);
    ws_gpt_free(g);
    ws_model_free(m);
}

int main(void)
{
    ws_err e = {{0}};
    if (ws_model_open(check_src("tests/fixtures/train/policy_ref.safetensors"), &ref, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    test_parse();
    test_selection_errors();
    test_replacements();
    test_grid_linspace();
    test_random_seeded();
    test_bias_rule();
    test_training();
    test_freeze_pr();
    ws_model_free(ref);
    return check_done();
}
