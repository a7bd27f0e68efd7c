/* A training run as the front ends see it: what it was (name, settings,
 * policies, schedule length), what it did (one record per step, the final
 * evaluation, freeze events) and the functions every curve is drawn from.
 * Filled live from the engine's run (train.h), from a CSV log (runlog.h)
 * written by wscope or by an outside trainer, or from `compare`'s runs.
 *
 * Definitions (wscope(1), TRAINING, "Curves"):
 *   training points  the records with a loss: (step, loss)
 *   validation       the records with a val_loss: (step, val_loss); the
 *                    final evaluation is a record with no loss whose step
 *                    is the number of steps done
 *   EMA smoothing    TensorBoard's scalar smoothing with weight w in
 *                    [0, 0.999] over the finite values x₁, x₂, … in order:
 *                        m₀ = 0,  mₙ = w·mₙ₋₁ + (1 − w)·xₙ,
 *                        smoothed xₙ = mₙ / (1 − wⁿ)
 *                    (debiased, so the curve starts at x₁, not near 0; with
 *                    w = 0 it is the data). A non-finite value is passed
 *                    through and does not advance n.
 *   ETA              (total − done) · s̄: done = the last training record's
 *                    step + 1, s̄ the seconds per step over the last
 *                    WS_RUN_ETA_WINDOW training records (elapsed_s of the
 *                    last minus that of the first, over their steps).
 *                    NaN while fewer than two such records have elapsed_s.
 *   window           the last N steps: steps > last step − N (N = 0: all). */
#ifndef WS_RUN_H
#define WS_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define WS_RUN_ETA_WINDOW 100
#define WS_RUN_EMA_MAX 0.999

typedef struct ws_run_rec {
    int64_t step;            /* 0-based; the final evaluation: steps done */
    double loss;             /* batch loss before this step's update; NaN: none */
    double val_loss;         /* NaN when not evaluated here */
    double lr, grad_norm;    /* NaN when unknown */
    double tokens_per_s;     /* NaN when unknown */
    double elapsed_s;        /* running seconds since the start (pauses excluded); NaN: unknown */
    int n_frozen;            /* tensors frozen after this step; -1 unknown */
} ws_run_rec;

/* A tensor froze: from `step` on it no longer trains. */
typedef struct ws_run_event {
    int64_t step;
    char tensor[160];
    char why[96];            /* "freeze@100", "freeze-pr:20 (PR 17.93)" */
} ws_run_event;

typedef struct ws_run {
    char name[64];           /* "run 1", or the log's file name */
    char *settings;          /* one line ("200 steps, batch 8, ..."), malloc'd, may be NULL */
    char *policies;          /* one line ("qkv@0=freeze, ..."), malloc'd, may be NULL */
    char *log_path;          /* the CSV log it is written to or read from, may be NULL */
    int64_t total_steps;     /* of the schedule; 0 unknown */
    ws_run_rec *rec;
    size_t n_rec, cap_rec;
    ws_run_event *ev;
    size_t n_ev, cap_ev;
} ws_run;

void ws_run_init(ws_run *r, const char *name);
void ws_run_free(ws_run *r);
/* Drop records and events (the descriptions stay). */
void ws_run_clear(ws_run *r);
int ws_run_add(ws_run *r, const ws_run_rec *rec, ws_err *e);
int ws_run_add_event(ws_run *r, int64_t step, const char *tensor, const char *why, ws_err *e);
/* Replace a malloc'd text field (settings, policies, log_path) by a copy. */
int ws_run_set_text(char **field, const char *text, ws_err *e);

/* ---- curves ---- */

/* TensorBoard's debiased EMA (above) of x[0..n) into out (may be x). w is
 * clamped to [0, WS_RUN_EMA_MAX]. */
void ws_ema(const double *x, size_t n, double w, double *out);

/* The training points (x = step, y = loss) or, with `val`, the validation
 * points, of the records with step > from (from = -1: all), at most n_max;
 * returns how many. */
size_t ws_run_points(const ws_run *r, int val, int64_t from, double *x, double *y, size_t n_max);
size_t ws_run_count(const ws_run *r, int val, int64_t from);

/* Last training record's index, or -1. */
long ws_run_last_step_rec(const ws_run *r);
/* The last step done (last record's step; a final evaluation counts as
 * its step) or -1 when empty. */
int64_t ws_run_last_step(const ws_run *r);
/* First step shown by a window of the last n steps (n = 0: -1, all). The
 * window is inclusive of steps > the returned value. */
int64_t ws_run_window_from(int64_t last_step, int64_t n);

/* Seconds to the end of a schedule of `total` steps (above); NaN when not
 * known, 0 once done. */
double ws_run_eta(const ws_run *r, int64_t total);
/* The last elapsed_s, NaN when none. */
double ws_run_elapsed(const ws_run *r);

/* A duration as "M:SS" or "H:MM:SS" ("-" for NaN or negative). */
const char *ws_fmt_duration(double seconds, char *buf, size_t n);

/* The numbers a run ends with. NaN where absent. */
typedef struct ws_run_summary {
    int64_t steps;           /* training records */
    double last_loss;        /* the last training loss */
    double last_smooth;      /* its EMA (weight given) */
    double first_val, last_val, best_val;
    int64_t best_val_step;
    double final_val;        /* the final evaluation (a record with no loss), NaN if none */
    double elapsed_s;
} ws_run_summary;
void ws_run_summarise(const ws_run *r, double ema_w, ws_run_summary *s);

/* ---- several runs on common axes ---- */

/* The axes that hold every given run's curves over the window of the last
 * `last_n` steps (0: whole runs): x from the smallest first step shown to
 * the largest of (last step, total_steps when `to_total`), y over the raw
 * and validation values shown (on a log axis only the positive ones).
 * Returns -1 when there is nothing to draw. */
typedef struct ws_run_axes {
    double x0, x1;           /* steps */
    double y0, y1;           /* loss (log axis: still the values, > 0) */
} ws_run_axes;
int ws_run_overlay_axes(const ws_run *const *runs, size_t n, int64_t last_n, int to_total,
                        int logy, ws_run_axes *ax);

/* Mean and sample standard deviation over runs (seeds) at each step
 * 0..n_steps-1 of their EMA-smoothed training losses (weight w): mean[i]
 * and sd[i] over the runs that have step i (sd NaN with fewer than two;
 * both NaN with none). */
int ws_run_band(const ws_run *const *runs, size_t n, double w, int64_t n_steps, double *mean,
                double *sd, ws_err *e);

#endif
