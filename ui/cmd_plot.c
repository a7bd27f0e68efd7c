/* wscope plot: a tensor's row, column, heatmap or histogram as a PNG or SVG
 * figure. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "plots.h"

enum what { W_NONE, W_ROW, W_COL, W_HEAT, W_HIST };

static const char usage_text[] =
    "usage: wscope plot MODEL --tensor NAME (--row N | --col N | --heatmap | --hist) "
    "[--bins N] [--logy] [--title T] [--size WxH] -o FILE.png|FILE.svg";

/* "800x500" → width, height. */
static int parse_size(const char *s, ws_plot_opts *o)
{
    char *end;
    long w = strtol(s, &end, 10), h = 0;
    if (end != s && (*end == 'x' || *end == 'X')) {
        const char *p = end + 1;
        h = strtol(p, &end, 10);
        if (end == p)
            h = 0;
    }
    if (w <= 0 || h <= 0 || *end)
        return cli_failf("--size", "not a size like 800x500: %s", s);
    if (w < WS_FIG_MIN_W || h < WS_FIG_MIN_H || w > WS_FIG_MAX_SIDE || h > WS_FIG_MAX_SIDE)
        return cli_failf("--size", "figure size %ldx%ld is outside %dx%d..%dx%d", w, h,
                         WS_FIG_MIN_W, WS_FIG_MIN_H, WS_FIG_MAX_SIDE, WS_FIG_MAX_SIDE);
    o->width = (int)w;
    o->height = (int)h;
    return 0;
}

static int set_what(enum what *w, enum what v)
{
    if (*w != W_NONE)
        return cli_failf("plot", "choose one of --row, --col, --heatmap, --hist");
    *w = v;
    return 0;
}

static ws_figure *build(ws_tensor *t, enum what w, long index, const ws_plot_opts *o, ws_err *e)
{
    switch (w) {
    case W_ROW: return ws_plot_row(t, 0, index, o, e);
    case W_COL: return ws_plot_row(t, 1, index, o, e);
    case W_HEAT: return ws_plot_heatmap(t, o, e);
    default: return ws_plot_hist(t, o, e);
    }
}

int cmd_plot(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tensor", required_argument, 0, 't'}, {"row", required_argument, 0, 'r'},
        {"col", required_argument, 0, 'c'},    {"heatmap", no_argument, 0, 'm'},
        {"hist", no_argument, 0, 'H'},         {"bins", required_argument, 0, 'b'},
        {"logy", no_argument, 0, 'l'},         {"title", required_argument, 0, 'T'},
        {"size", required_argument, 0, 's'},   {"output", required_argument, 0, 'o'},
        {0, 0, 0, 0},
    };
    ws_plot_opts o = {0};
    const char *name = NULL, *out = NULL;
    enum what what = W_NONE;
    long index = 0, v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 't': name = optarg; break;
        case 'r':
        case 'c':
            rc = set_what(&what, c == 'r' ? W_ROW : W_COL);
            if (!rc)
                rc = cli_int(c == 'r' ? "--row" : "--col", optarg, 0, 0x7fffffffL, &index);
            break;
        case 'm': rc = set_what(&what, W_HEAT); break;
        case 'H': rc = set_what(&what, W_HIST); break;
        case 'b': rc = cli_int("--bins", optarg, 1, 10000, &v); o.bins = (int)v; break;
        case 'l': o.ylog = 1; break;
        case 'T': o.title = optarg; break;
        case 's': rc = parse_size(optarg, &o); break;
        case 'o': out = optarg; break;
        default: return 2;
        }
        if (rc)
            return 2;
    }
    if (optind != argc - 1 || !name || !out || what == W_NONE)
        return cli_failf("plot", "%s", usage_text);

    ws_model *m;
    if (cli_open_model(argv[optind], &m) != 0)
        return 2;
    int rc = 2;
    ws_err e = {{0}};
    ws_tensor *t = ws_model_find(m, name);
    ws_figure *f = NULL;
    if (!t)
        cli_failf(argv[optind], "no tensor named %s (see wscope info)", name);
    else if (!(f = build(t, what, index, &o, &e)))
        cli_fail(name, &e);
    else if (ws_figure_save(f, out, &e) != 0)
        cli_fail(out, &e);
    else
        rc = 0;
    ws_figure_free(f);
    ws_model_free(m);
    return rc;
}
