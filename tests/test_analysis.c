/* The per-model analysis (cache, worker thread, cancel, statuses of
 * degenerate matrices) and model-level drift, on models made by ws_init_gpt.
 * The numbers themselves are checked against numpy in test_pr, test_spectrum
 * and test_drift; here they must agree with those functions called directly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "check.h"
#include "drift.h"
#include "init.h"

static ws_model *make(int layers, int d, uint64_t seed)
{
    ws_init_opts o = {.n_layer = layers, .n_embd = d, .n_head = 4, .vocab_size = 40,
                      .block_size = 8, .bias = 1, .seed = seed};
    ws_err e;
    ws_model *m = ws_init_gpt(&o, &e);
    if (!m)
        fprintf(stderr, "init: %s\n", e.msg);
    return m;
}

/* Raw float32 data of a tensor, before anything converted it. */
static float *raw(ws_model *m, const char *name)
{
    ws_tensor *t = ws_model_find(m, name);
    return t ? (float *)(void *)t->data : NULL;
}

static void check_layers(void)
{
    ws_model *m = make(2, 16, 1);
    float *z = raw(m, "blocks.0.attn.c_proj.weight"), *n = raw(m, "blocks.1.mlp.0.weight");
    CHECK(z && n);
    memset(z, 0, 16 * 16 * sizeof *z);
    n[5] = NAN;
    ws_err e;
    ws_analysis *a = ws_analysis_new(m, NULL, &e);
    CHECK(a && a->n == 11);   /* embed, pos_embed, 4 per layer, head */
    CHECK(ws_analysis_compute(a, WS_AN_ALL | WS_AN_NULLS, NULL, &e) == 0);
    CHECK(a->have == WS_AN_ALL && a->null_have == WS_AN_NULLABLE && a->spec.status == WS_AS_OK);
    int64_t amp_rows = 0;
    for (size_t i = 0; i < a->n; i++) {
        ws_mat_result *r = &a->mats[i];
        const char *nm = r->t->name;
        if (!strcmp(nm, "blocks.0.attn.c_proj.weight")) {
            CHECK(r->pr.status == WS_AS_ZERO && r->amp.status == WS_AS_ZERO);
            CHECK(r->energy.status == WS_AS_ZERO && isnan(r->share));
            CHECK(r->esd.status == WS_AS_ZERO && r->null[WS_LS_PR][WS_NULL_PERM].n == 0);
        } else if (!strcmp(nm, "blocks.1.mlp.0.weight")) {
            CHECK(r->pr.status == WS_AS_NONFINITE && isnan(r->pr.pr));
            CHECK(r->amp.status == WS_AS_NONFINITE);
        } else {
            ws_pr direct;
            CHECK(ws_matrix_pr(ws_tensor_f32(r->t, &e), r->t->rows, r->t->cols, 1, &direct, NULL, &e) == 0);
            CHECKF(r->pr.status == WS_AS_OK, "%s", nm);
            CHECK_REL(r->pr.pr, direct.pr, 1e-12);   /* BLAS threads change the sum order */
            CHECK(r->amp.status == WS_AS_OK && r->amp.k == 8);
            CHECK(r->share > 0 && r->share <= 1);
            /* mlp_down (16 x 64) is projected through its columns. */
            CHECK(r->energy_transposed == (r->t->role == WS_ROLE_MLP_DOWN));
            if (r->t->layer >= 0)
                amp_rows += r->t->rows;
            /* The ESD, the white-noise expectations and the nulls of every
             * statistic, both families. */
            CHECK(r->esd.status == WS_AS_OK && r->esd.n == (r->t->rows < 16 ? r->t->rows : 16) &&
                  isfinite(r->esd.alpha_hat));
            CHECK(r->pr_mp > 1 && r->pr_mp < 16 && r->pc1_mp > 0 && r->pc1_mp < 1);
            for (int st = 0; st < WS_LS_COUNT; st++)
                for (int f = 0; f < WS_NULL_NFAM; f++)
                    CHECKF(r->null[st][f].n == WS_NULL_N_DEFAULT, "%s: statistic %d family %d: %d draws",
                           nm, st, f, r->null[st][f].n);
            CHECK(isfinite(r->null[WS_LS_PR][WS_NULL_GAUSS].z) && isfinite(r->null[WS_LS_AMP_PR][WS_NULL_PERM].z));
        }
    }
    CHECK(a->amp_global.status == WS_AS_OK && a->amp_global.rows == amp_rows);
    for (int f = 0; f < WS_NULL_NFAM; f++)
        CHECK(a->amp_global_null[WS_LS_AMP_PR][f].n == WS_NULL_N_DEFAULT &&
              isfinite(a->amp_global_null[WS_LS_AMP_PR][f].z));
    /* Cached: asking again computes nothing (progress total stays 0). */
    ws_progress p;
    ws_progress_init(&p, 0);
    CHECK(ws_analysis_compute(a, WS_AN_ALL, &p, &e) == 0 && atomic_load(&p.total) == 0);
    ws_analysis_free(a);
    ws_model_free(m);
}

static void check_worker_and_cancel(void)
{
    ws_model *m = make(2, 16, 2);
    ws_err e;
    ws_analysis *a = ws_analysis_new(m, NULL, &e);
    CHECK(ws_analysis_start(a, WS_AN_PR | WS_AN_SPECTRUM | WS_AN_NULLS, &e) == 0);
    CHECK(ws_analysis_start(a, WS_AN_PR, &e) == -1);   /* one at a time */
    CHECK(ws_analysis_wait(a, &e) == 0);
    CHECK(ws_analysis_finished(a));
    CHECK(a->have == (WS_AN_PR | WS_AN_SPECTRUM));
    /* The spectrum, the matrices, then the null draws. */
    CHECK(atomic_load(&a->prog.done) == atomic_load(&a->prog.total) && a->prog.total > a->n + 1);
    ws_analysis_free(a);
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    o.null.n = 0;
    a = ws_analysis_new(m, &o, &e);
    CHECK(ws_analysis_start(a, WS_AN_PR | WS_AN_SPECTRUM | WS_AN_NULLS, &e) == 0 && ws_analysis_wait(a, &e) == 0);
    CHECK(atomic_load(&a->prog.done) == atomic_load(&a->prog.total) && a->prog.total == a->n + 1);
    CHECK(a->mats[0].null[WS_LS_PR][WS_NULL_GAUSS].n == 0);
    ws_analysis_free(a);
    /* Nulls later, for what was computed before. */
    a = ws_analysis_new(m, NULL, &e);
    CHECK(ws_analysis_compute(a, WS_AN_PR, NULL, &e) == 0 && a->mats[0].null[WS_LS_PR][WS_NULL_GAUSS].n == 0);
    ws_progress_init(&a->prog, 0);
    CHECK(ws_analysis_compute(a, WS_AN_NULLS, &a->prog, &e) == 0 && a->null_have == WS_AN_PR);
    CHECK(a->mats[0].null[WS_LS_PR][WS_NULL_GAUSS].n == WS_NULL_N_DEFAULT && atomic_load(&a->prog.total) > 0);
    CHECK(a->mats[0].null[WS_LS_AMP_PR][WS_NULL_GAUSS].n == 0);   /* amplitudes never computed */

    ws_progress p;
    ws_progress_init(&p, 0);
    atomic_store(&p.cancel, 1);
    CHECK(ws_analysis_compute(a, WS_AN_AMP, &p, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "cancelled");
    CHECK(!(a->have & WS_AN_AMP));
    ws_analysis_free(a);

    /* A NaN embedding: no spectrum, a status, and the rest still works. */
    raw(m, "tok_emb.weight")[3] = NAN;
    a = ws_analysis_new(m, NULL, &e);
    CHECK(ws_analysis_compute(a, WS_AN_ENERGY | WS_AN_PR, NULL, &e) == 0);
    CHECK(a->spec.status == WS_AS_NONFINITE);
    CHECK(a->mats[1].pr.status == WS_AS_OK && isnan(a->mats[1].share));
    ws_analysis_free(a);
    ws_model_free(m);
}

static void check_drift_models(void)
{
    ws_model *m0 = make(2, 16, 1), *m1 = make(2, 16, 2), *m3 = make(3, 16, 1), *m4 = make(2, 32, 1);
    ws_err e;
    ws_drift_report r;
    CHECK(ws_drift_models(m0, m1, 0, &r, NULL, &e) == 0);
    CHECK(r.n == m0->n_tensors && r.n_layers == 2 && r.n_only0 == 0 && r.n_only1 == 0);
    ws_drift pooled = {0};
    double cos_sum = 0, cos_l1 = 0;
    int n_cos = 0, n_l1 = 0;
    for (size_t i = 0; i < r.n; i++) {
        ws_drift d = {0};
        ws_drift_add(&d, ws_tensor_f32(r.t0[i], &e), ws_tensor_f32(r.t1[i], &e), (size_t)r.t0[i]->numel);
        ws_drift_finish(&d);
        CHECK(d.rms == r.per_tensor[i].rms || (isnan(d.rms) && isnan(r.per_tensor[i].rms)));
        if (r.t0[i]->layer == 1)
            ws_drift_pool(&pooled, &d);
        if (ws_tensor_is_weight_matrix(r.t0[i])) {
            cos_sum += d.cos, n_cos++;
            if (r.t0[i]->layer == 1)
                cos_l1 += d.cos, n_l1++;
        }
    }
    ws_drift_finish(&pooled);
    CHECK_REL(r.per_layer[1].rms, pooled.rms, 1e-12);
    CHECK_REL(r.per_layer[1].cos, pooled.cos, 1e-12);
    CHECK(n_cos == 11 && r.n_mean_cos == 11 && n_l1 == 4);
    CHECK_REL(r.mean_cos, cos_sum / n_cos, 1e-12);
    CHECK_REL(r.layer_mean_cos[1], cos_l1 / n_l1, 1e-12);
    ws_drift_report_free(&r);

    ws_tensor *t0 = ws_model_find(m0, "head.weight"), *t1 = ws_model_find(m1, "head.weight");
    float *dw = ws_drift_delta_tensor(t0, t1, &e);
    CHECK(dw && dw[17] == ws_tensor_f32(t1, &e)[17] - ws_tensor_f32(t0, &e)[17]);
    free(dw);

    /* A layer more on one side: its tensors are listed, the rest compared. */
    CHECK(ws_drift_models(m0, m3, 0, &r, NULL, &e) == 0);
    CHECK(r.n == m0->n_tensors && r.n_only0 == 0 && r.n_only1 == 12);
    CHECK(r.n_only1 && !strncmp(r.only1[0]->name, "blocks.2.", 9));
    ws_drift_report_free(&r);
    CHECK(ws_drift_models(m3, m0, 0, &r, NULL, &e) == 0);
    CHECK(r.n_only0 == 12 && r.n_only1 == 0 && r.n_layers == 3);
    CHECK(r.per_layer[2].status == WS_AS_EMPTY && r.per_layer[0].status == WS_AS_OK);
    ws_drift_report_free(&r);
    /* Shapes that differ: a status for those pairs, never a refusal. */
    CHECK(ws_drift_models(m0, m4, 0, &r, NULL, &e) == 0);
    CHECK(r.n == m0->n_tensors && r.shape_differs[0] && r.per_tensor[0].status == WS_AS_EMPTY);
    CHECK(r.all.status == WS_AS_EMPTY && isnan(r.mean_cos));
    ws_drift_report_free(&r);
    /* Nothing in common: refused. */
    ws_model *odd = ws_model_new();
    int64_t shape[1] = {4};
    ws_model_add(odd, "something.else", WS_DT_F32, 1, shape, calloc(4, 4), 1, &e);
    ws_model_recognise(odd);
    CHECK(ws_drift_models(m0, odd, 0, &r, NULL, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "no tensor of the base model");
    /* Through the analysis of the tuned model, on its worker thread. */
    ws_analysis *a = ws_analysis_new(m1, NULL, &e);
    CHECK(ws_analysis_compute(a, WS_AN_DRIFT, NULL, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "no base model");
    CHECK(ws_analysis_set_base(a, odd, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "corresponds");
    ws_model_free(odd);
    CHECK(ws_analysis_set_base(a, m0, &e) == 0);
    CHECK(ws_analysis_start(a, WS_AN_DRIFT, &e) == 0 && ws_analysis_wait(a, &e) == 0);
    CHECK((a->have & WS_AN_DRIFT) && a->drift.n == m0->n_tensors);
    CHECK(a->drift.all.status == WS_AS_OK && a->drift.all.cos < 1 && a->drift.all.rms > 0);
    ws_analysis_free(a);
    ws_model_free(m0), ws_model_free(m1), ws_model_free(m3), ws_model_free(m4);
}

int main(void)
{
    check_layers();
    check_worker_and_cancel();
    check_drift_models();
    return check_done();
}
