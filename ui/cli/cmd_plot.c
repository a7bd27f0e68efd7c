/* wscope plot: a tensor's row (with a Gaussian fit over it), column,
 * heatmap or histogram, or the embedding's spectrum, as a PNG or SVG figure. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "plots.h"
#include "spectra_cli.h"

enum what { W_NONE, W_ROW, W_COL, W_HEAT, W_HIST, W_SPECTRUM };

typedef struct plot_args {
    const char *model, *tensor, *out;
    const char *data;     /* --data: the plotted numbers as CSV/JSON, or NULL */
    enum what what;
    long index;
    int K;                /* 0: no fit */
    ws_fit_mode mode;
    double tol;
    ws_plot_opts o;
} plot_args;

static const char usage_text[] =
    "usage: wscope plot MODEL (--tensor NAME (--row N [--fit K [--mode free|grid]] | --col N | "
    "--heatmap | --hist [--bins N]) | --spectrum [--tol T]) [--logy] [--title T] [--size WxH] "
    "[--data FILE.csv|FILE.json] -o FILE.png|FILE.svg";

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

static int set_what(plot_args *a, enum what v)
{
    if (a->what != W_NONE)
        return cli_failf("plot", "choose one of --row, --col, --heatmap, --hist, --spectrum");
    a->what = v;
    return 0;
}

static int parse(int argc, char **argv, plot_args *a)
{
    static const struct option opts[] = {
        {"tensor", required_argument, 0, 't'}, {"row", required_argument, 0, 'r'},
        {"col", required_argument, 0, 'c'},    {"heatmap", no_argument, 0, 'm'},
        {"hist", no_argument, 0, 'H'},         {"spectrum", no_argument, 0, 'S'},
        {"fit", required_argument, 0, 'f'},    {"mode", required_argument, 0, 'M'},
        {"tol", required_argument, 0, 'p'},    {"bins", required_argument, 0, 'b'},
        {"logy", no_argument, 0, 'l'},         {"title", required_argument, 0, 'T'},
        {"size", required_argument, 0, 's'},   {"output", required_argument, 0, 'o'},
        {"data", required_argument, 0, 'd'},   {0, 0, 0, 0},
    };
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 't': a->tensor = optarg; break;
        case 'r':
        case 'c':
            rc = set_what(a, c == 'r' ? W_ROW : W_COL);
            if (!rc)
                rc = cli_int(c == 'r' ? "--row" : "--col", optarg, 0, 0x7fffffffL, &a->index);
            break;
        case 'm': rc = set_what(a, W_HEAT); break;
        case 'H': rc = set_what(a, W_HIST); break;
        case 'S': rc = set_what(a, W_SPECTRUM); break;
        case 'f': rc = cli_int("--fit", optarg, 1, WS_FIT_KMAX, &v); a->K = (int)v; break;
        case 'M':
            if (strcmp(optarg, "free") && strcmp(optarg, "grid"))
                return cli_failf("--mode", "free or grid, not %s", optarg);
            a->mode = strcmp(optarg, "grid") ? WS_FIT_FREE : WS_FIT_MODE_GRID;
            break;
        case 'p':
            rc = cli_double("--tol", optarg, &a->tol);
            if (!rc && !(a->tol >= 0 && a->tol < 1))
                return cli_failf("--tol", "must be in [0, 1), got %s", optarg);
            break;
        case 'b': rc = cli_int("--bins", optarg, 1, 10000, &v); a->o.bins = (int)v; break;
        case 'l': a->o.ylog = 1; break;
        case 'T': a->o.title = optarg; break;
        case 's': rc = parse_size(optarg, &a->o); break;
        case 'o': a->out = optarg; break;
        case 'd': a->data = optarg; break;
        default: return 2;
        }
        if (rc)
            return 2;
    }
    if (optind != argc - 1 || !a->out || a->what == W_NONE ||
        (!a->tensor && a->what != W_SPECTRUM))
        return cli_failf("plot", "%s", usage_text);
    if (a->K && a->what != W_ROW)
        return cli_failf("--fit", "fits are drawn over a --row");
    a->model = argv[optind];
    return 0;
}

static ws_figure *row_with_fit(ws_tensor *t, const plot_args *a, ws_err *e)
{
    ws_figure *f = ws_plot_row(t, 0, a->index, &a->o, e);
    if (!f || !a->K)
        return f;
    /* ws_plot_row has loaded the float32 data. */
    const float *w = ws_tensor_f32(t, e) + (size_t)a->index * (size_t)t->cols;
    ws_fit_row fit;
    int rc = ws_plot_fit_row(w, t->cols, a->K, a->mode, &fit, e);
    if (rc == 0 && !ws_fit_status_fitted(fit.status))
        rc = ws_fail(e, "row %ld has no fit: %s", a->index, ws_fit_status_name(fit.status));
    if (rc == 0 && ws_plot_add_fit(f, &fit, t->cols, e) == 0)
        return f;
    ws_figure_free(f);
    return NULL;
}

static ws_figure *build(ws_tensor *t, const plot_args *a, ws_err *e)
{
    switch (a->what) {
    case W_ROW: return row_with_fit(t, a, e);
    case W_COL: return ws_plot_row(t, 1, a->index, &a->o, e);
    case W_HEAT: return ws_plot_heatmap(t, &a->o, e);
    default: return ws_plot_hist(t, &a->o, e);
    }
}

/* Write the figure (and with --data its numbers); frees it. */
static int save(ws_figure *f, const plot_args *a)
{
    ws_err e = {{0}};
    int rc = ws_figure_save(f, a->out, &e) == 0 ? 0 : cli_fail(a->out, &e);
    if (rc == 0 && a->data && ws_figure_export_data(f, a->model, a->data, &e) != 0)
        rc = cli_fail(a->data, &e);
    ws_figure_free(f);
    return rc;
}

static int plot_spectrum(const plot_args *a)
{
    ws_analysis_opts ao;
    ws_analysis_opts_default(&ao);
    if (a->tol >= 0)
        ao.pair_tol = a->tol;
    ws_model *m;
    ws_analysis *an;
    int rc = spectra_cli_open(a->model, &ao, SPECTRA_NEED_EMBED, &m, &an);
    if (rc)
        return rc;
    rc = spectra_cli_run(an, WS_AN_SPECTRUM, "spectrum");
    if (!rc) {
        ws_err e = {{0}};
        ws_figure *f = ws_plot_spectrum(&an->spec, an->embed->name, ao.pair_tol, &a->o, &e);
        rc = f ? save(f, a) : cli_fail(an->embed->name, &e);
    }
    spectra_cli_close(m, an);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    plot_args a = {.tol = -1};
    if (parse(argc, argv, &a) != 0)
        return 2;
    if (a.what == W_SPECTRUM)
        return plot_spectrum(&a);
    ws_model *m;
    if (cli_open_model(a.model, &m) != 0)
        return 2;
    int rc = 2;
    ws_err e = {{0}};
    ws_tensor *t = ws_model_find(m, a.tensor);
    ws_figure *f = NULL;
    if (!t)
        cli_failf(a.model, "no tensor named %s (see wscope info)", a.tensor);
    else if (!(f = build(t, &a, &e)))
        cli_fail(a.tensor, &e);
    else
        rc = save(f, &a);
    ws_model_free(m);
    return rc;
}
