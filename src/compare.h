/* Comparing training strategies across seeds.
 *
 * A strategy is a name and a set of policy rules (policy.h). Each strategy
 * is run with each seed S, S+1, ... S+N−1 (the seed draws the batches and
 * the `random` policy's values), one run after the other, all with the same
 * options from the same starting weights. For each run:
 *   val_start  validation loss before the first update (the same for every
 *              strategy without random/crystal/grid replacements)
 *   val_end    validation loss after the last step (the final evaluation)
 *   train_end  mean training batch loss over the last max(1, steps/10) steps
 * The table gives per strategy the mean and sample standard deviation over
 * the seeds (std empty with one seed), val_end's mean relative to the
 * first strategy's ("vs_first", percent) and whether that difference
 * exceeds the seed noise: Welch's t-test (ttest.h) of the strategy's
 * val_end values against the first strategy's, "differs" when p < 0.05,
 * else "within noise" (no test with one seed, or no spread on either side).
 * Each run's records are kept (curves) for plots: the mean curve of a
 * strategy and its ±1 std band over the seeds (run.h, ws_run_band). */
#ifndef WS_COMPARE_H
#define WS_COMPARE_H

#include <stddef.h>

#include "data.h"
#include "error.h"
#include "model.h"
#include "table.h"
#include "threads.h"
#include "train.h"
#include "ttest.h"
#include "run.h"

typedef struct ws_strategy {
    char name[64];
    char text[512];            /* the rules as given, for the table */
    ws_policy_rule *rules;
    size_t n_rules;
} ws_strategy;

/* "NAME:PATTERN=POLICY,PATTERN=POLICY..." ("NAME" or "NAME:" alone: every
 * tensor trains). A comma inside a layer list (qkv@0,2=freeze) stays part
 * of its rule: a piece without '=' joins the next one. */
int ws_strategy_parse(const char *spec, ws_strategy *out, ws_err *e);
void ws_strategy_free(ws_strategy *s);

typedef struct ws_compare_run {
    double val_start, val_end, train_end;   /* NaN when not reached */
    int state;                              /* ws_train_state at the end */
} ws_compare_run;

typedef struct ws_compare {
    size_t n_strat;
    int n_seeds;
    int64_t steps;
    ws_compare_run *runs;      /* [strategy * n_seeds + seed index] */
    ws_run *curves;            /* the same index: each run's records */
} ws_compare;

#define WS_COMPARE_ALPHA 0.05  /* "differs" when Welch's p is below this */

/* Run every strategy × seed on model m and data d with options o (o->rules
 * and o->out are ignored; o->seed is the first seed; evaluation at the
 * start and the end). `p` (may be NULL) gets done/total in steps over all
 * runs and can cancel: then -1 "cancelled" and the runs done so far are in
 * *out. A run that fails to start is an error naming its strategy. */
int ws_compare_run_all(ws_model *m, const ws_data *d, const ws_train_opts *o,
                       const ws_strategy *st, size_t n_strat, int n_seeds, ws_compare *out,
                       ws_progress *p, ws_err *e);
void ws_compare_free(ws_compare *c);

/* Welch's test of strategy s's val_end against the first strategy's. */
ws_welch ws_compare_welch(const ws_compare *c, size_t s);
/* "differs", "within noise", "-" (the first strategy itself) or "no test". */
const char *ws_compare_verdict(const ws_compare *c, size_t s);

/* One row per strategy: strategy, policies, seeds, val_start, val_end_mean,
 * val_end_std, train_end_mean, train_end_std, vs_first_pct, p_vs_first,
 * verdict. */
ws_table *ws_compare_table(const ws_compare *c, const ws_strategy *st, ws_err *e);

#endif
