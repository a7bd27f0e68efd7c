/* The tokenizer a command uses (the search order of tokenizer_files.h),
 * with its errors printed the CLI's way. */
#ifndef WS_TOKENIZER_CLI_H
#define WS_TOKENIZER_CLI_H

#include <stddef.h>

#include "model.h"
#include "tokenizer.h"

/* The tokenizer for model m: `path` (--tokenizer, may be NULL) or the one
 * found for the model. It is looked for only when `path` is given or some
 * of the n files (data the command reads) is text: nanoGPT .bin data needs
 * none. Returns 0 with *tk (NULL when there is none: the data loader then
 * says why text cannot be read), or 2 after printing the error. */
int cli_tokenizer(const ws_model *m, const char *path, const char *const *files, size_t n,
                  ws_tokenizer **tk);

/* "wscope: note: ..." when some of the text was not in the vocabulary. */
struct ws_data;
void cli_unknown_note(const ws_tokenizer *tk, const struct ws_data *d);

#endif
