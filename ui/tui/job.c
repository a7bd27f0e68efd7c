/* Background jobs (see job.h). */
#include "job.h"

#include "wake.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct tui_job {
    pthread_t thread;
    void (*fn)(void *, ws_progress *);
    void *arg;
    void (*free_arg)(void *);
    ws_progress progress;
    atomic_int done;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    tui_job *next;        /* in the reaper's list */
};

static tui_job *released;   /* touched by the UI thread only */

static void *job_thread(void *p)
{
    tui_job *j = p;
    j->fn(j->arg, &j->progress);
    pthread_mutex_lock(&j->lock);
    atomic_store(&j->done, 1);
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->lock);
    tui_wake();   /* the loop shows the result now, not at its next poll */
    return NULL;
}

tui_job *job_start(void (*fn)(void *arg, ws_progress *p), void *arg, void (*free_arg)(void *))
{
    tui_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->fn = fn;
    j->arg = arg;
    j->free_arg = free_arg;
    ws_progress_init(&j->progress, 0);
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->cond, NULL);
    if (pthread_create(&j->thread, NULL, job_thread, j)) {
        free(j);
        return NULL;
    }
    return j;
}

int job_done(tui_job *j)
{
    return j && atomic_load(&j->done);
}

double job_fraction(tui_job *j)
{
    size_t total = atomic_load(&j->progress.total), done = atomic_load(&j->progress.done);
    return total ? (double)done / (double)total : 0;
}

int job_wait(tui_job *j, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&j->lock);
    while (!atomic_load(&j->done))
        if (pthread_cond_timedwait(&j->cond, &j->lock, &ts))
            break;
    pthread_mutex_unlock(&j->lock);
    return job_done(j);
}

void job_cancel(tui_job *j)
{
    if (j)
        atomic_store(&j->progress.cancel, 1);
}

static void job_free(tui_job *j)
{
    pthread_join(j->thread, NULL);
    if (j->free_arg && j->arg)
        j->free_arg(j->arg);
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->cond);
    free(j);
}

void *job_take_arg(tui_job *j)
{
    void *a = j->arg;
    j->arg = NULL;
    return a;
}

void job_release(tui_job *j)
{
    if (!j)
        return;
    job_cancel(j);
    j->next = released;
    released = j;
}

void job_reap(int wait)
{
    tui_job **pp = &released;
    while (*pp) {
        tui_job *j = *pp;
        if (wait || job_done(j)) {
            *pp = j->next;
            job_free(j);
        } else {
            pp = &j->next;
        }
    }
}
