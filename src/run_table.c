/* The runs table (run_table.h). */
#include "run_table.h"

#include <math.h>

typedef struct run_row {
    const ws_run *r;
    ws_run_summary s;
    double first_final;     /* the first run's final (or last) validation loss */
} run_row;

/* The validation loss a run ends with: the final evaluation, else the last. */
static double end_val(const ws_run_summary *s)
{
    return isfinite(s->final_val) ? s->final_val : s->last_val;
}

static const char *get_name(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ((const run_row *)row)->r->name;
}

/* arg: 0 steps, 1 last loss, 2 smoothed, 3 first val, 4 best val, 5 its
 * step, 6 end val, 7 change against the first run */
static double get_num(const void *row, int arg)
{
    const run_row *r = row;
    const ws_run_summary *s = &r->s;
    double v[] = {(double)s->steps, s->last_loss, s->last_smooth, s->first_val, s->best_val,
                  isfinite(s->best_val) ? (double)s->best_val_step : NAN, end_val(s),
                  end_val(s) - r->first_final};
    return v[arg];
}

static const ws_colspec run_cols[] = {
    {{"run", "run", WS_COL_STR, NULL, "", "the run: its log's file name", WS_MORE_NONE, 0}, NULL,
     get_name, NULL, 0},
    {{"steps", "steps", WS_COL_INT, NULL, "", "training steps logged", WS_MORE_HIGHER, 0}, get_num,
     NULL, NULL, 0},
    {{"last_loss", "last loss", WS_COL_NUM, "%.4f", "nats", "the last training loss",
      WS_MORE_HIGHER, WS_COL_BARS}, get_num, NULL, NULL, 1},
    {{"last_smooth", "smoothed", WS_COL_NUM, "%.4f", "nats",
      "the last training loss smoothed (EMA, debiased)", WS_MORE_HIGHER, WS_COL_BARS}, get_num,
     NULL, NULL, 2},
    {{"first_val", "first val", WS_COL_NUM, "%.4f", "nats", "the first validation loss",
      WS_MORE_HIGHER, 0}, get_num, NULL, NULL, 3},
    {{"best_val", "best val", WS_COL_NUM, "%.4f", "nats", "the lowest validation loss",
      WS_MORE_HIGHER, WS_COL_BARS}, get_num, NULL, NULL, 4},
    {{"best_val_step", "at step", WS_COL_INT, NULL, "", "the step of the lowest validation loss",
      WS_MORE_HIGHER, 0}, get_num, NULL, NULL, 5},
    {{"final_val", "final val", WS_COL_NUM, "%.4f", "nats",
      "the validation loss the run ends with (its final evaluation, else the last)",
      WS_MORE_HIGHER, WS_COL_BARS}, get_num, NULL, NULL, 6},
    {{"vs_first", "vs first", WS_COL_NUM, "%+.4f", "nats",
      "final val minus the first run's final val (negative: better)", WS_MORE_HIGHER,
      WS_COL_BARS}, get_num, NULL, NULL, 7},
};

ws_table *ws_runs_table(const ws_run *const *runs, size_t n, double ema_w)
{
    ws_table *t = ws_table_new_named("runs", "training runs compared: the numbers each ends with");
    if (!t || ws_table_add_specs(t, run_cols, sizeof run_cols / sizeof *run_cols) < 0)
        goto fail;
    double first = NAN;
    for (size_t i = 0; i < n; i++) {
        run_row r = {.r = runs[i]};
        ws_run_summarise(runs[i], ema_w, &r.s);
        if (i == 0)
            first = end_val(&r.s);
        r.first_final = first;
        if (ws_table_add_item(t, &r) < 0)
            goto fail;
    }
    return t;
fail:
    ws_table_free(t);
    return NULL;
}
