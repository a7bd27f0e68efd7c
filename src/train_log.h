/* The training log of an engine run (runlog.h's format): one row per
 * record as the run makes them, with the update norm of every matrix and
 * the freeze events up to the row's step. `wscope train --log` and every
 * TUI run write their logs through this. */
#ifndef WS_TRAIN_LOG_H
#define WS_TRAIN_LOG_H

#include "error.h"
#include "train.h"

typedef struct ws_train_log ws_train_log;

/* Create the log of run t at `path` (exclusive: never replace a file). */
ws_train_log *ws_train_log_open(ws_train *t, const char *path, int exclusive, ws_err *e);
/* Append the rows of the records made since the last call. -1 with a
 * message when a write failed (later calls then write nothing). */
int ws_train_log_update(ws_train_log *l, ws_train *t, ws_err *e);
/* Append what is left, fsync and close (NULL is ignored). */
int ws_train_log_close(ws_train_log *l, ws_train *t, ws_err *e);
const char *ws_train_log_path(const ws_train_log *l);

#endif
