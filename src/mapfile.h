/* Map a whole file read-only; the mapping is kept (and released) by the sink. */
#ifndef WS_MAPFILE_H
#define WS_MAPFILE_H

#include <stddef.h>

#include "error.h"
#include "sink.h"

int ws_map_file(ws_sink *s, const char *path, const unsigned char **buf, size_t *len, ws_err *e);

#endif
