/* Model file readers: the one place that picks a reader for a path.
 *
 * `ws_read_model()` stats the path, reads its first bytes, and asks each
 * reader of the table in src/reader.c in turn whether it takes the file;
 * the first that does fills the sink. Formats without a magic number
 * (safetensors) come last.
 *
 * How to add a reader:
 *   1. Write `int ws_FMT_load(ws_sink *s, const char *path, ws_err *e)` in
 *      its own src/FMT.c: map the file with `ws_map_file()`, validate every
 *      field before adding anything, and hand tensors and metadata to the
 *      sink (src/sink.h); never touch `ws_model` directly.
 *   2. Add one row to `readers[]` in src/reader.c: a short name, what it
 *      reads, and a `claims` test on the path / first bytes. Put it before any row
 *      whose test would also match (the fallback stays last).
 *   3. Add the files to the formats block of Makefile.am, a fixture written
 *      by a script in tests/ref/, tests of good and malformed files, and the
 *      format to the man page (FILE FORMATS) and README. */
#ifndef WS_READER_H
#define WS_READER_H

#include <stddef.h>

#include "error.h"
#include "sink.h"

typedef struct ws_reader {
    const char *name;   /* "safetensors", "torch", ... */
    const char *what;   /* one line: what files it reads */
    /* 1 if this reader takes the file. `head` holds the first `n` bytes
     * (n = 0 for a directory or an unreadable file). */
    int (*claims)(const char *path, int is_dir, const unsigned char *head, size_t n);
    int (*load)(ws_sink *s, const char *path, ws_err *e);
} ws_reader;

/* The reader that takes `path`, or NULL with `e` set (no such file). */
const ws_reader *ws_reader_for(const char *path, ws_err *e);

/* Pick the reader for `path` and let it fill `s`. */
int ws_read_model(ws_sink *s, const char *path, ws_err *e);

/* The table, for listings: `*n` rows. */
const ws_reader *ws_readers(size_t *n);

#endif
