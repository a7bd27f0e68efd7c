/* Word tokenizer: splitting, vocabulary order, <unk>, round trips, JSON. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model.h"
#include "tokenizer.h"

typedef struct toks {
    char s[64][32];
    int n;
} toks;

static void collect(const char *w, size_t n, void *u)
{
    toks *t = u;
    if (t->n < 64 && n < 32) {
        memcpy(t->s[t->n], w, n);
        t->s[t->n][n] = 0;
        t->n++;
    }
}

static void test_split(void)
{
    const char *text = "Call me Ishmael. Some years ago--never mind how long (precisely), "
                       "don't ask; whale's \xc3\xa9t\xc3\xa9 'quoted'";
    const char *want[] = {"Call", "me", "Ishmael", ".", "Some", "years", "ago", "-", "-",
                          "never", "mind", "how", "long", "(", "precisely", ")", ",",
                          "don't", "ask", ";", "whale's", "\xc3\xa9t\xc3\xa9", "'", "quoted", "'"};
    toks t = {.n = 0};
    ws_tok_split(text, strlen(text), collect, &t);
    CHECKF(t.n == (int)(sizeof want / sizeof *want), "%d tokens", t.n);
    for (int i = 0; i < t.n && i < (int)(sizeof want / sizeof *want); i++)
        CHECKF(!strcmp(t.s[i], want[i]), "token %d: \"%s\" vs \"%s\"", i, t.s[i], want[i]);
}

static ws_tokenizer *build(const char *text, int lower, int min_count, int max_vocab)
{
    ws_err e = {{0}};
    ws_tok_opts o = {lower, min_count, max_vocab};
    ws_tok_counter *c = ws_tok_counter_new(&o, &e);
    CHECK(c != NULL);
    CHECK(ws_tok_count(c, text, strlen(text), &e) == 0);
    ws_tokenizer *t = ws_tok_counter_finish(c, &e);
    CHECKF(t != NULL, "%s", e.msg);
    return t;
}

static void test_vocab(void)
{
    /* counts: the 4, a 3 (with A when lowercased), b 2, "." 2, c 1, B 1 */
    const char *text = "the a the b . the A a c . the b B";
    ws_tokenizer *t = build(text, 1, 1, 0);
    CHECK(ws_tok_size(t) == 6);   /* <unk> the a b . c */
    CHECK(!strcmp(ws_tok_token(t, 0, NULL), "<unk>"));
    CHECK(!strcmp(ws_tok_token(t, 1, NULL), "the"));
    CHECK(!strcmp(ws_tok_token(t, 2, NULL), "a"));
    CHECK(!strcmp(ws_tok_token(t, 3, NULL), "b"));   /* b 3 after lowercasing B */
    CHECK(!strcmp(ws_tok_token(t, 4, NULL), "."));
    CHECK(!strcmp(ws_tok_token(t, 5, NULL), "c"));
    CHECK(ws_tok_token(t, 6, NULL) == NULL);
    CHECK(ws_tok_id(t, "THE", 3) == 1);
    CHECK(ws_tok_id(t, "zebra", 5) == 0);
    ws_tok_free(t);

    /* min count 2 drops c; case kept: B and A are words of their own */
    t = build(text, 0, 2, 0);
    CHECK(ws_tok_size(t) == 5);   /* <unk> the a . b (2 each tie: bytewise "." < "a" < "b") */
    CHECK(!strcmp(ws_tok_token(t, 1, NULL), "the"));
    CHECK(!strcmp(ws_tok_token(t, 2, NULL), "."));
    CHECK(!strcmp(ws_tok_token(t, 3, NULL), "a"));
    CHECK(!strcmp(ws_tok_token(t, 4, NULL), "b"));
    CHECK(ws_tok_id(t, "c", 1) == 0);
    ws_tok_free(t);

    t = build(text, 1, 1, 3);   /* at most 3 ids: <unk> the a */
    CHECK(ws_tok_size(t) == 3);
    CHECK(ws_tok_id(t, "b", 1) == 0);
    ws_tok_free(t);
}

static void test_round_trip(void)
{
    const char *text = "It was the best of times, it was the worst of times; "
                       "(it was) the age of wisdom. Wasn't it? Yes!";
    ws_tokenizer *t = build(text, 0, 1, 0);
    ws_err e = {{0}};
    int32_t *ids;
    size_t n, unk;
    CHECK(ws_tok_encode(t, text, strlen(text), &ids, &n, &unk, &e) == 0);
    CHECK(n == 28);
    CHECK(unk == 0);
    char *back = ws_tok_decode(t, ids, n, NULL, &e);
    CHECKF(back && !strcmp(back, text), "\"%s\"", back ? back : "(null)");
    /* encode(decode(ids)) == ids */
    int32_t *ids2;
    size_t n2;
    CHECK(ws_tok_encode(t, back, strlen(back), &ids2, &n2, NULL, &e) == 0);
    CHECK(n2 == n && !memcmp(ids, ids2, n * sizeof *ids));
    free(ids2);

    /* JSON and model metadata round trip */
    ws_model *m = ws_model_new();
    CHECK(ws_tok_save_to_model(t, m, &e) == 0);
    const char *js = ws_model_meta(m, "tokenizer");
    CHECK_STR_CONTAINS(js, "\"type\":\"word\"");
    ws_tokenizer *t2 = ws_tok_from_model(m, &e);
    CHECKF(t2 != NULL, "%s", e.msg);
    CHECK(t2 && ws_tok_size(t2) == ws_tok_size(t));
    for (int i = 0; t2 && i < ws_tok_size(t); i++)
        CHECK(!strcmp(ws_tok_token(t, i, NULL), ws_tok_token(t2, i, NULL)));
    CHECK(ws_tok_encode(t2, text, strlen(text), &ids2, &n2, NULL, &e) == 0);
    CHECK(n2 == n && !memcmp(ids, ids2, n * sizeof *ids));
    free(ids2);

    /* unknown words */
    const char *other = "the zebra of times";
    CHECK(ws_tok_encode(t, other, strlen(other), &ids2, &n2, &unk, &e) == 0);
    CHECK(n2 == 4 && unk == 1 && ids2[1] == 0);
    free(ids2);
    int32_t bad = 999;
    CHECK(ws_tok_decode(t, &bad, 1, NULL, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "outside the vocabulary");

    free(ids);
    free(back);
    ws_tok_free(t2);
    ws_tok_free(t);
    ws_model_free(m);
}

static void test_bad_json(void)
{
    ws_err e = {{0}};
    CHECK(ws_tok_from_json("{", &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "bad JSON");
    CHECK(ws_tok_from_json("{\"type\":\"bpe\",\"vocab\":[\"<unk>\"]}", &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "not \"word\"");
    CHECK(ws_tok_from_json("{\"type\":\"word\",\"vocab\":[\"<unk>\",\"a\",\"a\"]}", &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "appears twice");
    CHECK(ws_tok_from_json("{\"type\":\"word\",\"vocab\":[\"a\"]}", &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "id 0");
    ws_model *m = ws_model_new();
    CHECK(ws_tok_from_model(m, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "no tokenizer");
    ws_model_free(m);
}

/* A 15k-word vocabulary survives the metadata round trip. */
static void test_large(void)
{
    size_t cap = 15000 * 12, len = 0;
    char *text = malloc(cap);
    for (int i = 0; i < 15000; i++)
        len += (size_t)snprintf(text + len, cap - len, "w%d ", i);
    ws_tokenizer *t = build(text, 0, 1, 0);
    CHECK(ws_tok_size(t) == 15001);
    ws_err e = {{0}};
    char *js = ws_tok_to_json(t, &e);
    ws_tokenizer *t2 = js ? ws_tok_from_json(js, &e) : NULL;
    CHECK(t2 && ws_tok_size(t2) == 15001);
    CHECK(t2 && ws_tok_id(t2, "w14999", 6) == ws_tok_id(t, "w14999", 6));
    free(js);
    free(text);
    ws_tok_free(t);
    ws_tok_free(t2);
}

/* Bytes that are not UTF-8 never enter the vocabulary, so it saves as JSON. */
static void test_bad_utf8(void)
{
    const char text[] = "caf\xe9 caf\xe9 ok ok \xc3\xa9t\xc3\xa9 \xed\xa0\x80x \xc0\xaf z\0z";
    ws_err e = {{0}};
    ws_tok_opts o = {0, 1, 0};
    ws_tok_counter *c = ws_tok_counter_new(&o, &e);
    CHECK(ws_tok_count(c, text, sizeof text - 1, &e) == 0);
    ws_tokenizer *t = ws_tok_counter_finish(c, &e);
    /* kept: <unk> ok \xc3\xa9t\xc3\xa9 z */
    CHECKF(t && ws_tok_size(t) == 4, "%d words", t ? ws_tok_size(t) : -1);
    CHECK(t && ws_tok_id(t, "caf\xe9", 4) == 0);
    CHECK(t && ws_tok_id(t, "\xc3\xa9t\xc3\xa9", 5) > 0);
    char *js = t ? ws_tok_to_json(t, &e) : NULL;
    ws_tokenizer *t2 = js ? ws_tok_from_json(js, &e) : NULL;
    CHECKF(t2 && ws_tok_size(t2) == 4, "%s", e.msg);
    free(js);
    ws_tok_free(t);
    ws_tok_free(t2);
}

int main(void)
{
    test_split();
    test_vocab();
    test_round_trip();
    test_bad_json();
    test_large();
    test_bad_utf8();
    return check_done();
}
