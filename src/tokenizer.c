/* Word-level tokenizer: split, count, vocabulary, encode/decode, JSON. */
#include "tokenizer.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- a string → (id, count) hash table, open addressing ---- */

typedef struct slot {
    char *word;        /* NUL-terminated, owned */
    size_t len;
    int64_t count;
    int id;
} slot;

typedef struct table {
    slot *s;
    size_t cap, used;  /* cap is a power of two */
} table;

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static int table_init(table *t, size_t cap)
{
    t->s = calloc(cap, sizeof *t->s);
    t->cap = cap;
    t->used = 0;
    return t->s ? 0 : -1;
}

static void table_free(table *t)
{
    for (size_t i = 0; t->s && i < t->cap; i++)
        free(t->s[i].word);
    free(t->s);
    t->s = NULL;
}

static slot *table_find(const table *t, const char *w, size_t n)
{
    size_t i = hash_bytes(w, n) & (t->cap - 1);
    while (t->s[i].word) {
        if (t->s[i].len == n && !memcmp(t->s[i].word, w, n))
            return &t->s[i];
        i = (i + 1) & (t->cap - 1);
    }
    return &t->s[i];   /* the empty slot where it would go */
}

static int table_grow(table *t)
{
    table bigger;
    if (table_init(&bigger, t->cap * 2))
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->s[i].word) {
            slot *d = table_find(&bigger, t->s[i].word, t->s[i].len);
            *d = t->s[i];
        }
    free(t->s);
    *t = bigger;
    t->used = 0;
    for (size_t i = 0; i < t->cap; i++)
        t->used += t->s[i].word != NULL;
    return 0;
}

/* Slot of `w`, inserted (count 0) when new; NULL on no memory. */
static slot *table_get(table *t, const char *w, size_t n)
{
    if ((t->used + 1) * 2 > t->cap && table_grow(t))
        return NULL;
    slot *s = table_find(t, w, n);
    if (!s->word) {
        s->word = malloc(n + 1);
        if (!s->word)
            return NULL;
        memcpy(s->word, w, n);
        s->word[n] = 0;
        s->len = n;
        s->count = 0;
        s->id = -1;
        t->used++;
    }
    return s;
}

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

/* ---- counting ---- */

struct ws_tok_counter {
    ws_tok_opts o;
    table t;
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
    if (!c || table_init(&c->t, 1024)) {
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
    slot *s = f ? table_get(&c->t, f, n) : NULL;
    if (s)
        s->count++;
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
    table_free(&c->t);
    free(c->buf);
    free(c);
}

/* ---- the tokenizer ---- */

struct ws_tokenizer {
    int lowercase, min_count;
    int n;          /* ids */
    char **words;   /* id → word (pointers into the table) */
    table t;        /* word → id */
    char *buf;      /* scratch for lowercasing (encode is single-threaded per tokenizer) */
    size_t cap;
};

/* Well-formed UTF-8 without NUL (no overlongs, surrogates or code points
 * past U+10FFFF): only such words can be stored as JSON strings. */
static int utf8_valid(const unsigned char *p, size_t n)
{
    static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t k = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 4;
        if (c == 0 || k == 4 || i + k >= n)   /* NUL, a bad lead byte, or truncated */
            return 0;
        uint32_t cp = k == 0 ? c : c & (0x3Fu >> k);
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + j] & 0x3F);
        }
        if (cp < min_cp[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

static int by_count_then_bytes(const void *a, const void *b)
{
    const slot *x = *(const slot *const *)a, *y = *(const slot *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

static ws_tokenizer *tok_alloc(int lowercase, int min_count, size_t n_words, ws_err *e)
{
    ws_tokenizer *t = calloc(1, sizeof *t);
    size_t cap = 16;
    while (cap < 2 * (n_words + 1))
        cap *= 2;
    if (!t || table_init(&t->t, cap) || !(t->words = calloc(n_words + 1, sizeof *t->words))) {
        if (t)
            table_free(&t->t);
        free(t);
        ws_fail(e, "out of memory");
        return NULL;
    }
    t->lowercase = lowercase;
    t->min_count = min_count;
    return t;
}

/* Append a word as the next id; -1 on duplicate or no memory. */
static int tok_add(ws_tokenizer *t, const char *w, size_t n, ws_err *e)
{
    slot *s = table_get(&t->t, w, n);
    if (!s)
        return ws_fail(e, "out of memory");
    if (s->id >= 0)
        return ws_fail(e, "tokenizer: word \"%.40s\" appears twice", s->word);
    s->id = t->n;
    t->words[t->n++] = s->word;
    return 0;
}

ws_tokenizer *ws_tok_counter_finish(ws_tok_counter *c, ws_err *e)
{
    size_t n = 0;
    slot **keep = malloc((c->t.used + 1) * sizeof *keep);
    if (!keep) {
        ws_tok_counter_free(c);
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < c->t.cap; i++) {
        slot *s = &c->t.s[i];
        if (s->word && s->count >= c->o.min_count && strcmp(s->word, WS_TOK_UNK) &&
            utf8_valid((const unsigned char *)s->word, s->len))
            keep[n++] = s;
    }
    qsort(keep, n, sizeof *keep, by_count_then_bytes);
    if (c->o.max_vocab && n > (size_t)c->o.max_vocab - 1)
        n = (size_t)c->o.max_vocab - 1;
    ws_tokenizer *t = tok_alloc(c->o.lowercase, c->o.min_count, n, e);
    int rc = t ? tok_add(t, WS_TOK_UNK, strlen(WS_TOK_UNK), e) : -1;
    for (size_t i = 0; i < n && !rc; i++)
        rc = tok_add(t, keep[i]->word, keep[i]->len, e);
    free(keep);
    ws_tok_counter_free(c);
    if (rc) {
        ws_tok_free(t);
        return NULL;
    }
    return t;
}

void ws_tok_free(ws_tokenizer *t)
{
    if (!t)
        return;
    table_free(&t->t);
    free(t->words);
    free(t->buf);
    free(t);
}

int ws_tok_size(const ws_tokenizer *t) { return t->n; }
int ws_tok_lowercase(const ws_tokenizer *t) { return t->lowercase; }

const char *ws_tok_word(const ws_tokenizer *t, int id)
{
    return id >= 0 && id < t->n ? t->words[id] : NULL;
}

static int lookup(ws_tokenizer *t, const char *w, size_t n)
{
    const char *f = fold(w, n, t->lowercase, &t->buf, &t->cap);
    if (!f)
        return -1;
    slot *s = table_find(&t->t, f, n);
    return s->word ? s->id : 0;
}

int ws_tok_id(const ws_tokenizer *t, const char *word, size_t len)
{
    int id = lookup((ws_tokenizer *)t, word, len);
    return id < 0 ? 0 : id;
}

typedef struct enc {
    ws_tokenizer *t;
    int32_t *ids;
    size_t n, cap, unk;
    int oom;
} enc;

static void encode_one(const char *w, size_t n, void *user)
{
    enc *c = user;
    if (c->oom)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        int32_t *p = realloc(c->ids, cap * sizeof *p);
        if (!p) {
            c->oom = 1;
            return;
        }
        c->ids = p;
        c->cap = cap;
    }
    int id = lookup(c->t, w, n);
    if (id < 0) {
        c->oom = 1;
        return;
    }
    c->unk += id == 0;
    c->ids[c->n++] = id;
}

int ws_tok_encode(const ws_tokenizer *t, const char *text, size_t len,
                  int32_t **ids, size_t *n, size_t *n_unk, ws_err *e)
{
    enc c = {(ws_tokenizer *)t, NULL, 0, 0, 0, 0};
    ws_tok_split(text, len, encode_one, &c);
    *n = c.oom ? 0 : c.n;
    *ids = c.oom ? NULL : c.ids;
    if (n_unk)
        *n_unk = c.unk;
    if (c.oom) {
        free(c.ids);
        return ws_fail(e, "out of memory");
    }
    return 0;
}

static int glues_left(const char *w) { return w[0] && !w[1] && strchr(".,;:!?)]}", w[0]); }
static int glues_right(const char *w) { return w[0] && !w[1] && strchr("([{", w[0]); }

char *ws_tok_decode(const ws_tokenizer *t, const int32_t *ids, size_t n, ws_err *e)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= t->n) {
            ws_fail(e, "token id %d is outside the vocabulary (%d words)", (int)ids[i], t->n);
            return NULL;
        }
        len += strlen(t->words[ids[i]]) + 1;
    }
    char *out = malloc(len), *p = out;
    if (!out) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *w = t->words[ids[i]];
        if (i > 0 && !glues_left(w) && !glues_right(t->words[ids[i - 1]]))
            *p++ = ' ';
        size_t k = strlen(w);
        memcpy(p, w, k);
        p += k;
    }
    *p = 0;
    return out;
}

/* ---- JSON ---- */

char *ws_tok_to_json(const ws_tokenizer *t, ws_err *e)
{
    json_t *o = json_object(), *v = json_array();
    int bad = !o || !v;
    for (int i = 0; i < t->n && !bad; i++)
        bad = json_array_append_new(v, json_string(t->words[i])) != 0;
    if (!bad)
        bad = json_object_set_new(o, "type", json_string("word")) ||
              json_object_set_new(o, "lowercase", json_boolean(t->lowercase)) ||
              json_object_set_new(o, "min_count", json_integer(t->min_count)) ||
              json_object_set(o, "vocab", v);
    char *s = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(v);
    json_decref(o);
    if (!s)
        ws_fail(e, "out of memory");
    return s;
}

ws_tokenizer *ws_tok_from_json(const char *s, ws_err *e)
{
    json_error_t je;
    json_t *o = json_loads(s, 0, &je);
    if (!o) {
        ws_fail(e, "tokenizer: bad JSON: %s", je.text);
        return NULL;
    }
    json_t *type = json_object_get(o, "type"), *v = json_object_get(o, "vocab");
    json_t *lc = json_object_get(o, "lowercase"), *mc = json_object_get(o, "min_count");
    ws_tokenizer *t = NULL;
    if (!json_is_string(type) || strcmp(json_string_value(type), "word"))
        ws_fail(e, "tokenizer: type is not \"word\"");
    else if (!json_is_array(v) || json_array_size(v) < 1)
        ws_fail(e, "tokenizer: no vocabulary");
    else if ((t = tok_alloc(json_is_true(lc), json_is_integer(mc) ? (int)json_integer_value(mc) : 1,
                            json_array_size(v), e))) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *w = json_array_get(v, i);
            if (!json_is_string(w) || tok_add(t, json_string_value(w), json_string_length(w), e)) {
                if (!json_is_string(w))
                    ws_fail(e, "tokenizer: vocabulary entry %zu is not a string", i);
                ws_tok_free(t);
                t = NULL;
                break;
            }
        }
        if (t && strcmp(t->words[0], WS_TOK_UNK)) {
            ws_fail(e, "tokenizer: id 0 is not %s", WS_TOK_UNK);
            ws_tok_free(t);
            t = NULL;
        }
    }
    json_decref(o);
    return t;
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
