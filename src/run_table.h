/* Training runs compared (the report's strategy comparison) as a
 * described table (table.h): one row per run with the numbers it ends
 * with (run.h's summary) and its change against the first run. */
#ifndef WS_RUN_TABLE_H
#define WS_RUN_TABLE_H

#include "run.h"
#include "table.h"

/* "runs": the runs in order; smoothed losses with EMA weight ema_w. NULL
 * when out of memory. */
ws_table *ws_runs_table(const ws_run *const *runs, size_t n, double ema_w);

#endif
