/* Several series on one pair of axes (the Gaussian-fit overlay): a shared
 * y range, one braille (or '*') trace per series, each in its own colour;
 * where traces share a cell, their dots merge and the later series' colour
 * wins, so the order of the series is the drawing priority. */
#include <math.h>
#include <stdlib.h>

#include "render_series.h"

static const unsigned char BIT[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};

static void range_of(const plot_series *s, int ns, int64_t n, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (int k = 0; k < ns; k++)
        for (int64_t i = 0; s[k].y && i < n; i++)
            if (isfinite(s[k].y[i])) {
                *lo = fmin(*lo, s[k].y[i]);
                *hi = fmax(*hi, s[k].y[i]);
            }
    if (*lo > *hi) *lo = -1, *hi = 1;
    if (*lo == *hi) {
        double pad = *lo ? fabs(*lo) * 0.1 : 1;
        *lo -= pad, *hi += pad;
    }
}

/* Dot rows lit in dot column dx: min..max of the values the column covers,
 * joined to the previous column's range so the trace stays connected. */
static int column(const float *y, int64_t n, int dx, int W, double *lo, double *hi)
{
    int64_t a = n >= W ? (int64_t)dx * n / W : (int64_t)llround((double)dx * (double)(n - 1) / (W > 1 ? W - 1 : 1));
    int64_t b = n >= W ? (int64_t)(dx + 1) * n / W : a + 1;
    *lo = INFINITY, *hi = -INFINITY;
    for (int64_t i = a; i < b && i < n; i++)
        if (isfinite(y[i])) *lo = fmin(*lo, y[i]), *hi = fmax(*hi, y[i]);
    return *lo <= *hi;
}

static void trace(const float *y, int64_t n, cb_rect p, int utf8, double ylo, double yhi,
                  unsigned char *bits)
{
    int sx = utf8 ? 2 : 1, sy = utf8 ? 4 : 1, W = p.w * sx, H = p.h * sy;
    double plo = NAN, phi = NAN;
    for (int dx = 0; dx < W; dx++) {
        double lo, hi;
        if (!column(y, n, dx, W, &lo, &hi)) { plo = phi = NAN; continue; }
        double l = lo, h = hi;
        if (!isnan(plo)) l = fmin(l, phi), h = fmax(h, plo);
        plo = lo, phi = hi;
        int r_hi = (H - 1) - (int)lround((h - ylo) / (yhi - ylo) * (H - 1));
        int r_lo = (H - 1) - (int)lround((l - ylo) / (yhi - ylo) * (H - 1));
        for (int r = r_hi; r <= r_lo; r++)
            if (r >= 0 && r < H) bits[(size_t)(r / sy) * p.w + dx / sx] |= utf8 ? BIT[dx % 2][r % 4] : 1;
    }
}

void render_series(cellbuf *cb, cb_rect area, const plot_series *s, int ns, int64_t n,
                   const render_style *st)
{
    cb_fill(cb, area, " ", CB_DEFAULT, CB_DEFAULT, 0);
    if (n <= 0 || ns <= 0) return;
    double ylo, yhi;
    range_of(s, ns, n, &ylo, &yhi);
    cb_rect p = render_axes(cb, area, 0, (double)(n - 1), ylo, yhi, st);
    if (p.w <= 0 || p.h <= 0) return;
    int utf8 = st->glyphs == WS_GLYPH_UTF8;
    unsigned char *all = calloc((size_t)p.w * p.h, 1), *bits = calloc((size_t)p.w * p.h, 1);
    if (!all || !bits) { free(all); free(bits); return; }
    for (int k = 0; k < ns; k++) {
        if (!s[k].y) continue;
        for (size_t c = 0; c < (size_t)p.w * p.h; c++) bits[c] = 0;
        trace(s[k].y, n, p, utf8, ylo, yhi, bits);
        for (int cy = 0; cy < p.h; cy++)
            for (int cx = 0; cx < p.w; cx++) {
                size_t c = (size_t)cy * p.w + cx;
                if (!bits[c]) continue;
                all[c] |= bits[c];
                char g[4] = {s[k].ascii ? s[k].ascii : '*', 0, 0, 0};
                if (utf8)
                    g[0] = (char)0xe2, g[1] = (char)(0xa0 | all[c] >> 6), g[2] = (char)(0x80 | (all[c] & 0x3f));
                cb_set(cb, p.y + cy, p.x + cx, g, s[k].fg, CB_DEFAULT, s[k].attrs);
            }
    }
    free(all);
    free(bits);
}

uint32_t series_colour(int k, const render_style *st)
{
    static const uint32_t rgb[] = {0xff8700, 0x87d75f, 0xd787ff, 0xffd75f, 0x5fafff, 0xff5f87};
    static const int pal[] = {3, 2, 5, 1, 4, 6};
    int i = k % 6;
    switch (st->colours) {
    case WS_COL_MONO: return CB_DEFAULT;
    case WS_COL_8: case WS_COL_16: return CB_PAL(pal[i]);
    case WS_COL_256: return CB_PAL(colour_rgb_to_256(rgb[i]));
    default: return rgb[i];
    }
}
