/* Training view: the settings of the next run, the runs of the session,
 * and the selected run live: state, progress, elapsed and ETA, its numbers,
 * its loss curves (or several runs overlaid) and its largest updates.
 *
 * The runs belong to the TUI (tui->train, train_runs.h), not to this view:
 * `q` goes back to the model view while a run keeps going (the model view's
 * info line follows it, `T` comes back here); quitting asks first (loop.c).
 * The view only polls; it redraws when a record, a state or a message
 * changed, at most every REDRAW_MS for new records. Drawing is in
 * train_draw.c. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "outdir.h"
#include "plots.h"
#include "train_draw.h"
#include "train_marks.h"
#include "train_run.h"
#include "train_runs.h"
#include "tui.h"
#include "tui_analysis.h"
#include "threads.h"

enum { REDRAW_MS = 100 };

typedef struct train_view {
    view base;
    enum { PROMPT_SETTING, PROMPT_SAVE, PROMPT_SAVE_WEIGHTS, PROMPT_RENAME } prompt;
    /* what the last frame showed, to redraw only on change */
    size_t drawn_recs;
    int drawn_states;
    char drawn_status[128];
    double drawn_at;
    int analysis_state;      /* what tui_analysis_need said last (2: not asked) */
} train_view;

static const key_binding train_keys[] = {
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "select the previous setting (or run, after Tab)", NULL},
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "select the next setting (or run, after Tab)", NULL},
    {{'\t', 0}, "Tab", ACT_FOCUS, "move between the settings and the runs list", NULL},
    {{'\n', '\r', KEY_ENTER, 0}, "Enter", ACT_OPEN,
     "edit the selected setting; in the runs list: show or hide the run in the plot", "edit"},
    {{'s', 0}, "s", ACT_START, "start a run: these settings, the policies marked in the model view",
     "start"},
    {{'p', 0}, "p", ACT_PAUSE, "pause / resume the selected run", "pause"},
    {{'x', 0}, "x", ACT_CANCEL, "stop the selected run (its weights stay: w saves them)", "stop"},
    {{'w', 0}, "w", ACT_SAVE,
     "save the selected run as a checkpoint (resumable; atomic, never over the input)", "save"},
    {{'W', 0}, "W", ACT_SAVE_WEIGHTS, "save the selected run's weights only (a plain model)", NULL},
    {{' ', 0}, "Space", ACT_TOGGLE, "show / hide the selected run in the plot (overlay)", "overlay"},
    {{',', '<', 0}, ", <", ACT_SMOOTH_LESS, "less smoothing (EMA weight down)", NULL},
    {{'.', '>', 0}, ". >", ACT_SMOOTH_MORE, "more smoothing (EMA weight up, at most 0.999)", "smooth"},
    {{'l', 0}, "l", ACT_LOG, "loss axis: linear / logarithmic", "log"},
    {{'z', 0}, "z", ACT_WINDOW, "window: the whole run, or the last 100, 1000, 10000 steps", "window"},
    {{'n', 0}, "n", ACT_RENAME, "rename the selected run", NULL},
    {{'t', 0}, "t", ACT_BROWSE,
     "browse the selected run's weights as TUNED (d, D show the change from MODEL)", "tuned"},
    {{'m', 0}, "m", ACT_LAYERS,
     "the matrices instead of the plot: policy, weight PR and amplitude PR, share trainable",
     "matrices"},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "the matrices list: one page up", NULL},
    {{KEY_NPAGE, 0}, "PgDn", ACT_PGDN, "the matrices list: one page down", NULL},
    {{'e', 0}, "e", ACT_EXPORT, "export the plot shown as PNG, SVG and PDF", "export"},
    {{'C', 0}, "C", ACT_COMPARE, "compare strategies across seeds with these settings", "compare"},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static double now_ms(void) { return 1e3 * ws_monotonic_s(); }

static tui_run *selected(tui *t)
{
    tui_train *s = t->train;
    return s->n_runs ? &s->runs[s->run_sel < (int)s->n_runs ? s->run_sel : (int)s->n_runs - 1]
                     : NULL;
}

static void train_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    train_view *v = (train_view *)vv;
    v->drawn_at = now_ms();
    train_runs_sync(t->train);
    train_draw_view(t, selected(t), cb, body, info);
}

/* ---- settings ---- */

/* Start from the model file (k = 0) or run k's weights. */
static int set_start(tui *t, int k, char *err, size_t n)
{
    tui_run *r = k ? train_run_by_number(t->train, k) : NULL;
    if (k && !r)
        return snprintf(err, n, "start from: there is no run %d", k), -1;
    if (r && !tui_run_weights(r, err, n))
        return -1;
    t->train->set.from_run = k;
    return 0;
}

static int parse_setting(tui *t, int i, const char *txt, char *err, size_t n)
{
    train_settings *s = &t->train->set;
    char *end;
    if (i == SET_DATA) {
        snprintf(s->data, sizeof s->data, "%s", txt);
        return 0;
    }
    if (i == SET_LR) {
        double x = strtod(txt, &end);
        if (end == txt || *end || !(x > 0) || !isfinite(x))
            return snprintf(err, n, "lr: expected a number > 0, got \"%s\"", txt), -1;
        s->lr = (float)x;
        return 0;
    }
    if (i == SET_FROM) {   /* "file", "0", "run N" or "N" */
        const char *num = !strncmp(txt, "run", 3) ? txt + 3 : txt;
        long k = !strcmp(txt, "file") ? 0 : strtol(num, &end, 10);
        if (strcmp(txt, "file") && (end == num || *end))
            return snprintf(err, n, "start from: \"file\" or a run number, got \"%s\"", txt), -1;
        return set_start(t, (int)k, err, n);
    }
    int block = t->model->cfg.block_size;
    static const long long lo[N_SET] = {0, 1, 1, 1, 0, 0, 0, 0};
    long long hi[N_SET] = {0, 1000000000, 65536, block > 0 ? block : 1 << 20, 0, 0x7fffffff,
                           1000000000, 0};
    long long x = strtoll(txt, &end, 10);
    if (end == txt || *end || x < lo[i] || x > hi[i])
        return snprintf(err, n, "%s: expected a whole number in %lld..%lld, got \"%s\"",
                        train_setting_name(i), lo[i], hi[i], txt), -1;
    switch (i) {
    case SET_STEPS: s->steps = x; break;
    case SET_BATCH: s->B = (int)x; break;
    case SET_SEQ: s->T = (int)x; break;
    case SET_SEED: s->seed = (uint64_t)x; break;
    default: s->eval_every = x;
    }
    return 0;
}

static void edit_setting(train_view *v, tui *t)
{
    char label[64], val[600];
    int i = t->train->sel;
    v->prompt = PROMPT_SETTING;
    snprintf(label, sizeof label, "%s: ", train_setting_name(i));
    tui_prompt(t, label);
    if (i == SET_DATA)
        snprintf(val, sizeof val, "%s", t->train->set.data);
    else if (i == SET_FROM)
        snprintf(val, sizeof val, t->train->set.from_run ? "run %d" : "file",
                 t->train->set.from_run);
    else
        train_setting_text(t, i, val, sizeof val);
    snprintf(t->prompt, sizeof t->prompt, "%.*s", (int)sizeof t->prompt - 1, val);
}

/* ---- runs ---- */

static void start_run(tui *t)
{
    tui_train *tt = t->train;
    char err[300];
    if (train_runs_active(tt)) {
        tui_message(t, "a run is going: x stops it first");
        return;
    }
    ws_model *start = t->model;
    char from[96];
    snprintf(from, sizeof from, "the model file");
    if (tt->set.from_run) {
        tui_run *src = train_run_by_number(tt, tt->set.from_run);
        start = src ? tui_run_weights(src, err, sizeof err) : NULL;
        if (!start) {
            tui_message(t, "start from run %d: %s", tt->set.from_run,
                        src ? err : "there is no such run");
            return;
        }
        snprintf(from, sizeof from, "%s's weights", src->rec.name);
    }
    size_t n;
    ws_policy_rule *rules = train_marks_rules(tt, t->model, &n);
    tui_run *r = rules ? train_runs_start(tt, start, from, t->model, rules, n, err, sizeof err)
                       : NULL;
    free(rules);
    if (!r) {
        tui_message(t, "cannot start: %s", rules ? err : "out of memory");
        return;
    }
    /* The new run alone in the plot; Space overlays earlier ones. */
    for (size_t i = 0; i + 1 < tt->n_runs; i++)
        tt->runs[i].shown = 0;
    tt->run_sel = (int)tt->n_runs - 1;
}

/* The save prompt for the selected run, filled with a fresh name. */
static void save_prompt(train_view *v, tui *t, tui_run *r, int weights)
{
    char what[64], path[2400];
    v->prompt = weights ? PROMPT_SAVE_WEIGHTS : PROMPT_SAVE;
    tui_prompt(t, weights ? "save the weights to: " : "save checkpoint to: ");
    snprintf(what, sizeof what, weights ? "run%d-weights" : "run%d", r->number);
    tui_fresh_path(t->model, what, "safetensors", path, sizeof path);
    snprintf(t->prompt, sizeof t->prompt, "%.*s", (int)sizeof t->prompt - 1, path);
}

static int run_action(train_view *v, tui *t, ws_action a)
{
    tui_run *r = selected(t);
    if (r && !r->live && r->weights && a == ACT_SAVE_WEIGHTS) {
        save_prompt(v, t, r, 1);   /* an earlier run: its weights were kept */
        return 1;
    }
    if (!r || !r->live || !train_run_engine(r->live)) {
        if (!r)
            tui_message(t, "no run yet: s starts one");
        else if (r->follow)
            tui_message(t, "%s is a log: it has numbers, no weights", r->rec.name);
        else if (r->live)
            tui_message(t, "%s has not started yet", r->rec.name);
        else
            tui_message(t, "%s is over and kept as weights only: W saves them", r->rec.name);
        return 1;
    }
    ws_train *tr = train_run_engine(r->live);
    switch (a) {
    case ACT_PAUSE:
        if (train_run_finished(r->live))
            tui_message(t, "%s is over", r->rec.name);
        else if (ws_train_get_state(tr, NULL, 0) == WS_TRAIN_PAUSED)
            train_run_resume(r->live);
        else
            train_run_pause(r->live);
        return 1;
    case ACT_CANCEL:
        if (!train_run_finished(r->live))
            train_run_cancel(r->live);   /* the state line shows when it has stopped */
        return 1;
    default:
        save_prompt(v, t, r, a == ACT_SAVE_WEIGHTS);
        return 1;
    }
}

/* Save a kept run's weights (its engine released) right here: a plain
 * model is written atomically and quickly. */
static void save_kept_weights(tui *t, tui_run *r, const char *path)
{
    ws_err e = {{0}};
    if (ws_model_save_like(r->weights, t->model, path, &e)) {   /* the input's dtype */
        tui_message(t, "not saved: %s", e.msg);
        return;
    }
    r->saved_step = r->steps_done;
    tui_message(t, "saved the weights of %s to %s", r->rec.name, path);
}

static int prompt_done(train_view *v, tui *t)
{
    char err[300];
    tui_run *r = selected(t);
    if (!t->prompt[0])
        return 1;
    switch (v->prompt) {
    case PROMPT_SAVE:
    case PROMPT_SAVE_WEIGHTS:
        if (r && r->live && train_run_engine(r->live)) {
            if (train_run_save(r->live, t->prompt, v->prompt == PROMPT_SAVE_WEIGHTS))
                tui_message(t, "a save is already under way");
        } else if (r && r->weights) {
            save_kept_weights(t, r, t->prompt);
        }
        return 1;
    case PROMPT_RENAME:
        if (r)
            snprintf(r->rec.name, sizeof r->rec.name, "%.*s", (int)sizeof r->rec.name - 1,
                     t->prompt);
        return 1;
    default:
        if (parse_setting(t, t->train->sel, t->prompt, err, sizeof err))
            tui_message(t, "%s", err);
        return 1;
    }
}

/* The selected run's weights become TUNED: d and D show what it changed
 * from MODEL (for a run started from an earlier run's weights, the earlier
 * run's change too). */
static void browse(tui *t)
{
    tui_run *r = selected(t);
    char err[300];
    ws_model *w = r ? tui_run_weights(r, err, sizeof err) : NULL;
    if (!w) {
        tui_message(t, "%s", r ? err : "no run yet");
        return;
    }
    tui_set_tuned(t, w);
    tui_run *from = r->set.from_run ? train_run_by_number(t->train, r->set.from_run) : NULL;
    /* Within 80 columns. d and D compare with MODEL: a run started from an
     * earlier run's weights has that run's change in it too. */
    if (from)
        tui_message(t, "TUNED: %s (step %lld), from %s's weights: d and D show both runs' change",
                    r->rec.name, (long long)r->steps_done, from->rec.name);
    else
        tui_message(t, "TUNED: %s (step %lld); d in a matrix, D in the model view show its change",
                    r->rec.name, (long long)r->steps_done);
}

static void export_plot(tui *t)
{
    ws_err e = {{0}};
    char stem[400], model[256];
    tui_run *shown[64];
    const ws_run *runs[64];
    int n = train_shown_runs(t, shown, 64);
    for (int k = 0; k < n; k++)
        runs[k] = &shown[k]->rec;
    ws_plot_opts po = {0};
    ws_loss_plot_opts lo = {t->train->smoothing, t->train->logy, t->train->window};
    ws_figure *f = n ? ws_plot_loss_curves(runs, (size_t)n, &lo, &po, &e) : NULL;
    if (!n)
        ws_fail(&e, "no run to plot");
    tui_model_stem(t->model, model, sizeof model);
    snprintf(stem, sizeof stem, "%.200s-loss-%.64s", model, n == 1 ? runs[0]->name : "runs");
    tui_export(t, f, stem, &e);
}

static int train_action(view *vv, tui *t, ws_action a)
{
    train_view *v = (train_view *)vv;
    tui_train *s = t->train;
    static const int64_t windows[] = {0, 100, 1000, 10000};
    switch (a) {
    case ACT_UP:
    case ACT_DOWN: {
        int d = a == ACT_UP ? -1 : 1;
        if (s->focus_runs)
            s->run_sel = s->run_sel + d < 0 ? 0
                         : s->run_sel + d >= (int)s->n_runs ? (int)s->n_runs - 1 : s->run_sel + d;
        else
            s->sel = s->sel + d < 0 ? 0 : s->sel + d >= N_SET ? N_SET - 1 : s->sel + d;
        if (s->run_sel < 0)
            s->run_sel = 0;
        return 1;
    }
    case ACT_FOCUS: s->focus_runs = !s->focus_runs && s->n_runs; return 1;
    case ACT_OPEN:
        if (!s->focus_runs) {
            edit_setting(v, t);
            return 1;
        }
        __attribute__((fallthrough));   /* Enter on a run shows or hides it */
    case ACT_TOGGLE:
        if (selected(t))
            selected(t)->shown = !selected(t)->shown;
        return 1;
    case ACT_START: start_run(t); return 1;
    case ACT_LOG: s->logy = !s->logy; return 1;
    case ACT_SMOOTH_LESS:
    case ACT_SMOOTH_MORE: s->smoothing = train_next_smoothing(s->smoothing, a == ACT_SMOOTH_MORE); return 1;
    case ACT_WINDOW: {
        int k = 0;
        while (k < 4 && windows[k] != s->window)
            k++;
        s->window = windows[(k + 1) % 4];
        return 1;
    }
    case ACT_RENAME:
        if (!selected(t))
            return tui_message(t, "no run yet"), 1;
        v->prompt = PROMPT_RENAME;
        tui_prompt(t, "name: ");
        snprintf(t->prompt, sizeof t->prompt, "%s", selected(t)->rec.name);
        return 1;
    case ACT_BROWSE: browse(t); return 1;
    case ACT_LAYERS: s->show_matrices = !s->show_matrices; return 1;
    case ACT_PGUP:
    case ACT_PGDN: {
        int page = t->rows > 8 ? t->rows - 8 : 1;
        s->matrix_top += a == ACT_PGDN ? page : -page;
        if (s->matrix_top < 0)
            s->matrix_top = 0;
        return 1;
    }
    case ACT_EXPORT: export_plot(t); return 1;
    case ACT_PAUSE:
    case ACT_CANCEL:
    case ACT_SAVE:
    case ACT_SAVE_WEIGHTS:
        return run_action(v, t, a);
    case ACT_PROMPT_DONE: return prompt_done(v, t);
    case ACT_COMPARE: tui_push(t, view_compare_new(t)); return 1;
    default: return 0;
    }
}

/* The matrices pane wants the layers analysis (PR, then amplitude PR, then
 * the null baselines for the z-scores). */
static int need_analysis(tui *t, int *busy, int *last)
{
    const char *msg = NULL;
    ws_analysis *a = tui_analysis(t->model);
    if (!t->train->show_matrices || !a) {
        *last = 2;
        return 0;
    }
    int st = tui_analysis_need(a, WS_AN_PR, &msg);
    if (st == 1)
        st = tui_analysis_need(a, WS_AN_LAYERS, &msg);
    if (st == 1)
        st = tui_analysis_need(a, WS_AN_LAYERS | WS_AN_NULLS, &msg);
    if (st == 0)
        *busy = 1;
    if (st < 0 && msg && *last != st)
        tui_message(t, "%s", msg);
    int changed = st != *last;
    *last = st;
    return changed;
}

static int train_tick(view *vv, tui *t, int *busy)
{
    train_view *v = (train_view *)vv;
    tui_train *s = t->train;
    int changed = train_runs_sync(s) | need_analysis(t, busy, &v->analysis_state);
    size_t n = 0;
    int states = 0, saving = 0;
    char st[128] = "", msg[1200];
    for (size_t i = 0; i < s->n_runs; i++) {
        tui_run *r = &s->runs[i];
        n += r->rec.n_rec;
        states = states * 7 + (int)(tui_run_state(r)[0]) % 7;
        if (r->follow)
            *busy = 1;   /* a log may grow: keep looking */
        if (!r->live)
            continue;
        *busy |= !train_run_finished(r->live);
        saving |= train_run_save_status(r->live, msg, sizeof msg);
        if (msg[0])
            tui_message(t, "%s", msg);
        if (r == selected(t))
            train_run_status(r->live, st, sizeof st);
    }
    *busy |= saving;
    changed |= states != v->drawn_states || strcmp(st, v->drawn_status) || saving;
    /* New records alone: at most one frame per REDRAW_MS. */
    if (!changed && (n == v->drawn_recs || now_ms() - v->drawn_at < REDRAW_MS))
        return 0;
    v->drawn_recs = n;
    v->drawn_states = states;
    snprintf(v->drawn_status, sizeof v->drawn_status, "%s", st);
    return 1;
}

static void train_destroy(view *vv)
{
    free(vv);   /* the runs live on in tui->train */
}

static const view_class train_class = {
    "train", train_keys, train_draw, train_action, train_tick, train_destroy,
};

view *view_train_new(tui *t)
{
    if (!t->train)
        return NULL;
    if (t->model->layout == WS_LAYOUT_UNKNOWN && !t->train->n_runs) {
        tui_message(t, "training needs a GPT layout wscope recognises");
        return NULL;
    }
    train_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = &train_class;
    v->drawn_states = -2;
    v->analysis_state = 2;
    snprintf(v->base.title, sizeof v->base.title, "settings, runs and loss");
    return &v->base;
}
