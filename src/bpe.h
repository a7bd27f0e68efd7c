/* GPT-2's byte-level BPE (Radford et al. 2019; the vocabulary and merges
 * that OpenAI published as encoder.json + vocab.bpe, and Hugging Face ships
 * as vocab.json + merges.txt or inside tokenizer.json).
 *
 * Encoding: the text is cut into pieces by GPT-2's pre-tokenisation
 * pattern (ws_bpe_piece_end below); each piece's bytes start as one token
 * each, and the adjacent pair whose merge comes first in the merge list is
 * merged, leftmost first, until no pair is in the list. Pieces of at most
 * 64 bytes are cached. Decoding concatenates the tokens' bytes, so
 * decode(encode(x)) == x for any bytes, UTF-8 or not.
 *
 * In the files a token is written in GPT-2's byte-to-unicode form: each
 * byte is one character, printable Latin-1 bytes as themselves and the
 * others (space, control bytes, ...) as U+0100 and up, so a space is "Ġ".
 * A vocabulary entry that is not in that form (an added token) keeps its
 * UTF-8 as its bytes. */
#ifndef WS_BPE_H
#define WS_BPE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tokenizer.h"

typedef struct ws_bpe ws_bpe;

/* An empty BPE to fill with tokens, then merges. */
ws_bpe *ws_bpe_new(ws_err *e);
void ws_bpe_free(ws_bpe *b);
/* A vocabulary entry: the token as the files write it, and its id. */
int ws_bpe_add_token(ws_bpe *b, const char *s, size_t n, int64_t id, ws_err *e);
/* The next merge (its rank is the number of merges before it): the two
 * tokens as the files write them. Both, and their concatenation, must be
 * in the vocabulary. */
int ws_bpe_add_merge(ws_bpe *b, const char *a, size_t na, const char *c, size_t nc, ws_err *e);
/* The tokenizer: ids must run 0..n-1 and every byte must have a token.
 * Takes `b` (freed on failure too). */
ws_tokenizer *ws_bpe_finish(ws_bpe *b, const char *source, ws_err *e);

/* GPT-2's pre-tokenisation, by hand, as the reference encoder's regular
 * expression does it in JavaScript:
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * tried in that order at each position: a contraction; an optional space
 * and a run of letters, of numbers, or of other characters; a run of white
 * space that leaves its last character to the next piece when a
 * non-space follows (so " word" keeps its space), or one lone white-space
 * character. Letters and numbers are Unicode's general categories L* and
 * N*, from ICU's tables (libicu; Debian 12's ICU 72 has Unicode 15.0).
 * White space is JavaScript's \s: U+0009-000D, U+0020, U+00A0, U+1680,
 * U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF. A byte that
 * is not well-formed UTF-8 counts as an "other" character of its own.
 * Returns the end of the piece that starts at p[i] (i < len). */
size_t ws_bpe_piece_end(const unsigned char *p, size_t i, size_t len);

#endif
