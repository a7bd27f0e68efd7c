/* The figure model: building a figure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    f->dpi = WS_FIG_DPI;
    f->ymin = f->ymax = NAN;
    return f;
}

static void free_categories(ws_figure *f)
{
    for (int i = 0; i < f->n_xcat; i++)
        free(f->xcat[i]);
    free(f->xcat);
    f->xcat = NULL;
    f->n_xcat = 0;
}

void ws_figure_free(ws_figure *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_series; i++) {
        free(f->series[i].x);
        free(f->series[i].y);
        free(f->series[i].y2);
    }
    free(f->series);
    if (f->heat)
        free(f->heat->v);
    free(f->heat);
    free_categories(f);
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

int ws_figure_set_categories(ws_figure *f, const char *const *names, int n, ws_err *e)
{
    free_categories(f);
    f->xcat = calloc((size_t)(n > 0 ? n : 1), sizeof *f->xcat);
    if (!f->xcat)
        return ws_fail(e, "out of memory");
    for (int i = 0; i < n; i++) {
        f->xcat[i] = strdup(names[i] ? names[i] : "");
        f->n_xcat = i + 1;
        if (!f->xcat[i]) {
            free_categories(f);
            return ws_fail(e, "out of memory");
        }
    }
    return 0;
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
    if (kind == WS_SERIES_BAND)
        s->y2 = malloc((n ? n : 1) * sizeof *s->y2);
    if (!s->x || !s->y || (kind == WS_SERIES_BAND && !s->y2)) {
        free(s->x);
        free(s->y);
        free(s->y2);
        ws_fail(e, "out of memory");
        return NULL;
    }
    s->kind = kind;
    s->n = n;
    s->colour = colour ? colour : ws_palette((int)f->n_series);
    copy_text(s->label, sizeof s->label, label);
    s->width = kind == WS_SERIES_POINTS ? 1.5 : kind == WS_SERIES_LINE ? 1.0 : 0.8;
    s->opacity = 1;
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
    if (s->y2)   /* a band given as one series: zero height */
        memcpy(s->y2, s->y, n * sizeof *s->y);
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
    if (s->y2)
        memcpy(s->y2, s->y, n * sizeof *s->y);
    return s;
}

ws_series *ws_figure_add_band(ws_figure *f, const double *x, const double *lo, const double *hi,
                              size_t n, const char *label, uint32_t colour, ws_err *e)
{
    ws_series *s = ws_figure_add(f, WS_SERIES_BAND, x, lo, n, label, colour, e);
    if (s)
        memcpy(s->y2, hi, n * sizeof *hi);
    return s;
}

int ws_figure_set_heatmap(ws_figure *f, const float *v, int64_t rows, int64_t cols,
                          const char *label, ws_err *e)
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
    h->v = copy;
    h->rows = rows;
    h->cols = cols;
    h->index_rows = rows;
    h->index_cols = cols;
    h->vmin = h->vmax = NAN;
    h->clip = 100;
    h->cmap = ws_cmap_find("diverging");
    copy_text(h->label, sizeof h->label, label);
    if (f->heat)
        free(f->heat->v);
    free(f->heat);
    f->heat = h;
    return 0;
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
