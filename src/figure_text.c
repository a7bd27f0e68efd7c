/* The figures' one font: DejaVu Sans (Debian's fonts-dejavu-core), read
 * with FreeType. Layout measures text here in every back end; cairo draws
 * the PNG and PDF text from the same face (figure_cairo.c) and the SVG
 * names the family, so the three look alike.
 *
 * Widths are the font's unhinted advances (no kerning), exactly what cairo
 * draws with hinting off. Loaded once; FreeType faces are not thread-safe,
 * so measuring takes a lock. */
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H
#include <pthread.h>
#include <stdlib.h>

#include "figure.h"

#ifndef WS_FONT_FILE
#define WS_FONT_FILE "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FT_Library lib;
static FT_Face face;
static int load_error;   /* FreeType's error code, or -1: no library */

const char *ws_fig_font_path(void)
{
    const char *env = getenv("WSCOPE_FONT");
    return env && *env ? env : WS_FONT_FILE;
}

static void load(void)
{
    if (FT_Init_FreeType(&lib)) {
        load_error = -1;
        return;
    }
    load_error = FT_New_Face(lib, ws_fig_font_path(), 0, &face);
    if (!load_error && !FT_IS_SCALABLE(face))
        load_error = -2;
}

int ws_fig_font_ready(ws_err *e)
{
    pthread_once(&once, load);
    if (load_error)
        return ws_fail(e, "cannot load the figure font %s (install fonts-dejavu-core)",
                       ws_fig_font_path());
    return 0;
}

double ws_fig_text_width(const char *s, double size)
{
    if (ws_fig_font_ready(NULL) != 0)
        return 0;
    double units = 0;
    pthread_mutex_lock(&lock);
    while (*s) {
        FT_Fixed adv = 0;
        FT_UInt g = FT_Get_Char_Index(face, ws_utf8_next(&s));
        if (FT_Get_Advance(face, g, FT_LOAD_NO_SCALE, &adv) == 0)
            units += (double)adv;
    }
    double em = face->units_per_EM;
    pthread_mutex_unlock(&lock);
    return units / em * size;
}
