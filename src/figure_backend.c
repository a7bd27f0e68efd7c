/* The figure back ends, chosen in one place: by the file's extension.
 *
 * How to add a back end: write `int ws_figure_write_X(const ws_figure *,
 * FILE *, ws_err *)` that draws the figure through a ws_canvas (see
 * figure_cairo.c, figure_svg.c), declare it in figure.h, add a row below,
 * and name the format in the man page (FIGURES) and the README; the CLI's
 * usage lines, `wscope report` and the TUI's `e` key take every row. */
#include <string.h>
#include <strings.h>

#include "atomic.h"
#include "figure.h"

static const ws_fig_format formats[] = {
    {".png", "PNG", ws_figure_write_png},
    {".svg", "SVG", ws_figure_write_svg},
    {".pdf", "PDF", ws_figure_write_pdf},
};

const ws_fig_format *ws_fig_format_at(int i)
{
    return i >= 0 && i < (int)(sizeof formats / sizeof formats[0]) ? &formats[i] : NULL;
}

const ws_fig_format *ws_fig_format_for(const char *path)
{
    size_t n = strlen(path);
    for (const ws_fig_format *f = formats; f < formats + sizeof formats / sizeof formats[0]; f++) {
        size_t k = strlen(f->ext);
        if (n > k && !strcasecmp(path + n - k, f->ext))
            return f;
    }
    return NULL;
}

int ws_figure_save(const ws_figure *f, const char *path, ws_err *e)
{
    const ws_fig_format *fmt = ws_fig_format_for(path);
    if (!fmt)
        return ws_fail(e, "unknown figure format (use a .png, .svg or .pdf file name)");
    ws_atomic a;
    if (ws_atomic_open(&a, path, e) != 0)
        return -1;
    if (fmt->write(f, a.fp, e) != 0 && !ferror(a.fp)) {
        ws_atomic_abort(&a);
        return -1;
    }
    return ws_atomic_commit(&a, e);   /* a failed write: commit says why, and removes the temporary file */
}
