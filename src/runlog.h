/* The training log: one CSV file per run, written by one writer that
 * appends and flushes each step (so SIGTERM, SIGHUP or kill -9 lose at
 * most the line being written) and read by one reader, which also follows
 * a log that is still growing (tail -f style).
 *
 * Columns (header line first; wscope(1), TRAINING, "Training log"):
 *   step          0-based step; the final evaluation: steps done
 *   loss          the batch loss before this step's update (empty: none)
 *   val_loss      validation loss measured before this step's update
 *                 (empty when not evaluated)
 *   lr            learning rate of the step
 *   grad_norm     global gradient norm before clipping
 *   tokens_per_s  B·T over the step's wall time
 *   n_frozen      tensors frozen after the step
 *   update:NAME   one per weight matrix: ‖W_after − W_before‖ of the step
 *                 (0 when frozen)
 *   elapsed_s     running seconds since the run started (pauses excluded)
 *   events        what froze at this step: TENSOR=WHY items separated by
 *                 ';' (WHY as "freeze@100" or "freeze-pr:20 (PR 17.93)")
 * The last row of a completed run is the final evaluation (no loss).
 * Numbers are printed with %.9g (float32 round trip); empty cells are
 * missing values.
 *
 * The reader takes the columns by name from the header; it needs `step`
 * and one of `loss` or `val_loss`, takes the others when present and
 * ignores unknown ones, so a log written by an outside trainer with these
 * column names reads the same. Fields may be quoted (RFC 4180). */
#ifndef WS_RUNLOG_H
#define WS_RUNLOG_H

#include <stddef.h>

#include "error.h"
#include "run.h"

/* ---- writing ---- */

#define WS_RUNLOG_SYNC_S 5.0   /* fsync at most this often (and at close) */

typedef struct ws_runlog ws_runlog;

/* Create the log at `path` and write its header, with one update column
 * per name (n_upd may be 0). An existing file is replaced, unless
 * `exclusive` (then it is an error); a registered input file is refused. */
ws_runlog *ws_runlog_create(const char *path, const char *const *upd_names, int n_upd,
                            int exclusive, ws_err *e);
/* Append one row: the record, n_upd update norms (NULL: empty cells) and
 * the events at this step. One write per row, at once. */
int ws_runlog_append(ws_runlog *l, const ws_run_rec *r, const float *upd,
                     const ws_run_event *ev, size_t n_ev, ws_err *e);
/* fsync and close (NULL is ignored). */
int ws_runlog_close(ws_runlog *l, ws_err *e);
const char *ws_runlog_path(const ws_runlog *l);

/* ---- reading ---- */

enum { WS_LOG_STEP, WS_LOG_LOSS, WS_LOG_VAL, WS_LOG_LR, WS_LOG_GRAD, WS_LOG_TPS, WS_LOG_FROZEN,
       WS_LOG_ELAPSED, WS_LOG_EVENTS, WS_LOG_NCOLS };

#define WS_RUNLOG_MAX_LINE (1 << 20)

typedef struct ws_runlog_reader {
    int have_header;
    int col[WS_LOG_NCOLS];   /* the field's column, -1 when absent */
    int n_cols;              /* cells in the header */
    size_t line;             /* lines consumed */
    int partial;             /* a cut last line was dropped (at_eof) */
} ws_runlog_reader;

void ws_runlog_reader_init(ws_runlog_reader *rd);

/* A pure function from bytes to records: parse the complete lines of
 * buf[0, n) into `run` (the header first while rd has none, then one record
 * per line, events added to run->ev). *used gets the bytes consumed, up to
 * the end of the last complete line; with `at_eof` the rest too: a last line
 * without its newline is taken when it has every cell of the header and
 * parses, else dropped with rd->partial set (a writer killed mid-line). Returns the records added, or -1 with a message naming
 * the line ("line 7: step \"x\" is not a whole number"). */
long ws_runlog_parse(ws_runlog_reader *rd, const char *buf, size_t n, int at_eof, ws_run *run,
                     size_t *used, ws_err *e);

/* The whole log at `path` into `run` (records and events added). */
int ws_runlog_read(const char *path, ws_run *run, ws_err *e);

/* The name a run read from `path` goes by: the file's name without .csv
 * ("run1" for out/run1.csv), or, for a file named log.csv (every job that
 * export-run writes has one), its folder's ("full-seed1" for
 * exp/full-seed1/log.csv), so runs read together are told apart. */
void ws_runlog_name(const char *path, char *buf, size_t n);

/* ---- following ---- */

typedef struct ws_runlog_follow ws_runlog_follow;

/* Open `path` and read what it holds into `run`. A file that is empty so
 * far is fine: its header comes with a later poll. */
ws_runlog_follow *ws_runlog_follow_open(const char *path, ws_run *run, ws_err *e);
/* Read what was appended since: the number of new records (0: none), or
 * -1 with a message. A file that shrank or was replaced is read again from
 * its start (the run's records are replaced). */
long ws_runlog_follow_poll(ws_runlog_follow *f, ws_run *run, ws_err *e);
void ws_runlog_follow_close(ws_runlog_follow *f);

#endif
