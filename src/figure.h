/* Figures for papers: a small plot model and two back ends (SVG, PNG).
 *
 * A figure has a size in pixels, a title, axis labels, a linear or log y
 * axis, any number of series (line, points, bars) and optionally a heatmap
 * (a matrix drawn with a diverging colour map centred on 0, with a colour
 * bar). figure.c lays it out once (ticks, margins, legend) and draws it
 * through a small set of canvas operations; figure_svg.c and figure_png.c
 * implement those, so both files show the same picture.
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

typedef enum ws_series_kind { WS_SERIES_LINE, WS_SERIES_POINTS, WS_SERIES_BARS } ws_series_kind;

typedef struct ws_series {
    ws_series_kind kind;
    double *x, *y;          /* owned copies, n points */
    size_t n;
    uint32_t colour;        /* 0xRRGGBB */
    char label[96];         /* legend text; empty: not in the legend */
    int dashed;
    double width;           /* line width in pixels (points: marker radius) */
} ws_series;

typedef struct ws_heatmap {
    float *v;               /* rows × cols, row-major, owned */
    int64_t rows, cols;
    double vmax;            /* colours span [-vmax, vmax]; 0: max |v| */
    char label[64];         /* colour bar label */
    /* Extent of the axes in matrix indices (default rows, cols): a heatmap
     * of block means of a big matrix still shows the matrix's indices. */
    int64_t index_rows, index_cols;
} ws_heatmap;

typedef struct ws_figure {
    int width, height;
    char title[160], xlabel[96], ylabel[96];
    int ylog;               /* log10 y axis; values <= 0 are not drawn */
    ws_series *series;
    size_t n_series;
    ws_heatmap *heat;       /* NULL: none. Rows go down, columns across. */
} ws_figure;

/* ---- building ---- */

/* A figure of width × height pixels (WS_FIG_MIN_W.. WS_FIG_MAX_SIDE). */
ws_figure *ws_figure_new(int width, int height, ws_err *e);
void ws_figure_free(ws_figure *f);
void ws_figure_set_labels(ws_figure *f, const char *title, const char *xlabel, const char *ylabel);

/* Add a series of n points; x NULL means 0, 1, ..., n-1. colour 0 picks the
 * next colour of the palette. Returns the series (to set dashed/width) or
 * NULL; the pointer is valid until the next series is added. Non-finite
 * points are skipped when drawn (a line breaks there). */
ws_series *ws_figure_add(ws_figure *f, ws_series_kind kind, const double *x, const double *y,
                         size_t n, const char *label, uint32_t colour, ws_err *e);
ws_series *ws_figure_add_f32(ws_figure *f, ws_series_kind kind, const float *y, size_t n,
                             const char *label, uint32_t colour, ws_err *e);

/* Set the heatmap (copies v). vmax 0: the largest finite |v|. */
int ws_figure_set_heatmap(ws_figure *f, const float *v, int64_t rows, int64_t cols,
                          double vmax, const char *label, ws_err *e);

/* The i-th palette colour (colour-blind friendly, cycles). */
uint32_t ws_palette(int i);
/* Diverging colour map: t in [-1, 1] (clamped) → blue, white at 0, red.
 * NaN → grey. */
uint32_t ws_diverging(double t);

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

/* What a back end draws. Colours are 0xRRGGBB; opacity 0..1. */
typedef struct ws_canvas {
    void *self;
    void (*rect)(void *self, double x, double y, double w, double h, uint32_t fill,
                 double opacity);
    /* An outline of width `width`. */
    void (*frame)(void *self, double x, double y, double w, double h, uint32_t colour,
                  double width);
    void (*polyline)(void *self, const double *xy, size_t n, uint32_t colour, double width,
                     int dashed);
    void (*marker)(void *self, double x, double y, double r, uint32_t colour);
    /* Text with its baseline at y; vertical text reads bottom to top and
     * (x, y) is then the baseline point of its anchor. size in pixels. */
    void (*text)(void *self, double x, double y, const char *s, int anchor, int vertical,
                 double size, uint32_t colour);
    /* An image of cols × rows 0xRRGGBB cells stretched over the rectangle. */
    void (*image)(void *self, double x, double y, double w, double h, const uint32_t *rgb,
                  int cols, int rows);
    /* Restrict the series to the rectangle (clip_end lifts it). */
    void (*clip)(void *self, double x, double y, double w, double h);
    void (*clip_end)(void *self);
} ws_canvas;

/* Width of text in the figure font at `size` pixels (both back ends lay
 * out with it). */
double ws_fig_text_width(const char *s, double size);
/* The font size the figure uses for tick labels (titles are larger). */
double ws_fig_font_size(const ws_figure *f);

/* Where data point (x, y) lands in the drawn figure, in pixels (for a
 * heatmap: x a column index, y a row index, at the cell's centre). */
void ws_figure_data_to_pixel(const ws_figure *f, double x, double y, double *px, double *py);

/* Lay the figure out and draw it on the canvas. */
int ws_figure_draw(const ws_figure *f, ws_canvas *c, ws_err *e);

/* ---- back ends ---- */

int ws_figure_write_svg(const ws_figure *f, FILE *fp, ws_err *e);
int ws_figure_write_png(const ws_figure *f, FILE *fp, ws_err *e);

/* Write by the file's extension (.png or .svg, any case), atomically;
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

/* RGB pixels (w × h, 0xRRGGBB) as a PNG in memory (malloc'd *out). Used by
 * the SVG back end to embed big heatmaps. */
int ws_png_encode(const uint32_t *rgb, int w, int h, unsigned char **out, size_t *len,
                  ws_err *e);

#endif
