/* The tokenizer a command uses (tokenizer_cli.h). */
#include "tokenizer_cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "data.h"
#include "escape.h"
#include "tokenizer_files.h"

int cli_tokenizer(const ws_model *m, const char *path, const char *const *files, size_t n,
                  ws_tokenizer **tk)
{
    ws_err e = {{0}};
    *tk = NULL;
    if (!path && !ws_data_any_text(files, n))
        return 0;
    if (ws_tok_find(m, path, tk, &e) == 0)
        return 0;
    char *msg = ws_escape_dup(e.msg);   /* it starts with the file; names come from files */
    fprintf(stderr, "wscope: %s\n", msg ? msg : e.msg);
    free(msg);
    return 2;
}

void cli_unknown_note(const ws_tokenizer *tk, const ws_data *d)
{
    if (tk && d->n_unk)
        fprintf(stderr, "wscope: note: %zu pieces of the text are not in the vocabulary (%s); "
                        "%zu tokens\n", d->n_unk, ws_tok_unknown_note(tk), d->n);
}
