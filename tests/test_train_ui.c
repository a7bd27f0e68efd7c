/* The TUI's training pieces without a terminal: policy marks turned into
 * engine rules select exactly the marked tensors (checked against
 * ws_policy_apply), the cycle order, strategy parsing, and the loss curves:
 * where validation points land, axis titles, a half-done long run, the
 * window, smoothing bold over the raw curve, overlays and freeze marks. */
#include "check.h"

#include "cellbuf.h"
#include "compare.h"
#include "gpt.h"
#include "init.h"
#include "render.h"
#include "render_loss.h"
#include "train_marks.h"

static size_t tensor_index(const ws_model *m, const char *name)
{
    return (size_t)(ws_model_find(m, name) - m->tensors);
}

/* Every gpt parameter's policy after applying the marks' rules equals its mark. */
static void check_marks_match_engine(const ws_model *m, tui_train *s)
{
    ws_err e = {{0}};
    size_t n;
    ws_policy_rule *rules = train_marks_rules(s, m, &n);
    CHECK(rules != NULL);
    CHECK(n == train_marks_count(s));
    ws_gpt *g = ws_gpt_new(m, 1, 4, &e);
    CHECKF(g != NULL, "%s", e.msg);
    ws_policy *p = g ? ws_policy_apply(g, rules, n, 1, &e) : NULL;
    CHECKF(p != NULL, "%s", e.msg);
    for (size_t i = 0; p && i < ws_gpt_nparams(g); i++) {
        char got[64], want[64];
        const char *name = ws_gpt_param_at(g, i)->name;
        ws_policy_text(p, i, got, sizeof got);
        train_mark_text(&s->marks[tensor_index(m, name)], want, sizeof want);
        CHECKF(!strcmp(got, want), "%s: engine %s, mark %s", name, got, want);
    }
    ws_policy_free(p);
    ws_gpt_free(g);
    free(rules);
}

static void test_marks(void)
{
    ws_err e = {{0}};
    ws_init_opts io = {2, 8, 2, 16, 8, 0, 1, 1};
    ws_model *m = ws_init_gpt(&io, &e);
    CHECKF(m != NULL, "%s", e.msg);
    if (!m)
        return;
    tui_train *s = tui_train_new(m);
    char errbuf[256], buf[32], *err = errbuf;
    CHECK(train_marks_apply(s, m, "qkv@1=freeze", err, sizeof errbuf) == 2);   /* weight + bias */
    CHECK(train_marks_apply(s, m, "mlp_up=crystal:2", err, sizeof errbuf) == 2);   /* matrices only */
    CHECK(s->crystal_r == 2);
    CHECK(train_marks_apply(s, m, "zzz=freeze", err, sizeof errbuf) == -1);
    CHECK_STR_CONTAINS(err, "selects no tensor");
    CHECK(train_marks_apply(s, m, "qkv@x=freeze", err, sizeof errbuf) == -1);
    CHECK_STR_CONTAINS(err, "bad role@layers");
    size_t w = tensor_index(m, "blocks.0.attn.c_proj.weight");
    size_t b = tensor_index(m, "blocks.0.attn.c_proj.bias");
    const char *want_w[] = {"freeze", "crystal:2", "random", "grid:8", "train"};
    for (int i = 0; i < 5; i++) {
        train_mark_cycle(s, &m->tensors[w], w);
        CHECK(!strcmp(train_mark_text(&s->marks[w], buf, sizeof buf), want_w[i]));
    }
    const char *want_b[] = {"freeze", "random", "train"};
    for (int i = 0; i < 3; i++) {
        train_mark_cycle(s, &m->tensors[b], b);
        CHECK(!strcmp(train_mark_text(&s->marks[b], buf, sizeof buf), want_b[i]));
    }
    train_mark_cycle(s, &m->tensors[w], w);   /* freeze */
    train_mark_cycle(s, &m->tensors[b], b);   /* freeze */
    /* qkv@1 (2), mlp_up's matrices (2) and their biases, which follow them
     * (the bias rule, 2), c_proj (2) */
    CHECK(train_marks_count(s) == 8);
    CHECK(!strcmp(train_mark_text(&s->marks[tensor_index(m, "blocks.1.mlp.0.bias")], buf, sizeof buf), "freeze"));
    check_marks_match_engine(m, s);
    tui_train_free(s);
    ws_model_free(m);
}

static void test_strategy(void)
{
    ws_err e = {{0}};
    ws_strategy s;
    CHECK(ws_strategy_parse("mix:qkv@0,1=crystal:1,mlp_up=random", &s, &e) == 0);
    CHECK(!strcmp(s.name, "mix") && s.n_rules == 2);
    CHECK(s.n_rules == 2 && !strcmp(s.rules[0].pattern, "qkv@0,1") && s.rules[0].kind == WS_POL_CRYSTAL);
    CHECK(s.n_rules == 2 && !strcmp(s.rules[1].pattern, "mlp_up") && s.rules[1].kind == WS_POL_RANDOM);
    ws_strategy_free(&s);
    CHECK(ws_strategy_parse("full", &s, &e) == 0 && s.n_rules == 0 && !strcmp(s.text, "all train"));
    ws_strategy_free(&s);
    CHECK(ws_strategy_parse("qkv=freeze", &s, &e) == -1);
    const char *msg = e.msg;
    CHECK_STR_CONTAINS(msg, "needs a name");
    CHECK(ws_strategy_parse("x:qkv=melt", &s, &e) == -1);
    CHECK_STR_CONTAINS(msg, "unknown policy");
}

/* Row and column of the first cell showing `glyph` from row y0 on, or -1. */
static int find(const cellbuf *cb, int y0, const char *glyph, int *col)
{
    *col = -1;
    for (int y = y0; y < cb->rows; y++)
        for (int x = 0; x < cb->cols; x++)
            if (!strcmp(cb_at_c(cb, y, x)->glyph, glyph)) {
                *col = x;
                return y;
            }
    return -1;
}

/* A run of n training steps with loss f(i) and validation at `vs`. */
static void make_run(ws_run *r, const char *name, int64_t n, double (*f)(int64_t),
                     const int64_t *vs, const double *val, int nv)
{
    ws_err e;
    ws_run_init(r, name);
    for (int64_t i = 0; i < n; i++) {
        ws_run_rec q = {i, f(i), NAN, 1e-3, 1, 1000, (double)i, 0};
        for (int k = 0; k < nv; k++)
            if (vs[k] == i)
                q.val_loss = val[k];
        ws_run_add(r, &q, &e);
    }
    for (int k = 0; k < nv; k++)
        if (vs[k] >= n) {
            ws_run_rec q = {vs[k], NAN, val[k], NAN, NAN, NAN, (double)n, 0};
            ws_run_add(r, &q, &e);
        }
}

static double halving(int64_t i) { return 100.0 / (double)(1 << i) > 1 ? 100.0 / (double)(1 << i) : 1; }

static void test_loss_plot(void)
{
    render_style st = {WS_GLYPH_ASCII, WS_COL_MONO, 1};
    cellbuf cb;
    cb_init(&cb, 13, 50);
    ws_run r;
    int64_t vs[2] = {0, 10};
    double val[2] = {100, 1};
    make_run(&r, "run 1", 10, halving, vs, val, 2);
    loss_curve c = {&r, CB_DEFAULT, CB_DEFAULT, "run 1", NULL, NULL, 0};
    loss_opts o = {0, 1, 0, 0, 1, 1};
    cb_rect p = render_loss(&cb, (cb_rect){0, 0, 13, 50}, &c, 1, &o, &st);
    /* A legend line, then the plot: rows 1..10, columns 10..49 (axes as
     * render_axes). The highest validation loss is top left, the lowest
     * bottom right. */
    CHECK(p.y == 1 && p.h == 10 && p.x == 10 && p.w == 40);
    char *top = cb_dump(&cb, (cb_rect){0, 0, 1, 50});
    CHECK_STR_CONTAINS(top, "loss");
    CHECK_STR_CONTAINS(top, "run 1");
    CHECK_STR_CONTAINS(top, "o val");
    free(top);
    int x0, y0 = find(&cb, 1, "o", &x0);   /* below the legend's own "o" */
    CHECK(y0 == 1 && x0 == 10);
    cb_set(&cb, y0, x0, " ", CB_DEFAULT, CB_DEFAULT, 0);
    int x1, y1 = find(&cb, 1, "o", &x1);
    CHECK(y1 == 10 && x1 == 49);
    /* Axis titles: "loss" on the first line, "step" after the x labels. */
    char *xl = cb_dump(&cb, (cb_rect){12, 0, 1, 50});
    CHECK_STR_CONTAINS(xl, "step");
    free(xl);
    cb_free(&cb);
    ws_run_free(&r);
}

static double falling(int64_t i) { return 5.0 - 4.0 * (double)i / 500000.0; }

/* A long run half done: the line fills the left half of the step axis only. */
static void test_long_run(void)
{
    render_style st = {WS_GLYPH_ASCII, WS_COL_MONO, 1};
    cellbuf cb;
    cb_init(&cb, 13, 50);
    ws_run r;
    make_run(&r, "long", 500000, falling, NULL, NULL, 0);
    r.total_steps = 1000000;
    loss_curve c = {&r, CB_DEFAULT, CB_DEFAULT, "long", NULL, NULL, 0};
    loss_opts o = {0, 0, 0, 1, 1, 1};
    render_loss(&cb, (cb_rect){0, 0, 13, 50}, &c, 1, &o, &st);
    /* Plot columns 10..49 over steps 0..1e6: step 5e5 is column ~29.5. */
    int first = -1, last = -1;
    for (int x = 10; x < 50; x++)
        for (int y = 1; y < 11; y++)
            if (!strcmp(cb_at_c(&cb, y, x)->glyph, "*")) {
                if (first < 0)
                    first = x;
                last = x;
            }
    CHECKF(first == 10 && last >= 28 && last <= 30, "line over columns %d..%d", first, last);
    CHECK(!strcmp(cb_at_c(&cb, 1, 10)->glyph, "*"));   /* the highest loss first */
    char *xl = cb_dump(&cb, (cb_rect){12, 0, 1, 50});
    CHECK_STR_CONTAINS(xl, "1e+06");                    /* the axis is in steps */
    free(xl);
    /* The window of the last 1000 steps: the axis starts near step 499000. */
    o.window = 1000;
    o.to_total = 0;
    render_loss(&cb, (cb_rect){0, 0, 13, 50}, &c, 1, &o, &st);
    xl = cb_dump(&cb, (cb_rect){12, 0, 1, 50});
    CHECK_STR_CONTAINS(xl, "499000");
    free(xl);
    ws_run_free(&r);
    cb_free(&cb);
}

static double noisy(int64_t i) { return 3.0 + ((i * 7919) % 13 - 6) * 0.1; }
static double noisy2(int64_t i) { return 2.5 + ((i * 104729) % 11 - 5) * 0.1; }

/* Smoothing draws the EMA bold over the raw curve drawn dim; two runs get
 * their own colours and legend entries; a freeze event is a dotted column. */
static void test_overlay(void)
{
    render_style st = {WS_GLYPH_UTF8, WS_COL_256, 13};
    cellbuf cb;
    cb_init(&cb, 16, 70);
    ws_run a, b;
    ws_err e;
    make_run(&a, "run 1", 200, noisy, NULL, NULL, 0);
    make_run(&b, "fine", 120, noisy2, NULL, NULL, 0);
    ws_run_add_event(&a, 100, "blocks.0.attn.c_attn.weight", "freeze@100", &e);
    loss_curve c[2] = {{&a, loss_run_colour(0, &st), loss_run_colour(0, &st), "run 1", NULL, NULL, 0},
                       {&b, loss_run_colour(1, &st), loss_run_colour(1, &st), "fine", NULL, NULL, 0}};
    CHECK(c[0].fg != c[1].fg);
    loss_opts o = {0.9, 0, 0, 0, 1, 1};
    cb_rect p = render_loss(&cb, (cb_rect){0, 0, 16, 70}, c, 2, &o, &st);
    char *top = cb_dump(&cb, (cb_rect){0, 0, 1, 70});
    CHECK_STR_CONTAINS(top, "run 1");
    CHECK_STR_CONTAINS(top, "fine");
    CHECK_STR_CONTAINS(top, "froze");
    free(top);
    int bold[2] = {0, 0}, dim[2] = {0, 0}, marks = 0;
    for (int y = p.y; y < p.y + p.h; y++)
        for (int x = p.x; x < p.x + p.w; x++) {
            const cb_cell *q = cb_at_c(&cb, y, x);
            for (int k = 0; k < 2; k++)
                if (q->fg == c[k].fg && (unsigned char)q->glyph[0] == 0xe2 &&
                    (unsigned char)q->glyph[1] >= 0xa0) {
                    bold[k] += (q->attrs & CB_BOLD) != 0;
                    dim[k] += (q->attrs & CB_DIM) != 0;
                }
            marks += !strcmp(q->glyph, "\xe2\x94\x86");
        }
    CHECKF(bold[0] > 10 && bold[1] > 10 && dim[0] > 0 && dim[1] > 0, "bold %d %d dim %d %d",
           bold[0], bold[1], dim[0], dim[1]);
    CHECK(marks > 0);
    /* The smoothed curve of "run 1" lies in the middle of its noise: with
     * w = 0.9 the EMA of a curve oscillating ±0.6 around 3 stays within 3 ± 0.35. */
    double x[200], y[200];
    size_t n = ws_run_points(&a, 0, -1, x, y, 200);
    ws_ema(y, n, 0.9, y);
    for (size_t i = 30; i < n; i++)
        CHECK_NEAR(y[i], 3.0, 0.35);
    ws_run_free(&a);
    ws_run_free(&b);
    cb_free(&cb);
}

int main(void)
{
    test_marks();
    test_strategy();
    test_loss_plot();
    test_long_run();
    test_overlay();
    return check_done();
}
