/* NumPy .npy files (format versions 1.0, 2.0, 3.0): one array becomes one
 * tensor named after the file's stem. Header dict parsed by a small strict
 * parser (no eval). Little-endian f2/f4/f8, i1-i8, u1-u8 and b1; big-endian
 * arrays and Fortran order are converted to a C-order copy. .npz archives
 * are not read. */
#ifndef WS_NPY_H
#define WS_NPY_H

#include <stddef.h>

#include "error.h"
#include "sink.h"

#define WS_NPY_MAGIC "\x93NUMPY"

int ws_npy_parse(ws_sink *s, const unsigned char *buf, size_t len, const char *name, ws_err *e);
/* The tensor is named after the file: "dir/emb.npy" gives "emb". */
int ws_npy_load(ws_sink *s, const char *path, ws_err *e);

#endif
