/* PNG and PDF back ends: the canvas drawn by cairo.
 *
 * Lines, text and shapes are antialiased by cairo; text is DejaVu Sans from
 * figure_text.c's font file, unhinted so that it sits where the layout
 * measured it. Images (heatmaps, the colour bar) are sampled nearest, so
 * cells keep sharp edges. The PNG is cairo's pixels written by libpng with
 * the figure's dpi in pHYs; the PDF page is the figure's size in inches,
 * with the font embedded and subset (pdftotext reads the text) and a fixed
 * creation date so that the same figure gives the same bytes. */
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"

/* ---- the font face, shared by every cairo context ---- */

static pthread_once_t face_once = PTHREAD_ONCE_INIT;
static cairo_font_face_t *face;

static void load_face(void)
{
    /* A face of our own (the measuring one in figure_text.c has its lock);
     * cairo locks this one itself. It lives as long as the process. */
    FT_Library lib;
    FT_Face ft;
    if (FT_Init_FreeType(&lib) || FT_New_Face(lib, ws_fig_font_path(), 0, &ft))
        return;
    face = cairo_ft_font_face_create_for_ft_face(ft, 0);
    if (cairo_font_face_status(face) != CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(face);
        face = NULL;
    }
}

static cairo_font_face_t *font_face(ws_err *e)
{
    if (ws_fig_font_ready(e) != 0)
        return NULL;
    pthread_once(&face_once, load_face);
    if (!face)
        ws_fail(e, "cairo cannot use the figure font %s", ws_fig_font_path());
    return face;
}

/* ---- canvas ---- */

static void set_colour(cairo_t *cr, uint32_t c, double opacity)
{
    cairo_set_source_rgba(cr, (c >> 16 & 255) / 255.0, (c >> 8 & 255) / 255.0, (c & 255) / 255.0,
                          opacity);
}

static void cr_rect(void *self, double x, double y, double w, double h, uint32_t fill,
                    double opacity)
{
    cairo_t *cr = self;
    set_colour(cr, fill, opacity);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

static void cr_frame(void *self, double x, double y, double w, double h, uint32_t colour,
                     double width)
{
    cairo_t *cr = self;
    set_colour(cr, colour, 1);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
}

static void cr_polyline(void *self, const double *xy, size_t n, uint32_t colour, double width,
                        int dashed, double opacity)
{
    cairo_t *cr = self;
    if (n < 2)
        return;
    set_colour(cr, colour, opacity);
    cairo_set_line_width(cr, width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, dashed ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
    double dash[2] = {width * 4, width * 3};
    cairo_set_dash(cr, dash, dashed ? 2 : 0, 0);
    cairo_move_to(cr, xy[0], xy[1]);
    for (size_t i = 1; i < n; i++)
        cairo_line_to(cr, xy[2 * i], xy[2 * i + 1]);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void cr_marker(void *self, double x, double y, double r, uint32_t colour)
{
    cairo_t *cr = self;
    set_colour(cr, colour, 1);
    cairo_new_sub_path(cr);
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    cairo_fill(cr);
}

static void cr_text(void *self, double x, double y, const char *s, int anchor, int vertical,
                    double size, uint32_t colour)
{
    cairo_t *cr = self;
    double w = ws_fig_text_width(s, size);
    double shift = anchor == WS_ANCHOR_MIDDLE ? w / 2 : anchor == WS_ANCHOR_END ? w : 0;
    cairo_save(cr);
    cairo_translate(cr, x, y);
    if (vertical)
        cairo_rotate(cr, -M_PI / 2);
    cairo_set_font_size(cr, size);
    set_colour(cr, colour, 1);
    cairo_move_to(cr, -shift, 0);
    cairo_show_text(cr, s);
    cairo_new_path(cr);
    cairo_restore(cr);
}

static void cr_image(void *self, double x, double y, double w, double h, const uint32_t *rgb,
                     int cols, int rows)
{
    cairo_t *cr = self;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, cols, rows);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return;
    }
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (int i = 0; i < rows; i++)
        memcpy(data + (size_t)i * stride, rgb + (size_t)i * cols, (size_t)cols * 4);
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / cols, h / rows);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
}

static void cr_clip(void *self, double x, double y, double w, double h)
{
    cairo_t *cr = self;
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
}

static void cr_clip_end(void *self)
{
    cairo_restore(self);
}

/* Draw the figure on a cairo context whose user space is the figure's
 * pixels. */
static int draw(const ws_figure *f, cairo_t *cr, ws_err *e)
{
    cairo_font_face_t *ff = font_face(e);
    if (!ff)
        return -1;
    cairo_set_font_face(cr, ff);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);
    ws_canvas c = {cr,      cr_rect,  cr_frame, cr_polyline, cr_marker,
                   cr_text, cr_image, cr_clip,  cr_clip_end};
    if (ws_figure_draw(f, &c, e) != 0)
        return -1;
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        return ws_fail(e, "drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    return 0;
}

int ws_figure_write_png(const ws_figure *f, FILE *fp, ws_err *e)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, f->width, f->height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return ws_fail(e, "out of memory for a %dx%d image", f->width, f->height);
    }
    cairo_t *cr = cairo_create(s);
    int rc = draw(f, cr, e);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    if (rc == 0) {
        /* RGB24 pixels are 0x00RRGGBB words, row by row (stride: whole words). */
        const uint32_t *px = (const uint32_t *)cairo_image_surface_get_data(s);
        int stride = cairo_image_surface_get_stride(s) / 4;
        uint32_t *rgb = stride == f->width ? NULL : malloc((size_t)f->width * f->height * 4);
        if (rgb)
            for (int y = 0; y < f->height; y++)
                memcpy(rgb + (size_t)y * f->width, px + (size_t)y * stride, (size_t)f->width * 4);
        if (stride != f->width && !rgb)
            rc = ws_fail(e, "out of memory");
        else
            rc = ws_png_write(rgb ? rgb : px, f->width, f->height, f->dpi, fp, e);
        free(rgb);
    }
    cairo_surface_destroy(s);
    return rc;
}

static cairo_status_t to_file(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int ws_figure_write_pdf(const ws_figure *f, FILE *fp, ws_err *e)
{
    double pt = 72.0 / f->dpi;   /* points per pixel */
    cairo_surface_t *s =
        cairo_pdf_surface_create_for_stream(to_file, fp, f->width * pt, f->height * pt);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return ws_fail(e, "cannot start a PDF");
    }
    /* Reproducible bytes: a fixed date instead of the time of writing. */
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "wscope");
    if (f->title[0])
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, f->title);
    cairo_t *cr = cairo_create(s);
    cairo_scale(cr, pt, pt);
    int rc = draw(f, cr, e);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (rc == 0 && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = ws_fail(e, "PDF writing failed: %s", cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    if (rc == 0 && ferror(fp))
        rc = ws_fail(e, "write failed");
    return rc;
}
