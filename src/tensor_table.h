/* A model's tensors as a described table (table.h): what `wscope info`
 * lists. */
#ifndef WS_TENSOR_TABLE_H
#define WS_TENSOR_TABLE_H

#include "model.h"
#include "table.h"

/* "tensors": every tensor of `m` in file order with its role, shape as
 * stored, dtype and size; with `stats` (ws_model_stats_all first) its
 * statistics. NULL when out of memory. */
ws_table *ws_tensor_table(const ws_model *m, int stats);

#endif
