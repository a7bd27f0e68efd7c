/* Training view: the run settings, starting a run with the policies marked
 * in the model view, and the run live: state and progress, loss, lr,
 * gradient norm, tokens/s, frozen tensors, a loss plot and the largest
 * per-matrix updates.
 *
 * The run belongs to the TUI (tui->train), not to this view: `q` goes back
 * to the model view while it keeps running (the model view's info line
 * follows it, `T` comes back here); `x` stops it; quitting wscope stops it.
 * The view only polls the run (train_run.h) and redraws when a record, the
 * state or a message changed, at most every REDRAW_MS for new records. */
#include <curses.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "train_marks.h"
#include "train_run.h"
#include "tui.h"

enum { REDRAW_MS = 100, TOP_UPDATES = 8 };

/* Width of the left column (settings, updates): 40, less on narrow screens. */
static int left_w(int w)
{
    return w * 2 / 5 < 40 ? w * 2 / 5 : 40;
}

enum { SET_DATA, SET_STEPS, SET_BATCH, SET_SEQ, SET_LR, SET_SEED, SET_EVAL, N_SET };
static const char *const set_names[N_SET] = {"data", "steps", "batch", "seq", "lr", "seed",
                                             "eval every"};

typedef struct train_view {
    view base;
    enum { PROMPT_SETTING, PROMPT_SAVE } prompt;
    /* what the last frame showed, to redraw only on change */
    size_t drawn_recs;
    int drawn_state, drawn_saving;
    char drawn_status[128];
    double drawn_at;
} train_view;

static const key_binding train_keys[] = {
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "select the previous setting", NULL},
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "select the next setting", NULL},
    {{'\n', '\r', KEY_ENTER, 'e'}, "Enter e", ACT_OPEN, "edit the selected setting", "edit"},
    {{'s', 0}, "s", ACT_START, "start a run: these settings, the policies marked in the model view",
     "start"},
    {{'p', ' ', 0}, "p Space", ACT_PAUSE, "pause / resume the run", "pause"},
    {{'w', 0}, "w", ACT_SAVE, "save a checkpoint (atomic; never over the input model)", "save"},
    {{'l', 0}, "l", ACT_LOG, "loss axis: linear / logarithmic", "log"},
    {{'C', 0}, "C", ACT_COMPARE, "compare strategies across seeds with these settings", "compare"},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- drawing ---- */

static void setting_text(const train_settings *s, int i, char *buf, size_t n)
{
    switch (i) {
    case SET_DATA: {
        const char *b = strrchr(s->data, '/');
        snprintf(buf, n, "%s", s->data[0] ? (b ? b + 1 : s->data) : "(none: Enter sets it)");
        break;
    }
    case SET_STEPS: snprintf(buf, n, "%lld", (long long)s->steps); break;
    case SET_BATCH: snprintf(buf, n, "%d", s->B); break;
    case SET_SEQ: snprintf(buf, n, "%d", s->T); break;
    case SET_LR: snprintf(buf, n, "%g", s->lr); break;
    case SET_SEED: snprintf(buf, n, "%llu", (unsigned long long)s->seed); break;
    default: snprintf(buf, n, "%lld", (long long)s->eval_every);
    }
}

static int draw_settings(tui *t, cellbuf *cb, cb_rect r)
{
    int y = r.y;
    cb_text(cb, y++, r.x, r.w, "settings of the next run", CB_UNDERLINE);
    for (int i = 0; i < N_SET && y < r.y + r.h; i++, y++) {
        char val[600];
        setting_text(&t->train->set, i, val, sizeof val);
        int attrs = i == t->train->sel ? CB_REVERSE : 0;
        if (attrs)
            cb_fill(cb, (cb_rect){y, r.x, 1, r.w - 1}, " ", CB_DEFAULT, CB_DEFAULT, attrs);
        cb_printf(cb, y, r.x, r.w - 1, attrs, " %-11s%s", set_names[i], val);
    }
    size_t k = train_marks_count(t->train);
    cb_printf(cb, y++, r.x, r.w, CB_DIM, " policies  %zu tensor%s marked", k, k == 1 ? "" : "s");
    return y + 1;
}

/* The last record of a step (not the final evaluation), or -1. */
static long last_step_record(ws_train *tr, size_t n, ws_train_rec *out)
{
    for (size_t i = n; i-- > 0;)
        if (!ws_train_record(tr, i, out) && !isnan(out->loss))
            return (long)i;
    return -1;
}

static void draw_updates(const tui *t, ws_train *tr, long rec, cellbuf *cb, cb_rect r)
{
    int nm = ws_train_n_matrices(tr);
    if (rec < 0 || nm <= 0 || r.h < 2)
        return;
    float *u = malloc((size_t)nm * sizeof *u);
    int *order = malloc((size_t)nm * sizeof *order);
    if (u && order && !ws_train_update_norms(tr, (size_t)rec, u)) {
        cb_text(cb, r.y, r.x, r.w, "largest updates |dW|, last step", CB_UNDERLINE);
        for (int i = 0; i < nm; i++)
            order[i] = i;
        /* Top few by selection: nm is small (a few per layer). */
        int shown = nm < TOP_UPDATES ? nm : TOP_UPDATES;
        for (int i = 0; i < shown && i + 1 < r.h; i++) {
            for (int j = i + 1; j < nm; j++)
                if (u[order[j]] > u[order[i]]) {
                    int tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
            /* The name as names.h shows it, cut by the one rule. */
            const char *name = ws_train_matrix_name(tr, order[i]);
            const ws_tensor *te = ws_model_find(t->model, name);
            char shown[256], cut[256];
            if (te)
                name = ws_display_name(t->model, te, 0, shown, sizeof shown);
            int room = r.w - 12;
            int cells = ws_elide(name, room, t->style.glyphs != WS_GLYPH_UTF8, cut, sizeof cut);
            cb_printf(cb, r.y + 1 + i, r.x, r.w, 0, " %s%*s%10.3g", cut, room - cells, "",
                      u[order[i]]);
        }
    }
    free(u);
    free(order);
}

static const char *state_word(ws_train_state s)
{
    static const char *const w[] = {"ready", "running", "paused", "done", "cancelled",
                                    "diverged", "failed"};
    return w[s];
}

static void draw_progress(tui *t, cellbuf *cb, int y, int w, ws_train *tr, int saving)
{
    const train_settings *s = train_run_settings(t->train->run);
    int64_t done = (int64_t)atomic_load(&ws_train_progress(tr)->done);
    double f = s->steps ? (double)done / (double)s->steps : 1;
    ws_train_state st = ws_train_get_state(tr, NULL, 0);
    int x = cb_printf(cb, y, 0, w, CB_BOLD, "%-10s", saving ? "saving" : state_word(st));
    x += cb_printf(cb, y, x, w - x, 0, "step %lld/%lld  ", (long long)done, (long long)s->steps);
    int bar = w - x - 8 > 40 ? 40 : w - x - 8;
    for (int i = 0; i < bar; i++)
        cb_set(cb, y, x + i, i < f * bar ? "#" : ".", CB_DEFAULT, CB_DEFAULT, 0);
    cb_printf(cb, y, x + (bar > 0 ? bar : 0), -1, 0, " %3d%%", (int)(f * 100 + 0.5));
}

static void draw_metrics(cellbuf *cb, int y, int w, ws_train *tr, size_t n,
                         const train_history *h)
{
    ws_train_rec r;
    if (last_step_record(tr, n, &r) < 0) {
        cb_text(cb, y, 0, w, "waiting for the first step", CB_DIM);
        return;
    }
    char tok[16];
    tui_fmt_count(tok, sizeof tok, (int64_t)r.tokens_per_s);
    char vtxt[48] = "-";
    if (h->n_val)
        snprintf(vtxt, sizeof vtxt, "%.4f @%lld", h->val[h->n_val - 1],
                 (long long)h->val_step[h->n_val - 1]);
    cb_printf(cb, y, 0, w, 0, "loss %.4f  val %s  lr %.3g  |g| %.3g  %s tok/s  frozen %d/%zu",
              r.loss, vtxt, r.lr, r.grad_norm, tok, r.n_frozen,
              ws_gpt_nparams(ws_train_gpt(tr)));
}

static void draw_plot(tui *t, cellbuf *cb, cb_rect r, const train_history *h)
{
    const train_settings *s = train_run_settings(t->train->run);
    const char *dot = t->style.glyphs == WS_GLYPH_UTF8 ? "\xe2\xa3\x80 train  \xe2\x97\x86 val"
                                                       : "* train  o val";
    cb_printf(cb, r.y, r.x, r.w, CB_BOLD, "loss by step  %s  %s y", dot,
              t->train->logy ? "log" : "linear");
    render_loss(cb, (cb_rect){r.y + 1, r.x, r.h - 1, r.w}, h->loss, h->n_loss, s->steps,
                h->val_step, h->val, (int)h->n_val, t->train->logy, &t->style);
}

static void draw_run(train_view *v, tui *t, cellbuf *cb, cb_rect body, cb_rect info, int left_end)
{
    (void)v;
    train_run *run = t->train->run;
    char st[600];
    int failed = train_run_status(run, st, sizeof st);
    ws_train *tr = train_run_engine(run);
    if (!tr) {
        cb_printf(cb, body.y, 0, body.w, CB_BOLD, "%s%s", failed ? "error: " : "", st);
        if (failed)
            cb_text(cb, info.y, info.x, info.w, st, CB_BOLD);
        return;
    }
    int saving = train_run_save_status(run, NULL, 0);
    size_t n = ws_train_nrecords(tr);
    const train_history *h = train_run_history(run);
    draw_progress(t, cb, body.y, body.w, tr, saving);
    ws_train_rec r;
    long last = last_step_record(tr, n, &r);
    int lw = left_w(body.w);
    draw_updates(t, tr, last, cb, (cb_rect){left_end, 0, body.y + body.h - left_end, lw});
    if (h) {
        draw_metrics(cb, body.y + 1, body.w, tr, n, h);
        draw_plot(t, cb, (cb_rect){body.y + 3, lw + 1, body.h - 3, body.w - lw - 1}, h);
    }
    size_t n_train, n_val, n_unk;
    train_run_data(run, &n_train, &n_val, &n_unk);
    ws_train_state s = ws_train_get_state(tr, NULL, 0);
    if (failed || s == WS_TRAIN_CANCELLED || s == WS_TRAIN_DIVERGED) {
        cb_text(cb, info.y, info.x, info.w, st, failed ? CB_BOLD : 0);
    } else {
        char a[16], b[16];
        tui_fmt_count(a, sizeof a, (int64_t)n_train);
        tui_fmt_count(b, sizeof b, (int64_t)n_val);
        cb_printf(cb, info.y, info.x, info.w, 0, "data: %s train / %s val tokens, %zu <unk>;  "
                  "q: back (it keeps running)  x: stop", a, b, n_unk);
    }
}

static void train_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    train_view *v = (train_view *)vv;
    v->drawn_at = now_ms();
    int left_end = draw_settings(t, cb, (cb_rect){body.y + 3, 0, body.h - 3, left_w(body.w)});
    if (t->train->run) {
        draw_run(v, t, cb, body, info, left_end);
        return;
    }
    cb_printf(cb, body.y, 0, body.w, CB_BOLD, "no run yet");
    cb_printf(cb, body.y + 1, 0, body.w, 0, "s starts one; mark policies in the model view "
              "(t, p, P) first; Enter edits a setting");
}

/* ---- actions ---- */

static int parse_setting(train_settings *s, int i, const char *txt, int block, char *err, size_t n)
{
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
    static const long long lo[N_SET] = {0, 1, 1, 1, 0, 0, 0};
    long long hi[N_SET] = {0, 1000000000, 65536, block > 0 ? block : 1 << 20, 0, 0x7fffffff,
                           1000000000};
    long long x = strtoll(txt, &end, 10);
    if (end == txt || *end || x < lo[i] || x > hi[i])
        return snprintf(err, n, "%s: expected a whole number in %lld..%lld, got \"%s\"",
                        set_names[i], lo[i], hi[i], txt), -1;
    switch (i) {
    case SET_STEPS: s->steps = x; break;
    case SET_BATCH: s->B = (int)x; break;
    case SET_SEQ: s->T = (int)x; break;
    case SET_SEED: s->seed = (uint64_t)x; break;
    default: s->eval_every = x;
    }
    return 0;
}

static void start_run(tui *t)
{
    tui_train *tt = t->train;
    if (tt->run && !train_run_finished(tt->run)) {
        tui_message(t, "a run is going: x stops it first");
        return;
    }
    size_t n;
    ws_policy_rule *rules = train_marks_rules(tt, t->model, &n);
    train_run_release(tt->run);
    tt->run = rules ? train_run_start(t->model, &tt->set, rules, n) : NULL;
    free(rules);
    if (!tt->run)
        tui_message(t, "cannot start the run (no memory or no thread)");
}

/* MODEL.safetensors -> MODEL-tuned.safetensors next to it. */
static void default_save_path(const ws_model *m, char *buf, size_t n)
{
    const char *p = m->path ? m->path : "model.safetensors";
    const char *dot = strrchr(p, '.'), *slash = strrchr(p, '/');
    int stem = dot && (!slash || dot > slash) ? (int)(dot - p) : (int)strlen(p);
    snprintf(buf, n, "%.*s-tuned.safetensors", stem, p);
}

static int run_action(tui *t, ws_action a)
{
    train_run *r = t->train->run;
    ws_train *tr = r ? train_run_engine(r) : NULL;
    if (!tr) {
        tui_message(t, r ? "the run has not started yet" : "no run yet: s starts one");
        return 1;
    }
    switch (a) {
    case ACT_PAUSE:
        if (train_run_finished(r))
            tui_message(t, "the run is over");
        else if (ws_train_get_state(tr, NULL, 0) == WS_TRAIN_PAUSED)
            train_run_resume(r);
        else
            train_run_pause(r);
        return 1;
    case ACT_CANCEL:
        if (!train_run_finished(r)) {
            train_run_cancel(r);   /* the status line shows when it has stopped */
        }
        return 1;
    default:
        tui_prompt(t, "save checkpoint to: ");
        default_save_path(t->model, t->prompt, sizeof t->prompt);
        return 1;
    }
}

static int prompt_done(train_view *v, tui *t)
{
    char err[256];
    if (!t->prompt[0])
        return 1;
    if (v->prompt == PROMPT_SAVE) {
        if (t->train->run && train_run_save(t->train->run, t->prompt))
            tui_message(t, "a save is already under way");
        return 1;
    }
    if (parse_setting(&t->train->set, t->train->sel, t->prompt, t->model->cfg.block_size, err, sizeof err))
        tui_message(t, "%s", err);
    return 1;
}

static int train_action(view *vv, tui *t, ws_action a)
{
    train_view *v = (train_view *)vv;
    int *sel = &t->train->sel;
    char label[64], val[600];
    switch (a) {
    case ACT_UP: *sel = *sel > 0 ? *sel - 1 : 0; return 1;
    case ACT_DOWN: *sel = *sel < N_SET - 1 ? *sel + 1 : N_SET - 1; return 1;
    case ACT_OPEN:
        v->prompt = PROMPT_SETTING;
        snprintf(label, sizeof label, "%s: ", set_names[t->train->sel]);
        tui_prompt(t, label);
        if (t->train->sel == SET_DATA)
            snprintf(val, sizeof val, "%s", t->train->set.data);
        else
            setting_text(&t->train->set, t->train->sel, val, sizeof val);
        snprintf(t->prompt, sizeof t->prompt, "%.*s", (int)sizeof t->prompt - 1, val);   /* edit from the current value */
        return 1;
    case ACT_START: start_run(t); return 1;
    case ACT_LOG: t->train->logy = !t->train->logy; return 1;
    case ACT_PAUSE:
    case ACT_CANCEL:
        return run_action(t, a);
    case ACT_SAVE:
        v->prompt = PROMPT_SAVE;
        return run_action(t, a);
    case ACT_PROMPT_DONE: return prompt_done(v, t);
    case ACT_COMPARE: tui_push(t, view_compare_new(t)); return 1;
    default: return 0;
    }
}

static int train_tick(view *vv, tui *t, int *busy)
{
    train_view *v = (train_view *)vv;
    train_run *r = t->train->run;
    if (!r)
        return 0;
    char st[128], msg[1200];
    train_run_status(r, st, sizeof st);
    int saving = train_run_save_status(r, msg, sizeof msg);
    if (msg[0])
        tui_message(t, "%s", msg);
    ws_train *tr = train_run_engine(r);
    size_t n = tr ? ws_train_nrecords(tr) : 0;
    int state = tr ? (int)ws_train_get_state(tr, NULL, 0) : -1;
    *busy = !train_run_finished(r) || saving;
    int changed = state != v->drawn_state || saving != v->drawn_saving ||
                  strcmp(st, v->drawn_status) || msg[0];
    /* New records alone: at most one frame per REDRAW_MS. */
    if (!changed && (n == v->drawn_recs || now_ms() - v->drawn_at < REDRAW_MS))
        return 0;
    v->drawn_recs = n;
    v->drawn_state = state;
    v->drawn_saving = saving;
    snprintf(v->drawn_status, sizeof v->drawn_status, "%s", st);
    return 1;
}

static void train_destroy(view *vv)
{
    free(vv);   /* the run lives on in tui->train */
}

static const view_class train_class = {
    "train", train_keys, train_draw, train_action, train_tick, train_destroy,
};

view *view_train_new(tui *t)
{
    if (!t->train)
        return NULL;
    if (t->model->layout == WS_LAYOUT_UNKNOWN) {
        tui_message(t, "training needs a GPT layout wscope recognises");
        return NULL;
    }
    train_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = &train_class;
    v->drawn_state = -2;
    snprintf(v->base.title, sizeof v->base.title, "settings, run and loss");
    return &v->base;
}
