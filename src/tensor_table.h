/* A model's tensors as a described table (table.h): what `wscope info`
 * lists. */
#ifndef WS_TENSOR_TABLE_H
#define WS_TENSOR_TABLE_H

#include "model.h"
#include "table.h"

/* "tensors": the tensors of `m` in file order (the network and its
 * buffers; training state too with `all`) with their role, shape as
 * stored, dtype and size; with `stats` (ws_model_stats_all first) their
 * statistics. NULL when out of memory. */
ws_table *ws_tensor_table(const ws_model *m, int stats, int all);

#endif
