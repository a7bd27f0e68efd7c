/* A restricted pickle reader: it RUNS NO CODE.
 *
 * It interprets the opcodes that torch.save and nanoGPT checkpoints use
 * (protocols 2-5) and builds plain values: None, bool, int, float, str,
 * bytes, tuple, list, dict, plus typed nodes for storages and tensors. A
 * GLOBAL is only a name looked up in a fixed allow-list (see pk_globals in
 * pickle.c and the man page); anything else stops the load with
 * "refusing to load: pickle references MODULE.NAME". REDUCE of an allowed
 * callable builds the node that call would have made, without calling it.
 * Stack, memo, object count and nesting are bounded; nothing here recurses,
 * so deep or cyclic structures cannot exhaust the C stack. */
#ifndef WS_PICKLE_H
#define WS_PICKLE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tensor.h"

#define WS_PK_MAX_STACK 1000000
#define WS_PK_MAX_MARKS 10000
#define WS_PK_MAX_MEMO 10000000
#define WS_PK_MAX_OBJECTS 20000000
/* The objects of one unpickling (nodes, strings, containers' arrays) take
 * at most WS_PK_BYTES_BASE + WS_PK_BYTES_PER_BYTE times the pickle's size;
 * more is refused as a memory bomb. */
#define WS_PK_BYTES_BASE ((size_t)64 << 20)
#define WS_PK_BYTES_PER_BYTE 128

typedef enum ws_pk_kind {
    WS_PK_NONE, WS_PK_BOOL, WS_PK_INT, WS_PK_FLOAT, WS_PK_STR, WS_PK_BYTES,
    WS_PK_TUPLE, WS_PK_LIST, WS_PK_DICT,
    WS_PK_GLOBAL,   /* an allow-listed name, not yet applied */
    WS_PK_STORAGE,  /* persistent id ('storage', type, key, location, numel) */
    WS_PK_TENSOR,   /* _rebuild_tensor_v2(storage, offset, size, stride, ...) */
    WS_PK_OPAQUE,   /* an allowed object we do not look inside (torch.device, numpy.dtype ...) */
} ws_pk_kind;

typedef struct ws_pk ws_pk;
struct ws_pk {
    ws_pk_kind kind;
    int64_t i;          /* INT, BOOL; STORAGE: numel; TENSOR: storage offset (elements) */
    double f;           /* FLOAT */
    char *s;            /* STR/BYTES (NUL-terminated copy), GLOBAL "module.name",
                           STORAGE key, OPAQUE: what it is */
    size_t len;         /* length of s */
    ws_pk **items;      /* TUPLE/LIST items; DICT keys and values interleaved */
    size_t n, cap;      /* n counts items (a dict holds n/2 pairs) */
    ws_dtype dtype;     /* STORAGE, TENSOR */
    ws_pk *storage;     /* TENSOR: its storage; STORAGE: first tensor seen on it
                           (the loader's alias check) */
    int ndim;           /* TENSOR */
    int64_t shape[WS_MAX_DIM], stride[WS_MAX_DIM];
};

/* All objects of one unpickling; freed together. */
typedef struct ws_pk_arena {
    ws_pk **objs;
    size_t n, cap;
    size_t bytes;   /* charged against the limit above */
} ws_pk_arena;

/* Unpickle `len` bytes. The result lives in `arena` (free with
 * ws_pk_arena_free, also after an error). */
ws_pk *ws_pk_load(const unsigned char *data, size_t len, ws_pk_arena *arena, ws_err *e);
void ws_pk_arena_free(ws_pk_arena *arena);

/* Dict lookup by string key; NULL when `d` is not a dict or lacks the key. */
ws_pk *ws_pk_dict_get(const ws_pk *d, const char *key);

#endif
