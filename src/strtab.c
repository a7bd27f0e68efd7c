/* Byte-string hash table with keys in owned blocks (see strtab.h). */
#include "strtab.h"

#include <stdlib.h>
#include <string.h>

enum { BLOCK_BYTES = 1 << 16 };

struct ws_strtab_block {
    ws_strtab_block *next;
    size_t size, used;
    char bytes[];
};

uint64_t ws_strtab_hash(const char *p, size_t n)
{
    /* Eight bytes at a time, multiply-xorshift mixing: keys are short
     * (words, BPE pieces) and hashed once per pre-token while encoding. */
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h = 0x243f6a8885a308d3ULL ^ (n * k);
    while (n >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        h = (h ^ x) * k;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t x = 0;
    memcpy(&x, p, n);
    h = (h ^ x) * k;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
}

static int slots_alloc(ws_strtab *t, size_t cap)
{
    t->s = calloc(cap, sizeof *t->s);
    t->cap = cap;
    t->used = 0;
    return t->s ? 0 : -1;
}

int ws_strtab_init(ws_strtab *t, size_t n)
{
    memset(t, 0, sizeof *t);
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    return slots_alloc(t, cap);
}

static void free_blocks(ws_strtab *t)
{
    while (t->blocks) {
        ws_strtab_block *b = t->blocks;
        t->blocks = b->next;
        free(b);
    }
    t->key_bytes = 0;
}

void ws_strtab_free(ws_strtab *t)
{
    free(t->s);
    free_blocks(t);
    memset(t, 0, sizeof *t);
}

void ws_strtab_clear(ws_strtab *t)
{
    memset(t->s, 0, t->cap * sizeof *t->s);
    t->used = 0;
    free_blocks(t);
}

/* The slot holding `key`, or the empty slot where it would go. */
static ws_strtab_slot *probe(const ws_strtab *t, const char *key, size_t n)
{
    size_t i = ws_strtab_hash(key, n) & (t->cap - 1);
    while (t->s[i].key) {
        if (t->s[i].len == n && !memcmp(t->s[i].key, key, n))
            return &t->s[i];
        i = (i + 1) & (t->cap - 1);
    }
    return &t->s[i];
}

ws_strtab_slot *ws_strtab_find(const ws_strtab *t, const char *key, size_t n)
{
    ws_strtab_slot *s = probe(t, key, n);
    return s->key ? s : NULL;
}

static int grow(ws_strtab *t)
{
    ws_strtab bigger = *t;
    if (slots_alloc(&bigger, t->cap * 2))
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->s[i].key)
            *probe(&bigger, t->s[i].key, t->s[i].len) = t->s[i];
    bigger.used = t->used;
    free(t->s);
    *t = bigger;
    return 0;
}

/* A NUL-terminated copy of the key in the blocks. */
static const char *store_key(ws_strtab *t, const char *key, size_t n)
{
    ws_strtab_block *b = t->blocks;
    if (!b || b->size - b->used < n + 1) {
        size_t size = n + 1 > BLOCK_BYTES ? n + 1 : BLOCK_BYTES;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->next = t->blocks;
        b->size = size;
        b->used = 0;
        t->blocks = b;
    }
    char *k = b->bytes + b->used;
    memcpy(k, key, n);
    k[n] = 0;
    b->used += n + 1;
    t->key_bytes += n + 1;
    return k;
}

ws_strtab_slot *ws_strtab_get(ws_strtab *t, const char *key, size_t n)
{
    ws_strtab_slot *s = probe(t, key, n);
    if (s->key)
        return s;
    if ((t->used + 1) * 2 > t->cap) {
        if (grow(t))
            return NULL;
        s = probe(t, key, n);
    }
    const char *k = store_key(t, key, n);
    if (!k)
        return NULL;
    *s = (ws_strtab_slot){k, n, -1, 0};
    t->used++;
    return s;
}
