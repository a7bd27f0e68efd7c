/* Lay a figure out (data ranges, ticks, margins) and draw it on a canvas. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "figure_font.h"

#define INK 0x222222
#define GRID 0xe4e4e4
#define FRAME_GREY 0xb0b0b0

typedef struct layout {
    double fs, title_fs;          /* font sizes (px) */
    double px0, py0, px1, py1;    /* plot area */
    double xlo, xhi, ylo, yhi;    /* data range (y: log10 when ylog) */
    int yflip;                    /* heatmaps: row 0 at the top */
    ws_ticks xt, yt, ct;          /* axis and colour bar ticks */
    double cb_x, cb_w;            /* colour bar */
} layout;

double ws_fig_text_width(const char *s, double size)
{
    size_t chars = 0;
    while (*s) {
        ws_utf8_next(&s);
        chars++;
    }
    return chars ? (chars * WS_FONT_ADVANCE - 1) * size / WS_FONT_EM : 0;
}

double ws_fig_font_size(const ws_figure *f)
{
    double s = fmin(f->width, f->height * 1.4) / 50;
    return s < 10 ? 10 : s > 40 ? 40 : s;
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

/* Spacing of bar centres: the smallest gap between neighbouring x. */
static double bar_spacing(const ws_series *s)
{
    double d = INFINITY;
    for (size_t i = 1; i < s->n; i++)
        if (isfinite(s->x[i]) && isfinite(s->x[i - 1]) && s->x[i] != s->x[i - 1])
            d = fmin(d, fabs(s->x[i] - s->x[i - 1]));
    return isfinite(d) ? d : 1;
}

/* Data range of the series; y on the axis scale. */
static void series_range(const ws_figure *f, layout *L)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    int bars = 0;
    for (size_t k = 0; k < f->n_series; k++) {
        const ws_series *s = &f->series[k];
        double half = s->kind == WS_SERIES_BARS ? bar_spacing(s) / 2 : 0;
        bars |= s->kind == WS_SERIES_BARS;
        for (size_t i = 0; i < s->n; i++) {
            double x = s->x[i], y = s->y[i];
            if (!isfinite(x) || !isfinite(y) || (f->ylog && y <= 0))
                continue;
            xlo = fmin(xlo, x - half);
            xhi = fmax(xhi, x + half);
            ylo = fmin(ylo, gy(f, y));
            yhi = fmax(yhi, gy(f, y));
        }
    }
    if (!isfinite(xlo)) {
        xlo = 0, xhi = 1, ylo = 0, yhi = 1;
    }
    if (bars && !f->ylog)
        ylo = fmin(ylo, 0), yhi = fmax(yhi, 0);
    if (xhi == xlo)
        xlo -= 0.5, xhi += 0.5;
    if (yhi == ylo) {
        double d = ylo ? fabs(ylo) * 0.1 : 1;
        ylo -= d, yhi += d;
    }
    double pad = (yhi - ylo) * 0.05;
    /* Bars stand on 0: no padding below a base of 0. */
    L->ylo = bars && !f->ylog && ylo == 0 ? 0 : ylo - pad;
    L->yhi = yhi + pad;
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

static void x_ticks(const ws_figure *f, layout *L)
{
    ws_ticks_linear(f->heat ? 0 : L->xlo, f->heat ? (double)f->heat->index_cols - 1 : L->xhi,
                    (int)((L->px1 - L->px0) / (L->fs * 6)), &L->xt);
    if (f->heat)
        integral_ticks(&L->xt);
}

/* The last x label must not run off the right edge: narrow the plot if
 * it would. */
static void room_for_last_x_label(const ws_figure *f, layout *L)
{
    if (!L->xt.n || f->heat)
        return;
    double last = xpix(L, L->xt.v[L->xt.n - 1]);
    double over = last + ws_fig_text_width(L->xt.label[L->xt.n - 1], L->fs) / 2 + L->fs * 0.3 -
                  f->width;
    if (over > 0) {
        L->px1 -= over;
        x_ticks(f, L);
    }
}

static void do_layout(const ws_figure *f, layout *L)
{
    memset(L, 0, sizeof *L);
    L->fs = ws_fig_font_size(f);
    L->title_fs = L->fs * 1.25;
    double fs = L->fs, tick = fs * 0.4, gap = fs * 0.5;
    if (f->heat) {
        L->xlo = 0, L->xhi = (double)f->heat->index_cols;
        L->ylo = 0, L->yhi = (double)f->heat->index_rows;
        L->yflip = 1;
        ws_ticks_linear(-f->heat->vmax, f->heat->vmax, 4, &L->ct);
    } else {
        series_range(f, L);
    }
    L->py0 = f->title[0] ? L->title_fs * 2.0 : fs;
    L->py1 = f->height - (fs + tick + gap + (f->xlabel[0] ? fs * 1.6 : 0) + fs * 0.4);
    y_ticks(f, L, L->py1 - L->py0);
    L->px0 = fs * 0.6 + (f->ylabel[0] ? fs * 1.6 : 0) + widest_label(&L->yt, fs) + tick + gap;
    double right = fs * 1.2;
    if (f->heat) {
        L->cb_w = fs * 1.1;
        right = fs * 1.2 + L->cb_w + tick + gap + widest_label(&L->ct, fs) +
                (f->heat->label[0] ? fs * 1.8 : 0) + fs * 0.5;
    }
    L->px1 = f->width - right;
    L->cb_x = L->px1 + fs * 1.2;
    x_ticks(f, L);
    room_for_last_x_label(f, L);
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
    c->polyline(c->self, xy, 2, col, w, 0);
}

static void draw_grid(const ws_figure *f, ws_canvas *c, const layout *L)
{
    if (f->heat)
        return;
    for (int i = 0; i < L->xt.n; i++) {
        double x = x_tick_pix(f, L, L->xt.v[i]);
        line2(c, x, L->py0, x, L->py1, GRID, 1);
    }
    for (int i = 0; i < L->yt.n; i++)
        if (L->yt.major[i]) {
            double y = y_tick_pix(f, L, L->yt.v[i]);
            line2(c, L->px0, y, L->px1, y, GRID, 1);
        }
}

static void draw_axes(const ws_figure *f, ws_canvas *c, const layout *L)
{
    double fs = L->fs, tick = fs * 0.4, gap = fs * 0.5, lw = fmax(1, fs / 12);
    c->frame(c->self, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0, INK, lw);
    for (int i = 0; i < L->xt.n; i++) {
        double x = x_tick_pix(f, L, L->xt.v[i]);
        line2(c, x, L->py1, x, L->py1 + tick, INK, lw);
        c->text(c->self, x, L->py1 + tick + gap + fs * 7 / WS_FONT_EM, L->xt.label[i],
                WS_ANCHOR_MIDDLE, 0, fs, INK);
    }
    for (int i = 0; i < L->yt.n; i++) {
        double y = y_tick_pix(f, L, L->yt.v[i]);
        double len = L->yt.major[i] ? tick : tick * 0.55;
        line2(c, L->px0 - len, y, L->px0, y, INK, lw);
        if (L->yt.label[i][0])
            c->text(c->self, L->px0 - tick - gap, y + fs * 3.5 / WS_FONT_EM, L->yt.label[i],
                    WS_ANCHOR_END, 0, fs, INK);
    }
    if (f->xlabel[0])
        c->text(c->self, (L->px0 + L->px1) / 2, f->height - fs * 0.6, f->xlabel,
                WS_ANCHOR_MIDDLE, 0, fs, INK);
    if (f->ylabel[0])
        c->text(c->self, fs * 0.6 + fs * 7 / WS_FONT_EM, (L->py0 + L->py1) / 2, f->ylabel,
                WS_ANCHOR_MIDDLE, 1, fs, INK);
    if (f->title[0])
        c->text(c->self, (L->px0 + L->px1) / 2, L->title_fs * 1.3, f->title, WS_ANCHOR_MIDDLE,
                0, L->title_fs, INK);
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
    size_t run = 0;
    for (size_t i = 0; i <= s->n; i++) {
        int ok = i < s->n && isfinite(s->x[i]) && isfinite(s->y[i]) && !(f->ylog && s->y[i] <= 0);
        if (ok) {
            xy[2 * run] = xpix(L, s->x[i]);
            xy[2 * run + 1] = ypix(L, gy(f, s->y[i]));
            run++;
            continue;
        }
        if (run > 4 * (size_t)(L->px1 - L->px0) && !s->dashed)
            run = thin_line(xy, run);
        if (run == 1)
            c->marker(c->self, xy[0], xy[1], s->width, s->colour);
        else if (run > 1)
            c->polyline(c->self, xy, run, s->colour, s->width, s->dashed);
        run = 0;
    }
    free(xy);
    return 0;
}

static void draw_bars(const ws_figure *f, ws_canvas *c, const layout *L, const ws_series *s)
{
    double half = bar_spacing(s) * s->width / 2;
    double base = ypix(L, f->ylog ? L->ylo : fmax(L->ylo, fmin(L->yhi, 0)));
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->x[i]) || !isfinite(s->y[i]) || (f->ylog && s->y[i] <= 0))
            continue;
        /* Whole-pixel edges: touching bars show no seam between them. */
        double x0 = round(xpix(L, s->x[i] - half)), x1 = round(xpix(L, s->x[i] + half));
        double y = ypix(L, gy(f, s->y[i]));
        c->rect(c->self, x0, fmin(y, base), x1 - x0, fabs(base - y), s->colour, 1);
    }
}

static int draw_series(const ws_figure *f, ws_canvas *c, const layout *L)
{
    c->clip(c->self, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0);
    for (size_t k = 0; k < f->n_series; k++) {
        const ws_series *s = &f->series[k];
        if (s->kind == WS_SERIES_BARS)
            draw_bars(f, c, L, s);
        else if (s->kind == WS_SERIES_POINTS) {
            for (size_t i = 0; i < s->n; i++)
                if (isfinite(s->x[i]) && isfinite(s->y[i]) && !(f->ylog && s->y[i] <= 0))
                    c->marker(c->self, xpix(L, s->x[i]), ypix(L, gy(f, s->y[i])), s->width,
                              s->colour);
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
            if (!isfinite(s->x[i]) || !isfinite(s->y[i]) || (f->ylog && s->y[i] <= 0))
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
    double m = L->fs * 0.6;
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

static void draw_legend(const ws_figure *f, ws_canvas *c, const layout *L)
{
    double fs = L->fs, row = fs * 1.45, sample = fs * 2.2, pad = fs * 0.6, w = 0;
    int n = 0;
    for (size_t k = 0; k < f->n_series; k++)
        if (f->series[k].label[0]) {
            w = fmax(w, ws_fig_text_width(f->series[k].label, fs));
            n++;
        }
    if (!n)
        return;
    double bw = pad * 3 + sample + w, bh = pad * 2 + row * n - (row - fs), x = 0, y = 0;
    legend_corner(f, L, bw, bh, &x, &y);
    c->rect(c->self, x, y, bw, bh, 0xffffff, 0.88);
    c->frame(c->self, x, y, bw, bh, FRAME_GREY, 1);
    double ty = y + pad;
    for (size_t k = 0; k < f->n_series; k++) {
        const ws_series *s = &f->series[k];
        if (!s->label[0])
            continue;
        double mid = ty + fs * 0.45, sx = x + pad;
        if (s->kind == WS_SERIES_BARS)
            c->rect(c->self, sx, ty, sample, fs * 0.9, s->colour, 1);
        else if (s->kind == WS_SERIES_POINTS)
            c->marker(c->self, sx + sample / 2, mid, s->width, s->colour);
        else {
            double xy[4] = {sx, mid, sx + sample, mid};
            c->polyline(c->self, xy, 2, s->colour, s->width, s->dashed);
        }
        c->text(c->self, sx + sample + pad, ty + fs * 7.5 / WS_FONT_EM, s->label,
                WS_ANCHOR_START, 0, fs, INK);
        ty += row;
    }
}

/* The matrix as at most one cell per pixel: block means of the cells each
 * pixel covers. */
static int draw_heatmap(const ws_figure *f, ws_canvas *c, const layout *L)
{
    const ws_heatmap *h = f->heat;
    int64_t pw = (int64_t)ceil(L->px1 - L->px0), ph = (int64_t)ceil(L->py1 - L->py0);
    int cols = (int)(h->cols < pw ? h->cols : pw), rows = (int)(h->rows < ph ? h->rows : ph);
    uint32_t *rgb = malloc((size_t)cols * rows * sizeof *rgb);
    if (!rgb)
        return -1;
    for (int i = 0; i < rows; i++) {
        int64_t r0 = i * h->rows / rows, r1 = (i + 1) * h->rows / rows;
        for (int j = 0; j < cols; j++) {
            int64_t c0 = j * h->cols / cols, c1 = (j + 1) * h->cols / cols;
            double sum = 0;
            for (int64_t r = r0; r < r1; r++)
                for (int64_t q = c0; q < c1; q++)
                    sum += h->v[r * h->cols + q];
            rgb[(size_t)i * cols + j] = ws_diverging(sum / ((r1 - r0) * (c1 - c0)) / h->vmax);
        }
    }
    c->image(c->self, L->px0, L->py0, L->px1 - L->px0, L->py1 - L->py0, rgb, cols, rows);
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
        rgb[i] = ws_diverging(1 - 2.0 * (i + 0.5) / STEPS);
    double fs = L->fs, tick = fs * 0.4, h = L->py1 - L->py0, lw = fmax(1, fs / 12);
    c->image(c->self, L->cb_x, L->py0, L->cb_w, h, rgb, 1, STEPS);
    free(rgb);
    c->frame(c->self, L->cb_x, L->py0, L->cb_w, h, INK, lw);
    double right = L->cb_x + L->cb_w;
    for (int i = 0; i < L->ct.n; i++) {
        double y = L->py1 - (L->ct.v[i] + f->heat->vmax) / (2 * f->heat->vmax) * h;
        line2(c, right, y, right + tick, y, INK, lw);
        c->text(c->self, right + tick + fs * 0.5, y + fs * 3.5 / WS_FONT_EM, L->ct.label[i],
                WS_ANCHOR_START, 0, fs, INK);
    }
    if (f->heat->label[0])
        c->text(c->self, f->width - fs * 0.6, (L->py0 + L->py1) / 2, f->heat->label,
                WS_ANCHOR_MIDDLE, 1, fs, INK);
    return 0;
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
        return ws_fail(e, "figure %dx%d is too small for its labels", f->width, f->height);
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
