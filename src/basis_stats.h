/* The corpus-basis statistics of one matrix as one vector, for the null
 * baselines (null.h): its spectral energy in the EᵀE eigenbasis (basis.h,
 * spectrum.h) summarised as components for 50 % and 90 % and the share
 * kept by the top K eigenvectors; then the kept and total energy, which
 * add over matrices (the pooled share).
 *
 * Under the gauss family (i.i.d. N(0, s²)) the projection of the r rows on
 * each unit eigenvector is N(0, s²·I_r), independently over the orthonormal
 * eigenvectors, so the d energies are i.i.d. s²·χ²_r: drawn directly. */
#ifndef WS_BASIS_STATS_H
#define WS_BASIS_STATS_H

#include <stdint.h>

#include "error.h"
#include "null.h"
#include "spectrum.h"

enum { WS_BS_COMPS50, WS_BS_COMPS90, WS_BS_SHARE, WS_BS_COUNT,
       WS_BS_KEPT = WS_BS_COUNT, WS_BS_TOTAL, WS_BS_NSTAT };

typedef struct ws_basis_ctx {
    const ws_spectrum *spec;
    int k;                  /* the basis size */
} ws_basis_ctx;

/* The vector of a finite W with a side of length d (W's rows projected, or
 * its columns when only they have length d). */
int ws_basis_stats(const void *ctx, const float *w, int64_t rows, int64_t cols, double *out,
                   ws_err *e);
/* From energies already computed (d of them, total > 0). */
void ws_basis_vector(const double *energy, int d, int k, double *out);

extern const ws_null_stat ws_basis_null_stat;

#endif
