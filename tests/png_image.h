/* Reading a PNG into RGBA pixels with libpng's simplified API, for the
 * figure tests (test_figure.c, png_check.c). */
#ifndef WS_TEST_PNG_IMAGE_H
#define WS_TEST_PNG_IMAGE_H

#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct image {
    int w, h;
    unsigned char *px;   /* RGBA */
} image;

static inline int read_png(const char *path, image *im)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path))
        return -1;
    pi.format = PNG_FORMAT_RGBA;
    im->w = (int)pi.width;
    im->h = (int)pi.height;
    im->px = malloc(PNG_IMAGE_SIZE(pi));
    if (!im->px || !png_image_finish_read(&pi, NULL, im->px, 0, NULL)) {
        free(im->px);
        return -1;
    }
    return 0;
}

/* The pixel at integer (x, y) as 0xRRGGBB. */
static inline uint32_t png_at(const image *im, int x, int y)
{
    const unsigned char *p = im->px + ((size_t)y * im->w + x) * 4;
    return (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
}

#endif
