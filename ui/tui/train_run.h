/* A training run launched from the TUI, kept off the UI thread.
 *
 * One job (job.h) does everything slow: it reads and encodes the data,
 * prepares the run (ws_train_new applies the policies: SVDs, fits), starts
 * it, then stays with it until it ends: it passes the UI's cancel on to the
 * run and writes checkpoints when asked (ws_train_save needs the run paused,
 * so the save happens on this thread while the run waits). The UI only
 * polls: it never waits for the worker. Releasing the run cancels it; the
 * reaper frees it once the worker has stopped. */
#ifndef WS_TRAIN_RUN_H
#define WS_TRAIN_RUN_H

#include "model.h"
#include "policy.h"
#include "tokenizer.h"
#include "train.h"
#include "train_marks.h"

/* The data of a run: the settings' file (text through the settings'
 * tokenizer, or nanoGPT .bin), the last 10 % held out. -1 with the reason
 * in err. */
int train_load_data(const ws_model *m, const train_settings *s, ws_data *d, char *err, size_t n);
/* Engine options from the settings (no rules, no output file). */
ws_train_opts train_settings_opts(const train_settings *s);

typedef struct train_run train_run;

/* Start a run of model m (which must outlive it) with these settings and
 * policy rules (copied), writing its training log (runlog.h) to `log_path`
 * (created exclusively; NULL: no log). NULL when no thread could start. */
train_run *train_run_start(ws_model *m, const train_settings *s, const ws_policy_rule *rules,
                           size_t n_rules, const char *log_path);
/* Cancel and hand over to the reaper (NULL is ignored). */
void train_run_release(train_run *r);

/* The engine's run once prepared, else NULL (still loading, or failed). */
ws_train *train_run_engine(train_run *r);
/* What the job is doing while there is no engine run yet ("reading data"),
 * or the error that ended it. Returns 1 when it failed. */
int train_run_status(train_run *r, char *buf, size_t n);
/* The worker is gone (run ended, or setup failed). */
int train_run_finished(train_run *r);
const train_settings *train_run_settings(const train_run *r);
/* Data summary after loading: tokens for training and validation, <unk>s. */
void train_run_data(train_run *r, size_t *n_train, size_t *n_val, size_t *n_unk);

/* Where the log goes, or why it is not written ("" before the run starts). */
void train_run_log_status(train_run *r, char *buf, size_t n);

void train_run_pause(train_run *r);
void train_run_resume(train_run *r);
void train_run_cancel(train_run *r);
/* Ask for a checkpoint at `path` (weights_only: the weights alone, a plain
 * model): the run is paused, saved, then resumed if it was running.
 * Returns -1 when a save is already pending. */
int train_run_save(train_run *r, const char *path, int weights_only);
/* Stop the run (after its current step) and save it here and now, on the
 * calling thread, once the job has ended: for the end of the session. 0,
 * or -1 with the reason in msg (msg gets where it went otherwise). */
int train_run_stop_and_save(train_run *r, const char *path, int weights_only, char *msg,
                            size_t n);
/* Steps done when it was last saved (-1: never). */
int64_t train_run_saved_step(train_run *r);
/* Steps done so far (0 before the engine run exists). */
int64_t train_run_steps_done(train_run *r);
/* 1 while a save is pending; after it, `msg` says where it went or why not
 * (once: the message is cleared when read; msg NULL leaves it). */
int train_run_save_status(train_run *r, char *msg, size_t n);

#endif
