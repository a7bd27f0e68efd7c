/* Training options: the table, their checks and the usage text (train_args.h). */
#include "train_args.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ptwrite.h"

typedef struct ta_option {
    const char *name;
    const char *meta;    /* the argument in usage; NULL for a flag */
    unsigned group;
    int key;             /* below 0x100: a command's own options use the keys above */
} ta_option;

/* Every shared option, in the order usage lists them. */
static const ta_option ta_options[] = {
    {"data", "FILE", TA_DATA, 'D'},
    {"val-data", "FILE", TA_DATA, 'Y'},
    {"val-frac", "F", TA_DATA, 'f'},
    {"steps", "N", TA_DATA, 'n'},
    {"batch", "B", TA_DATA, 'B'},
    {"seq", "T", TA_DATA, 'T'},
    {"seed", "S", TA_DATA, 's'},
    {"threads", "N", TA_DATA, 'j'},
    {"heads", "H", TA_DATA, 'H'},
    {"tokenizer", "FILE", TA_DATA, 'Z'},
    {"lr", "X", TA_OPTIM, 'l'},
    {"min-lr", "X", TA_OPTIM, 'm'},
    {"wd", "X", TA_OPTIM, 'w'},
    {"beta1", "X", TA_OPTIM, '1'},
    {"beta2", "X", TA_OPTIM, '2'},
    {"eps", "X", TA_OPTIM, 'E'},
    {"clip", "X", TA_OPTIM, 'c'},
    {"schedule", "constant|cosine", TA_OPTIM, 'S'},
    {"warmup", "N", TA_OPTIM, 'W'},
    {"sampling", "random|sequential", TA_OPTIM, 'a'},
    {"eval-batches", "N", TA_OPTIM, 'b'},
    {"pr-every", "N", TA_OPTIM, 'P'},
    {"eval-every", "N", TA_EVERY, 'v'},
    {"policy", "PATTERN=POLICY", TA_POLICY, 'p'},
    {"out", "FILE", TA_SAVE, 'o'},
    {"overwrite", NULL, TA_SAVE, 'O'},
    {"weights-only", NULL, TA_SAVE, 'y'},
    {"dtype", "f32|f16|bf16", TA_SAVE, 'X'},
    {"log", "FILE.csv", TA_SAVE, 'g'},
    {"resume", "CKPT", TA_SAVE, 'r'},
    {"stop-at", "N", TA_SAVE, 'A'},
    {"save-every", "N", TA_SAVE, 'k'},
    {"init", NULL, TA_INIT, 'I'},
    {"layers", "L", TA_INIT, 'L'},
    {"d", "D", TA_INIT, 'd'},
    {"block", "T", TA_INIT, 'K'},
    {"vocab", "V", TA_INIT, 'V'},
    {"tied", NULL, TA_INIT, 't'},
    {"no-bias", NULL, TA_INIT, 'N'},
    {"min-count", "N", TA_INIT, 'M'},
    {"lowercase", NULL, TA_INIT, 'C'},
};
#define N_OPTIONS (sizeof ta_options / sizeof ta_options[0])

static const struct {
    unsigned group;
    const char *title;
} ta_groups[] = {
    {TA_DATA, "data and run"}, {TA_OPTIM, "optimizer"}, {TA_EVERY, "evaluation"},
    {TA_POLICY, "policies (repeat)"}, {TA_SAVE, "saving"}, {TA_INIT, "a fresh model (--init)"},
};

void train_args_defaults(train_args *a)
{
    memset(a, 0, sizeof *a);
    a->o = ws_train_defaults();
    a->o.T = 0;
    a->io = (ws_init_opts){.n_layer = 2, .n_embd = 64, .n_head = 4, .block_size = 64, .bias = 1,
                           .seed = a->o.seed};
    a->to = (ws_tok_opts){.lowercase = 0, .min_count = 1, .max_vocab = 0};
}

/* ---- checking one value ---- */

static int int_opt(const char *name, const char *s, long lo, long hi, int64_t *out)
{
    long v;
    if (cli_int(name, s, lo, hi, &v))
        return 2;
    *out = v;
    return 0;
}

/* A number in [lo, hi] (CLI_OPEN_* excludes an end), checked before the
 * run: --lr 1e39 would otherwise be infinite in float and NaN at step 1. */
static int num_opt(const char *name, const char *s, double lo, double hi, int open, float *out)
{
    double v;
    if (cli_double_in(name, s, lo, hi, open, &v))
        return 2;
    *out = (float)v;
    return 0;
}

static int choice(const char *name, const char *s, const char *a, const char *b, int *out)
{
    if (!strcmp(s, a))
        *out = 0;
    else if (!strcmp(s, b))
        *out = 1;
    else
        return cli_failf(name, "expected %s or %s, got \"%s\"", a, b, s);
    return 0;
}

static int add_file(const char **list, size_t *n, const char *opt, const char *path)
{
    if (*n == TA_MAX_FILES)
        return cli_failf(opt, "at most %d files", TA_MAX_FILES);
    list[(*n)++] = path;
    return 0;
}

static int add_rule(train_args *a, const char *arg)
{
    ws_err e = {{0}};
    if (a->n_rules == TA_MAX_RULES)
        return cli_failf("--policy", "at most %d rules", TA_MAX_RULES);
    if (ws_policy_parse(arg, &a->rules[a->n_rules], &e))
        return cli_fail("--policy", &e);
    a->n_rules++;
    return 0;
}

/* --dtype: the weights-only save's dtype (else the input's). */
static int weights_dtype(train_args *a, const char *arg)
{
    static const struct { const char *name; ws_dtype dt; } names[] = {
        {"f32", WS_DT_F32}, {"f16", WS_DT_F16}, {"bf16", WS_DT_BF16}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(arg, names[i].name)) {
            a->o.weights_dtype = names[i].dt;
            a->o.weights_dtype_set = 1;
            return 0;
        }
    return cli_failf("--dtype", "expected f32, f16 or bf16, got \"%s\"", arg);
}

static int val_frac(train_args *a, const char *arg)
{
    double f;
    if (cli_double("--val-frac", arg, &f))
        return 2;
    if (!(f >= 0 && f < 1))
        return cli_failf("--val-frac", "must be in [0, 1), got %s", arg);
    a->o.val_frac = f;
    return 0;
}

/* One option of the table; 0, or 2 after printing the error. */
static int apply(train_args *a, int c, const char *arg)
{
    ws_train_opts *o = &a->o;
    int64_t v = 0;
    int k = 0, rc = 0;
    switch (c) {
    case 'D': return add_file(a->data, &a->n_data, "--data", arg);
    case 'Y': return add_file(a->val, &a->n_val, "--val-data", arg);
    case 'f': return val_frac(a, arg);
    case 'n': rc = int_opt("--steps", arg, 1, 1000000000L, &o->steps); break;
    case 'B': rc = int_opt("--batch", arg, 1, 1 << 20, &v); o->B = (int)v; break;
    case 'T': rc = int_opt("--seq", arg, 1, 1 << 24, &v); o->T = (int)v; break;
    case 's': rc = int_opt("--seed", arg, 0, 0x7fffffffL, &v); o->seed = (uint64_t)v; a->io.seed = (uint64_t)v; break;
    case 'j': rc = int_opt("--threads", arg, 0, 1024, &v); a->threads = (int)v; break;
    case 'H': rc = int_opt("--heads", arg, 1, 65536, &v); a->io.n_head = (int)v; a->heads_given = 1; break;
    case 'Z': a->tokenizer = arg; break;
    case 'l': rc = num_opt("--lr", arg, 0, 10, 0, &o->lr); break;
    case 'm': rc = num_opt("--min-lr", arg, 0, 10, 0, &o->min_lr); a->min_lr_set = 1; break;
    case 'w': rc = num_opt("--wd", arg, 0, 10, 0, &o->adam.weight_decay); break;
    case '1': rc = num_opt("--beta1", arg, 0, 1, CLI_OPEN_HI, &o->adam.beta1); break;
    case '2': rc = num_opt("--beta2", arg, 0, 1, CLI_OPEN_HI, &o->adam.beta2); break;
    case 'E': rc = num_opt("--eps", arg, 0, 1, CLI_OPEN_LO, &o->adam.eps); break;
    case 'c': rc = num_opt("--clip", arg, 0, 1e6, 0, &o->clip); break;
    case 'S': rc = choice("--schedule", arg, "constant", "cosine", &o->cosine); break;
    case 'W': rc = int_opt("--warmup", arg, 0, 1000000000L, &o->warmup); break;
    case 'a': rc = choice("--sampling", arg, "random", "sequential", &k); o->sampling = (ws_sampling)k; break;
    case 'b': rc = int_opt("--eval-batches", arg, 0, 1000000L, &v); o->eval_batches = (int)v; break;
    case 'P': rc = int_opt("--pr-every", arg, 1, 1000000000L, &o->pr_every); break;
    case 'v': rc = int_opt("--eval-every", arg, 0, 1000000000L, &o->eval_every); break;
    case 'p': return add_rule(a, arg);
    case 'o': a->out = arg; break;
    case 'O': o->overwrite_input = 1; break;
    case 'y': o->weights_only = 1; break;
    case 'X': return weights_dtype(a, arg);
    case 'g': a->log = arg; break;
    case 'r': a->resume = arg; break;
    case 'A': rc = int_opt("--stop-at", arg, 1, 1000000000L, &o->stop_at); break;
    case 'k': rc = int_opt("--save-every", arg, 0, 1000000000L, &o->save_every); break;
    case 'I': a->init = 1; break;
    case 'L': rc = int_opt("--layers", arg, 1, 1000, &v); a->io.n_layer = (int)v; break;
    case 'd': rc = int_opt("--d", arg, 1, 65536, &v); a->io.n_embd = (int)v; break;
    case 'K': rc = int_opt("--block", arg, 1, 1000000, &v); a->io.block_size = (int)v; break;
    case 'V': rc = int_opt("--vocab", arg, 2, 10000000, &v); a->to.max_vocab = (int)v; break;
    case 't': a->io.tied = 1; break;
    case 'N': a->io.bias = 0; break;
    case 'M': rc = int_opt("--min-count", arg, 1, 1000000000L, &v); a->to.min_count = (int)v; break;
    case 'C': a->to.lowercase = 1; break;
    default: return 2;
    }
    return rc;
}

/* ---- parsing ---- */

#define MAX_LONG_OPTS (N_OPTIONS + 64)

/* getopt_long's table: the options of `groups`, the command's own, --help. */
static void long_opts(struct option *out, unsigned groups, const ta_own *own)
{
    size_t n = 0;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (ta_options[i].group & groups)
            out[n++] = (struct option){ta_options[i].name,
                                       ta_options[i].meta ? required_argument : no_argument, 0,
                                       ta_options[i].key};
    for (const struct option *p = own ? own->opts : NULL; p && p->name && n < MAX_LONG_OPTS - 2; p++)
        out[n++] = *p;
    out[n++] = (struct option){"help", no_argument, 0, 'h'};
    out[n] = (struct option){0, 0, 0, 0};
}

int train_args_parse(train_args *a, unsigned groups, const ta_own *own, const char *cmd,
                     const char *usage, int argc, char **argv)
{
    struct option opts[MAX_LONG_OPTS];
    long_opts(opts, groups, own);
    const char *shortopts = own && own->shortopts ? own->shortopts : "";
    int c;
    (void)cmd;   /* argv[0] names the command in messages */
    optind = 0;   /* a full restart of getopt's scan */
    while ((c = cli_getopt(argc, argv, shortopts, opts, NULL)) != -1) {
        int rc;
        if (c == CLI_BAD)
            return 2;
        if (c == CLI_HELP) {
            fputs(usage, stdout);
            train_args_usage(stdout, groups);
            return 1;
        }
        rc = c < 0x100 && !(own && own->shortopts && strchr(own->shortopts, c))
                 ? apply(a, c, optarg)
                 : own->apply(own->ctx, c, optarg);
        if (rc)
            return rc;
    }
    /* A .pt is a weights-only save by nature (it holds no training state). */
    if (a->o.weights_dtype_set && !a->o.weights_only && !(a->out && ws_pt_path(a->out)))
        return cli_failf(cmd, "--dtype applies to --weights-only saves (a checkpoint keeps float32 "
                              "weights for --resume)");
    a->pos = argv + optind;
    a->n_pos = argc - optind;
    if (!a->min_lr_set)
        a->o.min_lr = a->o.lr / 10;
    return 0;
}

const char *train_args_find_resume(int argc, char **argv)
{
    struct option opts[MAX_LONG_OPTS];
    const char *resume = NULL;
    int c;
    /* getopt_long permutes what it scans: scan a copy, so that the real
     * parse sees the arguments as given ("train M --data" must not become
     * "train --data M"). */
    char **copy = malloc(((size_t)argc + 1) * sizeof *copy);
    if (!copy)
        return NULL;
    memcpy(copy, argv, (size_t)argc * sizeof *copy);
    copy[argc] = NULL;
    long_opts(opts, ~0u, NULL);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, copy, "", opts, NULL)) != -1)
        if (c == 'r')
            resume = optarg;
    free(copy);
    return resume;
}

void train_args_usage(FILE *fp, unsigned groups)
{
    for (size_t g = 0; g < sizeof ta_groups / sizeof ta_groups[0]; g++) {
        if (!(ta_groups[g].group & groups))
            continue;
        int col = fprintf(fp, "%s:", ta_groups[g].title);
        for (size_t i = 0; i < N_OPTIONS; i++) {
            const ta_option *t = &ta_options[i];
            if (t->group != ta_groups[g].group)
                continue;
            char item[64];
            int n = snprintf(item, sizeof item, "[--%s%s%s]", t->name, t->meta ? " " : "",
                             t->meta ? t->meta : "");
            if (col + 1 + n > 79) {
                fputs("\n   ", fp);
                col = 3;
            }
            col += fprintf(fp, " %s", item);
        }
        fputc('\n', fp);
    }
}

int train_args_positionals(train_args *a)
{
    for (int i = 0; i < a->n_pos; i++) {
        if (!a->model && !a->init && !a->resume)
            a->model = a->pos[i];
        else if (add_file(a->data, &a->n_data, "--data", a->pos[i]))
            return 2;
    }
    return 0;
}

ws_train_opts train_args_opts(const train_args *a)
{
    ws_train_opts o = a->o;
    o.threads = a->threads;
    o.out = a->out;
    o.rules = a->rules;
    o.n_rules = a->n_rules;
    return o;
}
