/* Line plot of a series against its index (see render.h).
 *
 * The plot area is a grid of dots: 2×4 per cell with braille (UTF-8), 1×1
 * with '*' (ASCII). Each dot column covers a bucket of indices and lights
 * the min..max of its values, widened to touch the previous column so the
 * trace stays connected. With fewer points than dot columns the points
 * are joined by straight lines. */
#include <math.h>
#include <stdlib.h>

#include "render.h"

/* Braille dot bits by (dot x 0..1, dot y 0..3), Unicode order. */
static const unsigned char BRAILLE_BIT[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};

static void finite_range(const float *y, int64_t n, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(y[i])) {
            if (y[i] < *lo) *lo = y[i];
            if (y[i] > *hi) *hi = y[i];
        }
    if (*lo > *hi)
        *lo = -1, *hi = 1;
    if (*lo == *hi) {
        double pad = *lo ? fabs(*lo) * 0.1 : 1;
        *lo -= pad, *hi += pad;
    }
}

/* y at a fractional index, linearly interpolated. */
static double interp(const float *y, int64_t n, double x)
{
    int64_t i = (int64_t)x;
    double f = x - (double)i;
    return i + 1 < n ? y[i] * (1 - f) + y[i + 1] * f : y[n - 1];
}

/* min..max of the values a dot column covers (NaN, NaN when none are finite). */
static void column_range(const float *y, int64_t n, int dx, int W, double *lo, double *hi)
{
    if (n >= W) {
        int64_t a = (int64_t)dx * n / W, b = (int64_t)(dx + 1) * n / W;
        *lo = INFINITY, *hi = -INFINITY;
        for (int64_t i = a; i < b; i++)
            if (isfinite(y[i])) {
                if (y[i] < *lo) *lo = y[i];
                if (y[i] > *hi) *hi = y[i];
            }
        if (*lo > *hi)
            *lo = *hi = NAN;
        return;
    }
    /* Fewer points than columns: the column covers [pos - h/2, pos + h/2]
     * of the index axis; take the polyline's range there, sample points
     * included, so peaks land in their nearest column. */
    double h = W > 1 ? (double)(n - 1) / (W - 1) : 0, pos = dx * h;
    double a = fmax(0, pos - h / 2), b = fmin((double)(n - 1), pos + h / 2);
    double va = interp(y, n, a), vb = interp(y, n, b);
    *lo = fmin(va, vb), *hi = fmax(va, vb);
    for (int64_t k = (int64_t)ceil(a); k <= (int64_t)floor(b); k++) {
        *lo = fmin(*lo, y[k]);
        *hi = fmax(*hi, y[k]);
    }
    if (!isfinite(*lo) || !isfinite(*hi))
        *lo = *hi = NAN;
}

void render_plot(cellbuf *cb, cb_rect area, const float *y, int64_t n, const render_style *s)
{
    double ylo, yhi;
    finite_range(y, n, &ylo, &yhi);
    render_plot_range(cb, area, y, n, (double)(n - 1), ylo, yhi, s);
}

cb_rect render_plot_range(cellbuf *cb, cb_rect area, const float *y, int64_t n, double xmax,
                          double ylo, double yhi, const render_style *s)
{
    cb_fill(cb, area, " ", CB_DEFAULT, CB_DEFAULT, 0);
    if (n <= 0)
        return (cb_rect){area.y, area.x, 0, 0};
    cb_rect p = render_axes(cb, area, 0, xmax, ylo, yhi, s);
    if (p.w <= 0 || p.h <= 0)
        return p;
    int utf8 = s->glyphs == WS_GLYPH_UTF8;
    int sx = utf8 ? 2 : 1, sy = utf8 ? 4 : 1;
    int W = p.w * sx, H = p.h * sy;
    unsigned char *bits = calloc((size_t)p.w * p.h, 1);
    if (!bits)
        return p;
    double plo = NAN, phi = NAN;
    for (int dx = 0; dx < W; dx++) {
        double lo, hi;
        column_range(y, n, dx, W, &lo, &hi);
        if (isnan(lo)) {
            plo = phi = NAN;
            continue;
        }
        if (!isnan(plo)) {   /* join to the previous column */
            if (lo > phi) lo = phi;
            if (hi < plo) hi = plo;
        }
        column_range(y, n, dx, W, &plo, &phi);
        /* Clamped: with a given range the data may reach outside it. */
        int r_hi = (H - 1) - (int)lround(fmin(1, fmax(0, (hi - ylo) / (yhi - ylo))) * (H - 1));
        int r_lo = (H - 1) - (int)lround(fmin(1, fmax(0, (lo - ylo) / (yhi - ylo))) * (H - 1));
        for (int r = r_hi; r <= r_lo; r++) {
            size_t c = (size_t)(r / sy) * p.w + dx / sx;
            bits[c] |= utf8 ? BRAILLE_BIT[dx % 2][r % 4] : 1;
        }
    }
    uint32_t fg = colour_accent(s);
    for (int cy = 0; cy < p.h; cy++)
        for (int cx = 0; cx < p.w; cx++) {
            unsigned b = bits[(size_t)cy * p.w + cx];
            if (!b)
                continue;
            char g[4] = {'*', 0, 0, 0};
            if (utf8)
                g[0] = (char)0xe2, g[1] = (char)(0xa0 | b >> 6), g[2] = (char)(0x80 | (b & 0x3f));
            cb_set(cb, p.y + cy, p.x + cx, g, fg, CB_DEFAULT, 0);
        }
    free(bits);
    return p;
}
