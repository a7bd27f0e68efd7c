/* wscope export-run: the run `wscope train` would do, as a PyTorch job
 * (src/export_run.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "export_run.h"
#include "train_args.h"

static const char usage_text[] =
    "usage: wscope export-run MODEL --data FILE... -o DIR\n"
    "                         [train options, --policy rules]\n"
    "       wscope export-run --init --layers L --d D --heads H --block T\n"
    "                         --data FILE... -o DIR\n"
    "Writes DIR/train.py, plan.json, init.safetensors and the token ids; run it\n"
    "with python3 DIR/train.py or torchrun --nproc_per_node N DIR/train.py.\n"
    "See wscope(1).\n";

static const struct option own_opts[] = {
    {"out", required_argument, 0, 'o'},
    {0, 0, 0, 0},
};

static int apply_own(void *ctx, int c, const char *arg)
{
    (void)c;
    *(const char **)ctx = arg;   /* -o / --out DIR */
    return 0;
}

static int export_it(train_args *a, const char *dir)
{
    ws_model *m = NULL;
    ws_tokenizer *tk = NULL;
    ws_data d = {0};
    ws_err e = {{0}};
    int rc = train_args_open_model(a, &m, &tk);
    if (!rc)
        rc = train_args_load_data(a, m, tk, &d);
    if (!rc) {
        ws_train_opts o = train_args_opts(a);
        if (ws_export_run(m, &d, &o, dir, a->model, &e))
            rc = cli_fail(dir, &e);
    }
    if (!rc)
        printf("wrote %s: train.py, plan.json, init.safetensors and the data; run it with\n"
               "  python3 %s/train.py   or   torchrun --nproc_per_node N %s/train.py\n",
               dir, dir, dir);
    ws_data_free(&d);
    ws_tok_free(tk);
    ws_model_free(m);
    return rc;
}

int cmd_export_run(int argc, char **argv)
{
    static train_args a;
    const char *dir = NULL;
    ta_own own = {own_opts, apply_own, &dir, "o:"};
    train_args_defaults(&a);
    int rc = train_args_parse(&a, TA_RUN | TA_INIT, &own, "export-run", usage_text, argc, argv);
    if (rc || (rc = train_args_positionals(&a)))
        return rc == 1 ? 0 : rc;
    if (!a.model && !a.init)
        return cli_usage_error("export-run", "no MODEL (or --init)");
    if (a.model && a.init)
        return cli_failf("export-run", "give MODEL or --init, not both");
    if (!a.n_data)
        return cli_usage_error("export-run", "no --data FILE");
    if (!dir)
        return cli_usage_error("export-run", "no -o DIR (where the job goes)");
    return export_it(&a, dir);
}
