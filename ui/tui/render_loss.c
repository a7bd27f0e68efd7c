/* Loss curves on common axes (see render_loss.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render_loss.h"

enum { MAX_CURVES = 64 };

static const unsigned char BIT[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};

static const char *G(const render_style *s, const char *utf8, const char *ascii)
{
    return s->glyphs == WS_GLYPH_UTF8 ? utf8 : ascii;
}

/* The plot's geometry: dot grid over the data ranges (y already on the
 * axis's scale: log10 on a log axis). */
typedef struct grid {
    cb_rect p;
    int utf8, sx, sy, W, H;
    double x0, x1, y0, y1;
    int logy;
    unsigned char *all, *bits;   /* per cell: every layer's dots, this layer's */
} grid;

static double ty(const grid *g, double v)
{
    return g->logy ? (v > 0 ? log10(v) : NAN) : v;
}

static double dot_x(const grid *g, double x)
{
    return (x - g->x0) / (g->x1 - g->x0) * (g->W - 1);
}

static double dot_y(const grid *g, double v)
{
    double f = (ty(g, v) - g->y0) / (g->y1 - g->y0);
    return (g->H - 1) - fmin(1, fmax(0, f)) * (g->H - 1);
}

static void dot(grid *g, int x, int y)
{
    if (x < 0 || x >= g->W || y < 0 || y >= g->H)
        return;
    g->bits[(size_t)(y / g->sy) * g->p.w + x / g->sx] |= g->utf8 ? BIT[x % 2][y % 4] : 1;
}

/* A straight line of dots (DDA) between two dot positions. */
static void line(grid *g, double ax, double ay, double bx, double by)
{
    int n = (int)fmax(fabs(bx - ax), fabs(by - ay)) + 1;
    for (int i = 0; i <= n; i++) {
        double f = n ? (double)i / n : 0;
        dot(g, (int)lround(ax + f * (bx - ax)), (int)lround(ay + f * (by - ay)));
    }
}

/* The points (x ascending) as a connected trace; a non-finite y breaks it. */
static void trace(grid *g, const double *x, const double *y, size_t n)
{
    double px = NAN, py = NAN;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(ty(g, y[i]))) {
            px = py = NAN;
            continue;
        }
        double dx = dot_x(g, x[i]), dy = dot_y(g, y[i]);
        if (isnan(px))
            dot(g, (int)lround(dx), (int)lround(dy));
        else
            line(g, px, py, dx, dy);
        px = dx, py = dy;
    }
}

/* Copy this layer's dots to the cells in its colour; merged with the dots
 * already there, this layer on top. */
static void put_layer(cellbuf *cb, grid *g, uint32_t fg, int attrs, char ascii)
{
    for (int cy = 0; cy < g->p.h; cy++)
        for (int cx = 0; cx < g->p.w; cx++) {
            size_t c = (size_t)cy * g->p.w + cx;
            if (!g->bits[c])
                continue;
            g->all[c] |= g->bits[c];
            char s[4] = {ascii, 0, 0, 0};
            if (g->utf8)
                s[0] = (char)0xe2, s[1] = (char)(0xa0 | g->all[c] >> 6),
                s[2] = (char)(0x80 | (g->all[c] & 0x3f));
            cb_set(cb, g->p.y + cy, g->p.x + cx, s, fg, CB_DEFAULT, attrs);
        }
    memset(g->bits, 0, (size_t)g->p.w * g->p.h);
}

/* A band: every dot column filled between the band's edges at its step
 * (edges interpolated between steps). */
static void band(grid *g, const loss_curve *c)
{
    for (int dx = 0; dx < g->W; dx++) {
        double s = g->x0 + (g->x1 - g->x0) * dx / (g->W > 1 ? g->W - 1 : 1);
        int64_t i = (int64_t)floor(s);
        if (i < 0 || i >= c->n_band)
            continue;
        double f = s - (double)i;
        int64_t j = i + 1 < c->n_band ? i + 1 : i;
        double lo = c->band_lo[i] * (1 - f) + c->band_lo[j] * f;
        double hi = c->band_hi[i] * (1 - f) + c->band_hi[j] * f;
        if (!isfinite(lo) || !isfinite(hi))
            continue;
        for (int y = (int)lround(dot_y(g, hi)); y <= (int)lround(dot_y(g, lo)); y++)
            dot(g, dx, y);
    }
}

/* The points of a run from step `from` on: training (smoothed with w when
 * w > 0) or validation. Malloc'd; *n points. */
static int points(const ws_run *r, int val, double w, int64_t from, double **x, double **y,
                  size_t *n)
{
    size_t all = ws_run_count(r, val, -1);
    *x = malloc((all ? all : 1) * sizeof **x);
    *y = malloc((all ? all : 1) * sizeof **y);
    if (!*x || !*y) {
        free(*x);
        free(*y);
        return -1;
    }
    all = ws_run_points(r, val, -1, *x, *y, all);
    if (w > 0)
        ws_ema(*y, all, w, *y);   /* from the run's start, then cut to the window */
    size_t k = 0;
    while (k < all && (*x)[k] <= (double)from)
        k++;
    memmove(*x, *x + k, (all - k) * sizeof **x);
    memmove(*y, *y + k, (all - k) * sizeof **y);
    *n = all - k;
    return 0;
}

static void draw_trace(cellbuf *cb, grid *g, const ws_run *r, int val, double w, int64_t from,
                       uint32_t fg, int attrs)
{
    double *x, *y;
    size_t n;
    if (points(r, val, w, from, &x, &y, &n))
        return;
    trace(g, x, y, n);
    put_layer(cb, g, fg, attrs, val ? '.' : attrs & CB_DIM ? '.' : '*');
    free(x);
    free(y);
}

/* Validation points as diamonds on top of everything. */
static void val_marks(cellbuf *cb, grid *g, const ws_run *r, int64_t from, uint32_t fg,
                      const render_style *s)
{
    for (size_t i = 0; i < r->n_rec; i++) {
        const ws_run_rec *q = &r->rec[i];
        if (q->step <= from || isnan(q->val_loss) || !isfinite(ty(g, q->val_loss)))
            continue;
        int col = g->p.x + (int)lround(dot_x(g, (double)q->step)) / g->sx;
        int row = g->p.y + (int)lround(dot_y(g, q->val_loss)) / g->sy;
        cb_set(cb, row, col, G(s, "\xe2\x97\x86", "o"), fg, CB_DEFAULT, CB_BOLD);
    }
}

/* A dotted vertical line at each freeze event's step. Returns how many. */
static int event_marks(cellbuf *cb, grid *g, const ws_run *r, int64_t from, uint32_t fg,
                       const render_style *s)
{
    int k = 0;
    for (size_t i = 0; i < r->n_ev; i++) {
        if (r->ev[i].step <= from || (double)r->ev[i].step > g->x1)
            continue;
        int col = g->p.x + (int)lround(dot_x(g, (double)r->ev[i].step)) / g->sx;
        for (int y = g->p.y; y < g->p.y + g->p.h; y++)
            cb_set(cb, y, col, G(s, "\xe2\x94\x86", ":"), fg, CB_DEFAULT, CB_DIM);
        k++;
    }
    return k;
}

/* The range the band adds inside the window. */
static void band_range(const loss_curve *c, int64_t from, int logy, double *lo, double *hi)
{
    for (int64_t i = from + 1 > 0 ? from + 1 : 0; c->band_lo && i < c->n_band; i++) {
        double a = c->band_lo[i], b = c->band_hi[i];
        if (isfinite(a) && (!logy || a > 0))
            *lo = fmin(*lo, a);
        if (isfinite(b) && (!logy || b > 0))
            *hi = fmax(*hi, b);
    }
}

/* The legend line: "loss" then each labelled curve, then what the glyphs
 * mean. */
static void legend(cellbuf *cb, cb_rect area, const loss_curve *c, int n, const loss_opts *o,
                   int n_events, const render_style *s)
{
    int x = area.x, end = area.x + area.w;
    x += cb_text(cb, area.y, x, end - x, "loss", CB_BOLD);
    int labelled = 0;
    for (int k = 0; k < n; k++) {
        if (!c[k].label)
            continue;
        labelled++;
        x += cb_text(cb, area.y, x, end - x, "  ", 0);
        if (x < end)
            cb_set(cb, area.y, x++, G(s, "\xe2\x94\x81", "-"), c[k].fg, CB_DEFAULT, CB_BOLD);
        x += cb_text(cb, area.y, x, end - x, " ", 0);
        x += cb_text(cb, area.y, x, end - x, c[k].label, 0);
    }
    if (labelled <= 1 && o->raw && o->smoothing > 0)
        x += cb_text(cb, area.y, x, end - x, G(s, "  \xe2\xa0\x92 raw", "  . raw"), CB_DIM);
    int any_val = 0;
    for (int k = 0; k < n; k++)
        any_val |= ws_run_count(c[k].run, 1, -1) > 0;
    if (any_val)
        x += cb_text(cb, area.y, x, end - x, G(s, "  \xe2\x97\x86 val", "  o val"), 0);
    if (n_events)
        cb_text(cb, area.y, x, end - x, G(s, "  \xe2\x94\x86 froze", "  : froze"), CB_DIM);
}

cb_rect render_loss(cellbuf *cb, cb_rect area, const loss_curve *c, int n, const loss_opts *o,
                    const render_style *s)
{
    cb_fill(cb, area, " ", CB_DEFAULT, CB_DEFAULT, 0);
    const ws_run *runs[MAX_CURVES];
    int nr = n < MAX_CURVES ? n : MAX_CURVES;
    for (int k = 0; k < nr; k++)
        runs[k] = c[k].run;
    ws_run_axes ax;
    if (area.h < 4 || ws_run_overlay_axes(runs, (size_t)nr, o->window, o->to_total, o->logy, &ax)) {
        cb_text(cb, area.y, area.x, area.w, "loss: no steps yet", CB_DIM);
        return (cb_rect){area.y, area.x, 0, 0};
    }
    int64_t from = (int64_t)ax.x0 - 1;
    for (int k = 0; k < nr; k++)
        band_range(&c[k], from, o->logy, &ax.y0, &ax.y1);
    grid g = {.logy = o->logy, .x0 = ax.x0, .x1 = ax.x1};
    g.y0 = ty(&g, ax.y0);
    g.y1 = ty(&g, ax.y1);
    double pad = (g.y1 - g.y0) * 0.03;
    g.y0 -= pad, g.y1 += pad;
    cb_rect body = {area.y + 1, area.x, area.h - 1, area.w};
    g.p = render_axes(cb, body, g.x0, g.x1, g.y0, g.y1, s);
    if (g.p.w <= 0 || g.p.h <= 0)
        return g.p;
    if (o->logy)
        render_log_ylabels(cb, g.p, pow(10, g.y0), pow(10, g.y1), s);
    /* "step" at the start of the x labels' line, under the y labels */
    int ly = g.p.y + g.p.h + 1;
    if (ly < area.y + area.h && g.p.x - area.x >= 6)
        cb_text(cb, ly, area.x, g.p.x - area.x - 2, "step", CB_BOLD);
    g.utf8 = s->glyphs == WS_GLYPH_UTF8;
    g.sx = g.utf8 ? 2 : 1, g.sy = g.utf8 ? 4 : 1;
    g.W = g.p.w * g.sx, g.H = g.p.h * g.sy;
    g.all = calloc((size_t)g.p.w * g.p.h, 1);
    g.bits = calloc((size_t)g.p.w * g.p.h, 1);
    int n_events = 0;
    if (g.all && g.bits) {
        for (int k = 0; k < nr; k++)
            if (c[k].band_lo) {
                band(&g, &c[k]);
                put_layer(cb, &g, c[k].fg, CB_DIM, ':');
            }
        int smooth = o->smoothing > 0;
        for (int k = 0; k < nr && o->raw && smooth; k++)
            draw_trace(cb, &g, c[k].run, 0, 0, from, c[k].fg, CB_DIM);
        for (int k = 0; k < nr && o->events; k++)
            n_events += event_marks(cb, &g, c[k].run, from, c[k].fg, s);
        for (int k = 0; k < nr; k++)
            draw_trace(cb, &g, c[k].run, 0, o->smoothing, from, c[k].fg, smooth ? CB_BOLD : 0);
        for (int k = 0; k < nr; k++) {
            draw_trace(cb, &g, c[k].run, 1, 0, from, c[k].val_fg, 0);
            val_marks(cb, &g, c[k].run, from, c[k].val_fg, s);
        }
    }
    free(g.all);
    free(g.bits);
    legend(cb, area, c, nr, o, n_events, s);
    return g.p;
}

uint32_t loss_run_colour(int k, const render_style *s)
{
    /* Colour-blind friendly (Okabe–Ito): orange, sky blue, green, yellow,
     * blue, vermillion, purple. */
    static const uint32_t rgb[] = {0xe69f00, 0x56b4e9, 0x009e73, 0xf0e442, 0x0072b2, 0xd55e00,
                                   0xcc79a7};
    static const int pal[] = {3, 6, 2, 11, 4, 1, 5};
    int i = k % 7;
    switch (s->colours) {
    case WS_COL_MONO: return CB_DEFAULT;
    case WS_COL_8: return CB_PAL(pal[i] & 7);
    case WS_COL_16: return CB_PAL(pal[i]);
    case WS_COL_256: return CB_PAL(colour_rgb_to_256(rgb[i]));
    default: return rgb[i];
    }
}
