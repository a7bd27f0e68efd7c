/* The runs of a TUI session (see train_runs.h). */
#include "train_runs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "outdir.h"
#include "train.h"
#include "train_run.h"

/* ---- the list ---- */

static tui_run *append(tui_train *s, char *err, size_t n)
{
    if (s->n_runs == s->cap_runs) {
        size_t cap = s->cap_runs ? 2 * s->cap_runs : 8;
        tui_run *r = realloc(s->runs, cap * sizeof *r);
        if (!r) {
            snprintf(err, n, "out of memory");
            return NULL;
        }
        s->runs = r;
        s->cap_runs = cap;
    }
    tui_run *r = &s->runs[s->n_runs];
    memset(r, 0, sizeof *r);
    r->saved_step = -1;
    r->shown = 1;
    return r;
}

/* "200 steps, batch 8, seq 64, lr 0.0006, seed 1, eval every 20, data X, from Y" */
static void settings_text(const train_settings *set, const char *from, char *buf, size_t n)
{
    const char *b = strrchr(set->data, '/');
    snprintf(buf, n, "%lld steps, batch %d, seq %d, lr %g, seed %llu, eval every %lld, data %s, "
             "from %s", (long long)set->steps, set->B, set->T, set->lr,
             (unsigned long long)set->seed, (long long)set->eval_every,
             set->data[0] ? (b ? b + 1 : set->data) : "(none)", from);
}

/* "attn_out@4=crystal:1, ..." or "all train" (escaped names shown plain) */
static void policies_text(const ws_policy_rule *rules, size_t n_rules, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n_rules && k + 1 < n; i++) {
        char pol[64], name[160];
        size_t j = 0;
        for (const char *c = rules[i].pattern; *c && j + 1 < sizeof name; c++)
            if (*c != '\\' || !c[1])
                name[j++] = *c;
            else
                name[j++] = *++c;
        name[j] = 0;
        ws_policy_kind_text(rules[i].kind, rules[i].arg, rules[i].threshold, rules[i].centres, pol,
                            sizeof pol);
        k += (size_t)snprintf(buf + k, n - k, "%s%s=%s", i ? ", " : "", name, pol);
    }
    if (!n_rules)
        snprintf(buf, n, "all train");
}

/* The latest run keeps its engine; an older one keeps its weights. */
static void retire(tui_run *r)
{
    char err[256];
    if (!r->live)
        return;
    if (train_run_steps_done(r->live) > 0)
        tui_run_weights(r, err, sizeof err);   /* without memory it is only not browsable */
    int64_t saved = train_run_saved_step(r->live);
    if (saved > r->saved_step)
        r->saved_step = saved;
    r->steps_done = train_run_steps_done(r->live);
    snprintf(r->ended_as, sizeof r->ended_as, "%s", tui_run_state(r));
    train_run_release(r->live);
    r->live = NULL;
}

tui_run *train_runs_start(tui_train *s, ws_model *start, const char *start_name,
                          const ws_model *model, const ws_policy_rule *rules, size_t n_rules,
                          char *err, size_t n)
{
    ws_err e = {{0}};
    char what[32], log[2400], text[1200];
    int number = ++s->runs_started;
    snprintf(what, sizeof what, "run%d", number);
    if (tui_fresh_path(model, what, "csv", log, sizeof log))
        log[0] = 0;   /* 99 logs of this name: the run goes without one */
    /* The earlier runs first: appending may move the array. */
    for (size_t i = 0; i < s->n_runs; i++)
        retire(&s->runs[i]);
    tui_run *r = append(s, err, n);
    if (!r)
        return NULL;
    snprintf(what, sizeof what, "run %d", number);
    ws_run_init(&r->rec, what);
    r->number = number;
    r->set = s->set;
    r->rec.total_steps = s->set.steps;
    settings_text(&s->set, start_name, text, sizeof text);
    int rc = ws_run_set_text(&r->rec.settings, text, &e);
    policies_text(rules, n_rules, text, sizeof text);
    rc = rc || ws_run_set_text(&r->rec.policies, text, &e) ||
         ws_run_set_text(&r->rec.log_path, log[0] ? log : NULL, &e);
    if (rc || !(r->live = train_run_start(start, &s->set, rules, n_rules, log[0] ? log : NULL))) {
        snprintf(err, n, "%s", rc ? e.msg : "cannot start the run (no memory or no thread)");
        ws_run_free(&r->rec);
        s->runs_started--;
        return NULL;
    }
    s->n_runs++;
    s->run = r->live;
    return r;
}

tui_run *train_runs_open_log(tui_train *s, const char *path, char *err, size_t n)
{
    ws_err e = {{0}};
    tui_run *r = append(s, err, n);
    if (!r)
        return NULL;
    char name[64];
    ws_runlog_name(path, name, sizeof name);
    ws_run_init(&r->rec, name);
    if (ws_run_set_text(&r->rec.log_path, path, &e) ||
        ws_run_set_text(&r->rec.settings, "a training log", &e) ||
        !(r->follow = ws_runlog_follow_open(path, &r->rec, &e))) {
        snprintf(err, n, "%s: %s", path, e.msg);
        ws_run_free(&r->rec);
        return NULL;
    }
    s->n_runs++;
    return r;
}

/* ---- keeping up ---- */

/* New engine records and events into the run's record. */
static int sync_live(tui_run *r)
{
    ws_train *tr = train_run_engine(r->live);
    if (!tr)
        return 0;
    ws_err e;
    int changed = 0;
    ws_train_rec rec;
    for (size_t i = r->rec.n_rec; !ws_train_record(tr, i, &rec); i++) {
        if (ws_run_add(&r->rec, &rec, &e))
            break;
        changed = 1;
    }
    ws_run_event ev;
    for (; !ws_train_event(tr, r->synced_ev, &ev); r->synced_ev++) {
        if (ws_run_add_event(&r->rec, ev.step, ev.tensor, ev.why, &e))
            break;
        changed = 1;
    }
    int64_t done = train_run_steps_done(r->live);
    changed |= done != r->steps_done;
    r->steps_done = done;
    return changed;
}

int train_runs_sync(tui_train *s)
{
    int changed = 0;
    for (size_t i = 0; i < s->n_runs; i++) {
        tui_run *r = &s->runs[i];
        if (r->live) {
            changed |= sync_live(r);
        } else if (r->follow && !r->error[0]) {
            ws_err e = {{0}};
            long k = ws_runlog_follow_poll(r->follow, &r->rec, &e);
            if (k < 0)
                snprintf(r->error, sizeof r->error, "%s", e.msg);
            changed |= k != 0;
        }
    }
    return changed;
}

/* ---- state ---- */

tui_run *train_run_by_number(tui_train *s, int number)
{
    for (size_t i = 0; i < s->n_runs; i++)
        if (number > 0 && s->runs[i].number == number)
            return &s->runs[i];
    return NULL;
}

int tui_run_active(tui_run *r)
{
    return r->live && !train_run_finished(r->live);
}

int tui_run_unsaved(tui_run *r)
{
    int64_t saved = r->live ? train_run_saved_step(r->live) : r->saved_step;
    int64_t done = r->live ? train_run_steps_done(r->live) : r->steps_done;
    return !r->follow && done > 0 && done > saved;
}

int train_runs_active(tui_train *s)
{
    int k = 0;
    for (size_t i = 0; i < s->n_runs; i++)
        k += tui_run_active(&s->runs[i]);
    return k;
}

int train_runs_unsaved(tui_train *s)
{
    int k = 0;
    for (size_t i = 0; i < s->n_runs; i++)
        k += tui_run_unsaved(&s->runs[i]);
    return k;
}

void train_runs_quit_question(tui_train *s, char *buf, size_t n)
{
    tui_run *going = NULL;
    int unsaved = 0;
    for (size_t i = 0; i < s->n_runs; i++) {
        if (tui_run_active(&s->runs[i]))
            going = &s->runs[i];
        unsaved += tui_run_unsaved(&s->runs[i]);
    }
    char what[160];
    if (going)
        snprintf(what, sizeof what, "%s is going (%lld/%lld)", going->rec.name,
                 (long long)train_run_steps_done(going->live), (long long)going->set.steps);
    else
        snprintf(what, sizeof what, "%d run%s not saved", unsaved, unsaved == 1 ? " is" : "s are");
    /* Within 80 columns: the question is useless cut. */
    snprintf(buf, n, "quit? %s: s save, d discard, other keys stay", what);
}

/* Weights taken at an earlier step stay alive (something may show them)
 * until the runs are freed. */
static int keep_stale(tui_run *r)
{
    ws_model **s = realloc(r->stale, (r->n_stale + 1) * sizeof *s);
    if (!s)
        return -1;
    r->stale = s;
    r->stale[r->n_stale++] = r->weights;
    r->weights = NULL;
    return 0;
}

ws_model *tui_run_weights(tui_run *r, char *err, size_t n)
{
    ws_err e = {{0}};
    int64_t done = r->live ? train_run_steps_done(r->live) : r->steps_done;
    if (r->weights && r->live && done != r->weights_step && keep_stale(r)) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    if (r->weights) {   /* named after the run as it is called now */
        char *name = strdup(r->rec.name);
        if (name) {
            free(r->weights->path);
            r->weights->path = name;
        }
        return r->weights;
    }
    ws_train *tr = r->live ? train_run_engine(r->live) : NULL;
    if (!tr) {
        snprintf(err, n, "%s has no weights here (%s)", r->rec.name,
                 r->follow ? "a log holds only numbers" : "it never started");
        return NULL;
    }
    if (train_run_steps_done(r->live) == 0) {
        snprintf(err, n, "%s has done no step yet", r->rec.name);
        return NULL;
    }
    if (!(r->weights = ws_train_weights_model(tr, r->rec.name, &e)))
        snprintf(err, n, "%s", e.msg);
    r->weights_step = done;
    return r->weights;
}

const char *tui_run_state(tui_run *r)
{
    if (r->follow)
        return r->error[0] ? "bad log" : "log";
    if (!r->live)
        return r->ended_as[0] ? r->ended_as : "ended";
    ws_train *tr = train_run_engine(r->live);
    char st[8];
    if (!tr)
        return train_run_status(r->live, st, sizeof st) ? "failed" : "starting";
    static const char *const w[] = {"ready", "running", "paused", "done", "stopped",
                                    "diverged", "failed"};
    return w[ws_train_get_state(tr, NULL, 0)];
}

/* ---- at the end ---- */

/* Save one run: through its engine (a checkpoint) or its kept weights. */
static int save_one(tui_run *r, const ws_model *model, const char *tag, FILE *report)
{
    char what[64], path[2400], msg[1200];
    ws_err e = {{0}};
    snprintf(what, sizeof what, "run%d%s%s", r->number, tag ? "-" : "", tag ? tag : "");
    int rc = tui_fresh_path(model, what, "safetensors", path, sizeof path);
    if (!rc && r->live && train_run_engine(r->live)) {
        rc = train_run_stop_and_save(r->live, path, 0, msg, sizeof msg);
        snprintf(e.msg, sizeof e.msg, "%.*s", (int)sizeof e.msg - 1, msg);
    } else if (!rc && r->weights) {
        rc = ws_model_save_like(r->weights, model, path, &e);   /* the input's dtype */
    } else if (!rc) {
        rc = ws_fail(&e, "no weights kept");
    }
    int64_t done = r->live ? train_run_steps_done(r->live) : r->steps_done;
    if (rc)
        fprintf(report, "wscope: %s: not saved: %s\n", r->rec.name, e.msg);
    else
        fprintf(report, "wscope: saved %s (step %lld of %lld) to %s\n", r->rec.name,
                (long long)done, (long long)r->set.steps, path);
    return rc;
}

int train_runs_save_all(tui_train *s, const ws_model *model, const char *tag, FILE *report)
{
    int failed = 0;
    for (size_t i = 0; i < s->n_runs; i++) {
        tui_run *r = &s->runs[i];
        if (tui_run_unsaved(r))
            failed += save_one(r, model, tag, report) != 0;
    }
    return failed;
}

void train_runs_free(tui_train *s)
{
    for (size_t i = 0; i < s->n_runs; i++) {
        tui_run *r = &s->runs[i];
        train_run_release(r->live);
        ws_runlog_follow_close(r->follow);
        ws_model_free(r->weights);
        for (size_t k = 0; k < r->n_stale; k++)
            ws_model_free(r->stale[k]);
        free(r->stale);
        ws_run_free(&r->rec);
    }
    free(s->runs);
    s->runs = NULL;
    s->n_runs = s->cap_runs = 0;
    s->run = NULL;
}
