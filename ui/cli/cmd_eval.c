/* wscope eval: mean loss of a model over the sequential windows of data. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "data.h"
#include "eval_table.h"
#include "gpt.h"
#include "tokenizer.h"
#include "tokenizer_cli.h"
#include "train.h"

static const char usage_text[] =
    "usage: wscope eval MODEL --data FILE... [--seq T] [--batch B] [--threads N]\n"
    "                   [--val-frac F] [--eval-batches K] [--heads H]\n"
    "                   [--tokenizer FILE] [--json|--csv]\n"
    "The mean loss over the sequential windows of the data (text through the\n"
    "model's tokenizer, or nanoGPT .bin token ids); --val-frac F: of the last F\n"
    "of the tokens only (what train --val-frac F holds out), --eval-batches K:\n"
    "its first K batches (0: all), as a run's validation measures it.\n";

typedef struct eval_args {
    const char *model, *tokenizer;
    const char *data[256];
    size_t n_data;
    long T, B, threads, heads;
    double val_frac;     /* > 0: only the last val_frac of the tokens (train's split) */
    long max_batches;    /* > 0: only the first K batches of B windows */
    cli_fmt fmt;
} eval_args;

static int parse(eval_args *a, int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'D'}, {"seq", required_argument, 0, 'T'},
        {"batch", required_argument, 0, 'B'}, {"threads", required_argument, 0, 'j'},
        {"heads", required_argument, 0, 'H'}, {"tokenizer", required_argument, 0, 'Z'},
        {"val-frac", required_argument, 0, 'V'}, {"eval-batches", required_argument, 0, 'E'},
        {"json", no_argument, 0, 'J'},        {"csv", no_argument, 0, 'C'},   {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        switch (c) {
        case 'D':
            if (a->n_data == 256)
                return cli_failf("--data", "at most 256 files");
            a->data[a->n_data++] = optarg;
            break;
        case 'T': if (cli_int("--seq", optarg, 1, 1 << 24, &a->T)) return 2; break;
        case 'B': if (cli_int("--batch", optarg, 1, 1 << 20, &a->B)) return 2; break;
        case 'j': if (cli_int("--threads", optarg, 0, 1024, &a->threads)) return 2; break;
        case 'H': if (cli_int("--heads", optarg, 1, 65536, &a->heads)) return 2; break;
        case 'Z': a->tokenizer = optarg; break;
        case 'V':
            if (cli_double("--val-frac", optarg, &a->val_frac))
                return 2;
            if (!(a->val_frac > 0 && a->val_frac < 1))
                return cli_failf("--val-frac", "expected a fraction in (0, 1), got \"%s\"", optarg);
            break;
        case 'E': if (cli_int("--eval-batches", optarg, 0, 1L << 30, &a->max_batches)) return 2; break;
        case 'J': a->fmt = CLI_JSON; break;
        case 'C': a->fmt = CLI_CSV; break;
        default: return c == CLI_HELP ? 1 : 2;   /* 1: the help was printed */
        }
    }
    for (int i = optind; i < argc; i++) {
        if (!a->model)
            a->model = argv[i];
        else if (a->n_data < 256)
            a->data[a->n_data++] = argv[i];
    }
    if (!a->model)
        return cli_usage_error("eval", "no MODEL");
    if (!a->n_data)
        return cli_usage_error("eval", "no --data FILE");
    return 0;
}

static int evaluate(const eval_args *a, ws_model *m, const ws_data *d, const ws_tokenizer *tk)
{
    ws_err e = {{0}};
    int T = a->T ? (int)a->T : m->cfg.block_size, B = a->B ? (int)a->B : 8;
    if (T > m->cfg.block_size)
        return cli_failf(a->model, "sequence length %d is larger than the model's block size %d",
                         T, m->cfg.block_size);
    /* With --val-frac, the tokens train held out with the same fraction. */
    size_t start = a->val_frac > 0 ? d->n_train : 0, n = d->n - start;
    const int32_t *tok = d->tok + start;
    if (n < (size_t)T + 1)
        return cli_failf(a->data[0], "%zu tokens%s hold no window of %d + 1 tokens", n,
                         a->val_frac > 0 ? " held out" : "", T);
    ws_gpt *g = ws_gpt_new(m, B, T, &e);
    if (!g)
        return cli_fail(a->model, &e);
    ws_gpt_set_threads(g, (int)a->threads);
    ws_progress p;
    ws_progress_init(&p, 0);
    cli_bar *bar = cli_bar_start("eval", &p);
    double loss = ws_eval_windows(g, tok, n, B, T, (size_t)a->max_batches, &p, &e);
    cli_bar_stop(bar);
    size_t windows = (n - 1) / (size_t)T;
    if (a->max_batches && windows > (size_t)a->max_batches * (size_t)B)
        windows = (size_t)a->max_batches * (size_t)B;
    ws_gpt_free(g);
    if (isnan(loss))
        return cli_fail(a->model, &e);
    ws_doc *doc = cli_doc("eval", a->model);
    if (!doc)
        return 1;
    ws_doc_param_strs(doc, "data", a->data, a->n_data);
    ws_doc_param_int(doc, "seq", T);
    ws_doc_param_int(doc, "batch", B);
    if (a->val_frac > 0)
        ws_doc_param_num(doc, "val_frac", a->val_frac);
    if (a->max_batches)
        ws_doc_param_int(doc, "eval_batches", a->max_batches);
    ws_doc_param_int(doc, "heads", m->cfg.n_head);
    if (tk)   /* where the text's ids came from */
        ws_doc_param_str(doc, "tokenizer", ws_tok_source(tk));
    ws_doc_table(doc, ws_eval_table(loss, windows, T));
    if (a->fmt == CLI_TEXT && ws_doc_ok(doc)) {   /* one result: one line */
        int rc = ws_table_write_record(ws_doc_get_table(doc, 0), 0, stdout) || fflush(stdout) ? 1 : 0;
        ws_doc_free(doc);
        return rc;
    }
    return cli_emit(doc, a->fmt, NULL);
}

int cmd_eval(int argc, char **argv)
{
    eval_args a = {0};
    int rc = parse(&a, argc, argv);
    if (rc)
        return rc == 1 ? 0 : rc;
    ws_model *m;
    if (cli_open_model(a.model, &m))
        return 2;
    if (cli_apply_heads(m, (int)a.heads)) {
        ws_model_free(m);
        return 2;
    }
    ws_err e = {{0}};
    ws_tokenizer *tk = NULL;
    ws_data d;
    if (cli_tokenizer(m, a.tokenizer, a.data, a.n_data, &tk))
        rc = 2;
    else if (ws_data_load(&d, a.data, a.n_data, tk, m->cfg.vocab_size, &e)) {
        rc = cli_fail_msg(&e);
    } else {
        cli_unknown_note(tk, &d);
        if (a.val_frac > 0)
            ws_data_split(&d, a.val_frac);
        rc = evaluate(&a, m, &d, tk);
        ws_data_free(&d);
    }
    ws_tok_free(tk);
    ws_model_free(m);
    return rc;
}
