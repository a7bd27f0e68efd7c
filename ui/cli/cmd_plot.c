/* wscope plot: a tensor's row (with a Gaussian fit over it), column,
 * heatmap or histogram, the embedding's spectrum, the loss curves of
 * training logs, or a bar chart of an analysis's column (the report's
 * sections), as a PNG, SVG or PDF figure. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli.h"
#include "commands.h"
#include "escape.h"
#include "figure_args.h"
#include "names.h"
#include "plots.h"
#include "report.h"
#include "runlog.h"
#include "spectra_cli.h"
#include "tokenizer_files.h"

enum what { W_NONE, W_ROW, W_COL, W_HEAT, W_HIST, W_SPECTRUM, W_RUNS, W_BARS };

#define MAX_RUNS WS_REPORT_MAX_RUNS

typedef struct plot_args {
    const char *model, *tuned, *tensor, *out;
    const char *data;     /* --data: the plotted numbers as CSV/JSON, or NULL */
    const char *tokenizer;   /* --tokenizer, or NULL: the model's own or one beside it */
    char token[96];       /* a row of the embedding or head: its token, quoted */
    enum what what;
    long index;
    int K;                /* 0: no fit */
    ws_fit_mode mode;
    double tol;
    const char *runs[MAX_RUNS];   /* --runs: training logs */
    int n_runs;
    double smooth;
    char bars[160];               /* --bars NAME:COLUMN (--drift: drift:relative) */
    const char *corpus;           /* for basis:qk_ete_cos */
    long fit_rows;                /* for fits:COLUMN */
    figure_args fig;
} plot_args;

static const char usage_text[] =
    "usage: wscope plot MODEL [TUNED] -o FILE.png|FILE.svg|FILE.pdf\n"
    "          --tensor NAME (--row N [--fit K [--mode free|grid]] | --col N\n"
    "                         | --heatmap | --hist [--bins N])\n"
    "          | --spectrum [--tol T]\n"
    "          | --bars NAME:COLUMN [--corpus FILE] [--fit-rows N|all] | --drift\n"
    "       wscope plot --runs LOG.csv [--runs LOG.csv]... [--smooth W] -o FILE\n"
    "   both: [--data FILE.csv|FILE.json] [--tokenizer FILE]\n" FIGURE_ARGS_USAGE
    "A figure for a paper: axes, ticks, labels, legend (wscope(1), FIGURES).\n";

static int set_what(plot_args *a, enum what v)
{
    if (a->what != W_NONE)
        return cli_failf("plot", "choose one of --row, --col, --heatmap, --hist, --spectrum, "
                                 "--runs, --bars, --drift");
    a->what = v;
    return 0;
}

static int parse(int argc, char **argv, plot_args *a)
{
    static const struct option own[] = {
        {"tensor", required_argument, 0, 't'}, {"row", required_argument, 0, 'r'},
        {"col", required_argument, 0, 'c'},    {"heatmap", no_argument, 0, 'm'},
        {"hist", no_argument, 0, 'H'},         {"spectrum", no_argument, 0, 'S'},
        {"fit", required_argument, 0, 'f'},    {"mode", required_argument, 0, 'M'},
        {"tol", required_argument, 0, 'p'},    {"bins", required_argument, 0, 'b'},
        {"output", required_argument, 0, 'o'}, {"data", required_argument, 0, 'd'},
        {"tokenizer", required_argument, 0, 'Z'},
        {"runs", required_argument, 0, 'R'},   {"smooth", required_argument, 0, 'W'},
        {"bars", required_argument, 0, 'B'},   {"drift", no_argument, 0, 'D'},
        {"corpus", required_argument, 0, 'C'}, {"fit-rows", required_argument, 0, 'F'},
    };
    enum { N_OWN = sizeof own / sizeof own[0] };
    struct option opts[N_OWN + FIGURE_ARGS_N];
    memcpy(opts, own, sizeof own);
    memcpy(opts + N_OWN, figure_args_options, sizeof figure_args_options);
    long v;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:", opts, usage_text)) != -1) {
        int rc = figure_args_take(&a->fig, c, optarg);
        if (rc == 1)
            continue;
        if (rc == 2)
            return 2;
        switch (c) {
        case 't':
            if (a->tensor)   /* silently drawing the last one hid the others */
                return cli_failf("--tensor", "a figure draws one tensor; given %s and %s", a->tensor, optarg);
            a->tensor = optarg;
            break;
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
        case 'b': rc = cli_int("--bins", optarg, 1, 10000, &v); a->fig.o.bins = (int)v; break;
        case 'o': a->out = optarg; break;
        case 'd': a->data = optarg; break;
        case 'Z': a->tokenizer = optarg; break;
        case 'R':   /* the loss curves, unless they feed --bars runs:COLUMN */
            if (a->n_runs == MAX_RUNS)
                return cli_failf("--runs", "at most %d runs in one figure", MAX_RUNS);
            a->runs[a->n_runs++] = optarg;
            break;
        case 'B':
        case 'D':
            rc = set_what(a, W_BARS);
            if (!rc && c == 'B' && !strchr(optarg, ':'))
                return cli_failf("--bars", "NAME:COLUMN, like pr:amp_pr or drift:relative, not %s",
                                 optarg);
            snprintf(a->bars, sizeof a->bars, "%s", c == 'B' ? optarg : "drift:relative");
            break;
        case 'C': a->corpus = optarg; break;
        case 'F':
            if (!strcmp(optarg, "all"))
                a->fit_rows = 0;
            else
                rc = cli_int("--fit-rows", optarg, 1, 0x7fffffffL, &a->fit_rows);
            break;
        case 'W':
            rc = cli_double("--smooth", optarg, &a->smooth);
            if (!rc && !(a->smooth >= 0 && a->smooth <= WS_RUN_EMA_MAX))
                return cli_failf("--smooth", "an EMA weight in [0, %g], got %s", WS_RUN_EMA_MAX,
                                 optarg);
            break;
        default: return c == CLI_HELP ? 1 : 2;   /* 1: the help was printed */
        }
        if (rc)
            return 2;
    }
    if (figure_args_finish(&a->fig))
        return 2;
    int models = argc - optind;
    if (a->data && a->out && ws_output_same(a->data, a->out))
        return cli_failf(a->data, "--data and -o name the same file");
    if (!a->out)
        return cli_usage_error("plot", "no -o FILE");
    if (a->what == W_NONE && a->n_runs)
        a->what = W_RUNS;
    if (a->what == W_RUNS) {   /* the logs are the input: no model */
        if (models || a->tensor)
            return cli_usage_error("plot", "--runs takes no MODEL and no --tensor");
        return 0;
    }
    if (a->n_runs && a->what != W_BARS)
        return cli_failf("plot", "choose one of --row, --col, --heatmap, --hist, --spectrum, "
                                 "--runs (alone: the loss curves), --bars, --drift");
    if ((a->corpus || a->fit_rows != WS_REPORT_FIT_ROWS) && a->what != W_BARS)
        return cli_failf(a->corpus ? "--corpus" : "--fit-rows", "goes with --bars");
    if (models < 1 || models > 2)
        return cli_usage_error("plot", models < 1 ? "no MODEL" : "MODEL [TUNED] only");
    if (a->what == W_BARS) {
        if (a->tensor)
            return cli_usage_error("plot", "--bars and --drift take no --tensor");
        a->model = argv[optind];
        a->tuned = models == 2 ? argv[optind + 1] : NULL;
        return 0;
    }
    if (a->what == W_NONE)
        return cli_usage_error("plot", "choose one of --row, --col, --heatmap, --hist, --spectrum, "
                                       "--runs, --bars, --drift");
    if (!a->tensor && a->what != W_SPECTRUM)
        return cli_usage_error("plot", "no --tensor NAME");
    if (a->K && a->what != W_ROW)
        return cli_failf("--fit", "fits are drawn over a --row");
    a->model = argv[optind];
    a->tuned = models == 2 ? argv[optind + 1] : NULL;
    if (a->tuned && a->what == W_SPECTRUM)
        return cli_failf("--spectrum", "the spectrum is of one model; TUNED is for ΔW figures");
    return 0;
}

static ws_figure *row_with_fit(const ws_plot_src *src, const plot_args *a, ws_err *e)
{
    ws_plot_opts o = a->fig.o;
    char title[512];
    if ((a->K || a->token[0]) && !o.title) {   /* the token; the mode: free and grid fits differ */
        snprintf(title, sizeof title, "%s row %ld%s%s%s%s", src->name, a->index,
                 a->token[0] ? " " : "", a->token, a->K ? ", " : "",
                 a->K ? ws_plot_fit_mode_name(a->mode) : "");
        if (a->K)
            strcat(title, " fit");
        o.title = title;
    }
    ws_figure *f = ws_plot_row(src, 0, a->index, &o, e);
    if (!f || !a->K)
        return f;
    const float *w = src->a + (size_t)a->index * (size_t)src->cols;
    ws_fit_row fit;
    int rc = ws_plot_fit_row(w, src->cols, a->K, a->mode, &fit, e);
    if (rc == 0 && !ws_fit_status_fitted(fit.status))
        rc = ws_fail(e, "row %ld has no fit: %s", a->index, ws_fit_status_name(fit.status));
    if (rc == 0 && ws_plot_add_fit(f, &fit, a->mode, src->cols, e) == 0)
        return f;
    ws_figure_free(f);
    return NULL;
}

static ws_figure *build(const ws_plot_src *src, const plot_args *a, ws_err *e)
{
    switch (a->what) {
    case W_ROW: return row_with_fit(src, a, e);
    case W_COL: return ws_plot_row(src, 1, a->index, &a->fig.o, e);
    case W_HEAT: return ws_plot_heatmap(src, &a->fig.o, e);
    default: return ws_plot_hist(src, &a->fig.o, e);
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
        ws_figure *f = ws_plot_spectrum(&an->spec, an->embed->name, &a->fig.o, &e);
        rc = f ? save(f, a) : cli_fail(an->embed->name, &e);
    }
    spectra_cli_close(m, an);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* With TUNED: the tensor's TUNED − MODEL in *diff (malloc'd), the source
 * titled with both file names. 0 or 2 (printed). */
static int diff_source(const plot_args *a, ws_tensor *t0, ws_model *m1, ws_plot_src *src,
                       float **diff, char *diff_of, size_t n)
{
    ws_err e = {{0}};
    ws_tensor *t1 = ws_model_resolve(m1, t0->name, NULL, 0, &e);
    if (!t1)
        return cli_fail(a->tuned, &e);
    if (t1->rows != src->rows || t1->cols != src->cols)
        return cli_failf(a->tensor, "shapes differ: %lldx%lld in %s, %lldx%lld in %s",
                         (long long)src->rows, (long long)src->cols, a->model,
                         (long long)t1->rows, (long long)t1->cols, a->tuned);
    const float *b = ws_tensor_f32(t1, &e);
    if (!b)
        return cli_fail(a->tuned, &e);
    size_t numel = (size_t)t0->numel;
    *diff = malloc(numel * sizeof **diff);
    if (!*diff)
        return cli_failf(a->tensor, "out of memory");
    for (size_t i = 0; i < numel; i++)
        (*diff)[i] = b[i] - src->a[i];
    snprintf(diff_of, n, "%s − %s", base_name(a->tuned), base_name(a->model));
    src->a = *diff;
    src->diff_of = diff_of;
    return 0;
}

/* The token of the plotted row, when the tensor's rows are tokens, for the
 * title. A tokenizer found beside the model that cannot be read is a note;
 * one given with --tokenizer must be read. 0 or 2 (printed). */
static int row_token(plot_args *a, const ws_model *m, const ws_tensor *t)
{
    ws_err e = {{0}};
    ws_tokenizer *tk = NULL;
    if (ws_tok_find(m, a->tokenizer, &tk, &e)) {
        char *msg = ws_escape_dup(e.msg);
        fprintf(stderr, "wscope: %s%s\n", a->tokenizer ? "" : "note: no token in the title: ",
                msg ? msg : "out of memory");
        free(msg);
        return a->tokenizer ? 2 : 0;
    }
    ws_tok_row_label(tk, t, a->index, WS_TOK_SHOW_ASCII, a->token, sizeof a->token);
    ws_tok_free(tk);
    return 0;
}

/* The loss curves of the logs, each run named by its file. */
static int plot_runs(const plot_args *a)
{
    ws_run runs[MAX_RUNS];
    const ws_run *ptr[MAX_RUNS];
    int rc = 0, n = 0;
    ws_err e = {{0}};
    for (; n < a->n_runs && rc == 0; n++) {
        ws_run_init(&runs[n], base_name(a->runs[n]));
        ptr[n] = &runs[n];
        if (ws_runlog_read(a->runs[n], &runs[n], &e) != 0)
            rc = cli_fail(a->runs[n], &e);
    }
    if (rc == 0) {
        ws_loss_plot_opts lo = {.smoothing = a->smooth};
        ws_figure *f = ws_plot_loss_curves(ptr, (size_t)n, &lo, &a->fig.o, &e);
        rc = f ? save(f, a) : cli_fail(a->runs[0], &e);
    }
    for (int i = 0; i < n; i++)
        ws_run_free(&runs[i]);
    return rc;
}

/* A bar chart of a column of one of the report's analyses, computed here. */
static int plot_bars(const plot_args *a)
{
    char name[160];
    snprintf(name, sizeof name, "%s", a->bars);
    char *column = strchr(name, ':');
    *column++ = 0;
    ws_report_in in;
    ws_report_in_default(&in);
    in.corpus = a->corpus;
    in.tokenizer = a->tokenizer;
    in.runs = a->runs;
    in.n_runs = a->n_runs;
    in.fit_rows = a->fit_rows;
    if (cli_open_model(a->model, &in.model) != 0)
        return 2;
    if (a->tuned && cli_open_model(a->tuned, &in.tuned) != 0) {
        ws_model_free(in.model);
        return 2;
    }
    ws_err e = {{0}};
    ws_progress p;
    ws_progress_init(&p, 0);
    cli_bar *bar = cli_bar_start(name, &p);
    ws_doc *d = ws_report_doc(&in, name, &p, &e);
    cli_bar_stop(bar);
    int rc;
    if (!d) {
        rc = cli_fail(a->model, &e);
    } else {
        /* Titled with the model, except the runs: they are their own subject. */
        const char *subject = strcmp(name, "runs") ? base_name(a->model) : NULL;
        ws_figure *f = ws_plot_table_bars(ws_doc_get_table(d, 0), column, subject, &a->fig.o, &e);
        rc = f ? save(f, a) : cli_fail("--bars", &e);
        ws_doc_free(d);
    }
    ws_model_free(in.tuned);
    ws_model_free(in.model);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    plot_args a = {.tol = -1, .smooth = WS_PLOT_SMOOTH, .fit_rows = WS_REPORT_FIT_ROWS};
    int rc = parse(argc, argv, &a);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    if (a.what == W_SPECTRUM)
        return plot_spectrum(&a);
    if (a.what == W_RUNS)
        return plot_runs(&a);
    if (a.what == W_BARS)
        return plot_bars(&a);
    ws_model *m = NULL, *m1 = NULL;
    if (cli_open_model(a.model, &m) != 0 || (a.tuned && cli_open_model(a.tuned, &m1) != 0)) {
        ws_model_free(m);
        return 2;
    }
    rc = 2;
    ws_err e = {{0}};
    char note[512];
    ws_tensor *t = ws_model_resolve(m, a.tensor, note, sizeof note, &e);
    ws_plot_src src;
    float *diff = NULL;
    char diff_of[1024];
    ws_figure *f = NULL;
    if (note[0])
        fprintf(stderr, "wscope: note: %s\n", note);
    if (!t)
        cli_fail(a.model, &e);
    else if (ws_plot_src_tensor(t, &src, &e) != 0)
        cli_fail(a.tensor, &e);
    else if (a.what == W_ROW && row_token(&a, m, t) != 0)
        ;   /* printed */
    else if (m1 && diff_source(&a, t, m1, &src, &diff, diff_of, sizeof diff_of) != 0)
        ;   /* printed */
    else if (!(f = build(&src, &a, &e)))
        cli_fail(a.tensor, &e);
    else
        rc = save(f, &a);
    free(diff);
    ws_model_free(m1);
    ws_model_free(m);
    return rc;
}
