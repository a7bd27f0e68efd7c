/* Reduce a window of a big matrix to a grid of heatmap pixels, the colour
 * range, and a row's statistics. Pure computation on float data, shared by
 * the TUI's matrix view (on its worker thread) and the heatmap figures, so
 * both show the same block means. */
#ifndef WS_DOWNSAMPLE_H
#define WS_DOWNSAMPLE_H

#include <stdint.h>

#include "threads.h"

typedef enum ds_mode {
    DS_MEAN,     /* mean of the block */
    DS_MAXABS,   /* the block's element of largest |w|, sign kept */
} ds_mode;

typedef struct ds_req {
    const float *a;         /* rows × cols, row-major */
    int64_t rows, cols;
    int64_t r0, c0;         /* first row and column of the window */
    int64_t br, bc;         /* matrix rows and columns per pixel (>= 1) */
    int ph, pw;             /* pixel grid: see ds_grid_size */
    ds_mode mode;
} ds_req;

/* Pixels of the grid that hold matrix data when a (want_h × want_w)
 * grid starts at (r0, c0): blocks past the last row/column are dropped. */
void ds_grid_size(const ds_req *q, int want_h, int want_w, int *ph, int *pw);

/* Fill out[ph × pw]. Edge blocks use the elements that exist. NaN in a
 * block makes its mean NaN; max-|w| skips NaN unless all are NaN.
 * Returns 0, or -1 when cancelled through p. */
int ds_compute(const ds_req *q, float *out, ws_progress *p);

/* The pct-th percentile (0..100) of |a[i]|, from an evenly strided sample
 * of at most `sample` elements (exact when n <= sample), interpolated
 * linearly between order statistics like numpy.percentile. NaN/Inf
 * skipped; 0 when nothing is finite. Quickselect: O(sample). */
double ds_abs_percentile(const float *a, int64_t n, double pct, int64_t sample);
/* The same of a[i] itself (signed). */
double ds_percentile(const float *a, int64_t n, double pct, int64_t sample);

/* Statistics of one row or column for the row view, over finite values
 * only: count, mean, population std, min, max and L2 norm. */
typedef struct ds_line_stats {
    int64_t n_finite;
    double mean, std, min, max, l2;
} ds_line_stats;
void ds_line_stats_of(const float *x, int64_t n, ds_line_stats *out);

#endif
