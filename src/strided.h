/* Strided element copies: turn a view (shape + strides in elements, as
 * PyTorch and Fortran-order .npy store them) into a C-contiguous buffer. */
#ifndef WS_STRIDED_H
#define WS_STRIDED_H

#include <stddef.h>
#include <stdint.h>

/* 1 when `stride` is the C-contiguous stride of `shape` (size-1 dims ignored). */
int ws_is_c_contiguous(int ndim, const int64_t *shape, const int64_t *stride);

/* Copy the `numel` elements of `elsize` bytes addressed by shape/stride from
 * `src` into `dst` in C order. The caller has checked the extent. */
void ws_gather_strided(unsigned char *dst, const unsigned char *src, size_t elsize, int ndim,
                       const int64_t *shape, const int64_t *stride);

#endif
