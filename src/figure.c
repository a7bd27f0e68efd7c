/* The figure model: building a figure, its colours, saving it by extension. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atomic.h"
#include "escape.h"
#include "figure.h"

ws_figure *ws_figure_new(int width, int height, ws_err *e)
{
    if (width < WS_FIG_MIN_W || height < WS_FIG_MIN_H || width > WS_FIG_MAX_SIDE ||
        height > WS_FIG_MAX_SIDE) {
        ws_fail(e, "figure size %dx%d is outside %dx%d..%dx%d", width, height, WS_FIG_MIN_W,
                WS_FIG_MIN_H, WS_FIG_MAX_SIDE, WS_FIG_MAX_SIDE);
        return NULL;
    }
    ws_figure *f = calloc(1, sizeof *f);
    if (!f) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    f->width = width;
    f->height = height;
    return f;
}

void ws_figure_free(ws_figure *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_series; i++) {
        free(f->series[i].x);
        free(f->series[i].y);
    }
    free(f->series);
    if (f->heat)
        free(f->heat->v);
    free(f->heat);
    free(f);
}

/* Every text of a figure goes through here: titles quote tensor names,
 * which come from files (src/escape.h). */
static void copy_text(char *dst, size_t n, const char *src)
{
    ws_escape(dst, n, src ? src : "");
}

void ws_figure_set_labels(ws_figure *f, const char *title, const char *xlabel, const char *ylabel)
{
    copy_text(f->title, sizeof f->title, title);
    copy_text(f->xlabel, sizeof f->xlabel, xlabel);
    copy_text(f->ylabel, sizeof f->ylabel, ylabel);
}

/* A new series with room for n points (x and y filled by the caller). */
static ws_series *new_series(ws_figure *f, ws_series_kind kind, size_t n, const char *label,
                             uint32_t colour, ws_err *e)
{
    ws_series *grown = realloc(f->series, (f->n_series + 1) * sizeof *grown);
    if (!grown) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    f->series = grown;
    ws_series *s = &f->series[f->n_series];
    memset(s, 0, sizeof *s);
    s->x = malloc((n ? n : 1) * sizeof *s->x);
    s->y = malloc((n ? n : 1) * sizeof *s->y);
    if (!s->x || !s->y) {
        free(s->x);
        free(s->y);
        ws_fail(e, "out of memory");
        return NULL;
    }
    s->kind = kind;
    s->n = n;
    s->colour = colour ? colour : ws_palette((int)f->n_series);
    copy_text(s->label, sizeof s->label, label);
    s->width = kind == WS_SERIES_POINTS ? 2.5 : kind == WS_SERIES_BARS ? 0.85 : 1.6;
    f->n_series++;
    return s;
}

ws_series *ws_figure_add(ws_figure *f, ws_series_kind kind, const double *x, const double *y,
                         size_t n, const char *label, uint32_t colour, ws_err *e)
{
    ws_series *s = new_series(f, kind, n, label, colour, e);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s->x[i] = x ? x[i] : (double)i;
        s->y[i] = y[i];
    }
    return s;
}

ws_series *ws_figure_add_f32(ws_figure *f, ws_series_kind kind, const float *y, size_t n,
                             const char *label, uint32_t colour, ws_err *e)
{
    ws_series *s = new_series(f, kind, n, label, colour, e);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s->x[i] = (double)i;
        s->y[i] = y[i];
    }
    return s;
}

int ws_figure_set_heatmap(ws_figure *f, const float *v, int64_t rows, int64_t cols,
                          double vmax, const char *label, ws_err *e)
{
    size_t n;
    if (rows < 1 || cols < 1 || !ws_mul_ok((size_t)rows, (size_t)cols, &n) ||
        !ws_mul_ok(n, sizeof(float), &n))
        return ws_fail(e, "heatmap of %lldx%lld cells", (long long)rows, (long long)cols);
    ws_heatmap *h = calloc(1, sizeof *h);
    float *copy = malloc(n);
    if (!h || !copy) {
        free(h);
        free(copy);
        return ws_fail(e, "out of memory");
    }
    memcpy(copy, v, n);
    if (!(vmax > 0)) {
        vmax = 0;
        for (size_t i = 0; i < (size_t)rows * (size_t)cols; i++)
            if (isfinite(copy[i]) && fabs(copy[i]) > vmax)
                vmax = fabs(copy[i]);
        if (vmax == 0)
            vmax = 1;
    }
    h->v = copy;
    h->rows = rows;
    h->cols = cols;
    h->index_rows = rows;
    h->index_cols = cols;
    h->vmax = vmax;
    copy_text(h->label, sizeof h->label, label);
    if (f->heat)
        free(f->heat->v);
    free(f->heat);
    f->heat = h;
    return 0;
}

uint32_t ws_palette(int i)
{
    /* Blue, vermilion, green, orange, purple, brown, pink, grey: distinct
     * in print and for the common colour-vision deficiencies. */
    static const uint32_t p[] = {0x1f6fb4, 0xd1495b, 0x2a9d55, 0xf08a24,
                                 0x7b5ea7, 0x8c5a3c, 0xd675b8, 0x6f6f6f};
    return p[(unsigned)i % (sizeof p / sizeof p[0])];
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

uint32_t ws_diverging(double t)
{
    /* Nine stops from deep blue through near-white to deep red. */
    static const uint32_t stops[9] = {0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xf7f7f7,
                                      0xf4a582, 0xd6604d, 0xb2182b, 0x67001f};
    if (isnan(t))
        return 0x9a9a9a;
    t = t < -1 ? -1 : t > 1 ? 1 : t;
    double p = (t + 1) * 4;
    int i = (int)floor(p);
    if (i >= 8)
        return stops[8];
    return mix(stops[i], stops[i + 1], p - i);
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), k = strlen(ext);
    return n > k && !strcasecmp(path + n - k, ext);
}

int ws_figure_save(const ws_figure *f, const char *path, ws_err *e)
{
    int svg = has_ext(path, ".svg");
    if (!svg && !has_ext(path, ".png"))
        return ws_fail(e, "unknown figure format (use a .png or .svg file name)");
    ws_atomic a;
    if (ws_atomic_open(&a, path, e) != 0)
        return -1;
    int rc = svg ? ws_figure_write_svg(f, a.fp, e) : ws_figure_write_png(f, a.fp, e);
    if (rc != 0 && !ferror(a.fp)) {
        ws_atomic_abort(&a);
        return -1;
    }
    return ws_atomic_commit(&a, e);   /* a failed write: commit says why, and removes the temporary file */
}

unsigned ws_utf8_next(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    unsigned cp = *p++;
    int more = cp >= 0xf8 ? -1 : cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;
    if (more < 0 || (cp >= 0x80 && !more)) {
        *s = (const char *)p;
        return '?';
    }
    if (more)
        cp &= 0x3fu >> more;
    for (; more; more--) {
        if ((*p & 0xc0) != 0x80) {
            cp = '?';
            break;
        }
        cp = cp << 6 | (*p++ & 0x3f);
    }
    *s = (const char *)p;
    return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '?' : cp;
}
