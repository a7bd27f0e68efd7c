#include "torchfile.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "mapfile.h"
#include "pickle.h"
#include "strided.h"
#include "zip.h"

/* Pickle of the legacy format's magic number (a 10-byte LONG1), protocol 2. */
static const unsigned char legacy_magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20};

int ws_torch_sniff(const unsigned char *buf, size_t len)
{
    if (len >= 4 && !memcmp(buf, "PK\x03\x04", 4))
        return 1;
    return len >= sizeof legacy_magic && !memcmp(buf, legacy_magic, sizeof legacy_magic);
}

typedef struct archive {
    ws_zip zip;
    char prefix[256];    /* top folder: "archive", or the file's stem */
    json_t *names;       /* tensor names added so far (a hash set) */
    size_t viewed;       /* bytes the added tensors view, together */
    size_t view_cap;     /* the file's size + WS_PT_MAX_VIEW_EXTRA */
} archive;

static const ws_zip_entry *entry(const archive *a, const char *rest)
{
    char name[600];
    snprintf(name, sizeof name, "%s/%s", a->prefix, rest);
    return ws_zip_find(&a->zip, name);
}

/* An entry whose bytes we read: it must exist and be stored. */
static const ws_zip_entry *stored_entry(const archive *a, const char *rest, ws_err *e)
{
    const ws_zip_entry *z = entry(a, rest);
    if (!z)
        ws_fail(e, "%s/%s is missing from the archive", a->prefix, rest);
    else if (z->method != 0)
        ws_fail(e, "zip: entry %s is compressed (method %d); torch.save writes stored entries only",
                z->name, z->method);
    return z && z->method == 0 ? z : NULL;
}

static int open_archive(archive *a, const unsigned char *buf, size_t len, ws_err *e)
{
    if (len >= sizeof legacy_magic && !memcmp(buf, legacy_magic, sizeof legacy_magic))
        return ws_fail(e, "legacy PyTorch format: re-save with torch.save(..., "
                       "_use_new_zipfile_serialization=True)");
    if (ws_zip_open(&a->zip, buf, len, e) != 0)
        return -1;
    const char *first = a->zip.n ? a->zip.entries[0].name : "";
    const char *slash = strchr(first, '/');
    if (!slash || (size_t)(slash - first) >= sizeof a->prefix)
        return ws_fail(e, "not a torch.save archive: entries are not under one folder");
    size_t pl = (size_t)(slash - first);
    memcpy(a->prefix, first, pl);
    a->prefix[pl] = '\0';
    for (size_t i = 1; i < a->zip.n; i++)
        if (strncmp(a->zip.entries[i].name, first, pl + 1))
            return ws_fail(e, "not a torch.save archive: entries are not under one folder");
    if (entry(a, "constants.pkl"))
        return ws_fail(e, "TorchScript archive (torch.jit.save) is not supported: save the "
                       "state_dict with torch.save");
    const ws_zip_entry *bo = entry(a, "byteorder");
    if (bo && !(bo->size == 6 && bo->method == 0 && !memcmp(bo->data, "little", 6)))
        return ws_fail(e, "storages are not little-endian (byteorder \"%.*s\")",
                       (int)(bo->size < 16 ? bo->size : 16), (const char *)bo->data);
    if (!entry(a, "data.pkl"))
        return ws_fail(e, "not a torch.save archive: no %s/data.pkl", a->prefix);
    return stored_entry(a, "data.pkl", e) ? 0 : -1;
}

/* The dict that holds the weights: a known key of a checkpoint, else the top. */
static const ws_pk *find_state_dict(const ws_pk *root, ws_err *e)
{
    static const char *keys[] = {"model", "state_dict", "model_state_dict", "module"};
    if (!root || root->kind != WS_PK_DICT) {
        ws_fail(e, "data.pkl holds %s, not a dict of tensors",
                root && root->kind == WS_PK_TENSOR ? "a single tensor" : "another object");
        return NULL;
    }
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const ws_pk *d = ws_pk_dict_get(root, keys[i]);
        if (d && d->kind == WS_PK_DICT)
            return d;
    }
    return root;
}

/* Bytes of the tensor's view inside its storage, all checked: the storage
 * entry must hold numel × elsize bytes and the view must lie inside it. */
static int check_extent(const archive *a, const char *name, const ws_pk *t, const ws_zip_entry **out,
                        size_t *numel, ws_err *e)
{
    const ws_pk *s = t->storage;
    size_t el = (size_t)ws_dtype_bits(t->dtype) / 8, sbytes;
    if (strchr(s->s, '/'))
        return ws_fail(e, "%s: bad storage key \"%s\"", name, s->s);
    char rest[300];
    snprintf(rest, sizeof rest, "data/%s", s->s);
    const ws_zip_entry *z = stored_entry(a, rest, e);
    if (!z)
        return ws_wrap(e, "%s", name);
    if (!ws_mul_ok((size_t)s->i, el, &sbytes) || z->size < sbytes)
        return ws_fail(e, "%s: storage %s declares %lld elements but the archive holds %zu bytes",
                       name, s->s, (long long)s->i, z->size);
    size_t n = 1, last = 0;
    for (int d = 0; d < t->ndim; d++) {
        size_t span;
        if (!ws_mul_ok(n, (size_t)t->shape[d], &n))
            return ws_fail(e, "%s: element count overflows", name);
        if (t->shape[d] > 0 && (!ws_mul_ok((size_t)t->shape[d] - 1, (size_t)t->stride[d], &span) ||
                                !ws_add_ok(last, span, &last)))
            return ws_fail(e, "%s: strides overflow", name);
    }
    size_t end;
    if (!ws_add_ok((size_t)t->i, n ? last + 1 : 0, &end) || end > (size_t)s->i)
        return ws_fail(e, "%s: view (offset %lld) runs past its storage of %lld elements", name,
                       (long long)t->i, (long long)s->i);
    *out = z;
    *numel = n;
    return 0;
}

/* Memory stays bounded by the file: together, the tensors may view at most
 * the file's own bytes plus WS_PT_MAX_VIEW_EXTRA, so a broadcast (stride 0)
 * or overlapping view of a small storage cannot claim gigabytes. */
static int charge_view(archive *a, const char *name, size_t bytes, ws_err *e)
{
    size_t total;
    if (!ws_add_ok(a->viewed, bytes, &total) || total > a->view_cap)
        return ws_fail(e, "%s: a view of %zu bytes takes the tensors past the file's own %zu bytes "
                       "(+%u MiB): broadcast (stride 0) or overlapping views are refused", name, bytes,
                       a->view_cap - WS_PT_MAX_VIEW_EXTRA, WS_PT_MAX_VIEW_EXTRA >> 20);
    a->viewed = total;
    return 0;
}

static int add_tensor(ws_sink *s, archive *a, const char *name, ws_pk *t, ws_err *e)
{
    const ws_zip_entry *z = NULL;
    size_t numel = 0, el = (size_t)ws_dtype_bits(t->dtype) / 8, bytes;
    if (check_extent(a, name, t, &z, &numel, e) != 0)
        return -1;
    if (!ws_mul_ok(numel, el, &bytes))
        return ws_fail(e, "%s: tensor too large", name);
    if (json_object_get(a->names, name))
        return ws_fail(e, "tensor %s appears twice", name);
    if (charge_view(a, name, bytes, e) != 0)
        return -1;
    if (json_object_set_new_nocheck(a->names, name, json_true()) != 0)   /* names may not be UTF-8 */
        return ws_fail(e, "out of memory");
    const unsigned char *base = z->data + (size_t)t->i * el;
    if (ws_is_c_contiguous(t->ndim, t->shape, t->stride))
        return ws_sink_add(s, name, t->dtype, t->ndim, t->shape, (void *)base, 0, e);
    unsigned char *copy = malloc(bytes ? bytes : 1);
    if (!copy)
        return ws_fail(e, "%s: out of memory copying a non-contiguous tensor", name);
    ws_gather_strided(copy, base, el, t->ndim, t->shape, t->stride);
    if (ws_sink_add(s, name, t->dtype, t->ndim, t->shape, copy, 1, e) != 0) {
        free(copy);
        return -1;
    }
    return 0;
}

/* Same storage, offset, shape and stride as the first tensor seen on that
 * storage (remembered in the storage node's `storage` field). */
static int is_alias(ws_pk *t)
{
    ws_pk *first = t->storage->storage;
    if (!first) {
        t->storage->storage = t;
        return 0;
    }
    if (first == t)
        return 1;
    return first->i == t->i && first->ndim == t->ndim &&
           !memcmp(first->shape, t->shape, sizeof t->shape) &&
           !memcmp(first->stride, t->stride, sizeof t->stride);
}

static int add_state_dict(ws_sink *s, archive *a, const ws_pk *sd, ws_err *e)
{
    size_t added = 0;
    char aliases[1024] = "";   /* names left out as exact aliases */
    for (size_t i = 0; i + 1 < sd->n; i += 2) {
        const ws_pk *k = sd->items[i];
        ws_pk *t = sd->items[i + 1];
        if (k->kind != WS_PK_STR || t->kind != WS_PK_TENSOR)
            continue;
        if (strlen(k->s) != k->len || k->len == 0)
            return ws_fail(e, "a tensor name is empty or holds a NUL byte");
        if (is_alias(t)) {
            size_t used = strlen(aliases);
            if (used + k->len + 8 < sizeof aliases)
                snprintf(aliases + used, sizeof aliases - used, "%s%s", used ? ", " : "", k->s);
            else if (!strstr(aliases, "..."))
                snprintf(aliases + used, sizeof aliases - used, ", ...");
            continue;
        }
        if (add_tensor(s, a, k->s, t, e) != 0)
            return -1;
        added++;
    }
    if (added == 0)
        return ws_fail(e, "no tensors found in data.pkl");
    if (aliases[0] && ws_sink_meta(s, "aliases", aliases, e) != 0)
        return -1;
    return 0;
}

/* A 0-d or 1-element tensor's value (nanoGPT's best_val_loss). */
static int scalar_tensor(const archive *a, ws_pk *t, double *out)
{
    const ws_zip_entry *z = NULL;
    size_t numel = 0;
    float f;
    ws_err e;
    if (check_extent(a, "scalar", t, &z, &numel, &e) != 0 || numel != 1 ||
        ws_convert_to_f32(t->dtype, z->data + (size_t)t->i * (size_t)(ws_dtype_bits(t->dtype) / 8), &f,
                          1, &e) != 0)
        return -1;
    *out = f;
    return 0;
}

/* A plain value as JSON (NULL for containers and other objects). */
static json_t *to_json(const archive *a, ws_pk *v)
{
    double d;
    switch (v->kind) {
    case WS_PK_NONE: return json_null();
    case WS_PK_BOOL: return json_boolean(v->i);
    case WS_PK_INT: return json_integer((json_int_t)v->i);
    case WS_PK_FLOAT: return json_real(v->f);
    case WS_PK_STR: return json_stringn(v->s, v->len);
    case WS_PK_TENSOR: return scalar_tensor(a, v, &d) == 0 ? json_real(d) : NULL;
    default: return NULL;
    }
}

/* Metadata text of a plain value: JSON, except that strings are bare. */
static int set_meta_value(ws_sink *sink, const char *key, json_t *j, ws_err *e)
{
    if (json_is_string(j))
        return ws_sink_meta(sink, key, json_string_value(j), e);
    char *txt = json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(9));
    if (!txt)
        return ws_fail(e, "out of memory");
    int rc = ws_sink_meta(sink, key, txt, e);
    free(txt);
    return rc;
}

/* model_args fields become metadata keys of their own (n_head ...); config
 * is kept as one JSON object; iter_num and best_val_loss as values. */
static int add_checkpoint_meta(ws_sink *s, const archive *a, const ws_pk *root, ws_err *e)
{
    static const char *scalars[] = {"iter_num", "best_val_loss", "epoch", "step"};
    const ws_pk *args = ws_pk_dict_get(root, "model_args");
    const ws_pk *cfg = ws_pk_dict_get(root, "config");
    int rc = 0;
    for (size_t i = 0; args && args->kind == WS_PK_DICT && i + 1 < args->n && rc == 0; i += 2) {
        json_t *j = args->items[i]->kind == WS_PK_STR ? to_json(a, args->items[i + 1]) : NULL;
        if (j)
            rc = set_meta_value(s, args->items[i]->s, j, e);
        json_decref(j);
    }
    for (size_t i = 0; i < sizeof scalars / sizeof *scalars && rc == 0; i++) {
        ws_pk *v = ws_pk_dict_get(root, scalars[i]);
        json_t *j = v ? to_json(a, v) : NULL;
        if (j)
            rc = set_meta_value(s, scalars[i], j, e);
        json_decref(j);
    }
    if (rc == 0 && cfg && cfg->kind == WS_PK_DICT) {
        json_t *o = json_object();
        for (size_t i = 0; o && i + 1 < cfg->n; i += 2)
            if (cfg->items[i]->kind == WS_PK_STR)
                json_object_set_new(o, cfg->items[i]->s, to_json(a, cfg->items[i + 1]));
        rc = o ? set_meta_value(s, "config", o, e) : ws_fail(e, "out of memory");
        json_decref(o);
    }
    return rc;
}

int ws_torch_parse(ws_sink *s, const unsigned char *buf, size_t len, ws_err *e)
{
    archive a;
    memset(&a, 0, sizeof a);
    ws_pk_arena arena = {0};
    a.view_cap = len + WS_PT_MAX_VIEW_EXTRA;
    int rc = (a.names = json_object()) ? open_archive(&a, buf, len, e) : ws_fail(e, "out of memory");
    if (rc == 0) {
        const ws_zip_entry *pkl = entry(&a, "data.pkl");
        ws_pk *root = ws_pk_load(pkl->data, pkl->size, &arena, e);
        const ws_pk *sd = root ? find_state_dict(root, e) : NULL;
        rc = sd ? add_state_dict(s, &a, sd, e) : -1;
        if (rc == 0 && sd != root)
            rc = add_checkpoint_meta(s, &a, root, e);
    }
    ws_pk_arena_free(&arena);
    ws_zip_close(&a.zip);
    json_decref(a.names);
    return rc == 0 ? 0 : ws_err_printable(e);
}

int ws_torch_load(ws_sink *s, const char *path, ws_err *e)
{
    const unsigned char *buf = NULL;
    size_t len = 0;
    if (ws_map_file(s, path, &buf, &len, e) != 0 || ws_torch_parse(s, buf, len, e) != 0)
        return -1;
    ws_input_register_kind(path, WS_INPUT_MODEL);   /* the whole model is this file */
    return 0;
}
