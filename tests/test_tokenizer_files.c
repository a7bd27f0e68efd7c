/* nanoGPT's meta.pkl (ids and round trips against nanoGPT's own encode in
 * tests/ref/meta_pkl_ref.py, pickles that run code refused), and where a
 * model's tokenizer is found (the search order of tokenizer_files.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tokenizer.h"
#include "tokenizer_files.h"

#define CHAR_DIR "tests/fixtures/tok/char/"

static json_t *expected(void)
{
    json_error_t je;
    json_t *j = json_load_file(check_src(CHAR_DIR "expected.json"), 0, &je);
    CHECKF(j != NULL, "expected.json: %s", je.text);
    return j;
}

static void check_ids(ws_tokenizer *t, json_t *text, json_t *want, size_t want_unk)
{
    ws_err e = {{0}};
    int32_t *ids;
    size_t n, unk, bad = 0;
    CHECK(ws_tok_encode(t, json_string_value(text), json_string_length(text), &ids, &n, &unk, &e) == 0);
    for (size_t i = 0; i < n && i < json_array_size(want); i++)
        bad += ids[i] != json_integer_value(json_array_get(want, i));
    CHECKF(n == json_array_size(want) && bad == 0, "%zu ids (want %zu), %zu differ", n,
           json_array_size(want), bad);
    CHECKF(unk == want_unk, "%zu unknown, want %zu", unk, want_unk);
    if (want_unk == 0) {
        size_t len;
        char *back = ws_tok_decode(t, ids, n, &len, &e);
        CHECK(back && len == json_string_length(text) && !memcmp(back, json_string_value(text), len));
        free(back);
    }
    free(ids);
}

static void test_meta_pkl(void)
{
    json_t *x = expected();
    const char *files[] = {CHAR_DIR "meta.pkl", CHAR_DIR "meta_p2.pkl", CHAR_DIR "meta_p5.pkl"};
    for (int f = 0; f < 3 && x; f++) {
        ws_err e = {{0}};
        ws_tokenizer *t = ws_tok_open(check_src(files[f]), &e);
        CHECKF(t != NULL, "%s: %s", files[f], e.msg);
        if (!t)
            continue;
        CHECK(!strcmp(ws_tok_kind(t), "char"));
        CHECK(ws_tok_size(t) == json_integer_value(json_object_get(x, "vocab_size")));
        check_ids(t, json_object_get(x, "text"), json_object_get(x, "ids"), 0);
        check_ids(t, json_object_get(x, "text_unknown"), json_object_get(x, "ids_unknown"),
                  (size_t)json_integer_value(json_object_get(x, "n_unknown")));
        /* the em dash, a three-byte character, is one token */
        const char *dash = json_string_value(json_array_get(json_object_get(x, "non_ascii"), 0));
        int32_t *ids;
        size_t n;
        CHECK(ws_tok_encode(t, dash, strlen(dash), &ids, &n, NULL, &e) == 0 && n == 1);
        char buf[32];
        CHECK(n == 1 && !strcmp(ws_tok_show_token(t, ids[0], WS_TOK_SHOW_UTF8, buf, sizeof buf), dash));
        CHECK(!strcmp(ws_tok_show_token(t, 0, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\\n"));
        CHECK(!strcmp(ws_tok_show_token(t, 1, WS_TOK_SHOW_UTF8, buf, sizeof buf), "\xe2\x90\xa3"));
        free(ids);
        ws_tok_free(t);
    }
    json_decref(x);
}

static void test_evil(void)
{
    const char *files[] = {CHAR_DIR "evil_system.pkl", CHAR_DIR "evil_exec.pkl"};
    const char *names[] = {"posix.system", ".exec"};   /* protocol 2 says __builtin__ */
    unlink("/tmp/wscope-evil-meta");
    for (int f = 0; f < 2; f++) {
        ws_err e = {{0}};
        ws_tokenizer *t = ws_tok_open(check_src(files[f]), &e);
        CHECK(t == NULL);
        CHECK_STR_CONTAINS(e.msg, "refusing to load: pickle references");
        CHECK_STR_CONTAINS(e.msg, names[f]);
        CHECK(strchr(e.msg, '\n') == NULL);
    }
    CHECK(access("/tmp/wscope-evil-meta", F_OK) != 0);   /* nothing ran */
}

/* ---- the search order ---- */

static char dir[256];

static void put(const char *rel, const char *src)
{
    char path[512], cmd[2048];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", path, check_src(src), path);
    CHECK(system(cmd) == 0);
}

static ws_model *model_at(const char *rel, int vocab)
{
    ws_model *m = ws_model_new();
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    m->path = strdup(path);
    m->cfg.vocab_size = vocab;
    return m;
}

/* The kind and source of the tokenizer found, as "kind:file-name". */
static const char *found(const ws_model *m, const char *override, char *buf, size_t n)
{
    ws_err e = {{0}};
    ws_tokenizer *t = NULL;
    int rc = ws_tok_find(m, override, &t, &e);
    if (rc)
        snprintf(buf, n, "error: %s", e.msg);
    else if (!t)
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "%s:%s", ws_tok_kind(t), strrchr(ws_tok_source(t), '/') ?
                 strrchr(ws_tok_source(t), '/') + 1 : ws_tok_source(t));
    ws_tok_free(t);
    return buf;
}

static void test_search_order(void)
{
    char buf[600];
    snprintf(dir, sizeof dir, "/tmp/wscope-test-tokfiles-%d", (int)getpid());
    mkdir(dir, 0700);
    /* nothing beside the model */
    ws_model *m = model_at("hf/model.safetensors", 65);
    CHECK(!strcmp(found(m, NULL, buf, sizeof buf), "none"));
    /* meta.pkl beside it */
    put("hf/meta.pkl", CHAR_DIR "meta.pkl");
    CHECK(!strcmp(found(m, NULL, buf, sizeof buf), "char:meta.pkl"));
    /* encoder.json + vocab.bpe come before meta.pkl (an embedding of 50304 rows now) */
    m->cfg.vocab_size = 50304;
    put("hf/encoder.json", "tests/fixtures/tok/gpt2/encoder.json.gz");
    put("hf/vocab.bpe", "tests/fixtures/tok/gpt2/vocab.bpe.gz");
    CHECK_STR_CONTAINS(found(m, NULL, buf, sizeof buf), "gpt2-bpe:vocab.bpe");
    /* tokenizer.json first of all; the folder itself as the model path too */
    put("hf/tokenizer.json", "tests/fixtures/tok/gpt2/tokenizer.json.gz");
    CHECK(!strcmp(found(m, NULL, buf, sizeof buf), "gpt2-bpe:tokenizer.json"));
    ws_model *folder = model_at("hf", 50257);
    CHECK(!strcmp(found(folder, NULL, buf, sizeof buf), "gpt2-bpe:tokenizer.json"));
    ws_model_free(folder);
    /* --tokenizer wins, a file or a folder */
    m->cfg.vocab_size = 65;
    char path[512];
    snprintf(path, sizeof path, "%s/hf/meta.pkl", dir);
    CHECK(!strcmp(found(m, path, buf, sizeof buf), "char:meta.pkl"));
    /* a tokenizer that does not fit the embedding: one line naming it */
    m->cfg.vocab_size = 512;
    CHECK_STR_CONTAINS(found(m, NULL, buf, sizeof buf), "tokenizer.json: 50257 tokens, but the "
                                                        "model's embedding has 512 rows");
    /* the word tokenizer in the metadata comes before files beside the model */
    ws_err e = {{0}};
    CHECK(ws_model_set_meta(m, "tokenizer", "{\"type\":\"word\",\"vocab\":[\"<unk>\",\"a\"]}", &e) == 0);
    m->cfg.vocab_size = 2;
    CHECK(!strcmp(found(m, NULL, buf, sizeof buf), "word:the model's metadata"));
    /* ... but not before --tokenizer */
    m->cfg.vocab_size = 65;
    CHECK(!strcmp(found(m, path, buf, sizeof buf), "char:meta.pkl"));
    ws_model_free(m);
    /* nanoGPT: out-x/ckpt.pt with config.dataset, meta.pkl in data/DATASET/ */
    put("nano/data/shakespeare_char/meta.pkl", CHAR_DIR "meta.pkl");
    m = model_at("nano/out-shakespeare-char/ckpt.pt", 65);
    CHECK(ws_model_set_meta(m, "config", "{\"dataset\": \"shakespeare_char\", \"n_layer\": 2}", &e) == 0);
    CHECKF(!strcmp(found(m, NULL, buf, sizeof buf), "char:meta.pkl"), "%s", buf);
    ws_model_free(m);
    /* a missing --tokenizer, a vocabulary without its merges */
    m = model_at("nano/x.pt", 65);
    CHECK_STR_CONTAINS(found(m, "/nonexistent/tok.json", buf, sizeof buf), "error: /nonexistent/tok.json: ");
    put("lone/vocab.json", "tests/fixtures/tok/gpt2/encoder.json.gz");
    snprintf(path, sizeof path, "%s/lone/vocab.json", dir);
    CHECK_STR_CONTAINS(found(m, path, buf, sizeof buf), "merges.txt not found beside it");
    ws_model_free(m);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    test_meta_pkl();
    test_evil();
    test_search_order();
    return check_done();
}
