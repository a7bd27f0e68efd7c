/* What the training options set up: the starting model, its tokenizer and
 * the data (train_args.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tokenizer_cli.h"
#include "tokenizer_files.h"
#include "train_args.h"

/* Build a tokenizer from the text files among the data. NULL when all are .bin. */
static int build_tokenizer(train_args *a, ws_tokenizer **out)
{
    ws_err e = {{0}};
    ws_tok_counter *c = ws_tok_counter_new(&a->to, &e);
    if (!c)
        return cli_fail("--init", &e);
    int any = 0;
    for (size_t i = 0; i < a->n_data; i++) {
        size_t len;
        if (!ws_data_any_text(&a->data[i], 1))   /* nanoGPT .bin */
            continue;
        char *text = ws_read_text(a->data[i], &len, &e);
        if (!text || ws_tok_count(c, text, len, &e)) {
            free(text);
            ws_tok_counter_free(c);
            return cli_fail_msg(&e);
        }
        free(text);
        any = 1;
    }
    if (!any) {
        ws_tok_counter_free(c);
        *out = NULL;
        return 0;
    }
    *out = ws_tok_counter_finish(c, &e);
    return *out ? 0 : cli_fail("--init", &e);
}

/* --tokenizer FILE for a fresh model: the vocabulary is its size. */
static int given_tokenizer(train_args *a, ws_tokenizer **tk)
{
    ws_err e = {{0}};
    if (!(*tk = ws_tok_open(a->tokenizer, &e))) {
        fprintf(stderr, "wscope: %s\n", e.msg);
        return 2;
    }
    if (a->to.max_vocab && a->to.max_vocab != ws_tok_size(*tk))
        return cli_failf("--vocab", "%d, but the tokenizer %s has %d tokens", a->to.max_vocab,
                         a->tokenizer, ws_tok_size(*tk));
    return 0;
}

static int init_model(train_args *a, ws_model **m, ws_tokenizer **tk)
{
    ws_err e = {{0}};
    if (a->tokenizer ? given_tokenizer(a, tk) : build_tokenizer(a, tk))
        return 2;
    if (*tk)
        a->io.vocab_size = ws_tok_size(*tk);
    else if (a->to.max_vocab)
        a->io.vocab_size = a->to.max_vocab;
    else
        return cli_failf("--init", "--vocab is needed with only .bin data");
    *m = ws_init_gpt(&a->io, &e);
    if (!*m)
        return cli_fail("--init", &e);
    if (*tk && !a->tokenizer && ws_tok_save_to_model(*tk, *m, &e))
        return cli_fail("--init", &e);
    return 0;
}

int train_args_open_model(train_args *a, ws_model **m, ws_tokenizer **tk)
{
    if (a->init)
        return init_model(a, m, tk);
    const char *path = a->resume ? a->resume : a->model;
    if (cli_open_model(path, m) || cli_apply_heads(*m, a->heads_given ? a->io.n_head : 0))
        return 2;
    if (cli_tokenizer(*m, a->tokenizer, a->data, a->n_data, tk))
        return 2;
    if (!*tk && cli_tokenizer(*m, a->tokenizer, a->val, a->n_val, tk))
        return 2;
    return 0;
}

int train_args_load_data(train_args *a, ws_model *m, const ws_tokenizer *tk, ws_data *d)
{
    ws_err e = {{0}};
    if (ws_data_load(d, a->data, a->n_data, tk, m->cfg.vocab_size, &e))
        return cli_fail_msg(&e);
    if (a->n_val && ws_data_load_val(d, a->val, a->n_val, tk, m->cfg.vocab_size, &e))
        return cli_fail_msg(&e);
    if (!a->n_val)
        ws_data_split(d, a->o.val_frac);
    if (a->o.T == 0)
        a->o.T = m->cfg.block_size;
    cli_unknown_note(tk, d);
    return 0;
}
