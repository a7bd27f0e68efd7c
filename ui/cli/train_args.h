/* The training options shared by train, compare and export-run: one table
 * (name, argument, group), the defaults, the validation of each value, the
 * usage text generated from the table, and what the options set up (the
 * starting model, its tokenizer and the data).
 *
 * How to add an option: a row in `ta_options` (train_args.c) with a new key
 * and the group of commands that take it, a case in `apply` that checks and
 * stores the value (in train_args, mostly its ws_train_opts), and its entry
 * in the man page (wscope.1, under train). A command takes the groups it
 * names in train_args_parse; its own options come in `own`. */
#ifndef WS_TRAIN_ARGS_H
#define WS_TRAIN_ARGS_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "data.h"
#include "init.h"
#include "model.h"
#include "policy.h"
#include "tokenizer.h"
#include "train.h"

#define TA_MAX_FILES 256
#define TA_MAX_RULES 256

/* Groups of options; a command takes a set of them. */
enum {
    TA_DATA = 1 << 0,    /* data, validation split, batch, seq, steps, seed, threads, heads, tokenizer */
    TA_OPTIM = 1 << 1,   /* learning rate, AdamW, clipping, schedule, sampling, evaluation size */
    TA_EVERY = 1 << 2,   /* --eval-every */
    TA_POLICY = 1 << 3,  /* --policy rules */
    TA_SAVE = 1 << 4,    /* --out, --log, --resume, --stop-at, --save-every ... */
    TA_INIT = 1 << 5,    /* --init and the shape of a fresh model */
    TA_RUN = TA_DATA | TA_OPTIM | TA_EVERY | TA_POLICY,
};

typedef struct train_args {
    const char *model, *resume, *out, *log;
    const char *tokenizer;  /* --tokenizer FILE, or NULL: the model's own or one beside it */
    const char *data[TA_MAX_FILES], *val[TA_MAX_FILES];
    size_t n_data, n_val;
    ws_policy_rule rules[TA_MAX_RULES];
    size_t n_rules;
    ws_train_opts o;
    int threads, min_lr_set;
    int init;
    int heads_given;        /* --heads: n_head for an existing model whose file lacks it */
    ws_init_opts io;
    ws_tok_opts to;
    char **pos;             /* the positional arguments after parsing */
    int n_pos;
} train_args;

/* wscope train's defaults (ws_train_defaults, T = block size, a 2-layer
 * init shape, min_lr = lr/10 unless given). */
void train_args_defaults(train_args *a);

/* A command's own options: `opts` for getopt_long (keys >= 0x100 so they
 * never meet the table's) and `shortopts` (its short options, which go to
 * it too), `apply` for each of them (0, or 2 after printing an error). */
typedef struct ta_own {
    const struct option *opts;
    int (*apply)(void *ctx, int key, const char *arg);
    void *ctx;
    const char *shortopts;  /* e.g. "o:" when -o is one of them; NULL: none */
} ta_own;

/* Parse argv: the options of `groups` and the command's own. Positionals
 * land in a->pos / a->n_pos. --help prints `usage` (then the generated
 * option list) and returns 1; a bad option or value prints one line and
 * returns 2. Afterwards min_lr defaults to lr/10. */
int train_args_parse(train_args *a, unsigned groups, const ta_own *own, const char *cmd,
                     const char *usage, int argc, char **argv);

/* The positionals as train takes them: MODEL (unless --init or --resume),
 * then more data files. Returns 0 or 2 (printed). */
int train_args_positionals(train_args *a);

/* The argument of --resume in argv, without judging anything else (NULL). */
const char *train_args_find_resume(int argc, char **argv);

/* Print "  [--steps N] [--batch B] ..." for the groups, in lines under 80
 * columns, one heading per group. */
void train_args_usage(FILE *fp, unsigned groups);

/* ---- what the options set up (train_input.c) ---- */

/* The starting model and its tokenizer: a fresh init (with --tokenizer's,
 * its size the vocabulary, or else a word tokenizer built from the text
 * data and kept in the model), or MODEL / the --resume checkpoint with the
 * tokenizer found for it (tokenizer_files.h; looked for only when some data
 * is text or --tokenizer is given; NULL when none). Returns 0 or 2 (printed). */
int train_args_open_model(train_args *a, ws_model **m, ws_tokenizer **tk);

/* Load --data (and --val-data, else split off --val-frac); T defaults to the
 * block size. Returns 0 or 2 (printed). */
int train_args_load_data(train_args *a, ws_model *m, const ws_tokenizer *tk, ws_data *d);

/* The options a run takes: o with the rules and thread count filled in. */
ws_train_opts train_args_opts(const train_args *a);

#endif
