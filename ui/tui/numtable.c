#include "numtable.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

void numtable_init(numtable *nt)
{
    memset(nt, 0, sizeof *nt);
    nt->sort_col = -1;
}

void numtable_free(numtable *nt)
{
    ws_table_free(nt->t);
    free(nt->vis);
    free(nt->order);
    nt->t = NULL, nt->vis = NULL, nt->order = NULL;
    nt->nvis = nt->nrows = 0;
}

/* ---- sorting ---- */

static const numtable *sort_nt;

static int empty_cell(int row, int col) { return ws_table_cell_empty(sort_nt->t, row, col); }

/* Empty cells last either way; ties keep the table order. */
static int cmp_rows(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb, c = sort_nt->sort_col;
    if (c >= 0) {
        int ea = empty_cell(a, c), eb = empty_cell(b, c);
        if (ea != eb)
            return ea ? 1 : -1;
        int r = 0;
        if (!ea) {
            ws_col_kind k = ws_table_col_desc(sort_nt->t, c)->kind;
            if (k == WS_COL_STR || k == WS_COL_SHAPE) {
                char ba[256], bb[256];
                r = strcmp(ws_table_cell_text(sort_nt->t, a, c, ba, sizeof ba),
                           ws_table_cell_text(sort_nt->t, b, c, bb, sizeof bb));
            } else {
                double x = ws_table_cell_num(sort_nt->t, a, c), y = ws_table_cell_num(sort_nt->t, b, c);
                r = (x > y) - (x < y);
            }
        }
        if (r)
            return sort_nt->desc ? -r : r;
    }
    return a - b;
}

static void resort(numtable *nt)
{
    int keep = numtable_selected(nt);
    for (int i = 0; i < nt->nrows; i++)
        nt->order[i] = i;
    sort_nt = nt;
    qsort(nt->order, (size_t)nt->nrows, sizeof *nt->order, cmp_rows);
    numtable_select(nt, keep);
}

/* ---- the table ---- */

static int is_number(const ws_col *d)
{
    return d->kind == WS_COL_NUM || d->kind == WS_COL_INT;
}

static int hidden(const char *key, const char *const *hide)
{
    for (; hide && *hide; hide++)
        if (!strcmp(key, *hide))
            return 1;
    return 0;
}

int numtable_set(numtable *nt, ws_table *t, const char *const *hide, int frozen)
{
    int keep_row = numtable_selected(nt);
    char col_key[64] = "", sort_key[64] = "";
    if (nt->t && nt->nvis)
        snprintf(col_key, sizeof col_key, "%s", ws_table_col_name(nt->t, nt->vis[nt->col]));
    if (nt->t && nt->sort_col >= 0)
        snprintf(sort_key, sizeof sort_key, "%s", ws_table_col_name(nt->t, nt->sort_col));
    numtable_free(nt);
    nt->t = t;
    if (!t)
        return 0;
    int n = ws_table_ncols(t), rows = ws_table_nrows(t);
    nt->vis = malloc(sizeof *nt->vis * (size_t)(n ? n : 1));
    nt->order = malloc(sizeof *nt->order * (size_t)(rows ? rows : 1));
    if (!nt->vis || !nt->order) {
        numtable_free(nt);
        return -1;
    }
    for (int c = 0; c < n; c++) {
        const ws_col *d = ws_table_col_desc(t, c);
        if (!(d->flags & WS_COL_DATA) && !hidden(d->key, hide))
            nt->vis[nt->nvis++] = c;
    }
    nt->nrows = rows;
    nt->frozen = frozen < nt->nvis ? frozen : nt->nvis;
    nt->col = 0;
    for (int i = 0; i < nt->nvis; i++)
        if (!strcmp(ws_table_col_name(t, nt->vis[i]), col_key))
            nt->col = i;
    for (int i = nt->frozen; !col_key[0] && i < nt->nvis; i++)
        if (is_number(ws_table_col_desc(t, nt->vis[i]))) {   /* start on the first number */
            nt->col = i;
            break;
        }
    nt->sort_col = sort_key[0] ? ws_table_find(t, sort_key) : -1;
    nt->sel = 0;
    for (int i = 0; i < rows; i++)
        nt->order[i] = i;
    resort(nt);
    numtable_select(nt, keep_row);
    return 0;
}

int numtable_selected(const numtable *nt)
{
    return nt->t && nt->nrows > 0 ? nt->order[nt->sel] : -1;
}

void numtable_select(numtable *nt, int row)
{
    for (int i = 0; i < nt->nrows; i++)
        if (nt->order[i] == row)
            nt->sel = i;
}

void numtable_sort(numtable *nt, int col, int desc)
{
    if (nt->fixed_order)
        return;
    nt->sort_col = col;
    nt->desc = desc;
    resort(nt);
}

int numtable_column(const numtable *nt)
{
    return nt->t && nt->nvis ? nt->vis[nt->col] : -1;
}

/* ---- keys ---- */

static void move(numtable *nt, int d)
{
    nt->sel += d;
    if (nt->sel >= nt->nrows) nt->sel = nt->nrows - 1;
    if (nt->sel < 0) nt->sel = 0;
}

/* Cycle the sort on the selected column: its "more" first (strings and
 * undirected columns ascending), the other way, table order. */
static void cycle_sort(numtable *nt)
{
    int c = numtable_column(nt);
    if (c < 0 || nt->fixed_order)
        return;
    int first_desc = ws_table_col_desc(nt->t, c)->more == WS_MORE_HIGHER;
    if (nt->sort_col != c)
        nt->sort_col = c, nt->desc = first_desc;
    else if (nt->desc == first_desc)
        nt->desc = !first_desc;
    else
        nt->sort_col = -1;
    resort(nt);
}

int numtable_action(numtable *nt, ws_action a)
{
    switch (a) {
    case ACT_UP: move(nt, -1); return 1;
    case ACT_DOWN: move(nt, 1); return 1;
    case ACT_PGUP: move(nt, -10); return 1;
    case ACT_PGDN: move(nt, 10); return 1;
    case ACT_HOME: nt->sel = 0; return 1;
    case ACT_END: move(nt, nt->nrows); return 1;
    case ACT_LEFT: nt->col = nt->col > 0 ? nt->col - 1 : 0; return 1;
    case ACT_RIGHT: nt->col = nt->col + 1 < nt->nvis ? nt->col + 1 : nt->col; return 1;
    case ACT_SORT: cycle_sort(nt); return 1;
    case ACT_BARS: nt->bars = !nt->bars; return 1;
    default: return 0;
    }
}

/* ---- drawing ---- */

/* Display width of UTF-8 text. */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

/* `s` cut to `w` cells by the one rule of names.h. */
static const char *fit_text(const char *s, int w, int utf8, char *buf, size_t n)
{
    if (text_width(s) <= w || w < 2)
        return s;
    ws_elide(s, w, !utf8, buf, n);
    return buf;
}

/* Width of shown column i: its title (and sort mark) or its widest cell;
 * text columns at most `cap` cells. */
static int col_width(const numtable *nt, int i, int cap)
{
    int c = nt->vis[i];
    const ws_col *d = ws_table_col_desc(nt->t, c);
    int w = text_width(d->title) + 1;
    char buf[256];
    for (int r = 0; r < nt->nrows; r++) {
        int l = text_width(ws_table_cell_text(nt->t, r, c, buf, sizeof buf));
        if (l > w)
            w = l;
    }
    return !is_number(d) && w > cap ? cap : w;
}

/* The x offset of every shown column for this area (-1: not shown),
 * scrolling so the column cursor is in view. Returns the number of
 * columns that did not fit to the right. */
static int place_columns(numtable *nt, int *x, int *w, int width)
{
    int used = 0;
    for (int i = 0; i < nt->nvis; i++) {
        w[i] = col_width(nt, i, i == 0 ? (width * 2 / 5 > 12 ? width * 2 / 5 : 12) : 30);
        x[i] = -1;
    }
    for (int i = 0; i < nt->frozen; i++) {
        x[i] = used;
        used += w[i] + 1;
    }
    if (nt->left < nt->frozen)
        nt->left = nt->frozen;
    if (nt->col >= nt->frozen && nt->col < nt->left)
        nt->left = nt->col;
    /* Column i fits when its end (with the separator after it) is at most
     * width + 1. Scroll right until the cursor's column fits, then back
     * left while everything up to it still fits (a wider screen). */
    int last = nt->col >= nt->frozen ? nt->col : nt->frozen;
    for (;;) {
        int end = used;
        for (int i = nt->left; i <= last && i < nt->nvis; i++)
            end += w[i] + 1;
        if (end <= width + 1 || nt->left >= last)
            break;
        nt->left++;
    }
    while (nt->left > nt->frozen) {
        int end = used;
        for (int i = nt->left - 1; i <= last && i < nt->nvis; i++)
            end += w[i] + 1;
        if (end > width + 1)
            break;
        nt->left--;
    }
    int pos = used, cut = 0;
    for (int i = nt->left; i < nt->nvis; i++) {
        if (pos + w[i] > width) {
            /* Text that does not fit is shown cut when 8 cells are left. */
            if (!is_number(ws_table_col_desc(nt->t, nt->vis[i])) && width - pos >= 8) {
                w[i] = width - pos;
                x[i] = pos;
                i++;
            }
            cut = nt->nvis - i;
            break;
        }
        x[i] = pos;
        pos += w[i] + 1;
    }
    return cut;
}

static void keep_visible(numtable *nt, int page)
{
    if (page < 1) page = 1;
    if (nt->sel < nt->top) nt->top = nt->sel;
    if (nt->sel >= nt->top + page) nt->top = nt->sel - page + 1;
    if (nt->top > nt->nrows - page) nt->top = nt->nrows - page > 0 ? nt->nrows - page : 0;
}

static void draw_cell(cellbuf *cb, int y, int x, int w, const char *s, int number, int utf8, int attrs)
{
    char buf[512];
    s = fit_text(s, w, utf8, buf, sizeof buf);
    int pad = number ? w - text_width(s) : 0;
    cb_text(cb, y, x + (pad > 0 ? pad : 0), w, s, attrs);
}

static void draw_header(numtable *nt, cellbuf *cb, cb_rect area, const int *x, const int *w, int cut, int utf8)
{
    cb_fill(cb, (cb_rect){area.y, area.x, 1, area.w}, " ", CB_DEFAULT, CB_DEFAULT, CB_UNDERLINE);
    for (int i = 0; i < nt->nvis; i++) {
        if (x[i] < 0)
            continue;
        int c = nt->vis[i];
        const ws_col *d = ws_table_col_desc(nt->t, c);
        char head[96];
        snprintf(head, sizeof head, "%s%s", d->title, nt->sort_col == c ? (nt->desc ? "v" : "^") : "");
        draw_cell(cb, area.y, area.x + x[i], w[i], head, is_number(d), utf8,
                  CB_UNDERLINE | (i == nt->col ? CB_REVERSE : 0));
    }
    /* Columns scrolled out of view on either side. */
    if (nt->left > nt->frozen && nt->frozen > 0)
        cb_text(cb, area.y, area.x + x[nt->frozen - 1] + w[nt->frozen - 1], 1, "<", CB_UNDERLINE | CB_BOLD);
    if (cut)
        cb_text(cb, area.y, area.x + area.w - 1, 1, ">", CB_UNDERLINE | CB_BOLD);
}

static void draw_rows(numtable *nt, cellbuf *cb, cb_rect area, int utf8)
{
    int *x = malloc(sizeof *x * (size_t)(nt->nvis + 1)), *w = malloc(sizeof *w * (size_t)(nt->nvis + 1));
    if (!x || !w) {
        free(x);
        free(w);
        return;
    }
    int cut = place_columns(nt, x, w, area.w);
    draw_header(nt, cb, area, x, w, cut, utf8);
    int page = area.h - 1;
    keep_visible(nt, page);
    char buf[256];
    for (int k = 0; k < page && nt->top + k < nt->nrows; k++) {
        int r = nt->order[nt->top + k], y = area.y + 1 + k;
        int attrs = (nt->top + k == nt->sel ? CB_REVERSE : 0) | (nt->row_attrs ? nt->row_attrs(nt->ctx, r) : 0);
        if (nt->top + k == nt->sel)
            cb_fill(cb, (cb_rect){y, area.x, 1, area.w}, " ", CB_DEFAULT, CB_DEFAULT, CB_REVERSE);
        for (int i = 0; i < nt->nvis; i++)
            if (x[i] >= 0)
                draw_cell(cb, y, area.x + x[i], w[i], ws_table_cell_text(nt->t, r, nt->vis[i], buf, sizeof buf),
                          is_number(ws_table_col_desc(nt->t, nt->vis[i])), utf8, attrs);
    }
    free(x);
    free(w);
}

/* The label of a row in the bar chart: its frozen (name) columns. */
static void row_label(const numtable *nt, int r, char *out, size_t n)
{
    char buf[256];
    size_t k = 0;
    out[0] = 0;
    for (int i = 0; i < nt->frozen && k < n; i++)
        k += (size_t)snprintf(out + k, n - k, "%s%s", i ? " " : "",
                              ws_table_cell_text(nt->t, r, nt->vis[i], buf, sizeof buf));
}

/* One bar per row in the bar charts (ws_table_in_bars), in display order,
 * scaled to the largest |value| of the column. */
static void draw_bars(numtable *nt, cellbuf *cb, cb_rect area, const render_style *s)
{
    int c = numtable_column(nt), utf8 = s->glyphs == WS_GLYPH_UTF8;
    if (c < 0)
        return;
    const ws_col *d = ws_table_col_desc(nt->t, c);
    if (!(d->flags & WS_COL_BARS)) {
        cb_printf(cb, area.y, area.x, area.w, CB_BOLD, "no bar chart of %s (b: back to the table)", d->title);
        return;
    }
    double vmax = 0;
    for (int r = 0; r < nt->nrows; r++) {
        double v = ws_table_cell_num(nt->t, r, c);
        if (ws_table_in_bars(nt->t, r) && isfinite(v) && fabs(v) > vmax)
            vmax = fabs(v);
    }
    cb_printf(cb, area.y, area.x, area.w, CB_BOLD, "%s%s%s%s by row (max %.4g)", d->title, d->unit[0] ? " (" : "",
              d->unit, d->unit[0] ? ")" : "", vmax);
    int lw = area.w / 3 > 12 ? area.w / 3 : 12, bw = area.w - lw - 12, y = area.y + 1;
    const char *full = utf8 ? "\xe2\x96\x88" : "#";
    uint32_t fg = colour_accent(s);
    /* Scroll so the cursor's row (or the nearest bar above it) shows. */
    int pos = -1, n_bars = 0;
    for (int i = 0; i < nt->nrows; i++)
        if (ws_table_in_bars(nt->t, nt->order[i])) {
            if (i <= nt->sel)
                pos = n_bars;
            n_bars++;
        }
    int skip = pos - (area.h - 2) > 0 ? pos - (area.h - 2) : 0, seen = 0;
    char label[512], buf[512];
    for (int i = 0; i < nt->nrows; i++) {
        int r = nt->order[i];
        if (!ws_table_in_bars(nt->t, r) || seen++ < skip)
            continue;
        if (y >= area.y + area.h)
            break;
        double v = ws_table_cell_num(nt->t, r, c);
        int attrs = i == nt->sel ? CB_REVERSE : 0;
        row_label(nt, r, label, sizeof label);
        cb_text(cb, y, area.x, lw - 1, fit_text(label, lw - 1, utf8, buf, sizeof buf), attrs);
        int n = isfinite(v) && vmax > 0 && bw > 0 ? (int)(fabs(v) / vmax * bw + 0.5) : 0;
        for (int k = 0; k < n; k++)
            cb_set(cb, y, area.x + lw + k, full, fg, CB_DEFAULT, 0);
        if (isfinite(v))
            cb_printf(cb, y, area.x + lw + n + 1, area.w - lw - n - 1, 0, "%.4g", v);
        y++;
    }
}

/* The selected column's title, unit and description. */
static void draw_help(const numtable *nt, cellbuf *cb, cb_rect line)
{
    int c = numtable_column(nt);
    if (c < 0)
        return;
    const ws_col *d = ws_table_col_desc(nt->t, c);
    cb_printf(cb, line.y, line.x, line.w, CB_DIM, "%s%s%s%s: %s", d->title, d->unit[0] ? " (" : "", d->unit,
              d->unit[0] ? ")" : "", d->desc[0] ? d->desc : d->key);
}

void numtable_draw(numtable *nt, cellbuf *cb, cb_rect area, const render_style *s)
{
    if (!nt->t || area.h < 1 || area.w < 1)
        return;
    if (!nt->no_help && area.h >= 4) {
        draw_help(nt, cb, (cb_rect){area.y + area.h - 1, area.x, 1, area.w});
        area.h--;
    }
    if (nt->bars)
        draw_bars(nt, cb, area, s);
    else
        draw_rows(nt, cb, area, s->glyphs == WS_GLYPH_UTF8);
}
