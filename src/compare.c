/* Strategies × seeds (see compare.h). */
#include "compare.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- parsing ---- */

static int add_rule(ws_strategy *s, const char *text, ws_err *e)
{
    ws_policy_rule *r = realloc(s->rules, (s->n_rules + 1) * sizeof *r);
    if (!r)
        return ws_fail(e, "out of memory");
    s->rules = r;
    if (ws_policy_parse(text, &r[s->n_rules], e))
        return -1;
    s->n_rules++;
    return 0;
}

int ws_strategy_parse(const char *spec, ws_strategy *out, ws_err *e)
{
    memset(out, 0, sizeof *out);
    const char *colon = strchr(spec, ':'), *eq = strchr(spec, '=');
    if (eq && (!colon || colon > eq))
        return ws_fail(e, "strategy \"%s\": needs a name first: NAME:PATTERN=POLICY,...", spec);
    size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
    if (nlen == 0 || nlen >= sizeof out->name)
        return ws_fail(e, "strategy \"%s\": the name must have 1 to %zu characters", spec,
                       sizeof out->name - 1);
    memcpy(out->name, spec, nlen);
    const char *rules = colon ? colon + 1 : "";
    snprintf(out->text, sizeof out->text, "%s", *rules ? rules : "all train");
    char piece[1024] = "";
    for (const char *p = rules; *p;) {
        size_t n = strcspn(p, ",");
        size_t have = strlen(piece);
        if (have + n + 2 > sizeof piece) {
            ws_strategy_free(out);
            return ws_fail(e, "strategy \"%s\": rule too long", out->name);
        }
        /* A piece without '=' is part of a layer list: keep its comma. */
        snprintf(piece + have, sizeof piece - have, "%s%.*s", have ? "," : "", (int)n, p);
        p += n + (p[n] == ',');
        if (!memchr(piece, '=', strlen(piece)) && *p)
            continue;
        if (add_rule(out, piece, e)) {
            ws_strategy_free(out);
            return -1;
        }
        piece[0] = 0;
    }
    return 0;
}

void ws_strategy_free(ws_strategy *s)
{
    free(s->rules);
    s->rules = NULL;
    s->n_rules = 0;
}

/* ---- running ---- */

/* Follow a started run to its end, passing on cancel and progress. */
static void follow(ws_train *t, ws_progress *p, size_t base)
{
    struct timespec nap = {0, 10 * 1000 * 1000};
    while (!ws_train_finished(t)) {
        if (ws_cancelled(p))
            ws_train_cancel(t);
        if (p)
            atomic_store(&p->done, base + atomic_load(&ws_train_progress(t)->done));
        nanosleep(&nap, NULL);
    }
    ws_train_wait(t);
}

/* The numbers of a finished run from its records, which it keeps. */
static void summarise(ws_train *t, int64_t steps, ws_compare_run *r, ws_run *curve)
{
    size_t n = ws_train_nrecords(t);
    ws_err e;
    int64_t tail = steps / 10 > 1 ? steps / 10 : 1;
    double sum = 0;
    int64_t k = 0;
    r->val_start = r->val_end = r->train_end = NAN;
    for (size_t i = 0; i < n; i++) {
        ws_train_rec rec;
        if (ws_train_record(t, i, &rec))
            continue;
        ws_run_add(curve, &rec, &e);   /* a curve short of memory is only a shorter plot */
        if (rec.step == 0 && !isnan(rec.loss))
            r->val_start = rec.val_loss;
        if (isnan(rec.loss) && rec.step == steps)
            r->val_end = rec.val_loss;
        if (!isnan(rec.loss) && rec.step >= steps - tail) {
            sum += rec.loss;
            k++;
        }
    }
    if (k == tail)
        r->train_end = sum / (double)k;
    r->state = (int)ws_train_get_state(t, NULL, 0);
}

static int run_one(ws_model *m, const ws_data *d, const ws_train_opts *base,
                   const ws_strategy *s, uint64_t seed, ws_compare_run *r, ws_run *curve,
                   ws_progress *p, size_t done, ws_err *e)
{
    ws_train_opts o = *base;
    o.rules = s->rules;
    o.n_rules = s->n_rules;
    o.seed = seed;
    o.out = NULL;
    o.stop_at = 0;
    o.eval_every = o.steps;   /* at step 0, then the final evaluation */
    ws_train *t = ws_train_new(m, d, &o, 0, e);
    if (!t) {
        char why[sizeof e->msg];
        snprintf(why, sizeof why, "%s", e->msg);
        return ws_fail(e, "strategy %s: %s", s->name, why);
    }
    if (ws_train_start(t, e)) {
        ws_train_free(t);
        return -1;
    }
    follow(t, p, done);
    summarise(t, o.steps, r, curve);
    ws_train_free(t);
    return 0;
}

int ws_compare_run_all(ws_model *m, const ws_data *d, const ws_train_opts *o,
                       const ws_strategy *st, size_t n_strat, int n_seeds, ws_compare *out,
                       ws_progress *p, ws_err *e)
{
    memset(out, 0, sizeof *out);
    if (n_strat == 0 || n_seeds < 1)
        return ws_fail(e, "nothing to compare: give at least one strategy and one seed");
    out->runs = calloc(n_strat * (size_t)n_seeds, sizeof *out->runs);
    out->curves = calloc(n_strat * (size_t)n_seeds, sizeof *out->curves);
    if (!out->runs || !out->curves) {
        ws_compare_free(out);
        return ws_fail(e, "out of memory");
    }
    out->n_strat = n_strat;
    out->n_seeds = n_seeds;
    out->steps = o->steps;
    for (size_t i = 0; i < n_strat * (size_t)n_seeds; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s seed %llu", st[i / (size_t)n_seeds].name,
                 (unsigned long long)(o->seed + i % (size_t)n_seeds));
        out->runs[i] = (ws_compare_run){NAN, NAN, NAN, WS_TRAIN_READY};
        ws_run_init(&out->curves[i], name);
        out->curves[i].total_steps = o->steps;
    }
    if (p)
        atomic_store(&p->total, n_strat * (size_t)n_seeds * (size_t)o->steps);
    for (size_t s = 0; s < n_strat; s++)
        for (int k = 0; k < n_seeds; k++) {
            if (ws_cancelled(p))
                return ws_fail(e, "cancelled");
            size_t idx = s * (size_t)n_seeds + (size_t)k;
            if (run_one(m, d, o, &st[s], o->seed + (uint64_t)k, &out->runs[idx],
                        &out->curves[idx], p, idx * (size_t)o->steps, e))
                return -1;
        }
    if (ws_cancelled(p))
        return ws_fail(e, "cancelled");
    return 0;
}

void ws_compare_free(ws_compare *c)
{
    for (size_t i = 0; c->curves && i < c->n_strat * (size_t)c->n_seeds; i++)
        ws_run_free(&c->curves[i]);
    free(c->curves);
    free(c->runs);
    c->curves = NULL;
    c->runs = NULL;
}

/* ---- the table ---- */

/* One strategy's row: the means and standard deviations over its seeds. */
typedef struct strat_row {
    const ws_strategy *st;
    int seeds;
    double v[7];         /* val_start, val_end mean, std, train_end mean, std, vs first %, Welch p */
    const char *verdict;
} strat_row;

/* Mean and sample standard deviation of field `f` (0 val_start, 1
 * val_end, 2 train_end) over a strategy's seeds. */
static void mean_std(const ws_compare *c, size_t s, int f, double *mean, double *std)
{
    double sum = 0, sq = 0;
    int n = c->n_seeds;
    for (int k = 0; k < n; k++) {
        const ws_compare_run *r = &c->runs[s * (size_t)n + (size_t)k];
        sum += f == 0 ? r->val_start : f == 1 ? r->val_end : r->train_end;
    }
    *mean = sum / n;
    for (int k = 0; k < n; k++) {
        const ws_compare_run *r = &c->runs[s * (size_t)n + (size_t)k];
        double v = f == 0 ? r->val_start : f == 1 ? r->val_end : r->train_end;
        sq += (v - *mean) * (v - *mean);
    }
    *std = n > 1 ? sqrt(sq / (n - 1)) : NAN;
}

static const char *get_text(const void *row, int arg, char *buf, size_t n)
{
    (void)buf, (void)n;
    const strat_row *r = row;
    return arg == 2 ? r->verdict : arg ? r->st->text : r->st->name;
}

static double get_num(const void *row, int arg)
{
    const strat_row *r = row;
    return arg < 0 ? r->seeds : r->v[arg];
}

static const ws_colspec compare_cols[] = {
    {{"strategy", "strategy", WS_COL_STR, NULL, "", "the strategy's name", WS_MORE_NONE, 0},
     NULL, get_text, NULL, 0},
    {{"policies", "policies", WS_COL_STR, NULL, "", "its policy rules as given", WS_MORE_NONE, 0},
     NULL, get_text, NULL, 1},
    {{"seeds", "seeds", WS_COL_INT, NULL, "", "runs, one per seed S, S+1, ...", WS_MORE_HIGHER, 0},
     get_num, NULL, NULL, -1},
    {{"val_start", "val_start", WS_COL_NUM, "%.4f", "nats",
      "validation loss before the first update (after the policies' replacements), mean over the seeds",
      WS_MORE_HIGHER, WS_COL_BARS}, get_num, NULL, NULL, 0},
    {{"val_end_mean", "val_end", WS_COL_NUM, "%.4f", "nats",
      "validation loss after the last step, mean over the seeds", WS_MORE_HIGHER, WS_COL_BARS},
     get_num, NULL, NULL, 1},
    {{"val_end_std", "val_end sd", WS_COL_NUM, "%.4f", "nats",
      "sample standard deviation of val_end over the seeds (empty with one seed)", WS_MORE_HIGHER, 0},
     get_num, NULL, NULL, 2},
    {{"train_end_mean", "train_end", WS_COL_NUM, "%.4f", "nats",
      "mean training batch loss of the last max(1, steps/10) steps, mean over the seeds", WS_MORE_HIGHER,
      WS_COL_BARS}, get_num, NULL, NULL, 3},
    {{"train_end_std", "train_end sd", WS_COL_NUM, "%.4f", "nats",
      "sample standard deviation of train_end over the seeds", WS_MORE_HIGHER, 0},
     get_num, NULL, NULL, 4},
    {{"vs_first_pct", "vs first", WS_COL_NUM, "%+.2f", "%",
      "val_end_mean against the first strategy's: 100 (v - first) / first", WS_MORE_HIGHER, WS_COL_BARS},
     get_num, NULL, NULL, 5},
    {{"p_vs_first", "p", WS_COL_NUM, "%.3g", "",
      "Welch's t-test p-value of val_end against the first strategy's (over the seeds)", WS_MORE_LOWER, 0},
     get_num, NULL, NULL, 6},
    {{"verdict", "verdict", WS_COL_STR, NULL, "",
      "differs (p below 0.05), within noise, or no test (one seed; the first strategy: -)", WS_MORE_NONE, 0},
     NULL, get_text, NULL, 2},
};

ws_welch ws_compare_welch(const ws_compare *c, size_t s)
{
    double m0, s0, m, sd;
    mean_std(c, 0, 1, &m0, &s0);
    mean_std(c, s, 1, &m, &sd);
    return ws_welch_test(m0, s0, c->n_seeds, m, sd, c->n_seeds);
}

const char *ws_compare_verdict(const ws_compare *c, size_t s)
{
    if (s == 0)
        return "-";
    ws_welch w = ws_compare_welch(c, s);
    if (isnan(w.p))
        return "no test";
    return w.p < WS_COMPARE_ALPHA ? "differs" : "within noise";
}

ws_table *ws_compare_table(const ws_compare *c, const ws_strategy *st, ws_err *e)
{
    ws_table *t = ws_table_new_named("strategies", "per strategy: final losses, mean and sample standard "
                                     "deviation over the seeds");
    if (!t || ws_table_add_specs(t, compare_cols, sizeof compare_cols / sizeof *compare_cols) < 0) {
        ws_table_free(t);
        ws_fail(e, "out of memory");
        return NULL;
    }
    double first = NAN;
    for (size_t s = 0; s < c->n_strat; s++) {
        strat_row r = {&st[s], c->n_seeds, {0}, NULL};
        mean_std(c, s, 0, &r.v[0], &(double){0});
        mean_std(c, s, 1, &r.v[1], &r.v[2]);
        mean_std(c, s, 2, &r.v[3], &r.v[4]);
        if (s == 0)
            first = r.v[1];
        r.v[5] = 100 * (r.v[1] - first) / first;
        r.v[6] = s ? ws_compare_welch(c, s).p : NAN;
        r.verdict = ws_compare_verdict(c, s);
        if (ws_table_add_item(t, &r) < 0) {
            ws_table_free(t);
            ws_fail(e, "out of memory");
            return NULL;
        }
    }
    return t;
}
