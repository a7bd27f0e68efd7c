#include "strided.h"

#include <string.h>

#include "tensor.h"

int ws_is_c_contiguous(int ndim, const int64_t *shape, const int64_t *stride)
{
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            return 1;   /* no elements: any strides describe it */
    int64_t expect = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        if (shape[i] != 1 && stride[i] != expect)
            return 0;
        if (__builtin_mul_overflow(expect, shape[i], &expect))
            return 0;   /* strides of a view this large cannot all match */
    }
    return 1;
}

void ws_gather_strided(unsigned char *dst, const unsigned char *src, size_t elsize, int ndim,
                       const int64_t *shape, const int64_t *stride)
{
    int64_t idx[WS_MAX_DIM] = {0};
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            return;
    for (;;) {
        int64_t off = 0;
        for (int i = 0; i < ndim; i++)
            off += idx[i] * stride[i];
        memcpy(dst, src + (size_t)off * elsize, elsize);
        dst += elsize;
        int d = ndim - 1;
        while (d >= 0 && ++idx[d] == shape[d])
            idx[d--] = 0;
        if (d < 0)
            return;
    }
}
