/* Corpus part of the basis analysis on a model: per layer the cosine of
 * QᵀK (from the qkv matrix) with EᵀTE, T the bigram transition matrix of a
 * token stream (basis.h has the definitions). */
#ifndef WS_BASIS_CORPUS_H
#define WS_BASIS_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "error.h"
#include "model.h"
#include "threads.h"

/* The corpus at `path` as token ids of the model's vocabulary: a nanoGPT
 * .bin file is ids already, text is encoded with the tokenizer at
 * `tok_path` or the one found for the model (tokenizer_files.h). Errors
 * start with the file and say what is missing (no embedding, no tokenizer
 * for a text corpus, fewer than two tokens). `tk_out` (may be NULL) gets
 * the tokenizer used (NULL for .bin data; the caller frees it). Free the
 * data with ws_data_free. */
int ws_corpus_load(const ws_model *m, const char *path, const char *tok_path, ws_data *d,
                   struct ws_tokenizer **tk_out, ws_err *e);

/* cos[l] for l < n_layer (NaN for a layer without a usable qkv matrix).
 * Token ids must lie in the embedding's vocabulary. */
int ws_corpus_qk_cosines(const ws_model *m, const int32_t *tok, size_t n, double *cos,
                         ws_progress *p, ws_err *e);

#endif
