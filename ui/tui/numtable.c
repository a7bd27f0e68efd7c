#include "numtable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int numtable_init(numtable *t, int nrows, int ncols, const char *const *names,
                  const char *const *fmts)
{
    size_t n = nrows > 0 ? (size_t)nrows : 1;
    *t = (numtable){.nrows = nrows, .ncols = ncols, .col_names = names, .col_fmts = fmts,
                    .sort_col = -1, .label_w = 12};
    t->label = calloc(n, sizeof *t->label);
    t->sub = calloc(n, sizeof *t->sub);
    t->status = calloc(n, sizeof *t->status);
    t->v = malloc(n * (size_t)ncols * sizeof *t->v);
    t->in_bars = malloc(n);
    t->order = malloc(n * sizeof *t->order);
    if (!t->label || !t->sub || !t->status || !t->v || !t->in_bars || !t->order) {
        numtable_free(t);
        return -1;
    }
    for (size_t i = 0; i < n * (size_t)ncols; i++)
        t->v[i] = NAN;
    memset(t->in_bars, 1, n);
    for (int i = 0; i < nrows; i++)
        t->order[i] = i;
    return 0;
}

void numtable_free(numtable *t)
{
    free(t->label), free(t->sub), free(t->status), free(t->v), free(t->in_bars), free(t->order);
    t->label = NULL, t->sub = NULL, t->status = NULL, t->v = NULL, t->in_bars = NULL, t->order = NULL;
}

/* Sorting: NaN last either way; ties keep the original order. */
static const numtable *sort_t;

static int cmp_rows(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    if (sort_t->sort_col >= 0) {
        double x = sort_t->v[(size_t)a * sort_t->ncols + sort_t->sort_col];
        double y = sort_t->v[(size_t)b * sort_t->ncols + sort_t->sort_col];
        if (isnan(x) != isnan(y))
            return isnan(x) ? 1 : -1;
        if (x != y && !isnan(x))
            return (x < y) == !sort_t->desc ? -1 : 1;
    }
    return a - b;
}

static void resort(numtable *t)
{
    int keep = numtable_selected(t);
    sort_t = t;
    qsort(t->order, (size_t)t->nrows, sizeof *t->order, cmp_rows);
    for (int i = 0; i < t->nrows; i++)
        if (t->order[i] == keep)
            t->sel = i;
}

int numtable_selected(const numtable *t)
{
    return t->nrows > 0 ? t->order[t->sel] : -1;
}

static void move(numtable *t, int d)
{
    t->sel += d;
    if (t->sel >= t->nrows) t->sel = t->nrows - 1;
    if (t->sel < 0) t->sel = 0;
}

int numtable_action(numtable *t, ws_action a)
{
    switch (a) {
    case ACT_UP: move(t, -1); return 1;
    case ACT_DOWN: move(t, 1); return 1;
    case ACT_PGUP: move(t, -10); return 1;
    case ACT_PGDN: move(t, 10); return 1;
    case ACT_HOME: t->sel = 0; return 1;
    case ACT_END: move(t, t->nrows); return 1;
    case ACT_LEFT: t->col = t->col > 0 ? t->col - 1 : 0; return 1;
    case ACT_RIGHT: t->col = t->col + 1 < t->ncols ? t->col + 1 : t->col; return 1;
    case ACT_SORT:
        /* Cycle on the column: descending, ascending, file order. */
        if (t->sort_col != t->col) t->sort_col = t->col, t->desc = 1;
        else if (t->desc) t->desc = 0;
        else t->sort_col = -1;
        resort(t);
        return 1;
    case ACT_BARS: t->bars = !t->bars; return 1;
    default: return 0;
    }
}

static int col_width(const numtable *t, int c)
{
    char buf[64];
    int w = snprintf(buf, sizeof buf, t->col_fmts[c], 0.0);
    int h = (int)strlen(t->col_names[c]);
    return (w > h ? w : h) + 1;
}

static void keep_visible(numtable *t, int page)
{
    if (page < 1) page = 1;
    if (t->sel < t->top) t->top = t->sel;
    if (t->sel >= t->top + page) t->top = t->sel - page + 1;
}

static void draw_rows(numtable *t, cellbuf *cb, cb_rect area)
{
    int x0 = area.x + t->label_w + 14;
    int x = cb_printf(cb, area.y, area.x, area.w, CB_UNDERLINE, "%-*s%-14s", t->label_w, "name", "");
    for (int c = 0; c < t->ncols && x < area.w; c++) {
        int w = col_width(t, c);
        int attrs = CB_UNDERLINE | (c == t->col ? CB_REVERSE : 0);
        char head[48];
        snprintf(head, sizeof head, "%s%s", t->col_names[c],
                 t->sort_col == c ? (t->desc ? "v" : "^") : "");
        x += cb_printf(cb, area.y, area.x + x, area.w - x, attrs, "%*s", w, head);
    }
    int page = area.h - 1;
    keep_visible(t, page);
    for (int i = 0; i < page && t->top + i < t->nrows; i++) {
        int r = t->order[t->top + i], y = area.y + 1 + i;
        int attrs = t->top + i == t->sel ? CB_REVERSE : 0;
        if (attrs)
            cb_fill(cb, (cb_rect){y, area.x, 1, area.w}, " ", CB_DEFAULT, CB_DEFAULT, attrs);
        cb_printf(cb, y, area.x, t->label_w, attrs, "%s", t->label[r]);
        cb_printf(cb, y, area.x + t->label_w, 14, attrs, " %s", t->sub[r]);
        int cx = x0 - area.x;
        for (int c = 0; c < t->ncols && cx < area.w; c++) {
            int w = col_width(t, c);
            double v = t->v[(size_t)r * t->ncols + c];
            char buf[64];
            if (isnan(v))
                buf[0] = 0;
            else
                snprintf(buf, sizeof buf, t->col_fmts[c], v);
            cx += cb_printf(cb, y, area.x + cx, area.w - cx, attrs, "%*s", w, buf);
        }
        if (t->status[r][0] && cx + 2 < area.w)
            cb_printf(cb, y, area.x + cx + 2, area.w - cx - 2, attrs | CB_DIM, "%s", t->status[r]);
    }
}

/* One bar per row in the bars, in display order, scaled to the largest
 * |value| of the column. */
static void draw_bars(numtable *t, cellbuf *cb, cb_rect area, const render_style *s)
{
    int c = t->col;
    double vmax = 0;
    for (int r = 0; r < t->nrows; r++) {
        double v = t->v[(size_t)r * t->ncols + c];
        if (t->in_bars[r] && isfinite(v) && fabs(v) > vmax)
            vmax = fabs(v);
    }
    cb_printf(cb, area.y, area.x, area.w, CB_BOLD, "%s by row (max %.4g)", t->col_names[c], vmax);
    int lw = t->label_w + 14, bw = area.w - lw - 12, y = area.y + 1;
    const char *full = s->glyphs == WS_GLYPH_UTF8 ? "\xe2\x96\x88" : "#";
    uint32_t fg = colour_accent(s);
    /* Scroll so the cursor's row (or the nearest bar above it) shows. */
    int pos = -1, n_bars = 0;
    for (int i = 0; i < t->nrows; i++)
        if (t->in_bars[t->order[i]]) {
            if (i <= t->sel)
                pos = n_bars;
            n_bars++;
        }
    int skip = pos - (area.h - 2) > 0 ? pos - (area.h - 2) : 0, seen = 0;
    for (int i = 0; i < t->nrows; i++) {
        int r = t->order[i];
        if (!t->in_bars[r] || seen++ < skip)
            continue;
        if (y >= area.y + area.h)
            break;
        double v = t->v[(size_t)r * t->ncols + c];
        int attrs = i == t->sel ? CB_REVERSE : 0;
        cb_printf(cb, y, area.x, lw, attrs, "%-*s %s", t->label_w, t->label[r], t->sub[r]);
        int n = isfinite(v) && vmax > 0 && bw > 0 ? (int)(fabs(v) / vmax * bw + 0.5) : 0;
        for (int k = 0; k < n; k++)
            cb_set(cb, y, area.x + lw + k, full, fg, CB_DEFAULT, 0);
        if (isfinite(v))
            cb_printf(cb, y, area.x + lw + n + 1, area.w - lw - n - 1, 0, "%.4g", v);
        y++;
    }
}

void numtable_draw(numtable *t, cellbuf *cb, cb_rect area, const render_style *s)
{
    if (t->bars)
        draw_bars(t, cb, area, s);
    else
        draw_rows(t, cb, area);
}
