/* Colours of figures: the line palette, the heatmap colour maps (one table;
 * to add a map, add its evenly spaced stops and a row to `maps`, then name
 * it in the man page's FIGURES section), and the heatmap's colour range. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "downsample.h"
#include "figure.h"

uint32_t ws_palette(int i)
{
    /* Okabe & Ito (2008): blue, vermilion, bluish green, orange, reddish
     * purple, sky blue, yellow, black. Yellow last: weak on white. */
    static const uint32_t p[] = {0x0072b2, 0xd55e00, 0x009e73, 0xe69f00,
                                 0xcc79a7, 0x56b4e9, 0xf0e442, 0x000000};
    return p[(unsigned)i % (sizeof p / sizeof p[0])];
}

/* ColorBrewer RdBu (reversed: blue low, red high), 9 classes. */
static const uint32_t rdbu[] = {0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xf7f7f7,
                                0xf4a582, 0xd6604d, 0xb2182b, 0x67001f};
/* viridis (van der Walt & Smith), 9 evenly spaced samples. */
static const uint32_t viridis[] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c,
                                   0x27ad81, 0x5dc863, 0xaadc32, 0xfde725};
/* Linear greys, black to white. */
static const uint32_t greys[] = {0x000000, 0xffffff};

#define N_OF(a) (int)(sizeof a / sizeof a[0])
static const ws_cmap maps[] = {
    {"rdbu", 1, rdbu, N_OF(rdbu),
     "diverging blue-white-red (ColorBrewer RdBu): signed weights, white at 0"},
    {"viridis", 0, viridis, N_OF(viridis),
     "sequential, perceptually uniform, colour-blind safe: magnitudes"},
    {"gray", 0, greys, N_OF(greys), "sequential black to white"},
};

const ws_cmap *ws_cmap_at(int i)
{
    return i >= 0 && i < N_OF(maps) ? &maps[i] : NULL;
}

const ws_cmap *ws_cmap_find(const char *name)
{
    if (!strcmp(name, "diverging"))
        name = "rdbu";
    else if (!strcmp(name, "sequential"))
        name = "viridis";
    for (int i = 0; i < N_OF(maps); i++)
        if (!strcmp(maps[i].name, name))
            return &maps[i];
    return NULL;
}

static uint32_t mix(uint32_t a, uint32_t b, double t)
{
    uint32_t out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double ca = (a >> sh) & 255, cb = (b >> sh) & 255;
        out |= (uint32_t)lround(ca + (cb - ca) * t) << sh;
    }
    return out;
}

uint32_t ws_cmap_colour(const ws_cmap *m, double t)
{
    if (isnan(t))
        return 0x9a9a9a;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double p = t * (m->n_stops - 1);
    int i = (int)floor(p);
    if (i >= m->n_stops - 1)
        return m->stops[m->n_stops - 1];
    return mix(m->stops[i], m->stops[i + 1], p - i);
}

uint32_t ws_diverging(double t)
{
    return ws_cmap_colour(&maps[0], isnan(t) ? t : (t + 1) / 2);
}

void ws_heatmap_range(const ws_heatmap *h, double *lo, double *hi)
{
    int64_t n = h->rows * h->cols;
    int div = !h->cmap || h->cmap->diverging;
    double l = h->vmin, u = h->vmax;
    if (div) {
        /* Centred on 0: one given bound mirrors; none: ±percentile of |v|. */
        if (isnan(l) && isnan(u))
            u = ds_abs_percentile(h->v, n, h->clip, n);
        if (isnan(l))
            l = -u;
        if (isnan(u))
            u = -l;
    } else {
        if (isnan(l))
            l = ds_percentile(h->v, n, 100 - h->clip, n);
        if (isnan(u))
            u = ds_percentile(h->v, n, h->clip, n);
    }
    if (!(u > l)) {   /* all equal, or nothing finite */
        double mid = isfinite(l) ? l : isfinite(u) ? u : 0;
        double d = mid ? fabs(mid) * 0.1 : 1;
        l = mid - d, u = mid + d;
        if (div && mid == 0)
            l = -1, u = 1;
    }
    *lo = l;
    *hi = u;
}
