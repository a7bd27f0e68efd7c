/* Inside the tokenizers: what each kind provides (the engine's private
 * interface; users see tokenizer.h).
 *
 * The kinds, one file each:
 *   word      tok_word.c   the wscope word tokenizer kept in a model's metadata
 *   gpt2-bpe  bpe.c        GPT-2 byte-level BPE (vocab.json + merges.txt, tokenizer.json)
 *   char      tok_char.c   nanoGPT's character vocabulary (meta.pkl)
 *
 * How to add one: write a ws_tok_ops for it in its own file (every
 * function but `decode` is required; a NULL `decode` concatenates the
 * tokens' bytes), build it with ws_tok_wrap(), and give tokenizer_files.c
 * a row in its table of formats so that it is found beside a model and by
 * --tokenizer. */
#ifndef WS_TOK_KIND_H
#define WS_TOK_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tokenizer.h"

/* A growing array of token ids. */
typedef struct ws_ids {
    int32_t *v;
    size_t n, cap;
} ws_ids;

/* Room for `extra` more ids; -1 on no memory. */
int ws_ids_reserve(ws_ids *a, size_t extra);
static inline int ws_ids_push(ws_ids *a, int32_t id)
{
    if (a->n == a->cap && ws_ids_reserve(a, 1))
        return -1;
    a->v[a->n++] = id;
    return 0;
}

typedef struct ws_tok_ops {
    const char *name;       /* "word", "gpt2-bpe", "char" */
    const char *unknown;    /* what becomes of text the vocabulary lacks, for notes */
    int (*size)(const void *impl);
    /* Bytes of a token (NUL-terminated as well; *len may be NULL); NULL out of range. */
    const char *(*token)(const void *impl, int id, size_t *len);
    /* Append the ids of a text to `out`; count unknown pieces in *n_unk. */
    int (*encode)(void *impl, const char *text, size_t len, ws_ids *out, size_t *n_unk,
                  ws_err *e);
    /* Text of ids that are all in range; malloc'd, NUL-terminated. */
    char *(*decode)(const void *impl, const int32_t *ids, size_t n, size_t *len, ws_err *e);
    void (*free)(void *impl);
} ws_tok_ops;

/* A tokenizer of this kind around `impl` (taken over: freed on failure).
 * `source` says where it came from (a file, "the model's metadata"). */
ws_tokenizer *ws_tok_wrap(const ws_tok_ops *ops, void *impl, const char *source, ws_err *e);
/* The kind's own data when `t` is of that kind, else NULL. */
void *ws_tok_impl(const ws_tokenizer *t, const ws_tok_ops *ops);

extern const ws_tok_ops ws_tok_word_ops, ws_tok_bpe_ops, ws_tok_char_ops;

/* nanoGPT's meta.pkl (the bytes of the file) as a char tokenizer. */
ws_tokenizer *ws_tok_char_from_pickle(const unsigned char *buf, size_t len, const char *source,
                                      ws_err *e);

/* One code point of UTF-8 at p[0, n), n >= 1: its length in bytes, or 0
 * when the bytes there are not well-formed UTF-8 (a bad lead byte, a
 * truncated sequence, an overlong form, a surrogate, past U+10FFFF). */
size_t ws_utf8_char(const unsigned char *p, size_t n, uint32_t *cp);
/* Append the UTF-8 form of a code point (1..4 bytes) to buf; its length. */
size_t ws_utf8_put(uint32_t cp, char *buf);

#endif
