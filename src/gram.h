/* Gram matrices of float32 data, accumulated in double precision.
 *
 * Every spectrum in wscope goes through here: the float32 rows are promoted
 * to double a block at a time and fed to dsyrk, so the Gram entries carry
 * double-precision sums (what numpy float64 computes) without ever holding
 * a double copy of a large matrix. Only the upper triangle is filled, which
 * is what LAPACKE_dsyevd(..., 'U', ...) reads. */
#ifndef WS_GRAM_H
#define WS_GRAM_H

#include <stddef.h>
#include <stdint.h>

#include "astatus.h"
#include "error.h"

/* Status of a float matrix before a spectrum: empty, NaN/Inf or all zero. */
ws_astatus ws_scan_values(const float *w, int64_t rows, int64_t cols);

/* Column means in double (length cols). */
void ws_col_means(const float *w, int64_t rows, int64_t cols, double *mean);

/* G (cols × cols, row-major) = (W − 1·meanᵀ)ᵀ (W − 1·meanᵀ); mean may be
 * NULL for the uncentred Gram WᵀW. */
int ws_gram_cols(const float *w, int64_t rows, int64_t cols, const double *mean,
                 double *g, ws_err *e);

/* G (rows × rows, row-major) = (W − 1·meanᵀ)(W − 1·meanᵀ)ᵀ; mean may be NULL.
 * Has the same nonzero eigenvalues as ws_gram_cols: the cheaper one when
 * rows < cols. */
int ws_gram_rows(const float *w, int64_t rows, int64_t cols, const double *mean,
                 double *g, ws_err *e);

/* The uncentred Gram, WWᵀ (rows × rows) when `by_rows`, else WᵀW, with
 * float32 products over blocks of 512 rows (columns) summed in double:
 * about twice as fast as the above, its entries within about 1e-6
 * relative. For the null draws (null.h), whose spread is far wider; never
 * for a reported value. */
int ws_gram_f32(const float *w, int64_t rows, int64_t cols, int by_rows, double *g, ws_err *e);

/* Between ws_gram_f32_memo_begin and _end on one thread, ws_gram_f32 of the
 * same W (pointer, shape) and side is summed once and copied after: a null
 * draw's statistics (null.h) share its Gram. The memo is per thread, and
 * the contents of W must not change in between. */
void ws_gram_f32_memo_begin(void);
void ws_gram_f32_memo_end(void);

/* Eigenvalues (descending) of a symmetric n × n matrix whose upper triangle
 * is filled; with `vectors` set, g is overwritten by the eigenvectors as
 * rows (g[j*n + i] is component i of vector j), in the same order. */
int ws_sym_eig(double *g, int n, double *lam, int vectors, ws_err *e);

#endif
