/* The TUI's report key (report_key.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "job.h"
#include "report.h"
#include "report_key.h"

typedef struct report_job {
    ws_report_in in;
    char dir[2400];
    int rc;
    ws_err err;
} report_job;

static tui_job *job;          /* the report being written, or NULL */
static report_job *running;   /* its argument (owned by the job until taken) */
static int shown_pct = -1;

static void run(void *arg, ws_progress *p)
{
    report_job *j = arg;
    j->rc = ws_report_write(&j->in, j->dir, p, &j->err);
}

/* DIR/STEM-report, STEM the model file's name without its extension. */
static void report_dir(const tui *t, char *buf, size_t n)
{
    char dir[2048], stem[256];
    tui_export_dir(t, dir, sizeof dir);
    const char *path = t->model->path, *slash = strrchr(path, '/');
    snprintf(stem, sizeof stem, "%s", slash ? slash + 1 : path);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = 0;
    snprintf(buf, n, "%s/%s-report", dir, stem);
}

int tui_report_start(tui *t)
{
    if (job) {
        tui_message(t, "writing the report to %s (%d%%)", running->dir,
                    (int)(job_fraction(job) * 100));
        return 1;
    }
    report_job *j = calloc(1, sizeof *j);
    if (!j) {
        tui_message(t, "report: out of memory");
        return 1;
    }
    ws_report_in_default(&j->in);
    j->in.model = t->model;
    j->in.tuned = t->tuned;
    report_dir(t, j->dir, sizeof j->dir);
    ws_err e = {{0}};
    if (ws_report_check_dir(j->dir, &e) != 0) {
        tui_message(t, "report: %s: %s", j->dir, e.msg);
        free(j);
        return 1;
    }
    job = job_start(run, j, free);
    if (!job) {
        tui_message(t, "report: cannot start a thread");
        free(j);
        return 1;
    }
    running = j;
    shown_pct = -1;
    tui_message(t, "writing the report to %s ...", j->dir);
    return 1;
}

int tui_report_tick(tui *t, int *busy)
{
    if (!job)
        return 0;
    if (!job_done(job)) {
        *busy = 1;
        int pct = (int)(job_fraction(job) * 100);
        if (pct == shown_pct)
            return 0;
        shown_pct = pct;
        tui_message(t, "writing the report to %s (%d%%)", running->dir, pct);
        return 1;
    }
    report_job *j = job_take_arg(job);
    job_release(job);
    job = NULL;
    running = NULL;
    if (j->rc == 0)
        tui_message(t, "report written: %s/index.md", j->dir);
    else
        tui_message(t, "report failed: %s: %s", j->dir, j->err.msg);
    free(j);
    return 1;
}

void tui_report_stop(void)
{
    if (job)
        job_release(job);   /* cancels; the report removes its temporary directory */
    job = NULL;
    running = NULL;
}
