/* Null baselines of the fit statistics (null.h; man page ANALYSES, Null
 * baselines): what the same fit gives on rows with no structure.
 *
 * For a matrix fitted on m rows (the sample of fit --rows, or all): each
 * null draw is m rows of n values, Gaussian noise of the matrix's std
 * (family gauss) or the fitted rows each with its entries permuted (family
 * perm), fitted exactly as the matrix was (same K, mode, bound, level, G,
 * eigenvalues). Statistics: the pooled L1 R² (r2), the centre linearity,
 * r(centres, eigenvalue positions) (centre_ev_r, with eigenvalues) and the
 * L2 rows' R² (l2_r2_rows, level 2). They do not change with the rows'
 * scale, so matrices of one shape fitted alike share their gauss draws. */
#ifndef WS_FIT_NULLS_H
#define WS_FIT_NULLS_H

#include "fit.h"
#include "null.h"

/* One matrix: its values, its fit (the rows it fitted) and where the
 * baselines go (s->null). */
typedef struct ws_fit_null_job {
    const float *W;
    int64_t rows, n;
    const char *name;          /* the key of its draws (ws_null_key) */
    const ws_fit_result *r;
    ws_fit_summary *s;         /* s->null is written */
} ws_fit_null_job;

/* The baselines of every job, `no->n` draws per family, all draws of all
 * jobs in one parallel loop (progress counts draws; cancellable). With
 * no->n = 0 every s->null is cleared (n = 0). */
int ws_fit_nulls_run(ws_fit_null_job *jobs, size_t n_jobs, const ws_fit_matrix_opts *o,
                     const ws_null_opts *no, ws_progress *p, ws_err *e);

#endif
