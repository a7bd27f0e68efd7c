/* Which OpenBLAS kernels run here, and whether better ones exist.
 *
 * OpenBLAS picks its kernels once, when the library loads, from the CPU's
 * family and model numbers. A CPU newer than the OpenBLAS build (Debian 12
 * ships 0.3.21) is not in its list and falls back to the oldest x86-64
 * kernels ("Prescott", SSE3): on an AVX-512 server that makes sgemm 4x slower
 * (13.8 against 59.1 GFLOP/s measured on the development VM). The features
 * the CPU reports (and the OS enables) say which kernels are safe; the front
 * end sets OPENBLAS_CORETYPE and re-executes itself once when they differ. */
#ifndef WS_BLAS_CORE_H
#define WS_BLAS_CORE_H

/* The kernel set OpenBLAS chose ("Prescott", "Haswell", "SkylakeX", ...). */
const char *ws_blas_core(void);

/* The OPENBLAS_CORETYPE value worth asking for on this CPU, or NULL when the
 * chosen kernels already use what the CPU has (or the user set
 * OPENBLAS_CORETYPE: their choice stands). */
const char *ws_blas_better_core(void);

#endif
