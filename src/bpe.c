/* GPT-2 byte-level BPE: vocabulary, merges by rank, encoding with a cache
 * (see bpe.h; the pre-tokenisation is in bpe_split.c). */
#include "bpe.h"

#include <stdlib.h>
#include <string.h>

#include "strtab.h"
#include "tok_kind.h"

enum {
    CACHE_PIECE = 64,                 /* longest piece kept in the cache (bytes) */
    CACHE_IDS = 1 << 22,              /* ids held by the cache before it starts over */
};

/* A merge: the pair (left, right) of token ids, packed as left << 32 | right. */
typedef struct merge {
    uint64_t key;                     /* EMPTY when the slot is free */
    int32_t rank, id;                 /* its place in the list, the merged token */
} merge;
#define EMPTY UINT64_MAX

typedef struct tokinfo {
    int64_t id;
    size_t off, len;                  /* its bytes in `bytes` */
} tokinfo;

struct ws_bpe {
    ws_strtab vocab;                  /* files' form → id (v) */
    tokinfo *toks;                    /* in the order added */
    size_t n_toks, cap_toks;
    char *bytes;                      /* every token's bytes, each NUL-terminated */
    size_t n_bytes, cap_bytes;
    merge *merges;                    /* open addressing, power-of-two capacity */
    size_t cap_merges, n_merges;
    int16_t char_byte[256 + 68];      /* character of the files' form → byte, -1 */
};

/* The finished tokenizer. */
typedef struct bpe_tok {
    int n;
    char *bytes;
    size_t *off, *len;                /* id → its bytes */
    int32_t byte_id[256];             /* the token of each single byte */
    merge *merges;
    size_t cap_merges;
    /* encoding scratch (one thread at a time) */
    ws_strtab cache;                  /* piece → ids at cache_ids.v[v], w of them */
    ws_ids cache_ids;
    int32_t *sym, *next, *prev;       /* the piece's tokens as a linked list */
    uint64_t *heap;                   /* candidate merges: rank << 32 | position */
    size_t cap_scratch, cap_heap;
} bpe_tok;

/* ---- GPT-2's byte-to-unicode map ---- */

static uint32_t byte_char(unsigned b)
{
    /* Printable Latin-1 stands for itself; the other 68 bytes, in order,
     * become U+0100, U+0101, ... */
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
        return b;
    unsigned n = 0;
    for (unsigned x = 0; x < b; x++)
        n += !((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF));
    return 256 + n;
}

/* ---- building ---- */

ws_bpe *ws_bpe_new(ws_err *e)
{
    ws_bpe *b = calloc(1, sizeof *b);
    if (!b || ws_strtab_init(&b->vocab, 1 << 16)) {
        free(b);
        ws_fail(e, "out of memory");
        return NULL;
    }
    for (unsigned i = 0; i < sizeof b->char_byte / sizeof *b->char_byte; i++)
        b->char_byte[i] = -1;
    for (unsigned c = 0; c < 256; c++)
        b->char_byte[byte_char(c)] = (int16_t)c;
    return b;
}

void ws_bpe_free(ws_bpe *b)
{
    if (!b)
        return;
    ws_strtab_free(&b->vocab);
    free(b->toks);
    free(b->bytes);
    free(b->merges);
    free(b);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* The bytes a token in the files' form stands for, appended to b->bytes. */
static int add_bytes(ws_bpe *b, const char *s, size_t n, size_t *off, size_t *len)
{
    if (grow((void **)&b->bytes, &b->cap_bytes, b->n_bytes + n + 1, 1))
        return -1;
    char *out = b->bytes + b->n_bytes;
    size_t k = 0, step;
    int byte_level = 1;
    for (size_t i = 0; i < n && byte_level; i += step) {
        uint32_t cp;
        step = ws_utf8_char((const unsigned char *)s + i, n - i, &cp);
        int v = step && cp < sizeof b->char_byte / sizeof *b->char_byte ? b->char_byte[cp] : -1;
        byte_level = v >= 0;
        out[k++] = (char)v;
    }
    if (!byte_level) {   /* an added token: its text is its bytes */
        memcpy(out, s, n);
        k = n;
    }
    out[k] = 0;
    *off = b->n_bytes;
    *len = k;
    b->n_bytes += k + 1;
    return 0;
}

int ws_bpe_add_token(ws_bpe *b, const char *s, size_t n, int64_t id, ws_err *e)
{
    if (id < 0 || id >= INT32_MAX)
        return ws_fail(e, "token \"%.40s\" has id %lld", s, (long long)id);
    ws_strtab_slot *sl = ws_strtab_get(&b->vocab, s, n);
    if (!sl || grow((void **)&b->toks, &b->cap_toks, b->n_toks + 1, sizeof *b->toks))
        return ws_fail(e, "out of memory");
    if (sl->v >= 0)
        return ws_fail(e, "token \"%.40s\" appears twice", s);
    sl->v = id;
    tokinfo *t = &b->toks[b->n_toks];
    if (add_bytes(b, s, n, &t->off, &t->len))
        return ws_fail(e, "out of memory");
    t->id = id;
    b->n_toks++;
    return 0;
}

static size_t merge_slot(const merge *m, size_t cap, uint64_t key)
{
    size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
    while (m[i].key != EMPTY && m[i].key != key)
        i = (i + 1) & (cap - 1);
    return i;
}

static int merges_grow(ws_bpe *b)
{
    size_t cap = b->cap_merges ? b->cap_merges * 2 : 1 << 16;
    merge *m = malloc(cap * sizeof *m);
    if (!m)
        return -1;
    for (size_t i = 0; i < cap; i++)
        m[i].key = EMPTY;
    for (size_t i = 0; i < b->cap_merges; i++)
        if (b->merges[i].key != EMPTY)
            m[merge_slot(m, cap, b->merges[i].key)] = b->merges[i];
    free(b->merges);
    b->merges = m;
    b->cap_merges = cap;
    return 0;
}

static int64_t vocab_id(const ws_bpe *b, const char *s, size_t n)
{
    const ws_strtab_slot *sl = ws_strtab_find(&b->vocab, s, n);
    return sl ? sl->v : -1;
}

int ws_bpe_add_merge(ws_bpe *b, const char *a, size_t na, const char *c, size_t nc, ws_err *e)
{
    int64_t l = vocab_id(b, a, na), r = vocab_id(b, c, nc);
    if (l < 0 || r < 0)
        return ws_fail(e, "merge %zu: \"%.*s\" is not in the vocabulary", b->n_merges + 1,
                       (int)(l < 0 ? na : nc) > 40 ? 40 : (int)(l < 0 ? na : nc), l < 0 ? a : c);
    char buf[512];
    if (na + nc > sizeof buf)
        return ws_fail(e, "merge %zu: tokens longer than %zu bytes", b->n_merges + 1, sizeof buf);
    memcpy(buf, a, na);
    memcpy(buf + na, c, nc);
    int64_t id = vocab_id(b, buf, na + nc);
    if (id < 0)
        return ws_fail(e, "merge %zu: \"%.*s%.*s\" is not in the vocabulary", b->n_merges + 1,
                       na > 40 ? 40 : (int)na, a, nc > 40 ? 40 : (int)nc, c);
    if ((b->n_merges + 1) * 2 > b->cap_merges && merges_grow(b))
        return ws_fail(e, "out of memory");
    uint64_t key = (uint64_t)l << 32 | (uint64_t)r;
    merge *m = &b->merges[merge_slot(b->merges, b->cap_merges, key)];
    if (m->key == key)   /* a repeated pair: the first one ranks (as in every reader) */
        return 0;
    *m = (merge){key, (int32_t)b->n_merges++, (int32_t)id};
    return 0;
}

static void bpe_free(void *p)
{
    bpe_tok *t = p;
    if (!t)
        return;
    free(t->bytes);
    free(t->off);
    free(t->len);
    free(t->merges);
    ws_strtab_free(&t->cache);
    free(t->cache_ids.v);
    free(t->sym);
    free(t->next);
    free(t->prev);
    free(t->heap);
    free(t);
}

/* The ids 0..n-1 each once; every byte a token. */
static int bpe_index(bpe_tok *t, ws_bpe *b, ws_err *e)
{
    size_t n = b->n_toks;
    if (n == 0)
        return ws_fail(e, "empty vocabulary");
    t->off = malloc(n * sizeof *t->off);
    t->len = malloc(n * sizeof *t->len);
    if (!t->off || !t->len)
        return ws_fail(e, "out of memory");
    memset(t->len, 0xFF, n * sizeof *t->len);
    for (size_t i = 0; i < n; i++) {
        const tokinfo *k = &b->toks[i];
        if (k->id >= (int64_t)n)
            return ws_fail(e, "token id %lld is past the %zu tokens: ids must run 0..%zu",
                           (long long)k->id, n, n - 1);
        t->off[k->id] = k->off;
        t->len[k->id] = k->len;
    }
    for (size_t i = 0; i < n; i++)
        if (t->len[i] == (size_t)-1)
            return ws_fail(e, "no token has id %zu: ids must run 0..%zu", i, n - 1);
    t->n = (int)n;
    for (unsigned c = 0; c < 256; c++) {
        char s[4];
        size_t k = ws_utf8_put(byte_char(c), s);
        int64_t id = vocab_id(b, s, k);
        if (id < 0)
            return ws_fail(e, "byte 0x%02X has no token: not a byte-level vocabulary", c);
        t->byte_id[c] = (int32_t)id;
    }
    return 0;
}

ws_tokenizer *ws_bpe_finish(ws_bpe *b, const char *source, ws_err *e)
{
    bpe_tok *t = calloc(1, sizeof *t);
    if (!t || ws_strtab_init(&t->cache, 1 << 14)) {
        free(t);
        ws_bpe_free(b);
        ws_fail(e, "out of memory");
        return NULL;
    }
    int rc = bpe_index(t, b, e);
    if (!rc && !b->merges && merges_grow(b))   /* no merges: an empty table */
        rc = ws_fail(e, "out of memory");
    if (!rc) {
        t->bytes = b->bytes;
        t->merges = b->merges;
        t->cap_merges = b->cap_merges;
        b->bytes = NULL;
        b->merges = NULL;
    }
    ws_bpe_free(b);
    if (rc) {
        bpe_free(t);
        return NULL;
    }
    return ws_tok_wrap(&ws_tok_bpe_ops, t, source, e);
}

/* ---- encoding ---- */

static const merge *find_merge(const bpe_tok *t, int32_t l, int32_t r)
{
    uint64_t key = (uint64_t)(uint32_t)l << 32 | (uint32_t)r;
    const merge *m = &t->merges[merge_slot(t->merges, t->cap_merges, key)];
    return m->key == key ? m : NULL;
}

static void heap_push(uint64_t *h, size_t *n, uint64_t v)
{
    size_t i = (*n)++;
    while (i > 0 && h[(i - 1) / 2] > v) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static uint64_t heap_pop(uint64_t *h, size_t *n)
{
    uint64_t top = h[0], v = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && h[c + 1] < h[c])
            c++;
        if (h[c] >= v)
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = v;
    return top;
}

/* Candidate merge of position i with its successor, if the pair is one. */
static void consider(bpe_tok *t, size_t *nh, int32_t i)
{
    int32_t j = i >= 0 ? t->next[i] : -1;
    const merge *m = j >= 0 ? find_merge(t, t->sym[i], t->sym[j]) : NULL;
    if (m)
        heap_push(t->heap, nh, (uint64_t)m->rank << 32 | (uint32_t)i);
}

static int scratch(bpe_tok *t, size_t n)
{
    if (n <= t->cap_scratch)
        return 0;
    size_t c = n < 256 ? 256 : n;
    int32_t *s = realloc(t->sym, c * sizeof *s), *nx = s ? realloc(t->next, c * sizeof *nx) : NULL;
    if (s)
        t->sym = s;
    if (nx)
        t->next = nx;
    int32_t *pv = nx ? realloc(t->prev, c * sizeof *pv) : NULL;
    if (pv)
        t->prev = pv;
    uint64_t *h = pv ? realloc(t->heap, 3 * c * sizeof *h) : NULL;   /* n - 1 + 2 per merge */
    if (!h)
        return -1;
    t->heap = h;
    t->cap_scratch = c;
    return 0;
}

/* Merge the bytes of one piece; append its ids to `out`. Lowest rank
 * first, leftmost first among equal ranks (the heap orders rank, then
 * position), which is what applying each merge to all its occurrences
 * left to right, in rank order, gives. */
static int merge_piece(bpe_tok *t, const unsigned char *p, size_t n, ws_ids *out)
{
    if (scratch(t, n) || ws_ids_reserve(out, n))
        return -1;
    size_t nh = 0;
    for (size_t i = 0; i < n; i++) {
        t->sym[i] = t->byte_id[p[i]];
        t->next[i] = i + 1 < n ? (int32_t)(i + 1) : -1;
        t->prev[i] = (int32_t)i - 1;
    }
    for (size_t i = 0; i + 1 < n; i++)
        consider(t, &nh, (int32_t)i);
    while (nh) {
        uint64_t top = heap_pop(t->heap, &nh);
        int32_t i = (int32_t)(uint32_t)top, j = t->sym[i] >= 0 ? t->next[i] : -1;
        const merge *m = j >= 0 ? find_merge(t, t->sym[i], t->sym[j]) : NULL;
        if (!m || (uint64_t)m->rank != top >> 32)
            continue;   /* stale: one side was merged since */
        t->sym[i] = m->id;
        t->sym[j] = -1;
        t->next[i] = t->next[j];
        if (t->next[j] >= 0)
            t->prev[t->next[j]] = i;
        consider(t, &nh, t->prev[i]);
        consider(t, &nh, i);
    }
    for (int32_t i = 0; i >= 0; i = t->next[i])
        out->v[out->n++] = t->sym[i];
    return 0;
}

/* One piece through the cache. */
static int encode_piece(bpe_tok *t, const unsigned char *p, size_t n, ws_ids *out)
{
    if (n == 1)
        return ws_ids_push(out, t->byte_id[p[0]]);
    if (n > CACHE_PIECE)
        return merge_piece(t, p, n, out);
    const ws_strtab_slot *hit = ws_strtab_find(&t->cache, (const char *)p, n);
    if (hit) {
        if (ws_ids_reserve(out, (size_t)hit->w))
            return -1;
        memcpy(out->v + out->n, t->cache_ids.v + hit->v, (size_t)hit->w * sizeof *out->v);
        out->n += (size_t)hit->w;
        return 0;
    }
    size_t start = out->n;
    if (merge_piece(t, p, n, out))
        return -1;
    size_t k = out->n - start;
    if (t->cache_ids.n + k > CACHE_IDS) {   /* full: start over */
        ws_strtab_clear(&t->cache);
        t->cache_ids.n = 0;
    }
    ws_strtab_slot *sl = ws_strtab_get(&t->cache, (const char *)p, n);
    if (!sl || ws_ids_reserve(&t->cache_ids, k))
        return -1;
    sl->v = (int64_t)t->cache_ids.n;
    sl->w = (int64_t)k;
    memcpy(t->cache_ids.v + t->cache_ids.n, out->v + start, k * sizeof *out->v);
    t->cache_ids.n += k;
    return 0;
}

static int bpe_encode(void *p, const char *text, size_t len, ws_ids *out, size_t *n_unk, ws_err *e)
{
    (void)n_unk;   /* every byte has a token */
    bpe_tok *t = p;
    const unsigned char *s = (const unsigned char *)text;
    /* about one token per four bytes of English */
    if (ws_ids_reserve(out, len / 4 + 16))
        return ws_fail(e, "out of memory");
    for (size_t i = 0; i < len;) {
        size_t j = ws_bpe_piece_end(s, i, len);
        if (encode_piece(t, s + i, j - i, out))
            return ws_fail(e, "out of memory");
        i = j;
    }
    return 0;
}

static int bpe_size(const void *p) { return ((const bpe_tok *)p)->n; }

static const char *bpe_token(const void *p, int id, size_t *len)
{
    const bpe_tok *t = p;
    if (id < 0 || id >= t->n)
        return NULL;
    if (len)
        *len = t->len[id];
    return t->bytes + t->off[id];
}

const ws_tok_ops ws_tok_bpe_ops = {
    "gpt2-bpe", "none (every byte has a token)", bpe_size, bpe_token, bpe_encode, NULL, bpe_free,
};
