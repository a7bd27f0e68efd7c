/* The Gaussian fits (fit.h) as described tables (table.h): what `wscope
 * fit` prints and writes with --rows-out, and the TUI's fits table. Built
 * a matrix at a time, as the fits finish. NULL / -1 when out of memory. */
#ifndef WS_FIT_TABLES_H
#define WS_FIT_TABLES_H

#include "fit.h"
#include "table.h"
#include "tensor.h"

/* What the summary table has beyond its fixed columns. */
typedef struct ws_fit_table_opts {
    int level;      /* 2: the L2 columns */
    int with_eig;   /* centre_ev_r (fit --eig) */
    int timing;     /* seconds: wall time of each fit (varies run to run) */
    int predict;    /* the predictability columns (fit --predict) */
} ws_fit_table_opts;

/* "fits": one row per matrix. */
ws_table *ws_fit_summary_table(const ws_fit_table_opts *o);
/* Append the row of tensor x: its summary, its L2 fit (or NULL) and the
 * seconds it took (used with o->timing). */
int ws_fit_summary_add(ws_table *t, const ws_tensor *x, const ws_fit_summary *s, const ws_fit_l2 *l2,
                       double secs);

/* "components": one row per matrix and sorted component k, from the
 * summary's measurements (with predict, the per-k predictability too). */
ws_table *ws_fit_components_table(int predict);
int ws_fit_components_add(ws_table *t, const ws_tensor *x, const ws_fit_summary *s);

/* "rows": one row per fitted row of every matrix, with A, mu, sigma of each
 * of the K components. */
ws_table *ws_fit_rows_table(int K);
int ws_fit_rows_add(ws_table *t, const ws_tensor *x, const ws_fit_result *r);

#endif
