/* Tokenizers: the kind-independent part (dispatch, decoding by
 * concatenation, token strings for display, UTF-8 helpers). */
#include "tokenizer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#include "tok_kind.h"

struct ws_tokenizer {
    const ws_tok_ops *ops;
    void *impl;
    char *source;
    pthread_mutex_t encoding;   /* the kind's encoding scratch */
};

int ws_ids_reserve(ws_ids *a, size_t extra)
{
    if (a->cap - a->n >= extra)
        return 0;
    size_t cap = a->cap ? a->cap : 1024;
    while (cap - a->n < extra)
        cap *= 2;
    int32_t *v = realloc(a->v, cap * sizeof *v);
    if (!v)
        return -1;
    a->v = v;
    a->cap = cap;
    return 0;
}

ws_tokenizer *ws_tok_wrap(const ws_tok_ops *ops, void *impl, const char *source, ws_err *e)
{
    ws_tokenizer *t = calloc(1, sizeof *t);
    if (t)
        t->source = strdup(source ? source : "");
    if (!t || !t->source) {
        free(t);
        ops->free(impl);
        ws_fail(e, "out of memory");
        return NULL;
    }
    t->ops = ops;
    t->impl = impl;
    pthread_mutex_init(&t->encoding, NULL);
    return t;
}

void *ws_tok_impl(const ws_tokenizer *t, const ws_tok_ops *ops)
{
    return t && t->ops == ops ? t->impl : NULL;
}

void ws_tok_free(ws_tokenizer *t)
{
    if (!t)
        return;
    t->ops->free(t->impl);
    pthread_mutex_destroy(&t->encoding);
    free(t->source);
    free(t);
}

int ws_tok_size(const ws_tokenizer *t) { return t->ops->size(t->impl); }
const char *ws_tok_kind(const ws_tokenizer *t) { return t->ops->name; }
const char *ws_tok_source(const ws_tokenizer *t) { return t->source; }
const char *ws_tok_unknown_note(const ws_tokenizer *t) { return t->ops->unknown; }

const char *ws_tok_token(const ws_tokenizer *t, int id, size_t *len)
{
    return t->ops->token(t->impl, id, len);
}

int ws_tok_encode(const ws_tokenizer *t, const char *text, size_t len,
                  int32_t **ids, size_t *n, size_t *n_unk, ws_err *e)
{
    ws_ids out = {NULL, 0, 0};
    size_t unk = 0;
    /* Encoding fills the kind's scratch: one thread at a time. */
    ws_tokenizer *w = (ws_tokenizer *)t;
    pthread_mutex_lock(&w->encoding);
    int rc = t->ops->encode(t->impl, text, len, &out, &unk, e);
    pthread_mutex_unlock(&w->encoding);
    if (rc) {
        free(out.v);
        out = (ws_ids){NULL, 0, 0};
    }
    *ids = out.v;
    *n = out.n;
    if (n_unk)
        *n_unk = unk;
    return rc;
}

char *ws_tok_decode(const ws_tokenizer *t, const int32_t *ids, size_t n, size_t *len, ws_err *e)
{
    int size = ws_tok_size(t);
    size_t total = 1, k;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= size) {
            ws_fail(e, "token id %d is outside the vocabulary (%d tokens)", (int)ids[i], size);
            return NULL;
        }
        if (!t->ops->decode) {
            t->ops->token(t->impl, ids[i], &k);
            total += k;
        }
    }
    if (t->ops->decode)
        return t->ops->decode(t->impl, ids, n, len, e);
    char *out = malloc(total), *p = out;
    if (!out) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = t->ops->token(t->impl, ids[i], &k);
        memcpy(p, s, k);
        p += k;
    }
    *p = 0;
    if (len)
        *len = (size_t)(p - out);
    return out;
}

/* ---- UTF-8 ---- */

size_t ws_utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
    static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t k = (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 0;
    if (k == 0 || k >= n)
        return 0;
    uint32_t v = c & (0x3Fu >> k);
    for (size_t j = 1; j <= k; j++) {
        if ((p[j] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[j] & 0x3F);
    }
    if (v < min_cp[k] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return k + 1;
}

size_t ws_utf8_put(uint32_t cp, char *b)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- token strings for display ---- */

/* Characters a terminal would not show as themselves: invisible format
 * characters (including the bidirectional controls), line and paragraph
 * separators, and spaces other than U+0020 (ICU's general categories). */
static int hidden_char(uint32_t cp)
{
    int c = u_charType((UChar32)cp);
    return c == U_CONTROL_CHAR || c == U_FORMAT_CHAR || c == U_LINE_SEPARATOR ||
           c == U_PARAGRAPH_SEPARATOR || (c == U_SPACE_SEPARATOR && cp != ' ');
}

typedef struct out {
    char *p;
    size_t left;     /* room before the NUL */
} out;

/* Whole pieces only, so a cut never splits a character or an escape. */
static void put(out *o, const char *s, size_t n)
{
    if (n > o->left) {
        o->left = 0;
        return;
    }
    memcpy(o->p, s, n);
    o->p += n;
    o->left -= n;
}

static void put_escape(out *o, const char *fmt, unsigned v)
{
    char b[16];
    int k = snprintf(b, sizeof b, fmt, v);
    put(o, b, (size_t)k);
}

char *ws_tok_show_token(const ws_tokenizer *t, int id, ws_tok_show how, char *buf, size_t n)
{
    size_t len;
    const unsigned char *s = (const unsigned char *)ws_tok_token(t, id, &len);
    if (n == 0)
        return buf;
    out o = {buf, n - 1};
    if (!s) {
        snprintf(buf, n, "(id %d: no token)", id);
        return buf;
    }
    int ascii = how == WS_TOK_SHOW_ASCII;
    if (ascii)
        put(&o, "\"", 1);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = ws_utf8_char(s + i, len - i, &cp);
        const char *esc = !k ? NULL : cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : cp == '\r' ? "\\r"
                        : cp == '\\' ? "\\\\" : cp == '"' && ascii ? "\\\"" : NULL;
        if (esc)
            put(&o, esc, 2);
        else if (!k || cp < 0x20 || cp == 0x7F)
            put_escape(&o, "\\x%02X", s[i]);
        else if (cp == ' ')
            put(&o, ascii ? " " : "\xE2\x90\xA3", ascii ? 1 : 3);   /* ␣ */
        else if (cp >= 0x80 && (ascii || hidden_char(cp)))
            put_escape(&o, "\\u{%04X}", cp);
        else
            put(&o, (const char *)s + i, k);
        i += k ? k : 1;
    }
    if (ascii)
        put(&o, "\"", 1);
    *o.p = 0;
    return buf;
}

int ws_tok_row_label(const ws_tokenizer *t, const ws_tensor *x, int64_t row, ws_tok_show how,
                     char *buf, size_t n)
{
    if (!t || !x || x->ndim != 2 || x->is_bias ||
        (x->role != WS_ROLE_EMBED && x->role != WS_ROLE_HEAD) || row < 0 || row >= x->rows)
        return 0;
    if (row >= ws_tok_size(t))
        snprintf(buf, n, "(padding)");
    else
        ws_tok_show_token(t, (int)row, how, buf, n);
    return 1;
}
