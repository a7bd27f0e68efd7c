/* Deterministic random numbers (xoshiro256**), identical on every machine. */
#ifndef WS_RNG_H
#define WS_RNG_H

#include <stdint.h>

typedef struct ws_rng {
    uint64_t s[4];
    int has_spare;
    double spare;
} ws_rng;

void ws_rng_seed(ws_rng *r, uint64_t seed);
uint64_t ws_rng_u64(ws_rng *r);
/* Uniform in [0, 1). */
double ws_rng_uniform(ws_rng *r);
/* Uniform integer in [0, n). */
uint64_t ws_rng_below(ws_rng *r, uint64_t n);
/* Standard normal (Box–Muller). */
double ws_rng_normal(ws_rng *r);
/* Gamma(shape, 1) (Marsaglia–Tsang; shape < 1 by the U^(1/shape) boost),
 * shape > 0. */
double ws_rng_gamma(ws_rng *r, double shape);
/* Chi with k degrees of freedom: √(2·Gamma(k/2)), k > 0. */
double ws_rng_chi(ws_rng *r, double k);

#endif
