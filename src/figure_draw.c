/* Lay a figure out (data ranges, ticks, margins) and draw it on a canvas. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"

#define INK 0x222222
#define GRID 0xe4e4e4
#define FRAME_GREY 0xb0b0b0
#define CAP 0.73            /* DejaVu Sans cap height, in ems */
#define TEXT_PT_MIN 7.0     /* tick labels on a one-column figure */
#define TEXT_PT_MAX 12.0

typedef struct layout {
    double fs, title_fs;          /* font sizes (px) */
    double lu;                    /* line unit: 1 pt on a one-column figure, in px */
    double px0, py0, px1, py1;    /* plot area */
    double xlo, xhi, ylo, yhi;    /* data range (y: log10 when ylog) */
    int yflip;                    /* heatmaps: row 0 at the top */
    ws_ticks xt, yt, ct;          /* axis and colour bar ticks */
    signed char xrow[WS_TICKS_MAX]; /* categories: the label's row (0, 1), -1: none */
    int xrows;                    /* rows of x labels (2: staggered) */
    double cb_x, cb_w;            /* colour bar */
    double clo, chi;              /* colour range */
    char title[2][256];           /* the title on one or two lines */
    int title_lines;
    double xfs;                   /* the x tick labels' font size */
    double leg_y, leg_h;          /* legend above the plot (category charts), 0: inside */
} layout;

double ws_fig_font_size(const ws_figure *f)
{
    double inches = fmin(f->width, f->height * 1.4) / f->dpi;
    double pt = fmax(TEXT_PT_MIN, fmin(TEXT_PT_MAX, 2 * inches));
    return pt * f->dpi / 72;
}

static double gy(const ws_figure *f, double y) { return f->ylog ? log10(y) : y; }

static double xpix(const layout *L, double x)
{
    return L->px0 + (x - L->xlo) / (L->xhi - L->xlo) * (L->px1 - L->px0);
}

static double ypix(const layout *L, double g)
{
    double t = (g - L->ylo) / (L->yhi - L->ylo);
    return L->yflip ? L->py0 + t * (L->py1 - L->py0) : L->py1 - t * (L->py1 - L->py0);
}

static int drawable(const ws_figure *f, double x, double y)
{
    return isfinite(x) && isfinite(y) && !(f->ylog && y <= 0);
}

static int is_block(const ws_series *s)
{
    return s->kind == WS_SERIES_BARS || s->kind == WS_SERIES_BAND;
}

/* Spacing of bar centres: 1 on a category axis, else the smallest gap
 * between neighbouring x. */
static double bar_spacing(const ws_figure *f, const ws_series *s)
{
    if (f->n_xcat)
        return 1;
    double d = INFINITY;
    for (size_t i = 1; i < s->n; i++)
        if (isfinite(s->x[i]) && isfinite(s->x[i - 1]) && s->x[i] != s->x[i - 1])
            d = fmin(d, fabs(s->x[i] - s->x[i - 1]));
    return isfinite(d) ? d : 1;
}

static void grow(double *lo, double *hi, double v)
{
    *lo = fmin(*lo, v);
    *hi = fmax(*hi, v);
}

/* Data range of the series; y on the axis scale. */
static void series_range(const ws_figure *f, layout *L)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    int bars = 0;
    for (size_t k = 0; k < f->n_series; k++) {
        const ws_series *s = &f->series[k];
        if (s->no_range)
            continue;
        double half = is_block(s) ? bar_spacing(f, s) / 2 : 0;
        bars |= s->kind == WS_SERIES_BARS;
        for (size_t i = 0; i < s->n; i++) {
            double x = s->x[i];
            for (int edge = 0; edge < (s->y2 ? 2 : 1); edge++) {
                double y = edge ? s->y2[i] : s->y[i];
                if (!drawable(f, x, y))
                    continue;
                grow(&xlo, &xhi, x - half);
                grow(&xlo, &xhi, x + half);
                grow(&ylo, &yhi, gy(f, y));
            }
        }
    }
    for (int k = 0; k < 2; k++) {   /* the asked y extent */
        double y = k ? f->ymax : f->ymin;
        if (isfinite(y) && !(f->ylog && y <= 0))
            grow(&ylo, &yhi, gy(f, y));
    }
    if (!isfinite(xlo))
        xlo = 0, xhi = 1;
    if (!isfinite(ylo))
        ylo = 0, yhi = 1;
    if (f->n_xcat)
        xlo = -0.5, xhi = f->n_xcat - 0.5;
    if (bars && !f->ylog)
        ylo = fmin(ylo, 0), yhi = fmax(yhi, 0);
    if (xhi == xlo)
        xlo -= 0.5, xhi += 0.5;
    if (yhi == ylo) {
        double d = ylo ? fabs(ylo) * 0.1 : 1;
        ylo -= d, yhi += d;
    }
    double pad = (yhi - ylo) * 0.05;
    /* Bars stand on 0, and an asked bound is kept: no padding beyond them. */
    int keep_lo = (bars && !f->ylog && ylo == 0) || (isfinite(f->ymin) && gy(f, f->ymin) == ylo);
    int keep_hi = isfinite(f->ymax) && gy(f, f->ymax) == yhi;
    L->ylo = keep_lo ? ylo : ylo - pad;
    L->yhi = keep_hi ? yhi : yhi + pad;
    L->xlo = xlo;
    L->xhi = xhi;
}

/* Keep only integral ticks (matrix indices), labelled as integers. */
static void integral_ticks(ws_ticks *t)
{
    int k = 0;
    for (int i = 0; i < t->n; i++)
        if (t->v[i] == floor(t->v[i])) {
            t->v[k] = t->v[i];
            snprintf(t->label[k], sizeof t->label[k], "%.0f", t->v[i]);
            t->major[k] = 1;
            k++;
        }
    t->n = k;
}

static double widest_label(const ws_ticks *t, double fs)
{
    double w = 0;
    for (int i = 0; i < t->n; i++)
        w = fmax(w, ws_fig_text_width(t->label[i], fs));
    return w;
}

static void y_ticks(const ws_figure *f, layout *L, double plot_h)
{
    int target = (int)(plot_h / (L->fs * 3.2));
    if (f->heat) {
        ws_ticks_linear(0, (double)f->heat->index_rows - 1, target, &L->yt);
        integral_ticks(&L->yt);
    } else if (f->ylog) {
        ws_ticks_log(pow(10, L->ylo), pow(10, L->yhi), &L->yt);
    } else {
        ws_ticks_linear(L->ylo, L->yhi, target, &L->yt);
    }
}

/* Categories: a tick at each (every n-th past WS_TICKS_MAX), the labels
 * set smaller (down to 70 %) to fit, each on the first of two rows where
 * it clears its neighbour, or left out when it clears neither. */
static void category_ticks(const ws_figure *f, layout *L)
{
    double widest = 0, gap = L->fs * 0.6;
    for (int i = 0; i < f->n_xcat; i++)
        widest = fmax(widest, ws_fig_text_width(f->xcat[i], L->fs));
    double slot = (L->px1 - L->px0) / f->n_xcat;
    L->xfs = L->fs * fmax(0.7, fmin(1, slot / fmax(widest + gap, 1)));
    int step = (f->n_xcat + WS_TICKS_MAX - 1) / WS_TICKS_MAX;
    double end[2] = {-INFINITY, -INFINITY};   /* right edge of the last label of each row */
    L->xt.n = 0;
    L->xrows = 1;
    for (int i = 0; i < f->n_xcat; i += step) {
        int k = L->xt.n++;
        double half = ws_fig_text_width(f->xcat[i], L->xfs) / 2, c = xpix(L, i);
        int row = c - half >= end[0] + gap ? 0 : c - half >= end[1] + gap ? 1 : -1;
        if (row >= 0)
            end[row] = c + half;
        L->xrows = row == 1 ? 2 : L->xrows;
        L->xrow[k] = (signed char)row;
        L->xt.v[k] = i;
        L->xt.label[k][0] = 0;   /* drawn from f->xcat: names can be long */
        L->xt.major[k] = 1;
    }
}

static void x_ticks(const ws_figure *f, layout *L)
{
    L->xfs = L->fs;
    L->xrows = 1;
    if (f->n_xcat && !f->heat) {
        category_ticks(f, L);
        return;
    }
    ws_ticks_linear(f->heat ? 0 : L->xlo, f->heat ? (double)f->heat->index_cols - 1 : L->xhi,
                    (int)((L->px1 - L->px0) / (L->fs * 6)), &L->xt);
    if (f->heat)
        integral_ticks(&L->xt);
}

static const char *x_label_of(const ws_figure *f, const layout *L, int i)
{
    if (f->n_xcat && !f->heat && L->xrow[i] < 0)
        return "";
    return f->n_xcat && !f->heat ? f->xcat[(int)L->xt.v[i]] : L->xt.label[i];
}

/* The last x label must not run off the right edge: narrow the plot if
 * it would. */
static void room_for_last_x_label(const ws_figure *f, layout *L)
{
    if (!L->xt.n || f->heat)
        return;
    double last = xpix(L, L->xt.v[L->xt.n - 1]);
    double over = last + ws_fig_text_width(x_label_of(f, L, L->xt.n - 1), L->fs) / 2 +
                  L->fs * 0.3 - f->width;
    if (over > 0) {
        L->px1 -= over;
        x_ticks(f, L);
    }
}

/* Square matrix cells: shrink the plot area along one side, centred. */
static void equal_aspect(const ws_figure *f, layout *L)
{
    double w = L->px1 - L->px0, h = L->py1 - L->py0;
    double want = (double)f->heat->index_cols / (double)f->heat->index_rows;
    if (w / h > want) {
        double nw = h * want, d = (w - nw) / 2;
        L->px0 += d, L->px1 -= d, L->cb_x -= d;
    } else {
        double nh = w / want, d = (h - nh) / 2;
        L->py0 += d, L->py1 -= d;
    }
}

/* The title on one line, or broken at the space that balances two lines,
 * in a font shrunk (to the tick labels' size at least) until it fits. */
static void title_layout(const ws_figure *f, layout *L)
{
    double room = f->width - L->fs;
    snprintf(L->title[0], sizeof L->title[0], "%s", f->title);
    L->title_lines = f->title[0] ? 1 : 0;
    if (!f->title[0] || ws_fig_text_width(f->title, L->title_fs) <= room)
        return;
    size_t n = strlen(f->title), best = 0;
    double best_w = INFINITY;
    for (size_t i = 1; i + 1 < n && i < sizeof L->title[0]; i++) {
        if (f->title[i] != ' ')
            continue;
        snprintf(L->title[0], i + 1, "%s", f->title);
        double w = fmax(ws_fig_text_width(L->title[0], L->title_fs),
                        ws_fig_text_width(f->title + i + 1, L->title_fs));
        if (w < best_w)
            best_w = w, best = i;
    }
    if (best) {
        snprintf(L->title[0], best + 1, "%s", f->title);
        snprintf(L->title[1], sizeof L->title[1], "%s", f->title + best + 1);
        L->title_lines = 2;
    } else {
        snprintf(L->title[0], sizeof L->title[0], "%s", f->title);
        best_w = ws_fig_text_width(f->title, L->title_fs);
    }
    if (best_w > room)
        L->title_fs = fmax(L->fs, L->title_fs * room / best_w);
}

/* ---- the legend's geometry ---- */

#define LEG_ROW 1.35      /* line height, in font sizes */
#define LEG_SAMPLE 2.2    /* the line or swatch sample's width */
#define LEG_PAD 0.5

/* Width of a legend entry: sample, gap, label. */
static double entry_width(const ws_series *s, double fs)
{
    return fs * (LEG_SAMPLE + LEG_PAD) + ws_fig_text_width(s->label, fs);
}

/* Rows a legend in one line per row across `width` needs (0: no labels). */
static int legend_rows(const ws_figure *f, double fs, double width)
{
    int rows = 0;
    double x = width;
    for (size_t k = 0; k < f->n_series; k++) {
        if (!f->series[k].label[0])
            continue;
        double w = entry_width(&f->series[k], fs) + fs * LEG_PAD * 2;
        if (x + w > width)
            rows++, x = 0;
        x += w;
    }
    return rows;
}

static void do_layout(const ws_figure *f, layout *L)
{
    memset(L, 0, sizeof *L);
    L->fs = ws_fig_font_size(f);
    L->title_fs = L->fs * 8.5 / 7;
    L->lu = L->fs / TEXT_PT_MIN;
    double fs = L->fs, tick = fs * 0.35, gap = fs * 0.35;
    if (f->heat) {
        L->xlo = 0, L->xhi = (double)f->heat->index_cols;
        L->ylo = 0, L->yhi = (double)f->heat->index_rows;
        L->yflip = 1;
        ws_heatmap_range(f->heat, &L->clo, &L->chi);
        ws_ticks_linear(L->clo, L->chi, 4, &L->ct);
    } else {
        series_range(f, L);
    }
    title_layout(f, L);
    L->py0 = L->title_lines ? L->title_fs * (1.9 + 1.2 * (L->title_lines - 1)) : fs;
    /* Bar charts by category: the legend in rows above the plot, where it
     * hides no bar. */
    int rows = f->n_xcat && !f->heat ? legend_rows(f, fs, f->width - 2 * fs) : 0;
    if (rows) {
        L->leg_y = L->py0 - fs * 0.3;
        L->leg_h = rows * fs * LEG_ROW;
        L->py0 += L->leg_h;
    }
    L->py1 = f->height - (fs * CAP + tick + gap + (f->xlabel[0] ? fs * 1.5 : 0) + fs * 0.5);
    y_ticks(f, L, L->py1 - L->py0);
    L->px0 = fs * 0.5 + (f->ylabel[0] ? fs * 1.4 : 0) + widest_label(&L->yt, fs) + tick + gap;
    double right = fs * 1.0;
    if (f->heat) {
        L->cb_w = fs * 1.0;
        /* At least "−0.00" wide, so a figure laid out before its cells are
         * known (ws_figure_plot_area) keeps its size. */
        double labels = fmax(widest_label(&L->ct, fs), ws_fig_text_width("−0.00", fs));
        right = fs * 1.0 + L->cb_w + tick + gap + labels + (f->heat->label[0] ? fs * 1.5 : 0) +
                fs * 0.4;
    }
    L->px1 = f->width - right;
    L->cb_x = L->px1 + fs * 1.0;
    if (f->heat && f->aspect_equal && L->px1 > L->px0 && L->py1 > L->py0)
        equal_aspect(f, L);
    x_ticks(f, L);
    room_for_last_x_label(f, L);
    if (L->xrows == 2) {   /* staggered category labels: a line more below the plot */
        L->py1 -= fs * 1.15;
        y_ticks(f, L, L->py1 - L->py0);
    }
}

/* Position of a tick value on its axis, in pixels. */
static double x_tick_pix(const ws_figure *f, const layout *L, double v)
{
    return xpix(L, f->heat ? v + 0.5 : v);
}

static double y_tick_pix(const ws_figure *f, const layout *L, double v)
{
    return ypix(L, f->heat ? v + 0.5 : gy(f, v));
}

static void line2(ws_canvas *c, double x0, double y0, double x1, double y1, uint32_t col,
                  double w)
{
    double xy[4] = {x0, y0, x1, y1};
    c->polyline(c->self, xy, 2, col, w, 0, 1);
}

static void draw_grid(const ws_figure *f, ws_canvas *c, const layout *L)
{
    if (f->heat)
        return;
    double w = 0.5 * L->lu;
    if (!f->n_xcat)
        for (int i = 0; i < L->xt.n; i++) {
            double x = x_tick_pix(f, L, L->xt.v[i]);
            line2(c, x, L->py0, x, L->py1, GRID, w);
        }
    for (int i = 0; i < L->yt.n; i++)
        if (L->yt.major[i]) {
            double y = y_tick_pix(f, L, L->yt.v[i]);
            line2(c, L->px0, y, L->px1, y, GRID, w);
        }
}

static void draw_axes(const ws_figure *f, ws_canvas *c, const layout *L)
{
    double fs = L->fs, tick = fs * 0.35, gap = fs * 0.35, lw = 0.6 * L->lu;
    c->frame(c->self, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0, INK, lw);
    for (int i = 0; i < L->xt.n; i++) {
        double x = x_tick_pix(f, L, L->xt.v[i]);
        line2(c, x, L->py1, x, L->py1 + tick, INK, lw);
        int row = f->n_xcat && !f->heat ? L->xrow[i] : 0;
        c->text(c->self, x, L->py1 + tick + gap + fs * CAP + row * fs * 1.15, x_label_of(f, L, i),
                WS_ANCHOR_MIDDLE, 0, L->xfs, INK);
    }
    for (int i = 0; i < L->yt.n; i++) {
        double y = y_tick_pix(f, L, L->yt.v[i]);
        double len = L->yt.major[i] ? tick : tick * 0.55;
        line2(c, L->px0 - len, y, L->px0, y, INK, lw);
        if (L->yt.label[i][0])
            c->text(c->self, L->px0 - tick - gap, y + fs * CAP / 2, L->yt.label[i],
                    WS_ANCHOR_END, 0, fs, INK);
    }
    if (f->xlabel[0])
        c->text(c->self, (L->px0 + L->px1) / 2, f->height - fs * 0.5, f->xlabel,
                WS_ANCHOR_MIDDLE, 0, fs, INK);
    if (f->ylabel[0])
        c->text(c->self, fs * 0.5 + fs * CAP, (L->py0 + L->py1) / 2, f->ylabel, WS_ANCHOR_MIDDLE,
                1, fs, INK);
    /* Centred on the plot, unless that would push it off the figure. */
    for (int i = 0; i < L->title_lines; i++) {
        double half = ws_fig_text_width(L->title[i], L->title_fs) / 2, mid = (L->px0 + L->px1) / 2;
        mid = fmin(fmax(mid, half + fs * 0.3), f->width - half - fs * 0.3);
        c->text(c->self, mid, L->title_fs * (1.2 + 1.2 * i), L->title[i], WS_ANCHOR_MIDDLE, 0,
                L->title_fs, INK);
    }
}

/* A run of many more points than pixel columns: keep, of each column's
 * points, the first, the lowest, the highest and the last, in their order.
 * The line drawn looks the same; an SVG stays small. In place; returns
 * the points kept. */
static size_t thin_line(double *xy, size_t n)
{
    size_t out = 0;
    for (size_t i = 0, j; i < n; i = j) {
        double col = floor(xy[2 * i]);
        size_t lo = i, hi = i;
        for (j = i; j < n && floor(xy[2 * j]) == col; j++) {
            lo = xy[2 * j + 1] < xy[2 * lo + 1] ? j : lo;
            hi = xy[2 * j + 1] > xy[2 * hi + 1] ? j : hi;
        }
        size_t keep[4] = {i, lo < hi ? lo : hi, lo < hi ? hi : lo, j - 1};
        for (int k = 0; k < 4; k++)
            if (k == 0 || keep[k] != keep[k - 1]) {   /* ascending: drops repeats */
                xy[2 * out] = xy[2 * keep[k]];
                xy[2 * out + 1] = xy[2 * keep[k] + 1];
                out++;
            }
    }
    return out;
}

/* The line through the finite points, broken where a point is missing. */
static int draw_line(const ws_figure *f, ws_canvas *c, const layout *L, const ws_series *s)
{
    double *xy = malloc((s->n ? s->n : 1) * 2 * sizeof *xy);
    if (!xy)
        return -1;
    double w = s->width * L->lu;
    size_t run = 0;
    for (size_t i = 0; i <= s->n; i++) {
        if (i < s->n && drawable(f, s->x[i], s->y[i])) {
            xy[2 * run] = xpix(L, s->x[i]);
            xy[2 * run + 1] = ypix(L, gy(f, s->y[i]));
            run++;
            continue;
        }
        if (run > 4 * (size_t)(L->px1 - L->px0) && !s->dashed)
            run = thin_line(xy, run);
        if (run == 1)
            c->marker(c->self, xy[0], xy[1], w, s->colour);
        else if (run > 1)
            c->polyline(c->self, xy, run, s->colour, w, s->dashed, s->opacity);
        run = 0;
    }
    free(xy);
    return 0;
}

/* Bars (from 0, or the axis bottom on a log axis) and bands (y to y2):
 * blocks s->width of the x spacing wide. */
static void draw_blocks(const ws_figure *f, ws_canvas *c, const layout *L, const ws_series *s)
{
    double half = bar_spacing(f, s) * s->width / 2;
    double base = ypix(L, f->ylog ? L->ylo : fmax(L->ylo, fmin(L->yhi, 0)));
    for (size_t i = 0; i < s->n; i++) {
        if (!drawable(f, s->x[i], s->y[i]))
            continue;
        double y0 = ypix(L, gy(f, s->y[i])), y1 = base;
        if (s->y2) {
            if (!drawable(f, s->x[i], s->y2[i]))
                continue;
            y1 = ypix(L, gy(f, s->y2[i]));
        }
        double x0 = xpix(L, s->x[i] - half), x1 = xpix(L, s->x[i] + half);
        c->rect(c->self, x0, fmin(y0, y1), x1 - x0, fabs(y1 - y0), s->colour, s->opacity);
    }
}

static int draw_series(const ws_figure *f, ws_canvas *c, const layout *L)
{
    c->clip(c->self, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0);
    for (size_t k = 0; k < f->n_series; k++) {
        const ws_series *s = &f->series[k];
        if (is_block(s))
            draw_blocks(f, c, L, s);
        else if (s->kind == WS_SERIES_POINTS) {
            for (size_t i = 0; i < s->n; i++)
                if (drawable(f, s->x[i], s->y[i]))
                    c->marker(c->self, xpix(L, s->x[i]), ypix(L, gy(f, s->y[i])),
                              s->width * L->lu, s->colour);
        } else if (draw_line(f, c, L, s) != 0) {
            c->clip_end(c->self);
            return -1;
        }
    }
    c->clip_end(c->self);
    return 0;
}

/* Data points of the series that fall in the box (bars: their tops and
 * the area under them). */
static size_t points_in(const ws_figure *f, const layout *L, double x0, double y0, double x1,
                        double y1)
{
    size_t hits = 0;
    for (size_t k = 0; k < f->n_series; k++) {
        const ws_series *s = &f->series[k];
        for (size_t i = 0; i < s->n; i++) {
            if (!drawable(f, s->x[i], s->y[i]))
                continue;
            double px = xpix(L, s->x[i]), py = ypix(L, gy(f, s->y[i]));
            int under = s->kind == WS_SERIES_BARS && py < y1 && !L->yflip;
            hits += px >= x0 && px <= x1 && ((py >= y0 && py <= y1) || (under && py <= y0));
        }
    }
    return hits;
}

/* The corner of the plot whose legend box covers the fewest data points
 * (top right on a tie). */
static void legend_corner(const ws_figure *f, const layout *L, double bw, double bh, double *x,
                          double *y)
{
    double m = L->fs * 0.5;
    double xs[2] = {L->px1 - bw - m, L->px0 + m}, ys[2] = {L->py0 + m, L->py1 - bh - m};
    size_t best = (size_t)-1;
    *x = xs[0];
    *y = ys[0];
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 2; i++) {
            size_t hits = points_in(f, L, xs[i], ys[j], xs[i] + bw, ys[j] + bh);
            if (hits < best) {
                best = hits;
                *x = xs[i];
                *y = ys[j];
            }
        }
}

/* One entry's sample (line, dot or swatch) and label at (x, top). */
static void legend_entry(ws_canvas *c, const layout *L, const ws_series *s, double x, double top)
{
    double fs = L->fs, mid = top + fs * 0.5, sample = fs * LEG_SAMPLE;
    if (is_block(s))
        c->rect(c->self, x, top + fs * 0.1, sample, fs * 0.8, s->colour, s->opacity);
    else if (s->kind == WS_SERIES_POINTS)
        c->marker(c->self, x + sample / 2, mid, s->width * L->lu, s->colour);
    else {
        double xy[4] = {x, mid, x + sample, mid};
        c->polyline(c->self, xy, 2, s->colour, s->width * L->lu, s->dashed, s->opacity);
    }
    c->text(c->self, x + sample + fs * LEG_PAD, mid + fs * CAP / 2, s->label, WS_ANCHOR_START, 0,
            fs, INK);
}

/* The legend in rows above the plot, each row centred. */
static void draw_legend_top(const ws_figure *f, ws_canvas *c, const layout *L)
{
    double fs = L->fs, width = f->width - 2 * fs, gap = fs * LEG_PAD * 2;
    size_t k = 0;
    for (double top = L->leg_y; k < f->n_series; top += fs * LEG_ROW) {
        size_t first = k;
        double w = 0;
        for (; k < f->n_series; k++) {   /* the entries of this row */
            if (!f->series[k].label[0])
                continue;
            double ew = entry_width(&f->series[k], fs) + gap;
            if (w > 0 && w + ew > width)
                break;
            w += ew;
        }
        double x = (f->width - (w - gap)) / 2;
        for (size_t j = first; j < k; j++)
            if (f->series[j].label[0]) {
                legend_entry(c, L, &f->series[j], x, top);
                x += entry_width(&f->series[j], fs) + gap;
            }
    }
}

static void draw_legend(const ws_figure *f, ws_canvas *c, const layout *L)
{
    if (L->leg_h > 0) {
        draw_legend_top(f, c, L);
        return;
    }
    double fs = L->fs, row = fs * LEG_ROW, pad = fs * LEG_PAD, w = 0;
    int n = 0;
    for (size_t k = 0; k < f->n_series; k++)
        if (f->series[k].label[0]) {
            w = fmax(w, entry_width(&f->series[k], fs));
            n++;
        }
    if (!n)
        return;
    double bw = pad * 2 + w, bh = pad * 2 + row * n - (row - fs), x = 0, y = 0;
    legend_corner(f, L, bw, bh, &x, &y);
    c->rect(c->self, x, y, bw, bh, 0xffffff, 0.88);
    c->frame(c->self, x, y, bw, bh, FRAME_GREY, 0.5 * L->lu);
    double ty = y + pad;
    for (size_t k = 0; k < f->n_series; k++)
        if (f->series[k].label[0]) {
            legend_entry(c, L, &f->series[k], x + pad, ty);
            ty += row;
        }
}

static uint32_t heat_colour(const layout *L, const ws_cmap *m, double v)
{
    return ws_cmap_colour(m, isnan(v) ? v : (v - L->clo) / (L->chi - L->clo));
}

/* The cells as an image over the plot area. */
static int draw_heatmap(const ws_figure *f, ws_canvas *c, const layout *L)
{
    const ws_heatmap *h = f->heat;
    size_t n = (size_t)h->rows * (size_t)h->cols;
    uint32_t *rgb = malloc(n * sizeof *rgb);
    if (!rgb)
        return -1;
    for (size_t i = 0; i < n; i++)
        rgb[i] = heat_colour(L, h->cmap, h->v[i]);
    c->image(c->self, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0, rgb, (int)h->cols,
             (int)h->rows);
    free(rgb);
    return 0;
}

static int draw_colour_bar(const ws_figure *f, ws_canvas *c, const layout *L)
{
    enum { STEPS = 256 };
    uint32_t *rgb = malloc(STEPS * sizeof *rgb);
    if (!rgb)
        return -1;
    for (int i = 0; i < STEPS; i++)
        rgb[i] = ws_cmap_colour(f->heat->cmap, 1 - (i + 0.5) / STEPS);
    double fs = L->fs, tick = fs * 0.35, h = L->py1 - L->py0, lw = 0.6 * L->lu;
    c->image(c->self, L->cb_x, L->py0, L->cb_w, h, rgb, 1, STEPS);
    free(rgb);
    c->frame(c->self, L->cb_x, L->py0, L->cb_w, h, INK, lw);
    double right = L->cb_x + L->cb_w;
    for (int i = 0; i < L->ct.n; i++) {
        double y = L->py1 - (L->ct.v[i] - L->clo) / (L->chi - L->clo) * h;
        line2(c, right, y, right + tick, y, INK, lw);
        c->text(c->self, right + tick + fs * 0.35, y + fs * CAP / 2, L->ct.label[i],
                WS_ANCHOR_START, 0, fs, INK);
    }
    if (f->heat->label[0])
        c->text(c->self, f->width - fs * 0.4, (L->py0 + L->py1) / 2, f->heat->label,
                WS_ANCHOR_MIDDLE, 1, fs, INK);
    return 0;
}

void ws_figure_plot_area(const ws_figure *f, double *x, double *y, double *w, double *h)
{
    layout L;
    do_layout(f, &L);
    *x = L.px0, *y = L.py0, *w = L.px1 - L.px0, *h = L.py1 - L.py0;
}

void ws_figure_data_to_pixel(const ws_figure *f, double x, double y, double *px, double *py)
{
    layout L;
    do_layout(f, &L);
    *px = x_tick_pix(f, &L, x);
    *py = y_tick_pix(f, &L, y);
}

int ws_figure_draw(const ws_figure *f, ws_canvas *c, ws_err *e)
{
    layout L;
    do_layout(f, &L);
    if (L.px1 - L.px0 < 4 * L.fs || L.py1 - L.py0 < 3 * L.fs)
        return ws_fail(e, "figure %dx%d is too small for its labels at %g dpi", f->width,
                       f->height, f->dpi);
    c->rect(c->self, 0, 0, f->width, f->height, 0xffffff, 1);
    if (f->heat && (draw_heatmap(f, c, &L) != 0 || draw_colour_bar(f, c, &L) != 0))
        return ws_fail(e, "out of memory");
    draw_grid(f, c, &L);
    if (draw_series(f, c, &L) != 0)
        return ws_fail(e, "out of memory");
    draw_axes(f, c, &L);
    draw_legend(f, c, &L);
    return 0;
}
