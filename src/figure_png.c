/* PNG encoding with libpng: 8-bit RGB rows, the resolution in pHYs. Used by
 * the PNG back end for the whole figure and by the SVG back end for
 * embedded heatmap images. */
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"

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

/* Write the pixels to fp, or to m when fp is NULL. `row` is scratch for
 * one row of w × 3 bytes. */
static int encode(const uint32_t *rgb, int w, int h, double dpi, FILE *fp, membuf *m,
                  unsigned char *row, ws_err *e)
{
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, e, png_quiet_error, png_quiet_warning);
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
    if (dpi > 0) {
        png_uint_32 ppm = (png_uint_32)lround(dpi / 0.0254);   /* pixels per metre */
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        const uint32_t *src = rgb + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            row[3 * x] = src[x] >> 16 & 255;
            row[3 * x + 1] = src[x] >> 8 & 255;
            row[3 * x + 2] = src[x] & 255;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    if (fp && ferror(fp))
        return ws_fail(e, "write failed");
    if (m && m->failed)
        return ws_fail(e, "out of memory");
    return 0;
}

static int encode_with_row(const uint32_t *rgb, int w, int h, double dpi, FILE *fp, membuf *m,
                           ws_err *e)
{
    unsigned char *row = malloc((size_t)w * 3);
    if (!row)
        return ws_fail(e, "out of memory");
    int rc = encode(rgb, w, h, dpi, fp, m, row, e);
    free(row);
    return rc;
}

int ws_png_write(const uint32_t *rgb, int w, int h, double dpi, FILE *fp, ws_err *e)
{
    return encode_with_row(rgb, w, h, dpi, fp, NULL, e);
}

int ws_png_encode(const uint32_t *rgb, int w, int h, double dpi, unsigned char **out,
                  size_t *len, ws_err *e)
{
    membuf m = {0};
    if (encode_with_row(rgb, w, h, dpi, NULL, &m, e) != 0) {
        free(m.b);
        return -1;
    }
    *out = m.b;
    *len = m.len;
    return 0;
}
