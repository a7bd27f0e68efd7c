/* Several line series on shared axes (the Gaussian-fit overlay of the row
 * fit view). Same dots as render_plot: braille with UTF-8, a character per
 * cell in ASCII. */
#ifndef WS_RENDER_SERIES_H
#define WS_RENDER_SERIES_H

#include <stdint.h>

#include "render.h"

typedef struct plot_series {
    const float *y;     /* n values; NULL: skipped */
    uint32_t fg;        /* colour */
    int attrs;          /* CB_BOLD, CB_DIM ... (what tells series apart in mono) */
    char ascii;         /* the ASCII glyph ('*' when 0) */
} plot_series;

/* Draw the series in order (later ones on top) over one y range, the
 * finite min..max of all of them, with axes. */
void render_series(cellbuf *cb, cb_rect area, const plot_series *s, int ns, int64_t n,
                   const render_style *st);

/* Colour of the k-th component series in the style's tier (CB_DEFAULT in mono). */
uint32_t series_colour(int k, const render_style *st);

#endif
