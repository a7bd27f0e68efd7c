/* The training loop on a worker thread, its records and checkpoints. */
#include "train.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

#include "atomic.h"
#include "ptwrite.h"
#include "safetensors.h"
#include "tokenizer.h"
#include "threads.h"

struct ws_train {
    ws_model *m;
    const ws_data *d;
    ws_train_opts o;
    ws_gpt *g;
    ws_adamw *opt;
    ws_policy *pol;
    int64_t first, step;           /* first step of this run, next step to run */
    int resumed;                   /* continues a checkpoint (--resume) */
    int32_t *x, *y;
    float *snap;                   /* weights before the last update */
    int have_snap;
    int *mat;                      /* param index of each matrix */
    int n_mat;

    pthread_t th;
    int started;
    atomic_int finished;           /* the worker is done, checkpoint written */
    pthread_mutex_t mu;
    pthread_mutex_t wmu;           /* held while the weights are updated */
    pthread_cond_t cv;
    int paused;
    ws_train_state state;
    char msg[2048];
    ws_progress prog;

    ws_train_rec *rec;             /* history */
    float *upd;                    /* n_mat per record */
    size_t n_rec, cap_rec;
    ws_run_event *ev;              /* freeze events */
    size_t n_ev, cap_ev;
    unsigned char *was_frozen;     /* per parameter, as of the last look */

    double t_start, t_paused;      /* monotonic start; seconds spent paused */
};

/* ---- options ---- */

ws_train_opts ws_train_defaults(void)
{
    ws_train_opts o;
    memset(&o, 0, sizeof o);
    o.steps = 1000;
    o.B = 8;
    o.lr = 6e-4f;
    o.min_lr = 6e-5f;
    o.adam = ws_adamw_defaults();
    o.clip = 1.0f;
    o.cosine = 1;
    o.sampling = WS_SAMPLE_RANDOM;
    o.seed = 1;
    o.val_frac = 0.1;
    o.eval_every = 100;
    o.eval_batches = 20;
    return o;
}

char *ws_train_opts_json(const ws_train_opts *o, ws_err *e)
{
    json_t *j = json_pack("{s:I,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s,s:I,s:s,s:s,s:f,s:I,s:i,s:I}",
                          "steps", (json_int_t)o->steps, "batch", o->B, "seq", o->T,
                          "lr", (double)o->lr, "min_lr", (double)o->min_lr,
                          "beta1", (double)o->adam.beta1, "beta2", (double)o->adam.beta2,
                          "eps", (double)o->adam.eps, "weight_decay", (double)o->adam.weight_decay,
                          "clip", (double)o->clip, "schedule", o->cosine ? "cosine" : "constant",
                          "warmup", (json_int_t)o->warmup,
                          "sampling", o->sampling == WS_SAMPLE_SEQUENTIAL ? "sequential" : "random",
                          "seed", "", "val_frac", o->val_frac,
                          "eval_every", (json_int_t)o->eval_every, "eval_batches", o->eval_batches,
                          "pr_every", (json_int_t)o->pr_every);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);   /* all 64 bits */
    char *s = j && !json_object_set_new(j, "seed", json_string(seed))
                  ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!s)
        ws_fail(e, "out of memory");
    return s;
}

int ws_train_opts_from_json(ws_train_opts *o, const char *s, ws_err *e)
{
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    double lr, min_lr, b1, b2, eps, wd, clip;
    json_int_t steps, warmup, eval_every, pr_every;
    const char *sched, *samp, *seed;
    int B, T, eb;
    if (!j || json_unpack_ex(j, &je, 0,
                             "{s:I,s:i,s:i,s:F,s:F,s:F,s:F,s:F,s:F,s:F,s:s,s:I,s:s,s:s,s:F,s:I,s:i,s:I}",
                             "steps", &steps, "batch", &B, "seq", &T, "lr", &lr, "min_lr", &min_lr,
                             "beta1", &b1, "beta2", &b2, "eps", &eps, "weight_decay", &wd,
                             "clip", &clip, "schedule", &sched, "warmup", &warmup,
                             "sampling", &samp, "seed", &seed, "val_frac", &o->val_frac,
                             "eval_every", &eval_every, "eval_batches", &eb,
                             "pr_every", &pr_every)) {
        json_decref(j);
        return ws_fail(e, "checkpoint: bad train.options: %s", je.text);
    }
    o->steps = steps;
    o->B = B;
    o->T = T;
    o->lr = (float)lr;
    o->min_lr = (float)min_lr;
    o->adam.beta1 = (float)b1;
    o->adam.beta2 = (float)b2;
    o->adam.eps = (float)eps;
    o->adam.weight_decay = (float)wd;
    o->clip = (float)clip;
    o->cosine = !strcmp(sched, "cosine");
    o->warmup = warmup;
    o->sampling = strcmp(samp, "sequential") ? WS_SAMPLE_RANDOM : WS_SAMPLE_SEQUENTIAL;
    o->seed = strtoull(seed, NULL, 10);
    o->eval_every = eval_every;
    o->eval_batches = eb;
    o->pr_every = pr_every;
    json_decref(j);
    return 0;
}

/* ---- evaluation ---- */

double ws_eval_windows(ws_gpt *g, const int32_t *tok, size_t n, int B, int T,
                       size_t max_batches, ws_progress *p, ws_err *e)
{
    size_t nwin = n > (size_t)T ? (n - 1) / (size_t)T : 0;
    if (max_batches && nwin > max_batches * (size_t)B)
        nwin = max_batches * (size_t)B;
    if (nwin == 0) {
        ws_fail(e, "%zu tokens hold no window of %d + 1 tokens", n, T);
        return NAN;
    }
    int32_t *x = malloc(sizeof(int32_t) * (size_t)B * T), *y = malloc(sizeof(int32_t) * (size_t)B * T);
    if (!x || !y) {
        free(x);
        free(y);
        ws_fail(e, "out of memory");
        return NAN;
    }
    if (p)
        atomic_store(&p->total, nwin);
    double sum = 0;
    size_t done = 0;
    while (done < nwin && !ws_cancelled(p)) {
        int b = nwin - done < (size_t)B ? (int)(nwin - done) : B;
        for (int k = 0; k < b; k++) {
            memcpy(x + (size_t)k * T, tok + (done + (size_t)k) * T, sizeof(int32_t) * (size_t)T);
            memcpy(y + (size_t)k * T, tok + (done + (size_t)k) * T + 1, sizeof(int32_t) * (size_t)T);
        }
        sum += (double)ws_gpt_forward(g, x, y, b, T) * b;   /* windows weigh equally */
        done += (size_t)b;
        ws_progress_add(p, (size_t)b);
    }
    free(x);
    free(y);
    if (ws_cancelled(p)) {
        ws_fail(e, "cancelled");
        return NAN;
    }
    return sum / (double)nwin;
}

/* ---- setup ---- */

static int find_matrices(ws_train *t, ws_err *e)
{
    size_t np = ws_gpt_nparams(t->g);
    t->mat = malloc(np * sizeof *t->mat);
    if (!t->mat)
        return ws_fail(e, "out of memory");
    for (size_t i = 0; i < np; i++)
        if (ws_gpt_param_at(t->g, i)->ndim == 2)
            t->mat[t->n_mat++] = (int)i;
    return 0;
}

/* Put the checkpoint's m and v into the optimizer. */
static int restore_adam(ws_train *t, ws_err *e)
{
    const char *st = ws_model_meta(t->m, "train.adam_steps");
    if (!st)
        return ws_fail(e, "checkpoint: no train.adam_steps");
    ws_adamw_set_steps(t->opt, strtoll(st, NULL, 10));
    for (size_t i = 0; i < ws_gpt_nparams(t->g); i++) {
        float *mv[2] = {ws_adamw_m(t->opt, i), ws_adamw_v(t->opt, i)};
        const char *pre[2] = {"optim.exp_avg.", "optim.exp_avg_sq."};
        ws_gpt_param *p = ws_gpt_param_at(t->g, i);
        for (int k = 0; k < 2 && mv[0]; k++) {
            char key[512];
            snprintf(key, sizeof key, "%s%s", pre[k], p->name);
            ws_tensor *x = ws_model_find(t->m, key);
            const float *f = x && x->dtype == WS_DT_F32 && (size_t)x->numel == p->n
                                 ? ws_tensor_f32(x, e) : NULL;
            if (!f)
                return ws_fail(e, "checkpoint: %s missing or of the wrong shape", key);
            memcpy(mv[k], f, p->n * sizeof(float));
        }
    }
    return 0;
}

static int setup_resume(ws_train *t, ws_err *e)
{
    const char *step = ws_model_meta(t->m, "train.step");
    const char *pol = ws_model_meta(t->m, "train.policy");
    if (!step || !pol)
        return ws_fail(e, "not a wscope training checkpoint (no train.step / train.policy)");
    if (t->o.n_rules)
        return ws_fail(e, "--policy cannot change on resume: the checkpoint holds the policies");
    t->first = t->step = strtoll(step, NULL, 10);
    t->resumed = 1;
    t->pol = ws_policy_restore(t->g, pol, t->m, e);
    if (!t->pol)
        return -1;
    t->opt = ws_adamw_new(t->g, e);
    return t->opt ? restore_adam(t, e) : -1;
}

ws_train *ws_train_new(ws_model *m, const ws_data *d, const ws_train_opts *o, int resume,
                       ws_err *e)
{
    if (ws_data_check(d, o->B, o->T, m->cfg.block_size, e))
        return NULL;
    if (o->steps < 1 || o->eval_batches < 0 || o->warmup < 0) {
        ws_fail(e, "steps must be >= 1, warm-up and eval batches >= 0");
        return NULL;
    }
    ws_train *t = calloc(1, sizeof *t);
    if (!t) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    t->m = m;
    t->d = d;
    t->o = *o;
    if (!t->o.stop_at || t->o.stop_at > t->o.steps)
        t->o.stop_at = t->o.steps;
    if (!t->o.pr_every)
        t->o.pr_every = t->o.eval_every ? t->o.eval_every : 100;
    pthread_mutex_init(&t->mu, NULL);
    pthread_mutex_init(&t->wmu, NULL);
    pthread_cond_init(&t->cv, NULL);
    int rc = (t->g = ws_gpt_new(m, o->B, o->T, e)) ? 0 : -1;
    if (!rc)
        ws_gpt_set_threads(t->g, o->threads);
    if (!rc && resume)
        rc = setup_resume(t, e);
    else if (!rc) {
        t->pol = ws_policy_apply(t->g, o->rules, o->n_rules, o->seed, e);
        t->opt = t->pol ? ws_adamw_new(t->g, e) : NULL;
        rc = t->opt ? 0 : -1;
    }
    size_t bt = (size_t)o->B * o->T;
    if (!rc && (!(t->x = malloc(bt * sizeof *t->x)) || !(t->y = malloc(bt * sizeof *t->y)) ||
                !(t->snap = malloc(ws_gpt_numel(t->g) * sizeof *t->snap)) ||
                !(t->was_frozen = calloc(ws_gpt_nparams(t->g) + 1, 1))))
        rc = ws_fail(e, "out of memory");
    for (size_t i = 0; !rc && i < ws_gpt_nparams(t->g); i++)
        t->was_frozen[i] = (unsigned char)ws_policy_is_frozen(t->pol, i);
    if (!rc)
        rc = find_matrices(t, e);
    if (!rc && t->step >= t->o.stop_at)
        rc = ws_fail(e, "the checkpoint is already at step %lld of %lld",
                     (long long)t->step, (long long)t->o.stop_at);
    if (rc) {
        ws_train_free(t);
        return NULL;
    }
    ws_progress_init(&t->prog, (size_t)(t->o.stop_at - t->first));
    return t;
}

void ws_train_free(ws_train *t)
{
    if (!t)
        return;
    if (t->started) {
        ws_train_cancel(t);
        ws_train_resume(t);
        ws_train_wait(t);
    }
    ws_adamw_free(t->opt);
    ws_policy_free(t->pol);
    ws_gpt_free(t->g);
    free(t->x);
    free(t->y);
    free(t->snap);
    free(t->mat);
    free(t->rec);
    free(t->upd);
    free(t->ev);
    free(t->was_frozen);
    pthread_mutex_destroy(&t->mu);
    pthread_mutex_destroy(&t->wmu);
    pthread_cond_destroy(&t->cv);
    free(t);
}

/* ---- records ---- */

static int push_record(ws_train *t, const ws_train_rec *r, const float *upd)
{
    pthread_mutex_lock(&t->mu);
    if (t->n_rec == t->cap_rec) {
        size_t cap = t->cap_rec ? 2 * t->cap_rec : 256;
        ws_train_rec *nr = realloc(t->rec, cap * sizeof *nr);
        if (nr)
            t->rec = nr;
        float *nu = realloc(t->upd, cap * (size_t)(t->n_mat ? t->n_mat : 1) * sizeof *nu);
        if (nu)
            t->upd = nu;
        if (!nr || !nu) {
            pthread_mutex_unlock(&t->mu);
            return -1;
        }
        t->cap_rec = cap;
    }
    t->rec[t->n_rec] = *r;
    for (int k = 0; k < t->n_mat; k++)
        t->upd[t->n_rec * (size_t)t->n_mat + (size_t)k] = upd ? upd[k] : NAN;
    t->n_rec++;
    pthread_mutex_unlock(&t->mu);
    return 0;
}

/* Snapshots of the worker's growing arrays (records, events) under the
 * lock: the count, and a copy of item i of `size` bytes (the array may
 * move when it grows, so it is read through its field). */
static size_t locked_count(ws_train *t, const size_t *n)
{
    pthread_mutex_lock(&t->mu);
    size_t k = *n;
    pthread_mutex_unlock(&t->mu);
    return k;
}

static int locked_copy(ws_train *t, void *const *arr, const size_t *n, size_t i, size_t size,
                       void *out)
{
    pthread_mutex_lock(&t->mu);
    int ok = i < *n;
    if (ok)
        memcpy(out, (const char *)*arr + i * size, size);
    pthread_mutex_unlock(&t->mu);
    return ok ? 0 : -1;
}

size_t ws_train_nrecords(ws_train *t) { return locked_count(t, &t->n_rec); }

int ws_train_record(ws_train *t, size_t i, ws_train_rec *out)
{
    return locked_copy(t, (void *const *)&t->rec, &t->n_rec, i, sizeof *out, out);
}

int ws_train_n_matrices(const ws_train *t) { return t->n_mat; }

const char *ws_train_matrix_name(const ws_train *t, int k)
{
    return k >= 0 && k < t->n_mat ? ws_gpt_param_at(t->g, (size_t)t->mat[k])->name : NULL;
}

int ws_train_update_norms(ws_train *t, size_t i, float *out)
{
    pthread_mutex_lock(&t->mu);
    int ok = i < t->n_rec;
    if (ok)
        memcpy(out, t->upd + i * (size_t)t->n_mat, (size_t)t->n_mat * sizeof *out);
    pthread_mutex_unlock(&t->mu);
    return ok ? 0 : -1;
}

size_t ws_train_nevents(ws_train *t) { return locked_count(t, &t->n_ev); }

int ws_train_event(ws_train *t, size_t i, ws_run_event *out)
{
    return locked_copy(t, (void *const *)&t->ev, &t->n_ev, i, sizeof *out, out);
}

/* Record the parameters that froze since the last look, frozen from
 * `step` on (freeze@S at the start of step S, freeze-pr after a check). */
static void note_freezes(ws_train *t, int64_t step)
{
    for (size_t i = 0; i < ws_gpt_nparams(t->g); i++) {
        if (t->was_frozen[i] || !ws_policy_is_frozen(t->pol, i))
            continue;
        t->was_frozen[i] = 1;
        pthread_mutex_lock(&t->mu);
        if (t->n_ev == t->cap_ev) {
            size_t cap = t->cap_ev ? 2 * t->cap_ev : 16;
            ws_run_event *n = realloc(t->ev, cap * sizeof *n);
            if (!n) {
                pthread_mutex_unlock(&t->mu);
                return;   /* events are a display aid: the run goes on */
            }
            t->ev = n;
            t->cap_ev = cap;
        }
        ws_run_event *v = &t->ev[t->n_ev++];
        v->step = step;
        snprintf(v->tensor, sizeof v->tensor, "%s", ws_gpt_param_at(t->g, i)->name);
        ws_policy_freeze_reason(t->pol, i, v->why, sizeof v->why);
        pthread_mutex_unlock(&t->mu);
    }
}

ws_gpt *ws_train_gpt(ws_train *t) { return t->g; }
const ws_policy *ws_train_policy(const ws_train *t) { return t->pol; }

int ws_train_copy_weights(ws_train *t, const char *name, float *out, size_t n, ws_err *e)
{
    ws_gpt_param *p = ws_gpt_param_by_name(t->g, name);
    if (!p)
        return ws_fail(e, "%s: not a trained tensor", name);
    if (p->n != n)
        return ws_fail(e, "%s: %zu values, not %zu", name, p->n, n);
    pthread_mutex_lock(&t->wmu);
    memcpy(out, p->w, n * sizeof *out);
    pthread_mutex_unlock(&t->wmu);
    return 0;
}
int64_t ws_train_first_step(const ws_train *t) { return t->first; }
ws_progress *ws_train_progress(ws_train *t) { return &t->prog; }

/* ---- state ---- */

static void set_state(ws_train *t, ws_train_state s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_state(ws_train *t, ws_train_state s, const char *fmt, ...)
{
    pthread_mutex_lock(&t->mu);
    t->state = s;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->msg, sizeof t->msg, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&t->mu);
}

ws_train_state ws_train_get_state(ws_train *t, char *msg, size_t n)
{
    pthread_mutex_lock(&t->mu);
    ws_train_state s = t->state;
    if (msg && n)
        snprintf(msg, n, "%s", t->msg);
    pthread_mutex_unlock(&t->mu);
    return s;
}

void ws_train_pause(ws_train *t)
{
    pthread_mutex_lock(&t->mu);
    t->paused = 1;
    pthread_mutex_unlock(&t->mu);
}

void ws_train_resume(ws_train *t)
{
    pthread_mutex_lock(&t->mu);
    t->paused = 0;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

void ws_train_cancel(ws_train *t) { atomic_store(&t->prog.cancel, 1); }

/* Wait while paused (and not cancelled). */
static void pause_point(ws_train *t)
{
    pthread_mutex_lock(&t->mu);
    if (t->paused && !ws_cancelled(&t->prog)) {
        double t0 = ws_monotonic_s();
        t->state = WS_TRAIN_PAUSED;
        while (t->paused && !ws_cancelled(&t->prog)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100000000;   /* recheck cancel, which is set without the lock */
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&t->cv, &t->mu, &ts);
        }
        t->state = WS_TRAIN_RUNNING;
        t->t_paused += ws_monotonic_s() - t0;
    }
    pthread_mutex_unlock(&t->mu);
}

/* ---- checkpoint ---- */

static int add_f32(ws_model *out, const char *name, int ndim, const int64_t *shape, size_t n,
                   const float *src, ws_err *e)
{
    float *buf = malloc(n * sizeof *buf + 1);
    if (!buf)
        return ws_fail(e, "out of memory");
    if (src)
        memcpy(buf, src, n * sizeof *buf);
    else
        memset(buf, 0, n * sizeof *buf);
    if (!ws_model_add(out, name, WS_DT_F32, ndim, shape, buf, 1, e)) {
        free(buf);
        return -1;
    }
    return 0;
}

/* The model's tensors: trained ones as float32 slots for write-back, the
 * rest (buffers the network does not use) as they are; never the input's
 * training state. */
static int add_model_tensors(ws_train *t, ws_model *out, ws_err *e)
{
    for (size_t i = 0; i < t->m->n_tensors; i++) {
        ws_tensor *s = &t->m->tensors[i];
        if (s->kind == WS_KIND_STATE)
            continue;
        if (ws_gpt_param_by_name(t->g, s->name)) {
            if (add_f32(out, s->name, s->ndim, s->shape, (size_t)s->numel, NULL, e))
                return -1;
        } else if (!ws_model_add(out, s->name, s->dtype, s->ndim, s->shape, (void *)s->data, 0, e))
            return -1;
    }
    return 0;
}

/* The lowest validation loss this run has measured, and on a resume the
 * checkpoint's best_val_loss too (NaN: none). nanoGPT keeps it under that
 * name; an input's own (a base model's) says nothing about these weights. */
static double best_val(ws_train *t)
{
    const char *in = t->resumed ? ws_model_meta(t->m, "best_val_loss") : NULL;
    double best = in ? strtod(in, NULL) : NAN;
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->n_rec; i++)
        if (isfinite(t->rec[i].val_loss) && !(t->rec[i].val_loss >= best))
            best = t->rec[i].val_loss;
    pthread_mutex_unlock(&t->mu);
    return best;
}

/* The run's settings (train.options): for a resume, and for the settings
 * of nanoGPT's config in a .pt. */
static int add_options(ws_train *t, ws_model *out, ws_err *e)
{
    char *oj = ws_train_opts_json(&t->o, e);
    int rc = !oj || ws_model_set_meta(out, "train.options", oj, e) ? -1 : 0;
    free(oj);
    return rc;
}

static int add_meta(ws_train *t, ws_model *out, int64_t step, int with_state, ws_err *e)
{
    char buf[32];
    for (size_t i = 0; i < t->m->n_meta; i++)
        if (strncmp(t->m->meta_keys[i], "train.", 6) && strcmp(t->m->meta_keys[i], "best_val_loss") &&
            ws_model_set_meta(out, t->m->meta_keys[i], t->m->meta_vals[i], e))
            return -1;
    double best = best_val(t);
    snprintf(buf, sizeof buf, "%.9g", best);
    if (isfinite(best) && ws_model_set_meta(out, "best_val_loss", buf, e))
        return -1;
    snprintf(buf, sizeof buf, "%lld", (long long)step);
    if (ws_model_set_meta(out, "train.step", buf, e))
        return -1;
    if (!with_state)
        return 0;
    snprintf(buf, sizeof buf, "%lld", (long long)ws_adamw_steps(t->opt));
    char *pj = ws_policy_state_json(t->pol, t->g, e);
    int rc = !pj || ws_model_set_meta(out, "train.adam_steps", buf, e) || add_options(t, out, e) ||
             ws_model_set_meta(out, "train.policy", pj, e) ? -1 : 0;
    free(pj);
    return rc;
}

static int add_optim(ws_train *t, ws_model *out, ws_err *e)
{
    for (size_t i = 0; i < ws_gpt_nparams(t->g); i++) {
        ws_gpt_param *p = ws_gpt_param_at(t->g, i);
        const float *m = ws_adamw_m(t->opt, i), *v = ws_adamw_v(t->opt, i);
        int64_t shape[2] = {p->rows, p->cols};
        char key[512];
        if (!m || ws_policy_is_frozen(t->pol, i))   /* frozen: state no longer used */
            continue;
        snprintf(key, sizeof key, "optim.exp_avg.%s", p->name);
        if (add_f32(out, key, 2, shape, p->n, m, e))
            return -1;
        snprintf(key, sizeof key, "optim.exp_avg_sq.%s", p->name);
        if (add_f32(out, key, 2, shape, p->n, v, e))
            return -1;
    }
    return ws_policy_save_tensors(t->pol, t->g, out, e);
}

/* Write over the input model only when asked (and only a model that is one
 * whole file); the old file stays mapped until the model is freed. */
static int save_file(const ws_model *out, const char *path, int overwrite, ws_err *e)
{
    return ws_model_save_flags(out, path, overwrite ? WS_OUT_REPLACE_MODEL : 0, e);
}

/* A weights-only save: each trained weight in `wdt`, or with WS_DT_COUNT
 * in its input's dtype (F16 and BF16 kept, anything else F32). */
static int weights_dtypes(ws_train *t, ws_model *out, ws_dtype wdt, ws_err *e)
{
    for (size_t i = 0; i < out->n_tensors; i++) {
        ws_tensor *x = &out->tensors[i];
        const ws_tensor *in = ws_model_find(t->m, x->name);
        if (!ws_gpt_param_by_name(t->g, x->name) || !in)
            continue;
        ws_dtype dt = wdt != WS_DT_COUNT ? wdt : ws_weights_dtype_like(in);
        if (ws_tensor_narrow(x, dt, e) < 0)
            return -1;
    }
    return 0;
}

/* The model at `step`: weights (and, with_state, everything needed to
 * resume); without state the weights in `wdt` (WS_DT_COUNT: the input's;
 * F32: as trained). NULL with a message. */
static ws_model *build_at(ws_train *t, int64_t step, int with_state, ws_dtype wdt, ws_err *e)
{
    ws_model *out = ws_model_new();
    if (!out) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    int rc = add_model_tensors(t, out, e) || add_meta(t, out, step, with_state, e) ? -1 : 0;
    if (!rc) {
        ws_model_recognise(out);   /* orientation for write-back (HF Conv1D) */
        pthread_mutex_lock(&t->wmu);
        rc = ws_gpt_write_back(t->g, out, e);
        pthread_mutex_unlock(&t->wmu);
    }
    if (!rc && with_state && !(rc = add_optim(t, out, e)))
        ws_model_recognise(out);   /* the state tensors' kind, for writers that leave them out */
    if (!rc && !with_state)
        rc = weights_dtypes(t, out, wdt, e);
    if (rc) {
        ws_model_free(out);
        return NULL;
    }
    return out;
}

/* The dtype of weights-only saves: --dtype, else the input's. */
static ws_dtype save_dtype(const ws_train *t)
{
    return t->o.weights_dtype_set ? t->o.weights_dtype : WS_DT_COUNT;
}

/* Save weights (and, with_state, everything needed to resume) at `step`.
 * A .pt holds no training state (ptwrite.h): it is a weights-only save,
 * each weight in the input's dtype or --dtype's, with the run's settings
 * for nanoGPT's config. */
static int save_at(ws_train *t, const char *path, int64_t step, int with_state, ws_dtype wdt,
                   ws_err *e)
{
    int pt = ws_pt_path(path);
    if (with_state && pt)
        with_state = 0, wdt = save_dtype(t);
    ws_model *out = build_at(t, step, with_state, wdt, e);
    if (!out)
        return -1;
    int rc = pt && add_options(t, out, e) ? -1 : save_file(out, path, t->o.overwrite_input, e);
    ws_model_free(out);
    return rc;
}

int ws_train_save(ws_train *t, const char *path, ws_err *e)
{
    return save_at(t, path, t->step, 1, WS_DT_F32, e);
}

int ws_train_save_weights(ws_train *t, const char *path, ws_err *e)
{
    return save_at(t, path, t->step, 0, save_dtype(t), e);
}

int ws_train_save_weights_as(ws_train *t, const char *path, ws_dtype dt, ws_err *e)
{
    if (dt != WS_DT_COUNT && dt != WS_DT_F32 && dt != WS_DT_F16 && dt != WS_DT_BF16)
        return ws_fail(e, "weights are saved as F32, F16 or BF16, not %s", ws_dtype_name(dt));
    return save_at(t, path, t->step, 0, dt, e);
}

ws_model *ws_train_weights_model(ws_train *t, const char *path, ws_err *e)
{
    ws_model *m = build_at(t, t->step, 0, WS_DT_F32, e);   /* in memory: as trained */
    if (!m)
        return NULL;
    /* What the user told us about the input (--heads) holds for its weights. */
    m->cfg.n_head = t->m->cfg.n_head;
    m->cfg.n_head_known = t->m->cfg.n_head_known;
    m->cfg.gelu_tanh = t->m->cfg.gelu_tanh;
    m->cfg.ln_eps = t->m->cfg.ln_eps;
    if (path && !(m->path = strdup(path))) {
        ws_model_free(m);
        ws_fail(e, "out of memory");
        return NULL;
    }
    return m;
}

/* ---- the loop ---- */

/* Running seconds since the start, pauses excluded. */
static double run_seconds(const ws_train *t)
{
    return ws_monotonic_s() - t->t_start - t->t_paused;
}

static float eval_val(ws_train *t)
{
    const ws_data *d = t->d;
    ws_err e;
    if (d->n - d->n_train < (size_t)t->o.T + 1)
        return NAN;
    return (float)ws_eval_windows(t->g, d->tok + d->n_train, d->n - d->n_train, t->o.B, t->o.T,
                                  (size_t)t->o.eval_batches, NULL, &e);
}

typedef struct norm_job {
    ws_train *t;
    float *upd;
} norm_job;

static void norm_range(size_t b, size_t end, int tid, void *u)
{
    (void)tid;
    norm_job *j = u;
    for (size_t k = b; k < end; k++) {
        ws_gpt_param *p = ws_gpt_param_at(j->t->g, (size_t)j->t->mat[k]);
        const float *old = j->t->snap + (p->w - ws_gpt_weights(j->t->g));
        double s = 0;
        for (size_t i = 0; i < p->n; i++)
            s += ((double)p->w[i] - old[i]) * ((double)p->w[i] - old[i]);
        j->upd[k] = (float)sqrt(s);
    }
}

/* ‖W_after − W_before‖ of each matrix, one matrix per task. */
static void update_norms(ws_train *t, float *upd)
{
    norm_job j = {t, upd};
    ws_parallel_for((size_t)t->n_mat, 1, t->o.threads, norm_range, &j, NULL);
}

/* Step s diverged (`what`): go back to the weights of the last step that
 * had both a finite loss and a finite gradient (the snapshot taken before
 * the last update). Weights that give a finite loss on one batch but an
 * infinite gradient are already unusable, so they are not kept. */
static void roll_back(ws_train *t, int64_t s, const char *what)
{
    pthread_mutex_lock(&t->wmu);
    if (t->have_snap)
        memcpy(ws_gpt_weights(t->g), t->snap, ws_gpt_numel(t->g) * sizeof(float));
    pthread_mutex_unlock(&t->wmu);
    int64_t kept = t->have_snap ? s - 1 : s;
    set_state(t, WS_TRAIN_DIVERGED, "%s at step %lld: stopped, keeping the weights of step %lld",
              what, (long long)s, (long long)kept);
    t->step = kept;
}

/* One step; returns 0, or 1 when the run must stop (state set). */
static int one_step(ws_train *t, float *upd)
{
    const ws_train_opts *o = &t->o;
    int64_t s = t->step;
    ws_train_rec r = {.step = s, .loss = NAN, .val_loss = NAN};
    ws_policy_begin_step(t->pol, t->g, s);
    note_freezes(t, s);
    if (o->eval_every && s % o->eval_every == 0)
        r.val_loss = eval_val(t);
    double t0 = ws_monotonic_s();
    ws_data_batch(t->d->tok, t->d->n_train, o->B, o->T, o->sampling, o->seed, s, t->x, t->y);
    r.loss = ws_gpt_forward(t->g, t->x, t->y, o->B, o->T);
    if (!isfinite(r.loss)) {
        roll_back(t, s, isnan(r.loss) ? "the loss is NaN" : "the loss is infinite");
        return 1;
    }
    ws_gpt_zero_grad(t->g);
    ws_gpt_backward(t->g);
    ws_policy_after_backward(t->pol, t->g);
    r.grad_norm = ws_policy_global_norm(t->pol, t->g);
    if (!isfinite(r.grad_norm)) {
        roll_back(t, s, "the gradient norm is not finite");
        return 1;
    }
    if (o->clip > 0)
        ws_policy_clip(t->pol, t->g, o->clip, r.grad_norm);
    r.lr = ws_lr_at((int)s, (int)o->warmup, (int)o->steps, o->lr, o->cosine, o->min_lr);
    memcpy(t->snap, ws_gpt_weights(t->g), ws_gpt_numel(t->g) * sizeof(float));
    t->have_snap = 1;
    pthread_mutex_lock(&t->wmu);
    ws_adamw_step(t->opt, t->g, &o->adam, r.lr);
    ws_policy_step(t->pol, t->g, &o->adam, r.lr, ws_adamw_steps(t->opt));
    pthread_mutex_unlock(&t->wmu);
    r.tokens_per_s = (double)o->B * o->T / (ws_monotonic_s() - t0);
    update_norms(t, upd);
    t->step = s + 1;
    if (t->step % o->pr_every == 0 && ws_policy_check_pr(t->pol, t->g))
        note_freezes(t, t->step);
    r.n_frozen = ws_policy_n_frozen(t->pol);
    r.elapsed_s = run_seconds(t);
    push_record(t, &r, upd);
    ws_progress_add(&t->prog, 1);
    return 0;
}

/* "DIR/STEM.recovered[-K].safetensors" for the output `out`. */
static void recovery_name(const char *dir, const char *out, int k, char *buf, size_t n)
{
    const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
    size_t stem = strlen(base);
    if (stem > 12 && !strcmp(base + stem - 12, ".safetensors"))
        stem -= 12;
    if (k > 1)
        snprintf(buf, n, "%s/%.*s.recovered-%d.safetensors", dir, (int)stem, base, k);
    else
        snprintf(buf, n, "%s/%.*s.recovered.safetensors", dir, (int)stem, base);
}

/* The final save failed: write the weights somewhere else rather than lose
 * the run. Beside the output, then in the working directory, then in
 * $TMPDIR (or /tmp); never over an existing file. 0 with `where` set. */
static int save_recovery(ws_train *t, int with_state, char *where, size_t n)
{
    char odir[4096];
    const char *slash = strrchr(t->o.out, '/');
    snprintf(odir, sizeof odir, "%.*s", slash ? (int)(slash - t->o.out) : 1, slash ? t->o.out : ".");
    if (!odir[0])
        snprintf(odir, sizeof odir, "/");
    const char *tmpdir = getenv("TMPDIR");
    const char *dirs[] = {odir, ".", tmpdir && *tmpdir ? tmpdir : "/tmp"};
    for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++)
        for (int k = 1; k < 10; k++) {
            ws_err e;
            recovery_name(dirs[d], t->o.out, k, where, n);
            if (access(where, F_OK) == 0)
                continue;
            if (save_at(t, where, t->step, with_state, save_dtype(t), &e) == 0)
                return 0;
            break;   /* this directory does not take it: try the next */
        }
    return -1;
}

static void save_checkpoint(ws_train *t, int with_state, int final)
{
    ws_err e;
    if (!t->o.out)
        return;
    if (save_at(t, t->o.out, t->step, with_state, save_dtype(t), &e)) {
        char old[sizeof t->msg], where[4200];
        ws_train_get_state(t, old, sizeof old);
        if (final && save_recovery(t, with_state, where, sizeof where) == 0)
            set_state(t, WS_TRAIN_FAILED, "%s%s%s: %s; the weights of step %lld were saved to %s instead",
                      old, old[0] ? "; " : "", t->o.out, e.msg, (long long)t->step, where);
        else
            set_state(t, WS_TRAIN_FAILED, "%s%s%s: %s%s", old, old[0] ? "; " : "", t->o.out, e.msg,
                      final ? "; no recovery file could be written either: the weights are lost" : "");
    }
}

static void *worker(void *arg)
{
    ws_train *t = arg;
    float *upd = malloc(((size_t)t->n_mat + 1) * sizeof *upd);
    if (!upd) {
        set_state(t, WS_TRAIN_FAILED, "out of memory");
        atomic_store(&t->finished, 1);
        return NULL;
    }
    int stop = 0;
    while (!stop && t->step < t->o.stop_at) {
        pause_point(t);
        if (ws_cancelled(&t->prog)) {
            set_state(t, WS_TRAIN_CANCELLED, "stopped at step %lld", (long long)t->step);
            break;
        }
        stop = one_step(t, upd);
        if (!stop && t->o.save_every && t->step % t->o.save_every == 0 && t->step < t->o.stop_at)
            save_checkpoint(t, 1, 0);
    }
    ws_train_state st = ws_train_get_state(t, NULL, 0);
    int completed = st == WS_TRAIN_RUNNING;
    if (completed) {
        ws_train_rec r = {t->step, NAN, eval_val(t), NAN, NAN, NAN, NAN,
                          ws_policy_n_frozen(t->pol)};
        r.elapsed_s = run_seconds(t);
        push_record(t, &r, NULL);
        set_state(t, WS_TRAIN_DONE, NULL);
    }
    /* Weights only after a divergence (the optimizer state is past them)
     * and, when asked, after a completed run. */
    save_checkpoint(t, st != WS_TRAIN_DIVERGED && !(completed && t->o.weights_only), 1);
    free(upd);
    atomic_store(&t->finished, 1);
    return NULL;
}

int ws_train_start(ws_train *t, ws_err *e)
{
    if (t->started)
        return ws_fail(e, "the run was already started");
    t->state = WS_TRAIN_RUNNING;
    t->t_start = ws_monotonic_s();
    t->t_paused = 0;
    if (pthread_create(&t->th, NULL, worker, t)) {
        t->state = WS_TRAIN_FAILED;
        return ws_fail(e, "cannot start the training thread");
    }
    t->started = 1;
    return 0;
}

int ws_train_finished(ws_train *t) { return atomic_load(&t->finished); }

ws_train_state ws_train_wait(ws_train *t)
{
    if (t->started) {
        pthread_join(t->th, NULL);
        t->started = 0;
    }
    return ws_train_get_state(t, NULL, 0);
}
