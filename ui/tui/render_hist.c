/* Histogram of a tensor's values (see render.h).
 *
 * One bin per column. Bars are drawn from the bottom in eighths of a cell
 * with the lower block glyphs (UTF-8) or in whole cells of '#' (ASCII). */
#include <math.h>

#include "render.h"

static const char *const EIGHTHS[9] = {
    " ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};

void hist_count(const float *a, int64_t n, double lo, double hi, int nbins, int64_t *counts)
{
    for (int b = 0; b < nbins; b++)
        counts[b] = 0;
    if (nbins <= 0 || !(hi > lo))
        return;
    double scale = nbins / (hi - lo);
    for (int64_t i = 0; i < n; i++) {
        float v = a[i];
        if (!isfinite(v) || v < lo || v > hi)
            continue;
        int b = (int)((v - lo) * scale);
        counts[b >= nbins ? nbins - 1 : b]++;
    }
}

int hist_plot_width(cb_rect area)
{
    return area.w - 10;
}

static double bar_value(int64_t c, int logscale)
{
    return logscale ? log10(1.0 + (double)c) : (double)c;
}

void render_hist(cellbuf *cb, cb_rect area, const int64_t *counts, int nbins,
                 double lo, double hi, int logscale, const render_style *s)
{
    cb_fill(cb, area, " ", CB_DEFAULT, CB_DEFAULT, 0);
    double top = 0;
    for (int b = 0; b < nbins; b++)
        top = fmax(top, bar_value(counts[b], logscale));
    if (top <= 0)
        top = 1;
    cb_rect p = render_axes(cb, area, lo, hi, 0, top, s);
    int utf8 = s->glyphs == WS_GLYPH_UTF8;
    uint32_t fg = colour_accent(s);
    for (int cx = 0; cx < p.w && cx < nbins; cx++) {
        double v = bar_value(counts[cx], logscale);
        int units = (int)lround(v / top * p.h * (utf8 ? 8 : 1));
        if (counts[cx] > 0 && units == 0)
            units = 1;   /* a non-empty bin is never invisible */
        for (int cy = p.h - 1; cy >= 0 && units > 0; cy--) {
            int u = utf8 ? (units >= 8 ? 8 : units) : 1;
            cb_set(cb, p.y + cy, p.x + cx, utf8 ? EIGHTHS[u] : "#", fg, CB_DEFAULT, 0);
            units -= utf8 ? u : 1;
        }
    }
}
