/* Fuzz target: tokenizer files (src/tokenizer_files.c): tokenizer.json,
 * vocab.json (beside a small merges.txt), nanoGPT's meta.pkl, all read by
 * content; a tokenizer that loads encodes and decodes a fixed text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tokenizer.h"
#include "tokenizer_files.h"

static const char text[] = "Call me Ishmael. Some years ago\n\tnever mind how long \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80 42";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_err e;
    static int ready;
    char path[128];
    if (!ready) {   /* the partner of a vocabulary given under another name */
        static const char merges[] = "#version: 0.2\nC a\nCa l\nl l\n\xc4\xa0 m\n";
        fuzz_write(fuzz_path("merges.txt", path, sizeof path), (const uint8_t *)merges, sizeof merges - 1);
        ready = 1;
    }
    if (fuzz_write(fuzz_path("tokens", path, sizeof path), data, size) != 0)
        return 0;
    ws_tokenizer *t = ws_tok_open(path, &e);
    if (!t)
        return 0;
    int32_t *ids = NULL;
    size_t n = 0, unk = 0, len = 0;
    if (ws_tok_encode(t, text, sizeof text - 1, &ids, &n, &unk, &e) == 0) {
        free(ws_tok_decode(t, ids, n, &len, &e));
        free(ids);
    }
    for (int id = 0; id < ws_tok_size(t) && id < 64; id++)
        ws_tok_token(t, id, &len);
    ws_tok_free(t);
    return 0;
}
