/* Drawing the training view (see train_draw.h). */
#include "train_draw.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "render_loss.h"
#include "train.h"
#include "train_run.h"
#include "tui_analysis.h"

enum { TOP_UPDATES = 8, MAX_SHOWN = 64 };

static const char *const set_names[N_SET] = {"data", "steps", "batch", "seq", "lr", "seed",
                                             "eval every", "start from"};

const char *train_setting_name(int i) { return i >= 0 && i < N_SET ? set_names[i] : ""; }

void train_setting_text(tui *t, int i, char *buf, size_t n)
{
    const train_settings *s = &t->train->set;
    switch (i) {
    case SET_DATA: {
        const char *b = strrchr(s->data, '/');
        snprintf(buf, n, "%s", s->data[0] ? (b ? b + 1 : s->data) : "(none: Enter)");
        break;
    }
    case SET_STEPS: snprintf(buf, n, "%lld", (long long)s->steps); break;
    case SET_BATCH: snprintf(buf, n, "%d", s->B); break;
    case SET_SEQ: snprintf(buf, n, "%d", s->T); break;
    case SET_LR: snprintf(buf, n, "%g", s->lr); break;
    case SET_SEED: snprintf(buf, n, "%llu", (unsigned long long)s->seed); break;
    case SET_EVAL: snprintf(buf, n, "%lld", (long long)s->eval_every); break;
    default: {
        /* by its name once renamed, with the number "start from" takes */
        tui_run *r = s->from_run ? train_run_by_number(t->train, s->from_run) : NULL;
        char plain[32];
        snprintf(plain, sizeof plain, "run %d", s->from_run);
        if (r && strcmp(r->rec.name, plain))
            snprintf(buf, n, "%s's weights (run %d)", r->rec.name, s->from_run);
        else if (s->from_run)
            snprintf(buf, n, "run %d's weights", s->from_run);
        else
            snprintf(buf, n, "the model file");
    }
    }
}

double train_next_smoothing(double w, int up)
{
    static const double ladder[] = {0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99,
                                    0.995, 0.999};
    int n = (int)(sizeof ladder / sizeof *ladder), k = 0;
    while (k + 1 < n && ladder[k] < w - 1e-9)
        k++;   /* the first step at or above w */
    if (up)
        return ladder[ladder[k] > w + 1e-9 ? k : k + 1 < n ? k + 1 : k];
    return ladder[k > 0 ? k - 1 : 0];
}

int train_shown_runs(tui *t, tui_run **runs, int max)
{
    tui_train *s = t->train;
    int n = 0;
    for (size_t i = 0; i < s->n_runs && n < max; i++)
        if (s->runs[i].shown)
            runs[n++] = &s->runs[i];
    if (!n && s->n_runs && max > 0)
        runs[n++] = &s->runs[s->run_sel < (int)s->n_runs ? s->run_sel : 0];
    return n;
}

/* Width of the left column (settings, runs, updates): 40, less on narrow screens. */
static int left_w(int w)
{
    return w * 2 / 5 < 40 ? w * 2 / 5 : 40;
}

/* ---- the selected run: state line and numbers ---- */

static void draw_state(tui_run *r, cellbuf *cb, int y, int w)
{
    char el[16], eta[16];
    long last = ws_run_last_step_rec(&r->rec);
    int64_t total = r->rec.total_steps;
    int64_t done = r->live ? r->steps_done : last >= 0 ? r->rec.rec[last].step + 1 : 0;
    int saving = r->live && train_run_save_status(r->live, NULL, 0);
    int x = cb_printf(cb, y, 0, w, CB_BOLD, "%-9s", saving ? "saving" : tui_run_state(r));
    x += cb_printf(cb, y, x, w - x, 0, " %s  step %lld", r->rec.name, (long long)done);
    if (total > 0) {
        double f = (double)done / (double)total;
        x += cb_printf(cb, y, x, w - x, 0, "/%lld ", (long long)total);
        int bar = w - x - 40 > 30 ? 30 : w - x - 40;
        for (int i = 0; i < bar; i++)
            cb_set(cb, y, x + i, i < f * bar ? "#" : ".", CB_DEFAULT, CB_DEFAULT, 0);
        x += bar > 0 ? bar : 0;
        x += cb_printf(cb, y, x, w - x, 0, " %3d%%", (int)(f * 100 + 0.5));
    }
    double elapsed = ws_run_elapsed(&r->rec), left = ws_run_eta(&r->rec, total);
    if (!isnan(elapsed))
        x += cb_printf(cb, y, x, w - x, 0, "  %s elapsed", ws_fmt_duration(elapsed, el, sizeof el));
    if (tui_run_active(r))
        cb_printf(cb, y, x, w - x, 0, "  ETA %s", ws_fmt_duration(left, eta, sizeof eta));
}

static void draw_numbers(tui *t, tui_run *r, cellbuf *cb, int y, int w)
{
    long last = ws_run_last_step_rec(&r->rec);
    if (last < 0) {
        const char *why = r->error[0]                            ? r->error
                          : !strcmp(tui_run_state(r), "failed") ? "no step done: the reason is below"
                                                                : "waiting for the first step";
        cb_text(cb, y, 0, w, why, CB_DIM);
        return;
    }
    const ws_run_rec *q = &r->rec.rec[last];
    ws_run_summary sm;
    ws_run_summarise(&r->rec, t->train->smoothing, &sm);
    char vtxt[48] = "-", tok[16] = "-", frozen[32] = "";
    for (size_t i = r->rec.n_rec; i-- > 0;)
        if (!isnan(r->rec.rec[i].val_loss)) {
            snprintf(vtxt, sizeof vtxt, "%.4f @%lld", r->rec.rec[i].val_loss,
                     (long long)r->rec.rec[i].step);
            break;
        }
    if (!isnan(q->tokens_per_s))
        tui_fmt_count(tok, sizeof tok, (int64_t)q->tokens_per_s);
    ws_train *tr = r->live ? train_run_engine(r->live) : NULL;
    if (q->n_frozen >= 0 && tr)
        snprintf(frozen, sizeof frozen, "  frozen %d/%zu", q->n_frozen,
                 ws_gpt_nparams(ws_train_gpt(tr)));
    else if (q->n_frozen >= 0)
        snprintf(frozen, sizeof frozen, "  frozen %d", q->n_frozen);
    char lr[24] = "-", gn[24] = "-";   /* "-": a column the log does not have */
    if (!isnan(q->lr))
        snprintf(lr, sizeof lr, "%.3g", q->lr);
    if (!isnan(q->grad_norm))
        snprintf(gn, sizeof gn, "%.3g", q->grad_norm);
    cb_printf(cb, y, 0, w, 0, "loss %.4f  smoothed %.4f  val %s  lr %s  |g| %s  %s tok/s%s",
              q->loss, sm.last_smooth, vtxt, lr, gn, tok, frozen);
}

/* ---- left column ---- */

static int draw_settings(tui *t, cellbuf *cb, cb_rect r)
{
    tui_train *s = t->train;
    int y = r.y;
    cb_text(cb, y++, r.x, r.w, "settings of the next run", CB_UNDERLINE | (s->focus_runs ? 0 : CB_BOLD));
    for (int i = 0; i < N_SET && y < r.y + r.h; i++, y++) {
        char val[600];
        train_setting_text(t, i, val, sizeof val);
        int attrs = i == s->sel && !s->focus_runs ? CB_REVERSE : 0;
        if (attrs)
            cb_fill(cb, (cb_rect){y, r.x, 1, r.w - 1}, " ", CB_DEFAULT, CB_DEFAULT, attrs);
        cb_printf(cb, y, r.x, r.w - 1, attrs, " %-11s%s", set_names[i], val);
    }
    int64_t trainable, total;
    train_marks_trainable(s, t->model, &trainable, &total);
    char a[16], b[16];
    tui_fmt_count(a, sizeof a, trainable);
    tui_fmt_count(b, sizeof b, total);
    cb_printf(cb, y++, r.x, r.w, CB_DIM, " policies  %zu marked", train_marks_count(s));
    char line[96];
    int len = snprintf(line, sizeof line, " trainable %.1f %% (%s of %s)",
                       100.0 * (double)trainable / (double)total, a, b);
    if (len >= r.w)   /* the counts only where they fit */
        snprintf(line, sizeof line, " trainable %.1f %%", 100.0 * (double)trainable / (double)total);
    if (total > 0 && y < r.y + r.h)
        cb_text(cb, y++, r.x, r.w, line, CB_DIM);
    return y + 1;
}

static int draw_runs(tui *t, cellbuf *cb, cb_rect r)
{
    tui_train *s = t->train;
    int y = r.y;
    if (!s->n_runs || r.h < 2)
        return y;
    cb_text(cb, y++, r.x, r.w, s->focus_runs ? "runs (Space: in the plot)" : "runs (Tab: select)",
            CB_UNDERLINE | (s->focus_runs ? CB_BOLD : 0));
    /* Scroll so the selected run is visible. */
    int rows = r.h - 1, first = s->run_sel >= rows ? s->run_sel - rows + 1 : 0;
    for (int i = first; i < (int)s->n_runs && y < r.y + r.h; i++, y++) {
        tui_run *u = &s->runs[i];
        int attrs = i == s->run_sel && s->focus_runs ? CB_REVERSE : 0;
        if (attrs)
            cb_fill(cb, (cb_rect){y, r.x, 1, r.w - 1}, " ", CB_DEFAULT, CB_DEFAULT, attrs);
        const char *mark = u->shown ? (t->style.glyphs == WS_GLYPH_UTF8 ? "\xe2\x97\x8f" : "*") : " ";
        cb_set(cb, y, r.x + 1, mark, loss_run_colour(u->number ? u->number - 1 : i, &t->style),
               CB_DEFAULT, attrs | CB_BOLD);
        ws_run_summary sm;
        ws_run_summarise(&u->rec, s->smoothing, &sm);
        char num[16] = "", steps[24] = "";
        if (!isnan(sm.last_smooth))
            snprintf(num, sizeof num, "%.4f", sm.last_smooth);
        /* name, state, [steps,] last smoothed loss, * when unsaved */
        int wide = r.w >= 40, nw = wide ? 12 : r.w - 22 > 6 ? r.w - 22 : 6;
        if (wide)
            snprintf(steps, sizeof steps, " %6lld", (long long)sm.steps);
        char name[160];   /* a long name cut by the one rule (names.h) */
        int cells = ws_elide(u->rec.name, nw, t->style.glyphs != WS_GLYPH_UTF8, name, sizeof name);
        cb_printf(cb, y, r.x + 3, r.w - 4, attrs, "%s%*s %-8.8s%s %s%s", name, nw - cells, "",
                  tui_run_state(u), steps, num, tui_run_unsaved(u) ? " *" : "");
    }
    return y + 1;
}

static void draw_updates(const tui *t, tui_run *run, cellbuf *cb, cb_rect r)
{
    ws_train *tr = run && run->live ? train_run_engine(run->live) : NULL;
    int nm = tr ? ws_train_n_matrices(tr) : 0;
    long rec = run ? ws_run_last_step_rec(&run->rec) : -1;
    if (rec < 0 || nm <= 0 || r.h < 2)
        return;
    float *u = malloc((size_t)nm * sizeof *u);
    int *order = malloc((size_t)nm * sizeof *order);
    if (u && order && !ws_train_update_norms(tr, (size_t)rec, u)) {
        cb_text(cb, r.y, r.x, r.w, "largest updates |dW|, last step", CB_UNDERLINE);
        for (int i = 0; i < nm; i++)
            order[i] = i;
        int shown = nm < TOP_UPDATES ? nm : TOP_UPDATES;
        for (int i = 0; i < shown && i + 1 < r.h; i++) {
            for (int j = i + 1; j < nm; j++)   /* top few by selection: nm is small */
                if (u[order[j]] > u[order[i]]) {
                    int tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
            /* The name as names.h shows it, cut by the one rule. */
            const char *name = ws_train_matrix_name(tr, order[i]);
            const ws_tensor *te = ws_model_find(t->model, name);
            char disp[256], cut[256];
            if (te)
                name = ws_display_name(t->model, te, 0, disp, sizeof disp);
            int room = r.w - 12;
            int cells = ws_elide(name, room, t->style.glyphs != WS_GLYPH_UTF8, cut, sizeof cut);
            cb_printf(cb, r.y + 1 + i, r.x, r.w, 0, " %s%*s%10.3g", cut, room - cells, "",
                      u[order[i]]);
        }
    }
    free(u);
    free(order);
}

/* ---- the plot ---- */

static void draw_plot(tui *t, cellbuf *cb, cb_rect r)
{
    tui_train *s = t->train;
    loss_curve c[MAX_SHOWN];
    tui_run *runs[MAX_SHOWN];
    int n = train_shown_runs(t, runs, MAX_SHOWN), live = 0;
    for (int k = 0; k < n; k++) {
        uint32_t fg = loss_run_colour(runs[k]->number ? runs[k]->number - 1 : k, &t->style);
        c[k] = (loss_curve){&runs[k]->rec, fg, n == 1 ? colour_diverging(-0.8, &t->style) : fg,
                            runs[k]->rec.name, NULL, NULL, 0};
        live |= tui_run_active(runs[k]);
    }
    char win[32] = "all steps";
    if (s->window)
        snprintf(win, sizeof win, "last %lld steps", (long long)s->window);
    cb_printf(cb, r.y, r.x, r.w, 0, "smoothing %.*f  %s y  %s", s->smoothing >= 0.995 ? 3 : 2,
              s->smoothing, s->logy ? "log" : "linear", win);
    loss_opts o = {s->smoothing, s->logy, s->window, live && !s->window, 1, 1};
    render_loss(cb, (cb_rect){r.y + 1, r.x, r.h - 1, r.w}, c, n, &o, &t->style);
}

/* ---- the matrices: policy and what guides it ---- */

static void draw_matrices(tui *t, cellbuf *cb, cb_rect r)
{
    tui_train *s = t->train;
    const ws_model *m = t->model;
    ws_analysis *a = NULL;
    int have_pr = tui_analysis_ready(t->model, WS_AN_PR, &a);
    int have_amp = have_pr && tui_analysis_ready(t->model, WS_AN_AMP, &a);
    char share[64];
    cb_printf(cb, r.y, r.x, r.w, 0, "matrices: %s", train_marks_share(s, m, share, sizeof share));
    int z = r.w >= 60, nw = r.w - (z ? 38 : 24) > 12 ? r.w - (z ? 38 : 24) : 12, y = r.y + 1;
    cb_printf(cb, y++, r.x, r.w, CB_UNDERLINE, "%-*s%-10s%*s%*s", nw, "matrix", "policy",
              z ? 14 : 7, z ? "PR      z" : "PR", z ? 14 : 7, z ? "ampPR      z" : "ampPR");
    int k = 0, shown = 0, n_mat = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const ws_tensor *te = &m->tensors[i];
        if (te->kind != WS_KIND_NETWORK || te->ndim != 2 || te->role == WS_ROLE_NONE)
            continue;
        n_mat++;
        if (k++ < s->matrix_top || y >= r.y + r.h)
            continue;
        char name[256], cut[256], pol[32], cell[2][32];
        ws_display_name(m, te, 0, name, sizeof name);
        int cells = ws_elide(name, nw - 1, t->style.glyphs != WS_GLYPH_UTF8, cut, sizeof cut);
        train_mark_text(&s->marks[i], pol, sizeof pol);
        int x = r.x + cb_printf(cb, y, r.x, r.w, 0, "%s%*s", cut, nw - cells, "");
        x += cb_printf(cb, y, x, r.x + r.w - x, s->marks[i].kind == WS_POL_TRAIN ? CB_DIM : CB_BOLD,
                       "%-10.9s", pol);
        const ws_mat_result *res = have_pr ? ws_analysis_find(a, te) : NULL;
        cb_printf(cb, y, x, r.x + r.w - x, 0, "%*s%*s", z ? 14 : 7,
                  tui_pr_cell(res, 0, z, cell[0], sizeof cell[0]), z ? 14 : 7,
                  have_amp ? tui_pr_cell(res, 1, z, cell[1], sizeof cell[1]) : "");
        y++;
        shown++;
    }
    if (!have_pr || !have_amp)
        cb_text(cb, r.y + r.h - 1, r.x, r.w, have_pr ? "amplitude PR: computing (the grid fits)"
                                                       : "PR: computing (the layers analysis)", CB_DIM);
    else if (shown < n_mat)
        cb_printf(cb, r.y + r.h - 1, r.x, r.w, CB_DIM, "matrices %d-%d of %d (PgUp PgDn)",
                  s->matrix_top + 1, s->matrix_top + shown, n_mat);
}

/* ---- the whole view ---- */

static void draw_info(tui *t, tui_run *r, cellbuf *cb, cb_rect info)
{
    char st[600] = "", log[1200] = "";
    int failed = r && r->live ? train_run_status(r->live, st, sizeof st) : 0;
    if (r && r->live)
        train_run_log_status(r->live, log, sizeof log);
    else if (r && r->rec.log_path)
        snprintf(log, sizeof log, "%s %s", r->follow ? "following" : "log", r->rec.log_path);
    if (r && t->train->focus_runs) {   /* in the runs list: what the selected run was, whole */
        char what[3200];
        snprintf(what, sizeof what, "%s: policies %s | %s | %s", r->rec.name,
                 r->rec.policies ? r->rec.policies : "-", r->rec.settings ? r->rec.settings : "", log);
        cb_text_above(cb, info.y, info.x, info.w, 3, what, 0);
    }
    else if (failed || (r && r->live && train_run_engine(r->live) &&
                        ws_train_get_state(train_run_engine(r->live), NULL, 0) >= WS_TRAIN_CANCELLED))
        cb_text_above(cb, info.y, info.x, info.w, failed ? 4 : 1, st, failed ? CB_BOLD : 0);
    else if (r && tui_run_active(r))
        cb_printf(cb, info.y, info.x, info.w, 0, "%s;  q: back (it keeps running)  x: stop", log);
    else
        cb_text(cb, info.y, info.x, info.w, log, 0);
}

void train_draw_view(tui *t, tui_run *sel, cellbuf *cb, cb_rect body, cb_rect info)
{
    int lw = left_w(body.w), top = body.y + 3;
    if (sel) {
        draw_state(sel, cb, body.y, body.w);
        draw_numbers(t, sel, cb, body.y + 1, body.w);
    } else {
        cb_printf(cb, body.y, 0, body.w, CB_BOLD, "no run yet");
        cb_printf(cb, body.y + 1, 0, body.w, 0, "s starts one (mark policies in the model view "
                  "first: t, p, P); Enter edits");
    }
    int end = body.y + body.h;
    int y = draw_settings(t, cb, (cb_rect){top, 0, end - top, lw});
    y = draw_runs(t, cb, (cb_rect){y, 0, end - y, lw});
    draw_updates(t, sel, cb, (cb_rect){y, 0, end - y, lw});
    cb_rect right = {top, lw + 1, end - top, body.w - lw - 1};
    if (t->train->show_matrices)
        draw_matrices(t, cb, right);
    else if (t->train->n_runs)
        draw_plot(t, cb, right);
    draw_info(t, sel, cb, info);
}
