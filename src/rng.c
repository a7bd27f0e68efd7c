#include "rng.h"

#include <math.h>

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ws_rng_seed(ws_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
    r->has_spare = 0;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ws_rng_u64(ws_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double ws_rng_uniform(ws_rng *r) { return (ws_rng_u64(r) >> 11) * 0x1.0p-53; }

uint64_t ws_rng_below(ws_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Rejection sampling removes the modulo bias. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = ws_rng_u64(r);
    while (x >= limit);
    return x % n;
}

double ws_rng_normal(ws_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1, u2 = ws_rng_uniform(r);
    do
        u1 = ws_rng_uniform(r);
    while (u1 <= 0.0);
    double rad = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;
    r->spare = rad * sin(th);
    r->has_spare = 1;
    return rad * cos(th);
}

double ws_rng_gamma(ws_rng *r, double shape)
{
    if (shape < 1) {
        double u;
        do
            u = ws_rng_uniform(r);
        while (u <= 0.0);
        return ws_rng_gamma(r, shape + 1) * pow(u, 1 / shape);
    }
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = ws_rng_normal(r), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = ws_rng_uniform(r), x2 = x * x;
        if (u < 1 - 0.0331 * x2 * x2 || (u > 0 && log(u) < 0.5 * x2 + d * (1 - v + log(v))))
            return d * v;
    }
}

double ws_rng_chi(ws_rng *r, double k) { return sqrt(2 * ws_rng_gamma(r, k / 2)); }
