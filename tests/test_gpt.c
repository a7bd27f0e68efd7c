/* GPT forward/backward and AdamW against the PyTorch float64 reference
 * (tests/ref/gpt_ref.py): logits, loss, every gradient, 5 AdamW steps with
 * warm-up + cosine learning rate and clipping, frozen tensors, write-back.
 * Prints the largest error per tensor, like llm.c's test_gpt2.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adamw.h"
#include "check.h"
#include "gpt.h"
#include "init.h"
#include "model.h"
#include "rng.h"

#define B 2
#define T 16
#define STEPS 5
#define GRAD_TOL 1e-4     /* largest relative error of logits and gradients */
#define UPDATE_TOL 1e-3  /* relative L2 error of the updates after the AdamW steps */

static int verbose;

/* Raw little-endian values of a reference tensor (read as stored: the
 * reference names are not model roles, so no orientation applies). */
static const void *ref_raw(const ws_model *ref, const char *name, ws_dtype dt, size_t *n)
{
    ws_tensor *t = ws_model_find(ref, name);
    CHECKF(t && t->dtype == dt, "reference tensor %s missing", name);
    if (!t || t->dtype != dt) return NULL;
    if (n) *n = (size_t)t->numel;
    return t->data;
}

static double ref_f64(const ws_model *ref, const char *name, int i)
{
    const double *d = ref_raw(ref, name, WS_DT_F64, NULL);
    double v = 0;
    if (d) memcpy(&v, d + i, sizeof v);
    return v;
}

/* Largest |got − want| / (|want| + floor), the floor being 1% of the
 * tensor's largest |want|: float32 rounding of a sum is relative to its
 * terms, so values near zero are judged against the tensor's scale. */
static double max_rel_err(const float *got, const float *want, size_t n)
{
    float scale = 0.0f;
    for (size_t i = 0; i < n; i++) scale = fmaxf(scale, fabsf(want[i]));
    double floor = 1e-2 * scale + 1e-12, worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double err = fabs((double)got[i] - want[i]) / (fabs(want[i]) + floor);
        if (!(err <= worst)) worst = err;   /* NaN counts as worst */
    }
    return worst;
}

/* Compare got[0..n) with reference values [off, off+n) of `refname`. */
static void compare_at(const char *what, const char *name, const float *got,
                       const ws_model *ref, const char *refname, size_t off, size_t n,
                       size_t ref_n, double tol)
{
    size_t rn = 0;
    const float *raw = ref_raw(ref, refname, WS_DT_F32, &rn);
    if (!raw) return;
    CHECKF(rn == ref_n, "%s: %zu values, reference %zu", refname, ref_n, rn);
    if (rn != ref_n) return;
    float *want = malloc(n * sizeof *want);
    memcpy(want, raw + off, n * sizeof *want);
    double err = max_rel_err(got, want, n), abs_err = 0;
    for (size_t i = 0; i < n; i++) abs_err = fmax(abs_err, fabs(got[i] - want[i]));
    if (verbose || !(err <= tol))
        printf("  %-8s %-36s max rel err %.2e abs %.2e\n", what, name, err, abs_err);
    CHECKF(err <= tol, "%s %s: max rel err %.3g > %.3g", what, name, err, tol);
    free(want);
}

static void compare(const char *what, const char *name, const float *got,
                    const ws_model *ref, const char *refname, size_t n, double tol)
{
    compare_at(what, name, got, ref, refname, 0, n, n, tol);
}

/* Parameters after the AdamW steps, judged by their updates (final −
 * initial): the update's L2 error relative to its norm must stay under
 * UPDATE_TOL, and no element may be off by more than 5% of the summed
 * learning rates. Adam divides each gradient by its own scale, so an
 * element whose gradient is at float32 rounding level moves by noise; the
 * L2 measure still catches any systematic error (a missing weight decay is
 * ~1%). */
static void compare_update(const char *what, const char *name, const float *got,
                           const float *initial, const ws_model *ref, const char *refname,
                           size_t off, size_t n, size_t ref_n, double lr_sum)
{
    size_t rn = 0;
    const float *raw = ref_raw(ref, refname, WS_DT_F32, &rn);
    if (!raw) return;
    CHECKF(rn == ref_n, "%s: %zu values, reference %zu", refname, ref_n, rn);
    if (rn != ref_n) return;
    double err2 = 0, upd2 = 0, worst = 0;
    for (size_t i = 0; i < n; i++) {
        float want;
        memcpy(&want, raw + off + i, sizeof want);
        double d = (double)got[i] - want, u = (double)want - initial[i];
        err2 += d * d;
        upd2 += u * u;
        if (!(fabs(d) <= worst)) worst = fabs(d);
    }
    double rel = sqrt(err2) / fmax(sqrt(upd2), 1e-30);
    if (verbose || !(rel <= UPDATE_TOL) || !(worst <= 0.05 * lr_sum))
        printf("  %-8s %-36s update rel err %.2e, max abs %.2e\n", what, name, rel, worst);
    CHECKF(rel <= UPDATE_TOL, "%s %s: update rel err %.3g", what, name, rel);
    CHECKF(worst <= 0.05 * lr_sum, "%s %s: max abs err %.3g", what, name, worst);
}

/* The key bias's exact gradient is zero (a constant added to every score
 * of a row leaves the softmax unchanged), so Adam turns float32 rounding
 * noise into steps of up to lr while float64's noise is far under eps:
 * only the query and value parts can match; the key part may move at most
 * lr per step. */
static void compare_trained(const char *what, const ws_gpt_param *p, const ws_model *ref,
                            const char *refname, const float *initial, double lr_sum)
{
    if (p->role != WS_ROLE_QKV || !p->is_bias) {
        compare_update(what, p->name, p->w, initial, ref, refname, 0, p->n, p->n, lr_sum);
        return;
    }
    size_t C = p->n / 3;
    compare_update(what, p->name, p->w, initial, ref, refname, 0, C, p->n, lr_sum);
    compare_update(what, p->name, p->w + 2 * C, initial + 2 * C, ref, refname, 2 * C, C,
                   p->n, lr_sum);
    for (size_t k = C; k < 2 * C; k++)
        CHECKF(fabsf(p->w[k] - initial[k]) <= (float)lr_sum * 1.01f, "key bias %zu moved %g",
               k, p->w[k] - initial[k]);
}

static ws_model *open_model(const char *cas, const char *suffix)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/gpt/%s%s.safetensors", cas, suffix);
    ws_model *m = NULL;
    ws_err e = { { 0 } };
    int rc = ws_model_open(check_src(rel), &m, &e);
    CHECKF(rc == 0, "%s: %s", rel, e.msg);
    return rc ? NULL : m;
}

static ws_gpt *new_gpt(ws_model *m)
{
    ws_err e = { { 0 } };
    ws_gpt *g = ws_gpt_new(m, B, T, &e);
    CHECKF(g != NULL, "ws_gpt_new: %s", e.msg);
    return g;
}

/* Logits, loss and every gradient of the first batch. */
static void check_gradients(ws_model *m, const ws_model *ref, const int32_t *in,
                            const int32_t *tg)
{
    ws_gpt *g = new_gpt(m);
    if (!g) return;
    const ws_gpt_dims *d = ws_gpt_get_dims(g);
    CHECK(ws_gpt_forward(g, in, NULL, B, T) == 0.0f);
    compare("logits", "", ws_gpt_logits(g), ref, "logits", (size_t)B * T * d->vocab_size,
            GRAD_TOL);
    /* Causality: a shorter prefix of the first sequence gives the same
     * logits at its positions (T' = 1, 3, 5, 16 cover the attention's row
     * blocks, some empty). */
    size_t V = (size_t)d->vocab_size;
    float *full = malloc((size_t)B * T * V * sizeof *full);
    memcpy(full, ws_gpt_logits(g), (size_t)B * T * V * sizeof *full);
    int lens[] = { 1, 3, 5, T };
    for (int k = 0; k < 4; k++) {
        ws_gpt_forward(g, in, NULL, 1, lens[k]);
        double worst = max_rel_err(ws_gpt_logits(g), full, (size_t)lens[k] * V);
        CHECKF(worst <= GRAD_TOL, "prefix of %d tokens: logits differ by %g", lens[k], worst);
    }
    free(full);
    float loss = ws_gpt_forward(g, in, tg, B, T);
    CHECK_REL(loss, ref_f64(ref, "loss", 0), 1e-5);
    ws_gpt_zero_grad(g);
    ws_gpt_backward(g);
    for (size_t i = 0; i < ws_gpt_nparams(g); i++) {
        const ws_gpt_param *p = ws_gpt_param_at(g, i);
        char rn[300];
        snprintf(rn, sizeof rn, "grad.%s", p->name);
        compare("grad", p->name, p->g, ref, rn, p->n, GRAD_TOL);
    }
    /* A second forward+backward accumulates: gradients double. */
    float g0 = ws_gpt_param_at(g, 3)->g[5];
    ws_gpt_forward(g, in, tg, B, T);
    ws_gpt_backward(g);
    CHECK(g0 != 0.0f);
    CHECK_REL(ws_gpt_param_at(g, 3)->g[5], 2 * g0, 1e-5);
    ws_gpt_free(g);
}

/* Names listed in the reference's "frozen" metadata (comma separated). */
static int is_listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *s = list; s && *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len == n && !strncmp(s, name, n)) return 1;
        s = c ? c + 1 : NULL;
    }
    return 0;
}

/* 5 AdamW steps as the reference: warm-up 2 then cosine to 1e-4, clip 0.5.
 * `prefix` is "" or "frozen_" (then the listed tensors are frozen). */
static void check_training(ws_model *m, const ws_model *ref, const int32_t *in,
                           const int32_t *tg, const char *prefix)
{
    const char *frozen = *prefix ? ws_model_meta(ref, "frozen") : NULL;
    ws_gpt *g = new_gpt(m);
    if (!g) return;
    size_t np = ws_gpt_nparams(g), numel = ws_gpt_numel(g);
    float *initial = malloc(numel * sizeof(float));
    memcpy(initial, ws_gpt_weights(g), numel * sizeof(float));
    for (size_t i = 0; i < np; i++)
        if (is_listed(frozen, ws_gpt_param_at(g, i)->name))
            ws_gpt_set_trainable(g, i, WS_PARAM_FROZEN);
    ws_err e = { { 0 } };
    ws_adamw *o = ws_adamw_new(g, &e);
    CHECKF(o != NULL, "%s", e.msg);
    ws_adamw_opts opt = { 1e-3f, 0.9f, 0.95f, 1e-8f, 0.1f };
    char key[300];
    double lr_sum = 0;
    for (int s = 0; o && s < STEPS; s++) {
        float lr = ws_lr_at(s, 2, STEPS, 1e-3f, 1, 1e-4f);
        lr_sum += lr;
        CHECK_REL(lr, ref_f64(ref, "lrs", s), 1e-6);
        ws_gpt_zero_grad(g);
        float loss = ws_gpt_forward(g, in + s * B * T, tg + s * B * T, B, T);
        ws_gpt_backward(g);
        float norm = ws_grad_global_norm(g);
        ws_grad_clip(g, 0.5f, norm);
        ws_adamw_step(o, g, &opt, lr);
        snprintf(key, sizeof key, "%slosses", prefix);
        CHECK_REL(loss, ref_f64(ref, key, s), 2e-5);
        snprintf(key, sizeof key, "%snorms", prefix);
        CHECK_REL(norm, ref_f64(ref, key, s), 1e-4);
    }
    CHECK(!o || ws_adamw_steps(o) == STEPS);
    for (size_t i = 0; i < np; i++) {
        const ws_gpt_param *p = ws_gpt_param_at(g, i);
        if (is_listed(frozen, p->name)) {
            size_t off = (size_t)(p->w - ws_gpt_weights(g));
            int zero = 1;
            for (size_t k = 0; k < p->n; k++) zero &= p->g[k] == 0.0f;
            CHECKF(zero, "frozen %s has a gradient", p->name);
            CHECKF(!memcmp(p->w, initial + off, p->n * sizeof(float)),
                   "frozen %s changed", p->name);
            CHECKF(!ws_adamw_m(o, i), "frozen %s has optimizer state", p->name);
            continue;
        }
        snprintf(key, sizeof key, "%sfinal.%s", prefix, p->name);
        compare_trained(*prefix ? "frozen" : "trained", p, ref, key,
                        initial + (p->w - ws_gpt_weights(g)), lr_sum);
    }
    ws_adamw_free(o);
    free(initial);
    ws_gpt_free(g);
}

/* WS_PARAM_GRAD: the gradient is computed (as the reference's) but the
 * optimizer leaves the weights alone; a parameter that became frozen after
 * the optimizer was made is skipped too. */
static void check_grad_only(ws_model *m, const ws_model *ref, const int32_t *in,
                            const int32_t *tg)
{
    ws_gpt *g = new_gpt(m);
    if (!g) return;
    ws_err e = { { 0 } };
    ws_adamw *o = ws_adamw_new(g, &e);
    size_t up = 0, ln = 0;
    for (size_t i = 0; i < ws_gpt_nparams(g); i++) {
        const ws_gpt_param *p = ws_gpt_param_at(g, i);
        if (p->role == WS_ROLE_MLP_UP && !p->is_bias && p->layer == 0) up = i;
        if (p->role == WS_ROLE_LN2 && !p->is_bias && p->layer == 1) ln = i;
    }
    ws_gpt_set_trainable(g, up, WS_PARAM_GRAD);
    ws_gpt_set_trainable(g, ln, WS_PARAM_FROZEN);
    ws_gpt_param *pu = ws_gpt_param_at(g, up), *pl = ws_gpt_param_at(g, ln);
    float *before = malloc(pu->n * sizeof(float));
    memcpy(before, pu->w, pu->n * sizeof(float));
    float ln_before = pl->w[3], emb_before = ws_gpt_param_at(g, 0)->w[0];
    ws_gpt_zero_grad(g);
    ws_gpt_forward(g, in, tg, B, T);
    ws_gpt_backward(g);
    char rn[300];
    snprintf(rn, sizeof rn, "grad.%s", pu->name);
    compare("grad-only", pu->name, pu->g, ref, rn, pu->n, GRAD_TOL);
    ws_adamw_opts opt = ws_adamw_defaults();
    ws_adamw_step(o, g, &opt, 1e-3f);
    CHECK(!memcmp(before, pu->w, pu->n * sizeof(float)));
    CHECK(pl->w[3] == ln_before);
    CHECK(ws_gpt_param_at(g, 0)->w[0] != emb_before);   /* the others do train */
    free(before);
    ws_adamw_free(o);
    ws_gpt_free(g);
}

/* Weights written back read the same through the model, in its own
 * orientation (HF Conv1D weights transposed back). */
static void check_write_back(ws_model *m)
{
    ws_gpt *g = new_gpt(m);
    if (!g) return;
    float *w = ws_gpt_weights(g);
    for (size_t k = 0; k < ws_gpt_numel(g); k++) w[k] += 0.25f * (float)(k % 7);
    ws_err e = { { 0 } };
    CHECKF(ws_gpt_write_back(g, m, &e) == 0, "%s", e.msg);
    for (size_t i = 0; i < ws_gpt_nparams(g); i++) {
        const ws_gpt_param *p = ws_gpt_param_at(g, i);
        ws_tensor *t = ws_model_find(m, p->name);
        const float *f = t ? ws_tensor_f32(t, &e) : NULL;
        CHECKF(f && !memcmp(f, p->w, p->n * sizeof(float)), "write-back of %s", p->name);
        if (t && t->transposed && p->rows > 1) {
            float raw;   /* element (row 1, col 0) is stored at [0][1] */
            memcpy(&raw, t->data + 4, 4);
            CHECK(raw == p->w[p->cols]);
        }
    }
    ws_gpt_free(g);
}

static void check_case(const char *cas, int tanh)
{
    printf("%s\n", cas);
    ws_model *m = open_model(cas, ""), *ref = open_model(cas, "_ref");
    if (!m || !ref) goto done;
    CHECK(m->cfg.gelu_tanh == tanh);   /* from the "gelu" metadata */
    const int32_t *in = ref_raw(ref, "inputs", WS_DT_I32, NULL);
    const int32_t *tg = ref_raw(ref, "targets", WS_DT_I32, NULL);
    if (!in || !tg) goto done;
    check_gradients(m, ref, in, tg);
    check_training(m, ref, in, tg, "");
    const char *frozen = ws_model_meta(ref, "frozen");
    if (frozen && *frozen) check_training(m, ref, in, tg, "frozen_");
    check_grad_only(m, ref, in, tg);
    check_write_back(m);
done:
    ws_model_free(m);
    ws_model_free(ref);
}

/* Bad input: clear errors, no crash. */
static void check_errors(void)
{
    ws_model *m = open_model("ours_tied", "");
    if (!m) return;
    ws_err e = { { 0 } };
    CHECK(ws_gpt_new(m, B, m->cfg.block_size + 1, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "block size");
    CHECK(ws_gpt_new(m, 0, T, &e) == NULL);
    m->cfg.n_head_known = 0;
    CHECK(ws_gpt_new(m, B, T, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "n_head");
    m->cfg.n_head_known = 1;
    ws_gpt *g = new_gpt(m);
    if (g) {
        int32_t in[B * T] = { 0 }, tg[B * T] = { 0 };
        in[3] = m->cfg.vocab_size;
        CHECK(isnan(ws_gpt_forward(g, in, tg, B, T)));
        in[3] = 0;
        tg[7] = -1;
        CHECK(isnan(ws_gpt_forward(g, in, tg, B, T)));
        CHECK(isnan(ws_gpt_forward(g, in, NULL, B, T + 1)));
        tg[7] = 1;
        CHECK(isfinite(ws_gpt_forward(g, in, tg, B, T - 3)));
        /* A NaN weight shows in the loss (the training loop stops on it). */
        ws_gpt_param *lnf = ws_gpt_param_at(g, ws_gpt_nparams(g) - 1);
        lnf->w[2] = NAN;
        CHECK(isnan(ws_gpt_forward(g, in, tg, B, T)));
    }
    ws_gpt_free(g);
    ws_model_free(m);
}

/* The reference model is small enough that every kernel runs on one
 * thread; on a larger one (from ws_init_gpt) the products split into
 * blocks and the row kernels run in parallel: two threads must give what
 * one gives. */
static void check_threads_agree(void)
{
    ws_init_opts io = { .n_layer = 2, .n_embd = 128, .n_head = 4, .vocab_size = 512,
                        .block_size = 256, .tied = 1, .bias = 1, .seed = 3 };
    enum { BB = 8, TT = 256 };
    ws_err e = { { 0 } };
    ws_model *m = ws_init_gpt(&io, &e);
    CHECKF(m != NULL, "%s", e.msg);
    ws_gpt *g = m ? ws_gpt_new(m, BB, TT, &e) : NULL;
    CHECKF(g != NULL, "%s", e.msg);
    if (!g) { ws_model_free(m); return; }
    int32_t *tok = malloc(sizeof(int32_t) * (BB * TT + 1));
    ws_rng r;
    ws_rng_seed(&r, 11);
    for (int i = 0; i <= BB * TT; i++) tok[i] = (int32_t)ws_rng_below(&r, 512);
    size_t n = ws_gpt_numel(g);
    float *g1 = malloc(n * sizeof(float)), loss[2];
    for (int th = 1; th <= 2; th++) {
        ws_gpt_set_threads(g, th);
        CHECK(ws_gpt_get_threads(g) == th || ws_gpt_get_threads(g) == 1);
        ws_gpt_zero_grad(g);
        loss[th - 1] = ws_gpt_forward(g, tok, tok + 1, BB, TT);
        ws_gpt_backward(g);
        if (th == 1) memcpy(g1, ws_gpt_grads(g), n * sizeof(float));
    }
    CHECK_REL(loss[1], loss[0], 1e-6);
    CHECK_REL(loss[0], logf(512.0f), 0.05);   /* an untrained model guesses */
    double worst = max_rel_err(ws_gpt_grads(g), g1, n);
    printf("threads 1 vs 2: loss %.6f / %.6f, gradients max rel err %.2e\n", loss[0], loss[1],
           worst);
    /* Equal or within rounding: some OpenBLAS kernels (Haswell) sum a
     * block of rows in another order than the whole. */
    CHECK(worst <= GRAD_TOL);
    free(g1);
    free(tok);
    ws_gpt_free(g);
    ws_model_free(m);
}

static void check_schedule(void)
{
    /* nanoGPT get_lr: warm-up (it+1)/(warmup+1), cosine to min_lr at total. */
    CHECK_REL(ws_lr_at(0, 10, 100, 1.0f, 1, 0.1f), 1.0 / 11, 1e-6);
    CHECK_REL(ws_lr_at(10, 10, 100, 1.0f, 1, 0.1f), 1.0, 1e-6);
    CHECK_REL(ws_lr_at(55, 10, 100, 1.0f, 1, 0.1f), 0.55, 1e-6);
    CHECK_REL(ws_lr_at(100, 10, 100, 1.0f, 1, 0.1f), 0.1, 1e-6);
    CHECK_REL(ws_lr_at(500, 10, 100, 1.0f, 1, 0.1f), 0.1, 1e-6);
    CHECK_REL(ws_lr_at(500, 10, 100, 1.0f, 0, 0.1f), 1.0, 1e-6);
}

int main(int argc, char **argv)
{
    verbose = argc > 1 && !strcmp(argv[1], "-v");
    check_case("ours_untied", 0);
    check_case("ours_tied", 0);
    check_case("nanogpt_untied", 0);
    check_case("nanogpt_tied", 0);
    check_case("hf_untied", 0);
    check_case("hf_tied", 0);
    check_case("nanogpt_nobias", 0);
    check_case("ours_tanh", 1);
    check_errors();
    check_threads_agree();
    check_schedule();
    return check_done();
}
