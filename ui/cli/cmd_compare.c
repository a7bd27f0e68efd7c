/* wscope compare: training strategies across seeds (src/compare.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "compare.h"
#include "export_run.h"
#include "tokenizer.h"
#include "train_args.h"

#define MAX_STRATEGIES 64

typedef struct compare_args {
    train_args t;          /* the shared training options */
    ws_strategy st[MAX_STRATEGIES];
    const char *spec[MAX_STRATEGIES];   /* as given */
    size_t n_st;
    long seeds;
    cli_fmt fmt;
    const char *export_dir;   /* --export DIR: write the jobs instead of running them */
} compare_args;

static const char usage_text[] =
    "usage: wscope compare MODEL --data FILE...\n"
    "         --strategy NAME:PATTERN=POLICY,... [--strategy ...]...\n"
    "         [--seeds N] [--json | --csv | --export DIR] [training options]\n";

enum { OPT_STRATEGY = 0x100, OPT_SEEDS, OPT_JSON, OPT_CSV, OPT_EXPORT };

static const struct option own_opts[] = {
    {"strategy", required_argument, 0, OPT_STRATEGY}, {"seeds", required_argument, 0, OPT_SEEDS},
    {"json", no_argument, 0, OPT_JSON},               {"csv", no_argument, 0, OPT_CSV},
    {"export", required_argument, 0, OPT_EXPORT},
    {0, 0, 0, 0},
};

static int add_strategy(compare_args *a, const char *spec)
{
    ws_err e = {{0}};
    if (a->n_st == MAX_STRATEGIES)
        return cli_failf("--strategy", "at most %d strategies", MAX_STRATEGIES);
    if (ws_strategy_parse(spec, &a->st[a->n_st], &e))
        return cli_fail("--strategy", &e);
    a->spec[a->n_st] = spec;
    a->n_st++;
    return 0;
}

/* One of compare's own options; 0, or 2 after printing the error. */
static int apply_own(void *ctx, int c, const char *arg)
{
    compare_args *a = ctx;
    switch (c) {
    case OPT_STRATEGY: return add_strategy(a, arg);
    case OPT_SEEDS: return cli_int("--seeds", arg, 1, 1000, &a->seeds);
    case OPT_JSON: a->fmt = CLI_JSON; return 0;
    case OPT_CSV: a->fmt = CLI_CSV; return 0;
    case OPT_EXPORT: a->export_dir = arg; return 0;
    default: return cli_failf("compare", "bad option (see wscope compare --help)");
    }
}

static int parse(compare_args *a, int argc, char **argv)
{
    ta_own own = {own_opts, apply_own, a, NULL};
    int rc = train_args_parse(&a->t, TA_DATA | TA_OPTIM, &own, "compare", usage_text, argc, argv);
    if (rc)
        return rc;
    for (int i = 0; i < a->t.n_pos; i++) {
        if (a->t.model)
            return cli_failf(a->t.pos[i], "one MODEL only (data goes after --data)");
        a->t.model = a->t.pos[i];
    }
    if (!a->t.model || !a->t.n_data || !a->n_st)
        return cli_usage_error("compare", "needs MODEL, --data FILE and at least one --strategy");
    return 0;
}

/* The model's tokens: text through its tokenizer, or nanoGPT .bin. */
static int load(compare_args *a, ws_model **m, ws_data *d)
{
    ws_tokenizer *tk = NULL;
    int rc = train_args_open_model(&a->t, m, &tk);
    if (!rc && a->t.o.T == 0)
        a->t.o.T = (*m)->cfg.block_size < 64 ? (*m)->cfg.block_size : 64;
    if (!rc)
        rc = train_args_load_data(&a->t, *m, tk, d);
    ws_tok_free(tk);
    if (!rc && d->n - d->n_train < (size_t)a->t.o.T + 1)
        return cli_failf(a->t.data[0], "the validation split (%zu tokens) holds no window of %d "
                         "+ 1 tokens: more data or a larger --val-frac", d->n - d->n_train,
                         a->t.o.T);
    return rc;
}

/* The training options as a JSON object, each number in the shortest
 * form of the float32 it is (ws_train_opts_json writes 17 digits). */
static char *options_json(const ws_train_opts *o)
{
    ws_err e = {{0}};
    char *oj = ws_train_opts_json(o, &e);
    json_t *root = oj ? json_loads(oj, 0, NULL) : NULL;
    free(oj);
    size_t cap = 4096, n = 0;
    char *out = root ? malloc(cap) : NULL;
    const char *key;
    json_t *v;
    if (out)
        n += (size_t)snprintf(out, cap, "{");
    json_object_foreach(root, key, v) {
        char num[64], *text = json_is_real(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
        const char *val = text ? text : ws_fmt_num(json_real_value(v), 9, num, sizeof num);
        if (out && n < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s\"%s\": %s", n > 1 ? ", " : "", key, val);
        free(text);
    }
    if (out && n + 2 < cap)
        snprintf(out + n, cap - n, "}");
    json_decref(root);
    return out;
}

/* The command and its parameters: data, strategies as given, seeds and
 * the training options every run shares. */
static ws_doc *compare_doc(const compare_args *a, const ws_train_opts *o)
{
    ws_doc *doc = cli_doc("compare", a->t.model);
    if (!doc)
        return NULL;
    ws_doc_param_strs(doc, "data", a->t.data, a->t.n_data);
    ws_doc_param_strs(doc, "val_data", a->t.val, a->t.n_val);
    ws_doc_param_strs(doc, "strategies", a->spec, a->n_st);
    ws_doc_param_int(doc, "seeds", a->seeds);
    char *oj = options_json(o);
    ws_doc_param_json(doc, "training", oj);
    free(oj);
    return doc;
}

/* --export DIR: the jobs as PyTorch runs (src/export_run.h). */
static int export_jobs(compare_args *a, ws_model *m, ws_data *d)
{
    ws_err e = {{0}};
    ws_train_opts o = train_args_opts(&a->t);
    if (ws_export_compare(m, d, &o, a->st, a->n_st, (int)a->seeds, a->export_dir, a->t.model, &e))
        return cli_fail(a->export_dir, &e);
    printf("wrote %s: %zu jobs (strategy x seed) and run_all.sh; see %s/README.txt\n",
           a->export_dir, a->n_st * (size_t)a->seeds, a->export_dir);
    return 0;
}

static int run(compare_args *a, ws_model *m, ws_data *d)
{
    ws_err e = {{0}};
    ws_compare c;
    ws_progress p;
    ws_progress_init(&p, 0);
    cli_bar *bar = cli_bar_start("compare", &p);
    ws_train_opts o = train_args_opts(&a->t);
    int rc = ws_compare_run_all(m, d, &o, a->st, a->n_st, (int)a->seeds, &c, &p, &e);
    cli_bar_stop(bar);
    if (rc) {
        ws_compare_free(&c);
        return cli_fail(a->t.model, &e);
    }
    ws_table *t = ws_compare_table(&c, a->st, &e);
    ws_compare_free(&c);
    if (!t)
        return cli_fail("compare", &e);
    ws_doc *doc = compare_doc(a, &o);
    if (doc)
        ws_doc_table(doc, t);
    else
        ws_table_free(t);
    return cli_emit(doc, a->fmt, NULL);
}

int cmd_compare(int argc, char **argv)
{
    static compare_args a;
    memset(&a, 0, sizeof a);
    train_args_defaults(&a.t);
    a.t.o.steps = 50;
    a.t.o.eval_batches = 10;
    a.seeds = 3;
    int rc = parse(&a, argc, argv);   /* 1: --help was printed */
    ws_model *m = NULL;
    ws_data d = {0};
    if (!rc)
        rc = load(&a, &m, &d);
    if (!rc)
        rc = a.export_dir ? export_jobs(&a, m, &d) : run(&a, m, &d);
    ws_data_free(&d);
    ws_model_free(m);
    for (size_t i = 0; i < a.n_st; i++)
        ws_strategy_free(&a.st[i]);
    return rc == 1 ? 0 : rc;
}
