/* Model view: every tensor, grouped by layer and ordered by role, with
 * shape, dtype, parameter count and statistics.
 *
 * Statistics are computed on a worker thread right after the first screen
 * is up; the list fills in as they arrive. */
#include <curses.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "train_marks.h"
#include "train_run.h"
#include "tui.h"
#include "view_fits.h"

typedef struct stats_arg {
    ws_model *m;
    ws_stats *stats;         /* per tensor, valid when ready[i] */
    atomic_int *ready;
} stats_arg;

typedef struct line {
    int tensor;              /* index into the model, -1: a group heading */
    char heading[48];
} line;

typedef struct model_view {
    view base;
    line *lines;
    int n_lines;
    int sel;                 /* selected line (always a tensor line) */
    int top;                 /* first line shown */
    int page;                /* lines in the last drawn body */
    tui_job *job;
    stats_arg *st;
    int n_ready_drawn;
    char search[128];
    enum { PROMPT_SEARCH, PROMPT_POLICY, PROMPT_RULE } prompt;
    size_t train_drawn;      /* training records shown in the info line */
} model_view;

static const key_binding model_keys[] = {
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "select the previous tensor", NULL},
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "select the next tensor", NULL},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "one page up", NULL},
    {{KEY_NPAGE, ' ', 0}, "PgDn Space", ACT_PGDN, "one page down", NULL},
    {{KEY_HOME, 'g', 0}, "Home g", ACT_HOME, "first tensor", NULL},
    {{KEY_END, 'G', 0}, "End G", ACT_END, "last tensor", NULL},
    {{'\n', '\r', KEY_ENTER, 'l'}, "Enter l", ACT_OPEN, "open the tensor as a heatmap", "open"},
    {{'/', 0}, "/", ACT_SEARCH, "search tensor names (substring)", "search"},
    {{'n', 0}, "n", ACT_SEARCH_NEXT, "next match of the search", NULL},
    {{'H', 0}, "H", ACT_HIST, "histogram of the selected tensor", "histogram"},
    {{'F', 0}, "F", ACT_FIT, "Gaussian fits of every weight matrix (a sortable table)", "fits"},
    {{'S', 0}, "S", ACT_SPECTRUM, "spectrum of the embedding (eigenvalues of EᵀE, pairs)", "spectrum"},
    {{'L', 0}, "L", ACT_LAYERS, "layers table: weight PR, PC1, stable rank, amplitude PR", "layers"},
    {{'D', 0}, "D", ACT_DRIFT, "drift from MODEL to TUNED (wscope MODEL TUNED)", NULL},
    {{'t', 0}, "t", ACT_POLICY, "training policy of the tensor: train, freeze, crystal:r, random, grid:K",
     "policy"},
    {{'p', 0}, "p", ACT_POLICY_SET, "type the tensor's policy (crystal:4, grid:16, freeze@100 ...)", NULL},
    {{'P', 0}, "P", ACT_POLICY_RULE, "policy for a group: PATTERN=POLICY (qkv=freeze, *@0-1=random)",
     NULL},
    {{'T', 0}, "T", ACT_TRAIN, "training view: settings, start a run with these policies, live loss",
     "train"},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

/* ---- statistics worker ---- */

static void stats_run(void *p, ws_progress *pr)
{
    stats_arg *a = p;
    atomic_store(&pr->total, a->m->n_tensors);
    for (size_t i = 0; i < a->m->n_tensors && !ws_cancelled(pr); i++) {
        ws_tensor *t = &a->m->tensors[i];
        if (ws_dtype_is_float_convertible(t->dtype) && ws_tensor_stats(t, &a->stats[i], NULL) == 0)
            atomic_store(&a->ready[i], 1);
        ws_progress_add(pr, 1);
    }
}

static void stats_free(void *p)
{
    stats_arg *a = p;
    free(a->stats);
    free(a->ready);
    free(a);
}

/* ---- grouping ---- */

static int group_of(const ws_tensor *t, int n_layer)
{
    if (t->layer >= 0)
        return 1 + t->layer;
    if (t->role == WS_ROLE_EMBED || t->role == WS_ROLE_POS_EMBED)
        return 0;
    return t->role != WS_ROLE_NONE ? 1 + n_layer : 2 + n_layer;
}

static const ws_model *sort_model;

static int cmp_tensor(const void *pa, const void *pb)
{
    const ws_tensor *a = &sort_model->tensors[*(const int *)pa];
    const ws_tensor *b = &sort_model->tensors[*(const int *)pb];
    int L = sort_model->cfg.n_layer;
    int ga = group_of(a, L), gb = group_of(b, L);
    if (ga != gb) return ga - gb;
    if (a->role != b->role) return (int)a->role - (int)b->role;
    if (a->is_bias != b->is_bias) return a->is_bias - b->is_bias;
    return strcmp(a->name, b->name);
}

static void group_name(char *buf, size_t n, int g, int n_layer)
{
    if (g == 0) snprintf(buf, n, "embeddings");
    else if (g <= n_layer) snprintf(buf, n, "layer %d", g - 1);
    else if (g == n_layer + 1) snprintf(buf, n, "output");
    else snprintf(buf, n, "other tensors (no role)");
}

static int build_lines(model_view *v, const ws_model *m)
{
    size_t n = m->n_tensors;
    int *order = malloc((n ? n : 1) * sizeof *order);
    v->lines = calloc(2 * n + 1, sizeof *v->lines);
    if (!order || !v->lines) {
        free(order);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    sort_model = m;
    qsort(order, n, sizeof *order, cmp_tensor);
    int last = -1, L = m->cfg.n_layer;
    for (size_t i = 0; i < n; i++) {
        int g = group_of(&m->tensors[order[i]], L);
        if (g != last) {
            line *h = &v->lines[v->n_lines++];
            h->tensor = -1;
            group_name(h->heading, sizeof h->heading, g, L);
            last = g;
        }
        v->lines[v->n_lines++].tensor = order[i];
    }
    free(order);
    return 0;
}

/* ---- drawing ---- */

typedef struct cols {
    int name, role, shape, dtype, params, policy, nstats;
} cols;

static cols layout_cols(int w)
{
    cols c = {0, 10, 12, 5, 8, 11, 0};
    int fixed = c.role + c.shape + c.dtype + c.params + c.policy;
    int room = w - fixed - 24;          /* the name gets at least 24 */
    c.nstats = room / 10 > 4 ? 4 : room / 10 < 0 ? 0 : room / 10;
    c.name = w - fixed - c.nstats * 10;
    return c;
}

static void draw_header(cellbuf *cb, int y, cols c)
{
    static const char *stat_names[] = {"std", "mean", "min", "max"};
    int x = cb_printf(cb, y, 0, c.name, CB_UNDERLINE, "%-*s", c.name, "tensor");
    x += cb_printf(cb, y, x, -1, CB_UNDERLINE, "%-*s%-*s%-*s%*s %-*s", c.role, "role", c.shape,
                   "shape", c.dtype, "dtype", c.params, "params", c.policy - 1, "policy");
    for (int i = 0; i < c.nstats; i++)
        x += cb_printf(cb, y, x, -1, CB_UNDERLINE, "%10s", stat_names[i]);
}

/* The tensor's training policy: dim when it just trains. */
static int draw_policy(tui *t, cellbuf *cb, int y, int x, int idx, int w, int attrs)
{
    char buf[32] = "train";
    const train_mark *m = t->train ? &t->train->marks[idx] : NULL;
    if (m)
        train_mark_text(m, buf, sizeof buf);
    int plain = !m || m->kind == WS_POL_TRAIN;
    cb_printf(cb, y, x, w, attrs | (plain ? CB_DIM : CB_BOLD), " %-*.*s", w - 1, w - 1, buf);
    return w;
}

static void draw_tensor(model_view *v, tui *t, cellbuf *cb, int y, int idx, cols c, int sel)
{
    ws_tensor *te = &t->model->tensors[idx];
    char shape[64], params[16];
    ws_tensor_shape_text(te, shape, sizeof shape);
    tui_fmt_count(params, sizeof params, te->numel);
    int attrs = sel ? CB_REVERSE : 0;
    if (sel)
        cb_fill(cb, (cb_rect){y, 0, 1, cb->cols}, " ", CB_DEFAULT, CB_DEFAULT, attrs);
    /* Too long: keep the tail, which tells the tensors of a layer apart. */
    int room = c.name - 3, len = (int)strlen(te->name);
    if (len <= room)
        cb_printf(cb, y, 0, c.name - 1, attrs, "  %s", te->name);
    else
        cb_printf(cb, y, 0, c.name - 1, attrs, "  %s%s",
                  t->style.glyphs == WS_GLYPH_UTF8 ? "\xe2\x80\xa6" : "~", te->name + len - room + 1);
    int x = c.name;
    x += cb_printf(cb, y, x, -1, attrs, "%-*.*s%-*s%-*s%*s", c.role, c.role - 1,
                   te->role ? ws_role_name(te->role) : "-", c.shape, shape, c.dtype,
                   ws_dtype_name(te->dtype), c.params, params);
    x += draw_policy(t, cb, y, x, idx, c.policy, attrs);
    if (!atomic_load(&v->st->ready[idx])) {
        /* Still coming, or none (a dtype that is not numeric, or cancelled). */
        if (c.nstats)
            cb_printf(cb, y, x, -1, attrs, "%10s", v->job && !job_done(v->job) ? "..." : "-");
        return;
    }
    const ws_stats *s = &v->st->stats[idx];
    double vals[4] = {s->std, s->mean, s->min, s->max};
    for (int i = 0; i < c.nstats; i++)
        x += cb_printf(cb, y, x, -1, attrs, "%10.3g", vals[i]);
}

static void keep_visible(model_view *v)
{
    int page = v->page > 0 ? v->page : 1;
    if (v->sel < v->top + 1)
        v->top = v->sel - 1 < 0 ? 0 : v->sel - 1;   /* keep the group heading in view */
    if (v->sel >= v->top + page)
        v->top = v->sel - page + 1;
}

/* While a run goes on (or after it), the info line follows it. */
static int draw_training(tui *t, cellbuf *cb, cb_rect info)
{
    train_run *r = t->train ? t->train->run : NULL;
    ws_train *tr = r ? train_run_engine(r) : NULL;
    if (!tr)
        return 0;
    size_t n = ws_train_nrecords(tr);
    ws_train_rec last = {0};
    if (n)
        ws_train_record(tr, n - 1, &last);
    char st[64];
    train_run_status(r, st, sizeof st);
    int64_t done = (int64_t)atomic_load(&ws_train_progress(tr)->done);
    cb_printf(cb, info.y, info.x, info.w, 0, "training: %s, step %lld/%lld, loss %.4f  (T: the run)",
              train_run_finished(r) ? st : ws_train_get_state(tr, NULL, 0) == WS_TRAIN_PAUSED
              ? "paused" : "running", (long long)done, (long long)train_run_settings(r)->steps,
              isnan(last.loss) ? last.val_loss : last.loss);
    return 1;
}

static void model_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    model_view *v = (model_view *)vv;
    cols c = layout_cols(body.w);
    draw_header(cb, body.y, c);
    v->page = body.h - 1;
    keep_visible(v);
    for (int i = 0; i < v->page && v->top + i < v->n_lines; i++) {
        const line *l = &v->lines[v->top + i];
        int y = body.y + 1 + i;
        if (l->tensor < 0)
            cb_text(cb, y, 0, body.w, l->heading, CB_BOLD);
        else
            draw_tensor(v, t, cb, y, l->tensor, c, v->top + i == v->sel);
    }
    char params[16];
    tui_fmt_count(params, sizeof params, t->model->n_params);
    if (draw_training(t, cb, info))
        return;
    if (v->job && !job_done(v->job)) {
        tui_draw_progress(cb, info.y, info.x, info.w, "statistics", job_fraction(v->job));
    } else {
        const ws_config *cf = &t->model->cfg;
        if (t->model->layout == WS_LAYOUT_UNKNOWN && t->model->layout_note[0]) {
            cb_printf(cb, info.y, info.x, info.w, 0, "%zu tensors, %s parameters; no GPT roles: %s",
                      t->model->n_tensors, params, t->model->layout_note);
            return;
        }
        char heads[48];
        if (cf->n_head_known)
            snprintf(heads, sizeof heads, "%d", cf->n_head);
        else
            snprintf(heads, sizeof heads, "? (not in the file: start with --heads H)");
        cb_printf(cb, info.y, info.x, info.w, 0, "%zu tensors, %s parameters, layout %s, "
                  "%d layers, d=%d, heads=%s%s", t->model->n_tensors, params,
                  ws_layout_name(t->model->layout), cf->n_layer, cf->n_embd, heads,
                  t->tuned ? "  (TUNED opened too)" : "");
    }
}

/* ---- actions ---- */

static void move_sel(model_view *v, int delta)
{
    int s = v->sel + delta;
    if (s < 0) s = 0;
    if (s >= v->n_lines) s = v->n_lines - 1;
    /* Skip headings in the direction of travel, else the other way. */
    int dir = delta >= 0 ? 1 : -1;
    while (s >= 0 && s < v->n_lines && v->lines[s].tensor < 0)
        s += dir;
    if (s < 0 || s >= v->n_lines)
        for (s = v->sel; s >= 0 && s < v->n_lines && v->lines[s].tensor < 0; s -= dir)
            ;
    if (s >= 0 && s < v->n_lines)
        v->sel = s;
}

static int search_from(model_view *v, tui *t, int start)
{
    for (int k = 0; k < v->n_lines; k++) {
        int i = (start + k) % v->n_lines;
        if (v->lines[i].tensor >= 0 && strstr(t->model->tensors[v->lines[i].tensor].name, v->search)) {
            v->sel = i;
            return 1;
        }
    }
    tui_message(t, "no tensor name contains \"%s\"", v->search);
    return 0;
}

static int policy_action(model_view *v, tui *t, ws_action a, ws_tensor *sel)
{
    if (!t->train) {
        tui_message(t, "out of memory: training is off");
        return 1;
    }
    size_t i = (size_t)(sel - t->model->tensors);
    char buf[160];
    if (sel->role == WS_ROLE_NONE && (a == ACT_POLICY || a == ACT_POLICY_SET)) {
        tui_message(t, "%s is not a parameter of the network: it has no training policy", sel->name);
        return 1;
    }
    switch (a) {
    case ACT_POLICY:
        train_mark_cycle(t->train, sel, i);
        tui_message(t, "%s: %s", sel->name, train_mark_text(&t->train->marks[i], buf, sizeof buf));
        return 1;
    case ACT_POLICY_SET:
        v->prompt = PROMPT_POLICY;
        snprintf(buf, sizeof buf, "policy of %.100s: ", sel->name);
        tui_prompt(t, buf);
        return 1;
    case ACT_POLICY_RULE:
        v->prompt = PROMPT_RULE;
        tui_prompt(t, "PATTERN=POLICY: ");
        /* Start from the selected tensor's role: Enter after "freeze" marks them all. */
        if (sel->role)
            snprintf(t->prompt, sizeof t->prompt, "%s=", ws_role_name(sel->role));
        return 1;
    default:
        tui_push(t, view_train_new(t));
        return 1;
    }
}

/* p: a policy for the selected tensor; P: a rule for many. */
static int policy_prompt_done(model_view *v, tui *t, ws_tensor *sel)
{
    char spec[400], err[256];
    if (!t->prompt[0])
        return 1;
    if (v->prompt == PROMPT_POLICY) {
        /* Its own name as the pattern, escaped as the rules for the run are. */
        ws_policy_rule r;
        ws_err e = {{0}};
        snprintf(spec, sizeof spec, "x=%s", t->prompt);
        if (ws_policy_parse(spec, &r, &e)) {
            tui_message(t, "%s", e.msg);
            return 1;
        }
        train_mark *m = &t->train->marks[sel - t->model->tensors];
        if ((r.kind == WS_POL_CRYSTAL || r.kind == WS_POL_GRID || r.kind == WS_POL_FREEZE_PR) &&
            sel->ndim != 2) {
            tui_message(t, "%s: %s applies to matrices only", sel->name, t->prompt);
            return 1;
        }
        *m = (train_mark){r.kind, r.arg, r.threshold};
        if (r.kind == WS_POL_CRYSTAL)
            t->train->crystal_r = r.arg;
        if (r.kind == WS_POL_GRID)
            t->train->grid_k = r.arg;
        return 1;
    }
    int n = train_marks_apply(t->train, t->model, t->prompt, err, sizeof err);
    if (n < 0)
        tui_message(t, "%s", err);
    else
        tui_message(t, "%s: %d tensor%s", t->prompt, n, n == 1 ? "" : "s");
    return 1;
}

static int model_action(view *vv, tui *t, ws_action a)
{
    model_view *v = (model_view *)vv;
    if (v->n_lines == 0)
        return 0;
    ws_tensor *sel = &t->model->tensors[v->lines[v->sel].tensor];
    switch (a) {
    case ACT_UP: move_sel(v, -1); return 1;
    case ACT_DOWN: move_sel(v, 1); return 1;
    case ACT_PGUP: move_sel(v, -v->page); return 1;
    case ACT_PGDN: move_sel(v, v->page); return 1;
    case ACT_HOME: v->sel = 0; move_sel(v, 0); v->top = 0; return 1;
    case ACT_END: v->sel = v->n_lines - 1; move_sel(v, 0); return 1;
    case ACT_OPEN: tui_push(t, view_matrix_new(t, sel)); return 1;
    case ACT_HIST: tui_push(t, view_hist_new(t, sel)); return 1;
    case ACT_FIT: tui_push(t, view_fits_new(t)); return 1;
    case ACT_SPECTRUM: tui_push(t, view_spectrum_new(t)); return 1;
    case ACT_LAYERS: tui_push(t, view_layers_new(t)); return 1;
    case ACT_DRIFT:
        if (!t->tuned)
            tui_message(t, "drift needs two models: wscope MODEL TUNED");
        else
            tui_push(t, view_drift_new(t));
        return 1;
    case ACT_SEARCH: v->prompt = PROMPT_SEARCH; tui_prompt(t, "search: "); return 1;
    case ACT_PROMPT_DONE:
        if (v->prompt != PROMPT_SEARCH)
            return policy_prompt_done(v, t, sel);
        snprintf(v->search, sizeof v->search, "%s", t->prompt);
        if (v->search[0])
            search_from(v, t, v->sel);
        return 1;
    case ACT_POLICY:
    case ACT_POLICY_SET:
    case ACT_POLICY_RULE:
    case ACT_TRAIN: return policy_action(v, t, a, sel);
    case ACT_SEARCH_NEXT:
        if (!v->search[0])
            return 0;
        search_from(v, t, v->sel + 1);
        return 1;
    case ACT_CANCEL: job_cancel(v->job); return 1;
    case ACT_CLICK: {
        int i = v->top + t->click_y - 2;   /* title and column header above */
        if (i >= 0 && i < v->n_lines && v->lines[i].tensor >= 0) {
            if (i == v->sel)
                tui_push(t, view_matrix_new(t, sel));
            v->sel = i;
        }
        return 1;
    }
    default: return 0;
    }
}

/* A run in the background: redraw the info line when it moves. */
static int training_tick(model_view *v, tui *t, int *busy)
{
    train_run *r = t->train ? t->train->run : NULL;
    ws_train *tr = r ? train_run_engine(r) : NULL;
    if (!r)
        return 0;
    int fin = train_run_finished(r);
    size_t n = tr ? ws_train_nrecords(tr) + (size_t)fin : 0;
    *busy |= !fin;
    if (n == v->train_drawn)
        return 0;
    v->train_drawn = n;
    return 1;
}

static int model_tick(view *vv, tui *t, int *busy)
{
    model_view *v = (model_view *)vv;
    if (training_tick(v, t, busy))
        return 1;
    if (!v->job)
        return 0;
    int done = job_done(v->job);
    *busy |= !done;
    int n = (int)(job_fraction(v->job) * 1000);
    if (n != v->n_ready_drawn || done) {
        int changed = n != v->n_ready_drawn;
        v->n_ready_drawn = n;
        return changed || done;
    }
    return 0;
}

static void model_destroy(view *vv)
{
    model_view *v = (model_view *)vv;
    if (v->job)
        job_release(v->job);
    else if (v->st)
        stats_free(v->st);
    free(v->lines);
    free(v);
}

static const view_class model_class = {
    "model", model_keys, model_draw, model_action, model_tick, model_destroy,
};

view *view_model_new(tui *t)
{
    model_view *v = calloc(1, sizeof *v);
    stats_arg *st = calloc(1, sizeof *st);
    size_t n = t->model->n_tensors ? t->model->n_tensors : 1;
    if (st) {
        st->m = t->model;
        st->stats = calloc(n, sizeof *st->stats);
        st->ready = calloc(n, sizeof *st->ready);
    }
    if (!v || !st || !st->stats || !st->ready || build_lines(v, t->model)) {
        if (st) stats_free(st);
        if (v) free(v->lines);
        free(v);
        return NULL;
    }
    v->base.cls = &model_class;
    v->st = st;
    move_sel(v, 0);
    v->job = job_start(stats_run, st, stats_free);
    if (!v->job)
        tui_message(t, "cannot start a thread: statistics are off");
    return &v->base;
}
