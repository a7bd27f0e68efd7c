/* Colour tiers and the diverging colour map (see render.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* Ends and centre of the diverging map: dark at zero so that a dark
 * terminal background reads as "no weight", brighter with |w|. */
static const int NEG[3] = {70, 140, 255}, MID[3] = {32, 32, 32}, POS[3] = {255, 80, 50};
static const uint32_t NAN_RGB = 0x00c800;   /* green: not a number */

/* Palette ramps for the low tiers, from most negative to most positive. */
static const int RAMP16[] = {14, 12, 4, 0, 1, 9, 11};
static const int RAMP8[] = {6, 4, 0, 1, 3};

const char *ws_glyphs_name(ws_glyphs g)
{
    return g == WS_GLYPH_UTF8 ? "utf8" : "ascii";
}

const char *ws_colours_name(ws_colours c)
{
    static const char *n[] = {"mono", "8", "16", "256", "truecolor"};
    return n[c];
}

static int odd_at_most(int k)
{
    return k % 2 ? k : k - 1;
}

render_style render_style_make(ws_glyphs g, ws_colours c, int color_pairs)
{
    render_style s = {g, c, 9};
    switch (c) {
    case WS_COL_MONO: s.levels = 9; break;
    case WS_COL_8: s.levels = 5; break;
    case WS_COL_16: s.levels = 7; break;
    default: {
        /* Heatmap cells use (levels + 1)^2 fg/bg pairs (+1: NaN); keep 32 for the rest. */
        int k = (int)sqrt((double)(color_pairs > 64 ? color_pairs - 32 : 32)) - 1;
        s.levels = odd_at_most(k > 33 ? 33 : k < 5 ? 5 : k);
    }
    }
    return s;
}

ws_colours colour_from_count(int n)
{
    return n >= 1 << 24 ? WS_COL_TRUE : n >= 256 ? WS_COL_256 : n >= 16 ? WS_COL_16
         : n >= 8 ? WS_COL_8 : WS_COL_MONO;
}

ws_colours colour_detect(int no_color, int forced, const char *colorterm, int colors, int rgb_flag)
{
    if (no_color)
        return WS_COL_MONO;
    if (forced)
        return colour_from_count(forced);
    if (colors < 8)
        return WS_COL_MONO;
    if (rgb_flag > 0 || colors >= 1 << 24)
        return WS_COL_TRUE;
    if (colorterm && (!strcmp(colorterm, "truecolor") || !strcmp(colorterm, "24bit")))
        return WS_COL_TRUE;
    return colour_from_count(colors);
}

int colour_level(double t, int levels)
{
    if (t < -1) t = -1;
    if (t > 1) t = 1;
    int half = levels / 2;
    return half + (int)lround(t * half);
}

static uint32_t mix(const int *a, const int *b, double f)
{
    uint32_t c = 0;
    for (int i = 0; i < 3; i++)
        c = c << 8 | (uint32_t)lround(a[i] + (b[i] - a[i]) * f);
    return c;
}

uint32_t colour_diverging(double t, const render_style *s)
{
    if (isnan(t))
        return s->colours == WS_COL_8 || s->colours == WS_COL_16 ? CB_PAL(2)
             : s->colours == WS_COL_256 ? CB_PAL(colour_rgb_to_256(NAN_RGB)) : NAN_RGB;
    int lv = colour_level(t, s->levels), half = s->levels / 2;
    switch (s->colours) {
    case WS_COL_MONO: return CB_DEFAULT;
    case WS_COL_8: return CB_PAL(RAMP8[lv]);
    case WS_COL_16: return CB_PAL(RAMP16[lv]);
    default: break;
    }
    double f = (double)(lv - half) / half;
    uint32_t rgb = f < 0 ? mix(MID, NEG, -f) : mix(MID, POS, f);
    return s->colours == WS_COL_256 ? CB_PAL(colour_rgb_to_256(rgb)) : rgb;
}

uint32_t colour_accent(const render_style *s)
{
    switch (s->colours) {
    case WS_COL_MONO: return CB_DEFAULT;
    case WS_COL_8: case WS_COL_16: return CB_PAL(6);
    case WS_COL_256: return CB_PAL(colour_rgb_to_256(0x5fd7ff));
    default: return 0x5fd7ff;
    }
}

/* Nearest of the xterm 6×6×6 cube and the 24-step grey ramp (the same
 * approach as tmux's colour.c, written from its description). */
int colour_rgb_to_256(uint32_t rgb)
{
    static const int cube[6] = {0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff};
    int c[3] = {(int)(rgb >> 16 & 255), (int)(rgb >> 8 & 255), (int)(rgb & 255)};
    int q[3];
    for (int i = 0; i < 3; i++) {
        int best = 0;
        for (int k = 1; k < 6; k++)
            if (abs(cube[k] - c[i]) < abs(cube[best] - c[i]))
                best = k;
        q[i] = best;
    }
    int avg = (c[0] + c[1] + c[2]) / 3;
    int g = avg > 238 ? 23 : avg < 8 ? 0 : (avg - 3) / 10;
    int gv = 8 + 10 * g;
    long dc = 0, dg = 0;
    for (int i = 0; i < 3; i++) {
        dc += (long)(cube[q[i]] - c[i]) * (cube[q[i]] - c[i]);
        dg += (long)(gv - c[i]) * (gv - c[i]);
    }
    return dg < dc ? 232 + g : 16 + 36 * q[0] + 6 * q[1] + q[2];
}
