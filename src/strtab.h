/* A hash table from byte strings to two integers (an id and a count, or
 * an offset and a length), for the tokenizers' vocabularies and caches.
 *
 * Open addressing with linear probing; the capacity is a power of two kept
 * at most half full. Keys are copied into blocks owned by the table, NUL
 * terminated, and never move: a key pointer stays valid until the table
 * is cleared or freed. No deletion of single keys. */
#ifndef WS_STRTAB_H
#define WS_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct ws_strtab_slot {
    const char *key;    /* NULL: empty slot */
    size_t len;
    int64_t v, w;       /* the values; a new key starts with v = -1, w = 0 */
} ws_strtab_slot;

typedef struct ws_strtab_block ws_strtab_block;

typedef struct ws_strtab {
    ws_strtab_slot *s;
    size_t cap, used;
    ws_strtab_block *blocks;   /* key storage */
    size_t key_bytes;          /* bytes of key storage in use */
} ws_strtab;

/* Room for about `n` keys before growing. -1 on no memory. */
int ws_strtab_init(ws_strtab *t, size_t n);
void ws_strtab_free(ws_strtab *t);
/* Forget every key (keeps the slot array). */
void ws_strtab_clear(ws_strtab *t);

uint64_t ws_strtab_hash(const char *p, size_t n);
/* The slot of a key, or NULL when absent. */
ws_strtab_slot *ws_strtab_find(const ws_strtab *t, const char *key, size_t n);
/* The slot of a key, inserted when new (v = -1, w = 0); NULL on no memory. */
ws_strtab_slot *ws_strtab_get(ws_strtab *t, const char *key, size_t n);

#endif
