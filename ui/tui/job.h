/* Background work for the TUI: one thread per job, polled by the UI.
 *
 * The UI thread starts a job, keeps handling keys and resizes, polls
 * job_done() / job_fraction() to draw a progress indicator (the main loop
 * polls while work runs, at most once a frame; a job that ends wakes it at
 * once through wake.h), and when it no
 * longer needs the result it calls job_release(): that cancels the work
 * (through its ws_progress) and the job is joined and freed later by
 * job_reap(), so the UI never blocks on a job that is winding down. */
#ifndef WS_JOB_H
#define WS_JOB_H

#include "threads.h"

typedef struct tui_job tui_job;

/* Run fn(arg, progress) on a new thread. free_arg (may be NULL) frees arg
 * once the job is finished and released. NULL when no thread could start. */
tui_job *job_start(void (*fn)(void *arg, ws_progress *p), void *arg, void (*free_arg)(void *));
int job_done(tui_job *j);
/* done/total in [0, 1]. */
double job_fraction(tui_job *j);
/* Wait up to ms milliseconds for the job to finish; returns job_done(). */
int job_wait(tui_job *j, int ms);
void job_cancel(tui_job *j);
/* A finished job's argument now belongs to the caller: the reaper will not
 * free it. Returns the argument. */
void *job_take_arg(tui_job *j);
/* Cancel and hand over to the reaper; j must not be used afterwards. */
void job_release(tui_job *j);
/* Join and free released jobs that have finished; at exit (wait = 1) all. */
void job_reap(int wait);

#endif
