/* The runs of a TUI session: every run started since wscope started (kept
 * with its settings, policies, records, log and final numbers) and the
 * logs opened with --runs (read, and followed while they grow). They live
 * in tui->train (train_marks.h) so they outlive the views. No curses.
 *
 * A run started here writes its training log (runlog.h) as it goes, to
 * STEM-runN.csv beside the model (outdir.h). Its engine run (train_run.h)
 * is kept while it is the latest; when the next one starts, a run that did
 * steps keeps its weights as a model in memory (so it can still be browsed
 * as TUNED, saved weights-only, or be the next run's starting point) and
 * the engine, with its optimizer state, is released.
 *
 * "Unsaved": a run that did steps since it was last saved. */
#ifndef WS_TRAIN_RUNS_H
#define WS_TRAIN_RUNS_H

#include <stdio.h>

#include "model.h"
#include "policy.h"
#include "run.h"
#include "runlog.h"
#include "train_marks.h"

typedef struct tui_run {
    int number;                  /* N of "run N" (0: a log) */
    ws_run rec;                  /* name, settings, policies, log path, records, events */
    train_settings set;          /* what it ran with (a log: zeroed) */
    struct train_run *live;      /* the engine run while kept; NULL for a log */
    ws_runlog_follow *follow;    /* a log opened with --runs; NULL for a run started here */
    ws_model *weights;           /* its weights once taken (owned; kept until exit) */
    int64_t weights_step;        /* the steps done when they were taken */
    ws_model **stale;            /* weights taken earlier in a run that went on: views */
    size_t n_stale;              /* and analyses may still read them, so kept to exit */
    int64_t steps_done;          /* as of the last sync */
    int64_t saved_step;          /* steps done at the last save (-1: never) */
    int shown;                   /* drawn in the overlay */
    char ended_as[16];           /* the final state once the engine is released */
    size_t synced_ev;
    char error[512];             /* a followed log that went bad */
} tui_run;

/* Start run N+1 from `start` (the model file or an earlier run's weights;
 * `start_name` says which) with the session's settings and these rules.
 * Returns the run, or NULL with the reason in err. */
tui_run *train_runs_start(tui_train *s, ws_model *start, const char *start_name,
                          const ws_model *model, const ws_policy_rule *rules, size_t n_rules,
                          char *err, size_t n);
/* Open a training log (a CSV of runlog.h's columns, written by wscope or
 * by an outside trainer) as a run, followed while it grows. NULL with err. */
tui_run *train_runs_open_log(tui_train *s, const char *path, char *err, size_t n);

/* Bring every run's records up to date: new engine records and events,
 * new lines of followed logs. Returns 1 when something changed. */
int train_runs_sync(tui_train *s);

/* "run N" of the session, or NULL. */
tui_run *train_run_by_number(tui_train *s, int number);

/* The run is going (started, not finished). */
int tui_run_active(tui_run *r);
int tui_run_unsaved(tui_run *r);
/* How many runs are going / unsaved. */
int train_runs_active(tui_train *s);
int train_runs_unsaved(tui_train *s);
/* The question asked before quitting, within 80 columns: "quit? run 2 is
 * going (68/5000): s save, d discard, other keys stay". */
void train_runs_quit_question(tui_train *s, char *buf, size_t n);
/* The run's weights as a model (taken from the engine, again when the run
 * has gone on since, then kept); NULL with err (a log, or no step done). */
ws_model *tui_run_weights(tui_run *r, char *err, size_t n);
/* "running", "paused", "done", "stopped", "diverged", "failed", "log",
 * "following". */
const char *tui_run_state(tui_run *r);

/* After the main loop: stop the runs still going and save every unsaved
 * run as STEM-runN[-TAG].safetensors beside the model (a checkpoint while
 * the engine is kept, else the weights), one line per file on `report`
 * ("wscope: saved run 2 (step 68 of 5000) to PATH"). Returns how many
 * could not be saved. */
int train_runs_save_all(tui_train *s, const ws_model *model, const char *tag, FILE *report);

/* Free every run (engines released, logs closed, weights freed). */
void train_runs_free(tui_train *s);

#endif
