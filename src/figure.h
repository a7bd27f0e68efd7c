/* Figures for papers: a small plot model, one drawing interface and the
 * back ends behind it.
 *
 * A figure has a size in pixels at a resolution (dpi), a title, axis
 * labels, a linear or log y axis (or categories along x), any number of
 * series (line, points, bars, bands) and optionally a heatmap (a matrix
 * coloured through a colour map, with a colour bar). figure_draw.c lays it
 * out once (ticks, margins, legend) and draws it through the canvas
 * operations of ws_canvas; each back end implements those, so every file
 * shows the same picture:
 *
 *   figure_backend.c  the table of back ends, chosen by the file extension
 *   figure_cairo.c    PNG (with its dpi in pHYs) and PDF, drawn by cairo
 *   figure_svg.c      SVG written as text (text stays <text>)
 *   figure_text.c     the one font, DejaVu Sans, and its metrics (FreeType)
 *   figure_cmap.c     the line palette and the heatmap colour maps
 *
 * Sizes: layout is in pixels in every back end. The PNG has exactly those
 * pixels; the PDF page is width/dpi × height/dpi inches; the SVG states its
 * size in inches with a viewBox in pixels. Font sizes are points, so text
 * prints at the same size whatever the dpi.
 *
 * Coordinates given to the canvas are pixels, y growing downwards. */
#ifndef WS_FIGURE_H
#define WS_FIGURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define WS_FIG_MIN_W 120
#define WS_FIG_MIN_H 90
#define WS_FIG_MAX_SIDE 8192
#define WS_FIG_DPI 300          /* default resolution */
#define WS_FIG_MIN_DPI 36
#define WS_FIG_MAX_DPI 2400

typedef enum ws_series_kind {
    WS_SERIES_LINE,
    WS_SERIES_POINTS,
    WS_SERIES_BARS,
    WS_SERIES_BAND,     /* a shaded interval [y, y2] at each x, as wide as a bar */
} ws_series_kind;

typedef struct ws_series {
    ws_series_kind kind;
    double *x, *y;          /* owned copies, n points */
    double *y2;             /* bands: the upper edge (owned); NULL otherwise */
    size_t n;
    uint32_t colour;        /* 0xRRGGBB */
    char label[96];         /* legend text; empty: not in the legend */
    int dashed;
    double width;           /* line width in points (points: marker radius in
                               points; bars and bands: share of the x spacing) */
    double opacity;         /* 0..1 (default 1) */
    int no_range;           /* not counted in the axis range (drawn where it fits) */
} ws_series;

/* ---- colour maps ---- */

typedef struct ws_cmap {
    const char *name;
    int diverging;          /* centred on 0, range symmetric */
    const uint32_t *stops;  /* evenly spaced, low to high */
    int n_stops;
    const char *about;      /* one line for --help and the man page */
} ws_cmap;

/* A map by name: "diverging" (the default for signed weights), "sequential"
 * (for magnitudes), or a map's own name; NULL when unknown. */
const ws_cmap *ws_cmap_find(const char *name);
/* The maps, for help texts: i = 0.. until NULL. */
const ws_cmap *ws_cmap_at(int i);
/* Colour at t in [0, 1] (clamped); NaN → grey. */
uint32_t ws_cmap_colour(const ws_cmap *m, double t);
/* The default diverging map at t in [-1, 1] (clamped): blue, white at 0, red. */
uint32_t ws_diverging(double t);
/* The i-th line colour (Okabe–Ito: distinct for the common colour-vision
 * deficiencies and in greyscale print; cycles). */
uint32_t ws_palette(int i);

typedef struct ws_heatmap {
    float *v;               /* rows × cols cells, row-major, owned */
    int64_t rows, cols;
    /* Colour range. NaN (the default): from the cells, see ws_heatmap_range. */
    double vmin, vmax;
    double clip;            /* automatic range: the clip-th percentile (100: the extremes) */
    const ws_cmap *cmap;    /* default: diverging */
    char label[64];         /* colour bar label */
    /* Extent of the axes in matrix indices (default rows, cols): a heatmap
     * of block means of a big matrix still shows the matrix's indices. */
    int64_t index_rows, index_cols;
} ws_heatmap;

/* The colour range of the heatmap: vmin/vmax where set; the rest from the
 * finite cells: a diverging map spans ±(clip-th percentile of |v|), a
 * sequential one the (100−clip)-th to clip-th percentile of v. Always
 * lo < hi. */
void ws_heatmap_range(const ws_heatmap *h, double *lo, double *hi);

typedef struct ws_figure {
    int width, height;      /* pixels */
    double dpi;
    char title[256], xlabel[96], ylabel[96];
    int ylog;               /* log10 y axis; values <= 0 are not drawn */
    int aspect_equal;       /* heatmap cells square (the plot area shrinks) */
    double ymin, ymax;      /* NaN: from the data; set: the y axis spans at least this */
    char **xcat;            /* categories along x at 0..n_xcat-1 (owned), or NULL */
    int n_xcat;
    ws_series *series;
    size_t n_series;
    ws_heatmap *heat;       /* NULL: none. Rows go down, columns across. */
} ws_figure;

/* ---- building ---- */

/* A figure of width × height pixels (WS_FIG_MIN_W.. WS_FIG_MAX_SIDE) at
 * WS_FIG_DPI. */
ws_figure *ws_figure_new(int width, int height, ws_err *e);
void ws_figure_free(ws_figure *f);
void ws_figure_set_labels(ws_figure *f, const char *title, const char *xlabel, const char *ylabel);
/* Name the x positions 0..n-1 (copies the strings); ticks show the names. */
int ws_figure_set_categories(ws_figure *f, const char *const *names, int n, ws_err *e);

/* Add a series of n points; x NULL means 0, 1, ..., n-1. colour 0 picks the
 * next colour of the palette. Returns the series (to set dashed/width) or
 * NULL; the pointer is valid until the next series is added. Non-finite
 * points are skipped when drawn (a line breaks there). */
ws_series *ws_figure_add(ws_figure *f, ws_series_kind kind, const double *x, const double *y,
                         size_t n, const char *label, uint32_t colour, ws_err *e);
ws_series *ws_figure_add_f32(ws_figure *f, ws_series_kind kind, const float *y, size_t n,
                             const char *label, uint32_t colour, ws_err *e);
/* A band [lo[i], hi[i]] at each x[i] (x NULL: 0, 1, ...). */
ws_series *ws_figure_add_band(ws_figure *f, const double *x, const double *lo, const double *hi,
                              size_t n, const char *label, uint32_t colour, ws_err *e);

/* Set the heatmap (copies v), coloured with the diverging map over the
 * range from the cells; change h->cmap, vmin, vmax, clip after. */
int ws_figure_set_heatmap(ws_figure *f, const float *v, int64_t rows, int64_t cols,
                          const char *label, ws_err *e);

/* ---- ticks ---- */

#define WS_TICKS_MAX 64

typedef struct ws_ticks {
    int n;
    double v[WS_TICKS_MAX];       /* data values (log axes: the value, not its log) */
    char label[WS_TICKS_MAX][24]; /* empty for minor ticks */
    int major[WS_TICKS_MAX];
} ws_ticks;

/* Nice ticks on [lo, hi]: steps of 1, 2 or 5 × 10^k, about `target` of
 * them (at least 2 within the range when lo < hi), labels with just enough
 * digits (UTF-8, minus signs as U+2212). 0 is exactly 0. */
void ws_ticks_linear(double lo, double hi, int target, ws_ticks *t);
/* Log ticks on [lo, hi] (both > 0): decades labelled ("1e-3", "0.01", "1",
 * "100"), a step of several decades when there are many, minor ticks at
 * 2..9 × 10^k when the range is a few decades; 1-2-5 labels inside a single
 * decade. */
void ws_ticks_log(double lo, double hi, ws_ticks *t);

/* ---- drawing ---- */

enum { WS_ANCHOR_START, WS_ANCHOR_MIDDLE, WS_ANCHOR_END };

/* What a back end draws. Colours are 0xRRGGBB; opacity 0..1; lengths in
 * pixels. Dashed lines repeat a dash of 4 widths and a gap of 3 widths. */
typedef struct ws_canvas {
    void *self;
    void (*rect)(void *self, double x, double y, double w, double h, uint32_t fill,
                 double opacity);
    /* An outline of width `width`. */
    void (*frame)(void *self, double x, double y, double w, double h, uint32_t colour,
                  double width);
    void (*polyline)(void *self, const double *xy, size_t n, uint32_t colour, double width,
                     int dashed, double opacity);
    void (*marker)(void *self, double x, double y, double r, uint32_t colour);
    /* Text with its baseline at y; vertical text reads bottom to top and
     * (x, y) is then the baseline point of its anchor. size in pixels. */
    void (*text)(void *self, double x, double y, const char *s, int anchor, int vertical,
                 double size, uint32_t colour);
    /* An image of cols × rows 0xRRGGBB cells stretched over the rectangle,
     * each cell a sharp-edged block (never smoothed). */
    void (*image)(void *self, double x, double y, double w, double h, const uint32_t *rgb,
                  int cols, int rows);
    /* Restrict the series to the rectangle (clip_end lifts it). */
    void (*clip)(void *self, double x, double y, double w, double h);
    void (*clip_end)(void *self);
} ws_canvas;

/* The figure's font, DejaVu Sans: loads it (once) or says why not. */
int ws_fig_font_ready(ws_err *e);
/* The font file's path (for messages and the cairo back end). */
const char *ws_fig_font_path(void);
/* Width of text in the figure font at `size` pixels (every back end lays
 * out with it). */
double ws_fig_text_width(const char *s, double size);
/* The font size in pixels of tick labels and legend (titles are larger):
 * 7 pt on a one-column figure, up to 12 pt on big ones. */
double ws_fig_font_size(const ws_figure *f);

/* The plot area (pixels) the layout leaves for the data. */
void ws_figure_plot_area(const ws_figure *f, double *x, double *y, double *w, double *h);
/* Where data point (x, y) lands in the drawn figure, in pixels (for a
 * heatmap: x a column index, y a row index, at the cell's centre). */
void ws_figure_data_to_pixel(const ws_figure *f, double x, double y, double *px, double *py);

/* Lay the figure out and draw it on the canvas. */
int ws_figure_draw(const ws_figure *f, ws_canvas *c, ws_err *e);

/* ---- back ends (figure_backend.c holds the table) ---- */

int ws_figure_write_svg(const ws_figure *f, FILE *fp, ws_err *e);
int ws_figure_write_png(const ws_figure *f, FILE *fp, ws_err *e);
int ws_figure_write_pdf(const ws_figure *f, FILE *fp, ws_err *e);

/* The back ends: i = 0.. until NULL. */
typedef struct ws_fig_format {
    const char *ext;        /* ".png" */
    const char *name;       /* "PNG" */
    int (*write)(const ws_figure *f, FILE *fp, ws_err *e);
} ws_fig_format;
const ws_fig_format *ws_fig_format_at(int i);
/* The back end for a file name by its extension (any case), or NULL. */
const ws_fig_format *ws_fig_format_for(const char *path);

/* Write by the file's extension (.png, .svg or .pdf, any case), atomically;
 * refuses to replace a registered input file. */
int ws_figure_save(const ws_figure *f, const char *path, ws_err *e);

/* The figure's data, atomically, as CSV (.csv) or JSON (.json, a document
 * of the command "plot" on `model`, doc.h): one row per point (series, x,
 * y), or for a heatmap one per cell drawn (row, col, value; block means for
 * a big matrix). */
int ws_figure_export_data(const ws_figure *f, const char *model, const char *path, ws_err *e);

/* The next character of the UTF-8 string *s (which must not be at its
 * end), advancing *s; a malformed sequence gives '?'. */
unsigned ws_utf8_next(const char **s);

/* RGB pixels (w × h, 0xRRGGBB) as a PNG in memory (malloc'd *out), with
 * `dpi` in its pHYs chunk when dpi > 0. */
int ws_png_encode(const uint32_t *rgb, int w, int h, double dpi, unsigned char **out,
                  size_t *len, ws_err *e);
/* The same, written to fp. */
int ws_png_write(const uint32_t *rgb, int w, int h, double dpi, FILE *fp, ws_err *e);

#endif
