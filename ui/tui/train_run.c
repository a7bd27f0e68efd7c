/* A training run on a job thread (see train_run.h). */
#include "train_run.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data.h"
#include "job.h"
#include "tokenizer.h"
#include "train_log.h"

enum { EVAL_BATCHES = 5 };   /* validation batches per evaluation: keeps evals cheap */

typedef struct run_ctx {
    ws_model *m;
    train_settings set;
    ws_policy_rule *rules;
    size_t n_rules;
    ws_data d;
    ws_train *_Atomic tr;      /* published once started */
    atomic_int ended;          /* the run is over and its final status set */

    char log_path[1024];       /* "" : no log */
    ws_train_log *log;         /* the job's */

    pthread_mutex_t mu;        /* guards what follows */
    char status[600];
    int failed;
    char log_status[1200];
    char save_path[1024];
    int save_pending, resume_after, save_weights_only;
    char save_msg[1200];
    int64_t saved_step;
} run_ctx;

struct train_run {
    tui_job *job;
    run_ctx *c;
};

static void set_status(run_ctx *c, int failed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(run_ctx *c, int failed, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&c->mu);
    vsnprintf(c->status, sizeof c->status, fmt, ap);
    c->failed = failed;
    pthread_mutex_unlock(&c->mu);
    va_end(ap);
}

static void ctx_free(void *p)
{
    run_ctx *c = p;
    ws_err e;
    ws_train_log_close(c->log, atomic_load(&c->tr), &e);   /* a job that never reached its end */
    ws_train_free(atomic_load(&c->tr));
    ws_data_free(&c->d);
    free(c->rules);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int train_load_data(const ws_model *m, const train_settings *s, ws_data *d, char *err, size_t n)
{
    ws_err e = {{0}};
    const char *path = s->data;
    if (!path[0]) {
        snprintf(err, n, "no data file: choose one in the settings (Enter on \"data\")");
        return -1;
    }
    /* Without a tokenizer the engine explains why text cannot be used. */
    if (ws_data_load(d, &path, 1, s->tok, m->cfg.vocab_size, &e)) {
        snprintf(err, n, "%s", e.msg);
        return -1;
    }
    ws_data_split(d, 0.1);
    return 0;
}

ws_train_opts train_settings_opts(const train_settings *s)
{
    ws_train_opts o = ws_train_defaults();
    o.steps = s->steps;
    o.B = s->B;
    o.T = s->T;
    o.lr = s->lr;
    o.min_lr = s->lr / 10;
    o.seed = s->seed;
    o.eval_every = s->eval_every;
    o.eval_batches = EVAL_BATCHES;
    return o;
}

static void set_log_status(run_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_log_status(run_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&c->mu);
    vsnprintf(c->log_status, sizeof c->log_status, fmt, ap);
    pthread_mutex_unlock(&c->mu);
    va_end(ap);
}

/* The log: created before the first step is written, so no row is lost. */
static void open_log(run_ctx *c, ws_train *tr)
{
    ws_err e = {{0}};
    if (!c->log_path[0])
        return;
    c->log = ws_train_log_open(tr, c->log_path, 1, &e);
    if (c->log)
        set_log_status(c, "log %s", c->log_path);
    else
        set_log_status(c, "no log: %s: %s", c->log_path, e.msg);
}

/* Rows for the new records; a failed write ends the log, not the run. */
static void write_log(run_ctx *c, ws_train *tr, int close)
{
    ws_err e = {{0}};
    if (!c->log)
        return;
    int rc = close ? ws_train_log_close(c->log, tr, &e) : ws_train_log_update(c->log, tr, &e);
    if (close)
        c->log = NULL;
    if (rc)
        set_log_status(c, "log %s: %s", c->log_path, e.msg);
}

static int setup(run_ctx *c, ws_progress *p)
{
    char err[600];
    set_status(c, 0, "reading %s", c->set.data);
    if (train_load_data(c->m, &c->set, &c->d, err, sizeof err)) {
        set_status(c, 1, "%s", err);
        return -1;
    }
    set_status(c, 0, "applying the policies");
    ws_err e = {{0}};
    ws_train_opts o = train_settings_opts(&c->set);
    o.rules = c->rules;
    o.n_rules = c->n_rules;
    ws_train *tr = ws_train_new(c->m, &c->d, &o, 0, &e);
    if (!tr) {
        set_status(c, 1, "%s", e.msg);
        return -1;
    }
    if (ws_cancelled(p) || ws_train_start(tr, &e)) {
        set_status(c, 1, "%s", ws_cancelled(p) ? "cancelled before the first step" : e.msg);
        ws_train_free(tr);
        return -1;
    }
    atomic_store(&c->tr, tr);
    set_status(c, 0, "running");
    open_log(c, tr);
    return 0;
}

/* Write a pending checkpoint once the run is paused or over. */
static void serve_save(run_ctx *c, ws_train *tr)
{
    char path[sizeof c->save_path];
    pthread_mutex_lock(&c->mu);
    int pending = c->save_pending;
    snprintf(path, sizeof path, "%s", c->save_path);
    pthread_mutex_unlock(&c->mu);
    if (!pending)
        return;
    int fin = ws_train_finished(tr);
    if (!fin && ws_train_get_state(tr, NULL, 0) != WS_TRAIN_PAUSED)
        return;
    ws_err e = {{0}};
    int rc = c->save_weights_only ? ws_train_save_weights(tr, path, &e) : ws_train_save(tr, path, &e);
    size_t n = ws_train_nrecords(tr);
    ws_train_rec last = {0};
    if (n)
        ws_train_record(tr, n - 1, &last);
    pthread_mutex_lock(&c->mu);
    int64_t done = last.step + (isnan(last.loss) ? 0 : 1);
    if (rc) {
        snprintf(c->save_msg, sizeof c->save_msg, "not saved: %s", e.msg);
    } else {
        snprintf(c->save_msg, sizeof c->save_msg, "saved the %s of step %lld to %s",
                 c->save_weights_only ? "weights" : "checkpoint", (long long)done, path);
        c->saved_step = done;
    }
    c->save_pending = 0;
    if (c->resume_after && !fin)
        ws_train_resume(tr);
    c->resume_after = 0;
    pthread_mutex_unlock(&c->mu);
}

/* The run's final state as the status line. */
static void final_status(run_ctx *c, ws_train *tr)
{
    char msg[512];
    ws_train_state s = ws_train_get_state(tr, msg, sizeof msg);
    set_status(c, s == WS_TRAIN_FAILED || s == WS_TRAIN_DIVERGED, "%s",
               s == WS_TRAIN_DONE ? "done" : msg);
}

/* Stays until released, so a checkpoint can still be saved after the end. */
static void run_job(void *arg, ws_progress *p)
{
    run_ctx *c = arg;
    if (setup(c, p))
        return;
    ws_train *tr = atomic_load(&c->tr);
    int ended = 0;
    while (!ws_cancelled(p) || !ended) {
        if (ws_cancelled(p))
            ws_train_cancel(tr);
        if (!ended && ws_train_finished(tr)) {
            ws_train_wait(tr);
            write_log(c, tr, 1);
            final_status(c, tr);
            ended = 1;
            atomic_store(&c->ended, 1);
        }
        if (!ended)
            write_log(c, tr, 0);
        serve_save(c, tr);
        struct timespec nap = {0, (ended ? 100 : 20) * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

train_run *train_run_start(ws_model *m, const train_settings *s, const ws_policy_rule *rules,
                           size_t n_rules, const char *log_path)
{
    train_run *r = calloc(1, sizeof *r);
    run_ctx *c = calloc(1, sizeof *c);
    if (!r || !c || !(c->rules = malloc((n_rules ? n_rules : 1) * sizeof *rules))) {
        free(r);
        if (c)
            free(c->rules);
        free(c);
        return NULL;
    }
    c->m = m;
    c->set = *s;
    memcpy(c->rules, rules, n_rules * sizeof *rules);
    c->n_rules = n_rules;
    c->saved_step = -1;
    snprintf(c->log_path, sizeof c->log_path, "%s", log_path ? log_path : "");
    pthread_mutex_init(&c->mu, NULL);
    snprintf(c->status, sizeof c->status, "starting");
    r->c = c;
    if (!(r->job = job_start(run_job, c, ctx_free))) {
        ctx_free(c);
        free(r);
        return NULL;
    }
    return r;
}

void train_run_release(train_run *r)
{
    if (!r)
        return;
    job_release(r->job);   /* the job cancels the run and ends with it */
    free(r);
}

ws_train *train_run_engine(train_run *r) { return atomic_load(&r->c->tr); }

int train_run_status(train_run *r, char *buf, size_t n)
{
    pthread_mutex_lock(&r->c->mu);
    snprintf(buf, n, "%s", r->c->status);
    int failed = r->c->failed;
    pthread_mutex_unlock(&r->c->mu);
    return failed;
}

int train_run_finished(train_run *r)
{
    return job_done(r->job) || atomic_load(&r->c->ended);
}

const train_settings *train_run_settings(const train_run *r) { return &r->c->set; }

void train_run_data(train_run *r, size_t *n_train, size_t *n_val, size_t *n_unk)
{
    /* Written by the job before the engine run is published. */
    int ready = train_run_engine(r) != NULL;
    *n_train = ready ? r->c->d.n_train : 0;
    *n_val = ready ? r->c->d.n - r->c->d.n_train : 0;
    *n_unk = ready ? r->c->d.n_unk : 0;
}

void train_run_pause(train_run *r)
{
    ws_train *tr = train_run_engine(r);
    pthread_mutex_lock(&r->c->mu);
    if (r->c->save_pending)
        r->c->resume_after = 0;
    else if (tr)
        ws_train_pause(tr);
    pthread_mutex_unlock(&r->c->mu);
}

void train_run_resume(train_run *r)
{
    ws_train *tr = train_run_engine(r);
    pthread_mutex_lock(&r->c->mu);
    if (r->c->save_pending)
        r->c->resume_after = 1;   /* after the save */
    else if (tr)
        ws_train_resume(tr);
    pthread_mutex_unlock(&r->c->mu);
}

void train_run_cancel(train_run *r)
{
    job_cancel(r->job);
    ws_train *tr = train_run_engine(r);
    if (tr)
        ws_train_cancel(tr);
}

void train_run_log_status(train_run *r, char *buf, size_t n)
{
    pthread_mutex_lock(&r->c->mu);
    snprintf(buf, n, "%s", r->c->log_status);
    pthread_mutex_unlock(&r->c->mu);
}

int train_run_stop_and_save(train_run *r, const char *path, int weights_only, char *msg,
                            size_t n)
{
    train_run_cancel(r);
    while (!job_wait(r->job, 100))
        ;
    ws_train *tr = train_run_engine(r);
    ws_err e = {{0}};
    if (!tr)
        return snprintf(msg, n, "the run never started"), -1;
    if (weights_only ? ws_train_save_weights(tr, path, &e) : ws_train_save(tr, path, &e))
        return snprintf(msg, n, "%s", e.msg), -1;
    pthread_mutex_lock(&r->c->mu);
    r->c->saved_step = train_run_steps_done(r);
    pthread_mutex_unlock(&r->c->mu);
    snprintf(msg, n, "%s", path);
    return 0;
}

int64_t train_run_saved_step(train_run *r)
{
    pthread_mutex_lock(&r->c->mu);
    int64_t s = r->c->saved_step;
    pthread_mutex_unlock(&r->c->mu);
    return s;
}

int64_t train_run_steps_done(train_run *r)
{
    ws_train *tr = train_run_engine(r);
    return tr ? ws_train_first_step(tr) + (int64_t)atomic_load(&ws_train_progress(tr)->done) : 0;
}

int train_run_save(train_run *r, const char *path, int weights_only)
{
    ws_train *tr = train_run_engine(r);
    if (!tr)
        return -1;
    pthread_mutex_lock(&r->c->mu);
    int busy = r->c->save_pending;
    if (!busy) {
        snprintf(r->c->save_path, sizeof r->c->save_path, "%s", path);
        r->c->save_weights_only = weights_only;
        r->c->save_pending = 1;
        ws_train_state s = ws_train_get_state(tr, NULL, 0);
        r->c->resume_after = s == WS_TRAIN_RUNNING;
        r->c->save_msg[0] = 0;
        ws_train_pause(tr);
    }
    pthread_mutex_unlock(&r->c->mu);
    return busy ? -1 : 0;
}

int train_run_save_status(train_run *r, char *msg, size_t n)
{
    pthread_mutex_lock(&r->c->mu);
    int pending = r->c->save_pending;
    if (msg && n) {
        snprintf(msg, n, "%s", r->c->save_msg);
        r->c->save_msg[0] = 0;
    }
    pthread_mutex_unlock(&r->c->mu);
    return pending;
}
