#include "pickle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an allow-listed global becomes when called (REDUCE/NEWOBJ). */
typedef enum gkind {
    G_ORDERED_DICT, G_REBUILD_TENSOR, G_REBUILD_PARAMETER, G_STORAGE, G_SIZE, G_SET,
    G_CODECS_ENCODE, G_NP_DTYPE, G_NP_SCALAR, G_OPAQUE, G_VALUE,
} gkind;

typedef struct pk_global {
    const char *name;
    gkind kind;
    ws_dtype dtype;   /* G_STORAGE */
} pk_global;

/* The allow-list. Nothing here is ever imported or called: each entry only
 * says which plain value the call would have produced. Keep the man page's
 * FILE FORMATS list in step. */
static const pk_global pk_globals[] = {
    {"collections.OrderedDict", G_ORDERED_DICT, 0},
    {"torch._utils._rebuild_tensor", G_REBUILD_TENSOR, 0},
    {"torch._utils._rebuild_tensor_v2", G_REBUILD_TENSOR, 0},
    {"torch._utils._rebuild_parameter", G_REBUILD_PARAMETER, 0},
    {"torch._utils._rebuild_parameter_with_state", G_REBUILD_PARAMETER, 0},
    {"torch.FloatStorage", G_STORAGE, WS_DT_F32},
    {"torch.HalfStorage", G_STORAGE, WS_DT_F16},
    {"torch.BFloat16Storage", G_STORAGE, WS_DT_BF16},
    {"torch.DoubleStorage", G_STORAGE, WS_DT_F64},
    {"torch.LongStorage", G_STORAGE, WS_DT_I64},
    {"torch.IntStorage", G_STORAGE, WS_DT_I32},
    {"torch.ShortStorage", G_STORAGE, WS_DT_I16},
    {"torch.CharStorage", G_STORAGE, WS_DT_I8},
    {"torch.ByteStorage", G_STORAGE, WS_DT_U8},
    {"torch.BoolStorage", G_STORAGE, WS_DT_BOOL},
    {"torch.Size", G_SIZE, 0},
    {"builtins.set", G_SET, 0}, {"builtins.frozenset", G_SET, 0},
    {"__builtin__.set", G_SET, 0}, {"__builtin__.frozenset", G_SET, 0},
    {"_codecs.encode", G_CODECS_ENCODE, 0},
    {"numpy.dtype", G_NP_DTYPE, 0},
    {"numpy.core.multiarray.scalar", G_NP_SCALAR, 0},
    {"numpy._core.multiarray.scalar", G_NP_SCALAR, 0},
    {"numpy.core.multiarray._reconstruct", G_OPAQUE, 0},
    {"numpy._core.multiarray._reconstruct", G_OPAQUE, 0},
    {"numpy.ndarray", G_OPAQUE, 0},
    {"torch.device", G_OPAQUE, 0},
    {"argparse.Namespace", G_OPAQUE, 0},
    {"torch.float32", G_VALUE, 0}, {"torch.float16", G_VALUE, 0},
    {"torch.bfloat16", G_VALUE, 0}, {"torch.float64", G_VALUE, 0},
    {"torch.int64", G_VALUE, 0}, {"torch.int32", G_VALUE, 0},
    {"torch.uint8", G_VALUE, 0}, {"torch.bool", G_VALUE, 0},
};

static const pk_global *find_global(const char *name)
{
    for (size_t i = 0; i < sizeof pk_globals / sizeof *pk_globals; i++)
        if (!strcmp(pk_globals[i].name, name))
            return &pk_globals[i];
    return NULL;
}

typedef struct vm {
    const unsigned char *start, *p, *end;
    ws_pk_arena *A;
    ws_pk **stack;
    size_t sp, scap;
    size_t *marks;
    size_t nmarks, mcap;
    ws_pk **memo;
    size_t memo_cap, memo_count;
    ws_pk **storages;   /* hash table of persistent storages, one node per key */
    size_t n_storages, storage_cap;
    size_t max_bytes;   /* of objects: WS_PK_BYTES_BASE + WS_PK_BYTES_PER_BYTE × len */
    ws_err *e;
} vm;

/* `arr` with room for `need` elements (capacity doubles); NULL when out of
 * memory, with `arr` still valid. */
static void *grow(void *arr, size_t *cap, size_t need, size_t elsize)
{
    if (need <= *cap)
        return arr;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(arr, n * elsize);
    if (p)
        *cap = n;
    return p;
}

/* Count `n` more bytes of objects against the limit (pickle.h): the memory
 * an unpickling may take is bounded by the pickle's size whatever it
 * repeats (a string handed to _codecs.encode 10,000 times, millions of
 * small objects). */
static int charge(vm *v, size_t n)
{
    ws_pk_arena *A = v->A;
    if (n > v->max_bytes - A->bytes)
        return ws_fail(v->e, "pickle: its objects need more than %zu MiB (64 MiB + %d times its "
                       "%zu bytes; at byte %zu): refusing", v->max_bytes >> 20, WS_PK_BYTES_PER_BYTE,
                       (size_t)(v->end - v->start), (size_t)(v->p - v->start));
    A->bytes += n;
    return 0;
}

static ws_pk *new_obj(vm *v, ws_pk_kind k)
{
    ws_pk_arena *A = v->A;
    if (A->n >= WS_PK_MAX_OBJECTS) {
        ws_fail(v->e, "pickle: more than %d objects", WS_PK_MAX_OBJECTS);
        return NULL;
    }
    if (charge(v, sizeof(ws_pk) + sizeof(ws_pk *)) != 0)
        return NULL;
    ws_pk *o = calloc(1, sizeof *o);
    ws_pk **objs = o ? grow(A->objs, &A->cap, A->n + 1, sizeof *objs) : NULL;
    if (!objs) {
        free(o);
        ws_fail(v->e, "out of memory");
        return NULL;
    }
    A->objs = objs;
    A->objs[A->n++] = o;
    o->kind = k;
    return o;
}

static int add_item(vm *v, ws_pk *c, ws_pk *item)
{
    if (c->n == c->cap && charge(v, (c->cap ? c->cap : 16) * sizeof *c->items) != 0)
        return -1;   /* the array is about to double */
    ws_pk **items = grow(c->items, &c->cap, c->n + 1, sizeof *items);
    if (!items)
        return ws_fail(v->e, "out of memory");
    c->items = items;
    c->items[c->n++] = item;
    return 0;
}

static size_t offset(const vm *v) { return (size_t)(v->p - v->start); }

static int push(vm *v, ws_pk *o)
{
    if (!o)
        return -1;
    if (v->sp >= WS_PK_MAX_STACK)
        return ws_fail(v->e, "pickle: stack deeper than %d", WS_PK_MAX_STACK);
    ws_pk **stack = grow(v->stack, &v->scap, v->sp + 1, sizeof *stack);
    if (!stack)
        return ws_fail(v->e, "out of memory");
    v->stack = stack;
    v->stack[v->sp++] = o;
    return 0;
}

static ws_pk *pop(vm *v)
{
    size_t floor = v->nmarks ? v->marks[v->nmarks - 1] : 0;
    if (v->sp <= floor) {
        ws_fail(v->e, "pickle: stack underflow at byte %zu", offset(v));
        return NULL;
    }
    return v->stack[--v->sp];
}

static ws_pk *top(vm *v)
{
    size_t floor = v->nmarks ? v->marks[v->nmarks - 1] : 0;
    if (v->sp <= floor) {
        ws_fail(v->e, "pickle: stack underflow at byte %zu", offset(v));
        return NULL;
    }
    return v->stack[v->sp - 1];
}

/* Pop everything above the last MARK and the mark itself: items are
 * stack[*first .. v->sp) until the next push. */
static int pop_mark(vm *v, size_t *first)
{
    if (!v->nmarks)
        return ws_fail(v->e, "pickle: no MARK at byte %zu", offset(v));
    *first = v->marks[--v->nmarks];
    return 0;
}

static int need(vm *v, size_t n)
{
    if ((size_t)(v->end - v->p) < n)
        return ws_fail(v->e, "pickle: truncated at byte %zu", offset(v));
    return 0;
}

static uint64_t rd_le(const unsigned char *p, int n)
{
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; i--)
        x = x << 8 | p[i];
    return x;
}

static int push_int(vm *v, int64_t x)
{
    ws_pk *o = new_obj(v, WS_PK_INT);
    if (o)
        o->i = x;
    return push(v, o);
}

/* LONG1/LONG4: little-endian two's complement, at most 8 bytes here. */
static int push_long(vm *v, size_t n)
{
    if (n > 8)
        return ws_fail(v->e, "pickle: integer of %zu bytes is too large", n);
    if (need(v, n) != 0)
        return -1;
    uint64_t x = n ? rd_le(v->p, (int)n) : 0;
    if (n && n < 8 && (v->p[n - 1] & 0x80))
        x |= ~(uint64_t)0 << (8 * n);
    v->p += n;
    return push_int(v, (int64_t)x);
}

static int push_string(vm *v, ws_pk_kind k, uint64_t n)
{
    if (need(v, 0) != 0 || n > (uint64_t)(v->end - v->p))
        return ws_fail(v->e, "pickle: string of %llu bytes runs past the end (byte %zu)",
                       (unsigned long long)n, offset(v));
    ws_pk *o = new_obj(v, k);
    if (!o || charge(v, (size_t)n + 1) != 0)
        return -1;
    o->s = malloc((size_t)n + 1);
    if (!o->s)
        return ws_fail(v->e, "out of memory");
    memcpy(o->s, v->p, (size_t)n);
    o->s[n] = '\0';
    o->len = (size_t)n;
    v->p += n;
    return push(v, o);
}

static int push_float_be(vm *v)
{
    if (need(v, 8) != 0)
        return -1;
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | v->p[i];   /* BINFLOAT is big-endian */
    v->p += 8;
    ws_pk *o = new_obj(v, WS_PK_FLOAT);
    if (o)
        memcpy(&o->f, &bits, 8);
    return push(v, o);
}

static size_t module_name_len(const char *full) { return (size_t)(strrchr(full, '.') - full); }

/* torch.save(model) pickles the model's class: a capitalised name outside
 * the modules that attacks use. Only chooses the wording of the refusal. */
static int looks_like_model_class(size_t ml, const char *full)
{
    static const char *system[] = {"os", "posix", "nt", "sys", "subprocess", "builtins", "__builtin__",
                                   "shutil", "socket", "pty", "runpy", "importlib", "ctypes", "pickle",
                                   "code", "webbrowser", "io", "_io", "operator", "functools"};
    for (size_t i = 0; i < sizeof system / sizeof *system; i++)
        if (strlen(system[i]) == ml && !strncmp(full, system[i], ml))
            return 0;
    return full[ml + 1] >= 'A' && full[ml + 1] <= 'Z';
}

static int push_global_named(vm *v, const char *module, size_t ml, const char *name, size_t nl)
{
    char full[256];
    if (ml + nl + 2 > sizeof full)
        return ws_fail(v->e, "refusing to load: pickle references an over-long global name");
    snprintf(full, sizeof full, "%.*s.%.*s", (int)ml, module, (int)nl, name);
    if (!find_global(full)) {
        int module = looks_like_model_class(module_name_len(full), full);
        return ws_fail(v->e, "refusing to load: pickle references %s (not on the allow-list of "
                       "tensor and container types%s)", full,
                       module ? "; save model.state_dict() instead of the model" : "");
    }
    ws_pk *o = new_obj(v, WS_PK_GLOBAL);
    if (!o || !(o->s = strdup(full)))
        return o ? ws_fail(v->e, "out of memory") : -1;
    o->len = strlen(full);
    return push(v, o);
}

/* GLOBAL: "module\nname\n" */
static int op_global(vm *v)
{
    const unsigned char *nl1 = memchr(v->p, '\n', (size_t)(v->end - v->p));
    const unsigned char *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t)(v->end - nl1 - 1)) : NULL;
    if (!nl2)
        return ws_fail(v->e, "pickle: truncated GLOBAL at byte %zu", offset(v));
    const char *mod = (const char *)v->p, *name = (const char *)nl1 + 1;
    size_t ml = (size_t)(nl1 - v->p), nlen = (size_t)(nl2 - nl1 - 1);
    v->p = nl2 + 1;
    return push_global_named(v, mod, ml, name, nlen);
}

static int op_stack_global(vm *v)
{
    ws_pk *name = pop(v), *mod = name ? pop(v) : NULL;
    if (!mod)
        return -1;
    if (mod->kind != WS_PK_STR || name->kind != WS_PK_STR)
        return ws_fail(v->e, "pickle: STACK_GLOBAL needs two strings");
    return push_global_named(v, mod->s, mod->len, name->s, name->len);
}

static int memo_put(vm *v, uint64_t idx)
{
    ws_pk *o = top(v);
    if (!o)
        return -1;
    /* Picklers number memo entries in order; a far jump would only make us
     * allocate a huge table for a few bytes of input. */
    if (idx >= WS_PK_MAX_MEMO || idx > v->memo_count + 1024)
        return ws_fail(v->e, "pickle: memo index %llu is out of range", (unsigned long long)idx);
    size_t old = v->memo_cap;
    ws_pk **memo = grow(v->memo, &v->memo_cap, (size_t)idx + 1, sizeof *memo);
    if (!memo)
        return ws_fail(v->e, "out of memory");
    v->memo = memo;
    if (v->memo_cap > old)
        memset(v->memo + old, 0, (v->memo_cap - old) * sizeof *v->memo);
    if (!v->memo[idx])
        v->memo_count++;
    v->memo[idx] = o;
    return 0;
}

static int memo_get(vm *v, uint64_t idx)
{
    if (idx >= v->memo_cap || !v->memo[idx])
        return ws_fail(v->e, "pickle: memo entry %llu is not set (byte %zu)", (unsigned long long)idx,
                       offset(v));
    return push(v, v->memo[idx]);
}

/* TUPLE from the items above the last mark (or the last n items). */
static int make_tuple(vm *v, size_t first)
{
    ws_pk *t = new_obj(v, WS_PK_TUPLE);
    if (!t)
        return -1;
    for (size_t i = first; i < v->sp; i++)
        if (add_item(v, t, v->stack[i]) != 0)
            return -1;
    v->sp = first;
    return push(v, t);
}

static int tuple_n(vm *v, size_t n)
{
    size_t floor = v->nmarks ? v->marks[v->nmarks - 1] : 0;
    if (v->sp < floor + n)
        return ws_fail(v->e, "pickle: stack underflow at byte %zu", offset(v));
    return make_tuple(v, v->sp - n);
}

/* The container just below stack[first], which must sit above the
 * current mark floor. */
static ws_pk *container_below(vm *v, size_t first)
{
    size_t floor = v->nmarks ? v->marks[v->nmarks - 1] : 0;
    if (first == 0 || first - 1 < floor || first > v->sp) {
        ws_fail(v->e, "pickle: stack underflow at byte %zu", offset(v));
        return NULL;
    }
    return v->stack[first - 1];
}

/* Python semantics would let a later equal key replace an earlier one;
 * keys stay in order here and lookups take the last match. */
static int set_items(vm *v, size_t first)
{
    ws_pk *d = container_below(v, first);
    if (!d)
        return -1;
    if (d->kind != WS_PK_DICT)
        return ws_fail(v->e, "pickle: SETITEM on something that is not a dict (byte %zu)", offset(v));
    if ((v->sp - first) % 2)
        return ws_fail(v->e, "pickle: SETITEMS with an odd number of items");
    for (size_t i = first; i < v->sp; i++)
        if (add_item(v, d, v->stack[i]) != 0)
            return -1;
    v->sp = first;
    return 0;
}

static int append_items(vm *v, size_t first)
{
    ws_pk *l = container_below(v, first);
    if (!l)
        return -1;
    if (l->kind != WS_PK_LIST)
        return ws_fail(v->e, "pickle: APPEND on something that is not a list (byte %zu)", offset(v));
    for (size_t i = first; i < v->sp; i++)
        if (add_item(v, l, v->stack[i]) != 0)
            return -1;
    v->sp = first;
    return 0;
}

static int op_mark_items(vm *v, int (*fn)(vm *, size_t))
{
    size_t first = 0;
    if (pop_mark(v, &first) != 0)
        return -1;
    return fn(v, first);
}

static int op_setitem(vm *v)
{
    if (v->sp < 2)
        return ws_fail(v->e, "pickle: stack underflow at byte %zu", offset(v));
    return set_items(v, v->sp - 2);
}

static int op_append(vm *v)
{
    if (v->sp < 1)
        return ws_fail(v->e, "pickle: stack underflow at byte %zu", offset(v));
    return append_items(v, v->sp - 1);
}

static int is_int(const ws_pk *o) { return o && o->kind == WS_PK_INT; }

/* A tuple of non-negative ints (a torch.Size or stride), at most WS_MAX_DIM. */
static int int_tuple(vm *v, const ws_pk *t, int64_t *out, int *n, const char *what)
{
    if (!t || t->kind != WS_PK_TUPLE)
        return ws_fail(v->e, "pickle: tensor %s is not a tuple", what);
    if (t->n > WS_MAX_DIM)
        return ws_fail(v->e, "pickle: tensor has %zu dimensions (at most %d)", t->n, WS_MAX_DIM);
    for (size_t i = 0; i < t->n; i++) {
        if (!is_int(t->items[i]) || t->items[i]->i < 0)
            return ws_fail(v->e, "pickle: tensor %s holds a non-integer or negative value", what);
        out[i] = t->items[i]->i;
    }
    *n = (int)t->n;
    return 0;
}

/* _rebuild_tensor(_v2)(storage, storage_offset, size, stride, ...) */
static ws_pk *rebuild_tensor(vm *v, const ws_pk *args)
{
    if (args->n < 4 || args->items[0]->kind != WS_PK_STORAGE || !is_int(args->items[1]) ||
        args->items[1]->i < 0) {
        ws_fail(v->e, "pickle: malformed _rebuild_tensor arguments");
        return NULL;
    }
    ws_pk *t = new_obj(v, WS_PK_TENSOR);
    if (!t)
        return NULL;
    int ns = 0, nt = 0;
    if (int_tuple(v, args->items[2], t->shape, &ns, "size") != 0 ||
        int_tuple(v, args->items[3], t->stride, &nt, "stride") != 0)
        return NULL;
    if (ns != nt) {
        ws_fail(v->e, "pickle: tensor size and stride differ in length");
        return NULL;
    }
    t->ndim = ns;
    t->storage = args->items[0];
    t->dtype = t->storage->dtype;
    t->i = args->items[1]->i;
    return t;
}

/* _codecs.encode(str, "latin1"): how protocol 2 stores raw bytes. */
static ws_pk *codecs_encode(vm *v, const ws_pk *args)
{
    if (args->n != 2 || args->items[0]->kind != WS_PK_STR || args->items[1]->kind != WS_PK_STR) {
        ws_fail(v->e, "pickle: malformed _codecs.encode arguments");
        return NULL;
    }
    const char *enc = args->items[1]->s;
    const unsigned char *s = (const unsigned char *)args->items[0]->s;
    size_t n = args->items[0]->len;
    ws_pk *b = new_obj(v, WS_PK_BYTES);
    if (!b || charge(v, n + 1) != 0)
        return NULL;
    if (!(b->s = malloc(n + 1))) {
        ws_fail(v->e, "out of memory");
        return NULL;
    }
    if (!strcmp(enc, "latin1") || !strcmp(enc, "latin-1")) {
        for (size_t i = 0; i < n; i++) {   /* UTF-8 code points below 256 */
            if (s[i] < 0x80) {
                b->s[b->len++] = (char)s[i];
            } else if ((s[i] & 0xFE) == 0xC2 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
                b->s[b->len++] = (char)(((s[i] & 3) << 6) | (s[i + 1] & 0x3F));
                i++;
            } else {
                ws_fail(v->e, "pickle: _codecs.encode: text is not latin-1");
                return NULL;
            }
        }
    } else if (!strcmp(enc, "utf-8") || !strcmp(enc, "utf8")) {
        memcpy(b->s, s, n);
        b->len = n;
    } else {
        ws_fail(v->e, "pickle: _codecs.encode with encoding \"%.40s\" is not supported", enc);
        return NULL;
    }
    b->s[b->len] = '\0';
    return b;
}

static ws_pk *new_opaque(vm *v, const char *what)
{
    ws_pk *o = new_obj(v, WS_PK_OPAQUE);
    if (o && !(o->s = strdup(what))) {
        ws_fail(v->e, "out of memory");
        return NULL;
    }
    if (o)
        o->len = strlen(o->s);
    return o;
}

/* numpy.core.multiarray.scalar(dtype, bytes): decode the common numeric
 * dtypes (nanoGPT-era checkpoints store losses this way); others stay opaque. */
static ws_pk *numpy_scalar(vm *v, const ws_pk *args)
{
    if (args->n != 2 || args->items[0]->kind != WS_PK_OPAQUE || args->items[1]->kind != WS_PK_BYTES)
        return new_opaque(v, "numpy scalar");
    const char *dt = args->items[0]->s;
    const ws_pk *b = args->items[1];
    ws_pk *o = NULL;
    if (!strcmp(dt, "numpy.dtype f8") && b->len == 8) {
        uint64_t x = rd_le((const unsigned char *)b->s, 8);
        if ((o = new_obj(v, WS_PK_FLOAT)))
            memcpy(&o->f, &x, 8);
    } else if (!strcmp(dt, "numpy.dtype f4") && b->len == 4) {
        uint32_t x = (uint32_t)rd_le((const unsigned char *)b->s, 4);
        float f;
        memcpy(&f, &x, 4);
        if ((o = new_obj(v, WS_PK_FLOAT)))
            o->f = f;
    } else if (!strcmp(dt, "numpy.dtype i8") && b->len == 8) {
        if ((o = new_obj(v, WS_PK_INT)))
            o->i = (int64_t)rd_le((const unsigned char *)b->s, 8);
    } else {
        o = new_opaque(v, "numpy scalar");
    }
    return o;
}

static ws_pk *numpy_dtype(vm *v, const ws_pk *args)
{
    char what[64];
    const char *code = args->n >= 1 && args->items[0]->kind == WS_PK_STR ? args->items[0]->s : "?";
    snprintf(what, sizeof what, "numpy.dtype %.40s", code);
    return new_opaque(v, what);
}

/* What calling the allow-listed `fn` with `args` would have returned. */
static ws_pk *apply_global(vm *v, const ws_pk *fn, const ws_pk *args)
{
    const pk_global *g = find_global(fn->s);
    switch (g->kind) {
    case G_ORDERED_DICT:
        if (args->n != 0)
            break;
        return new_obj(v, WS_PK_DICT);
    case G_REBUILD_TENSOR:
        return rebuild_tensor(v, args);
    case G_REBUILD_PARAMETER:
        if (args->n < 1 || args->items[0]->kind != WS_PK_TENSOR)
            break;
        return args->items[0];
    case G_SIZE:
        if (args->n != 1 || args->items[0]->kind != WS_PK_TUPLE)
            break;
        return args->items[0];
    case G_SET:
        if (args->n == 0)
            return new_obj(v, WS_PK_LIST);
        if (args->n == 1 && args->items[0]->kind == WS_PK_LIST)
            return args->items[0];
        break;
    case G_CODECS_ENCODE:
        return codecs_encode(v, args);
    case G_NP_DTYPE:
        return numpy_dtype(v, args);
    case G_NP_SCALAR:
        return numpy_scalar(v, args);
    case G_OPAQUE:
        return new_opaque(v, fn->s);
    case G_STORAGE:
    case G_VALUE:
        ws_fail(v->e, "pickle: %s cannot be called here", fn->s);
        return NULL;
    }
    ws_fail(v->e, "pickle: unexpected arguments for %s", fn->s);
    return NULL;
}

static int op_reduce(vm *v)
{
    ws_pk *args = pop(v), *fn = args ? pop(v) : NULL;
    if (!fn)
        return -1;
    if (fn->kind != WS_PK_GLOBAL || args->kind != WS_PK_TUPLE)
        return ws_fail(v->e, "pickle: REDUCE needs an allowed global and a tuple (byte %zu)", offset(v));
    return push(v, apply_global(v, fn, args));
}

/* NEWOBJ(cls, args): only classes whose instances we keep opaque, or
 * OrderedDict. NEWOBJ_EX additionally pops kwargs. */
static int op_newobj(vm *v, int with_kwargs)
{
    ws_pk *kw = with_kwargs ? pop(v) : NULL;
    if (with_kwargs && !kw)
        return -1;
    ws_pk *args = pop(v), *cls = args ? pop(v) : NULL;
    if (!cls)
        return -1;
    if (cls->kind != WS_PK_GLOBAL || args->kind != WS_PK_TUPLE)
        return ws_fail(v->e, "pickle: NEWOBJ needs an allowed class and a tuple (byte %zu)", offset(v));
    const pk_global *g = find_global(cls->s);
    if (g->kind == G_ORDERED_DICT)
        return push(v, new_obj(v, WS_PK_DICT));
    if (g->kind != G_OPAQUE)
        return ws_fail(v->e, "pickle: cannot instantiate %s", cls->s);
    return push(v, new_opaque(v, cls->s));
}

/* BUILD sets an object's state (OrderedDict's _metadata, a Namespace's
 * fields): nothing an inspector needs, so the state is dropped. */
static int op_build(vm *v)
{
    ws_pk *state = pop(v), *o = state ? top(v) : NULL;
    if (!o)
        return -1;
    if (o->kind != WS_PK_DICT && o->kind != WS_PK_TENSOR && o->kind != WS_PK_OPAQUE)
        return ws_fail(v->e, "pickle: BUILD on an unsupported object (byte %zu)", offset(v));
    return 0;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot of storage `key` in an open-addressing table (grown at half
 * full), so that many storages stay cheap to look up. */
static ws_pk **storage_slot(vm *v, const char *key)
{
    if (2 * (v->n_storages + 1) > v->storage_cap) {
        size_t cap = v->storage_cap ? 2 * v->storage_cap : 64;
        ws_pk **t = calloc(cap, sizeof *t);
        if (!t) {
            ws_fail(v->e, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < v->storage_cap; i++)
            if (v->storages[i]) {
                size_t j = hash_str(v->storages[i]->s) & (cap - 1);
                while (t[j])
                    j = (j + 1) & (cap - 1);
                t[j] = v->storages[i];
            }
        free(v->storages);
        v->storages = t;
        v->storage_cap = cap;
    }
    size_t j = hash_str(key) & (v->storage_cap - 1);
    while (v->storages[j] && strcmp(v->storages[j]->s, key))
        j = (j + 1) & (v->storage_cap - 1);
    return &v->storages[j];
}

/* BINPERSID ('storage', StorageType, key, location, numel): one node per key. */
static int op_persid(vm *v)
{
    ws_pk *pid = pop(v);
    if (!pid)
        return -1;
    ws_pk **it = pid->items;
    if (pid->kind != WS_PK_TUPLE || pid->n != 5 || it[0]->kind != WS_PK_STR ||
        strcmp(it[0]->s, "storage") || it[1]->kind != WS_PK_GLOBAL || it[2]->kind != WS_PK_STR ||
        it[3]->kind != WS_PK_STR || !is_int(it[4]) || it[4]->i < 0)
        return ws_fail(v->e, "pickle: persistent id is not a ('storage', type, key, location, numel) tuple");
    const pk_global *g = find_global(it[1]->s);
    if (g->kind != G_STORAGE)
        return ws_fail(v->e, "pickle: %s is not a storage type", it[1]->s);
    ws_pk **slot = storage_slot(v, it[2]->s);
    if (!slot)
        return -1;
    if (*slot) {
        if ((*slot)->dtype != g->dtype || (*slot)->i != it[4]->i)
            return ws_fail(v->e, "pickle: storage %s is declared twice with different types or sizes",
                           (*slot)->s);
        return push(v, *slot);
    }
    ws_pk *s = new_obj(v, WS_PK_STORAGE);
    if (!s || !(s->s = strdup(it[2]->s)))
        return s ? ws_fail(v->e, "out of memory") : -1;
    s->len = strlen(s->s);
    s->dtype = g->dtype;
    s->i = it[4]->i;
    *slot = s;
    v->n_storages++;
    return push(v, s);
}

static int op_mark(vm *v)
{
    if (v->nmarks >= WS_PK_MAX_MARKS)
        return ws_fail(v->e, "pickle: nested deeper than %d marks", WS_PK_MAX_MARKS);
    size_t *marks = grow(v->marks, &v->mcap, v->nmarks + 1, sizeof *marks);
    if (!marks)
        return ws_fail(v->e, "out of memory");
    v->marks = marks;
    v->marks[v->nmarks++] = v->sp;
    return 0;
}

/* None, True and False are shared, as in Python: never written after
 * creation, they cost nothing however often a pickle pushes them. */
static ws_pk pk_none = {.kind = WS_PK_NONE}, pk_true = {.kind = WS_PK_BOOL, .i = 1},
             pk_false = {.kind = WS_PK_BOOL, .i = 0};

static int op_empty(vm *v, ws_pk_kind k) { return push(v, k == WS_PK_NONE ? &pk_none : new_obj(v, k)); }

static int op_bool(vm *v, int b) { return push(v, b ? &pk_true : &pk_false); }

/* Fixed-width little-endian argument of `n` bytes. */
static int arg(vm *v, int n, uint64_t *out)
{
    if (need(v, (size_t)n) != 0)
        return -1;
    *out = rd_le(v->p, n);
    v->p += n;
    return 0;
}

static int op_tuple_mark(vm *v)
{
    size_t first = 0;
    return pop_mark(v, &first) != 0 ? -1 : make_tuple(v, first);
}

static int op_pop_mark(vm *v)
{
    size_t first = 0;
    if (pop_mark(v, &first) != 0)
        return -1;
    v->sp = first;
    return 0;
}

static int op_dup(vm *v)
{
    ws_pk *o = top(v);
    return o ? push(v, o) : -1;
}

/* One opcode; 1 at STOP, 0 to go on, -1 on error. */
static int step(vm *v)
{
    unsigned op = *v->p++;
    uint64_t a = 0;
    switch (op) {
    case 0x80: return arg(v, 1, &a) != 0 ? -1 : a < 2 || a > 5 ?
        ws_fail(v->e, "pickle: protocol %u is not supported (2-5 are)", (unsigned)a) : 0;
    case 0x95: return arg(v, 8, &a);                     /* FRAME: advisory */
    case '.': return 1;                                   /* STOP */
    case '(': return op_mark(v);
    case '0': return pop(v) ? 0 : -1;                     /* POP */
    case '1': return op_pop_mark(v);
    case '2': return op_dup(v);
    case '}': return op_empty(v, WS_PK_DICT);
    case ']': case 0x8f: return op_empty(v, WS_PK_LIST); /* EMPTY_LIST, EMPTY_SET */
    case ')': return op_empty(v, WS_PK_TUPLE);
    case 'N': return op_empty(v, WS_PK_NONE);
    case 0x88: return op_bool(v, 1);
    case 0x89: return op_bool(v, 0);
    case 'J': return arg(v, 4, &a) != 0 ? -1 : push_int(v, (int32_t)(uint32_t)a);
    case 'K': return arg(v, 1, &a) != 0 ? -1 : push_int(v, (int64_t)a);
    case 'M': return arg(v, 2, &a) != 0 ? -1 : push_int(v, (int64_t)a);
    case 0x8a: return arg(v, 1, &a) != 0 ? -1 : push_long(v, (size_t)a);
    case 0x8b: return arg(v, 4, &a) != 0 ? -1 : push_long(v, (size_t)a);
    case 'G': return push_float_be(v);
    case 'X': return arg(v, 4, &a) != 0 ? -1 : push_string(v, WS_PK_STR, a);
    case 0x8c: return arg(v, 1, &a) != 0 ? -1 : push_string(v, WS_PK_STR, a);
    case 0x8d: return arg(v, 8, &a) != 0 ? -1 : push_string(v, WS_PK_STR, a);
    case 'T': return arg(v, 4, &a) != 0 ? -1 : push_string(v, WS_PK_STR, a);   /* BINSTRING */
    case 'U': return arg(v, 1, &a) != 0 ? -1 : push_string(v, WS_PK_STR, a);   /* SHORT_BINSTRING */
    case 'B': return arg(v, 4, &a) != 0 ? -1 : push_string(v, WS_PK_BYTES, a);
    case 'C': return arg(v, 1, &a) != 0 ? -1 : push_string(v, WS_PK_BYTES, a);
    case 0x8e: case 0x96: return arg(v, 8, &a) != 0 ? -1 : push_string(v, WS_PK_BYTES, a);
    case 0x85: return tuple_n(v, 1);
    case 0x86: return tuple_n(v, 2);
    case 0x87: return tuple_n(v, 3);
    case 't': return op_tuple_mark(v);
    case 's': return op_setitem(v);
    case 'u': return op_mark_items(v, set_items);
    case 'a': return op_append(v);
    case 'e': case 0x90: return op_mark_items(v, append_items);   /* APPENDS, ADDITEMS */
    case 'q': return arg(v, 1, &a) != 0 ? -1 : memo_put(v, a);
    case 'r': return arg(v, 4, &a) != 0 ? -1 : memo_put(v, a);
    case 0x94: return memo_put(v, v->memo_count);
    case 'h': return arg(v, 1, &a) != 0 ? -1 : memo_get(v, a);
    case 'j': return arg(v, 4, &a) != 0 ? -1 : memo_get(v, a);
    case 'c': return op_global(v);
    case 0x93: return op_stack_global(v);
    case 'R': return op_reduce(v);
    case 0x81: return op_newobj(v, 0);
    case 0x92: return op_newobj(v, 1);
    case 'b': return op_build(v);
    case 'Q': return op_persid(v);
    default:
        v->p--;
        return ws_fail(v->e, "pickle: unsupported opcode 0x%02x at byte %zu", op, offset(v));
    }
}

ws_pk *ws_pk_load(const unsigned char *data, size_t len, ws_pk_arena *arena, ws_err *e)
{
    vm v = {.start = data, .p = data, .end = data + len, .A = arena, .e = e};
    v.max_bytes = len > (SIZE_MAX - WS_PK_BYTES_BASE) / WS_PK_BYTES_PER_BYTE
                      ? SIZE_MAX : WS_PK_BYTES_BASE + WS_PK_BYTES_PER_BYTE * len;
    int rc = 0;
    while (rc == 0) {
        if (v.p >= v.end) {
            rc = ws_fail(e, "pickle: ends without STOP (truncated?)");
            break;
        }
        rc = step(&v);
    }
    ws_pk *result = NULL;
    if (rc == 1) {
        if (v.sp != 1 || v.nmarks)
            ws_fail(e, "pickle: STOP leaves %zu objects instead of one", v.sp);
        else
            result = v.stack[0];
    }
    free(v.stack);
    free(v.marks);
    free(v.memo);
    free(v.storages);
    return result;
}

void ws_pk_arena_free(ws_pk_arena *A)
{
    for (size_t i = 0; i < A->n; i++) {
        free(A->objs[i]->s);
        free(A->objs[i]->items);
        free(A->objs[i]);
    }
    free(A->objs);
    memset(A, 0, sizeof *A);
}

ws_pk *ws_pk_dict_get(const ws_pk *d, const char *key)
{
    if (!d || d->kind != WS_PK_DICT)
        return NULL;
    for (size_t i = d->n; i >= 2; i -= 2)
        if (d->items[i - 2]->kind == WS_PK_STR && !strcmp(d->items[i - 2]->s, key))
            return d->items[i - 1];
    return NULL;
}
