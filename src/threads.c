#include "threads.h"

#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

void ws_progress_init(ws_progress *p, size_t total)
{
    atomic_store(&p->done, 0);
    atomic_store(&p->total, total);
    atomic_store(&p->cancel, 0);
}

double ws_monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

/* A persistent pool of helper threads, so a loop does not pay for starting
 * threads (tens of µs each): training runs thousands of short loops a
 * second. One loop owns the pool at a time (pool_owner); a loop that finds
 * it taken, or runs inside a pool thread, starts its own threads instead,
 * so concurrent and nested loops never wait on each other. Helpers spin
 * briefly after a loop before sleeping: the next loop usually follows. */
#define POOL_MAX 63
#define POOL_SPIN_NS 200000

static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER, pool_idle = PTHREAD_COND_INITIALIZER;
static pf_job *pool_job;
static atomic_uint pool_gen;         /* bumped for each loop */
static int pool_want;                /* helpers the current loop uses */
static atomic_int pool_running;      /* helpers still inside the current loop */
static int pool_size;
static _Thread_local int in_pool_thread;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *pool_thread(void *v)
{
    int id = (int)(intptr_t)v; /* 1..pool_size: the tid it runs as */
    unsigned seen = 0;
    in_pool_thread = 1;
    for (;;) {
        /* Spin a little for the next loop, then sleep. */
        uint64_t t0 = now_ns();
        while (atomic_load(&pool_gen) == seen && now_ns() - t0 < POOL_SPIN_NS)
            sched_yield();
        pthread_mutex_lock(&pool_lock);
        while (atomic_load(&pool_gen) == seen)
            pthread_cond_wait(&pool_wake, &pool_lock);
        seen = atomic_load(&pool_gen);
        pf_job *job = pool_job;
        int mine = id <= pool_want;
        pthread_mutex_unlock(&pool_lock);
        if (!mine)
            continue;
        pf_arg a = {job, id};
        pf_worker(&a);
        if (atomic_fetch_sub(&pool_running, 1) == 1) {
            pthread_mutex_lock(&pool_lock);
            pthread_cond_signal(&pool_idle);
            pthread_mutex_unlock(&pool_lock);
        }
    }
    return NULL;
}

/* Grow the pool to `helpers` threads (called with pool_owner held). */
static void pool_grow(int helpers)
{
    while (pool_size < helpers && pool_size < POOL_MAX) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &at, pool_thread, (void *)(intptr_t)(pool_size + 1));
        pthread_attr_destroy(&at);
        if (rc != 0)
            break;
        pool_size++;
    }
}

/* Run the loop on the pool; returns 0 when the pool was not available. */
static int run_on_pool(pf_job *job, int threads)
{
    if (in_pool_thread || pthread_mutex_trylock(&pool_owner) != 0)
        return 0;
    pool_grow(threads - 1);
    int helpers = threads - 1 < pool_size ? threads - 1 : pool_size;
    pthread_mutex_lock(&pool_lock);
    pool_job = job;
    pool_want = helpers;
    atomic_store(&pool_running, helpers);
    atomic_fetch_add(&pool_gen, 1);
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_lock);
    pf_arg self = {job, 0};
    pf_worker(&self);
    pthread_mutex_lock(&pool_lock);
    while (atomic_load(&pool_running) > 0)
        pthread_cond_wait(&pool_idle, &pool_lock);
    pthread_mutex_unlock(&pool_lock);
    pthread_mutex_unlock(&pool_owner);
    return 1;
}

/* Fallback: threads of its own for this loop. */
static void run_on_new_threads(pf_job *job, int threads)
{
    pthread_t tids[POOL_MAX + 1];
    pf_arg args[POOL_MAX + 1];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        args[t] = (pf_arg){job, t};
        if (pthread_create(&tids[t], NULL, pf_worker, &args[t]) != 0)
            break;
        started = t;
    }
    args[0] = (pf_arg){job, 0};
    pf_worker(&args[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tids[t], NULL);
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
    if (threads > POOL_MAX + 1)
        threads = POOL_MAX + 1;
    pf_job job = {.n = n, .chunk = chunk, .fn = fn, .user = user, .p = p};
    atomic_store(&job.next, 0);
    blas_single_enter();
    if (threads == 1) {
        pf_arg self = {&job, 0};
        pf_worker(&self);
    } else if (!run_on_pool(&job, threads)) {
        run_on_new_threads(&job, threads);
    }
    blas_single_leave();
    return ws_cancelled(p) ? -1 : 0;
}
