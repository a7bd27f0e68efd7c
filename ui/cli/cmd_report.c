/* wscope report: every analysis of a model in one directory (report.h). */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "figure_args.h"
#include "null.h"
#include "report.h"

static const char usage_text[] =
    "usage: wscope report MODEL [TUNED] -o DIR [--corpus FILE [--tokenizer FILE]]\n"
    "                     [--runs LOG.csv]... [--fit-rows N|all] [--fit-null N]\n"
    "                     [--size WxH|WxHin] [--dpi N]\n"
    "Every table (CSV, JSON) and figure (PNG, SVG, PDF) of the analyses in DIR,\n"
    "with DIR/index.md.\n";

/* Ctrl-C, SIGTERM, SIGHUP: stop the work; the report removes its temporary
 * directory and nothing is left half-written. */
static ws_progress *stop_progress;
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
    if (stop_progress)
        atomic_store(&stop_progress->cancel, 1);
}

static void catch_stop(void (*h)(int))
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        if (h)
            signal(sigs[i], h);
        else
            cli_signal_default(sigs[i]);
    }
}

typedef struct report_args {
    ws_report_in in;
    const char *runs[WS_REPORT_MAX_RUNS];
    const char *out;
    figure_args fig;
} report_args;

static int parse(int argc, char **argv, report_args *a)
{
    static const struct option opts[] = {
        {"corpus", required_argument, 0, 'C'}, {"runs", required_argument, 0, 'R'},
        {"tokenizer", required_argument, 0, 'Z'},
        {"fit-rows", required_argument, 0, 'F'}, {"fit-null", required_argument, 0, 'N'},
        {"output", required_argument, 0, 'o'},
        {"size", required_argument, 0, 's'},   {"dpi", required_argument, 0, 'd'},
        {0, 0, 0, 0},
    };
    long v;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:", opts, usage_text)) != -1) {
        switch (c) {
        case 'C': a->in.corpus = optarg; break;
        case 'Z': a->in.tokenizer = optarg; break;
        case 'R':
            if (a->in.n_runs == WS_REPORT_MAX_RUNS)
                return cli_failf("--runs", "at most %d run logs", WS_REPORT_MAX_RUNS);
            a->runs[a->in.n_runs++] = optarg;
            break;
        case 'F':
            if (!strcmp(optarg, "all"))
                a->in.fit_rows = 0;
            else if (cli_int("--fit-rows", optarg, 1, LONG_MAX, &v))
                return 2;
            else
                a->in.fit_rows = v;
            break;
        case 'N':
            if (cli_int("--fit-null", optarg, 0, WS_NULL_N_MAX, &v))
                return 2;
            a->in.fit_null = (int)v;
            break;
        case 'o': a->out = optarg; break;
        case 's': a->fig.size = optarg; break;   /* resolved once the dpi is known */
        case 'd':
            if (cli_int("--dpi", optarg, WS_FIG_MIN_DPI, WS_FIG_MAX_DPI, &v))
                return 2;
            a->fig.o.dpi = (double)v;
            break;
        default: return c == CLI_HELP ? 1 : 2;   /* 1: the help was printed */
        }
    }
    int models = argc - optind;
    if (models < 1 || models > 2)
        return cli_usage_error("report", models < 1 ? "no MODEL" : "MODEL [TUNED] only");
    if (!a->out)
        return cli_usage_error("report", "no -o DIR");
    if (a->in.tokenizer && !a->in.corpus)
        return cli_failf("--tokenizer", "is for a text --corpus");
    if (figure_args_finish(&a->fig))
        return 2;
    a->in.runs = a->runs;
    a->in.fig = a->fig.o;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    report_args a;
    memset(&a, 0, sizeof a);
    ws_report_in_default(&a.in);
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : 2;
    ws_err e = {{0}};
    if (ws_report_check_dir(a.out, &e) != 0)   /* before the work: say so at once */
        return cli_fail(a.out, &e);
    ws_model *m = NULL, *t = NULL;
    const char *tuned = argc - optind == 2 ? argv[optind + 1] : NULL;
    if (cli_open_model(argv[optind], &m) != 0 || (tuned && cli_open_model(tuned, &t) != 0)) {
        ws_model_free(m);
        return 2;
    }
    a.in.model = m;
    a.in.tuned = t;
    ws_progress p;
    ws_progress_init(&p, 0);
    stop_progress = &p;
    catch_stop(on_stop);
    cli_bar *bar = cli_bar_start("report", &p);
    rc = ws_report_write(&a.in, a.out, &p, &e);
    cli_bar_stop(bar);
    catch_stop(NULL);
    stop_progress = NULL;
    if (rc != 0 && stop_signal) {
        fprintf(stderr, "wscope: %s: %s: no report written\n", a.out,
                stop_signal == SIGINT ? "interrupted" : strsignal(stop_signal));
        rc = 128 + stop_signal;
    } else if (rc != 0) {
        rc = cli_fail("report", &e);
    } else {
        printf("wrote %s/index.md\n", a.out);
    }
    ws_model_free(t);
    ws_model_free(m);
    return rc;
}
