/* Training runs: resume after N steps equals 2N uninterrupted, bit for
 * bit; divergence stops with the last good weights; pause and cancel;
 * evaluation over sequential windows. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "init.h"
#include "model.h"
#include "train.h"

static char dir[] = "/tmp/ws_test_train_XXXXXX";

static const char *path(const char *name) { return check_path(dir, name); }

static ws_model *tiny_model(void)
{
    ws_err e = {{0}};
    ws_init_opts o = {.n_layer = 2, .n_embd = 16, .n_head = 2, .vocab_size = 40,
                      .block_size = 16, .bias = 1, .seed = 11};
    ws_model *m = ws_init_gpt(&o, &e);
    CHECKF(m != NULL, "%s", e.msg);
    return m;
}

static void fake_data(ws_data *d, size_t n)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    d->tok = malloc(n * sizeof *d->tok);
    for (size_t i = 0; i < n; i++)
        d->tok[i] = (int32_t)((i * 13 + i / 7 + (i % 11 == 0)) % 40);
    ws_data_split(d, 0.2);
}

static ws_train_opts opts(int64_t steps, const ws_policy_rule *r, size_t nr)
{
    ws_train_opts o = ws_train_defaults();
    o.steps = steps;
    o.B = 3;
    o.T = 8;
    o.lr = 3e-3f;
    o.warmup = 2;
    o.eval_every = 2;
    o.eval_batches = 2;
    o.pr_every = 3;
    o.seed = 77;
    o.rules = r;
    o.n_rules = nr;
    return o;
}

static int run(ws_model *m, const ws_data *d, const ws_train_opts *o, int resume)
{
    ws_err e = {{0}};
    ws_train *t = ws_train_new(m, d, o, resume, &e);
    CHECKF(t != NULL, "%s", e.msg);
    if (!t)
        return -1;
    CHECK(ws_train_start(t, &e) == 0);
    ws_train_state s = ws_train_wait(t);
    char msg[512];
    ws_train_get_state(t, msg, sizeof msg);
    CHECKF(s == WS_TRAIN_DONE, "state %d: %s", (int)s, msg);
    ws_train_free(t);
    return 0;
}

/* Every tensor of a and b (same names) has the same bytes; the metadata
 * keys given match too. */
static void same_files(const char *pa, const char *pb)
{
    ws_err e = {{0}};
    ws_model *a, *b;
    CHECK(ws_model_open(pa, &a, &e) == 0);
    CHECK(ws_model_open(pb, &b, &e) == 0);
    CHECK(a->n_tensors == b->n_tensors);
    size_t differ = 0;
    for (size_t i = 0; i < a->n_tensors; i++) {
        ws_tensor *x = &a->tensors[i], *y = ws_model_find(b, x->name);
        if (!y || y->nbytes != x->nbytes || memcmp(x->data, y->data, x->nbytes)) {
            differ++;
            fprintf(stderr, "differs: %s\n", x->name);
        }
    }
    CHECK(differ == 0);
    const char *keys[] = {"train.step", "train.adam_steps", "train.policy", "train.options"};
    for (int k = 0; k < 4; k++) {
        const char *va = ws_model_meta(a, keys[k]), *vb = ws_model_meta(b, keys[k]);
        CHECKF(va && vb && !strcmp(va, vb), "%s", keys[k]);
    }
    ws_model_free(a);
    ws_model_free(b);
}

static void test_resume(void)
{
    ws_err e = {{0}};
    ws_policy_rule r[4];
    ws_policy_parse("attn_out@1=crystal:2", &r[0], &e);
    ws_policy_parse("mlp_up@0=grid:4", &r[1], &e);
    ws_policy_parse("qkv@0=freeze@5", &r[2], &e);
    ws_policy_parse("mlp_down=freeze-pr:1000", &r[3], &e);   /* freezes at the first check */
    ws_data d;
    fake_data(&d, 500);
    for (int sampling = 0; sampling < 2; sampling++) {
        ws_model *m = tiny_model();
        ws_train_opts o = opts(8, r, 4);
        o.sampling = (ws_sampling)sampling;
        /* files opened as inputs cannot be written again: names per round */
        char full[64], half[64], resumed[64];
        snprintf(full, sizeof full, "full%d.safetensors", sampling);
        snprintf(half, sizeof half, "half%d.safetensors", sampling);
        snprintf(resumed, sizeof resumed, "resumed%d.safetensors", sampling);
        o.out = path(full);
        run(m, &d, &o, 0);
        ws_model_free(m);

        m = tiny_model();
        o.stop_at = 4;
        o.out = path(half);
        run(m, &d, &o, 0);
        ws_model_free(m);

        CHECK(ws_model_open(path(half), &m, &e) == 0);
        CHECK_STR_CONTAINS(ws_model_meta(m, "train.step"), "4");
        ws_train_opts o2 = opts(8, NULL, 0);   /* what the CLI rebuilds from train.options */
        CHECK(ws_train_opts_from_json(&o2, ws_model_meta(m, "train.options"), &e) == 0);
        CHECK(o2.sampling == o.sampling && o2.seed == 77 && o2.warmup == 2 && o2.lr == 3e-3f);
        o2.out = path(resumed);
        run(m, &d, &o2, 1);
        ws_model_free(m);
        same_files(path(full), path(resumed));

        /* policies cannot change on resume */
        CHECK(ws_model_open(path(half), &m, &e) == 0);
        o2.rules = r;
        o2.n_rules = 1;
        CHECK(ws_train_new(m, &d, &o2, 1, &e) == NULL);
        CHECK_STR_CONTAINS(e.msg, "cannot change on resume");
        ws_model_free(m);
    }
    /* a plain model is no checkpoint */
    ws_model *m = tiny_model();
    ws_train_opts o = opts(8, NULL, 0);
    CHECK(ws_train_new(m, &d, &o, 1, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "not a wscope training checkpoint");
    ws_model_free(m);
    free(d.tok);
}

/* Freeze events: freeze@5 at the start of step 5, freeze-pr at the first
 * check (after step 3, pr_every 3: frozen from step 3), with the PR; the
 * records carry a running time; the weights model equals the saved file. */
static void test_events(void)
{
    ws_err e = {{0}};
    ws_policy_rule r[2];
    ws_policy_parse("qkv@0=freeze@5", &r[0], &e);
    ws_policy_parse("mlp_down@1=freeze-pr:1000", &r[1], &e);
    ws_data d;
    fake_data(&d, 500);
    ws_model *m = tiny_model();
    ws_train_opts o = opts(8, r, 2);
    ws_train *t = ws_train_new(m, &d, &o, 0, &e);
    CHECKF(t != NULL, "%s", e.msg);
    if (!t)
        return;
    CHECK(ws_train_start(t, &e) == 0 && ws_train_wait(t) == WS_TRAIN_DONE);
    /* qkv@0 is a weight and a bias; mlp_down@1 only its matrix (freeze-pr) */
    CHECK(ws_train_nevents(t) == 3);
    ws_run_event ev;
    int seen_pr = 0, seen_at = 0;
    for (size_t i = 0; !ws_train_event(t, i, &ev); i++) {
        if (!strcmp(ev.tensor, "blocks.1.mlp.2.weight")) {
            seen_pr++;
            CHECK(ev.step == 3);
            CHECK_STR_CONTAINS(ev.why, "freeze-pr:1000 (PR ");
        } else {
            seen_at++;
            CHECK(ev.step == 5 && !strcmp(ev.why, "freeze@5"));
            CHECK(!strncmp(ev.tensor, "blocks.0.attn.c_attn.", 21));
        }
    }
    CHECK(seen_pr == 1 && seen_at == 2);
    ws_train_rec a, b;
    CHECK(ws_train_record(t, 0, &a) == 0 && ws_train_record(t, ws_train_nrecords(t) - 1, &b) == 0);
    CHECK(a.elapsed_s > 0 && b.elapsed_s >= a.elapsed_s && isnan(b.loss) && !isnan(b.val_loss));
    CHECK(a.n_frozen == 0 && b.n_frozen == 3);

    ws_model *w = ws_train_weights_model(t, "run 1", &e);
    CHECKF(w != NULL, "%s", e.msg);
    CHECK(ws_train_save_weights(t, path("weights.safetensors"), &e) == 0);
    ws_model *f;
    CHECK(ws_model_open(path("weights.safetensors"), &f, &e) == 0);
    CHECK(w && w->n_tensors == f->n_tensors && !strcmp(w->path, "run 1"));
    CHECK(w && w->cfg.n_head == 2 && w->cfg.n_layer == 2);
    for (size_t i = 0; w && i < w->n_tensors; i++) {
        ws_tensor *x = &w->tensors[i], *y = ws_model_find(f, x->name);
        CHECKF(y && x->nbytes == y->nbytes && !memcmp(x->data, y->data, x->nbytes), "%s", x->name);
    }
    CHECK(!ws_model_find(f, "optim.exp_avg.tok_emb.weight") && ws_model_meta(f, "train.step"));
    ws_model_free(f);
    ws_model_free(w);
    ws_train_free(t);
    ws_model_free(m);
    free(d.tok);
}

static void test_divergence(void)
{
    ws_err e = {{0}};
    char msg[512];
    const char *msgp = msg;
    ws_data d;
    fake_data(&d, 500);
    /* A NaN weight: the first loss is NaN, nothing is updated. */
    ws_model *m = tiny_model();
    float *w = (float *)ws_model_find(m, "blocks.0.mlp.0.weight")->data;
    w[3] = NAN;
    ws_train_opts o = opts(5, NULL, 0);
    o.eval_every = 0;
    ws_train *t = ws_train_new(m, &d, &o, 0, &e);
    CHECK(t && ws_train_start(t, &e) == 0);
    CHECK(ws_train_wait(t) == WS_TRAIN_DIVERGED);
    ws_train_get_state(t, msg, sizeof msg);
    CHECK_STR_CONTAINS(msgp, "the loss is NaN at step 0");
    CHECK(ws_train_nrecords(t) == 0);
    ws_train_free(t);
    ws_model_free(m);

    /* A huge learning rate: the loss blows up; the weights kept give a finite loss. */
    m = tiny_model();
    o = opts(200, NULL, 0);
    o.eval_every = 0;
    o.lr = 1e9f;
    o.clip = 0;
    o.warmup = 0;
    o.cosine = 0;
    o.adam.eps = 1e-30f;
    o.out = path("diverged.safetensors");
    t = ws_train_new(m, &d, &o, 0, &e);
    CHECK(t && ws_train_start(t, &e) == 0);
    ws_train_state s = ws_train_wait(t);
    ws_train_get_state(t, msg, sizeof msg);
    CHECKF(s == WS_TRAIN_DIVERGED, "state %d %s", (int)s, msg);
    CHECK_STR_CONTAINS(msgp, "keeping the weights of step");
    int32_t x[24], y[24];
    ws_data_batch(d.tok, d.n_train, 3, 8, WS_SAMPLE_RANDOM, 77, 0, x, y);
    float loss = ws_gpt_forward(ws_train_gpt(t), x, y, 3, 8);
    CHECKF(isfinite(loss), "loss %g after divergence", loss);
    ws_train_free(t);
    ws_model_free(m);
    ws_model *saved;
    CHECK(ws_model_open(path("diverged.safetensors"), &saved, &e) == 0);
    CHECK(ws_model_meta(saved, "train.step") != NULL);
    CHECK(ws_model_find(saved, "optim.exp_avg.tok_emb.weight") == NULL);   /* weights only */
    ws_model_free(saved);
    free(d.tok);
}

static void test_pause_cancel(void)
{
    ws_err e = {{0}};
    ws_data d;
    fake_data(&d, 500);
    ws_model *m = tiny_model();
    ws_train_opts o = opts(1000000, NULL, 0);
    o.eval_every = 0;
    o.out = path("cancelled.safetensors");
    ws_train *t = ws_train_new(m, &d, &o, 0, &e);
    CHECK(t && ws_train_start(t, &e) == 0);
    struct timespec nap = {0, 20 * 1000 * 1000};
    while (ws_train_nrecords(t) < 3)
        nanosleep(&nap, NULL);
    ws_train_pause(t);
    for (int i = 0; i < 100 && ws_train_get_state(t, NULL, 0) != WS_TRAIN_PAUSED; i++)
        nanosleep(&nap, NULL);
    CHECK(ws_train_get_state(t, NULL, 0) == WS_TRAIN_PAUSED);
    size_t n = ws_train_nrecords(t);
    nanosleep(&nap, NULL);
    nanosleep(&nap, NULL);
    CHECK(ws_train_nrecords(t) == n);   /* no steps while paused */
    ws_train_resume(t);
    /* live copies while it runs */
    float *w = malloc(16 * 16 * sizeof *w);
    CHECK(ws_train_copy_weights(t, "blocks.1.attn.c_proj.weight", w, 256, &e) == 0);
    CHECK(ws_train_copy_weights(t, "blocks.1.attn.c_proj.weight", w, 255, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "256 values, not 255");
    CHECK(ws_train_copy_weights(t, "nope", w, 256, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "nope: not a trained tensor");
    free(w);
    while (ws_train_nrecords(t) < n + 2)
        nanosleep(&nap, NULL);
    ws_train_cancel(t);
    CHECK(ws_train_wait(t) == WS_TRAIN_CANCELLED);
    ws_train_rec last;
    CHECK(ws_train_record(t, ws_train_nrecords(t) - 1, &last) == 0);
    ws_model *saved;
    CHECK(ws_model_open(path("cancelled.safetensors"), &saved, &e) == 0);
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)last.step + 1);
    CHECKF(!strcmp(ws_model_meta(saved, "train.step"), want), "%s vs %s",
           ws_model_meta(saved, "train.step"), want);
    CHECK(ws_model_find(saved, "optim.exp_avg.tok_emb.weight") != NULL);
    ws_model_free(saved);
    ws_train_free(t);
    ws_model_free(m);
    free(d.tok);
}

/* ws_eval_windows is the mean of per-window losses over windows k·T. */
static void test_eval(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_data d;
    fake_data(&d, 61);   /* (61 − 1) / 8 = 7 windows */
    ws_gpt *g = ws_gpt_new(m, 3, 8, &e);
    double sum = 0;
    for (int k = 0; k < 7; k++)
        sum += ws_gpt_forward(g, d.tok + 8 * k, d.tok + 8 * k + 1, 1, 8);
    double got = ws_eval_windows(g, d.tok, d.n, 3, 8, 0, NULL, &e);
    CHECK_REL(got, sum / 7, 1e-6);
    got = ws_eval_windows(g, d.tok, d.n, 3, 8, 1, NULL, &e);   /* first batch: 3 windows */
    sum = 0;
    for (int k = 0; k < 3; k++)
        sum += ws_gpt_forward(g, d.tok + 8 * k, d.tok + 8 * k + 1, 1, 8);
    CHECK_REL(got, sum / 3, 1e-6);
    CHECK(isnan(ws_eval_windows(g, d.tok, 8, 3, 8, 0, NULL, &e)));
    CHECK_STR_CONTAINS(e.msg, "no window");
    ws_gpt_free(g);
    ws_model_free(m);
    free(d.tok);
}

static void test_bad_sizes(void)
{
    ws_err e = {{0}};
    ws_model *m = tiny_model();
    ws_data d;
    fake_data(&d, 30);   /* 24 training tokens */
    ws_train_opts o = opts(5, NULL, 0);
    CHECK(ws_train_new(m, &d, &o, 0, &e) == NULL);   /* 3 × 8 + 1 > 24 */
    CHECK_STR_CONTAINS(e.msg, "more than the");
    o.B = 1;
    o.T = 17;
    CHECK(ws_train_new(m, &d, &o, 0, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "larger than the model's block size 16");
    ws_model_free(m);
    free(d.tok);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_resume();
    test_events();
    test_divergence();
    test_pause_cancel();
    test_eval();
    test_bad_sizes();
    check_rmtree(dir);
    return check_done();
}
