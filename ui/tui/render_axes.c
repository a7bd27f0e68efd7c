/* Axes with "nice" tick labels, shared by the line plot and the histogram. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

enum { YLABEL_W = 9 };   /* label columns left of the y axis */

static int ticks_with_step(double lo, double hi, double step, int maxn, double *out)
{
    int n = 0;
    for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9 && n < maxn; v += step)
        out[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    return n;
}

int axis_ticks(double lo, double hi, int maxn, double *out)
{
    if (!(hi > lo) || maxn < 2 || !isfinite(lo) || !isfinite(hi)) {
        out[0] = lo;
        return 1;
    }
    static const double NICE[] = {10, 5, 2, 1};
    double raw = (hi - lo) / (maxn - 1);
    double mag = pow(10, floor(log10(raw)));
    int k = 3;
    while (k > 0 && NICE[k] * mag < raw)   /* smallest nice step >= raw */
        k--;
    /* Fewer than two ticks: step down the 1-2-5 ladder (at most twice). */
    for (int tries = 0; tries < 3; tries++) {
        int n = ticks_with_step(lo, hi, NICE[k] * mag, maxn, out);
        if (n >= 2)
            return n;
        if (++k == 4)
            k = 1, mag /= 10;
    }
    out[0] = lo;   /* no nice step fits: label the ends */
    out[1] = hi;
    return 2;
}

static const char *G(const render_style *s, const char *utf8, const char *ascii)
{
    return s->glyphs == WS_GLYPH_UTF8 ? utf8 : ascii;
}

static void y_axis(cellbuf *cb, cb_rect p, double ylo, double yhi, const render_style *s)
{
    int ax = p.x - 1;
    for (int y = p.y; y < p.y + p.h; y++)
        cb_set(cb, y, ax, G(s, "\xe2\x94\x82", "|"), CB_DEFAULT, CB_DEFAULT, 0);
    double t[16];
    int n = axis_ticks(ylo, yhi, p.h >= 8 ? 5 : p.h >= 4 ? 3 : 2, t);
    for (int i = 0; i < n; i++) {
        double f = yhi > ylo ? (t[i] - ylo) / (yhi - ylo) : 0.5;
        int row = p.y + p.h - 1 - (int)lround(f * (p.h - 1));
        char lab[32];
        snprintf(lab, sizeof lab, "%*.*g", YLABEL_W - 1, 4, t[i]);
        cb_text(cb, row, p.x - 1 - YLABEL_W, YLABEL_W - 1, lab, 0);
        cb_set(cb, row, ax, G(s, "\xe2\x94\xa4", "+"), CB_DEFAULT, CB_DEFAULT, 0);
    }
}

static void x_axis(cellbuf *cb, cb_rect p, double xlo, double xhi, const render_style *s)
{
    int y = p.y + p.h;
    cb_set(cb, y, p.x - 1, G(s, "\xe2\x94\x94", "+"), CB_DEFAULT, CB_DEFAULT, 0);
    for (int x = p.x; x < p.x + p.w; x++)
        cb_set(cb, y, x, G(s, "\xe2\x94\x80", "-"), CB_DEFAULT, CB_DEFAULT, 0);
    double t[16];
    int n = axis_ticks(xlo, xhi, p.w >= 60 ? 6 : p.w >= 30 ? 4 : 3, t);
    int last_end = p.x - 2;   /* a label may start under the corner */
    for (int i = 0; i < n; i++) {
        double f = xhi > xlo ? (t[i] - xlo) / (xhi - xlo) : 0;
        int col = p.x + (int)lround(f * (p.w - 1));
        char lab[32];
        int len = snprintf(lab, sizeof lab, "%g", t[i]);
        int lx = col - len / 2;
        if (lx < p.x - 1) lx = p.x - 1;
        if (lx + len > p.x + p.w) lx = p.x + p.w - len;
        if (lx <= last_end)
            continue;   /* would overlap the previous label */
        cb_set(cb, y, col, G(s, "\xe2\x94\xac", "+"), CB_DEFAULT, CB_DEFAULT, 0);
        cb_text(cb, y + 1, lx, len, lab, 0);
        last_end = lx + len;
    }
}

cb_rect render_axes(cellbuf *cb, cb_rect area, double xlo, double xhi,
                    double ylo, double yhi, const render_style *s)
{
    cb_rect p = {area.y, area.x + YLABEL_W + 1, area.h - 2, area.w - YLABEL_W - 1};
    if (p.h < 1 || p.w < 2)
        return (cb_rect){area.y, area.x, 0, 0};
    y_axis(cb, p, ylo, yhi, s);
    x_axis(cb, p, xlo, xhi, s);
    return p;
}

/* Tick values for a log axis over [lo, hi] (lo > 0): decades when the range
 * spans three or more (1-2-5 steps would all crowd the top), else the
 * usual 1-2-5 steps. */
static int log_ticks(double lo, double hi, int maxn, double *out)
{
    double k0 = ceil(log10(lo) - 1e-9), k1 = floor(log10(hi) + 1e-9);
    if (hi / lo < 1000 || k1 < k0)
        return axis_ticks(lo, hi, maxn, out);
    int every = (int)ceil((k1 - k0 + 1) / maxn), n = 0;
    for (double k = k0; k <= k1 && n < 16; k += every)
        out[n++] = pow(10, k);
    return n;
}

void render_log_ylabels(cellbuf *cb, cb_rect p, double lo, double hi, const render_style *s)
{
    if (!(lo > 0) || !(hi > lo))
        return;
    for (int y = p.y; y < p.y + p.h; y++) {
        cb_fill(cb, (cb_rect){y, p.x - 1 - YLABEL_W, 1, YLABEL_W}, " ", CB_DEFAULT, CB_DEFAULT, 0);
        cb_set(cb, y, p.x - 1, G(s, "\xe2\x94\x82", "|"), CB_DEFAULT, CB_DEFAULT, 0);
    }
    double t[16], llo = log10(lo), lhi = log10(hi);
    int n = log_ticks(lo, hi, p.h >= 8 ? 5 : p.h >= 4 ? 3 : 2, t);
    for (int i = 0; i < n; i++) {
        if (!(t[i] > 0))
            continue;
        double f = (log10(t[i]) - llo) / (lhi - llo);
        int row = p.y + p.h - 1 - (int)lround(f * (p.h - 1));
        char lab[32];
        snprintf(lab, sizeof lab, "%*.*g", YLABEL_W - 1, 4, t[i]);
        cb_text(cb, row, p.x - 1 - YLABEL_W, YLABEL_W - 1, lab, 0);
        cb_set(cb, row, p.x - 1, G(s, "\xe2\x94\xa4", "+"), CB_DEFAULT, CB_DEFAULT, 0);
    }
}
