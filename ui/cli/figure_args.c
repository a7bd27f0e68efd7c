/* Parsing of the figure options (see figure_args.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figure_args.h"

enum { O_SIZE = 0x100, O_DPI, O_TITLE, O_LOGY, O_CMAP, O_VMIN, O_VMAX, O_CLIP, O_ASPECT };

const struct option figure_args_options[FIGURE_ARGS_N] = {
    {"size", required_argument, 0, O_SIZE},   {"dpi", required_argument, 0, O_DPI},
    {"title", required_argument, 0, O_TITLE}, {"logy", no_argument, 0, O_LOGY},
    {"cmap", required_argument, 0, O_CMAP},   {"vmin", required_argument, 0, O_VMIN},
    {"vmax", required_argument, 0, O_VMAX},   {"clip", required_argument, 0, O_CLIP},
    {"aspect", required_argument, 0, O_ASPECT}, {0, 0, 0, 0},
};

static int finite_value(const char *opt, const char *s, double *out)
{
    if (cli_double(opt, s, out))
        return 2;
    if (!isfinite(*out))
        return cli_failf(opt, "expected a finite number, got \"%s\"", s);
    return 0;
}

/* "--clip 99" or "--clip p99": the percentile of the cells that bounds the
 * colour range, in (50, 100]. */
static int parse_clip(const char *s, double *out)
{
    if (finite_value("--clip", s + (s[0] == 'p'), out))
        return 2;
    if (!(*out > 50 && *out <= 100))
        return cli_failf("--clip", "a percentile in (50, 100], like 99 or p99, not %s", s);
    return 0;
}

static int parse_cmap(const char *s, ws_plot_opts *o)
{
    o->cmap = ws_cmap_find(s);
    if (o->cmap)
        return 0;
    char names[256] = "diverging, sequential";
    const ws_cmap *m;
    for (int i = 0; (m = ws_cmap_at(i)); i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), ", %s", m->name);
    return cli_failf("--cmap", "unknown colour map %s (one of %s)", s, names);
}

int figure_args_take(figure_args *a, int c, const char *arg)
{
    ws_plot_opts *o = &a->o;
    long v;
    switch (c) {
    case O_SIZE: a->size = arg; return 1;
    case O_DPI:
        if (cli_int("--dpi", arg, WS_FIG_MIN_DPI, WS_FIG_MAX_DPI, &v))
            return 2;
        o->dpi = (double)v;
        return 1;
    case O_TITLE: o->title = arg; return 1;
    case O_LOGY: o->ylog = 1; return 1;
    case O_CMAP: return parse_cmap(arg, o) ? 2 : 1;
    case O_VMIN: o->has_vmin = 1; return finite_value("--vmin", arg, &o->vmin) ? 2 : 1;
    case O_VMAX: o->has_vmax = 1; return finite_value("--vmax", arg, &o->vmax) ? 2 : 1;
    case O_CLIP: return parse_clip(arg, &o->clip) ? 2 : 1;
    case O_ASPECT:
        if (strcmp(arg, "equal") && strcmp(arg, "auto"))
            return cli_failf("--aspect", "equal or auto, not %s", arg);
        o->aspect_equal = !strcmp(arg, "equal");
        return 1;
    default: return 0;
    }
}

/* "800x500" (pixels) or "3.5x2.5in" (inches at the dpi). */
static int parse_size(const char *s, ws_plot_opts *o)
{
    char *end;
    double w = strtod(s, &end), h = 0;
    int ok = end != s && (*end == 'x' || *end == 'X');
    if (ok) {
        const char *p = end + 1;
        h = strtod(p, &end);
        ok = end != p;
    }
    int inches = ok && !strcmp(end, "in");
    if (!ok || (*end && !inches) || !(w > 0) || !(h > 0) || (!inches && (w != floor(w) || h != floor(h))))
        return cli_failf("--size", "not a size like 800x500 (pixels) or 3.5x2.5in: %s", s);
    double dpi = o->dpi > 0 ? o->dpi : WS_FIG_DPI;
    double pw = inches ? round(w * dpi) : w, ph = inches ? round(h * dpi) : h;
    if (pw < WS_FIG_MIN_W || ph < WS_FIG_MIN_H || pw > WS_FIG_MAX_SIDE || ph > WS_FIG_MAX_SIDE)
        return cli_failf("--size", "figure size %.0fx%.0f pixels is outside %dx%d..%dx%d", pw, ph,
                         WS_FIG_MIN_W, WS_FIG_MIN_H, WS_FIG_MAX_SIDE, WS_FIG_MAX_SIDE);
    o->width = (int)pw;
    o->height = (int)ph;
    return 0;
}

int figure_args_finish(figure_args *a)
{
    ws_plot_opts *o = &a->o;
    if (a->size && parse_size(a->size, o))
        return 2;
    if (o->has_vmin && o->has_vmax && !(o->vmax > o->vmin))
        return cli_failf("--vmax", "must be above --vmin (%g), got %g", o->vmin, o->vmax);
    return 0;
}
