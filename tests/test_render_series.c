/* The overlay renderer of the row fit view: shared range, one glyph and
 * colour per series, later series on top, colours per tier. */
#include <string.h>

#include "check.h"
#include "render_series.h"

static const render_style ASCII_MONO = {WS_GLYPH_ASCII, WS_COL_MONO, 9};
static const render_style UTF8_TRUE = {WS_GLYPH_UTF8, WS_COL_TRUE, 33};

static int count_glyph(const cellbuf *cb, const char *g)
{
    int n = 0;
    for (int y = 0; y < cb->rows; y++)
        for (int x = 0; x < cb->cols; x++)
            n += !strcmp(cb_at_c(cb, y, x)->glyph, g);
    return n;
}

int main(void)
{
    cellbuf cb;
    cb_init(&cb, 8, 30);
    float ramp[5] = {-1, -0.5f, 0, 0.5f, 1}, flat[5] = {1, 1, 1, 1, 1};
    plot_series s[2] = {{ramp, CB_DEFAULT, 0, 'o'}, {flat, CB_DEFAULT, CB_BOLD, '#'}};
    render_series(&cb, (cb_rect){0, 0, 8, 30}, s, 2, 5, &ASCII_MONO);
    char *got = cb_dump(&cb, (cb_rect){0, 0, 8, 30});
    /* The flat series lies on the top row (the shared max), over the ramp's end. */
    CHECK_STR_CONTAINS(got, "       1 +####################\n");
    CHECK_STR_CONTAINS(got, "      -1 +o");
    free(got);
    CHECK(count_glyph(&cb, "o") >= 6);
    CHECK(cb_at(&cb, 0, 12)->attrs & CB_BOLD);
    /* One series alone matches the range of that series only. */
    cb_clear(&cb);
    render_series(&cb, (cb_rect){0, 0, 8, 30}, s, 1, 5, &ASCII_MONO);
    CHECK(count_glyph(&cb, "#") == 0);
    got = cb_dump(&cb, (cb_rect){0, 0, 1, 30});
    CHECK_STR_CONTAINS(got, "       1 +");
    free(got);
    /* Colours: each series keeps its own; braille dots merge in shared cells. */
    cb_clear(&cb);
    s[0].fg = series_colour(0, &UTF8_TRUE);
    s[1].fg = series_colour(1, &UTF8_TRUE);
    render_series(&cb, (cb_rect){0, 0, 8, 30}, s, 2, 5, &UTF8_TRUE);
    CHECK(s[0].fg != s[1].fg);
    CHECK(cb_at(&cb, 0, 11)->fg == s[1].fg);
    CHECK(cb_at(&cb, 5, 10)->fg == s[0].fg);
    CHECK(series_colour(0, &ASCII_MONO) == CB_DEFAULT);
    CHECK(series_colour(6, &UTF8_TRUE) == series_colour(0, &UTF8_TRUE));
    /* NULL and empty series draw nothing and do not crash. */
    cb_clear(&cb);
    plot_series none = {NULL, CB_DEFAULT, 0, 0};
    render_series(&cb, (cb_rect){0, 0, 8, 30}, &none, 1, 5, &ASCII_MONO);
    render_series(&cb, (cb_rect){0, 0, 8, 30}, s, 2, 0, &ASCII_MONO);
    cb_free(&cb);
    return check_done();
}
