/* The columns that say what a row of an analysis table is about: the
 * tensor (or layer, or the whole model) by name, its role@layer, its shape
 * in the canonical rows × cols view (a vector: its length), and (CSV/JSON
 * only) its layer index.
 * A builder's row struct starts with a ws_row_id so these shared columns
 * can read it (table.h explains builders). */
#ifndef WS_TABLE_ID_H
#define WS_TABLE_ID_H

#include <stdint.h>

#include "table.h"
#include "tensor.h"

typedef struct ws_row_id {
    const char *name;    /* tensor name, "layer 3", "(model)"; NULL: empty */
    char role[40];       /* "qkv@3", "embed", "@3" for a layer; "": empty */
    int layer;           /* -1: none */
    int ndim;            /* -1: no shape */
    int64_t shape[2];
} ws_row_id;

/* A tensor's row: its name in the file, role@layer (names.h,
 * ws_display_role) and canonical shape. */
void ws_row_id_tensor(ws_row_id *id, const ws_tensor *t);
/* Any other row: a label, a role text (or NULL) and a layer (or -1). */
void ws_row_id_label(ws_row_id *id, const char *name, const char *role, int layer);

/* name, role, shape, layer (data only). */
enum { WS_ID_NCOLS = 4 };
extern const ws_colspec ws_id_cols[WS_ID_NCOLS];

#endif
