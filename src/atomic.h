/* Atomic file writes: write to a temporary file beside the target, fsync,
 * rename over the target, fsync the directory. A crash leaves the old file.
 * Files opened as model inputs are registered and never overwritten. */
#ifndef WS_ATOMIC_H
#define WS_ATOMIC_H

#include <stdio.h>
#include "error.h"

typedef struct ws_atomic {
    FILE *fp;
    char *path, *tmp;
} ws_atomic;

/* Refuses when `path` is a registered input file. */
int ws_atomic_open(ws_atomic *a, const char *path, ws_err *e);
/* Flush, fsync, rename. Always releases `a`. */
int ws_atomic_commit(ws_atomic *a, ws_err *e);
/* Remove the temporary file. */
void ws_atomic_abort(ws_atomic *a);

/* Write a whole buffer to `path` atomically. */
int ws_atomic_write(const char *path, const void *buf, size_t len, ws_err *e);

/* Remember that `path` is an input so no writer replaces it. */
void ws_input_register(const char *path);
int ws_input_is_registered(const char *path);

#endif
