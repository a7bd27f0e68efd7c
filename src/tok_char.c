/* nanoGPT's character tokenizer, read from the meta.pkl that
 * data/shakespeare_char/prepare.py writes with pickle.dump:
 *   {'vocab_size': 65, 'itos': {0: '\n', 1: ' ', ...}, 'stoi': {'\n': 0, ...}}
 * Each token is one Unicode character (code point); the text is encoded
 * character by character, as nanoGPT's [stoi[c] for c in s]. A character
 * that is not in the vocabulary (or a byte that is not UTF-8) is dropped
 * and counted (nanoGPT would stop with a KeyError). The pickle is read by
 * the restricted reader (pickle.h): it runs no code. */
#include <stdlib.h>
#include <string.h>

#include "pickle.h"
#include "strtab.h"
#include "tok_kind.h"

typedef struct char_tok {
    int n;
    char (*tok)[5];       /* id → the character's UTF-8, NUL-terminated */
    unsigned char *len;   /* its length */
    int ascii[128];       /* id of an ASCII character, -1 when absent */
    ws_strtab other;      /* UTF-8 of the other characters → id (v) */
} char_tok;

static void char_free(void *p)
{
    char_tok *c = p;
    if (!c)
        return;
    free(c->tok);
    free(c->len);
    ws_strtab_free(&c->other);
    free(c);
}

static int char_size(const void *p) { return ((const char_tok *)p)->n; }

static const char *char_token(const void *p, int id, size_t *len)
{
    const char_tok *c = p;
    if (id < 0 || id >= c->n)
        return NULL;
    if (len)
        *len = c->len[id];
    return c->tok[id];
}

static int char_encode(void *p, const char *text, size_t len, ws_ids *out, size_t *n_unk,
                       ws_err *e)
{
    const char_tok *c = p;
    const unsigned char *s = (const unsigned char *)text;
    if (ws_ids_reserve(out, len))   /* at most one id per byte */
        return ws_fail(e, "out of memory");
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = ws_utf8_char(s + i, len - i, &cp);
        int id = -1;
        if (k == 1) {
            id = c->ascii[cp];
        } else if (k > 1) {
            const ws_strtab_slot *sl = ws_strtab_find(&c->other, text + i, k);
            id = sl ? (int)sl->v : -1;
        }
        if (id >= 0)
            out->v[out->n++] = id;
        else
            ++*n_unk;
        i += k ? k : 1;
    }
    return 0;
}

const ws_tok_ops ws_tok_char_ops = {
    "char", "characters dropped", char_size, char_token, char_encode, NULL, char_free,
};

/* ---- from meta.pkl ---- */

/* Set id `id` to the one-character string `s`. */
static int char_set(char_tok *c, int64_t id, const ws_pk *s, ws_err *e)
{
    uint32_t cp;
    size_t k = s->kind == WS_PK_STR && s->len ? ws_utf8_char((const unsigned char *)s->s, s->len, &cp) : 0;
    if (id < 0 || id >= c->n)
        return ws_fail(e, "itos has id %lld outside 0..%d", (long long)id, c->n - 1);
    if (c->len[id])
        return ws_fail(e, "itos has id %lld twice", (long long)id);
    if (!k || k != s->len)
        return ws_fail(e, "token %lld is not one character: only nanoGPT's character "
                          "vocabularies are read from a meta.pkl", (long long)id);
    memcpy(c->tok[id], s->s, k);
    c->tok[id][k] = 0;
    c->len[id] = (unsigned char)k;
    if (k == 1) {
        if (c->ascii[cp] >= 0)
            return ws_fail(e, "itos has the character U+%04X twice", (unsigned)cp);
        c->ascii[cp] = (int)id;
        return 0;
    }
    ws_strtab_slot *sl = ws_strtab_get(&c->other, s->s, k);
    if (!sl)
        return ws_fail(e, "out of memory");
    if (sl->v >= 0)
        return ws_fail(e, "itos has the character U+%04X twice", (unsigned)cp);
    sl->v = id;
    return 0;
}

static int char_id(const char_tok *c, const char *s, size_t k)
{
    if (k == 1)
        return c->ascii[(unsigned char)s[0] & 0x7F];
    const ws_strtab_slot *sl = ws_strtab_find(&c->other, s, k);
    return sl ? (int)sl->v : -1;
}

/* stoi, when present, must be the inverse of itos. */
static int check_stoi(const char_tok *c, const ws_pk *stoi, ws_err *e)
{
    if (stoi->kind != WS_PK_DICT)
        return ws_fail(e, "stoi is not a dict");
    if (stoi->n / 2 != (size_t)c->n)
        return ws_fail(e, "stoi has %zu characters but itos %d", stoi->n / 2, c->n);
    for (size_t i = 0; i + 1 < stoi->n; i += 2) {
        const ws_pk *k = stoi->items[i], *v = stoi->items[i + 1];
        int id = k->kind == WS_PK_STR && k->len && k->len <= 4 ? char_id(c, k->s, k->len) : -1;
        if (v->kind != WS_PK_INT || id < 0 || v->i != id)
            return ws_fail(e, "stoi does not agree with itos (entry %zu)", i / 2);
    }
    return 0;
}

static char_tok *char_of_meta(const ws_pk *root, ws_err *e)
{
    const ws_pk *itos = ws_pk_dict_get(root, "itos"), *stoi = ws_pk_dict_get(root, "stoi");
    const ws_pk *vs = ws_pk_dict_get(root, "vocab_size");
    if (!itos || itos->kind != WS_PK_DICT) {
        ws_fail(e, "not a nanoGPT meta.pkl: no dict 'itos' (id to character)");
        return NULL;
    }
    size_t n = itos->n / 2;
    if (n == 0 || n > 1u << 24) {
        ws_fail(e, "itos has %zu entries", n);
        return NULL;
    }
    if (vs && (vs->kind != WS_PK_INT || vs->i != (int64_t)n)) {
        ws_fail(e, "vocab_size %lld does not match the %zu entries of itos",
                vs->kind == WS_PK_INT ? (long long)vs->i : -1LL, n);
        return NULL;
    }
    char_tok *c = calloc(1, sizeof *c);
    if (!c || !(c->tok = calloc(n, sizeof *c->tok)) || !(c->len = calloc(n, 1)) ||
        ws_strtab_init(&c->other, n)) {
        char_free(c);
        ws_fail(e, "out of memory");
        return NULL;
    }
    c->n = (int)n;
    memset(c->ascii, -1, sizeof c->ascii);
    int rc = 0;
    for (size_t i = 0; i + 1 < itos->n && !rc; i += 2) {
        const ws_pk *k = itos->items[i];
        rc = k->kind == WS_PK_INT ? char_set(c, k->i, itos->items[i + 1], e)
                                  : ws_fail(e, "itos has a key that is not an integer");
    }
    if (!rc && stoi)
        rc = check_stoi(c, stoi, e);
    if (rc) {
        char_free(c);
        return NULL;
    }
    return c;
}

ws_tokenizer *ws_tok_char_from_pickle(const unsigned char *buf, size_t len, const char *source,
                                      ws_err *e)
{
    ws_pk_arena arena = {0};
    ws_pk *root = ws_pk_load(buf, len, &arena, e);
    char_tok *c = root ? char_of_meta(root, e) : NULL;
    ws_pk_arena_free(&arena);
    return c ? ws_tok_wrap(&ws_tok_char_ops, c, source, e) : NULL;
}
