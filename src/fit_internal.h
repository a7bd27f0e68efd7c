/* Internal to the fits: the steps of ws_fit_matrix that live in their own files. */
#ifndef WS_FIT_INTERNAL_H
#define WS_FIT_INTERNAL_H

#include "fit.h"

/* L2 fit of the L1 parameters in `r` (fit_l2.c); sets r->l2. */
int ws_fit_l2_run(const float *W, int64_t n, const ws_fit_matrix_opts *o, ws_fit_result *r, ws_err *e);

/* Fill r->s from the per-row fits (fit_summary.c). `eig` may be NULL. */
void ws_fit_summarise(ws_fit_result *r, const double *eig, int64_t n_eig);

/* Pearson correlation of x and y (NaN when either has no variance). */
double ws_fit_pearson(const double *x, const double *y, int n);

#endif
