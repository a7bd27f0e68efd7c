/* The identity columns of analysis tables (table_id.h). */
#include "table_id.h"

#include "names.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ws_row_id_tensor(ws_row_id *id, const ws_tensor *t)
{
    memset(id, 0, sizeof *id);
    id->name = t->name;
    ws_display_role(t, 1, id->role, sizeof id->role);
    id->layer = t->layer;
    /* A vector (or scalar) keeps its own shape, as info shows it: [64],
     * not the 1 x 64 the analyses read it as. */
    id->ndim = t->ndim < 2 ? t->ndim : 2;
    id->shape[0] = t->ndim < 2 ? t->cols : t->rows;
    id->shape[1] = t->cols;
}

void ws_row_id_label(ws_row_id *id, const char *name, const char *role, int layer)
{
    memset(id, 0, sizeof *id);
    id->name = name;
    snprintf(id->role, sizeof id->role, "%s", role ? role : "");
    id->layer = layer;
    id->ndim = -1;
}

static const char *id_name(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ((const ws_row_id *)row)->name;
}

static const char *id_role(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    const ws_row_id *id = row;
    return id->role[0] ? id->role : NULL;
}

static int id_shape(const void *row, int arg, int64_t dims[8])
{
    (void)arg;
    const ws_row_id *id = row;
    for (int i = 0; i < id->ndim; i++)
        dims[i] = id->shape[i];
    return id->ndim;
}

static double id_layer(const void *row, int arg)
{
    (void)arg;
    int l = ((const ws_row_id *)row)->layer;
    return l >= 0 ? l : NAN;
}

const ws_colspec ws_id_cols[WS_ID_NCOLS] = {
    {{"name", "name", WS_COL_STR, NULL, "", "the tensor (or the layer, or the whole model) of the row",
      WS_MORE_NONE, 0}, NULL, id_name, NULL, 0},
    {{"role", "role", WS_COL_STR, NULL, "", "its role in the GPT layout, @ its layer (qkv@3)",
      WS_MORE_NONE, 0}, NULL, id_role, NULL, 0},
    {{"shape", "shape", WS_COL_SHAPE, NULL, "", "rows x columns as the analyses see it (out x in); a vector: its length",
      WS_MORE_NONE, 0}, NULL, NULL, id_shape, 0},
    {{"layer", "layer", WS_COL_INT, NULL, "", "its layer index (none outside the layers)",
      WS_MORE_NONE, WS_COL_DATA}, id_layer, NULL, NULL, 0},
};
