/* Compare view: the same settings (those of the training view, and its
 * starting point) run for several strategies × seeds, one run after the
 * other on a job, then the table of src/compare.h (final losses, mean ± std
 * over the seeds, and whether each strategy's difference from the first
 * exceeds the seed noise: Welch's p and the verdict) and, below it, each
 * strategy's mean training curve (EMA-smoothed with the training view's
 * weight) with a band of ±1 std over the seeds.
 *
 * It starts with two strategies: "full" (every tensor trains) and "marked"
 * (the policies marked in the model view), and `a` adds more as
 * NAME:PATTERN=POLICY,... Leaving the view cancels a comparison that runs. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "job.h"
#include "numtable.h"
#include "render_loss.h"
#include "train_marks.h"
#include "train_run.h"
#include "train_runs.h"
#include "tui.h"

enum { MAX_STRAT = 16 };
/* Steps of each run by default: two strategies x three seeds of the
 * training view's other settings finish in under a minute on 2 cores with
 * the bundled sample (a long comparison is one N away). */
enum { COMPARE_STEPS = 30 };

typedef struct compare_job {
    ws_model *m;
    train_settings set;
    ws_strategy st[MAX_STRAT];
    size_t n_st;
    int seeds;
    ws_table *table;           /* the result (compare.h's columns), or NULL */
    ws_compare c;              /* the runs, for the curves */
    char err[600];
} compare_job;

/* A strategy's mean curve over its seeds (as a run) and its ±1 std band. */
typedef struct strategy_curve {
    ws_run mean;
    double *lo, *hi;
    int64_t n;
} strategy_curve;

typedef struct compare_view {
    view base;
    ws_strategy st[MAX_STRAT];
    size_t n_st;
    int seeds;
    int64_t steps;             /* of each run (the other settings: the training view's) */
    enum { PROMPT_ADD, PROMPT_SEEDS, PROMPT_STEPS } prompt;
    tui_job *job;
    compare_job *result;       /* taken from the finished job */
    numtable tab;              /* its table */
    strategy_curve curves[MAX_STRAT];
    size_t n_curves;
    int drawn_pct;
} compare_view;

static const key_binding compare_keys[] = {
    {{'s', 0}, "s", ACT_START, "run every strategy with every seed", "start"},
    {{'a', 0}, "a", ACT_POLICY_RULE, "add a strategy NAME:PATTERN=POLICY,... (qkv@0,1=crystal:1)",
     "add"},
    {{'d', 0}, "d", ACT_POLICY, "drop the last strategy", NULL},
    {{'n', 0}, "n", ACT_JUMP, "number of seeds", "seeds"},
    {{'N', 0}, "N", ACT_STEPS, "steps of each run", "steps"},
    {{KEY_LEFT, 0}, "Left", ACT_LEFT, "previous column of the result (its description shows below)", NULL},
    {{KEY_RIGHT, 0}, "Right", ACT_RIGHT, "next column of the result", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static int copy_strategy(ws_strategy *dst, const ws_strategy *src)
{
    *dst = *src;
    dst->rules = malloc((src->n_rules ? src->n_rules : 1) * sizeof *src->rules);
    if (!dst->rules)
        return -1;
    if (src->n_rules)   /* memcpy takes no NULL source, even of 0 bytes */
        memcpy(dst->rules, src->rules, src->n_rules * sizeof *src->rules);
    return 0;
}

static void job_free_arg(void *p)
{
    compare_job *j = p;
    for (size_t i = 0; i < j->n_st; i++)
        ws_strategy_free(&j->st[i]);
    ws_table_free(j->table);
    ws_compare_free(&j->c);
    free(j);
}

static void free_curves(compare_view *v)
{
    for (size_t i = 0; i < v->n_curves; i++) {
        ws_run_free(&v->curves[i].mean);
        free(v->curves[i].lo);
        free(v->curves[i].hi);
    }
    v->n_curves = 0;
}

/* One strategy's mean curve and band from its seeds' runs; -1 when out of
 * memory. */
static int make_curve(strategy_curve *k, const ws_compare *c, size_t s, const char *name, double w)
{
    ws_err e;
    const ws_run *seeds[128];
    int ns = c->n_seeds < 128 ? c->n_seeds : 128;
    size_t n = (size_t)(c->steps > 0 ? c->steps : 1);
    for (int i = 0; i < ns; i++)
        seeds[i] = &c->curves[s * (size_t)c->n_seeds + (size_t)i];
    double *mean = malloc(n * sizeof *mean);
    k->lo = malloc(n * sizeof *k->lo);
    k->hi = malloc(n * sizeof *k->hi);
    ws_run_init(&k->mean, name);
    k->n = c->steps;
    if (!mean || !k->lo || !k->hi || ws_run_band(seeds, (size_t)ns, w, c->steps, mean, k->hi, &e)) {
        free(mean);
        free(k->lo);
        free(k->hi);
        ws_run_free(&k->mean);
        return -1;
    }
    for (int64_t i = 0; i < c->steps; i++) {
        double sd = isnan(k->hi[i]) ? 0 : k->hi[i];   /* one seed: no band */
        k->lo[i] = mean[i] - sd;
        k->hi[i] = mean[i] + sd;
        ws_run_rec q = {i, mean[i], NAN, NAN, NAN, NAN, NAN, -1};
        if (!isnan(mean[i]))
            ws_run_add(&k->mean, &q, &e);
    }
    free(mean);
    return 0;
}

static void make_curves(compare_view *v, const compare_job *j, double w)
{
    free_curves(v);
    for (size_t s = 0; j->c.curves && s < j->c.n_strat; s++, v->n_curves++)
        if (make_curve(&v->curves[v->n_curves], &j->c, s, j->st[s].name, w))
            break;
}

static void compare_run(void *arg, ws_progress *p)
{
    compare_job *j = arg;
    ws_data d = {0};
    ws_err e = {{0}};
    ws_compare c;
    memset(&c, 0, sizeof c);
    if (!train_load_data(j->m, &j->set, &d, j->err, sizeof j->err)) {
        ws_train_opts o = train_settings_opts(&j->set);
        if (ws_compare_run_all(j->m, &d, &o, j->st, j->n_st, j->seeds, &c, p, &e)) {
            snprintf(j->err, sizeof j->err, "%s", e.msg);
        } else if (!(j->table = ws_compare_table(&c, j->st, &e))) {
            snprintf(j->err, sizeof j->err, "%s", e.msg);
        }
    }
    if (j->table)
        j->c = c;   /* kept for the curves */
    else
        ws_compare_free(&c);
    ws_data_free(&d);
}

static void start(compare_view *v, tui *t)
{
    if (v->job) {
        tui_message(t, "a comparison is running: x stops it");
        return;
    }
    /* The training view's starting point: the model file or a run's weights. */
    char err[300];
    tui_run *from = t->train->set.from_run ? train_run_by_number(t->train, t->train->set.from_run)
                                           : NULL;
    ws_model *m = from ? tui_run_weights(from, err, sizeof err) : t->model;
    if (!m) {
        tui_message(t, "start from run %d: %s", t->train->set.from_run,
                    from ? err : "there is no such run");
        return;
    }
    compare_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->m = m;
    j->set = t->train->set;
    j->set.steps = v->steps;
    j->seeds = v->seeds;
    for (size_t i = 0; i < v->n_st; i++, j->n_st++)
        if (copy_strategy(&j->st[i], &v->st[i])) {
            job_free_arg(j);
            return;
        }
    if (v->result)
        job_free_arg(v->result);
    v->result = NULL;
    numtable_set(&v->tab, NULL, NULL, 0);
    free_curves(v);
    v->drawn_pct = -1;
    if (!(v->job = job_start(compare_run, j, job_free_arg))) {
        job_free_arg(j);
        tui_message(t, "cannot start a thread");
    }
}

/* ---- drawing ---- */

/* The result: the table of `wscope compare` without the rules (they are
 * listed above it). */
static const char *const compare_hide[] = {"policies", NULL};

/* Each strategy's mean curve with its band, in the strategy's colour. */
static void draw_curves(compare_view *v, tui *t, cellbuf *cb, cb_rect r)
{
    loss_curve c[MAX_STRAT];
    for (size_t i = 0; i < v->n_curves; i++) {
        uint32_t fg = loss_run_colour((int)i, &t->style);
        c[i] = (loss_curve){&v->curves[i].mean, fg, fg, v->curves[i].mean.name, v->curves[i].lo,
                            v->curves[i].hi, v->curves[i].n};
    }
    loss_opts o = {0, t->train->logy, 0, 0, 0, 0};
    cb_printf(cb, r.y, r.x, r.w, 0, "mean training loss over the seeds (EMA %.2f), band: %s1 std",
              t->train->smoothing, t->style.glyphs == WS_GLYPH_UTF8 ? "\xc2\xb1" : "+-");
    render_loss(cb, (cb_rect){r.y + 1, r.x, r.h - 1, r.w}, c, (int)v->n_curves, &o, &t->style);
}

static void compare_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    compare_view *v = (compare_view *)vv;
    const train_settings *s = &t->train->set;
    const char *b = strrchr(s->data, '/');
    int y = body.y;
    cb_printf(cb, y++, 0, body.w, 0, "each strategy x seeds %llu..%llu: %lld steps, batch %d, "
              "seq %d, lr %g, data %s", (unsigned long long)s->seed,
              (unsigned long long)(s->seed + (uint64_t)v->seeds - 1), (long long)v->steps, s->B,
              s->T, s->lr, s->data[0] ? (b ? b + 1 : s->data) : "(none)");
    y++;
    cb_text(cb, y++, 0, body.w, "strategies", CB_UNDERLINE);
    for (size_t i = 0; i < v->n_st && y < body.y + body.h; i++)
        cb_printf(cb, y++, 0, body.w, 0, " %-12s %s", v->st[i].name, v->st[i].text);
    y++;
    if (v->job) {
        tui_draw_progress(cb, y, 0, body.w, "training", job_fraction(v->job));
    } else if (v->result && v->result->table) {
        cb_text(cb, y++, 0, body.w, "final losses over the seeds; verdict: differs when "
                "Welch's p < 0.05 vs the first", CB_BOLD);   /* within 80 columns */
        if (!v->tab.t) {   /* the widget takes the table over */
            numtable_set(&v->tab, v->result->table, compare_hide, 1);
            v->result->table = NULL;
        }
        /* The table (header, rows, its help line), then the curves below. */
        int left = body.y + body.h - y, th = v->tab.nrows + 3;
        int plot = left - th - 1 >= 8 && v->n_curves;
        numtable_draw(&v->tab, cb, (cb_rect){y, 0, plot ? th : left, body.w}, &t->style);
        if (plot)
            draw_curves(v, t, cb, (cb_rect){y + th + 1, 0, left - th - 1, body.w});
    } else if (v->result) {
        cb_text(cb, y, 0, body.w, v->result->err, CB_BOLD);
    }
    cb_text(cb, info.y, info.x, info.w, "val_end: held-out loss at the end; "
            "train_end: mean loss of the last 10 % steps", CB_DIM);
}

/* ---- actions ---- */

static int prompt_done(compare_view *v, tui *t)
{
    ws_err e = {{0}};
    if (!t->prompt[0])
        return 1;
    long long n;
    if (v->prompt == PROMPT_STEPS) {
        if (tui_prompt_number(t, "steps", 1, 1000000000LL, &n) == 0)
            v->steps = n;
        return 1;
    }
    if (v->prompt == PROMPT_SEEDS) {
        if (tui_prompt_number(t, "seeds", 1, 100, &n) == 0)
            v->seeds = (int)n;
        return 1;
    }
    if (v->n_st == MAX_STRAT)
        tui_message(t, "at most %d strategies", MAX_STRAT);
    else if (ws_strategy_parse(t->prompt, &v->st[v->n_st], &e))
        tui_message(t, "%s", e.msg);
    else
        v->n_st++;
    return 1;
}

static int compare_action(view *vv, tui *t, ws_action a)
{
    compare_view *v = (compare_view *)vv;
    switch (a) {
    case ACT_START: start(v, t); return 1;
    case ACT_POLICY_RULE:
        v->prompt = PROMPT_ADD;
        tui_prompt(t, "strategy NAME:PATTERN=POLICY,...: ");
        return 1;
    case ACT_POLICY:
        if (v->n_st > 1)
            ws_strategy_free(&v->st[--v->n_st]);
        return 1;
    case ACT_JUMP:
        v->prompt = PROMPT_SEEDS;
        tui_prompt(t, "seeds: ");
        return 1;
    case ACT_STEPS:
        v->prompt = PROMPT_STEPS;
        tui_prompt(t, "steps of each run: ");
        return 1;
    case ACT_CANCEL: job_cancel(v->job); return 1;
    case ACT_LEFT:
    case ACT_RIGHT: return numtable_action(&v->tab, a);
    case ACT_PROMPT_DONE: return prompt_done(v, t);
    default: return 0;
    }
}

static int compare_tick(view *vv, tui *t, int *busy)
{
    compare_view *v = (compare_view *)vv;
    if (!v->job)
        return 0;
    if (job_done(v->job)) {
        v->result = job_take_arg(v->job);
        if (v->result && v->result->table)
            make_curves(v, v->result, t->train->smoothing);
        job_release(v->job);
        v->job = NULL;
        return 1;
    }
    *busy = 1;
    int pct = (int)(job_fraction(v->job) * 100);
    if (pct == v->drawn_pct)
        return 0;
    v->drawn_pct = pct;
    return 1;
}

static void compare_destroy(view *vv)
{
    compare_view *v = (compare_view *)vv;
    job_release(v->job);
    if (v->result)
        job_free_arg(v->result);
    numtable_free(&v->tab);
    free_curves(v);
    for (size_t i = 0; i < v->n_st; i++)
        ws_strategy_free(&v->st[i]);
    free(v);
}

static const view_class compare_class = {
    "compare", compare_keys, compare_draw, compare_action, compare_tick, compare_destroy,
};

view *view_compare_new(tui *t)
{
    compare_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = &compare_class;
    numtable_init(&v->tab);
    v->seeds = 3;
    v->steps = COMPARE_STEPS;
    ws_err e = {{0}};
    ws_strategy_parse("full", &v->st[v->n_st++], &e);
    size_t n;
    ws_policy_rule *rules = train_marks_rules(t->train, t->model, &n);
    if (rules && n) {
        ws_strategy *s = &v->st[v->n_st++];
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "marked");
        snprintf(s->text, sizeof s->text, "%zu marked tensor%s", n, n == 1 ? "" : "s");
        s->rules = rules;
        s->n_rules = n;
    } else {
        free(rules);
    }
    snprintf(v->base.title, sizeof v->base.title, "strategies across seeds");
    return &v->base;
}
