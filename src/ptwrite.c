/* wscope's .pt writer: nanoGPT's checkpoint dict as torch.save writes it
 * (see ptwrite.h). Separate from the hardened reader (torchfile.c,
 * pickle.c, zip.c): this side only ever writes what it builds. */
#include "ptwrite.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "atomic.h"

/* ---- a pickle of protocol 2, in memory ---- */

typedef struct pk {
    unsigned char *p;
    size_t n, cap;
    int failed;
} pk;

static void put(pk *b, const void *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void op(pk *b, unsigned char c) { put(b, &c, 1); }

static void put_le(pk *b, uint64_t v, int bytes)
{
    unsigned char x[8];
    for (int i = 0; i < bytes; i++)
        x[i] = (unsigned char)(v >> (8 * i));
    put(b, x, (size_t)bytes);
}

enum {
    P_MARK = '(', P_STOP = '.', P_BININT = 'J', P_BININT1 = 'K', P_BININT2 = 'M',
    P_BINUNICODE = 'X', P_GLOBAL = 'c', P_REDUCE = 'R', P_TUPLE = 't', P_EMPTY_TUPLE = ')',
    P_EMPTY_DICT = '}', P_SETITEMS = 'u', P_BINPERSID = 'Q', P_PROTO = 0x80, P_LONG1 = 0x8a,
    P_NEWTRUE = 0x88, P_NEWFALSE = 0x89,
};

static void pk_str(pk *b, const char *s)
{
    size_t n = strlen(s);
    op(b, P_BINUNICODE);
    put_le(b, n, 4);
    put(b, s, n);
}

static void pk_int(pk *b, int64_t v)
{
    if (v >= 0 && v < 256) {
        op(b, P_BININT1);
        put_le(b, (uint64_t)v, 1);
    } else if (v >= 0 && v < 65536) {
        op(b, P_BININT2);
        put_le(b, (uint64_t)v, 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        op(b, P_BININT);
        put_le(b, (uint64_t)(uint32_t)(int32_t)v, 4);
    } else {   /* two's complement, little-endian, 8 bytes */
        op(b, P_LONG1);
        put_le(b, 8, 1);
        put_le(b, (uint64_t)v, 8);
    }
}

static void pk_bool(pk *b, int v) { op(b, v ? P_NEWTRUE : P_NEWFALSE); }

static void pk_global(pk *b, const char *module, const char *name)
{
    op(b, P_GLOBAL);
    put(b, module, strlen(module));
    put(b, "\n", 1);
    put(b, name, strlen(name));
    put(b, "\n", 1);
}

/* ---- storages and tensors ---- */

typedef struct storage {
    const unsigned char *data;
    size_t nbytes;
    unsigned char *own;       /* freed with the writer */
} storage;

typedef struct writer {
    pk pk;
    storage *st;
    size_t n_st, cap_st;
    int failed;
} writer;

/* torch's storage class for a dtype; NULL when it has none here. */
static const char *storage_type(ws_dtype dt)
{
    switch (dt) {
    case WS_DT_F32: return "FloatStorage";
    case WS_DT_F16: return "HalfStorage";
    case WS_DT_BF16: return "BFloat16Storage";
    case WS_DT_F64: return "DoubleStorage";
    case WS_DT_I64: return "LongStorage";
    case WS_DT_I32: return "IntStorage";
    case WS_DT_I16: return "ShortStorage";
    case WS_DT_I8: return "CharStorage";
    case WS_DT_U8: return "ByteStorage";
    case WS_DT_BOOL: return "BoolStorage";
    default: return NULL;
    }
}

/* A storage of the archive: data/K with K its index. Takes `own`. */
static long add_storage(writer *w, const void *data, size_t nbytes, unsigned char *own)
{
    if (w->n_st == w->cap_st) {
        size_t cap = w->cap_st ? 2 * w->cap_st : 64;
        storage *s = realloc(w->st, cap * sizeof *s);
        if (!s) {
            free(own);
            w->failed = 1;
            return -1;
        }
        w->st = s;
        w->cap_st = cap;
    }
    w->st[w->n_st] = (storage){data, nbytes, own};
    return (long)w->n_st++;
}

/* _rebuild_tensor_v2(('storage', TYPE, key, 'cpu', numel), 0, shape, stride, False, OrderedDict()) */
static void pk_tensor(writer *w, ws_dtype dt, long key, size_t numel, int ndim,
                      const int64_t *shape)
{
    pk *b = &w->pk;
    char k[32];
    snprintf(k, sizeof k, "%ld", key);
    pk_global(b, "torch._utils", "_rebuild_tensor_v2");
    op(b, P_MARK);
    op(b, P_MARK);
    pk_str(b, "storage");
    pk_global(b, "torch", storage_type(dt));
    pk_str(b, k);
    pk_str(b, "cpu");
    pk_int(b, (int64_t)numel);
    op(b, P_TUPLE);
    op(b, P_BINPERSID);
    pk_int(b, 0);
    op(b, P_MARK);
    for (int d = 0; d < ndim; d++)
        pk_int(b, shape[d]);
    op(b, P_TUPLE);
    op(b, P_MARK);
    int64_t stride = 1, strides[8];
    for (int d = ndim - 1; d >= 0; d--) {
        strides[d] = stride;
        stride *= shape[d];
    }
    for (int d = 0; d < ndim; d++)
        pk_int(b, strides[d]);
    op(b, P_TUPLE);
    pk_bool(b, 0);
    pk_global(b, "collections", "OrderedDict");
    op(b, P_EMPTY_TUPLE);
    op(b, P_REDUCE);
    op(b, P_TUPLE);
    op(b, P_REDUCE);
}

/* A 0-d tensor holding v (float32 or float64): how floats are kept. */
static void pk_scalar(writer *w, ws_dtype dt, double v)
{
    size_t n = dt == WS_DT_F64 ? 8 : 4;
    unsigned char *own = malloc(8);
    if (!own) {
        w->failed = 1;
        return;
    }
    float f = (float)v;
    memcpy(own, dt == WS_DT_F64 ? (const void *)&v : (const void *)&f, n);
    long k = add_storage(w, own, n, own);
    if (k >= 0)
        pk_tensor(w, dt, k, 1, 0, NULL);
}

/* ---- the model ---- */

/* nanoGPT's name of a role tensor. */
static void nanogpt_name(const ws_tensor *t, char *buf, size_t n)
{
    static const char *stem[WS_ROLE_COUNT] = {
        [WS_ROLE_EMBED] = "transformer.wte", [WS_ROLE_POS_EMBED] = "transformer.wpe",
        [WS_ROLE_LN1] = "ln_1", [WS_ROLE_QKV] = "attn.c_attn", [WS_ROLE_ATTN_OUT] = "attn.c_proj",
        [WS_ROLE_LN2] = "ln_2", [WS_ROLE_MLP_UP] = "mlp.c_fc", [WS_ROLE_MLP_DOWN] = "mlp.c_proj",
        [WS_ROLE_LN_F] = "transformer.ln_f", [WS_ROLE_HEAD] = "lm_head",
    };
    const char *suf = t->is_bias ? "bias" : "weight";
    if (t->layer >= 0)
        snprintf(buf, n, "transformer.h.%d.%s.%s", t->layer, stem[t->role], suf);
    else
        snprintf(buf, n, "%s.%s", stem[t->role], suf);
}

/* The tensor's values in canonical orientation, in a dtype torch has;
 * *dt and *own are set (own NULL: the data is t's own). */
static const void *canonical(ws_tensor *t, ws_dtype *dt, unsigned char **own, ws_err *e)
{
    const void *src = t->data;
    *dt = t->dtype;
    *own = NULL;
    if (!storage_type(t->dtype)) {   /* e.g. U16 or F8: as float32 */
        float *f = malloc((size_t)t->numel * sizeof *f + 1);
        if (!f || ws_convert_to_f32(t->dtype, t->data, f, (size_t)t->numel, e)) {
            free(f);
            if (!f)
                ws_fail(e, "out of memory");
            return NULL;
        }
        src = f;
        *own = (unsigned char *)f;
        *dt = WS_DT_F32;
    }
    if (!t->transposed)
        return src;
    size_t el = (size_t)ws_dtype_bits(*dt) / 8, rows = (size_t)t->rows, cols = (size_t)t->cols;
    unsigned char *out = malloc(rows * cols * el + 1);
    if (!out) {
        free(*own);
        *own = NULL;
        ws_fail(e, "out of memory");
        return NULL;
    }
    /* the file holds cols × rows (in × out): element (r, c) is at c·rows + r */
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            memcpy(out + (r * cols + c) * el, (const unsigned char *)src + (c * rows + r) * el, el);
    free(*own);
    *own = out;
    return out;
}

static int put_tensor(writer *w, const char *name, ws_tensor *t, long *key_out, ws_err *e)
{
    ws_dtype dt;
    unsigned char *own;
    const void *data = canonical(t, &dt, &own, e);
    if (!data)
        return -1;
    long key = add_storage(w, data, (size_t)t->numel * (size_t)(ws_dtype_bits(dt) / 8), own);
    if (key < 0)
        return ws_fail(e, "out of memory");
    int64_t shape2[2] = {t->rows, t->cols};
    pk_str(&w->pk, name);
    if (t->transposed || t->ndim == 2)
        pk_tensor(w, dt, key, (size_t)t->numel, 2, shape2);
    else
        pk_tensor(w, dt, key, (size_t)t->numel, t->ndim, t->shape);
    if (key_out)
        *key_out = key;
    return 0;
}

/* Weight and bias of one role (of one layer) under nanoGPT's names. */
static int put_role(writer *w, const ws_model *m, ws_role r, int layer, char *done, long *key,
                    ws_err *e)
{
    char name[256];
    for (int bias = 0; bias < 2; bias++) {
        ws_tensor *t = ws_model_get(m, r, layer, bias);
        if (!t || t->kind != WS_KIND_NETWORK || done[t - m->tensors])
            continue;
        done[t - m->tensors] = 1;
        nanogpt_name(t, name, sizeof name);
        if (put_tensor(w, name, t, bias ? NULL : key, e))
            return -1;
    }
    return 0;
}

/* The network's tensors in nanoGPT's order (embeddings, blocks, ln_f,
 * head), then any others of the network under their own names. */
static int put_model(writer *w, const ws_model *m, ws_err *e)
{
    static const ws_role block[] = {WS_ROLE_LN1, WS_ROLE_QKV, WS_ROLE_ATTN_OUT, WS_ROLE_LN2,
                                    WS_ROLE_MLP_UP, WS_ROLE_MLP_DOWN};
    int known = m->layout == WS_LAYOUT_OURS || m->layout == WS_LAYOUT_NANOGPT ||
                m->layout == WS_LAYOUT_HF_GPT2;
    char *done = calloc(m->n_tensors + 1, 1);
    long wte = -1;
    if (!done)
        return ws_fail(e, "out of memory");
    op(&w->pk, P_EMPTY_DICT);
    op(&w->pk, P_MARK);
    int rc = known && (put_role(w, m, WS_ROLE_EMBED, -1, done, &wte, e) ||
                       put_role(w, m, WS_ROLE_POS_EMBED, -1, done, NULL, e)) ? -1 : 0;
    for (int l = 0; known && !rc && l < m->cfg.n_layer; l++)
        for (size_t k = 0; !rc && k < sizeof block / sizeof *block; k++)
            rc = put_role(w, m, block[k], l, done, NULL, e);
    if (known && !rc)
        rc = put_role(w, m, WS_ROLE_LN_F, -1, done, NULL, e) ||
             put_role(w, m, WS_ROLE_HEAD, -1, done, NULL, e) ? -1 : 0;
    /* a tied head: the embedding's storage again, as torch.save writes a shared tensor */
    ws_tensor *emb = ws_model_get(m, WS_ROLE_EMBED, -1, 0);
    if (!rc && wte >= 0 && !ws_model_get(m, WS_ROLE_HEAD, -1, 0)) {
        int64_t shape[2] = {emb->rows, emb->cols};
        pk_str(&w->pk, "lm_head.weight");
        pk_tensor(w, storage_type(emb->dtype) ? emb->dtype : WS_DT_F32, wte, (size_t)emb->numel, 2,
                  shape);
    }
    for (size_t i = 0; !rc && i < m->n_tensors; i++)
        if (!done[i] && m->tensors[i].kind == WS_KIND_NETWORK)
            rc = put_tensor(w, m->tensors[i].name, &m->tensors[i], NULL, e);
    op(&w->pk, P_SETITEMS);
    free(done);
    return rc;
}

static void put_args(writer *w, const ws_model *m)
{
    const ws_config *c = &m->cfg;
    pk *b = &w->pk;
    pk_str(b, "n_layer");
    pk_int(b, c->n_layer);
    if (c->n_head_known) {
        pk_str(b, "n_head");
        pk_int(b, c->n_head);
    }
    pk_str(b, "n_embd");
    pk_int(b, c->n_embd);
    pk_str(b, "block_size");
    pk_int(b, c->block_size);
    pk_str(b, "bias");
    pk_bool(b, c->bias);
    pk_str(b, "vocab_size");
    pk_int(b, c->vocab_size);
}

/* nanoGPT's config: the model's arguments and, from train.options, the
 * training settings under nanoGPT's names. */
static void put_config(writer *w, const ws_model *m)
{
    static const struct { const char *ours, *theirs; int real; } map[] = {
        {"batch", "batch_size", 0},   {"steps", "max_iters", 0},       {"steps", "lr_decay_iters", 0},
        {"warmup", "warmup_iters", 0}, {"eval_every", "eval_interval", 0},
        {"eval_batches", "eval_iters", 0}, {"lr", "learning_rate", 1}, {"min_lr", "min_lr", 1},
        {"weight_decay", "weight_decay", 1}, {"beta1", "beta1", 1}, {"beta2", "beta2", 1},
        {"clip", "grad_clip", 1},
    };
    pk *b = &w->pk;
    const char *opts = ws_model_meta(m, "train.options");
    json_t *o = opts ? json_loads(opts, 0, NULL) : NULL;
    op(b, P_EMPTY_DICT);
    op(b, P_MARK);
    put_args(w, m);
    for (size_t i = 0; o && i < sizeof map / sizeof *map; i++) {
        json_t *v = json_object_get(o, map[i].ours);
        if (!json_is_number(v))
            continue;
        pk_str(b, map[i].theirs);
        if (map[i].real)
            pk_scalar(w, WS_DT_F64, (double)(float)json_number_value(v));
        else
            pk_int(b, (int64_t)json_number_value(v));
    }
    json_t *sched = o ? json_object_get(o, "schedule") : NULL, *seed = o ? json_object_get(o, "seed") : NULL;
    if (json_is_string(sched)) {
        pk_str(b, "decay_lr");
        pk_bool(b, !strcmp(json_string_value(sched), "cosine"));
    }
    if (json_is_string(seed)) {
        pk_str(b, "seed");
        pk_int(b, strtoll(json_string_value(seed), NULL, 10));
    }
    if (o) {
        pk_str(b, "gradient_accumulation_steps");
        pk_int(b, 1);
    }
    pk_str(b, "dropout");
    pk_scalar(w, WS_DT_F64, 0.0);
    /* nanoGPT's GPT has exact GELU and eps 1e-5; the model's own, so that
     * wscope reads the file back as the same function (layout.c) */
    pk_str(b, "gelu");
    pk_str(b, m->cfg.gelu_tanh ? "tanh" : "exact");
    pk_str(b, "layer_norm_epsilon");
    pk_scalar(w, WS_DT_F64, m->cfg.ln_eps > 0 ? (double)m->cfg.ln_eps : 1e-5);
    op(b, P_SETITEMS);
    json_decref(o);
}

static int build_pickle(writer *w, const ws_model *m, ws_err *e)
{
    pk *b = &w->pk;
    const char *step = ws_model_meta(m, "train.step");
    const char *iter = step ? step : ws_model_meta(m, "iter_num");
    const char *best = ws_model_meta(m, "best_val_loss");
    op(b, P_PROTO);
    put_le(b, 2, 1);
    op(b, P_EMPTY_DICT);
    op(b, P_MARK);
    pk_str(b, "model");
    if (put_model(w, m, e))
        return -1;
    pk_str(b, "model_args");
    op(b, P_EMPTY_DICT);
    op(b, P_MARK);
    put_args(w, m);
    op(b, P_SETITEMS);
    pk_str(b, "iter_num");
    pk_int(b, iter ? strtoll(iter, NULL, 10) : 0);
    pk_str(b, "best_val_loss");
    pk_scalar(w, WS_DT_F32, best ? strtod(best, NULL) : 1e9);
    pk_str(b, "config");
    put_config(w, m);
    op(b, P_SETITEMS);
    op(b, P_STOP);
    return b->failed || w->failed ? ws_fail(e, "out of memory") : 0;
}

/* ---- the zip container ---- */

typedef struct zentry {
    char name[64];
    const unsigned char *data;
    size_t size;
    uint32_t crc;
    uint64_t offset;   /* of the local header */
} zentry;

#define Z32 0xffffffffu
#define ALIGN 64

static uint32_t crc_of(const unsigned char *p, size_t n)
{
    return (uint32_t)crc32_z(crc32_z(0, NULL, 0), p, n);
}

/* Local header (sizes in it; a ZIP64 field when they do not fit, then the
 * padding field torch.save uses so that the data starts on 64 bytes). */
static void local_header(pk *b, zentry *z, uint64_t at)
{
    size_t nl = strlen(z->name);
    int big = z->size >= Z32;
    size_t fixed = 30 + nl + (big ? 20 : 0) + 4;
    size_t pad = (ALIGN - (at + fixed) % ALIGN) % ALIGN;
    put_le(b, 0x04034b50, 4);
    put_le(b, big ? 45 : 20, 2);
    put_le(b, 0, 2);
    put_le(b, 0, 2);                 /* stored */
    put_le(b, 0, 2);
    put_le(b, 0x21, 2);              /* 1980-01-01, as torch.save */
    put_le(b, z->crc, 4);
    put_le(b, big ? Z32 : z->size, 4);
    put_le(b, big ? Z32 : z->size, 4);
    put_le(b, nl, 2);
    put_le(b, (big ? 20 : 0) + 4 + pad, 2);
    put(b, z->name, nl);
    if (big) {
        put_le(b, 1, 2);
        put_le(b, 16, 2);
        put_le(b, z->size, 8);
        put_le(b, z->size, 8);
    }
    put_le(b, 0x4246, 2);            /* "FB": padding */
    put_le(b, pad, 2);
    for (size_t i = 0; i < pad; i++)
        put(b, "Z", 1);
}

static void central_entry(pk *b, const zentry *z)
{
    size_t nl = strlen(z->name);
    int big_size = z->size >= Z32, big_off = z->offset >= Z32;
    size_t xl = big_size || big_off ? 4 + (big_size ? 16 : 0) + (big_off ? 8 : 0) : 0;
    put_le(b, 0x02014b50, 4);
    put_le(b, 45, 2);
    put_le(b, xl ? 45 : 20, 2);
    put_le(b, 0, 2);
    put_le(b, 0, 2);
    put_le(b, 0, 2);
    put_le(b, 0x21, 2);
    put_le(b, z->crc, 4);
    put_le(b, big_size ? Z32 : z->size, 4);
    put_le(b, big_size ? Z32 : z->size, 4);
    put_le(b, nl, 2);
    put_le(b, xl, 2);
    put_le(b, 0, 2);
    put_le(b, 0, 2);
    put_le(b, 0, 2);
    put_le(b, 0, 4);
    put_le(b, big_off ? Z32 : z->offset, 4);
    put(b, z->name, nl);
    if (xl) {
        put_le(b, 1, 2);
        put_le(b, xl - 4, 2);
        if (big_size) {
            put_le(b, z->size, 8);
            put_le(b, z->size, 8);
        }
        if (big_off)
            put_le(b, z->offset, 8);
    }
}

/* End records; ZIP64 ones when the directory or the count does not fit. */
static void end_records(pk *b, size_t n, uint64_t cd_at, uint64_t cd_size)
{
    int big = n >= 0xffff || cd_at >= Z32 || cd_size >= Z32;
    if (big) {
        uint64_t z64_at = cd_at + cd_size;
        put_le(b, 0x06064b50, 4);
        put_le(b, 44, 8);
        put_le(b, 45, 2);
        put_le(b, 45, 2);
        put_le(b, 0, 4);
        put_le(b, 0, 4);
        put_le(b, n, 8);
        put_le(b, n, 8);
        put_le(b, cd_size, 8);
        put_le(b, cd_at, 8);
        put_le(b, 0x07064b50, 4);
        put_le(b, 0, 4);
        put_le(b, z64_at, 8);
        put_le(b, 1, 4);
    }
    put_le(b, 0x06054b50, 4);
    put_le(b, 0, 2);
    put_le(b, 0, 2);
    put_le(b, big ? 0xffff : n, 2);
    put_le(b, big ? 0xffff : n, 2);
    put_le(b, big ? Z32 : cd_size, 4);
    put_le(b, big ? Z32 : cd_at, 4);
    put_le(b, 0, 2);
}

/* Write the entries' headers and data through `fp`; 0, or -1 on a short write. */
static int write_zip(FILE *fp, zentry *z, size_t n)
{
    uint64_t at = 0;
    pk h = {0};
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
        h.n = 0;
        z[i].offset = at;
        local_header(&h, &z[i], at);
        ok = !h.failed && fwrite(h.p, 1, h.n, fp) == h.n &&
             (z[i].size == 0 || fwrite(z[i].data, 1, z[i].size, fp) == z[i].size);
        at += h.n + z[i].size;
    }
    h.n = 0;
    for (size_t i = 0; ok && i < n; i++)
        central_entry(&h, &z[i]);
    uint64_t cd_size = h.n;
    end_records(&h, n, at, cd_size);
    ok = ok && !h.failed && fwrite(h.p, 1, h.n, fp) == h.n;
    free(h.p);
    return ok ? 0 : -1;
}

/* ---- saving ---- */

int ws_pt_path(const char *path)
{
    size_t n = strlen(path);
    return (n > 3 && !strcasecmp(path + n - 3, ".pt")) || (n > 4 && !strcasecmp(path + n - 4, ".pth"));
}

static void writer_free(writer *w)
{
    for (size_t i = 0; i < w->n_st; i++)
        free(w->st[i].own);
    free(w->st);
    free(w->pk.p);
}

int ws_pt_save(const ws_model *m, const char *path, unsigned flags, ws_err *e)
{
    writer w = {0};
    zentry *z = NULL;
    int rc = build_pickle(&w, m, e);
    size_t n = w.n_st + 3;
    if (!rc && !(z = calloc(n, sizeof *z)))
        rc = ws_fail(e, "out of memory");
    if (!rc) {
        z[0] = (zentry){"archive/data.pkl", w.pk.p, w.pk.n, 0, 0};
        z[1] = (zentry){"archive/byteorder", (const unsigned char *)"little", 6, 0, 0};
        for (size_t i = 0; i < w.n_st; i++) {
            snprintf(z[2 + i].name, sizeof z[2 + i].name, "archive/data/%zu", i);
            z[2 + i].data = w.st[i].data;
            z[2 + i].size = w.st[i].nbytes;
        }
        z[n - 1] = (zentry){"archive/version", (const unsigned char *)"3\n", 2, 0, 0};
        for (size_t i = 0; i < n; i++)
            z[i].crc = crc_of(z[i].data, z[i].size);
        ws_atomic a;
        rc = ws_atomic_open_flags(&a, path, flags, e);
        if (!rc && write_zip(a.fp, z, n) && !ferror(a.fp)) {
            ws_atomic_abort(&a);         /* out of memory for the headers */
            rc = ws_fail(e, "out of memory");
        } else if (!rc)
            rc = ws_atomic_commit(&a, e);   /* a failed write shows here, with its reason */
    }
    free(z);
    writer_free(&w);
    return rc;
}
