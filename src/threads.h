/* Parallel loops over the cores, progress reporting and cancellation for
 * long work. The UI thread never does long work: it starts it on a worker
 * and polls a ws_progress. */
#ifndef WS_THREADS_H
#define WS_THREADS_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct ws_progress {
    atomic_size_t done;
    atomic_size_t total;
    atomic_int cancel;       /* set by anyone to ask the work to stop */
} ws_progress;

void ws_progress_init(ws_progress *p, size_t total);
/* NULL-safe helpers for engine code. */
static inline int ws_cancelled(ws_progress *p) { return p && atomic_load(&p->cancel); }
static inline void ws_progress_add(ws_progress *p, size_t n) { if (p) atomic_fetch_add(&p->done, n); }

/* Seconds on the monotonic clock (for durations, rates and ETAs). */
double ws_monotonic_s(void);

/* Number of cores the process may use (sched_getaffinity), at least 1. */
int ws_ncores(void);

/* Run fn(begin, end, tid, user) over [0, n) in chunks of `chunk` items,
 * handed out dynamically to `threads` threads (0 = cores). Returns early
 * (remaining chunks skipped) when `p` is cancelled; returns -1 then. While
 * the loop runs, OpenBLAS is pinned to one thread so the cores are not
 * oversubscribed. */
int ws_parallel_for(size_t n, size_t chunk, int threads,
                    void (*fn)(size_t begin, size_t end, int tid, void *user),
                    void *user, ws_progress *p);

/* Set OpenBLAS's thread count (0 = cores); returns the previous one. */
int ws_blas_threads(int n);
int ws_blas_get_threads(void);

#endif
