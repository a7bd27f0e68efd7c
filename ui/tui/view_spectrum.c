/* Spectrum view: eigenvalues of EᵀE for the token embedding on a log (or
 * linear) axis as a braille plot, beside the eigenvalues table of `wscope
 * spectrum` (singular values, decay ratios, each gap's level-spacing
 * p-value, the significant pairs in bold); a cursor reads one eigenvalue.
 * Computed on the analysis worker (tui_analysis.h). */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_tables.h"
#include "export.h"
#include "names.h"
#include "numtable.h"
#include "plots.h"
#include "tui.h"
#include "tui_analysis.h"

typedef struct spectrum_view {
    view base;
    ws_analysis *a;
    int cur;                /* cursor: an eigenvalue's index */
    numtable list;          /* the eigenvalues table of `wscope spectrum` */
    int logy;
    float *y;               /* what the plot shows */
    int y_log;              /* ... and on which axis */
    int shown;              /* the spectrum has been drawn */
    int shown_pct;          /* the progress drawn (tui_analysis_moved) */
    char err[600];
} spectrum_view;

static const key_binding spectrum_keys[] = {
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "previous eigenvalue", NULL},
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "next eigenvalue", NULL},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "ten eigenvalues up", NULL},
    {{KEY_NPAGE, ' ', 0}, "PgDn Space", ACT_PGDN, "ten eigenvalues down", NULL},
    {{KEY_HOME, 'g', 0}, "Home g", ACT_HOME, "the largest eigenvalue", NULL},
    {{KEY_END, 'G', 0}, "End G", ACT_END, "the smallest eigenvalue", NULL},
    {{KEY_LEFT, 0}, "Left", ACT_LEFT, "previous column of the list (its description shows below)", NULL},
    {{KEY_RIGHT, 0}, "Right", ACT_RIGHT, "next column of the list", NULL},
    {{']', 'n', 0}, "] n", ACT_NEXT, "next significant pair (level spacing)", "pair"},
    {{'[', 'p', 0}, "[ p", ACT_PREV, "previous pair", NULL},
    {{'l', 0}, "l", ACT_LOG, "logarithmic / linear eigenvalue axis", "log"},
    {{'e', 0}, "e", ACT_EXPORT, "export the spectrum plot (PNG, SVG, PDF beside the model)", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

/* "EᵀE", or "E'E" where only ASCII shows. */
static const char *ete(const tui *t)
{
    return t->style.glyphs == WS_GLYPH_UTF8 ? "E\xe1\xb5\x80" "E" : "E'E";
}

/* The pair index i belongs to (as its first or second member), else -1. */
static int pair_of(const ws_spectrum *s, int i)
{
    for (int p = 0; p < s->n_pairs; p++)
        if (s->pairs[p].i == i || s->pairs[p].i + 1 == i)
            return p;
    return -1;
}

static void make_series(spectrum_view *v, const ws_spectrum *s)
{
    if (v->y && v->y_log == v->logy)
        return;
    free(v->y);
    v->y = malloc((size_t)s->d * sizeof *v->y);
    if (!v->y)
        return;
    /* Zero and negative eigenvalues (rounding) have no logarithm: NaN
     * leaves a gap in the plot rather than a fake floor. */
    for (int i = 0; i < s->d; i++)
        v->y[i] = (float)(v->logy ? (s->lam[i] > 0 ? log10(s->lam[i]) : NAN) : s->lam[i]);
    v->y_log = v->logy;
}

/* Screen column of eigenvalue i in the plot rectangle p (render_plot's
 * x mapping: buckets of indices per dot column, or interpolation). */
static int plot_x(const tui *t, cb_rect p, int n, int i)
{
    int sx = t->style.glyphs == WS_GLYPH_UTF8 ? 2 : 1, W = p.w * sx;
    int dx = n >= W ? (int)((int64_t)i * W / n)
                    : (W > 1 && n > 1 ? (int)lround((double)i * (W - 1) / (n - 1)) : 0);
    return p.x + dx / sx;
}

/* Amber, apart from the trace's cyan accent; mono terminals get bold only. */
static uint32_t pair_colour(const render_style *st)
{
    switch (st->colours) {
    case WS_COL_MONO: return CB_DEFAULT;
    case WS_COL_8: case WS_COL_16: return CB_PAL(3);
    case WS_COL_256: return CB_PAL(colour_rgb_to_256(0xffaf00));
    default: return 0xffaf00;
    }
}

/* Over the plot: the pairs' dots in bold amber, the cursor's column
 * reversed. */
static void draw_marks(spectrum_view *v, tui *t, cellbuf *cb, cb_rect area, const ws_spectrum *s)
{
    int n = s->d;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++)
        if (isfinite(v->y[i])) {
            lo = fmin(lo, v->y[i]);
            hi = fmax(hi, v->y[i]);
        }
    if (!(lo < hi))
        return;
    /* The same axes render_plot drew, to learn the plot rectangle. */
    cb_rect p = render_axes(cb, area, 0, n - 1, lo, hi, &t->style);
    if (p.w <= 0 || p.h <= 0)
        return;
    if (v->logy)   /* label λ itself, not log10 λ */
        render_log_ylabels(cb, p, pow(10, lo), pow(10, hi), &t->style);
    uint32_t mark = pair_colour(&t->style);
    for (int q = 0; q < s->n_pairs; q++)
        for (int k = 0; k < 2; k++) {
            int x = plot_x(t, p, n, s->pairs[q].i + k);
            for (int y = p.y; y < p.y + p.h; y++) {
                cb_cell *c = cb_at(cb, y, x);
                if (c && strcmp(c->glyph, " ")) {
                    c->attrs |= CB_BOLD;
                    c->fg = mark;
                }
            }
        }
    int x = plot_x(t, p, n, v->cur);
    for (int y = p.y; y < p.y + p.h; y++) {
        cb_cell *c = cb_at(cb, y, x);
        if (c)
            c->attrs |= CB_REVERSE;
    }
}

/* Pairs in bold. */
static int pair_attrs(const void *ctx, int row)
{
    return pair_of(ctx, row) >= 0 ? CB_BOLD : 0;
}

/* The list: the eigenvalues table (the spacing and the pair's gap are in
 * the info line), its cursor on v->cur. */
static const char *const list_hide[] = {"spacing", "pair_gap", NULL};

static void draw_list(spectrum_view *v, tui *t, cellbuf *cb, cb_rect r, const ws_spectrum *s)
{
    if (!v->list.t) {
        v->list.fixed_order = 1;
        v->list.row_attrs = pair_attrs;
        v->list.ctx = s;
        if (numtable_set(&v->list, ws_eigen_table(s, 0), list_hide, 1) < 0 || !v->list.t)
            return;
    }
    numtable_select(&v->list, v->cur);
    numtable_draw(&v->list, cb, r, &t->style);
}

static void spectrum_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    spectrum_view *v = (spectrum_view *)vv;
    const char *msg = NULL;
    char shown[256];
    int st = v->err[0] ? -1 : tui_analysis_need(v->a, WS_AN_SPECTRUM, &msg);
    if (st < 0) {
        if (msg)
            snprintf(v->err, sizeof v->err, "no spectrum: %s", msg);
        cb_text(cb, body.y + 1, 1, body.w - 2, v->err, CB_BOLD);
        return;
    }
    if (st == 0) {
        cb_printf(cb, body.y + 1, 1, body.w - 2, 0, "eigenvalues of %s of %s ...", ete(t),
                  ws_display_name(t->model, v->a->embed, 0, shown, sizeof shown));
        tui_draw_progress(cb, info.y, info.x, info.w, "spectrum", tui_analysis_fraction(v->a));
        return;
    }
    const ws_spectrum *s = &v->a->spec;
    v->shown = 1;
    if (s->status != WS_AS_OK) {
        cb_printf(cb, body.y + 1, 1, body.w - 2, CB_BOLD, "no spectrum: %s: %s",
                  v->a->embed->name, ws_astatus_text(s->status));
        return;
    }
    make_series(v, s);
    if (!v->y)
        return;
    char rule[96], cut[48] = "";
    ws_spectrum_rule_text(s, rule, sizeof rule);
    if (s->rank < s->d)
        snprintf(cut, sizeof cut, " (%d in the null space, cut)", s->d - s->rank);
    cb_printf(cb, body.y, body.x, body.w, CB_BOLD,
              "%s of %s (%lldx%lld): %d eigenvalues%s, %d pairs (%s), %s axis", ete(t),
              ws_display_name(t->model, v->a->embed, 0, shown, sizeof shown),
              (long long)v->a->embed->rows, (long long)v->a->embed->cols, s->d,
              cut, s->n_pairs, rule, v->logy ? "log10" : "linear");
    int list_w = 48;
    cb_rect plot = {body.y + 1, body.x, body.h - 1, body.w - list_w - 1};
    cb_rect list = {body.y + 1, body.x + body.w - list_w, body.h - 1, list_w};
    if (plot.w < 30) {   /* narrow: plot above, list below */
        plot = (cb_rect){body.y + 1, body.x, (body.h - 1) / 2, body.w};
        list = (cb_rect){plot.y + plot.h, body.x, body.h - 1 - plot.h, body.w};
    }
    render_plot(cb, plot, v->y, s->d, &t->style);
    draw_marks(v, t, cb, plot, s);
    draw_list(v, t, cb, list, s);
    int i = v->cur, p = pair_of(s, i);
    int n = cb_printf(cb, info.y, info.x, info.w, 0, "%s[%d] = %.8g  s = %.6g  s/s0 = %.4f",
                      t->style.glyphs == WS_GLYPH_UTF8 ? "\xce\xbb" : "lambda", i,
                      s->lam[i], s->sv[i], s->decay[i]);
    if (p >= 0)
        cb_printf(cb, info.y, info.x + n, info.w - n, CB_BOLD, "  pair %d-%d, gap %.3f%%, p %.2g",
                  s->pairs[p].i, s->pairs[p].i + 1, 100 * s->pairs[p].gap, s->pairs[p].p);
    else if (i + 1 < s->rank)
        cb_printf(cb, info.y, info.x + n, info.w - n, 0, "  gap to %d: spacing %.3f, p %.2g",
                  i + 1, s->spacing[i], s->gap_p[i]);
}

static void jump_pair(spectrum_view *v, int dir)
{
    const ws_spectrum *s = &v->a->spec;
    int best = -1;
    for (int p = 0; p < s->n_pairs; p++) {
        int i = s->pairs[p].i;
        if (dir > 0 && i > v->cur && (best < 0 || i < best)) best = i;
        if (dir < 0 && i + 1 < v->cur && i > best) best = i;
    }
    if (best >= 0)
        v->cur = best;
}

/* The spectrum as a figure (as `wscope plot --spectrum`), on the axis shown. */
static void export_spectrum(spectrum_view *v, tui *t)
{
    ws_err e = {{0}};
    char stem[160];
    snprintf(stem, sizeof stem, "%s-spectrum", v->a->embed->name);
    ws_figure *f = ws_plot_spectrum(&v->a->spec, v->a->embed->name, NULL, &e);
    if (f)
        f->ylog = v->logy;
    tui_export(t, f, stem, &e);
}

static int spectrum_action(view *vv, tui *t, ws_action a)
{
    spectrum_view *v = (spectrum_view *)vv;
    if (a == ACT_CANCEL) {
        ws_analysis_cancel(v->a);
        return 1;
    }
    if (!v->shown || v->a->spec.status != WS_AS_OK)
        return 0;
    int d = v->a->spec.d;
    switch (a) {
    case ACT_UP: v->cur--; break;
    case ACT_DOWN: v->cur++; break;
    case ACT_PGUP: v->cur -= 10; break;
    case ACT_PGDN: v->cur += 10; break;
    case ACT_HOME: v->cur = 0; break;
    case ACT_END: v->cur = d - 1; break;
    case ACT_NEXT: jump_pair(v, 1); break;
    case ACT_PREV: jump_pair(v, -1); break;
    case ACT_LOG: v->logy = !v->logy; break;
    case ACT_LEFT:
    case ACT_RIGHT: numtable_action(&v->list, a); return 1;
    case ACT_EXPORT: export_spectrum(v, t); return 1;
    default: return 0;
    }
    v->cur = v->cur < 0 ? 0 : v->cur >= d ? d - 1 : v->cur;
    return 1;
}

static int spectrum_tick(view *vv, tui *t, int *busy)
{
    (void)t;
    spectrum_view *v = (spectrum_view *)vv;
    if (v->err[0] || v->shown)
        return 0;
    *busy = 1;
    return tui_analysis_moved(v->a, &v->shown_pct);   /* the progress, or the result at the end */
}

static void spectrum_destroy(view *vv)
{
    spectrum_view *v = (spectrum_view *)vv;
    numtable_free(&v->list);
    free(v->y);
    free(v);
}

static const view_class spectrum_class = {
    "spectrum", spectrum_keys, spectrum_draw, spectrum_action, spectrum_tick, spectrum_destroy,
};

view *view_spectrum_new(tui *t)
{
    ws_analysis *a = tui_analysis(t->model);
    if (!a) {
        tui_message(t, "out of memory");
        return NULL;
    }
    if (!a->embed) {
        tui_message(t, "no token embedding (role embed) in this model%s%s",
                    t->model->layout_note[0] ? ": " : "", t->model->layout_note);
        return NULL;
    }
    spectrum_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = &spectrum_class;
    v->a = a;
    v->shown_pct = -1;
    v->logy = 1;
    numtable_init(&v->list);
    tui_analysis_retry(a);
    char shown[256];
    snprintf(v->base.title, sizeof v->base.title, "%s",
             ws_display_name(t->model, a->embed, 0, shown, sizeof shown));
    return &v->base;
}
