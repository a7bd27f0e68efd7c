/* A word-level tokenizer: words and punctuation marks are tokens.
 *
 * Splitting: a word is a run of ASCII letters, digits, '_' and any byte
 * >= 0x80 (so UTF-8 letters stay inside words), with an apostrophe kept
 * when it sits between two word characters ("don't", "whale's"). Every
 * other non-space byte is a token of its own. Optional ASCII lowercasing.
 *
 * Vocabulary: id 0 is "<unk>"; then the words seen at least `min_count`
 * times, most frequent first (ties bytewise), at most `max_vocab` ids in
 * all. Words that are not well-formed UTF-8 (or hold a NUL) stay out of
 * the vocabulary and encode as <unk>. Saved with a model in the safetensors metadata under the key
 * "tokenizer" as a JSON object:
 *   {"type": "word", "lowercase": true, "min_count": 1,
 *    "vocab": ["<unk>", "the", ",", ...]}
 * The list index is the token id. */
#ifndef WS_TOKENIZER_H
#define WS_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "model.h"

#define WS_TOK_META_KEY "tokenizer"
#define WS_TOK_UNK "<unk>"

typedef struct ws_tokenizer ws_tokenizer;

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

void ws_tok_free(ws_tokenizer *t);
int ws_tok_size(const ws_tokenizer *t);
int ws_tok_lowercase(const ws_tokenizer *t);
const char *ws_tok_word(const ws_tokenizer *t, int id);   /* NULL when out of range */
/* Id of a word (after lowercasing when the tokenizer lowercases); 0 (<unk>)
 * when unknown. */
int ws_tok_id(const ws_tokenizer *t, const char *word, size_t len);

/* Encode a text into a malloc'd array *ids of *n ids (NULL and 0 for a
 * text with no tokens, which is not an error). `n_unk` (may be NULL) gets
 * the number of unknown words. -1 + message on no memory. */
int ws_tok_encode(const ws_tokenizer *t, const char *text, size_t len,
                  int32_t **ids, size_t *n, size_t *n_unk, ws_err *e);
/* Decode ids to text: tokens joined by single spaces, except no space before
 * . , ; : ! ? ) ] } and none after ( [ {. Malloc'd; NULL on a bad id. */
char *ws_tok_decode(const ws_tokenizer *t, const int32_t *ids, size_t n, ws_err *e);

/* Call `fn` on each token of a text (the split rule above, no lowercasing). */
void ws_tok_split(const char *text, size_t len,
                  void (*fn)(const char *tok, size_t n, void *user), void *user);

/* JSON form (see above). */
char *ws_tok_to_json(const ws_tokenizer *t, ws_err *e);
ws_tokenizer *ws_tok_from_json(const char *json, ws_err *e);
/* Store in / read from a model's metadata. Reading returns NULL with the
 * message "no tokenizer in the model" when absent. */
int ws_tok_save_to_model(const ws_tokenizer *t, ws_model *m, ws_err *e);
ws_tokenizer *ws_tok_from_model(const ws_model *m, ws_err *e);

#endif
