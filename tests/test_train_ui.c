/* The TUI's training pieces without a terminal: policy marks turned into
 * engine rules select exactly the marked tensors (checked against
 * ws_policy_apply), the cycle order, strategy parsing, and where the loss
 * plot puts validation points and log-axis labels. */
#include "check.h"

#include "cellbuf.h"
#include "compare.h"
#include "gpt.h"
#include "init.h"
#include "render.h"
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
    CHECK(train_marks_count(s) == 6);
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

/* Row and column of the first cell showing `glyph`, or -1. */
static int find(const cellbuf *cb, const char *glyph, int *col)
{
    for (int y = 0; y < cb->rows; y++)
        for (int x = 0; x < cb->cols; x++)
            if (!strcmp(cb_at_c(cb, y, x)->glyph, glyph)) {
                *col = x;
                return y;
            }
    return -1;
}

static void test_loss_plot(void)
{
    render_style st = {WS_GLYPH_ASCII, WS_COL_MONO, 1};
    cellbuf cb;
    cb_init(&cb, 12, 50);
    float loss[10];
    for (int i = 0; i < 10; i++)
        loss[i] = 100.0f / (float)(1 << i) > 1 ? 100.0f / (float)(1 << i) : 1;
    int64_t vs[2] = {0, 10};
    float val[2] = {100, 1};
    render_loss(&cb, (cb_rect){0, 0, 12, 50}, loss, 10, 10, vs, val, 2, 1, &st);
    /* Plot area: rows 0..9, columns 10..49 (axes as render_axes). The
     * highest validation loss is top left, the lowest bottom right. */
    int x0, y0 = find(&cb, "o", &x0);
    CHECK(y0 == 0 && x0 == 10);
    cb_set(&cb, y0, x0, " ", CB_DEFAULT, CB_DEFAULT, 0);
    int x1, y1 = find(&cb, "o", &x1);
    CHECK(y1 == 9 && x1 == 49);
    /* Log axis over 1 .. 100: the label 50 sits at log10(50)/2 of the height. */
    char *dump = cb_dump(&cb, (cb_rect){0, 0, 12, 10});
    int row = 9 - (int)lround(log10(50.0) / 2 * 9), r = 0;
    for (const char *l = dump; *l; l = strchr(l, '\n') + 1, r++)
        if (strstr(l, " 50") && strstr(l, " 50") < strchr(l, '\n'))
            break;
    CHECKF(r == row, "label 50 on row %d, want %d\n%s", r, row, dump);
    free(dump);
    cb_free(&cb);
}

/* A long run half done: the line fills the left half of the step axis only. */
static void test_long_run(void)
{
    render_style st = {WS_GLYPH_ASCII, WS_COL_MONO, 1};
    cellbuf cb;
    cb_init(&cb, 12, 50);
    int64_t steps = 1000000, done = steps / 2;
    float *loss = malloc((size_t)done * sizeof *loss);
    for (int64_t i = 0; i < done; i++)
        loss[i] = 5.0f - 4.0f * (float)i / (float)done;
    render_loss(&cb, (cb_rect){0, 0, 12, 50}, loss, done, steps, NULL, NULL, 0, 0, &st);
    /* Plot columns 10..49 over steps 0..1e6: step 5e5 is column ~29.5. */
    int first = -1, last = -1;
    for (int x = 10; x < 50; x++)
        for (int y = 0; y < 10; y++)
            if (!strcmp(cb_at_c(&cb, y, x)->glyph, "*")) {
                if (first < 0)
                    first = x;
                last = x;
            }
    CHECKF(first == 10 && last >= 28 && last <= 30, "line over columns %d..%d", first, last);
    CHECK(!strcmp(cb_at_c(&cb, 0, 10)->glyph, "*"));   /* the highest loss first */
    char *xl = cb_dump(&cb, (cb_rect){11, 0, 1, 50});
    CHECK_STR_CONTAINS(xl, "1e+06");                    /* the axis is in steps */
    free(xl);
    free(loss);
    cb_free(&cb);
}

int main(void)
{
    test_marks();
    test_strategy();
    test_loss_plot();
    test_long_run();
    return check_done();
}
