/* Renderers: heatmap, braille line plot, histogram, colour bar, axes.
 *
 * Each draws into a cellbuf rectangle and nothing else (no curses, no
 * globals), so tests can check their output for every glyph and colour
 * tier. The style says what the terminal can show. */
#ifndef WS_RENDER_H
#define WS_RENDER_H

#include <stdint.h>

#include "cellbuf.h"

typedef enum ws_glyphs { WS_GLYPH_ASCII, WS_GLYPH_UTF8 } ws_glyphs;
typedef enum ws_colours { WS_COL_MONO, WS_COL_8, WS_COL_16, WS_COL_256, WS_COL_TRUE } ws_colours;

typedef struct render_style {
    ws_glyphs glyphs;
    ws_colours colours;
    int levels;   /* odd number of colour levels of the diverging map */
} render_style;

/* A style for a tier with the most levels the tier and `color_pairs`
 * allow (every fg/bg level pair must fit in the terminal's colour pairs). */
render_style render_style_make(ws_glyphs g, ws_colours c, int color_pairs);
const char *ws_glyphs_name(ws_glyphs g);
const char *ws_colours_name(ws_colours c);

/* ---- colour (colour.c) ---- */
/* Colour tier from the environment and terminfo: NO_COLOR wins, then an
 * explicit --colors N (0 = not given), then COLORTERM truecolor/24bit or the
 * terminfo RGB flag, then the number of colours. */
ws_colours colour_detect(int no_color, int forced, const char *colorterm, int colors, int rgb_flag);
ws_colours colour_from_count(int n);
/* Diverging map for t in [-1, 1] (clamped; NaN: a marker colour) in the
 * style's tier, quantised to style->levels levels: blue below 0, dark at 0,
 * red above. */
uint32_t colour_diverging(double t, const render_style *s);
/* Level index 0..levels-1 of t (levels/2 is zero). */
int colour_level(double t, int levels);
/* Accent colour for lines and bars in the tier (CB_DEFAULT in mono). */
uint32_t colour_accent(const render_style *s);
/* xterm-256 index nearest to a 24-bit colour (6×6×6 cube or grey ramp). */
int colour_rgb_to_256(uint32_t rgb);

/* ---- heatmap (render_heatmap.c) ---- */
/* Pixel rows per cell: 2 with half blocks (UTF-8 and colour), else 1. */
int heatmap_pixels_per_cell(const render_style *s);
/* Draw a ph × pw grid of values (row-major) with the diverging map over
 * [-range, range]. Pixels beyond the grid stay blank. */
void render_heatmap(cellbuf *cb, cb_rect area, const float *px, int ph, int pw,
                    double range, const render_style *s);
/* One line: "-R ▀▀▀▀ 0 ▀▀▀▀ +R": the map with its scale. */
void render_colourbar(cellbuf *cb, int y, int x, int w, double range, const render_style *s);

/* ---- axes (render_axes.c) ---- */
/* "Nice" tick values (steps 1, 2, 5 × 10^k) inside [lo, hi]; returns count. */
int axis_ticks(double lo, double hi, int maxn, double *out);
/* Draw y labels, the axis lines and x tick labels for data over
 * [xlo, xhi] × [ylo, yhi]; returns the plot rectangle inside. x labels are
 * printed with %g. */
cb_rect render_axes(cellbuf *cb, cb_rect area, double xlo, double xhi,
                    double ylo, double yhi, const render_style *s);
/* Relabel the y axis of a plot rectangle `p` whose data were drawn as
 * log10(value) over [log10 lo, log10 hi]: the labels are the values
 * themselves, placed logarithmically (decades over three or more). */
void render_log_ylabels(cellbuf *cb, cb_rect p, double lo, double hi, const render_style *s);

/* ---- line plot (render_plot.c) ---- */
/* y[0..n) against its index: braille dots (2×4 per cell) with UTF-8, one
 * '*' per cell in ASCII. Many points per dot column draw their min..max
 * range; the trace is kept connected. x labels are x0 + index. */
void render_plot(cellbuf *cb, cb_rect area, const float *y, int64_t n, const render_style *s);
/* The same over the y range [ylo, yhi] (ylo < yhi) instead of the data's
 * (values outside are clamped to the edge), with x labels from 0 to xmax
 * (the points spread evenly over them); returns the plot rectangle inside
 * the axes so callers can draw over it. */
cb_rect render_plot_range(cellbuf *cb, cb_rect area, const float *y, int64_t n, double xmax,
                          double ylo, double yhi, const render_style *s);

/* ---- histogram (render_hist.c) ---- */
/* Count finite values of a[0..n) into nbins equal bins over [lo, hi]. */
void hist_count(const float *a, int64_t n, double lo, double hi, int nbins, int64_t *counts);
/* Bars over [lo, hi], one bin per column (nbins should equal the plot
 * width: see hist_plot_width); log: heights are log10(1 + count). */
void render_hist(cellbuf *cb, cb_rect area, const int64_t *counts, int nbins,
                 double lo, double hi, int logscale, const render_style *s);
/* Columns of the plot area inside `area` (after the axes). */
int hist_plot_width(cb_rect area);

#endif
