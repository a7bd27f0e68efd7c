/* PNG back end: a small rasteriser into an RGB buffer, written with libpng.
 *
 * Everything is antialiased by coverage: a line covers a pixel by how far
 * the pixel's centre is from the segment (width/2 ± half a pixel), a
 * rectangle by the area it overlaps. Lines and text first collect their
 * coverage in a mask (the largest over their segments, so joints are not
 * drawn twice), then blend it once. Text strokes the figure font's glyphs. */
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "figure_font.h"

typedef struct raster {
    int w, h;
    unsigned char *rgb;            /* w × h × 3 */
    float *mask;                   /* w × h coverage, kept zero between uses */
    int mx0, my0, mx1, my1;        /* the mask's dirty box */
    int cx0, cy0, cx1, cy1;        /* clip box (pixels) */
} raster;

static void blend(raster *r, int x, int y, uint32_t c, double a)
{
    if (x < r->cx0 || y < r->cy0 || x >= r->cx1 || y >= r->cy1 || a <= 0)
        return;
    if (a > 1)
        a = 1;
    unsigned char *p = r->rgb + ((size_t)y * r->w + x) * 3;
    for (int k = 0; k < 3; k++) {
        double src = (c >> (16 - 8 * k)) & 255;
        p[k] = (unsigned char)lround(p[k] + (src - p[k]) * a);
    }
}

/* Overlap of [a0, a1) with the pixel [p, p+1). */
static double overlap(double a0, double a1, int p)
{
    double lo = fmax(a0, p), hi = fmin(a1, p + 1.0);
    return hi > lo ? hi - lo : 0;
}

static void ras_rect(void *self, double x, double y, double w, double h, uint32_t fill,
                     double opacity)
{
    raster *r = self;
    int x0 = (int)floor(fmax(x, 0)), x1 = (int)ceil(fmin(x + w, r->w));
    int y0 = (int)floor(fmax(y, 0)), y1 = (int)ceil(fmin(y + h, r->h));
    for (int py = y0; py < y1; py++) {
        double cy = overlap(y, y + h, py);
        for (int px = x0; px < x1; px++)
            blend(r, px, py, fill, opacity * cy * overlap(x, x + w, px));
    }
}

/* Distance from (px, py) to the segment (x0, y0)-(x1, y1). */
static double seg_dist(double px, double py, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double ex = x0 + t * dx - px, ey = y0 + t * dy - py;
    return sqrt(ex * ex + ey * ey);
}

/* Add a segment of width w to the mask. */
static void mask_segment(raster *r, double x0, double y0, double x1, double y1, double w)
{
    double half = w / 2 + 0.5;
    int bx0 = (int)floor(fmin(x0, x1) - half), bx1 = (int)ceil(fmax(x0, x1) + half);
    int by0 = (int)floor(fmin(y0, y1) - half), by1 = (int)ceil(fmax(y0, y1) + half);
    bx0 = bx0 < r->cx0 ? r->cx0 : bx0;
    by0 = by0 < r->cy0 ? r->cy0 : by0;
    bx1 = bx1 > r->cx1 ? r->cx1 : bx1;
    by1 = by1 > r->cy1 ? r->cy1 : by1;
    if (bx0 >= bx1 || by0 >= by1)
        return;
    /* Thin lines keep their weight as fainter ink rather than a full pixel. */
    double ink = w < 1 ? w : 1, core = (w < 1 ? 1 : w) / 2 + 0.5;
    for (int py = by0; py < by1; py++)
        for (int px = bx0; px < bx1; px++) {
            double cov = core - seg_dist(px + 0.5, py + 0.5, x0, y0, x1, y1);
            if (cov <= 0)
                continue;
            cov = (cov > 1 ? 1 : cov) * ink;
            float *m = &r->mask[(size_t)py * r->w + px];
            if (cov > *m)
                *m = (float)cov;
        }
    r->mx0 = bx0 < r->mx0 ? bx0 : r->mx0;
    r->my0 = by0 < r->my0 ? by0 : r->my0;
    r->mx1 = bx1 > r->mx1 ? bx1 : r->mx1;
    r->my1 = by1 > r->my1 ? by1 : r->my1;
}

/* Blend the mask in colour c and clear it. */
static void mask_flush(raster *r, uint32_t c)
{
    for (int y = r->my0; y < r->my1; y++)
        for (int x = r->mx0; x < r->mx1; x++) {
            float *m = &r->mask[(size_t)y * r->w + x];
            if (*m > 0)
                blend(r, x, y, c, *m);
            *m = 0;
        }
    r->mx0 = r->w, r->my0 = r->h, r->mx1 = r->my1 = 0;
}

/* A dashed segment: dash and gap lengths, `phase` carried along the line. */
static void mask_dashed(raster *r, const double *a, const double *b, double w, double *phase)
{
    double on = w * 4, period = w * 7;
    double dx = b[0] - a[0], dy = b[1] - a[1], len = sqrt(dx * dx + dy * dy);
    double s = 0;
    while (s < len) {
        double p = fmod(*phase + s, period);
        /* At least a little: rounding in fmod must not stall the loop. */
        double step = fmax(p < on ? on - p : period - p, 1e-6);
        double e = fmin(len, s + step);
        if (p < on)
            mask_segment(r, a[0] + dx * s / len, a[1] + dy * s / len, a[0] + dx * e / len,
                         a[1] + dy * e / len, w);
        s = e;
    }
    *phase = fmod(*phase + len, period);
}

/* A crisp axis-parallel line: centred on a pixel when its width is odd. */
static double snap(double v, double w)
{
    return ((int)lround(w) % 2) ? floor(v) + 0.5 : floor(v + 0.5);
}

static void ras_polyline(void *self, const double *xy, size_t n, uint32_t colour, double width,
                         int dashed)
{
    raster *r = self;
    double phase = 0;
    if (n == 2 && (xy[0] == xy[2] || xy[1] == xy[3])) {
        double s[4] = {xy[0], xy[1], xy[2], xy[3]};
        if (xy[0] == xy[2])
            s[0] = s[2] = snap(xy[0], width);
        else
            s[1] = s[3] = snap(xy[1], width);
        mask_segment(r, s[0], s[1], s[2], s[3], width);
    } else {
        for (size_t i = 0; i + 1 < n; i++) {
            if (dashed)
                mask_dashed(r, xy + 2 * i, xy + 2 * i + 2, width, &phase);
            else
                mask_segment(r, xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3], width);
        }
    }
    mask_flush(r, colour);
}

static void ras_frame(void *self, double x, double y, double w, double h, uint32_t colour,
                      double width)
{
    raster *r = self;
    double x0 = snap(x, width), x1 = snap(x + w, width), y0 = snap(y, width),
           y1 = snap(y + h, width);
    mask_segment(r, x0, y0, x1, y0, width);
    mask_segment(r, x1, y0, x1, y1, width);
    mask_segment(r, x1, y1, x0, y1, width);
    mask_segment(r, x0, y1, x0, y0, width);
    mask_flush(r, colour);
}

static void ras_marker(void *self, double x, double y, double rad, uint32_t colour)
{
    raster *r = self;
    mask_segment(r, x, y, x, y, rad * 2);
    mask_flush(r, colour);
}

static int ink(const unsigned char *g, int col, int row)
{
    if (col < 0 || col >= WS_FONT_COLS || row < 0 || row >= WS_FONT_ROWS)
        return 0;
    return g[row] >> (WS_FONT_COLS - 1 - col) & 1;
}

/* The strokes of one glyph: each ink cell joined to its ink neighbours to
 * the right and below, and diagonally where no square corner joins them. */
typedef struct pen {
    double ox, oy, u;   /* the glyph's baseline origin, cell size */
    int vertical;
} pen;

static void pen_point(const pen *p, double col, double row, double *x, double *y)
{
    double dx = (col + 0.5) * p->u, dy = (row + 0.5 - 7) * p->u;
    *x = p->vertical ? p->ox + dy : p->ox + dx;
    *y = p->vertical ? p->oy - dx : p->oy + dy;
}

static void pen_stroke(raster *r, const pen *p, int c0, int r0, int c1, int r1)
{
    double x0, y0, x1, y1;
    pen_point(p, c0, r0, &x0, &y0);
    pen_point(p, c1, r1, &x1, &y1);
    mask_segment(r, x0, y0, x1, y1, p->u * 1.1);
}

static void glyph(raster *r, const pen *p, unsigned cp)
{
    const unsigned char *g = ws_font_glyph(cp);
    if (!g)
        g = ws_font_glyph('?');
    for (int row = 0; row < WS_FONT_ROWS; row++)
        for (int col = 0; col < WS_FONT_COLS; col++) {
            if (!ink(g, col, row))
                continue;
            int right = ink(g, col + 1, row), down = ink(g, col, row + 1);
            pen_stroke(r, p, col, row, col, row);
            if (right)
                pen_stroke(r, p, col, row, col + 1, row);
            if (down)
                pen_stroke(r, p, col, row, col, row + 1);
            if (ink(g, col + 1, row + 1) && !right && !down)
                pen_stroke(r, p, col, row, col + 1, row + 1);
            if (ink(g, col - 1, row + 1) && !ink(g, col - 1, row) && !down)
                pen_stroke(r, p, col, row, col - 1, row + 1);
        }
}

static void ras_text(void *self, double x, double y, const char *s, int anchor, int vertical,
                     double size, uint32_t colour)
{
    raster *r = self;
    double width = ws_fig_text_width(s, size);
    double shift = anchor == WS_ANCHOR_MIDDLE ? width / 2 : anchor == WS_ANCHOR_END ? width : 0;
    pen p = {vertical ? x : x - shift, vertical ? y + shift : y, size / WS_FONT_EM, vertical};
    double adv = WS_FONT_ADVANCE * p.u;
    for (const char *c = s; *c;) {
        glyph(r, &p, ws_utf8_next(&c));
        if (vertical)
            p.oy -= adv;
        else
            p.ox += adv;
    }
    mask_flush(r, colour);
}

static void ras_image(void *self, double x, double y, double w, double h, const uint32_t *rgb,
                      int cols, int rows)
{
    raster *r = self;
    int x0 = (int)ceil(x - 0.5), x1 = (int)ceil(x + w - 0.5);
    int y0 = (int)ceil(y - 0.5), y1 = (int)ceil(y + h - 0.5);
    for (int py = y0; py < y1; py++) {
        int i = (int)((py + 0.5 - y) / h * rows);
        i = i < 0 ? 0 : i >= rows ? rows - 1 : i;
        for (int px = x0; px < x1; px++) {
            int j = (int)((px + 0.5 - x) / w * cols);
            j = j < 0 ? 0 : j >= cols ? cols - 1 : j;
            blend(r, px, py, rgb[(size_t)i * cols + j], 1);
        }
    }
}

static void ras_clip(void *self, double x, double y, double w, double h)
{
    raster *r = self;
    r->cx0 = (int)fmax(0, floor(x));
    r->cy0 = (int)fmax(0, floor(y));
    r->cx1 = (int)fmin(r->w, ceil(x + w));
    r->cy1 = (int)fmin(r->h, ceil(y + h));
}

static void ras_clip_end(void *self)
{
    raster *r = self;
    r->cx0 = r->cy0 = 0;
    r->cx1 = r->w;
    r->cy1 = r->h;
}

/* ---- libpng ---- */

typedef struct membuf {
    unsigned char *b;
    size_t len, cap;
    int failed;
} membuf;

static void mem_write(png_structp png, png_bytep data, png_size_t n)
{
    membuf *m = png_get_io_ptr(png);
    if (m->failed)
        return;
    if (m->len + n > m->cap) {
        size_t cap = (m->cap ? m->cap * 2 : 4096) + n;
        unsigned char *b = realloc(m->b, cap);
        if (!b) {
            m->failed = 1;
            return;
        }
        m->b = b, m->cap = cap;
    }
    memcpy(m->b + m->len, data, n);
    m->len += n;
}

static void mem_flush(png_structp png) { (void)png; }

/* libpng's errors are returned with the rest, never printed to stderr. */
static void png_quiet_error(png_structp png, png_const_charp msg)
{
    ws_fail(png_get_error_ptr(png), "PNG encoding failed: %s", msg);
    png_longjmp(png, 1);
}

static void png_quiet_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* Write 8-bit RGB rows (w × h × 3) to fp, or to m when fp is NULL. */
static int write_rgb(FILE *fp, membuf *m, const unsigned char *rgb, int w, int h, ws_err *e)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, e, png_quiet_error, png_quiet_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return ws_fail(e, "out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return -1;   /* png_quiet_error said why */
    }
    if (fp)
        png_init_io(png, fp);
    else
        png_set_write_fn(png, m, mem_write, mem_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, (png_const_bytep)(rgb + (size_t)y * w * 3));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (fp && ferror(fp))
        return ws_fail(e, "write failed");
    if (m && m->failed)
        return ws_fail(e, "out of memory");
    return 0;
}

int ws_png_encode(const uint32_t *rgb, int w, int h, unsigned char **out, size_t *len,
                  ws_err *e)
{
    unsigned char *px = malloc((size_t)w * h * 3);
    if (!px)
        return ws_fail(e, "out of memory");
    for (size_t i = 0; i < (size_t)w * h; i++) {
        px[3 * i] = rgb[i] >> 16 & 255;
        px[3 * i + 1] = rgb[i] >> 8 & 255;
        px[3 * i + 2] = rgb[i] & 255;
    }
    membuf m = {0};
    int rc = write_rgb(NULL, &m, px, w, h, e);
    free(px);
    if (rc != 0) {
        free(m.b);
        return -1;
    }
    *out = m.b;
    *len = m.len;
    return 0;
}

int ws_figure_write_png(const ws_figure *f, FILE *fp, ws_err *e)
{
    raster r = {.w = f->width, .h = f->height};
    r.rgb = malloc((size_t)r.w * r.h * 3);
    r.mask = calloc((size_t)r.w * r.h, sizeof *r.mask);
    if (!r.rgb || !r.mask) {
        free(r.rgb);
        free(r.mask);
        return ws_fail(e, "out of memory for a %dx%d image", r.w, r.h);
    }
    memset(r.rgb, 0xff, (size_t)r.w * r.h * 3);   /* white paper */
    ras_clip_end(&r);
    r.mx0 = r.w, r.my0 = r.h;
    ws_canvas c = {&r,       ras_rect,  ras_frame, ras_polyline, ras_marker,
                   ras_text, ras_image, ras_clip,  ras_clip_end};
    int rc = ws_figure_draw(f, &c, e);
    if (rc == 0)
        rc = write_rgb(fp, NULL, r.rgb, r.w, r.h, e);
    free(r.rgb);
    free(r.mask);
    return rc;
}
