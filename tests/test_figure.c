/* Figures: tick selection, SVG structure and text, PNG pixels read back
 * with libpng, heatmap colours, and the file rules (no overwrite of an
 * input, bad sizes and paths). */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "check.h"
#include "figure.h"
#include "plots.h"
#include "table.h"
#include "png_image.h"

static char tmpdir[] = "/tmp/wscope-figure-XXXXXX";

static const char *tmp(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* ---- ticks ---- */

static int has_tick(const ws_ticks *t, double v, const char *label)
{
    for (int i = 0; i < t->n; i++)
        if (fabs(t->v[i] - v) <= 1e-12 * fmax(1, fabs(v)) && !strcmp(t->label[i], label))
            return 1;
    return 0;
}

static void test_ticks_linear(void)
{
    ws_ticks t;
    ws_ticks_linear(0, 1, 5, &t);
    CHECK(t.n == 6);
    const char *want[] = {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"};
    for (int i = 0; i < 6 && i < t.n; i++) {
        CHECK_NEAR(t.v[i], 0.2 * i, 1e-12);
        CHECKF(!strcmp(t.label[i], want[i]), "tick %d: %s", i, t.label[i]);
    }
    ws_ticks_linear(0, 63, 5, &t);           /* a row of 64: 0, 10, ..., 60 */
    CHECK(t.n == 7 && has_tick(&t, 0, "0") && has_tick(&t, 60, "60"));
    ws_ticks_linear(-0.047, 0.052, 5, &t);   /* symmetric, 0 exactly "0.00" */
    CHECK(has_tick(&t, 0, "0.00") && has_tick(&t, -0.04, "−0.04") && has_tick(&t, 0.04, "0.04"));
    ws_ticks_linear(0.2, 0.21, 5, &t);       /* a narrow range still gets two ticks */
    CHECK(t.n >= 2 && t.v[0] >= 0.2 - 1e-12 && t.v[t.n - 1] <= 0.21 + 1e-12);
    ws_ticks_linear(1.001, 1.009, 5, &t);    /* nice steps inside an odd range */
    CHECK(t.n >= 2 && has_tick(&t, 1.002, "1.002"));
    ws_ticks_linear(0, 5e6, 5, &t);          /* big numbers in exponent form */
    CHECK(has_tick(&t, 1e6, "1e6") && has_tick(&t, 0, "0"));
    ws_ticks_linear(0, 3e-5, 3, &t);
    CHECK(has_tick(&t, 1e-5, "1e−5"));
    ws_ticks_linear(3, 3, 5, &t);            /* a single value */
    CHECK(t.n == 1 && t.v[0] == 3);
    ws_ticks_linear(0, 1e9, 1000, &t);       /* never more than the table holds */
    CHECK(t.n <= WS_TICKS_MAX && t.n >= 2);
    ws_ticks_linear(NAN, 1, 5, &t);
    CHECK(t.n == 0);
}

static int count_major(const ws_ticks *t)
{
    int n = 0;
    for (int i = 0; i < t->n; i++)
        n += t->major[i];
    return n;
}

static void test_ticks_log(void)
{
    ws_ticks t;
    ws_ticks_log(1e-3, 100, &t);             /* six decades, labelled, minors between */
    CHECK(count_major(&t) == 6);
    CHECK(has_tick(&t, 1e-3, "0.001") && has_tick(&t, 1, "1") && has_tick(&t, 100, "100"));
    CHECK(has_tick(&t, 2e-3, "") && has_tick(&t, 50, ""));
    CHECK(t.n == 6 + 5 * 8);
    ws_ticks_log(1e-12, 1, &t);              /* thirteen decades: every other, no minors */
    CHECK(t.n == count_major(&t) && t.n == 7);
    CHECK(has_tick(&t, 1e-12, "1e−12") && has_tick(&t, 1e-6, "1e−6") && has_tick(&t, 1, "1"));
    ws_ticks_log(0.3, 5, &t);                /* one decade mark: 2 and 5 labelled too */
    CHECK(has_tick(&t, 1, "1") && has_tick(&t, 2, "2") && has_tick(&t, 5, "5") &&
          has_tick(&t, 0.5, "0.5"));
    ws_ticks_log(2, 8, &t);                  /* inside a decade: 1-2-5 steps */
    CHECK(t.n >= 2 && has_tick(&t, 4, "4"));
    ws_ticks_log(0, 1, &t);
    CHECK(t.n == 0);
}

/* ---- SVG ---- */

/* Well-formedness: every element closed in order, attributes quoted, no
 * raw '&' or '<' in text. Counts elements named `count_name`. */
static int xml_ok(const char *s, const char *count_name, int *count)
{
    char stack[64][32];
    int depth = 0;
    *count = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '&') {
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
                strncmp(p, "&quot;", 6))
                return 0;
            continue;
        }
        if (*p != '<')
            continue;
        if (p[1] == '?') {
            p = strstr(p, "?>");
            if (!p)
                return 0;
            continue;
        }
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        size_t len = strcspn(n, " />\n");
        const char *end = n + len;
        int quote = 0;
        while (*end && (quote || *end != '>')) {
            if (*end == '"')
                quote = !quote;
            else if (*end == '<' && !quote)
                return 0;
            end++;
        }
        if (!*end || len == 0 || len >= 32)
            return 0;
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], n, len) || stack[depth - 1][len])
                return 0;
            depth--;
        } else {
            if (count_name && strlen(count_name) == len && !strncmp(n, count_name, len))
                (*count)++;
            if (end[-1] != '/') {
                if (depth == 64)
                    return 0;
                memcpy(stack[depth], n, len);
                stack[depth++][len] = 0;
            }
        }
        p = end;
    }
    return depth == 0;
}

static char *svg_of(const ws_figure *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    ws_err e = {{0}};
    int rc = ws_figure_write_svg(f, fp, &e);
    fclose(fp);
    CHECKF(rc == 0, "%s", e.msg);
    return buf;
}

/* A figure at 96 dpi: screen-sized, 7 pt text is 9.3 pixels. */
static ws_figure *screen_figure(int w, int h, ws_err *e)
{
    ws_figure *f = ws_figure_new(w, h, e);
    if (f)
        f->dpi = 96;
    return f;
}

static ws_figure *two_lines(int w, int h)
{
    ws_err e = {{0}};
    ws_figure *f = screen_figure(w, h, &e);
    double flat[11], x2[2] = {0, 10}, y2[2] = {0, 1};
    for (int i = 0; i < 11; i++)
        flat[i] = 0.5;
    ws_figure_set_labels(f, "Fit <a&b>", "column index", "weight");
    CHECK(ws_figure_add(f, WS_SERIES_LINE, NULL, flat, 11, "flat", 0x1f6fb4, &e) != NULL);
    CHECK(ws_figure_add(f, WS_SERIES_LINE, x2, y2, 2, "rise", 0xd1495b, &e) != NULL);
    f->series[0].width = 3;
    return f;
}

static void test_svg(void)
{
    ws_figure *f = two_lines(400, 300);
    char *s = svg_of(f);
    int texts = 0, polys = 0;
    CHECK(xml_ok(s, "text", &texts));
    CHECK(xml_ok(s, "polyline", &polys));
    CHECK_STR_CONTAINS(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    CHECK_STR_CONTAINS(s, "width=\"4.167in\" height=\"3.125in\" viewBox=\"0 0 400 300\"");
    CHECK_STR_CONTAINS(s, "font-family=\"DejaVu Sans, sans-serif\"");
    CHECK_STR_CONTAINS(s, ">Fit &lt;a&amp;b&gt;</text>");
    CHECK_STR_CONTAINS(s, ">column index</text>");
    CHECK_STR_CONTAINS(s, "rotate(-90");   /* the y label stands up */
    CHECK_STR_CONTAINS(s, ">weight</text>");
    CHECK_STR_CONTAINS(s, ">flat</text>"); /* legend */
    CHECK_STR_CONTAINS(s, ">rise</text>");
    /* y ticks 0.0 .. 1.0 in steps of 0.2 (range 0..1 padded by 5 %) */
    const char *yt[] = {">0.0<", ">0.2<", ">0.4<", ">0.6<", ">0.8<", ">1.0<"};
    for (int i = 0; i < 6; i++)
        CHECK_STR_CONTAINS(s, yt[i]);
    CHECK_STR_CONTAINS(s, ">10<");          /* the last x tick */
    /* title + 3 labels... at least: 6 y ticks, some x ticks, 2 axis labels, 2 legend */
    CHECK(texts >= 6 + 3 + 2 + 2 + 1);
    CHECK(polys >= 2 + 6);                  /* the two series and the grid */
    CHECK_STR_CONTAINS(s, "stroke=\"#d1495b\"");
    CHECK_STR_CONTAINS(s, "clip-path=\"url(#clip1)\"");
    free(s);

    /* A dashed series and control characters in labels. */
    f->series[1].dashed = 1;
    ws_figure_set_labels(f, "tab\there", "x", "\"q\"");
    s = svg_of(f);
    CHECK(xml_ok(s, NULL, &texts));
    CHECK_STR_CONTAINS(s, "stroke-dasharray");
    CHECK_STR_CONTAINS(s, ">tab\\there</text>");   /* escaped, visible (src/escape.h) */
    CHECK_STR_CONTAINS(s, ">&quot;q&quot;</text>");
    free(s);

    /* Malformed UTF-8 in a label never makes the SVG malformed: escaped (src/escape.h). */
    ws_figure_set_labels(f, "bad \xff\xc3 end", "σ\xe2\x88", "ok λ");
    s = svg_of(f);
    CHECK_STR_CONTAINS(s, ">bad \\xff\\xc3 end</text>");
    CHECK_STR_CONTAINS(s, ">σ\\xe2\\x88</text>");
    CHECK_STR_CONTAINS(s, ">ok λ</text>");
    free(s);
    const char *u = "a\xc3\xa9\xe2\x88\x92\xf0\x9f\x98\x80\xff";
    unsigned want[] = {'a', 0xe9, 0x2212, 0x1f600, '?'};
    for (int i = 0; i < 5; i++)
        CHECK(ws_utf8_next(&u) == want[i]);
    CHECK(*u == 0);
    /* DejaVu Sans advances: proportional, additive, about half an em. */
    double a = ws_fig_text_width("a", 20), ae = ws_fig_text_width("a\xc3\xa9", 20);
    CHECK(a > 0.55 * 20 && a < 0.65 * 20);
    CHECK_NEAR(ae, a + ws_fig_text_width("\xc3\xa9", 20), 1e-9);
    CHECK(ws_fig_text_width("i", 20) < 0.5 * ws_fig_text_width("M", 20));
    CHECK_NEAR(ws_fig_text_width("a", 40), 2 * a, 1e-9);
    ws_figure_free(f);
}

/* ---- PNG ---- */

static uint32_t pixel(const image *im, double x, double y)
{
    return png_at(im, (int)floor(x), (int)floor(y));
}

static int between(uint32_t c, uint32_t a, uint32_t b)
{
    int strict = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int v = c >> sh & 255, lo = a >> sh & 255, hi = b >> sh & 255;
        if (lo > hi) {
            int t = lo;
            lo = hi, hi = t;
        }
        if (v < lo || v > hi)
            return 0;
        strict |= v > lo && v < hi;
    }
    return strict;
}

static void test_png(void)
{
    ws_figure *f = two_lines(400, 300);
    ws_err e = {{0}};
    const char *path = tmp("lines.png");
    CHECKF(ws_figure_save(f, path, &e) == 0, "%s", e.msg);
    image im;
    CHECK(read_png(path, &im) == 0);
    CHECK(im.w == 400 && im.h == 300);
    double x, y;
    ws_figure_data_to_pixel(f, 3, 0.5, &x, &y);      /* on the flat line only */
    CHECKF(pixel(&im, x, y) == 0x1f6fb4, "%06x at %.1f,%.1f", pixel(&im, x, y), x, y);
    ws_figure_data_to_pixel(f, 9, 0.1, &x, &y);      /* far from both lines */
    CHECKF(pixel(&im, x, y) == 0xffffff, "%06x", pixel(&im, x, y));
    /* Across the sloping line: some pixels partly covered (blends of the
     * line colour and white), none of another colour. */
    ws_figure_data_to_pixel(f, 7, 0.7, &x, &y);
    int partial = 0;
    double most = 0;   /* the largest coverage, from the green channel */
    for (int dy = -5; dy <= 5; dy++) {
        uint32_t c = pixel(&im, x, y + dy);
        most = fmax(most, (255.0 - (c >> 8 & 255)) / (255 - 0x49));
        partial += between(c, 0xd1495b, 0xffffff);
        CHECKF(c == 0xd1495b || c == 0xffffff || c == 0xe4e4e4 || between(c, 0xd1495b, 0xffffff) ||
                   between(c, 0xd1495b, 0xe4e4e4),
               "%06x", c);
    }
    CHECK(partial >= 1);
    CHECKF(most > 0.75, "%g", most);
    /* Text is drawn: the title row has dark ink in the middle of the image. */
    int ink = 0;
    for (int yy = 0; yy < 30; yy++)
        for (int xx = 100; xx < 300; xx++)
            ink += (pixel(&im, xx, yy) & 0xff) < 0x80;
    CHECK(ink > 20);
    free(im.px);
    ws_figure_free(f);
}

/* ---- PDF ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    rewind(fp);
    char *b = malloc(*len + 1);
    if (b && fread(b, 1, *len, fp) != *len) {
        free(b);
        b = NULL;
    }
    if (b)
        b[*len] = 0;
    fclose(fp);
    return b;
}

static void test_pdf(void)
{
    ws_figure *f = two_lines(480, 300);   /* 5 × 3.125 in at 96 dpi */
    ws_err e = {{0}};
    CHECKF(ws_figure_save(f, tmp("a.pdf"), &e) == 0, "%s", e.msg);
    CHECKF(ws_figure_save(f, tmp("b.PDF"), &e) == 0, "%s", e.msg);
    size_t na, nb;
    char *a = slurp(tmp("a.pdf"), &na), *b = slurp(tmp("b.PDF"), &nb);
    CHECK(a && b && na > 1000 && !strncmp(a, "%PDF-", 5));
    CHECK(a && b && na == nb && !memcmp(a, b, na));          /* same figure, same bytes */
    /* Binary: search the bytes. */
#define HAS(needle) CHECKF(a && memmem(a, na, needle, strlen(needle)), "no %s", needle)
    HAS("/MediaBox [ 0 0 360 225 ]");      /* points: pixels × 72 / dpi */
    HAS("+DejaVuSans");                    /* the font, embedded as a subset */
    HAS("/CreationDate (20000101");        /* fixed, not the time of writing */
#undef HAS
    free(a);
    free(b);
    ws_figure_free(f);
}

/* ---- heatmaps ---- */

static void test_colour_maps(void)
{
    CHECK(ws_diverging(0) == 0xf7f7f7);
    CHECK(ws_diverging(-1) == 0x053061 && ws_diverging(-5) == 0x053061);
    CHECK(ws_diverging(1) == 0x67001f);
    CHECK(ws_diverging(NAN) == 0x9a9a9a);
    CHECK((ws_diverging(0.5) >> 16) > (ws_diverging(0.5) & 0xff));  /* positive: red */
    CHECK((ws_diverging(-0.5) >> 16) < (ws_diverging(-0.5) & 0xff)); /* negative: blue */
    const ws_cmap *v = ws_cmap_find("sequential");
    CHECK(v && !strcmp(v->name, "viridis") && !v->diverging);
    CHECK(ws_cmap_find("diverging") == ws_cmap_find("rdbu"));
    CHECK(ws_cmap_find("jet") == NULL);
    CHECK(v && ws_cmap_colour(v, 0) == 0x440154 && ws_cmap_colour(v, 1) == 0xfde725);
    CHECK(v && ws_cmap_colour(v, 0.5) == 0x21908c);
    /* viridis darkens monotonically towards 0: luminance rises with t. */
    double last = -1;
    int monotone = 1;
    for (int i = 0; v && i <= 20; i++) {
        uint32_t c = ws_cmap_colour(v, i / 20.0);
        double lum = 0.2126 * (c >> 16) + 0.7152 * (c >> 8 & 255) + 0.0722 * (c & 255);
        monotone &= lum > last;
        last = lum;
    }
    CHECK(monotone);
    /* Okabe–Ito: the first line colours. */
    CHECK(ws_palette(0) == 0x0072b2 && ws_palette(1) == 0xd55e00 && ws_palette(8) == 0x0072b2);
}

static void test_heatmap_range(void)
{
    ws_err e = {{0}};
    ws_figure *f = ws_figure_new(300, 240, &e);
    float v[6] = {-2, 1, 0, 0.5f, NAN, 4};
    CHECK(ws_figure_set_heatmap(f, v, 2, 3, "w", &e) == 0);
    double lo, hi;
    ws_heatmap_range(f->heat, &lo, &hi);           /* diverging: ±max|v| */
    CHECK(lo == -4 && hi == 4);
    f->heat->clip = 50;                             /* median of |v|: 1 */
    ws_heatmap_range(f->heat, &lo, &hi);
    CHECK_NEAR(hi, 1, 1e-12);
    CHECK_NEAR(lo, -1, 1e-12);
    f->heat->clip = 100;
    f->heat->cmap = ws_cmap_find("viridis");        /* sequential: min..max */
    ws_heatmap_range(f->heat, &lo, &hi);
    CHECK(lo == -2 && hi == 4);
    f->heat->vmin = 0;                              /* one bound given */
    ws_heatmap_range(f->heat, &lo, &hi);
    CHECK(lo == 0 && hi == 4);
    f->heat->cmap = ws_cmap_find("rdbu");           /* diverging mirrors it */
    f->heat->vmin = NAN;
    f->heat->vmax = 0.5;
    ws_heatmap_range(f->heat, &lo, &hi);
    CHECK(lo == -0.5 && hi == 0.5);
    float zero[2] = {0, 0};                         /* nothing to span: ±1 */
    CHECK(ws_figure_set_heatmap(f, zero, 1, 2, NULL, &e) == 0);
    ws_heatmap_range(f->heat, &lo, &hi);
    CHECK(lo == -1 && hi == 1);
    ws_figure_free(f);
}

static void test_heatmap(void)
{
    ws_err e = {{0}};
    ws_figure *f = screen_figure(300, 240, &e);
    float v[6] = {-2, 2, 0, 1, -1, 0.5f};
    CHECK(ws_figure_set_heatmap(f, v, 2, 3, "weight", &e) == 0);
    char *s = svg_of(f);
    int rects = 0;
    CHECK(xml_ok(s, "rect", &rects));
    CHECK_STR_CONTAINS(s, "fill=\"#053061\"");  /* -2: the deepest blue */
    CHECK_STR_CONTAINS(s, "fill=\"#67001f\"");  /* +2: the deepest red */
    CHECK_STR_CONTAINS(s, ">weight</text>");    /* colour bar label */
    CHECK(rects >= 6 + 2);
    CHECK_STR_CONTAINS(s, ">2</text>");          /* column indices as integers */
    CHECK(!strstr(s, ">0.5</text>") && !strstr(s, ">1.0</text>"));
    free(s);
    const char *path = tmp("heat.png");
    CHECKF(ws_figure_save(f, path, &e) == 0, "%s", e.msg);
    image im;
    CHECK(read_png(path, &im) == 0);
    double x, y;
    ws_figure_data_to_pixel(f, 0, 0, &x, &y);   /* row 0, column 0 */
    CHECKF(pixel(&im, x, y) == 0x053061, "%06x", pixel(&im, x, y));
    ws_figure_data_to_pixel(f, 1, 0, &x, &y);
    CHECK(pixel(&im, x, y) == 0x67001f);
    ws_figure_data_to_pixel(f, 0, 1, &x, &y);   /* row 1, column 0: value 1 */
    CHECK(pixel(&im, x, y) == ws_diverging(0.5));
    free(im.px);

    /* A sequential map over an explicit range. */
    f->heat->cmap = ws_cmap_find("viridis");
    f->heat->vmin = -1;
    f->heat->vmax = 1;
    CHECKF(ws_figure_save(f, path, &e) == 0, "%s", e.msg);
    CHECK(read_png(path, &im) == 0);
    ws_figure_data_to_pixel(f, 0, 0, &x, &y);   /* -2, below the range: the lowest colour */
    CHECK(pixel(&im, x, y) == 0x440154);
    ws_figure_data_to_pixel(f, 2, 0, &x, &y);   /* 0: the middle */
    CHECK(pixel(&im, x, y) == 0x21908c);
    free(im.px);

    /* Square cells: the plot area takes the matrix's shape. */
    f->aspect_equal = 1;
    double px, py, pw, ph;
    ws_figure_plot_area(f, &px, &py, &pw, &ph);
    CHECK_NEAR(pw / ph, 3.0 / 2.0, 1e-9);
    f->aspect_equal = 0;

    /* Many cells: the SVG embeds a PNG (SVG 1.1: xlink:href) that repeats
     * each cell over a block of pixels, so smoothing viewers stay sharp. */
    float *big = malloc(100 * 100 * sizeof *big);
    for (int i = 0; i < 10000; i++)
        big[i] = (float)((i % 100) - 50);
    CHECK(ws_figure_set_heatmap(f, big, 100, 100, NULL, &e) == 0);
    s = svg_of(f);
    CHECK(xml_ok(s, "rect", &rects));
    CHECK(rects < 20);                      /* background, frames, legend */
    CHECK_STR_CONTAINS(s, "<linearGradient");  /* the colour bar */
    CHECK_STR_CONTAINS(s, "xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    CHECK_STR_CONTAINS(s, "xlink:href=\"data:image/png;base64,iVBORw0KGgo");
    CHECK_STR_CONTAINS(s, "image-rendering=\"optimizeSpeed\"");
    free(s);
    free(big);
    ws_figure_free(f);
}

/* ---- log axes, odd data ---- */

static void test_log_and_gaps(void)
{
    ws_err e = {{0}};
    ws_figure *f = screen_figure(320, 240, &e);
    double y[6] = {1e-4, 0, 1e-2, NAN, -3, 10};
    f->ylog = 1;
    CHECK(ws_figure_add(f, WS_SERIES_LINE, NULL, y, 6, NULL, 0, &e) != NULL);
    CHECK(ws_figure_add(f, WS_SERIES_POINTS, NULL, y, 6, "pts", 0, &e) != NULL);
    CHECK(ws_figure_add(f, WS_SERIES_BARS, NULL, y, 6, "bars", 0, &e) != NULL);
    char *s = svg_of(f);
    int n;
    CHECK(xml_ok(s, "circle", &n));
    CHECK(n == 3 + 3 + 1);  /* 3 points; the line's 3 lone points between gaps; legend */
    CHECK_STR_CONTAINS(s, ">0.001<");
    CHECK_STR_CONTAINS(s, ">10<");
    free(s);
    CHECKF(ws_figure_save(f, tmp("log.png"), &e) == 0, "%s", e.msg);
    ws_figure_free(f);

    /* A long dashed line ends (fmod rounding once stalled the dash loop),
     * and non-ASCII labels are drawn. */
    f = screen_figure(800, 500, &e);
    ws_figure_set_labels(f, "R² of λ", "μ", "σ × 2 ≤ 1");
    double *w = malloc(5000 * sizeof *w);
    for (int i = 0; i < 5000; i++)
        w[i] = sin(i * 0.37) + 0.3 * cos(i * 2.1);
    ws_series *d = ws_figure_add(f, WS_SERIES_LINE, NULL, w, 5000, "dashed", 0, &e);
    CHECK(d != NULL);
    d->dashed = 1;
    CHECKF(ws_figure_save(f, tmp("dashed.png"), &e) == 0, "%s", e.msg);
    free(w);
    ws_figure_free(f);

    /* 200000 points on 400 pixels: at most 4 a pixel column in the SVG,
     * the extremes kept. */
    f = screen_figure(400, 300, &e);
    double *many = malloc(200000 * sizeof *many);
    for (int i = 0; i < 200000; i++)
        many[i] = sin(i * 0.001) + (i == 123457 ? 5 : 0);
    CHECK(ws_figure_add(f, WS_SERIES_LINE, NULL, many, 200000, NULL, 0, &e) != NULL);
    s = svg_of(f);
    const char *pl = NULL;   /* the polyline with the most points */
    size_t pts = 0;
    for (const char *p = strstr(s, "<polyline"); p; p = strstr(p + 1, "<polyline")) {
        size_t k = 0;
        for (const char *q = p; *q != '/'; q++)
            k += *q == ',';
        if (k > pts)
            pts = k, pl = p;
    }
    CHECKF(pts > 300 && pts <= 4 * 400, "%zu points", pts);
    double tx, ty;
    ws_figure_data_to_pixel(f, 123457, many[123457], &tx, &ty);   /* the spike is drawn */
    char want[32];
    snprintf(want, sizeof want, ",%.2f", ty);
    CHECK(pl && strstr(pl, want) && strstr(pl, want) < strstr(pl, "/>"));
    free(s);
    free(many);
    ws_figure_free(f);

    /* No data at all still draws axes. */
    f = screen_figure(200, 150, &e);
    CHECKF(ws_figure_save(f, tmp("empty.svg"), &e) == 0, "%s", e.msg);
    ws_figure_free(f);
}

/* ---- files ---- */

static void test_files(void)
{
    ws_err e = {{0}};
    CHECK(ws_figure_new(10, 10, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "figure size 10x10");
    CHECK(ws_figure_new(800, 100000, &e) == NULL);

    ws_figure *f = two_lines(300, 200);
    /* An input file is never replaced. */
    const char *input = tmp("model.png");
    FILE *fp = fopen(input, "w");
    fputs("weights", fp);
    fclose(fp);
    ws_input_register(input);
    CHECK(ws_figure_save(f, input, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "refusing to overwrite an input file");
    char buf[16] = {0};
    fp = fopen(input, "r");
    CHECK(fread(buf, 1, sizeof buf - 1, fp) == 7 && !strcmp(buf, "weights"));
    fclose(fp);

    CHECK(ws_figure_save(f, tmp("figure.jpg"), &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "unknown figure format");
    CHECK(ws_figure_save(f, "/nonexistent-dir/x.svg", &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "cannot create");
    /* The numbers behind the figure, as CSV. */
    CHECKF(ws_figure_export_data(f, NULL, tmp("data.csv"), &e) == 0, "%s", e.msg);
    char line[128];
    int lines = 0, rise_end = 0;
    fp = fopen(tmp("data.csv"), "r");
    while (fp && fgets(line, sizeof line, fp)) {
        lines++;
        rise_end |= !strcmp(line, "rise,10,1\n");
        if (lines == 1)
            CHECK(!strcmp(line, "series,x,y\n"));
    }
    if (fp)
        fclose(fp);
    CHECK(lines == 1 + 11 + 2 && rise_end);

    /* Upper-case extensions work; the file is complete. */
    CHECKF(ws_figure_save(f, tmp("UP.SVG"), &e) == 0, "%s", e.msg);
    fp = fopen(tmp("UP.SVG"), "r");
    char tail[16] = {0};
    fseek(fp, -7, SEEK_END);
    CHECK(fread(tail, 1, 7, fp) == 7 && !strcmp(tail, "</svg>\n"));
    fclose(fp);
    /* A figure too small for its labels says so. */
    ws_figure *tiny = ws_figure_new(WS_FIG_MIN_W, WS_FIG_MIN_H, &e);
    ws_figure_set_labels(tiny, "a title", "a long x label", "a long y label");
    float v[2] = {-123456.789f, 987654.321f};
    CHECK(ws_figure_set_heatmap(tiny, v, 1, 2, "a colour bar label", &e) == 0);
    int rc = ws_figure_save(tiny, tmp("tiny.png"), &e);
    CHECK(rc == -1);
    CHECK_STR_CONTAINS(e.msg, "too small for its labels");
    ws_figure_free(tiny);
    ws_figure_free(f);
}

/* ---- the standard figures ---- */

static void test_plots(void)
{
    ws_err e = {{0}};
    /* A row that is exactly two Gaussians, with its exact fit drawn over it. */
    ws_fit_row fit = {.K = 2, .A = {0.5, -0.25}, .mu = {10, 30}, .sigma = {3, 5}, .r2 = 1};
    double row[40];
    float rowf[40];
    ws_fit_eval(&fit, 40, row);
    for (int i = 0; i < 40; i++)
        rowf[i] = (float)row[i];
    ws_figure *f = ws_plot_line(rowf, 40, "two bumps", "column index", NULL, NULL, &e);
    CHECK(f && f->width == WS_PLOT_W && f->height == WS_PLOT_H && f->dpi == WS_FIG_DPI);
    CHECK(ws_plot_add_fit(f, &fit, WS_FIT_FREE, 40, &e) == 0);
    CHECK(f->n_series == 1 + 2 + 1);
    /* The curves are sampled 8 times per column: x = 39·i/319. */
    CHECK(f->series[3].n == 320);
    CHECK_NEAR(f->series[3].x[80], 39.0 * 80 / 319, 1e-12);
    for (size_t i = 0; i < f->series[3].n; i += 29) {
        double x = f->series[3].x[i];
        double want = 0.5 * exp(-(x - 10) * (x - 10) / 18) - 0.25 * exp(-(x - 30) * (x - 30) / 50);
        CHECK_NEAR(f->series[3].y[i], want, 1e-12);
        CHECK_NEAR(f->series[1].y[i] + f->series[2].y[i], want, 1e-12);
    }
    CHECK_NEAR(f->series[3].y[319], row[39], 1e-12);  /* agrees with ws_fit_eval */
    CHECK(f->series[1].dashed && f->series[2].dashed && !f->series[3].dashed);
    char *s = svg_of(f);
    int n;
    CHECK(xml_ok(s, "polyline", &n));
    CHECK_STR_CONTAINS(s, ">free 2-Gaussian fit, R² = 1.000</text>");
    CHECK_STR_CONTAINS(s, ">weights</text>");
    CHECK_STR_CONTAINS(s, ">components</text>");
    free(s);
    ws_figure_free(f);

    /* A cancelling pair (A = ±1.35 at one μ) over a row of |w| < 0.06: the
     * axis follows the row and the mixture, not the components. */
    ws_fit_row cancel = {.K = 3, .A = {1.35, -1.38, 0.05}, .mu = {20, 20, 10},
                         .sigma = {4, 4.1, 3}, .r2 = 0.5};
    double crow[40];
    ws_fit_eval(&cancel, 40, crow);
    for (int i = 0; i < 40; i++)
        rowf[i] = (float)(0.05 * sin(i * 0.7));
    f = ws_plot_line(rowf, 40, "cancel", "column index", NULL, NULL, &e);
    CHECK(f && ws_plot_add_fit(f, &cancel, WS_FIT_FREE, 40, &e) == 0);
    double cx, py_top, py_one, ax, ay, aw, ah;
    ws_figure_plot_area(f, &ax, &ay, &aw, &ah);
    ws_figure_data_to_pixel(f, 0, 1.0, &cx, &py_one);    /* a component's height */
    double ymax = 0;
    for (int i = 0; i < 40; i++)
        ymax = fmax(ymax, fmax(fabs(rowf[i]), fabs(crow[i])));
    ws_figure_data_to_pixel(f, 0, ymax, &cx, &py_top);
    CHECKF(py_one < ay && py_top >= ay, "1.0 at %g, the data's top at %g, the plot from %g", py_one,
           py_top, ay);
    CHECK(f && f->series[1].no_range && !f->series[f->n_series - 1].no_range);
    ws_figure_free(f);

    /* A spectrum with one pair (λ1, λ2) marked on a log axis. */
    double lam[4] = {4, 2, 1.99, 0.01};
    ws_pair pair = {1, 0.005, NAN};
    ws_spectrum sp = {.status = WS_AS_OK, .d = 4, .lam = lam, .rank = 4, .n_pairs = 1,
                      .pairs = &pair, .rule = {.tol = 0.01}};
    f = ws_plot_spectrum(&sp, "wte", NULL, &e);
    CHECK(f && f->ylog && f->n_series == 2);
    CHECK(f && f->series[1].n == 2 && f->series[1].x[0] == 1 && f->series[1].y[1] == 1.99);
    s = svg_of(f);
    CHECK_STR_CONTAINS(s, ">1 pair (tol 0.01)</text>");
    CHECK_STR_CONTAINS(s, ">0.01</text>");     /* decade ticks */
    CHECK_STR_CONTAINS(s, ">1</text>");
    CHECK_STR_CONTAINS(s, "E = wte</text>");
    free(s);
    ws_figure_free(f);
    sp.status = WS_AS_ZERO;
    CHECK(ws_plot_spectrum(&sp, "wte", NULL, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "no spectrum");

    /* A V < d embedding: the numerical null space (the spectrum's rank,
     * ws_spectrum_rank) is left out, and said so. */
    double lam0[5] = {4, 2, 1, 1e-17, -3e-18};
    ws_spectrum sz = {.status = WS_AS_OK, .d = 5, .lam = lam0,
                      .rank = ws_spectrum_rank(lam0, 5, 3, 5)};
    f = ws_plot_spectrum(&sz, "wte", NULL, &e);
    CHECK(f && f->series[0].n == 3);
    CHECK(f && !strcmp(f->series[0].label, "λ (2 numerical zeros not drawn)"));
    ws_figure_free(f);

    /* Big matrices are block-averaged, one block per pixel of the plot
     * area, and keep their indices on the axes; the colour range is that
     * of the blocks drawn, not of the raw values. */
    float *big = calloc(3000 * 2, sizeof *big);
    big[0] = 1;
    f = ws_plot_matrix(big, 3000, 2, "tall", "weight", NULL, &e);
    double px, py, pw, ph;
    ws_figure_plot_area(f, &px, &py, &pw, &ph);
    int64_t br = (int64_t)ceil(3000 / floor(ph));
    CHECKF(f && f->heat->rows == (3000 + br - 1) / br && f->heat->rows <= ph && f->heat->cols == 2,
           "%lld rows on %g pixels", f ? (long long)f->heat->rows : 0LL, ph);
    CHECK(f && f->heat->index_rows == 3000);
    double lo, hi;
    ws_heatmap_range(f->heat, &lo, &hi);
    CHECK_NEAR(hi, 1.0 / (double)br, 1e-7);       /* the block mean, not 1 */
    s = svg_of(f);
    CHECK_STR_CONTAINS(s, ">2500</text>");
    free(s);
    ws_figure_free(f);
    /* A percentile range, as the TUI's clip: the largest block is ignored. */
    for (int i = 0; i < 6000; i++)
        big[i] = (float)(i % 7) - 3;
    big[0] = 1000;
    ws_plot_opts o = {.clip = 99};
    f = ws_plot_matrix(big, 3000, 2, "tall", "weight", &o, &e);
    ws_heatmap_range(f->heat, &lo, &hi);
    CHECK(f && hi < 10 && lo == -hi);
    ws_figure_free(f);
    free(big);
    /* One row: a line, not a one-pixel-high heatmap. */
    float one[5] = {1, 2, 3, 2, 1};
    f = ws_plot_matrix(one, 1, 5, "ln", "ΔW", NULL, &e);
    CHECK(f && !f->heat && f->n_series == 1 && f->series[0].n == 5 && !strcmp(f->ylabel, "ΔW"));
    ws_figure_free(f);
    CHECK(ws_plot_matrix(NULL, 0, 3, "empty", "weight", NULL, &e) == NULL);
}

/* ---- training runs ---- */

static void test_runs(void)
{
    ws_err e = {{0}};
    ws_run a, b;
    ws_run_init(&a, "a.csv");
    ws_run_init(&b, "b.csv");
    for (int i = 0; i < 10; i++) {
        ws_run_rec r = {.step = i, .loss = 5 - 0.1 * i + (i % 2 ? 0.3 : 0), .val_loss = NAN,
                        .lr = NAN, .grad_norm = NAN, .tokens_per_s = NAN, .elapsed_s = NAN,
                        .n_frozen = -1};
        if (i % 5 == 0)
            r.val_loss = 4.5 - 0.1 * i;
        CHECK(ws_run_add(&a, &r, &e) == 0);
        r.loss += 1;
        CHECK(ws_run_add(&b, &r, &e) == 0);
    }
    ws_run_rec fin = {.step = 10, .loss = NAN, .val_loss = 3.9, .n_frozen = -1};
    CHECK(ws_run_add(&a, &fin, &e) == 0);   /* the final evaluation: a validation point */
    const ws_run *runs[2] = {&a, &b};
    ws_loss_plot_opts lo = {.smoothing = 0.6};
    ws_figure *f = ws_plot_loss_curves(runs, 2, &lo, NULL, &e);
    CHECKF(f != NULL, "%s", e.msg);
    /* Per run: raw, smoothed, validation; then the legend's "validation". */
    CHECK(f && f->n_series == 3 + 3 + 1);
    if (f && f->n_series == 7) {
        ws_series *raw = &f->series[0], *sm = &f->series[1], *val = &f->series[2];
        CHECK(raw->n == 10 && raw->opacity < 0.5 && !raw->label[0]);
        CHECK(sm->n == 10 && sm->opacity == 1 && !strcmp(sm->label, "a.csv (EMA 0.6)"));
        double want[10];
        ws_ema(raw->y, 10, 0.6, want);
        for (int i = 0; i < 10; i++)
            CHECK_NEAR(sm->y[i], want[i], 1e-12);
        CHECK(val->kind == WS_SERIES_POINTS && val->n == 3 && val->x[2] == 10 && val->y[2] == 3.9);
        CHECK(f->series[0].colour == ws_palette(0) && f->series[3].colour == ws_palette(1));
        CHECK(!strcmp(f->series[6].label, "validation") && f->series[6].n == 0);
        CHECK(!strcmp(f->title, "Training loss of 2 runs") && !strcmp(f->xlabel, "step"));
    }
    ws_figure_free(f);
    ws_run empty;
    ws_run_init(&empty, "empty.csv");
    const ws_run *none[1] = {&empty};
    CHECK(ws_plot_loss_curves(none, 1, &lo, NULL, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "no losses to draw in empty.csv");
    /* A window of the last 4 steps, and a freeze event drawn in it. */
    CHECK(ws_run_add_event(&a, 8, "qkv@0", "freeze@8", &e) == 0);
    lo.window = 4;
    const ws_run *one[1] = {&a};
    f = ws_plot_loss_curves(one, 1, &lo, NULL, &e);
    CHECK(f && f->n_series == 3 + 1 + 1);
    if (f && f->n_series == 5) {
        /* The last step is the final evaluation's, 10: steps 7..9 trained. */
        CHECK(f->series[0].n == 3 && f->series[0].x[0] == 7);
        double x[10], y[10];
        ws_run_points(&a, 0, -1, x, y, 10);
        ws_ema(y, 10, 0.6, y);                   /* smoothed over the whole run */
        CHECK_NEAR(f->series[1].y[0], y[7], 1e-12);
        CHECK(f->series[2].n == 1 && f->series[2].x[0] == 10);  /* the final evaluation */
        CHECK(f->series[3].dashed && f->series[3].x[0] == 8 && f->series[3].x[1] == 8);
    }
    ws_figure_free(f);
    ws_run_free(&empty);
    ws_run_free(&a);
    ws_run_free(&b);
}

/* ---- bar charts of described tables ---- */

static void test_table_bars(void)
{
    ws_err e = {{0}};
    ws_table *t = ws_table_new_named("layers", "test");
    static const ws_col cols[] = {
        {"name", "name", WS_COL_STR, NULL, "", "", WS_MORE_NONE, 0},
        {"role", "role", WS_COL_STR, NULL, "", "", WS_MORE_NONE, 0},
        {"layer", "layer", WS_COL_INT, NULL, "", "", WS_MORE_NONE, WS_COL_DATA},
        {"pr", "PR", WS_COL_NUM, "%.2f", "", "participation ratio", WS_MORE_HIGHER, WS_COL_BARS},
        {"pr_null_mean", "PR null", WS_COL_NUM, "%.2f", "", "", WS_MORE_HIGHER, 0},
        {"pr_null_std", "PR null sd", WS_COL_NUM, "%.2f", "", "", WS_MORE_HIGHER, 0},
        {"status", "status", WS_COL_STR, NULL, "", "", WS_MORE_NONE, 0},
    };
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
        CHECK(ws_table_add_col(t, &cols[c]) == (int)c);
    /* name, role, layer (NaN: none), pr, null mean, null sd */
    struct { const char *name, *role; double layer, pr, nm, ns; } rows[] = {
        {"wte", "embed", NAN, 10, 12, 1},
        {"h.0.qkv", "qkv@0", 0, 20, 30, 2},
        {"h.0.out", "attn_out@0", 0, 5, 6, 0.5},
        {"h.1.qkv", "qkv@1", 1, 22, 30, 2},
        {"h.1.out", "attn_out@1", 1, NAN, 6, 0.5},   /* no value: no bar */
        {"(all layers)", "amplitudes", NAN, 99, NAN, NAN},
    };
    for (int i = 0; i < 6; i++) {
        int r = ws_table_row(t);
        ws_table_str(t, r, 0, rows[i].name);
        ws_table_str(t, r, 1, rows[i].role);
        ws_table_num(t, r, 2, rows[i].layer);
        ws_table_num(t, r, 3, rows[i].pr);
        ws_table_num(t, r, 4, rows[i].nm);
        ws_table_num(t, r, 5, rows[i].ns);
        if (i == 5)
            ws_table_set_bars(t, r, 0);   /* a summary row: not a bar */
    }
    ws_figure *f = ws_plot_table_bars(t, "pr", "m.safetensors", NULL, &e);
    CHECKF(f != NULL, "%s", e.msg);
    if (f) {
        CHECK(f->n_xcat == 3 && !strcmp(f->xcat[0], "embed") && !strcmp(f->xcat[1], "0") &&
              !strcmp(f->xcat[2], "1"));
        CHECK(!strcmp(f->title, "PR by layer: m.safetensors") && !strcmp(f->xlabel, "layer"));
        /* embed (grey) and its band, qkv and its band, attn_out and its band */
        CHECK(f->n_series == 6);
        if (f->n_series == 6) {
            ws_series *emb = &f->series[0], *eb = &f->series[1], *qkv = &f->series[2];
            ws_series *qb = &f->series[3], *out = &f->series[4];
            CHECK(emb->kind == WS_SERIES_BARS && emb->n == 1 && emb->x[0] == 0 && emb->y[0] == 10);
            CHECK(eb->kind == WS_SERIES_BAND && eb->y[0] == 10 && eb->y2[0] == 14);
            CHECK(!strcmp(eb->label, "null mean ± 2 sd") && eb->opacity < 0.5);
            /* Two roles share each layer: 0.4 of a category each, side by side. */
            CHECK(qkv->n == 2 && !strcmp(qkv->label, "qkv") && qkv->colour == ws_palette(0));
            CHECK_NEAR(qkv->x[0], 1 - 0.2, 1e-12);
            CHECK_NEAR(qkv->x[1], 2 - 0.2, 1e-12);
            CHECK_NEAR(qkv->width, 0.4, 1e-12);
            CHECK(qb->n == 2 && qb->y[1] == 26 && qb->y2[1] == 34 && !qb->label[0]);
            CHECK(out->n == 1 && out->y[0] == 5 && !strcmp(out->label, "attn_out"));
            CHECK_NEAR(out->x[0], 1 + 0.2, 1e-12);
        }
        char *s = svg_of(f);
        CHECK_STR_CONTAINS(s, ">null mean ± 2 sd</text>");
        CHECK_STR_CONTAINS(s, ">embed</text>");
        CHECK_STR_CONTAINS(s, "fill-opacity");   /* the bands see through */
        free(s);
    }
    ws_figure_free(f);
    CHECK(ws_plot_table_bars(t, "nope", NULL, NULL, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "the layers table has no column nope");
    CHECK(ws_plot_table_bars(t, "role", NULL, NULL, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "role is not a number column");
    ws_table_free(t);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    test_ticks_linear();
    test_ticks_log();
    test_svg();
    test_png();
    test_pdf();
    test_colour_maps();
    test_heatmap_range();
    test_heatmap();
    test_log_and_gaps();
    test_files();
    test_plots();
    test_runs();
    test_table_bars();
    check_rmtree(tmpdir);
    return check_done();
}
