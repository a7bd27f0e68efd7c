/* Loss curves of one or more runs on common axes (the training and compare
 * views): per run its raw training loss faint, its smoothed loss (run.h's
 * EMA) bold over it, its validation points (◆, 'o' in ASCII) joined by a
 * line, and its freeze events as dotted vertical markers; a compare
 * strategy's mean curve with a ±1 std band. Axis titles ("loss", "step"),
 * tick labels, a linear or log y axis (labelled with the losses
 * themselves), and a window of the last N steps.
 *
 * Dots are braille (2×4 per cell) with UTF-8, one character per cell in
 * ASCII. Where layers share a cell their dots merge and the later layer's
 * colour and attributes win: band, raw, markers, smoothed, validation. */
#ifndef WS_RENDER_LOSS_H
#define WS_RENDER_LOSS_H

#include <stdint.h>

#include "render.h"
#include "run.h"

typedef struct loss_curve {
    const ws_run *run;
    uint32_t fg;               /* its colour (CB_DEFAULT in mono) */
    uint32_t val_fg;           /* its validation points and line */
    const char *label;         /* legend entry; NULL: none */
    /* A band (compare: mean ± std over seeds) at steps 0..n_band-1, drawn
     * faint under the curve; NULL: none. NaN entries leave gaps. */
    const double *band_lo, *band_hi;
    int64_t n_band;
} loss_curve;

typedef struct loss_opts {
    double smoothing;          /* EMA weight; 0: the raw curve only, drawn normally */
    int logy;
    int64_t window;            /* the last N steps (0: all) */
    int to_total;              /* x axis to the runs' total_steps (a live run fills from the left) */
    int raw;                   /* draw the raw loss faint under the smoothed one */
    int events;                /* freeze markers */
} loss_opts;

/* Draw the curves into `area`: a first line with the y title "loss" and
 * the legend, the axes with their ticks, "step" at the end of the x labels.
 * Returns the plot rectangle (w = 0 when there was nothing to draw: the
 * area then says "no steps yet"). */
cb_rect render_loss(cellbuf *cb, cb_rect area, const loss_curve *c, int n, const loss_opts *o,
                    const render_style *s);

/* Colour of the k-th run in the style's tier (CB_DEFAULT in mono). */
uint32_t loss_run_colour(int k, const render_style *s);

#endif
