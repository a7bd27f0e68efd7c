/* Training data: files (text, gzip, .bin), split, batches, bad data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "data.h"
#include "tokenizer.h"

static char dir[] = "/tmp/ws_test_data_XXXXXX";

static const char *path(const char *name) { return check_path(dir, name); }

static void write_file(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(path(name), "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static ws_tokenizer *tok_of(const char *text)
{
    ws_err e = {{0}};
    ws_tok_opts o = {0, 1, 0};
    ws_tok_counter *c = ws_tok_counter_new(&o, &e);
    ws_tok_count(c, text, strlen(text), &e);
    return ws_tok_counter_finish(c, &e);
}

static void test_text_and_gzip(void)
{
    const char *text = "a b c . a b c . a b c .";
    ws_tokenizer *tk = tok_of(text);
    write_file("plain.txt", text, strlen(text));
    gzFile g = gzopen(path("packed.txt.gz"), "wb");
    gzwrite(g, text, (unsigned)strlen(text));
    gzclose(g);
    const char *files[2] = {path("plain.txt"), path("packed.txt.gz")};
    ws_data d;
    ws_err e = {{0}};
    CHECKF(ws_data_load(&d, files, 2, tk, 10, &e) == 0, "%s", e.msg);
    CHECK(d.n == 24 && d.n_train == 24);
    CHECK(d.n_unk == 0);
    for (size_t i = 0; i < 12; i++)
        CHECK(d.tok[i] == d.tok[i + 12]);   /* the gzip file decodes the same */
    CHECK(d.tok[0] == ws_tok_id(tk, "a", 1) && d.tok[3] == ws_tok_id(tk, ".", 1));
    ws_data_split(&d, 0.25);
    CHECK(d.n_train == 18);
    ws_data_free(&d);
    ws_tok_free(tk);
}

static void test_bin(void)
{
    uint16_t ids[300];
    for (int i = 0; i < 300; i++)
        ids[i] = (uint16_t)(i % 67);
    write_file("ok.bin", ids, sizeof ids);
    const char *f = path("ok.bin");
    ws_data d;
    ws_err e = {{0}};
    CHECK(ws_data_load(&d, &f, 1, NULL, 67, &e) == 0);
    CHECK(d.n == 300 && d.tok[66] == 66 && d.tok[67] == 0 && d.tok[299] == 299 % 67);
    ws_data_free(&d);
}

/* Every bad input gets its own clear message. */
static void test_errors(void)
{
    ws_data d;
    ws_err e = {{0}};
    write_file("empty.txt", "", 0);
    write_file("empty.bin", "", 0);
    write_file("blank.txt", " \n\t ", 4);
    uint16_t big[4] = {1, 2, 70000 % 65536, 3};
    big[2] = 500;
    write_file("oov.bin", big, sizeof big);
    write_file("odd.bin", "abc", 3);
    ws_tokenizer *tk = tok_of("a b");

    const char *f = path("empty.txt");
    CHECK(ws_data_load(&d, &f, 1, tk, 10, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "empty.txt: empty file");
    f = path("empty.bin");
    CHECK(ws_data_load(&d, &f, 1, NULL, 10, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "empty.bin: empty file");
    f = path("blank.txt");
    CHECK(ws_data_load(&d, &f, 1, tk, 10, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "no tokens");
    f = path("oov.bin");
    CHECK(ws_data_load(&d, &f, 1, NULL, 100, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "oov.bin: token 500 at position 2 is outside the vocabulary (100)");
    f = path("odd.bin");
    CHECK(ws_data_load(&d, &f, 1, NULL, 100, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "not uint16");
    f = path("missing.txt");
    CHECK(ws_data_load(&d, &f, 1, tk, 10, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "missing.txt: No such file");
    f = path("ok.bin");
    CHECK(ws_data_load(&d, &f, 1, NULL, 10, &e) == -1);   /* ids up to 66 */
    CHECK_STR_CONTAINS(e.msg, "token 10 at position 10 is outside the vocabulary (10)");
    write_file("words.txt", "a b", 3);
    f = path("words.txt");
    CHECK(ws_data_load(&d, &f, 1, NULL, 10, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "needs a tokenizer");
    CHECK(ws_data_load(&d, &f, 1, tk, 2, &e) == -1);   /* 3 words > 2 embeddings */
    CHECK_STR_CONTAINS(e.msg, "embeddings");

    f = path("ok.bin");
    CHECK(ws_data_load(&d, &f, 1, NULL, 67, &e) == 0);
    CHECK(ws_data_check(&d, 2, 64, 32, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "sequence length 64 is larger than the model's block size 32");
    CHECK(ws_data_check(&d, 10, 30, 32, &e) == -1);   /* 300 + 1 > 300 */
    CHECK_STR_CONTAINS(e.msg, "more than the");
    CHECK(ws_data_check(&d, 9, 30, 32, &e) == 0);    /* 271 <= 300 */
    ws_data_free(&d);
    ws_tok_free(tk);
}

/* The sequential window formula, against values worked out by hand. */
static void test_sequential(void)
{
    /* n = 100, T = 8, B = 3: modulus 100 − 8 − 1 = 91 */
    CHECK(ws_data_seq_start(100, 3, 8, 0, 0) == 0);
    CHECK(ws_data_seq_start(100, 3, 8, 0, 2) == 16);
    CHECK(ws_data_seq_start(100, 3, 8, 3, 1) == 80);   /* (9+1)·8 = 80 */
    CHECK(ws_data_seq_start(100, 3, 8, 3, 2) == 88 % 91);
    CHECK(ws_data_seq_start(100, 3, 8, 4, 0) == 96 % 91);   /* 5 */
    CHECK(ws_data_seq_start(100, 3, 8, 1000000000000LL, 1) ==
          (size_t)((unsigned __int128)((1000000000000ULL * 3 + 1) * 8) % 91));

    int32_t tok[100], x[24], y[24];
    for (int i = 0; i < 100; i++)
        tok[i] = i;
    ws_data_batch(tok, 100, 3, 8, WS_SAMPLE_SEQUENTIAL, 7, 4, x, y);
    CHECK(x[0] == 5 && x[7] == 12 && y[0] == 6 && y[7] == 13);   /* window at 5 */
    CHECK(x[8] == 13 && x[16] == 21);                             /* 104 % 91, 112 % 91 */

    /* random: same (seed, step) → same batch; windows in range */
    int32_t x2[24], y2[24];
    ws_data_batch(tok, 100, 3, 8, WS_SAMPLE_RANDOM, 7, 4, x, y);
    ws_data_batch(tok, 100, 3, 8, WS_SAMPLE_RANDOM, 7, 4, x2, y2);
    CHECK(!memcmp(x, x2, sizeof x) && !memcmp(y, y2, sizeof y));
    int differs = 0;
    for (int s = 0; s < 50; s++) {
        ws_data_batch(tok, 100, 3, 8, WS_SAMPLE_RANDOM, 7, s, x2, y2);
        for (int b = 0; b < 3; b++) {
            CHECK(x2[b * 8] >= 0 && x2[b * 8] <= 100 - 8 - 1);
            CHECK(y2[b * 8 + 7] == x2[b * 8 + 7] + 1);
        }
        differs |= memcmp(x, x2, sizeof x) != 0;
    }
    CHECK(differs);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_text_and_gzip();
    test_bin();
    test_errors();
    test_sequential();
    check_rmtree(dir);
    return check_done();
}
