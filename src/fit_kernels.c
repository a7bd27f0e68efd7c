/* Vector kernels of the L1 fit. GCC's vector extension (which clang shares)
 * gives 4-wide arithmetic. Each kernel is compiled twice from one body
 * (fit_kernels_body.h), for AVX2 and for the baseline, and the one the CPU
 * supports is bound when the program loads (an ifunc, as target_clones
 * makes in GCC; clang 14's target_clones calls its resolver instead of the
 * function from other files, so the dispatch is written out here). Sums use
 * fixed partial-sum orders, so results are deterministic for a given CPU.
 * No 256-bit vector is passed by value between functions: the baseline has
 * no AVX, and the calling convention for such arguments would differ. */
#include "fit_kernels.h"

typedef double v4d __attribute__((vector_size(32), aligned(8)));

static inline double hsum(const v4d *s) { return ((*s)[0] + (*s)[1]) + ((*s)[2] + (*s)[3]); }

#define KTARGET __attribute__((target("avx2")))
#define KNAME(name) name##_avx2
#include "fit_kernels_body.h"
#undef KTARGET
#undef KNAME

#define KTARGET
#define KNAME(name) name##_base
#include "fit_kernels_body.h"
#undef KTARGET
#undef KNAME

/* ifunc resolvers run while the program is relocated, before constructors
 * and before a sanitizer's runtime is ready: initialise the CPU model
 * first, and keep the sanitizers' instrumentation out of them. */
#define RESOLVER __attribute__((used, no_sanitize("address", "undefined")))

RESOLVER static int cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

#define DISPATCH(ret, name, params)                                                  \
    RESOLVER static ret (*resolve_##name(void)) params                              \
    {                                                                                \
        return cpu_has_avx2() ? name##_avx2 : name##_base;                           \
    }                                                                                \
    ret name params __attribute__((ifunc("resolve_" #name)));

DISPATCH(double, ws_kdot, (const double *a, const double *b, int64_t n))
DISPATCH(void, ws_kdot3x3, (const double *x, const double *y, int64_t stride, int64_t j0, int64_t j1,
                            double *out))
DISPATCH(void, ws_ksub_scaled, (double *r, const double *g, double A, int64_t n))
DISPATCH(void, ws_krank1_sub, (double *M, int64_t ld, const double *u, int64_t len))
DISPATCH(void, ws_kgauss_walk, (double *g, int64_t j0, int s, int64_t len, double r, double q))
DISPATCH(void, ws_kjac, (const double *g, int64_t lo, int64_t hi, double mu, double cm, double cs,
                         double *ja, double *jm, double *js))
