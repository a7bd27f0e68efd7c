/* Tokenizer files: reading each format, and finding a model's tokenizer
 * (the search order is in tokenizer_files.h). */
#include "tokenizer_files.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpe.h"
#include "data.h"
#include "inputs.h"
#include "tok_kind.h"

/* ---- the BPE tables ---- */

/* vocab.json: {"token": id, ...} */
static int add_vocab(ws_bpe *b, json_t *v, ws_err *e)
{
    const char *k;
    json_t *id;
    if (!json_is_object(v) || json_object_size(v) == 0)
        return ws_fail(e, "the vocabulary is not an object of token ids");
    json_object_foreach(v, k, id) {
        if (!json_is_integer(id))
            return ws_fail(e, "token \"%.40s\" has no integer id", k);
        if (ws_bpe_add_token(b, k, strlen(k), json_integer_value(id), e))
            return -1;
    }
    return 0;
}

/* One merge written "a b" (merges.txt, older tokenizer.json). */
static int add_merge_text(ws_bpe *b, const char *s, size_t n, size_t line, ws_err *e)
{
    const char *sp = memchr(s, ' ', n);
    if (!sp || sp == s || sp + 1 == s + n || memchr(sp + 1, ' ', (size_t)(s + n - sp - 1)))
        return ws_fail(e, "merge %zu is not two tokens separated by a space: \"%.40s\"", line, s);
    return ws_bpe_add_merge(b, s, (size_t)(sp - s), sp + 1, (size_t)(s + n - sp - 1), e);
}

/* merges.txt: an optional "#version" line, then one merge per line. */
static int add_merges_text(ws_bpe *b, char *text, size_t len, ws_err *e)
{
    size_t line = 0;
    for (char *p = text, *end = text + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *q = nl ? nl : end;
        size_t n = (size_t)(q - p);
        if (n && p[n - 1] == '\r')
            n--;
        line++;
        if (!(line == 1 && n >= 8 && !memcmp(p, "#version", 8)) && n) {
            p[n] = 0;
            if (add_merge_text(b, p, n, line, e))
                return -1;
        }
        p = q + 1;
    }
    return 0;
}

/* tokenizer.json's merges: ["a b", ...] or [["a", "b"], ...]. */
static int add_merges_json(ws_bpe *b, json_t *m, ws_err *e)
{
    size_t i;
    json_t *x;
    if (!json_is_array(m))
        return ws_fail(e, "model.merges is not a list");
    json_array_foreach(m, i, x) {
        int rc;
        if (json_is_string(x))
            rc = add_merge_text(b, json_string_value(x), json_string_length(x), i + 1, e);
        else if (json_is_array(x) && json_array_size(x) == 2 &&
                 json_is_string(json_array_get(x, 0)) && json_is_string(json_array_get(x, 1)))
            rc = ws_bpe_add_merge(b, json_string_value(json_array_get(x, 0)),
                                  json_string_length(json_array_get(x, 0)),
                                  json_string_value(json_array_get(x, 1)),
                                  json_string_length(json_array_get(x, 1)), e);
        else
            rc = ws_fail(e, "merge %zu is neither \"a b\" nor [\"a\", \"b\"]", i + 1);
        if (rc)
            return -1;
    }
    return 0;
}

static json_t *load_json(const char *text, size_t len, ws_err *e)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, 0, &je);
    if (!j)
        ws_fail(e, "bad JSON at line %d: %s", je.line, je.text);
    return j;
}

/* ---- tokenizer.json ---- */

static int is_null_or(json_t *v, const char *empty)
{
    return !v || json_is_null(v) || json_is_false(v) ||
           (empty && json_is_string(v) && !strcmp(json_string_value(v), empty));
}

/* The one pre-tokenizer wscope has: GPT-2's ByteLevel with its pattern
 * and no added prefix space (alone, or the only step of a Sequence). */
static int check_pre_tokenizer(json_t *pt, ws_err *e)
{
    json_t *steps = json_object_get(pt, "pretokenizers");
    if (steps && json_is_array(steps) && json_array_size(steps) == 1)
        pt = json_array_get(steps, 0);
    json_t *type = json_object_get(pt, "type");
    if (!json_is_string(type) || strcmp(json_string_value(type), "ByteLevel"))
        return ws_fail(e, "pre-tokenizer %s is not supported (only GPT-2's ByteLevel)",
                       json_is_string(type) ? json_string_value(type) : "(none)");
    if (json_is_true(json_object_get(pt, "add_prefix_space")))
        return ws_fail(e, "ByteLevel with add_prefix_space is not supported (GPT-2's has none)");
    if (json_is_false(json_object_get(pt, "use_regex")))
        return ws_fail(e, "ByteLevel without GPT-2's pattern (use_regex false) is not supported");
    return 0;
}

static int check_bpe_model(json_t *root, json_t *model, ws_err *e)
{
    json_t *type = json_object_get(model, "type");
    if (!json_is_object(model) || !json_is_string(type) || strcmp(json_string_value(type), "BPE"))
        return ws_fail(e, "model type %s is not supported (only BPE)",
                       json_is_string(type) ? json_string_value(type) : "(none)");
    if (!is_null_or(json_object_get(root, "normalizer"), NULL))
        return ws_fail(e, "a normalizer is not supported (GPT-2 has none)");
    if (!is_null_or(json_object_get(model, "byte_fallback"), NULL) ||
        !is_null_or(json_object_get(model, "continuing_subword_prefix"), "") ||
        !is_null_or(json_object_get(model, "end_of_word_suffix"), ""))
        return ws_fail(e, "BPE options beyond GPT-2's (byte_fallback, subword prefix or "
                          "suffix) are not supported");
    return check_pre_tokenizer(json_object_get(root, "pre_tokenizer"), e);
}

/* Added tokens not in the vocabulary keep their id, for display. */
static int add_added_tokens(ws_bpe *b, json_t *added, ws_err *e)
{
    size_t i;
    json_t *x;
    json_array_foreach(added, i, x) {
        json_t *c = json_object_get(x, "content"), *id = json_object_get(x, "id");
        if (!json_is_string(c) || !json_is_integer(id))
            return ws_fail(e, "added token %zu has no content and id", i);
        ws_err ignore;
        ws_bpe_add_token(b, json_string_value(c), json_string_length(c), json_integer_value(id),
                         &ignore);   /* already in the vocabulary: nothing to do */
    }
    return 0;
}

static ws_tokenizer *open_tokenizer_json(const char *path, json_t *root, ws_err *e)
{
    json_t *model = json_object_get(root, "model");
    ws_bpe *b = ws_bpe_new(e);
    int rc = b ? check_bpe_model(root, model, e) : -1;
    if (!rc)
        rc = add_vocab(b, json_object_get(model, "vocab"), e);
    if (!rc && json_is_array(json_object_get(root, "added_tokens")))
        rc = add_added_tokens(b, json_object_get(root, "added_tokens"), e);
    if (!rc)
        rc = add_merges_json(b, json_object_get(model, "merges"), e);
    if (rc) {
        ws_bpe_free(b);
        return NULL;
    }
    return ws_bpe_finish(b, path, e);
}

/* ---- vocab.json + merges.txt ---- */

/* The merges file beside a vocabulary, or the vocabulary beside merges. */
static const char *const pairs[][2] = {
    {"vocab.json", "merges.txt"},
    {"encoder.json", "vocab.bpe"},
};

/* Folder part of a path, with its '/' ("" for a bare name). */
static void folder_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    snprintf(buf, n, "%.*s", slash ? (int)(slash - path + 1) : 0, path);
}

static int readable(const char *path) { return access(path, R_OK) == 0; }

/* The partner file of `path` (side 0: a vocabulary, 1: merges) in buf. */
static int partner(const char *path, int side, char *buf, size_t n)
{
    char dir[PATH_MAX];
    folder_of(path, dir, sizeof dir);
    const char *base = path + strlen(dir);
    size_t bl = strlen(base);
    const char *gz = bl > 3 && !strcmp(base + bl - 3, ".gz") ? ".gz" : "";
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        if (!strncmp(base, pairs[i][side], strlen(pairs[i][side])) &&
            strlen(pairs[i][side]) + strlen(gz) == bl) {
            snprintf(buf, n, "%s%s%s", dir, pairs[i][!side], gz);
            return readable(buf) ? 0 : -1;
        }
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        snprintf(buf, n, "%s%s", dir, pairs[i][!side]);
        if (readable(buf))
            return 0;
    }
    snprintf(buf, n, "%s%s", dir, pairs[0][!side]);
    return -1;
}

/* A BPE from a parsed vocabulary and the text of its merges. */
static ws_tokenizer *open_pair(const char *vocab_path, json_t *vocab, const char *merges_path,
                               char *merges, size_t mlen, const char *source, ws_err *e)
{
    ws_bpe *b = ws_bpe_new(e);
    int rc = b ? add_vocab(b, vocab, e) : -1;
    if (rc && b)
        ws_wrap(e, "%s", vocab_path);
    if (!rc && add_merges_text(b, merges, mlen, e))
        rc = ws_wrap(e, "%s", merges_path);
    if (rc) {
        ws_bpe_free(b);
        return NULL;
    }
    return ws_bpe_finish(b, source, e);
}

/* `path` is one of the two files: the vocabulary (parsed: `vocab`), or the
 * merges (`text`); the other is found beside it. */
static ws_tokenizer *open_vocab_merges(const char *path, json_t *vocab, char *text, size_t len,
                                       ws_err *e)
{
    char other[PATH_MAX + 32], source[2 * PATH_MAX + 64];
    int side = vocab == NULL;   /* 1: path is the merges */
    if (partner(path, side, other, sizeof other)) {
        ws_fail(e, "%s: %s not found beside it (a GPT-2 BPE needs both)", path, other);
        return NULL;
    }
    size_t olen;
    char *otext = ws_read_text(other, &olen, e);
    if (!otext)
        return NULL;
    snprintf(source, sizeof source, "%s + %s", side ? other : path, side ? path : other);
    ws_tokenizer *t = NULL;
    if (!side) {
        t = open_pair(path, vocab, other, otext, olen, source, e);
    } else if ((vocab = load_json(otext, olen, e))) {
        t = open_pair(other, vocab, path, text, len, source, e);
        json_decref(vocab);
    } else {
        ws_wrap(e, "%s", other);
    }
    free(otext);
    return t;
}

/* ---- reading a file by its content ---- */

/* A pickle (meta.pkl), a JSON object (tokenizer.json when it has a
 * "model", else a vocabulary), or else merges text. */
static ws_tokenizer *open_file(const char *path, ws_err *e)
{
    size_t len, i = 0;
    char *text = ws_read_text(path, &len, e);
    if (!text)
        return NULL;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    ws_tokenizer *t = NULL;
    json_t *j = NULL;
    if ((unsigned char)text[0] == 0x80)   /* pickle protocol 2 and up */
        t = ws_tok_char_from_pickle((const unsigned char *)text, len, path, e);
    else if (memchr(text, 0, len < 65536 ? len : 65536))   /* binary: a model, an archive ... */
        ws_fail(e, "%s: not a tokenizer file (tokenizer.json, vocab.json + merges.txt, "
                   "encoder.json + vocab.bpe, meta.pkl)", path);
    else if (i == len || text[i] != '{')
        t = open_vocab_merges(path, NULL, text, len, e);
    else if ((j = load_json(text, len, e)))
        t = json_is_object(json_object_get(j, "model")) ? open_tokenizer_json(path, j, e)
                                                        : open_vocab_merges(path, j, NULL, 0, e);
    json_decref(j);
    free(text);
    if (!t && e && strncmp(e->msg, path, strlen(path)))
        ws_wrap(e, "%s", path);
    return t;
}

/* ---- finding one ---- */

/* The files looked for in a model's folder, in order; `open` gets the
 * first name (the second must be there too). How to add a format: a row
 * here, its reader above, and its name in tokenizer_files.h and the man
 * page's FILES section. */
static const char *const beside[][2] = {
    {"tokenizer.json", NULL},
    {"vocab.json", "merges.txt"},
    {"encoder.json", "vocab.bpe"},
    {"meta.pkl", NULL},
};

/* The first tokenizer in folder `dir` ("" or ending in '/'): 0 with *out
 * NULL when none is there. */
static int find_in(const char *dir, ws_tokenizer **out, ws_err *e)
{
    char a[PATH_MAX + 32], b[PATH_MAX + 32];
    *out = NULL;
    for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
        snprintf(a, sizeof a, "%s%s", dir, beside[i][0]);
        snprintf(b, sizeof b, "%s%s", dir, beside[i][1] ? beside[i][1] : "");
        if (readable(a) && (!beside[i][1] || readable(b)))
            return (*out = open_file(a, e)) ? 0 : -1;
    }
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "path/" for a folder, else the folder part of the file's path. */
static void model_folder(const char *path, char *buf, size_t n)
{
    if (is_dir(path))
        snprintf(buf, n, "%s%s", path, path[0] && path[strlen(path) - 1] == '/' ? "" : "/");
    else
        folder_of(path, buf, n);
}

ws_tokenizer *ws_tok_open(const char *path, ws_err *e)
{
    if (ws_input_check(path, 1, e) != 0) {   /* no FIFO, device ... */
        ws_wrap(e, "%s", path);
        return NULL;
    }
    if (!is_dir(path))
        return open_file(path, e);
    char dir[PATH_MAX];
    ws_tokenizer *t;
    model_folder(path, dir, sizeof dir);
    if (find_in(dir, &t, e))
        return NULL;
    if (!t)
        ws_fail(e, "%s: no tokenizer.json, vocab.json + merges.txt, encoder.json + vocab.bpe "
                   "or meta.pkl in this folder", path);
    return t;
}

/* nanoGPT keeps meta.pkl in data/DATASET/, DATASET from the checkpoint's config. */
static int find_nanogpt_meta(const ws_model *m, const char *dir, ws_tokenizer **out, ws_err *e)
{
    const char *cfg = ws_model_meta(m, "config");
    json_t *c = cfg ? json_loads(cfg, 0, NULL) : NULL;
    const char *ds = json_string_value(json_object_get(c, "dataset"));
    char a[PATH_MAX + 64], b[PATH_MAX + 64];
    int rc = 0;
    *out = NULL;
    if (ds && ds[0] && !strstr(ds, "..") && !strchr(ds, '/')) {
        /* the parent of the checkpoint's folder, by name: "/x/out-y/" → "/x/" */
        size_t n = strlen(dir);
        while (n > 0 && dir[n - 1] == '/')
            n--;
        while (n > 0 && dir[n - 1] != '/')
            n--;
        int cwd = !dir[0] || !strcmp(dir, "./");
        snprintf(a, sizeof a, "%.*sdata/%s/meta.pkl", cwd ? 3 : (int)n, cwd ? "../" : dir, ds);
        snprintf(b, sizeof b, "data/%s/meta.pkl", ds);
        const char *p = readable(a) ? a : readable(b) ? b : NULL;
        if (p && !(*out = open_file(p, e)))
            rc = -1;
    }
    json_decref(c);
    return rc;
}

int ws_tok_fits(const ws_tokenizer *t, int64_t rows, ws_err *e)
{
    int64_t n = ws_tok_size(t), padded = (n + 127) / 128 * 128;
    if (rows <= 0 || n == rows || (n < rows && rows <= padded))
        return 0;
    return ws_fail(e, "%s: %lld tokens, but the model's embedding has %lld rows", ws_tok_source(t),
                   (long long)n, (long long)rows);
}

int ws_tok_find(const ws_model *m, const char *path, ws_tokenizer **out, ws_err *e)
{
    char dir[PATH_MAX];
    ws_tokenizer *t = NULL;
    int rc = 0;
    *out = NULL;
    if (path) {
        rc = (t = ws_tok_open(path, e)) ? 0 : -1;
    } else if (ws_model_meta(m, WS_TOK_META_KEY)) {
        if (!(t = ws_tok_from_model(m, e)))
            rc = ws_wrap(e, "%s: the tokenizer in its metadata", m->path ? m->path : "model");
    } else if (m->path) {
        model_folder(m->path, dir, sizeof dir);
        rc = find_in(dir, &t, e);
        if (!rc && !t)
            rc = find_nanogpt_meta(m, dir, &t, e);
    }
    if (!rc && t && (rc = ws_tok_fits(t, m->cfg.vocab_size, e)))
        ws_tok_free(t);
    else
        *out = t;
    return rc;
}
