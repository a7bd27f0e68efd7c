/* Where a model's tokenizer comes from, and reading tokenizer files.
 *
 * Formats (read by content, so any name works with --tokenizer; plain or
 * gzip-compressed):
 *   tokenizer.json            Hugging Face tokenizers' single file: model
 *                             "BPE" with the ByteLevel pre-tokenizer, as
 *                             GPT-2's is (other models are refused)
 *   vocab.json + merges.txt   Hugging Face GPT-2 folders
 *   encoder.json + vocab.bpe  the same two tables as OpenAI published them
 *   meta.pkl                  nanoGPT's character vocabulary
 * A vocabulary file needs its merges beside it (and the other way round):
 * the partner of vocab.json is merges.txt, of encoder.json vocab.bpe (a
 * ".gz" ending is kept); for other names the first of those that exists.
 *
 * The search order for a model (ws_tok_find):
 *   1. --tokenizer FILE (a file, or a folder searched as in 3);
 *   2. the word tokenizer in the model's metadata (wscope's own);
 *   3. in the model's folder (the folder itself for an HF folder or index):
 *      tokenizer.json, vocab.json + merges.txt, encoder.json + vocab.bpe,
 *      meta.pkl;
 *   4. for a nanoGPT checkpoint whose config names a dataset D, where
 *      nanoGPT keeps it: FOLDER/../data/D/meta.pkl, then ./data/D/meta.pkl.
 * The tokenizer must fit the embedding: as many tokens as rows, or fewer
 * when the rows are padded to a multiple of 128 or less (nanoGPT pads
 * GPT-2's 50257 to 50304). */
#ifndef WS_TOKENIZER_FILES_H
#define WS_TOKENIZER_FILES_H

#include "error.h"
#include "model.h"
#include "tokenizer.h"

/* A tokenizer file, or a folder holding one. Messages start with the file. */
ws_tokenizer *ws_tok_open(const char *path, ws_err *e);

/* The tokenizer for model `m` by the search order above (`path`: the
 * --tokenizer argument, or NULL). 0 with *out NULL when there is none;
 * -1 with a one-line message (naming the file) when one is found but
 * unreadable or does not fit the embedding. */
int ws_tok_find(const ws_model *m, const char *path, ws_tokenizer **out, ws_err *e);

/* Check that a tokenizer fits an embedding of `rows` rows (see above). */
int ws_tok_fits(const ws_tokenizer *t, int64_t rows, ws_err *e);

#endif
