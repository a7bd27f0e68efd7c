/* Training data: token streams from text (plain or gzip) or nanoGPT .bin
 * files, a held-out validation split, and deterministic batches.
 *
 * Files: a name ending in ".bin" is nanoGPT's pre-tokenized format (raw
 * little-endian uint16 token ids); anything else is text, read through zlib
 * (so gzip-compressed text works whatever its name) and encoded with the
 * model's word tokenizer. Several files are concatenated in order. */
#ifndef WS_DATA_H
#define WS_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tokenizer.h"

typedef enum ws_sampling { WS_SAMPLE_RANDOM = 0, WS_SAMPLE_SEQUENTIAL = 1 } ws_sampling;

typedef struct ws_data {
    int32_t *tok;
    size_t n;          /* all tokens */
    size_t n_train;    /* tok[0, n_train) trains, tok[n_train, n) validates */
    size_t n_unk;      /* words of the text that the vocabulary lacks */
} ws_data;

/* Read a whole text file (plain or gzip). Malloc'd, NUL-terminated. An empty
 * file is an error "FILE: empty file". */
char *ws_read_text(const char *path, size_t *len, ws_err *e);

/* 1 when some of the n files is text (not nanoGPT .bin): it needs a tokenizer. */
int ws_data_any_text(const char *const *paths, size_t n);

/* Load and concatenate `n` files. `tk` encodes text files (NULL: only .bin
 * allowed); every id must be < vocab_size. Messages name the file. */
int ws_data_load(ws_data *d, const char *const *paths, size_t n,
                 const ws_tokenizer *tk, int vocab_size, ws_err *e);
void ws_data_free(ws_data *d);

/* Append the tokens of validation files after the training tokens
 * (n_train stays where it was), instead of a split. */
int ws_data_load_val(ws_data *d, const char *const *paths, size_t n,
                     const ws_tokenizer *tk, int vocab_size, ws_err *e);

/* Hold out the last `val_frac` (0 <= f < 1) of the tokens for validation. */
void ws_data_split(ws_data *d, double val_frac);

/* Check that B windows of T+1 tokens fit: T <= block_size, T >= 1,
 * B >= 1, B·T + 1 <= training tokens. */
int ws_data_check(const ws_data *d, int B, int T, int block_size, ws_err *e);

/* Start of window b (0-based) of step s (0-based) for sequential sampling
 * over n tokens: ((s·B + b)·T) mod (n − T − 1). */
size_t ws_data_seq_start(size_t n, int B, int T, int64_t step, int b);

/* Fill inputs x and targets y (B·T each) for one step from tok[0, n).
 * Random sampling draws B starts uniformly in [0, n − T) from a generator
 * seeded by (seed, step), so any step's batch can be replayed. */
void ws_data_batch(const int32_t *tok, size_t n, int B, int T, ws_sampling s,
                   uint64_t seed, int64_t step, int32_t *x, int32_t *y);

#endif
