/* Heatmap of a value grid and its colour bar (see render.h).
 *
 * Tiers: UTF-8 with colour puts two pixels in a cell with the upper half
 * block (fg = upper pixel, bg = lower); ASCII with colour paints one pixel
 * per cell as a background; monochrome draws one pixel per cell as a glyph
 * whose "weight" grows with |w| and whose shape tells the sign. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

/* Monochrome ramps by level distance from zero: the same in both glyph
 * tiers, so the picture reads the same with or without UTF-8. */
static const char *const MONO_POS[] = {" ", ".", "+", "*", "#"};
static const char *const MONO_NEG[] = {" ", ",", "-", "=", "@"};

int heatmap_pixels_per_cell(const render_style *s)
{
    return s->glyphs == WS_GLYPH_UTF8 && s->colours != WS_COL_MONO ? 2 : 1;
}

static const char *mono_glyph(double t)
{
    if (isnan(t))
        return "?";
    int lv = colour_level(t, 9) - 4;   /* -4..4 */
    return lv >= 0 ? MONO_POS[lv] : MONO_NEG[-lv];
}

static void put_pixel_cell(cellbuf *cb, int y, int x, const float *up, const float *lo,
                           double range, const render_style *s)
{
    double tu = up ? *up / range : 0, tl = lo ? *lo / range : 0;
    if (s->colours == WS_COL_MONO) {
        cb_set(cb, y, x, mono_glyph(tu), CB_DEFAULT, CB_DEFAULT, 0);
    } else if (heatmap_pixels_per_cell(s) == 1) {
        cb_set(cb, y, x, " ", CB_DEFAULT, colour_diverging(tu, s), 0);
    } else {
        cb_set(cb, y, x, "\xe2\x96\x80", colour_diverging(tu, s),
               lo ? colour_diverging(tl, s) : CB_DEFAULT, 0);
    }
}

void render_heatmap(cellbuf *cb, cb_rect area, const float *px, int ph, int pw,
                    double range, const render_style *s)
{
    int k = heatmap_pixels_per_cell(s);
    if (!(range > 0))
        range = 1;
    cb_fill(cb, area, " ", CB_DEFAULT, CB_DEFAULT, 0);
    for (int cy = 0; cy < area.h; cy++) {
        int py = cy * k;
        if (py >= ph)
            break;
        for (int cx = 0; cx < area.w && cx < pw; cx++) {
            const float *up = &px[(size_t)py * pw + cx];
            const float *lo = k == 2 && py + 1 < ph ? &px[(size_t)(py + 1) * pw + cx] : NULL;
            put_pixel_cell(cb, area.y + cy, area.x + cx, up, lo, range, s);
        }
    }
}

void render_colourbar(cellbuf *cb, int y, int x, int w, double range, const render_style *s)
{
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%+.3g ", -range);
    snprintf(hi, sizeof hi, " %+.3g", range);
    int nl = cb_text(cb, y, x, w, lo, 0);
    int bar = w - nl - (int)strlen(hi);
    if (bar < 3)
        return;
    for (int i = 0; i < bar; i++) {
        double t = bar > 1 ? -1 + 2.0 * i / (bar - 1) : 0;
        float v = (float)t;
        put_pixel_cell(cb, y, x + nl + i, &v, &v, 1, s);
    }
    if (bar >= 3)
        cb_set(cb, y, x + nl + bar / 2, "0", CB_DEFAULT,
               s->colours == WS_COL_MONO ? CB_DEFAULT : colour_diverging(0, s),
               s->colours == WS_COL_MONO ? CB_BOLD : 0);
    cb_text(cb, y, x + nl + bar, -1, hi, 0);
}
