/* PNG checks for the figure tests, with libpng:
 *   png_check info FILE               prints "WIDTH HEIGHT DPI" (DPI 0: no pHYs)
 *   png_check has FILE RRGGBB...      exit 0 when every colour occurs exactly
 *   png_check pixel FILE X Y          prints the pixel's RRGGBB
 *   png_check same FILE GOLDEN TOL    exit 0 when the images have the same
 *                                     size and at most TOL (a share, e.g.
 *                                     0.01) of pixels differ by more than 48
 *                                     in a channel from every pixel of the
 *                                     other image's 3 × 3 neighbourhood
 *                                     (either way round: renderers place an
 *                                     edge a pixel apart); prints that share
 * Exit 2 when a file does not decode. */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "png_image.h"

/* Dots per inch from pHYs, or 0. */
static double dpi_of(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    double dpi = 0;
    if (info && !setjmp(png_jmpbuf(png))) {
        png_init_io(png, fp);
        png_read_info(png, info);
        png_uint_32 x, y;
        int unit;
        if (png_get_pHYs(png, info, &x, &y, &unit) && unit == PNG_RESOLUTION_METER && x == y)
            dpi = x * 0.0254;
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    return dpi;
}

#define at png_at

static int has_colour(const image *im, uint32_t c)
{
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            if (at(im, x, y) == c)
                return 1;
    return 0;
}

static int far(uint32_t a, uint32_t b);

/* Pixel (x, y) of `a` matches no pixel of `b` around (x, y). */
static int unmatched(const image *a, const image *b, int x, int y)
{
    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            int u = x + dx, v = y + dy;
            if (u >= 0 && v >= 0 && u < b->w && v < b->h && !far(at(a, x, y), at(b, u, v)))
                return 0;
        }
    return 1;
}

static int far(uint32_t a, uint32_t b)
{
    for (int sh = 0; sh <= 16; sh += 8) {
        int d = (int)(a >> sh & 255) - (int)(b >> sh & 255);
        if (d > 48 || d < -48)
            return 1;
    }
    return 0;
}

/* The images, freed at exit whichever way main returns (the sanitizer
 * build reports a leak otherwise). */
static image im, g;
static void free_images(void)
{
    free(im.px);
    free(g.px);
}

int main(int argc, char **argv)
{
    atexit(free_images);
    if (argc < 3 || read_png(argv[2], &im) != 0) {
        fprintf(stderr, "png_check: %s: does not decode\n", argc > 2 ? argv[2] : "?");
        return 2;
    }
    if (!strcmp(argv[1], "info")) {
        printf("%d %d %.0f\n", im.w, im.h, dpi_of(argv[2]));
        return 0;
    }
    if (!strcmp(argv[1], "has")) {
        for (int i = 3; i < argc; i++)
            if (!has_colour(&im, (uint32_t)strtoul(argv[i], NULL, 16))) {
                fprintf(stderr, "png_check: %s: no pixel of colour %s\n", argv[2], argv[i]);
                return 1;
            }
        return 0;
    }
    if (!strcmp(argv[1], "pixel") && argc == 5) {
        int x = atoi(argv[3]), y = atoi(argv[4]);
        if (x < 0 || y < 0 || x >= im.w || y >= im.h)
            return 1;
        printf("%06x\n", at(&im, x, y));
        return 0;
    }
    if (!strcmp(argv[1], "same") && argc == 5) {
        if (read_png(argv[3], &g) != 0) {
            fprintf(stderr, "png_check: %s: does not decode\n", argv[3]);
            return 2;
        }
        if (g.w != im.w || g.h != im.h) {
            fprintf(stderr, "png_check: %dx%d, golden %dx%d\n", im.w, im.h, g.w, g.h);
            return 1;
        }
        size_t off = 0;
        for (int y = 0; y < im.h; y++)
            for (int x = 0; x < im.w; x++)
                off += unmatched(&im, &g, x, y) || unmatched(&g, &im, x, y);
        double share = (double)off / ((double)im.w * im.h);
        printf("%.5f\n", share);
        return share <= atof(argv[4]) ? 0 : 1;
    }
    fprintf(stderr, "png_check: unknown command\n");
    return 2;
}
