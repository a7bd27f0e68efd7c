/* The mean loss of a model over data (ws_eval_windows, train.h) as a
 * described table (table.h): what `wscope eval` prints. */
#ifndef WS_EVAL_TABLE_H
#define WS_EVAL_TABLE_H

#include <stddef.h>

#include "table.h"

/* "eval": one row, the loss over `windows` windows of T tokens. NULL when
 * out of memory. */
ws_table *ws_eval_table(double loss, size_t windows, int T);

#endif
