/* The training log of an engine run (see train_log.h). */
#include "train_log.h"

#include <math.h>
#include <stdlib.h>

#include "runlog.h"

struct ws_train_log {
    ws_runlog *log;
    float *upd;
    size_t rows, events;     /* records and events written */
    int failed;
};

const char *ws_train_log_path(const ws_train_log *l) { return ws_runlog_path(l->log); }

ws_train_log *ws_train_log_open(ws_train *t, const char *path, int exclusive, ws_err *e)
{
    int n = ws_train_n_matrices(t);
    ws_train_log *l = calloc(1, sizeof *l);
    const char **names = malloc(((size_t)n + 1) * sizeof *names);
    if (!l || !names || !(l->upd = malloc(((size_t)n + 1) * sizeof *l->upd))) {
        free(l);
        free(names);
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (int k = 0; k < n; k++)
        names[k] = ws_train_matrix_name(t, k);
    l->log = ws_runlog_create(path, names, n, exclusive, e);
    free(names);
    if (!l->log) {
        free(l->upd);
        free(l);
        return NULL;
    }
    return l;
}

/* One row: record i, its update norms, the events of its step and before
 * (a freeze-pr check freezes from the next step on: it goes with that
 * step's row). */
static int row(ws_train_log *l, ws_train *t, size_t i, ws_err *e)
{
    ws_train_rec r;
    if (ws_train_record(t, i, &r))
        return 0;
    size_t avail = ws_train_nevents(t) - l->events, n_ev = 0;
    ws_run_event *ev = malloc((avail ? avail : 1) * sizeof *ev);
    if (!ev)
        return ws_fail(e, "out of memory");
    while (n_ev < avail && !ws_train_event(t, l->events, &ev[n_ev]) && ev[n_ev].step <= r.step) {
        n_ev++;
        l->events++;
    }
    int have_upd = !isnan(r.loss) && !ws_train_update_norms(t, i, l->upd);
    int rc = ws_runlog_append(l->log, &r, have_upd ? l->upd : NULL, ev, n_ev, e);
    free(ev);
    return rc;
}

int ws_train_log_update(ws_train_log *l, ws_train *t, ws_err *e)
{
    if (l->failed)
        return 0;
    for (size_t n = ws_train_nrecords(t); l->rows < n; l->rows++)
        if (row(l, t, l->rows, e)) {
            l->failed = 1;
            return -1;
        }
    return 0;
}

int ws_train_log_close(ws_train_log *l, ws_train *t, ws_err *e)
{
    if (!l)
        return 0;
    int rc = ws_train_log_update(l, t, e);
    ws_err ce;
    if (ws_runlog_close(l->log, &ce) && !rc) {
        rc = -1;
        if (e)
            *e = ce;
    }
    free(l->upd);
    free(l);
    return rc;
}
