/* wscope compare: training strategies across seeds (src/compare.h). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "compare.h"
#include "tokenizer.h"

#define MAX_FILES 256
#define MAX_STRATEGIES 64

typedef struct compare_args {
    const char *model;
    const char *data[MAX_FILES];
    size_t n_data;
    ws_strategy st[MAX_STRATEGIES];
    size_t n_st;
    long seeds;
    double val_frac;
    ws_train_opts o;
    cli_fmt fmt;
} compare_args;

static const char usage_text[] =
    "usage: wscope compare MODEL --data FILE... --strategy NAME:PATTERN=POLICY,... ...\n"
    "         [--seeds N] [--steps N] [--batch B] [--seq T] [--lr X] [--seed S]\n"
    "         [--eval-batches N] [--val-frac F] [--threads N] [--json | --csv]\n";

static const struct option long_opts[] = {
    {"data", required_argument, 0, 'D'},     {"strategy", required_argument, 0, 'S'},
    {"seeds", required_argument, 0, 'N'},    {"steps", required_argument, 0, 'n'},
    {"batch", required_argument, 0, 'B'},    {"seq", required_argument, 0, 'T'},
    {"lr", required_argument, 0, 'l'},       {"seed", required_argument, 0, 's'},
    {"eval-batches", required_argument, 0, 'b'}, {"val-frac", required_argument, 0, 'f'},
    {"threads", required_argument, 0, 'j'},  {"json", no_argument, 0, 'J'},
    {"csv", no_argument, 0, 'C'},            {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static int add_strategy(compare_args *a, const char *spec)
{
    ws_err e = {{0}};
    if (a->n_st == MAX_STRATEGIES)
        return cli_failf("--strategy", "at most %d strategies", MAX_STRATEGIES);
    if (ws_strategy_parse(spec, &a->st[a->n_st], &e))
        return cli_fail("--strategy", &e);
    a->n_st++;
    return 0;
}

/* One option; 0, 1 after --help, or 2 after printing the error. */
static int apply_opt(compare_args *a, int c, const char *arg)
{
    long v;
    double x;
    switch (c) {
    case 'D':
        if (a->n_data == MAX_FILES)
            return cli_failf("--data", "at most %d files", MAX_FILES);
        a->data[a->n_data++] = arg;
        return 0;
    case 'S': return add_strategy(a, arg);
    case 'N': return cli_int("--seeds", arg, 1, 1000, &a->seeds);
    case 'n': if (cli_int("--steps", arg, 1, 1000000000L, &v)) return 2; a->o.steps = v; return 0;
    case 'B': if (cli_int("--batch", arg, 1, 1 << 20, &v)) return 2; a->o.B = (int)v; return 0;
    case 'T': if (cli_int("--seq", arg, 1, 1 << 24, &v)) return 2; a->o.T = (int)v; return 0;
    case 's': if (cli_int("--seed", arg, 0, 0x7fffffffL, &v)) return 2; a->o.seed = (uint64_t)v; return 0;
    case 'b': if (cli_int("--eval-batches", arg, 0, 1000000L, &v)) return 2; a->o.eval_batches = (int)v; return 0;
    case 'j': if (cli_int("--threads", arg, 0, 1024, &v)) return 2; a->o.threads = (int)v; return 0;
    case 'l':
        if (cli_double("--lr", arg, &x))
            return 2;
        if (!(x >= 0) || !isfinite(x))
            return cli_failf("--lr", "must be a finite number >= 0, got %s", arg);
        a->o.lr = (float)x;
        return 0;
    case 'f':
        if (cli_double("--val-frac", arg, &x))
            return 2;
        if (!(x > 0 && x < 1))
            return cli_failf("--val-frac", "must be in (0, 1), got %s", arg);
        a->val_frac = x;
        return 0;
    case 'J': a->fmt = CLI_JSON; return 0;
    case 'C': a->fmt = CLI_CSV; return 0;
    case 'h': fputs(usage_text, stdout); return 1;
    default: return cli_failf("compare", "bad option (see wscope compare --help)");
    }
}

static int parse(compare_args *a, int argc, char **argv)
{
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        if (c == '?')
            return cli_failf("compare", "bad option %s (see wscope compare --help)", argv[optind - 1]);
        int rc = apply_opt(a, c, optarg);
        if (rc)
            return rc;
    }
    for (int i = optind; i < argc; i++) {
        if (a->model)
            return cli_failf(argv[i], "one MODEL only (data goes after --data)");
        a->model = argv[i];
    }
    if (!a->model || !a->n_data || !a->n_st)
        return cli_failf("compare", "needs MODEL, --data FILE and at least one --strategy "
                         "(see wscope compare --help)");
    return 0;
}

/* The model's tokens: text through its tokenizer, or nanoGPT .bin. */
static int load(compare_args *a, ws_model *m, ws_data *d)
{
    ws_err e = {{0}};
    ws_tokenizer *tk = ws_tok_from_model(m, &e);
    if (!tk && ws_model_meta(m, WS_TOK_META_KEY))
        return cli_fail(a->model, &e);
    int rc = ws_data_load(d, a->data, a->n_data, tk, m->cfg.vocab_size, &e);
    ws_tok_free(tk);
    if (rc) {
        fprintf(stderr, "wscope: %s\n", e.msg);   /* names the file */
        return 2;
    }
    ws_data_split(d, a->val_frac);
    if (a->o.T == 0)
        a->o.T = m->cfg.block_size < 64 ? m->cfg.block_size : 64;
    if (d->n - d->n_train < (size_t)a->o.T + 1)
        return cli_failf(a->data[0], "the validation split (%zu tokens) holds no window of %d + 1 "
                         "tokens: more data or a larger --val-frac", d->n - d->n_train, a->o.T);
    return 0;
}

static int run(compare_args *a, ws_model *m, ws_data *d)
{
    ws_err e = {{0}};
    ws_compare c;
    ws_progress p;
    ws_progress_init(&p, 0);
    cli_bar *bar = cli_bar_start("compare", &p);
    int rc = ws_compare_run_all(m, d, &a->o, a->st, a->n_st, (int)a->seeds, &c, &p, &e);
    cli_bar_stop(bar);
    if (rc) {
        ws_compare_free(&c);
        return cli_fail(a->model, &e);
    }
    ws_table *t = ws_compare_table(&c, a->st, &e);
    ws_compare_free(&c);
    if (!t)
        return cli_fail("compare", &e);
    rc = cli_print_table(t, a->fmt) ? 1 : 0;
    ws_table_free(t);
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    static compare_args a;
    memset(&a, 0, sizeof a);
    a.o = ws_train_defaults();
    a.o.steps = 50;
    a.o.T = 0;
    a.o.eval_batches = 10;
    a.seeds = 3;
    a.val_frac = 0.1;
    int rc = parse(&a, argc, argv);   /* 1: --help was printed */
    ws_model *m = NULL;
    ws_data d = {0};
    if (!rc && cli_open_model(a.model, &m))
        rc = 2;
    if (!rc)
        rc = load(&a, m, &d);
    if (!rc)
        rc = run(&a, m, &d);
    ws_data_free(&d);
    ws_model_free(m);
    for (size_t i = 0; i < a.n_st; i++)
        ws_strategy_free(&a.st[i]);
    return rc == 1 ? 0 : rc;
}
