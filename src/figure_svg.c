/* SVG back end: text stays text (DejaVu Sans), lines are polylines, a
 * heatmap is a <rect> per cell, or an embedded PNG when it has many cells.
 * SVG 1.1: the image is linked with xlink:href. Viewers that smooth images
 * (librsvg ignores image-rendering) still show sharp cells: the embedded
 * image repeats each cell over a block of pixels at least twice the plot
 * area's resolution, so smoothing only softens a sliver at cell edges. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"

#define SVG_MAX_RECTS 4096   /* above this many cells, embed a PNG */
#define SVG_IMAGE_MAX 4096   /* pixels a side of an embedded image, at most */

typedef struct svg {
    FILE *fp;
    int clip_id, clipping, grad_id;
    ws_err *e;
    int failed;
} svg;

/* Text with &, <, >, " escaped, control characters dropped and malformed
 * UTF-8 shown as '?', so the file is always well-formed XML. */
static void put_escaped(FILE *fp, const char *s)
{
    while (*s) {
        const char *start = s;
        unsigned cp = ws_utf8_next(&s);
        switch (cp) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        default:
            if (cp == '?' && *start != '?')
                fputc('?', fp);
            else if (cp >= 0x20 && cp != 0x7f && cp != 0xfffe && cp != 0xffff)
                fwrite(start, 1, (size_t)(s - start), fp);
        }
    }
}

static void svg_rect(void *self, double x, double y, double w, double h, uint32_t fill,
                     double opacity)
{
    svg *s = self;
    fprintf(s->fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"#%06x\"",
            x, y, w, h, fill);
    if (opacity < 1)
        fprintf(s->fp, " fill-opacity=\"%.2f\"", opacity);
    fputs("/>\n", s->fp);
}

static void svg_frame(void *self, double x, double y, double w, double h, uint32_t colour,
                      double width)
{
    svg *s = self;
    fprintf(s->fp,
            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
            "stroke=\"#%06x\" stroke-width=\"%.2f\"/>\n",
            x, y, w, h, colour, width);
}

static void svg_polyline(void *self, const double *xy, size_t n, uint32_t colour, double width,
                         int dashed, double opacity)
{
    svg *s = self;
    if (n < 2)
        return;
    fputs("<polyline points=\"", s->fp);
    for (size_t i = 0; i < n; i++)
        fprintf(s->fp, "%s%.2f,%.2f", i ? " " : "", xy[2 * i], xy[2 * i + 1]);
    fprintf(s->fp, "\" fill=\"none\" stroke=\"#%06x\" stroke-width=\"%.2f\" "
                   "stroke-linejoin=\"round\" stroke-linecap=\"%s\"", colour, width,
            dashed ? "butt" : "round");
    if (dashed)
        fprintf(s->fp, " stroke-dasharray=\"%.2f %.2f\"", width * 4, width * 3);
    if (opacity < 1)
        fprintf(s->fp, " stroke-opacity=\"%.2f\"", opacity);
    fputs("/>\n", s->fp);
}

static void svg_marker(void *self, double x, double y, double r, uint32_t colour)
{
    svg *s = self;
    fprintf(s->fp, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"#%06x\"/>\n", x, y, r,
            colour);
}

static void svg_text(void *self, double x, double y, const char *str, int anchor, int vertical,
                     double size, uint32_t colour)
{
    static const char *anchors[] = {"start", "middle", "end"};
    svg *s = self;
    fprintf(s->fp, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\" text-anchor=\"%s\"", x, y,
            size, anchors[anchor]);
    if (colour != 0x222222)
        fprintf(s->fp, " fill=\"#%06x\"", colour);
    if (vertical)
        fprintf(s->fp, " transform=\"rotate(-90 %.2f %.2f)\"", x, y);
    fputc('>', s->fp);
    put_escaped(s->fp, str);
    fputs("</text>\n", s->fp);
}

static void put_base64(FILE *fp, const unsigned char *b, size_t n)
{
    static const char dig[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)b[i] << 16 | (i + 1 < n ? b[i + 1] : 0) << 8 |
                     (i + 2 < n ? b[i + 2] : 0);
        fputc(dig[v >> 18 & 63], fp);
        fputc(dig[v >> 12 & 63], fp);
        fputc(i + 1 < n ? dig[v >> 6 & 63] : '=', fp);
        fputc(i + 2 < n ? dig[v & 63] : '=', fp);
    }
}

/* A single column of colours (a colour bar) as a vertical gradient. */
static void svg_gradient(svg *s, double x, double y, double w, double h, const uint32_t *rgb,
                         int rows)
{
    enum { STOPS = 33 };
    s->grad_id++;
    fprintf(s->fp, "<linearGradient id=\"grad%d\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">\n",
            s->grad_id);
    for (int k = 0; k < STOPS; k++) {
        double t = (double)k / (STOPS - 1);
        int i = (int)lround(t * (rows - 1));
        fprintf(s->fp, "<stop offset=\"%.4f\" stop-color=\"#%06x\"/>\n", t, rgb[i]);
    }
    fprintf(s->fp,
            "</linearGradient>\n<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
            "height=\"%.2f\" fill=\"url(#grad%d)\"/>\n",
            x, y, w, h, s->grad_id);
}

/* Each cell repeated over a kx × ky block: an image at least twice the
 * drawn size (within SVG_IMAGE_MAX), so smoothing cannot blur the cells. */
static uint32_t *upscaled(const uint32_t *rgb, int cols, int rows, double w, double h, int *kx,
                          int *ky)
{
    *kx = (int)ceil(2 * w / cols);
    *ky = (int)ceil(2 * h / rows);
    while (*kx > 1 && (int64_t)cols * *kx > SVG_IMAGE_MAX)
        (*kx)--;
    while (*ky > 1 && (int64_t)rows * *ky > SVG_IMAGE_MAX)
        (*ky)--;
    int W = cols * *kx, H = rows * *ky;
    uint32_t *out = malloc((size_t)W * H * sizeof *out);
    if (!out)
        return NULL;
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++)
            out[(size_t)i * W + j] = rgb[(size_t)(i / *ky) * cols + j / *kx];
    return out;
}

static void svg_image(void *self, double x, double y, double w, double h, const uint32_t *rgb,
                      int cols, int rows)
{
    svg *s = self;
    if (cols == 1 && rows > 16) {
        svg_gradient(s, x, y, w, h, rgb, rows);
        return;
    }
    if ((size_t)cols * rows <= SVG_MAX_RECTS) {
        fputs("<g shape-rendering=\"crispEdges\">\n", s->fp);
        double cw = w / cols, ch = h / rows;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                fprintf(s->fp,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                        "fill=\"#%06x\"/>\n",
                        x + j * cw, y + i * ch, cw, ch, rgb[(size_t)i * cols + j]);
        fputs("</g>\n", s->fp);
        return;
    }
    int kx, ky;
    uint32_t *big = upscaled(rgb, cols, rows, w, h, &kx, &ky);
    unsigned char *png = NULL;
    size_t len;
    if (!big)
        ws_fail(s->e, "out of memory");
    if (!big || ws_png_encode(big, cols * kx, rows * ky, 0, &png, &len, s->e) != 0) {
        free(big);
        s->failed = 1;
        return;
    }
    free(big);
    fprintf(s->fp,
            "<image x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
            "preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" "
            "style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,",
            x, y, w, h);
    put_base64(s->fp, png, len);
    fputs("\"/>\n", s->fp);
    free(png);
}

static void svg_clip(void *self, double x, double y, double w, double h)
{
    svg *s = self;
    s->clip_id++;
    fprintf(s->fp,
            "<clipPath id=\"clip%d\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
            "height=\"%.2f\"/></clipPath>\n<g clip-path=\"url(#clip%d)\">\n",
            s->clip_id, x, y, w, h, s->clip_id);
    s->clipping = 1;
}

static void svg_clip_end(void *self)
{
    svg *s = self;
    if (s->clipping)
        fputs("</g>\n", s->fp);
    s->clipping = 0;
}

int ws_figure_write_svg(const ws_figure *f, FILE *fp, ws_err *e)
{
    svg s = {.fp = fp, .e = e};
    ws_canvas c = {&s,         svg_rect,  svg_frame, svg_polyline, svg_marker,
                   svg_text,   svg_image, svg_clip,  svg_clip_end};
    if (ws_fig_font_ready(e) != 0)   /* the layout measures text with it */
        return -1;
    /* The size in inches (pixels / dpi), drawn in pixels through viewBox. */
    fprintf(fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" "
            "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" "
            "width=\"%.4gin\" height=\"%.4gin\" viewBox=\"0 0 %d %d\" "
            "font-family=\"DejaVu Sans, sans-serif\" fill=\"#222222\">\n",
            f->width / f->dpi, f->height / f->dpi, f->width, f->height);
    if (f->title[0]) {
        fputs("<title>", fp);
        put_escaped(fp, f->title);
        fputs("</title>\n", fp);
    }
    /* s.failed: an embedded heatmap could not be encoded (e says why). */
    if (ws_figure_draw(f, &c, e) != 0 || s.failed)
        return -1;
    fputs("</svg>\n", fp);
    if (ferror(fp))
        return ws_fail(e, "write failed");
    return 0;
}
