#include "threads.h"

#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

void ws_progress_init(ws_progress *p, size_t total)
{
    atomic_store(&p->done, 0);
    atomic_store(&p->total, total);
    atomic_store(&p->cancel, 0);
}

int ws_ncores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return n;
    }
    return 1;
}

int ws_blas_get_threads(void) { return openblas_get_num_threads(); }

int ws_blas_threads(int n)
{
    int old = openblas_get_num_threads();
    openblas_set_num_threads(n > 0 ? n : ws_ncores());
    return old;
}

/* While any parallel loop runs, OpenBLAS is held at one thread so loops that
 * call BLAS do not oversubscribe the cores. Loops may run at once on several
 * threads (UI jobs), so the switch is counted: the first loop in sets one
 * thread, the last one out restores the count it found. */
static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int blas_users, blas_saved;

static void blas_single_enter(void)
{
    pthread_mutex_lock(&blas_lock);
    if (blas_users++ == 0) {
        blas_saved = openblas_get_num_threads();
        if (blas_saved != 1)
            openblas_set_num_threads(1);
    }
    pthread_mutex_unlock(&blas_lock);
}

static void blas_single_leave(void)
{
    pthread_mutex_lock(&blas_lock);
    if (--blas_users == 0 && blas_saved != 1)
        openblas_set_num_threads(blas_saved);
    pthread_mutex_unlock(&blas_lock);
}

typedef struct pf_job {
    size_t n, chunk;
    atomic_size_t next;
    void (*fn)(size_t, size_t, int, void *);
    void *user;
    ws_progress *p;
} pf_job;

typedef struct pf_arg {
    pf_job *job;
    int tid;
} pf_arg;

static void *pf_worker(void *v)
{
    pf_arg *a = v;
    pf_job *j = a->job;
    for (;;) {
        if (ws_cancelled(j->p))
            break;
        size_t b = atomic_fetch_add(&j->next, j->chunk);
        if (b >= j->n)
            break;
        size_t e = b + j->chunk < j->n ? b + j->chunk : j->n;
        j->fn(b, e, a->tid, j->user);
    }
    return NULL;
}

int ws_parallel_for(size_t n, size_t chunk, int threads,
                    void (*fn)(size_t, size_t, int, void *), void *user, ws_progress *p)
{
    if (threads <= 0)
        threads = ws_ncores();
    if (chunk == 0)
        chunk = 1;
    size_t chunks = (n + chunk - 1) / chunk;
    if ((size_t)threads > chunks)
        threads = chunks ? (int)chunks : 1;
    pf_job job = {.n = n, .chunk = chunk, .fn = fn, .user = user, .p = p};
    atomic_store(&job.next, 0);
    blas_single_enter();
    pthread_t tids[64];
    pf_arg args[64];
    if (threads > 64)
        threads = 64;
    int started = 0;
    for (int t = 1; t < threads; t++) {
        args[t] = (pf_arg){&job, t};
        if (pthread_create(&tids[t], NULL, pf_worker, &args[t]) != 0)
            break;
        started = t;
    }
    args[0] = (pf_arg){&job, 0};
    pf_worker(&args[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tids[t], NULL);
    blas_single_leave();
    return ws_cancelled(p) ? -1 : 0;
}
