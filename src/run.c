/* Run records and the curves drawn from them (see run.h). */
#include "run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ws_run_init(ws_run *r, const char *name)
{
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name ? name : "");
}

void ws_run_free(ws_run *r)
{
    free(r->settings);
    free(r->policies);
    free(r->log_path);
    free(r->rec);
    free(r->ev);
    memset(r, 0, sizeof *r);
}

void ws_run_clear(ws_run *r)
{
    r->n_rec = 0;
    r->n_ev = 0;
}

/* Room for one more item in a growing array. */
static int grow(void **a, size_t *cap, size_t n, size_t size, ws_err *e)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64, bytes;
    if (!ws_mul_ok(c, size, &bytes))
        return ws_fail(e, "out of memory");
    void *p = realloc(*a, bytes);
    if (!p)
        return ws_fail(e, "out of memory");
    *a = p;
    *cap = c;
    return 0;
}

int ws_run_add(ws_run *r, const ws_run_rec *rec, ws_err *e)
{
    if (grow((void **)&r->rec, &r->cap_rec, r->n_rec, sizeof *r->rec, e))
        return -1;
    r->rec[r->n_rec++] = *rec;
    return 0;
}

int ws_run_add_event(ws_run *r, int64_t step, const char *tensor, const char *why, ws_err *e)
{
    if (grow((void **)&r->ev, &r->cap_ev, r->n_ev, sizeof *r->ev, e))
        return -1;
    ws_run_event *v = &r->ev[r->n_ev++];
    v->step = step;
    snprintf(v->tensor, sizeof v->tensor, "%s", tensor);
    snprintf(v->why, sizeof v->why, "%s", why);
    return 0;
}

int ws_run_set_text(char **field, const char *text, ws_err *e)
{
    char *c = text ? strdup(text) : NULL;
    if (text && !c)
        return ws_fail(e, "out of memory");
    free(*field);
    *field = c;
    return 0;
}

/* ---- curves ---- */

void ws_ema(const double *x, size_t n, double w, double *out)
{
    if (!(w >= 0))
        w = 0;
    if (w > WS_RUN_EMA_MAX)
        w = WS_RUN_EMA_MAX;
    double m = 0, wn = 1;   /* wn = w^k after k finite values */
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!isfinite(v)) {
            out[i] = v;
            continue;
        }
        m = w * m + (1 - w) * v;
        wn *= w;
        out[i] = m / (1 - wn);
    }
}

static int is_point(const ws_run_rec *r, int val)
{
    return val ? !isnan(r->val_loss) : !isnan(r->loss);
}

size_t ws_run_points(const ws_run *r, int val, int64_t from, double *x, double *y, size_t n_max)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_rec && k < n_max; i++) {
        const ws_run_rec *q = &r->rec[i];
        if (q->step <= from || !is_point(q, val))
            continue;
        x[k] = (double)q->step;
        y[k++] = val ? q->val_loss : q->loss;
    }
    return k;
}

size_t ws_run_count(const ws_run *r, int val, int64_t from)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_rec; i++)
        k += r->rec[i].step > from && is_point(&r->rec[i], val);
    return k;
}

long ws_run_last_step_rec(const ws_run *r)
{
    for (size_t i = r->n_rec; i-- > 0;)
        if (!isnan(r->rec[i].loss))
            return (long)i;
    return -1;
}

int64_t ws_run_last_step(const ws_run *r)
{
    int64_t s = -1;
    for (size_t i = 0; i < r->n_rec; i++)
        if (r->rec[i].step > s)
            s = r->rec[i].step;
    return s;
}

int64_t ws_run_window_from(int64_t last_step, int64_t n)
{
    return n > 0 ? last_step - n : -1;
}

double ws_run_eta(const ws_run *r, int64_t total)
{
    long last = ws_run_last_step_rec(r);
    if (last < 0 || total <= 0)
        return NAN;
    const ws_run_rec *b = &r->rec[last];
    if (b->step + 1 >= total)
        return 0;
    if (isnan(b->elapsed_s))
        return NAN;
    /* The first training record of the window with a time. */
    const ws_run_rec *a = NULL;
    int k = 0;
    for (long i = last; i >= 0 && k < WS_RUN_ETA_WINDOW; i--) {
        const ws_run_rec *q = &r->rec[i];
        if (isnan(q->loss))
            continue;
        k++;
        if (!isnan(q->elapsed_s) && q->step < b->step)
            a = q;
    }
    if (!a || !(b->elapsed_s >= a->elapsed_s))
        return NAN;
    double per = (b->elapsed_s - a->elapsed_s) / (double)(b->step - a->step);
    return per * (double)(total - (b->step + 1));
}

double ws_run_elapsed(const ws_run *r)
{
    for (size_t i = r->n_rec; i-- > 0;)
        if (!isnan(r->rec[i].elapsed_s))
            return r->rec[i].elapsed_s;
    return NAN;
}

const char *ws_fmt_duration(double seconds, char *buf, size_t n)
{
    if (!(seconds >= 0) || seconds > 1e9) {
        snprintf(buf, n, "-");
        return buf;
    }
    long long s = (long long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, n, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

void ws_run_summarise(const ws_run *r, double ema_w, ws_run_summary *s)
{
    *s = (ws_run_summary){0, NAN, NAN, NAN, NAN, NAN, -1, NAN, NAN};
    double m = 0, wn = 1, w = fmin(fmax(ema_w, 0), WS_RUN_EMA_MAX);
    for (size_t i = 0; i < r->n_rec; i++) {
        const ws_run_rec *q = &r->rec[i];
        if (!isnan(q->loss)) {
            s->steps++;
            s->last_loss = q->loss;
            if (isfinite(q->loss)) {   /* the same recurrence as ws_ema */
                m = w * m + (1 - w) * q->loss;
                wn *= w;
                s->last_smooth = m / (1 - wn);
            }
        } else if (!isnan(q->val_loss)) {
            s->final_val = q->val_loss;
        }
        if (!isnan(q->val_loss)) {
            if (isnan(s->first_val))
                s->first_val = q->val_loss;
            s->last_val = q->val_loss;
            if (isnan(s->best_val) || q->val_loss < s->best_val) {
                s->best_val = q->val_loss;
                s->best_val_step = q->step;
            }
        }
    }
    s->elapsed_s = ws_run_elapsed(r);
}

/* ---- several runs ---- */

static void take_y(double v, int logy, double *lo, double *hi)
{
    if (!isfinite(v) || (logy && v <= 0))
        return;
    *lo = fmin(*lo, v);
    *hi = fmax(*hi, v);
}

int ws_run_overlay_axes(const ws_run *const *runs, size_t n, int64_t last_n, int to_total,
                        int logy, ws_run_axes *ax)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        const ws_run *r = runs[k];
        int64_t last = ws_run_last_step(r);
        if (last < 0)
            continue;
        int64_t from = ws_run_window_from(last, last_n);
        for (size_t i = 0; i < r->n_rec; i++) {
            const ws_run_rec *q = &r->rec[i];
            if (q->step <= from)
                continue;
            x0 = fmin(x0, (double)q->step);
            x1 = fmax(x1, (double)q->step);
            take_y(q->loss, logy, &y0, &y1);
            take_y(q->val_loss, logy, &y0, &y1);
        }
        if (to_total && r->total_steps > 0)
            x1 = fmax(x1, (double)r->total_steps);
    }
    if (!(y0 <= y1) || !(x0 <= x1))
        return -1;
    if (x0 == x1)
        x1 = x0 + 1;
    if (y0 == y1) {   /* a flat curve: a little room around it */
        double d = logy ? y0 * 0.1 : fabs(y0) * 0.05 + 0.05;
        y0 -= d;
        y1 += d;
    }
    *ax = (ws_run_axes){x0, x1, y0, y1};
    return 0;
}

/* A run's training points with the losses EMA-smoothed (malloc'd x, y). */
static int smoothed_points(const ws_run *r, double w, double **x, double **y, size_t *m, ws_err *e)
{
    size_t n = ws_run_count(r, 0, -1), bytes;
    *x = *y = NULL;
    if (!ws_mul_ok(n ? n : 1, sizeof **x, &bytes) || !(*x = malloc(bytes)) ||
        !(*y = malloc(bytes))) {
        free(*x);
        *x = NULL;
        return ws_fail(e, "out of memory");
    }
    *m = ws_run_points(r, 0, -1, *x, *y, n);
    ws_ema(*y, *m, w, *y);
    return 0;
}

int ws_run_band(const ws_run *const *runs, size_t n, double w, int64_t n_steps, double *mean,
                double *sd, ws_err *e)
{
    size_t ns = (size_t)(n_steps > 0 ? n_steps : 0);
    double *sq = calloc(ns ? ns : 1, sizeof *sq);
    int *cnt = calloc(ns ? ns : 1, sizeof *cnt);
    if (!sq || !cnt) {
        free(sq);
        free(cnt);
        return ws_fail(e, "out of memory");
    }
    for (size_t s = 0; s < ns; s++)
        mean[s] = 0;
    int rc = 0;
    /* Two passes (sums, then squared deviations from the means): the
     * smoothed curves are recomputed rather than kept for every seed. */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t k = 0; k < n && !rc; k++) {
            double *x, *y;
            size_t m = 0;
            if ((rc = smoothed_points(runs[k], w, &x, &y, &m, e)))
                break;
            for (size_t i = 0; i < m; i++) {
                int64_t s = (int64_t)x[i];
                if (s < 0 || s >= n_steps || !isfinite(y[i]))
                    continue;
                if (pass == 0) {
                    mean[s] += y[i];
                    cnt[s]++;
                } else {
                    sq[s] += (y[i] - mean[s]) * (y[i] - mean[s]);
                }
            }
            free(x);
            free(y);
        }
        for (size_t s = 0; pass == 0 && s < ns; s++)
            mean[s] = cnt[s] ? mean[s] / cnt[s] : NAN;
    }
    for (size_t s = 0; s < ns; s++)
        sd[s] = cnt[s] > 1 ? sqrt(sq[s] / (cnt[s] - 1)) : NAN;
    free(sq);
    free(cnt);
    return rc;
}
