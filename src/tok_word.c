/* The word tokenizer: split, count, vocabulary, encode/decode, JSON
 * (the rules are in tokenizer.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"
#include "tok_kind.h"
#include "tokenizer.h"

/* ---- splitting ---- */

static int is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c >= 0x80;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void ws_tok_split(const char *text, size_t len,
                  void (*fn)(const char *tok, size_t n, void *user), void *user)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        if (is_space(p[i])) {
            i++;
            continue;
        }
        size_t j = i;
        if (is_word_byte(p[i])) {
            while (j < len && (is_word_byte(p[j]) ||
                               (p[j] == '\'' && j + 1 < len && is_word_byte(p[j + 1]))))
                j++;
        } else {
            j = i + 1;
        }
        fn(text + i, j - i, user);
        i = j;
    }
}

/* Lowercased copy into buf (ASCII only); returns buf or the word itself. */
static const char *fold(const char *w, size_t n, int lower, char **buf, size_t *cap)
{
    if (!lower)
        return w;
    if (n + 1 > *cap) {
        char *b = realloc(*buf, n + 64);
        if (!b)
            return NULL;
        *buf = b;
        *cap = n + 64;
    }
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        (*buf)[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return *buf;
}

/* ---- counting (slot: w = count) ---- */

struct ws_tok_counter {
    ws_tok_opts o;
    ws_strtab t;
    char *buf;
    size_t cap;
    int oom;
};

ws_tok_counter *ws_tok_counter_new(const ws_tok_opts *o, ws_err *e)
{
    if (o->min_count < 1 || o->max_vocab < 0 || o->max_vocab == 1) {
        ws_fail(e, "tokenizer: minimum count must be >= 1 and vocabulary size >= 2");
        return NULL;
    }
    ws_tok_counter *c = calloc(1, sizeof *c);
    if (!c || ws_strtab_init(&c->t, 512)) {
        free(c);
        ws_fail(e, "out of memory");
        return NULL;
    }
    c->o = *o;
    return c;
}

static void count_one(const char *w, size_t n, void *user)
{
    ws_tok_counter *c = user;
    const char *f = fold(w, n, c->o.lowercase, &c->buf, &c->cap);
    ws_strtab_slot *s = f ? ws_strtab_get(&c->t, f, n) : NULL;
    if (s)
        s->w++;
    else
        c->oom = 1;
}

int ws_tok_count(ws_tok_counter *c, const char *text, size_t len, ws_err *e)
{
    ws_tok_split(text, len, count_one, c);
    return c->oom ? ws_fail(e, "out of memory") : 0;
}

void ws_tok_counter_free(ws_tok_counter *c)
{
    if (!c)
        return;
    ws_strtab_free(&c->t);
    free(c->buf);
    free(c);
}

/* ---- the tokenizer (slot: v = id) ---- */

typedef struct word_tok {
    int lowercase, min_count;
    int n;              /* ids */
    const char **words; /* id → word (keys of the table) */
    size_t *lens;
    ws_strtab t;        /* word → id */
    char *buf;          /* scratch for lowercasing (encode is one thread at a time) */
    size_t cap;
} word_tok;

static void word_free(void *p)
{
    word_tok *w = p;
    if (!w)
        return;
    ws_strtab_free(&w->t);
    free(w->words);
    free(w->lens);
    free(w->buf);
    free(w);
}

static int by_count_then_bytes(const void *a, const void *b)
{
    const ws_strtab_slot *x = *(const ws_strtab_slot *const *)a;
    const ws_strtab_slot *y = *(const ws_strtab_slot *const *)b;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return strcmp(x->key, y->key);
}

static word_tok *word_alloc(int lowercase, int min_count, size_t n_words, ws_err *e)
{
    word_tok *w = calloc(1, sizeof *w);
    if (!w || ws_strtab_init(&w->t, n_words + 1) ||
        !(w->words = calloc(n_words + 1, sizeof *w->words)) ||
        !(w->lens = calloc(n_words + 1, sizeof *w->lens))) {
        word_free(w);
        ws_fail(e, "out of memory");
        return NULL;
    }
    w->lowercase = lowercase;
    w->min_count = min_count;
    return w;
}

/* Append a word as the next id; -1 on duplicate or no memory. */
static int word_add(word_tok *w, const char *s, size_t n, ws_err *e)
{
    ws_strtab_slot *sl = ws_strtab_get(&w->t, s, n);
    if (!sl)
        return ws_fail(e, "out of memory");
    if (sl->v >= 0)
        return ws_fail(e, "tokenizer: word \"%.40s\" appears twice", sl->key);
    sl->v = w->n;
    w->words[w->n] = sl->key;
    w->lens[w->n++] = n;
    return 0;
}

static ws_tokenizer *word_wrap(word_tok *w, const char *source, ws_err *e)
{
    return ws_tok_wrap(&ws_tok_word_ops, w, source, e);
}

ws_tokenizer *ws_tok_counter_finish(ws_tok_counter *c, ws_err *e)
{
    size_t n = 0;
    const ws_strtab_slot **keep = malloc((c->t.used + 1) * sizeof *keep);
    if (!keep) {
        ws_tok_counter_free(c);
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < c->t.cap; i++) {
        const ws_strtab_slot *s = &c->t.s[i];
        uint32_t cp;
        int valid = 1;
        for (size_t j = 0, k; s->key && j < s->len && valid; j += k)
            valid = (k = ws_utf8_char((const unsigned char *)s->key + j, s->len - j, &cp)) && cp;
        if (s->key && s->w >= c->o.min_count && strcmp(s->key, WS_TOK_UNK) && valid)
            keep[n++] = s;
    }
    qsort(keep, n, sizeof *keep, by_count_then_bytes);
    if (c->o.max_vocab && n > (size_t)c->o.max_vocab - 1)
        n = (size_t)c->o.max_vocab - 1;
    word_tok *w = word_alloc(c->o.lowercase, c->o.min_count, n, e);
    int rc = w ? word_add(w, WS_TOK_UNK, strlen(WS_TOK_UNK), e) : -1;
    for (size_t i = 0; i < n && !rc; i++)
        rc = word_add(w, keep[i]->key, keep[i]->len, e);
    free(keep);
    ws_tok_counter_free(c);
    if (rc) {
        word_free(w);
        return NULL;
    }
    return word_wrap(w, "built from the training text", e);
}

static int word_size(const void *p) { return ((const word_tok *)p)->n; }

static const char *word_token(const void *p, int id, size_t *len)
{
    const word_tok *w = p;
    if (id < 0 || id >= w->n)
        return NULL;
    if (len)
        *len = w->lens[id];
    return w->words[id];
}

int ws_tok_lowercase(const ws_tokenizer *t)
{
    const word_tok *w = ws_tok_impl(t, &ws_tok_word_ops);
    return w ? w->lowercase : 0;
}

/* Id of a word, 0 when unknown; -1 on no memory. */
static int lookup(word_tok *w, const char *s, size_t n)
{
    const char *f = fold(s, n, w->lowercase, &w->buf, &w->cap);
    if (!f)
        return -1;
    const ws_strtab_slot *sl = ws_strtab_find(&w->t, f, n);
    return sl ? (int)sl->v : 0;
}

int ws_tok_id(const ws_tokenizer *t, const char *word, size_t len)
{
    word_tok *w = ws_tok_impl(t, &ws_tok_word_ops);
    int id = w ? lookup(w, word, len) : 0;
    return id < 0 ? 0 : id;
}

typedef struct enc {
    word_tok *w;
    ws_ids *out;
    size_t unk;
    int oom;
} enc;

static void encode_one(const char *s, size_t n, void *user)
{
    enc *c = user;
    if (c->oom)
        return;
    int id = lookup(c->w, s, n);
    if (id < 0 || ws_ids_push(c->out, id)) {
        c->oom = 1;
        return;
    }
    c->unk += id == 0;
}

static int word_encode(void *p, const char *text, size_t len, ws_ids *out, size_t *n_unk,
                       ws_err *e)
{
    enc c = {p, out, 0, 0};
    ws_tok_split(text, len, encode_one, &c);
    *n_unk += c.unk;
    return c.oom ? ws_fail(e, "out of memory") : 0;
}

static int glues_left(const char *w) { return w[0] && !w[1] && strchr(".,;:!?)]}", w[0]); }
static int glues_right(const char *w) { return w[0] && !w[1] && strchr("([{", w[0]); }

static char *word_decode(const void *p, const int32_t *ids, size_t n, size_t *len, ws_err *e)
{
    const word_tok *w = p;
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += w->lens[ids[i]] + 1;
    char *out = malloc(total), *q = out;
    if (!out) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = w->words[ids[i]];
        if (i > 0 && !glues_left(s) && !glues_right(w->words[ids[i - 1]]))
            *q++ = ' ';
        memcpy(q, s, w->lens[ids[i]]);
        q += w->lens[ids[i]];
    }
    *q = 0;
    if (len)
        *len = (size_t)(q - out);
    return out;
}

const ws_tok_ops ws_tok_word_ops = {
    "word", "words encoded as <unk>", word_size, word_token, word_encode, word_decode, word_free,
};

/* ---- JSON ---- */

char *ws_tok_to_json(const ws_tokenizer *t, ws_err *e)
{
    const word_tok *w = ws_tok_impl(t, &ws_tok_word_ops);
    if (!w) {
        ws_fail(e, "only a word tokenizer is kept in the model (this one is %s, from %s)",
                ws_tok_kind(t), ws_tok_source(t));
        return NULL;
    }
    json_t *o = json_object(), *v = json_array();
    int bad = !o || !v;
    for (int i = 0; i < w->n && !bad; i++)
        bad = json_array_append_new(v, json_stringn(w->words[i], w->lens[i])) != 0;
    if (!bad)
        bad = json_object_set_new(o, "type", json_string("word")) ||
              json_object_set_new(o, "lowercase", json_boolean(w->lowercase)) ||
              json_object_set_new(o, "min_count", json_integer(w->min_count)) ||
              json_object_set(o, "vocab", v);
    char *s = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(v);
    json_decref(o);
    if (!s)
        ws_fail(e, "out of memory");
    return s;
}

/* The word tokenizer of a parsed JSON object. */
static word_tok *word_of_json(json_t *o, ws_err *e)
{
    json_t *type = json_object_get(o, "type"), *v = json_object_get(o, "vocab");
    json_t *lc = json_object_get(o, "lowercase"), *mc = json_object_get(o, "min_count");
    if (!json_is_string(type) || strcmp(json_string_value(type), "word")) {
        ws_fail(e, "tokenizer: type is not \"word\"");
        return NULL;
    }
    if (!json_is_array(v) || json_array_size(v) < 1) {
        ws_fail(e, "tokenizer: no vocabulary");
        return NULL;
    }
    word_tok *w = word_alloc(json_is_true(lc), json_is_integer(mc) ? (int)json_integer_value(mc) : 1,
                             json_array_size(v), e);
    for (size_t i = 0; w && i < json_array_size(v); i++) {
        json_t *s = json_array_get(v, i);
        if (!json_is_string(s))
            ws_fail(e, "tokenizer: vocabulary entry %zu is not a string", i);
        if (!json_is_string(s) || word_add(w, json_string_value(s), json_string_length(s), e)) {
            word_free(w);
            return NULL;
        }
    }
    if (w && strcmp(w->words[0], WS_TOK_UNK)) {
        ws_fail(e, "tokenizer: id 0 is not %s", WS_TOK_UNK);
        word_free(w);
        return NULL;
    }
    return w;
}

ws_tokenizer *ws_tok_from_json(const char *s, ws_err *e)
{
    json_error_t je;
    json_t *o = json_loads(s, 0, &je);
    if (!o) {
        ws_fail(e, "tokenizer: bad JSON: %s", je.text);
        return NULL;
    }
    word_tok *w = word_of_json(o, e);
    json_decref(o);
    return w ? word_wrap(w, "the model's metadata", e) : NULL;
}

int ws_tok_save_to_model(const ws_tokenizer *t, ws_model *m, ws_err *e)
{
    char *s = ws_tok_to_json(t, e);
    if (!s)
        return -1;
    int rc = ws_model_set_meta(m, WS_TOK_META_KEY, s, e);
    free(s);
    return rc;
}

ws_tokenizer *ws_tok_from_model(const ws_model *m, ws_err *e)
{
    const char *s = ws_model_meta(m, WS_TOK_META_KEY);
    if (!s) {
        ws_fail(e, "no tokenizer in the model");
        return NULL;
    }
    return ws_tok_from_json(s, e);
}
