/* A minimal read-only ZIP reader for torch.save's container.
 *
 * torch.save writes an uncompressed ZIP64 archive whose local headers carry
 * zero sizes, so entries are found through the central directory (and the
 * ZIP64 end record when present). Entry data is a pointer into the caller's
 * buffer (an mmap). Nothing is ever inflated (no zip bombs): torch.save
 * stores its entries, and a compressed entry is only listed, with its
 * method, so that the caller can refuse it by name. */
#ifndef WS_ZIP_H
#define WS_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define WS_ZIP_MAX_ENTRIES 1000000

typedef struct ws_zip_entry {
    char *name;
    const unsigned char *data;  /* into the archive buffer */
    size_t size;                /* bytes at data (compressed size if method != 0) */
    int method;                 /* 0 = stored; else compressed, data unusable */
} ws_zip_entry;

typedef struct ws_zip {
    ws_zip_entry *entries;      /* in central-directory order */
    size_t n;
    ws_zip_entry **by_name;     /* sorted by name, for lookups */
} ws_zip;

/* Index the archive in `buf` (`len` bytes). Every offset and size is checked
 * against the buffer; names must be relative with no ".." component. */
int ws_zip_open(ws_zip *z, const unsigned char *buf, size_t len, ws_err *e);
const ws_zip_entry *ws_zip_find(const ws_zip *z, const char *name);
void ws_zip_close(ws_zip *z);

#endif
