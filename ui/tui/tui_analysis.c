#include "tui_analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct entry {
    ws_model *m;
    ws_analysis *a;
    unsigned failed;     /* parts whose last run failed */
    ws_err err;
} entry;

/* MODEL, TUNED, and the weights of the runs browsed as TUNED. */
enum { CACHE_N = 16 };
static entry cache[CACHE_N];

static entry *find(const ws_analysis *a)
{
    for (int i = 0; i < CACHE_N; i++)
        if (cache[i].a == a)
            return &cache[i];
    return NULL;
}

ws_analysis *tui_analysis(ws_model *m)
{
    for (int i = 0; i < CACHE_N; i++)
        if (cache[i].m == m)
            return cache[i].a;
    for (int i = 0; i < CACHE_N; i++)
        if (!cache[i].m) {
            ws_analysis *a = ws_analysis_new(m, NULL, NULL);
            if (a)
                cache[i] = (entry){.m = m, .a = a};
            return a;
        }
    return NULL;
}

/* The parts of `what` computed, with their nulls when it asks for them. */
static int ready(const ws_analysis *a, unsigned what)
{
    unsigned parts = what & ~(unsigned)WS_AN_NULLS, nulls = parts & WS_AN_NULLABLE;
    return (a->have & parts) == parts &&
           (!(what & WS_AN_NULLS) || a->o.null.n <= 0 || (a->null_have & nulls) == nulls);
}

int tui_analysis_ready(ws_model *m, unsigned what, ws_analysis **out)
{
    for (int i = 0; i < CACHE_N; i++)
        if (cache[i].m == m && ws_analysis_finished(cache[i].a) && ready(cache[i].a, what)) {
            *out = cache[i].a;
            return 1;
        }
    return 0;
}

int tui_analysis_need(ws_analysis *a, unsigned what, const char **msg)
{
    entry *en = find(a);
    /* `have` is written by the worker: read it only when none runs. */
    if (!ws_analysis_finished(a))
        return 0;
    if (ready(a, what))
        return 1;
    if (a->started) {
        /* A run just ended: collect it. */
        unsigned asked = a->want;
        if (ws_analysis_wait(a, &en->err) < 0)
            en->failed |= asked;
        if (ready(a, what))
            return 1;
    }
    if (en->failed & what) {
        *msg = en->err.msg;
        return -1;
    }
    if (ws_analysis_start(a, what & ~a->have, &en->err) < 0) {
        en->failed |= what;
        *msg = en->err.msg;
        return -1;
    }
    return 0;
}

void tui_analysis_retry(ws_analysis *a)
{
    entry *en = find(a);
    if (en)
        en->failed = 0;
}

double tui_analysis_fraction(ws_analysis *a)
{
    size_t done = atomic_load(&a->prog.done), total = atomic_load(&a->prog.total);
    return total ? (double)done / (double)total : 0;
}

int tui_analysis_moved(ws_analysis *a, int *shown)
{
    /* No worker running: the view's next draw collects the run that ended
     * (or starts the next one, or shows the failure), so draw. A view that
     * calls this only while it waits cannot loop: that draw ends the wait
     * or starts work. */
    if (ws_analysis_finished(a)) {
        *shown = -1;
        return 1;
    }
    int pct = (int)(tui_analysis_fraction(a) * 100);
    if (pct == *shown)
        return 0;
    *shown = pct;
    return 1;
}

const char *tui_pr_cell(const ws_mat_result *res, int k, int with_z, char *buf, size_t n)
{
    buf[0] = 0;
    if (!res)
        return buf;
    int ok = k ? res->amp.status == WS_AS_OK : res->pr.status == WS_AS_OK;
    double v = k ? res->amp.pr : res->pr.pr;
    const ws_null *z = &res->null[k ? WS_LS_AMP_PR : WS_LS_PR][WS_NULL_GAUSS];
    if (ok && with_z && z->n > 0 && isfinite(z->z))
        snprintf(buf, n, "%.*f %+6.1f", k ? 2 : 1, v, z->z);
    else if (ok)
        snprintf(buf, n, "%.*f", k ? 2 : 1, v);
    return buf;
}

void tui_analyses_free(void)
{
    for (int i = 0; i < CACHE_N; i++) {
        ws_analysis_free(cache[i].a);   /* cancels and joins a running worker */
        cache[i] = (entry){0};
    }
}
