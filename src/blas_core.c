#include "blas_core.h"

#include <cblas.h>
#include <stdlib.h>
#include <strings.h>

const char *ws_blas_core(void)
{
    const char *c = openblas_get_corename();
    return c ? c : "unknown";
}

static int core_is(const char *core, const char *const *names)
{
    for (; *names; names++)
        if (!strcasecmp(core, *names))
            return 1;
    return 0;
}

const char *ws_blas_better_core(void)
{
    if (getenv("OPENBLAS_CORETYPE"))
        return NULL;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    /* Kernel sets that already use the wide vector units: leave them alone
     * (a Zen or Haswell choice on an AVX-512 CPU is a judgement, not a miss). */
    static const char *const vector_cores[] = {"Haswell", "Zen", "SkylakeX", "CooperLake",
                                               "SapphireRapids", NULL};
    if (core_is(ws_blas_core(), vector_cores))
        return NULL;
    __builtin_cpu_init();
    /* __builtin_cpu_supports checks that the OS saves the wide registers too. */
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
#endif
    return NULL;
}
