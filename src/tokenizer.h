/* Tokenizers: text to token ids and back, and the token strings the views
 * show. Three kinds (tok_kind.h lists them and says how to add one):
 *
 *   word      wscope's own, built by `train --init` and kept in the model
 *   gpt2-bpe  GPT-2's byte-level BPE, from HF files (bpe.h)
 *   char      nanoGPT's character vocabulary, from its meta.pkl
 *
 * Where a model's tokenizer comes from is tokenizer_files.h.
 *
 * Encoding is logically const but fills per-tokenizer scratch (the BPE
 * cache, the word tokenizer's lowercasing buffer), under the tokenizer's
 * lock: threads may share a tokenizer (they encode one at a time), and its
 * token strings may be read from any thread at any time.
 *
 * The word tokenizer: a word is a run of ASCII letters, digits, '_' and
 * any byte >= 0x80 (so UTF-8 letters stay inside words), with an apostrophe
 * kept when it sits between two word characters ("don't", "whale's"). Every
 * other non-space byte is a token of its own. Optional ASCII lowercasing.
 * Vocabulary: id 0 is "<unk>"; then the words seen at least `min_count`
 * times, most frequent first (ties bytewise), at most `max_vocab` ids in
 * all. Words that are not well-formed UTF-8 (or hold a NUL) stay out of
 * the vocabulary and encode as <unk>. Saved with a model in the safetensors
 * metadata under the key "tokenizer" as a JSON object:
 *   {"type": "word", "lowercase": true, "min_count": 1,
 *    "vocab": ["<unk>", "the", ",", ...]}
 * The list index is the token id. Decoding joins words by single spaces,
 * except no space before . , ; : ! ? ) ] } and none after ( [ {. */
#ifndef WS_TOKENIZER_H
#define WS_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"

#define WS_TOK_META_KEY "tokenizer"
#define WS_TOK_UNK "<unk>"

typedef struct ws_tokenizer ws_tokenizer;

void ws_tok_free(ws_tokenizer *t);
int ws_tok_size(const ws_tokenizer *t);
/* "word", "gpt2-bpe" or "char". */
const char *ws_tok_kind(const ws_tokenizer *t);
/* Where it came from: a file name, or "the model's metadata". */
const char *ws_tok_source(const ws_tokenizer *t);
/* What becomes of text the vocabulary lacks ("words encoded as <unk>",
 * "characters dropped"), for the note after encoding. */
const char *ws_tok_unknown_note(const ws_tokenizer *t);

/* The bytes of token `id` (NUL-terminated too; a BPE token may hold a NUL,
 * so use *len, which may be NULL). NULL when out of range. */
const char *ws_tok_token(const ws_tokenizer *t, int id, size_t *len);

/* Encode a text into a malloc'd array *ids of *n ids (NULL and 0 for a
 * text with no tokens, which is not an error). `n_unk` (may be NULL) gets
 * the number of pieces of text the vocabulary lacks (see the note above).
 * -1 + message on no memory. */
int ws_tok_encode(const ws_tokenizer *t, const char *text, size_t len,
                  int32_t **ids, size_t *n, size_t *n_unk, ws_err *e);
/* Decode ids to text (malloc'd, NUL-terminated; *len, which may be NULL,
 * gets its length: BPE output may hold a NUL). NULL on a bad id. */
char *ws_tok_decode(const ws_tokenizer *t, const int32_t *ids, size_t n, size_t *len, ws_err *e);

/* A token's bytes as one printable line, for views and figure titles:
 *   WS_TOK_SHOW_UTF8   spaces as ␣ (U+2423), other text as is;
 *   WS_TOK_SHOW_ASCII  in double quotes, spaces as themselves, every byte
 *                      outside printable ASCII escaped, '"' as \".
 * In both: \n \t \r, \\ for a backslash, other control characters and
 * bytes that are not well-formed UTF-8 as \xHH, and in UTF-8 form the
 * invisible or direction-changing characters (Unicode Cf, Zl, Zp, and
 * spaces other than U+0020) as \u{HHHH}. Writes at most n bytes with the
 * NUL; returns buf. Out of range: "(id N: no token)". */
typedef enum ws_tok_show { WS_TOK_SHOW_UTF8, WS_TOK_SHOW_ASCII } ws_tok_show;
char *ws_tok_show_token(const ws_tokenizer *t, int id, ws_tok_show how, char *buf, size_t n);

/* The label of row `row` of tensor x when its rows are tokens (the token
 * embedding, or an output head: 2-D, one row per token id): the token shown
 * `how`, or "(padding)" for a row past the tokenizer's size (nanoGPT pads
 * the vocabulary). Returns 0 (buf untouched) when x's rows are not tokens
 * or t is NULL, else 1. */
int ws_tok_row_label(const ws_tokenizer *t, const ws_tensor *x, int64_t row, ws_tok_show how,
                     char *buf, size_t n);

/* ---- the word tokenizer ---- */

typedef struct ws_tok_opts {
    int lowercase;
    int min_count;     /* >= 1 */
    int max_vocab;     /* ids in all, <unk> included; 0 = no limit */
} ws_tok_opts;

/* Counting words over one or more texts, then fixing the vocabulary. */
typedef struct ws_tok_counter ws_tok_counter;
ws_tok_counter *ws_tok_counter_new(const ws_tok_opts *o, ws_err *e);
int ws_tok_count(ws_tok_counter *c, const char *text, size_t len, ws_err *e);
/* Build the tokenizer and free the counter. */
ws_tokenizer *ws_tok_counter_finish(ws_tok_counter *c, ws_err *e);
void ws_tok_counter_free(ws_tok_counter *c);

/* Lowercasing word tokenizer (0 for other kinds). */
int ws_tok_lowercase(const ws_tokenizer *t);
/* Id of a word (after lowercasing when the tokenizer lowercases); 0 (<unk>)
 * when unknown or when `t` is not a word tokenizer. */
int ws_tok_id(const ws_tokenizer *t, const char *word, size_t len);

/* Call `fn` on each word-tokenizer token of a text (the split rule above,
 * no lowercasing). */
void ws_tok_split(const char *text, size_t len,
                  void (*fn)(const char *tok, size_t n, void *user), void *user);

/* JSON form (see above); only word tokenizers have one. */
char *ws_tok_to_json(const ws_tokenizer *t, ws_err *e);
ws_tokenizer *ws_tok_from_json(const char *json, ws_err *e);
/* Store in / read from a model's metadata. Reading returns NULL with the
 * message "no tokenizer in the model" when absent. */
int ws_tok_save_to_model(const ws_tokenizer *t, ws_model *m, ws_err *e);
ws_tokenizer *ws_tok_from_model(const ws_model *m, ws_err *e);

#endif
