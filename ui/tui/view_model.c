/* Model view: every tensor, grouped by layer and ordered by role, with
 * shape, dtype, parameter count and statistics. The network comes first;
 * its buffers and then the training state a checkpoint carries follow in
 * groups of their own, the training state collapsed to one line until
 * Enter opens it. Names are shown as names.h says (relative to the layer
 * under a "layer N" heading, cut by the one rule).
 *
 * Statistics are computed on a worker thread right after the first screen
 * is up; the list fills in as they arrive. */
#include <curses.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "names.h"
#include "report_key.h"
#include "train_marks.h"
#include "train_run.h"
#include "tui.h"
#include "tui_analysis.h"
#include "view_fits.h"

typedef struct stats_arg {
    ws_model *m;
    ws_stats *stats;         /* per tensor, valid when ready[i] */
    atomic_int *ready;
} stats_arg;

typedef struct line {
    int tensor;              /* index into the model, -1: a group heading */
    int group;
    char heading[96];
} line;

typedef struct model_view {
    view base;
    line *lines;
    int n_lines;
    int state_open;          /* the training-state group is expanded */
    int sel;                 /* selected line: a tensor, or a group Enter opens */
    int top;                 /* first line shown */
    int page;                /* lines in the last drawn body */
    tui_job *job;
    stats_arg *st;
    int n_ready_drawn;
    char search[128];
    ws_namesel search_sel;   /* the search as patterns (qkv@0, h.0.*, a,b); empty if not */
    enum { PROMPT_SEARCH, PROMPT_POLICY, PROMPT_RULE } prompt;
    size_t train_drawn;      /* training records shown in the info line */
} model_view;

static const key_binding model_keys[] = {
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "select the previous tensor", NULL},
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "select the next tensor", NULL},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "one page up", NULL},
    {{KEY_NPAGE, 0}, "PgDn", ACT_PGDN, "one page down", NULL},
    {{' ', 0}, "Space", ACT_TOGGLE, "open or close the training-state group (elsewhere: page down)",
     NULL},
    {{KEY_HOME, 'g', 0}, "Home g", ACT_HOME, "first tensor", NULL},
    {{KEY_END, 'G', 0}, "End G", ACT_END, "last tensor", NULL},
    {{'\n', '\r', KEY_ENTER, 'l'}, "Enter l", ACT_OPEN,
     "open the tensor as a heatmap, or open/close the training-state group", "open"},
    {{'/', 0}, "/", ACT_SEARCH,
     "search tensor names: a substring (any case unless it has a capital), qkv@0, h.0.*, a,b",
     "search"},
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
    {{'R', 0}, "R", ACT_REPORT, "write the report of the open model(s) beside the model (wscope report)",
     "report"},
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

/* Groups in order: embeddings, layer 0 … L-1, output, the network's other
 * tensors, buffers, training state. */
enum { G_OTHER = 2, G_BUFFERS = 3, G_STATE = 4 };   /* offsets after the layers */

static int group_of(const ws_tensor *t, int n_layer)
{
    if (t->kind == WS_KIND_STATE)
        return G_STATE + n_layer;
    if (t->kind == WS_KIND_BUFFER)
        return G_BUFFERS + n_layer;
    if (t->layer >= 0)
        return 1 + t->layer;
    if (t->role == WS_ROLE_EMBED || t->role == WS_ROLE_POS_EMBED)
        return 0;
    return t->role != WS_ROLE_NONE ? 1 + n_layer : G_OTHER + n_layer;
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

static void group_name(char *buf, size_t n, int g, const ws_model *m, int open)
{
    int L = m->cfg.n_layer;
    char vals[16];
    if (g == 0) snprintf(buf, n, "embeddings");
    else if (g <= L) snprintf(buf, n, "layer %d", g - 1);
    else if (g == L + 1) snprintf(buf, n, "output");
    else if (g == L + G_OTHER) snprintf(buf, n, "other tensors of the network (no role)");
    else if (g == L + G_BUFFERS) snprintf(buf, n, "buffers (kept with the network, never trained)");
    else {
        tui_fmt_count(vals, sizeof vals, m->params_kind[WS_KIND_STATE]);
        snprintf(buf, n, "%s training state: %zu tensors, %s values (Enter %s)", open ? "-" : "+",
                 m->n_kind[WS_KIND_STATE], vals, open ? "closes" : "opens");
    }
}

static int is_state_heading(const model_view *v, int i, int n_layer)
{
    return i >= 0 && i < v->n_lines && v->lines[i].tensor < 0 && v->lines[i].group == G_STATE + n_layer;
}

/* The lines for the current open/closed state; sel stays on the same
 * tensor or heading. */
static int build_lines(model_view *v, const ws_model *m)
{
    size_t n = m->n_tensors;
    int *order = malloc((n ? n : 1) * sizeof *order);
    line *lines = calloc(2 * n + 1, sizeof *lines);
    if (!order || !lines) {
        free(order);
        free(lines);
        return -1;
    }
    int old_tensor = v->lines && v->sel < v->n_lines ? v->lines[v->sel].tensor : -2;
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    sort_model = m;
    qsort(order, n, sizeof *order, cmp_tensor);
    int last = -1, L = m->cfg.n_layer, nl = 0;
    for (size_t i = 0; i < n; i++) {
        int g = group_of(&m->tensors[order[i]], L);
        if (g != last) {
            line *h = &lines[nl++];
            h->tensor = -1;
            h->group = g;
            group_name(h->heading, sizeof h->heading, g, m, v->state_open);
            last = g;
        }
        if (g == G_STATE + L && !v->state_open)
            continue;
        lines[nl].group = g;
        lines[nl++].tensor = order[i];
    }
    free(order);
    free(v->lines);
    v->lines = lines;
    v->n_lines = nl;
    for (int i = 0; old_tensor != -2 && i < nl; i++)
        if (lines[i].tensor == old_tensor && (old_tensor >= 0 || is_state_heading(v, i, L))) {
            v->sel = i;
            break;
        }
    return 0;
}

/* ---- drawing ---- */

typedef struct cols {
    int name, role, shape, dtype, params, policy, nstats;
    int pr, amp;                /* weight PR and amplitude PR, once the layers analysis has them */
    ws_analysis *a;
} cols;

static cols layout_cols(tui *t, int w)
{
    /* role: the longest label (attn_out.b, exp_avg_sq) and a space. */
    cols c = {0, 11, 11, 5, 8, 11, 0, 0, 0, NULL};
    /* Beside the policy, what guides it: shown once computed (L, or m in
     * the training view), never started from here; each with its z against
     * Gaussian noise of the same shape (null.h) when there is room. */
    if (tui_analysis_ready(t->model, WS_AN_PR, &c.a))
        c.pr = w >= 100 ? 13 : 7;
    if (c.pr && tui_analysis_ready(t->model, WS_AN_AMP, &c.a) && w >= 112)
        c.amp = 13;
    int fixed = c.role + c.shape + c.dtype + c.params + c.policy + c.pr + c.amp;
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
    if (c.pr)
        x += cb_printf(cb, y, x, -1, CB_UNDERLINE, "%*s", c.pr, c.pr > 7 ? "PR      z" : "PR");
    if (c.amp)
        x += cb_printf(cb, y, x, -1, CB_UNDERLINE, "%*s", c.amp, "ampPR      z");
    for (int i = 0; i < c.nstats; i++)
        x += cb_printf(cb, y, x, -1, CB_UNDERLINE, "%10s", stat_names[i]);
}

/* `text` in a column `w` cells wide, a space after it; cut by the one rule
 * (names.h, ws_elide) when longer. Returns w. */
static int draw_cell(tui *t, cellbuf *cb, int y, int x, int w, int attrs, const char *text)
{
    char cut[256];
    ws_elide(text, w - 1, t->style.glyphs != WS_GLYPH_UTF8, cut, sizeof cut);
    cb_text(cb, y, x, w - 1, cut, attrs);
    return w;
}

/* The tensor's training policy: dim when it just trains; "-" for what is
 * not a parameter of the network. */
static int draw_policy(tui *t, cellbuf *cb, int y, int x, int idx, int w, int attrs)
{
    char buf[32] = "train";
    const ws_tensor *te = &t->model->tensors[idx];
    const train_mark *m = t->train ? &t->train->marks[idx] : NULL;
    if (te->kind != WS_KIND_NETWORK)
        snprintf(buf, sizeof buf, "-"), m = NULL;
    else if (m)
        train_mark_text(m, buf, sizeof buf);
    int plain = !m || m->kind == WS_POL_TRAIN;
    cb_text(cb, y, x, 1, " ", attrs);   /* then w - 1 cells of text */
    draw_cell(t, cb, y, x + 1, w, attrs | (plain ? CB_DIM : CB_BOLD), buf);
    return w;
}

static void draw_tensor(model_view *v, tui *t, cellbuf *cb, int y, int idx, cols c, int sel)
{
    ws_tensor *te = &t->model->tensors[idx];
    char shape[64], params[16], name[256], cut[256], role[32];
    ws_tensor_shape_text(te, shape, sizeof shape);
    tui_fmt_count(params, sizeof params, te->numel);
    int attrs = sel ? CB_REVERSE : 0;
    if (sel)
        cb_fill(cb, (cb_rect){y, 0, 1, cb->cols}, " ", CB_DEFAULT, CB_DEFAULT, attrs);
    /* Relative to the layer only under a "layer N" heading. */
    ws_display_name(t->model, te, te->kind == WS_KIND_NETWORK, name, sizeof name);
    int cells = ws_elide(name, c.name - 3, t->style.glyphs != WS_GLYPH_UTF8, cut, sizeof cut);
    cb_printf(cb, y, 0, c.name - 1, attrs, "  %s%*s", cut, c.name - 3 - cells, "");
    int x = c.name;
    x += draw_cell(t, cb, y, x, c.role, attrs, ws_display_role(te, 0, role, sizeof role));
    x += draw_cell(t, cb, y, x, c.shape, attrs, shape);
    x += cb_printf(cb, y, x, -1, attrs, "%-*s%*s", c.dtype, ws_dtype_name(te->dtype), c.params, params);
    x += draw_policy(t, cb, y, x, idx, c.policy, attrs);
    const ws_mat_result *res = c.a ? ws_analysis_find(c.a, te) : NULL;
    for (int k = 0; k < 2; k++) {
        int w = k ? c.amp : c.pr;
        char cell[32];
        if (w)
            x += cb_printf(cb, y, x, -1, attrs, "%*s", w,
                           tui_pr_cell(res, k, w > 7, cell, sizeof cell));
    }
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
/* With policies marked, the share of the network they leave trainable
 * ("93.1 % trainable"; the P message and the training view give the
 * counts); "" without marks. */
static const char *marked_share(tui *t, char *buf, size_t n)
{
    buf[0] = 0;
    if (!t->train || !train_marks_count(t->train))
        return buf;
    int64_t tr, total;
    train_marks_trainable(t->train, t->model, &tr, &total);
    snprintf(buf, n, "%.1f %% trainable", total ? 100.0 * (double)tr / (double)total : 0.0);
    return buf;
}

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
    char share[64];
    marked_share(t, share, sizeof share);
    cb_printf(cb, info.y, info.x, info.w, 0, "training: %s, step %lld/%lld, loss %.4f  (T: the run)%s%s",
              train_run_finished(r) ? st : ws_train_get_state(tr, NULL, 0) == WS_TRAIN_PAUSED
              ? "paused" : "running", (long long)done, (long long)train_run_settings(r)->steps,
              isnan(last.loss) ? last.val_loss : last.loss, share[0] ? "; next run " : "", share);
    return 1;
}

/* The first-run hint: which keys show something, on the last line of the
 * list until the first key that does anything (t->acted). */
static int draw_hint(tui *t, cellbuf *cb, cb_rect body)
{
    if (t->acted || body.h < 8)
        return 0;
    cb_printf(cb, body.y + body.h - 1, body.x, body.w, CB_BOLD, "try: S spectrum, L layers, F fits, %s"
              "T then s to train, ? every key", t->tuned ? "D drift, " : "");
    return 1;
}

static void model_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    model_view *v = (model_view *)vv;
    cols c = layout_cols(t, body.w);
    draw_header(cb, body.y, c);
    v->page = body.h - 1 - draw_hint(t, cb, body);
    keep_visible(v);
    for (int i = 0; i < v->page && v->top + i < v->n_lines; i++) {
        const line *l = &v->lines[v->top + i];
        int y = body.y + 1 + i;
        if (l->tensor < 0 && v->top + i == v->sel) {
            cb_fill(cb, (cb_rect){y, 0, 1, cb->cols}, " ", CB_DEFAULT, CB_DEFAULT, CB_REVERSE);
            cb_text(cb, y, 0, body.w, l->heading, CB_BOLD | CB_REVERSE);
        } else if (l->tensor < 0)
            cb_text(cb, y, 0, body.w, l->heading, CB_BOLD);
        else
            draw_tensor(v, t, cb, y, l->tensor, c, v->top + i == v->sel);
    }
    const ws_model *m = t->model;
    char params[16], state[64] = "";
    tui_fmt_count(params, sizeof params, m->params_kind[WS_KIND_NETWORK]);
    if (m->n_kind[WS_KIND_STATE]) {
        char vals[16];
        tui_fmt_count(vals, sizeof vals, m->params_kind[WS_KIND_STATE]);
        snprintf(state, sizeof state, " (+%s training state)", vals);
    }
    if (draw_training(t, cb, info))
        return;
    if (v->job && !job_done(v->job)) {
        tui_draw_progress(cb, info.y, info.x, info.w, "statistics", job_fraction(v->job));
    } else {
        const ws_config *cf = &t->model->cfg;
        if (t->model->layout == WS_LAYOUT_UNKNOWN && t->model->layout_note[0]) {
            cb_printf(cb, info.y, info.x, info.w, 0, "%zu tensors, %s parameters%s; no GPT roles: %s",
                      m->n_kind[WS_KIND_NETWORK], params, state, t->model->layout_note);
            return;
        }
        char heads[80], share[96];
        if (cf->n_head_known)
            snprintf(heads, sizeof heads, "%d", cf->n_head);
        else
            snprintf(heads, sizeof heads, "? (start with --heads H: none in the file or a config.json)");
        /* With policies marked, the running total of what a run would train. */
        marked_share(t, share, sizeof share);
        /* What fits the width (80 columns): the parts in screen order,
         * dropped in the order below while the line is too long: the layout,
         * the training state, then the dimensions, unless the heads are
         * unknown (the hint matters more than the share). wscope info gives
         * everything. */
        char p[6][160];
        snprintf(p[0], sizeof p[0], "%zu tensors, %s parameters", m->n_kind[WS_KIND_NETWORK], params);
        snprintf(p[1], sizeof p[1], "%s", state);
        snprintf(p[2], sizeof p[2], "%s%s", share[0] ? ", " : "", share);
        snprintf(p[3], sizeof p[3], ", %d layers, d=%d, heads=%s", cf->n_layer, cf->n_embd, heads);
        snprintf(p[4], sizeof p[4], "%s", t->tuned ? ", TUNED open (D: drift)" : "");
        snprintf(p[5], sizeof p[5], ", layout %s", ws_layout_name(t->model->layout));
        const int drop[] = {5, 1, cf->n_head_known ? 3 : 2};
        size_t len = 0;
        for (int i = 0; i < 6; i++)
            len += strlen(p[i]);
        for (int i = 0; i < 3 && len > (size_t)info.w; i++) {
            len -= strlen(p[drop[i]]);
            p[drop[i]][0] = 0;
        }
        cb_printf(cb, info.y, info.x, info.w, 0, "%s%s%s%s%s%s", p[0], p[1], p[2], p[3], p[4], p[5]);
    }
}

/* ---- actions ---- */

/* Lines the cursor can rest on: tensors and the training-state heading. */
static int selectable(const model_view *v, int i, int n_layer)
{
    return i >= 0 && i < v->n_lines && (v->lines[i].tensor >= 0 || is_state_heading(v, i, n_layer));
}

static void move_sel(model_view *v, int delta, int n_layer)
{
    int s = v->sel + delta;
    if (s < 0) s = 0;
    if (s >= v->n_lines) s = v->n_lines - 1;
    /* Skip headings in the direction of travel, else the other way. */
    int dir = delta >= 0 ? 1 : -1;
    while (s >= 0 && s < v->n_lines && !selectable(v, s, n_layer))
        s += dir;
    if (s < 0 || s >= v->n_lines)
        for (s = v->sel; s >= 0 && s < v->n_lines && !selectable(v, s, n_layer); s -= dir)
            ;
    if (s >= 0 && s < v->n_lines)
        v->sel = s;
}

/* Does tensor i match the search: a substring of its name as stored or as
 * shown, or the name patterns every name argument takes (names.h)? */
static int search_hit(const model_view *v, const ws_model *m, int i)
{
    char shown[256];
    const ws_tensor *te = &m->tensors[i];
    return ws_name_contains(te->name, v->search) ||
           ws_name_contains(ws_display_name(m, te, 0, shown, sizeof shown), v->search) ||
           ws_namesel_match(&v->search_sel, -1, m, te);
}

static void set_search(model_view *v, const char *text)
{
    ws_err e;
    snprintf(v->search, sizeof v->search, "%s", text);
    ws_namesel_free(&v->search_sel);
    if (ws_namesel_add(&v->search_sel, text, &e) < 0)
        ws_namesel_free(&v->search_sel);   /* not patterns: substrings only */
}

/* The next match from line `start` on; the message says how many match
 * (and how many more the closed training-state group holds). */
static int search_from(model_view *v, tui *t, int start)
{
    const ws_model *m = t->model;
    int shown = 0, hidden = 0, found = -1;
    for (size_t i = 0; i < m->n_tensors; i++)
        if (search_hit(v, m, (int)i)) {
            if (m->tensors[i].kind == WS_KIND_STATE && !v->state_open)
                hidden++;
            else
                shown++;
        }
    for (int k = 0; k < v->n_lines && found < 0; k++) {
        int i = (start + k) % v->n_lines;
        if (v->lines[i].tensor >= 0 && search_hit(v, m, v->lines[i].tensor))
            found = i;
    }
    char more[96] = "";
    if (hidden)
        snprintf(more, sizeof more, " (+%d in the closed training state: Enter on it opens it)", hidden);
    if (found < 0) {
        tui_message(t, "no tensor matches \"%s\"%s", v->search, more);
        return 0;
    }
    v->sel = found;
    int nth = 0;
    for (int i = 0; i <= found; i++)
        nth += v->lines[i].tensor >= 0 && search_hit(v, m, v->lines[i].tensor);
    tui_message(t, "\"%s\": match %d of %d%s (n: next)", v->search, nth, shown, more);
    return 1;
}

/* Open or close the training-state group (the cursor is on its heading). */
static void toggle_state(model_view *v, tui *t)
{
    v->state_open = !v->state_open;
    if (build_lines(v, t->model) < 0)
        tui_message(t, "out of memory");
}

static int policy_action(model_view *v, tui *t, ws_action a, ws_tensor *sel)
{
    if (!t->train) {
        tui_message(t, "out of memory: training is off");
        return 1;
    }
    size_t i = sel ? (size_t)(sel - t->model->tensors) : 0;
    char share[64];
    char buf[160];
    if (sel && (sel->role == WS_ROLE_NONE || sel->kind != WS_KIND_NETWORK) &&
        (a == ACT_POLICY || a == ACT_POLICY_SET)) {
        tui_message(t, "%s is not a parameter of the network: it has no training policy", sel->name);
        return 1;
    }
    switch (a) {
    case ACT_POLICY:
        train_mark_cycle(t->train, sel, i);
        train_marks_follow(t->train, t->model);
        tui_message(t, "%s: %s; %s", sel->name, train_mark_text(&t->train->marks[i], buf, sizeof buf),
                    train_marks_share(t->train, t->model, share, sizeof share));
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
        if (sel && sel->role)
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
    char spec[400], err[256], share[64];
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
        *m = (train_mark){r.kind, r.arg, r.threshold, r.centres};
        train_marks_follow(t->train, t->model);
        if (r.kind == WS_POL_CRYSTAL)
            t->train->crystal_r = r.arg;
        if (r.kind == WS_POL_GRID)
            t->train->grid_k = r.arg;
        tui_message(t, "%s: %s; %s", sel->name, t->prompt,
                    train_marks_share(t->train, t->model, share, sizeof share));
        return 1;
    }
    int n = train_marks_apply(t->train, t->model, t->prompt, err, sizeof err);
    if (n < 0)
        tui_message(t, "%s", err);
    else
        tui_message(t, "%s: %d tensor%s; %s", t->prompt, n, n == 1 ? "" : "s",
                    train_marks_share(t->train, t->model, share, sizeof share));
    return 1;
}

static int model_action(view *vv, tui *t, ws_action a)
{
    model_view *v = (model_view *)vv;
    if (v->n_lines == 0)
        return 0;
    int L = t->model->cfg.n_layer;
    int on_group = is_state_heading(v, v->sel, L);
    if (on_group && (a == ACT_OPEN || a == ACT_TOGGLE)) {
        toggle_state(v, t);
        return 1;
    }
    if (on_group && (a == ACT_HIST || a == ACT_POLICY || a == ACT_POLICY_SET)) {
        tui_message(t, "select a tensor first (Enter opens the training state)");
        return 1;
    }
    ws_tensor *sel = on_group ? NULL : &t->model->tensors[v->lines[v->sel].tensor];
    switch (a) {
    case ACT_UP: move_sel(v, -1, L); return 1;
    case ACT_DOWN: move_sel(v, 1, L); return 1;
    case ACT_PGUP: move_sel(v, -v->page, L); return 1;
    case ACT_TOGGLE:
    case ACT_PGDN: move_sel(v, v->page, L); return 1;
    case ACT_HOME: v->sel = 0; move_sel(v, 0, L); v->top = 0; return 1;
    case ACT_END: v->sel = v->n_lines - 1; move_sel(v, 0, L); return 1;
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
    case ACT_REPORT: return tui_report_start(t);
    case ACT_SEARCH: v->prompt = PROMPT_SEARCH; tui_prompt(t, "search: "); return 1;
    case ACT_PROMPT_DONE:
        if (v->prompt != PROMPT_SEARCH)
            return policy_prompt_done(v, t, sel);
        set_search(v, t->prompt);
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
        if (selectable(v, i, L)) {
            int again = i == v->sel;
            v->sel = i;
            if (again && v->lines[i].tensor < 0)
                toggle_state(v, t);
            else if (again)
                tui_push(t, view_matrix_new(t, sel));
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
    /* Once the statistics are all in, nothing more comes: 1 once, then 0. */
    int n = done ? 1001 : (int)(job_fraction(v->job) * 1000);
    if (n == v->n_ready_drawn)
        return 0;
    v->n_ready_drawn = n;
    return 1;
}

static void model_destroy(view *vv)
{
    model_view *v = (model_view *)vv;
    tui_report_stop();
    if (v->job)
        job_release(v->job);
    else if (v->st)
        stats_free(v->st);
    free(v->lines);
    ws_namesel_free(&v->search_sel);
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
    move_sel(v, 0, t->model->cfg.n_layer);
    v->job = job_start(stats_run, st, stats_free);
    if (!v->job)
        tui_message(t, "cannot start a thread: statistics are off");
    return &v->base;
}
