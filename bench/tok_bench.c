/* Tokenizer speed: load a tokenizer file, encode a text (plain or gzip)
 * ROUNDS times, keep the fastest.
 *
 *   tok_bench TOKENIZER TEXT [ROUNDS [IDS_OUT]]
 *
 * Each round starts from a fresh tokenizer (an empty cache), so the time
 * includes filling the cache, as a one-off encode of the corpus would.
 * Prints one line: load seconds, encode seconds, tokens, tokens/s, MB/s.
 * IDS_OUT gets the ids, one per line, to compare with the reference's.
 * Used by bench/tokenize. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "data.h"
#include "tokenizer_files.h"
#include "threads.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TOKENIZER TEXT [ROUNDS [IDS_OUT]]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    ws_err e = {{0}};
    size_t len, n = 0;
    char *text = ws_read_text(argv[2], &len, &e);
    if (!text) {
        fprintf(stderr, "tok_bench: %s\n", e.msg);
        return 1;
    }
    double best_load = 1e30, best_enc = 1e30;
    int32_t *ids = NULL;
    for (int r = 0; r < (rounds > 0 ? rounds : 1); r++) {
        double t0 = ws_monotonic_s();
        ws_tokenizer *t = ws_tok_open(argv[1], &e);
        double t1 = ws_monotonic_s();
        free(ids);
        if (!t || ws_tok_encode(t, text, len, &ids, &n, NULL, &e)) {
            fprintf(stderr, "tok_bench: %s\n", e.msg);
            return 1;
        }
        double t2 = ws_monotonic_s();
        ws_tok_free(t);
        best_load = t1 - t0 < best_load ? t1 - t0 : best_load;
        best_enc = t2 - t1 < best_enc ? t2 - t1 : best_enc;
    }
    printf("load %.3f s  encode %.4f s  tokens %zu  tokens/s %.0f  MB/s %.2f\n", best_load,
           best_enc, n, n / best_enc, len / best_enc / 1e6);
    if (argc > 4) {
        FILE *f = fopen(argv[4], "w");
        for (size_t i = 0; f && i < n; i++)
            fprintf(f, "%d\n", (int)ids[i]);
        if (!f || fclose(f)) {
            fprintf(stderr, "tok_bench: cannot write %s\n", argv[4]);
            return 1;
        }
    }
    free(ids);
    free(text);
    return 0;
}
