/* safetensors reader and writer.
 *
 * The reader applies every rule of the reference implementation, each with
 * its own message, because a malformed or malicious file must be refused
 * before any tensor is touched. */
#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "mapfile.h"

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        int len;
        uint32_t cp;
        if (c < 0x80) { i++; continue; }
        else if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
        else return 0;
        if (i + (size_t)len > n)
            return 0;
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += (size_t)len;
    }
    return 1;
}

/* A JSON number that is a non-negative integer below 2^53 (exact in a
 * double). Returns 1, 0 when not a non-negative integer, -1 when too large. */
static int json_uint(json_t *v, uint64_t *out)
{
    if (!json_is_number(v))
        return 0;
    double d = json_number_value(v);
    if (!(d >= 0) || d != floor(d))
        return 0;
    if (d > 9007199254740992.0)
        return -1;
    *out = (uint64_t)d;
    return 1;
}

typedef struct entry {
    const char *name;
    ws_dtype dt;
    int ndim;
    int64_t shape[WS_MAX_DIM];
    uint64_t begin, end;
} entry;

static int parse_entry(const char *name, json_t *v, entry *en, ws_err *e)
{
    if (!json_is_object(v))
        return ws_fail(e, "tensor \"%s\": entry is not a JSON object", name);
    json_t *dt = json_object_get(v, "dtype"), *sh = json_object_get(v, "shape"),
           *off = json_object_get(v, "data_offsets");
    if (!dt || !sh || !off)
        return ws_fail(e, "tensor \"%s\": missing %s", name, !dt ? "dtype" : !sh ? "shape" : "data_offsets");
    if (json_object_size(v) != 3)
        return ws_fail(e, "tensor \"%s\": unexpected keys besides dtype, shape, data_offsets", name);
    if (!json_is_string(dt) || ws_dtype_from_name(json_string_value(dt), &en->dt) != 0)
        return ws_fail(e, "tensor \"%s\": unknown dtype %s", name,
                       json_is_string(dt) ? json_string_value(dt) : "(not a string)");
    if (!json_is_array(sh))
        return ws_fail(e, "tensor \"%s\": shape is not an array", name);
    if (json_array_size(sh) > WS_MAX_DIM)
        return ws_fail(e, "tensor \"%s\": %zu dimensions (at most %d)", name, json_array_size(sh), WS_MAX_DIM);
    en->ndim = (int)json_array_size(sh);
    for (int i = 0; i < en->ndim; i++) {
        uint64_t d;
        int ok = json_uint(json_array_get(sh, (size_t)i), &d);
        if (ok < 0)
            return ws_fail(e, "tensor \"%s\": shape overflows (entry too large)", name);
        if (!ok)
            return ws_fail(e, "tensor \"%s\": shape entries must be non-negative integers", name);
        en->shape[i] = (int64_t)d;
    }
    if (!json_is_array(off) || json_array_size(off) != 2 ||
        json_uint(json_array_get(off, 0), &en->begin) != 1 || json_uint(json_array_get(off, 1), &en->end) != 1)
        return ws_fail(e, "tensor \"%s\": data_offsets must be two non-negative integers", name);
    en->name = name;
    return 0;
}

/* Byte size of an entry from its shape and dtype, with checked arithmetic. */
static int entry_nbytes(const entry *en, size_t *out, ws_err *e)
{
    size_t n = 1, bits;
    for (int i = 0; i < en->ndim; i++)
        if (!ws_mul_ok(n, (size_t)en->shape[i], &n))
            return ws_fail(e, "tensor \"%s\": shape overflows", en->name);
    if (!ws_mul_ok(n, (size_t)ws_dtype_bits(en->dt), &bits))
        return ws_fail(e, "tensor \"%s\": byte size overflows", en->name);
    if (bits % 8)
        return ws_fail(e, "tensor \"%s\": %zu bits is not a whole number of bytes", en->name, bits);
    *out = bits / 8;
    return 0;
}

static int cmp_begin(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int parse_metadata(ws_sink *s, json_t *meta, ws_err *e)
{
    if (!json_is_object(meta))
        return ws_fail(e, "__metadata__ must map strings to strings");
    const char *k;
    json_t *v;
    json_object_foreach(meta, k, v) {
        if (!json_is_string(v))
            return ws_fail(e, "__metadata__ must map strings to strings (\"%s\" is not a string)", k);
        if (ws_sink_meta(s, k, json_string_value(v), e) != 0)
            return -1;
    }
    return 0;
}

/* Walk the entries in offset order: contiguous from 0, sizes matching. */
static int check_offsets(entry *ents, size_t n, size_t data_len, ws_err *e)
{
    qsort(ents, n, sizeof *ents, cmp_begin);
    uint64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        entry *en = &ents[i];
        size_t nb = 0;
        if (en->end < en->begin)
            return ws_fail(e, "tensor \"%s\": data_offsets end (%llu) before they begin (%llu)", en->name,
                           (unsigned long long)en->end, (unsigned long long)en->begin);
        if (en->begin != pos)
            return ws_fail(e, "tensor \"%s\": data_offsets begin at %llu, expected %llu (%s)", en->name,
                           (unsigned long long)en->begin, (unsigned long long)pos,
                           en->begin > pos ? "a gap" : "an overlap");
        if (entry_nbytes(en, &nb, e) != 0)
            return -1;
        if (en->end - en->begin != nb)
            return ws_fail(e, "tensor \"%s\": data_offsets hold %llu bytes but shape x dtype needs %zu",
                           en->name, (unsigned long long)(en->end - en->begin), nb);
        if (en->end > data_len)
            return ws_fail(e, "tensor \"%s\": data runs past the end of the file (truncated?)", en->name);
        pos = en->end;
    }
    if (pos != data_len)
        return ws_fail(e, "%llu trailing bytes after the last tensor", (unsigned long long)(data_len - pos));
    return 0;
}

/* Parse one file into `s`. `seen` (NULL for a lone file, whose header
 * jansson already keeps free of duplicates) maps every tensor name loaded
 * so far to its shard `file`: a hash, so that loading stays linear in the
 * number of tensors. */
static int parse_into(ws_sink *s, const unsigned char *buf, size_t len, json_t *seen, const char *file,
                      ws_err *e)
{
    if (len < 8)
        return ws_fail(e, "too small for a safetensors header (%zu bytes)", len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | buf[i];
    if (n > WS_ST_MAX_HEADER)
        return ws_fail(e, "header size %llu exceeds the limit of %llu bytes (not a safetensors file?)",
                       (unsigned long long)n, WS_ST_MAX_HEADER);
    if (n > len - 8)
        return ws_fail(e, "header size %llu runs past the end of the file (%zu bytes; truncated?)",
                       (unsigned long long)n, len);
    const unsigned char *hdr = buf + 8;
    if (!utf8_valid(hdr, (size_t)n))
        return ws_fail(e, "header is not valid UTF-8");
    json_error_t jerr;
    json_t *root = json_loadb((const char *)hdr, (size_t)n,
                              JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_duplicate_key)
            return ws_fail(e, "duplicate tensor name in header (%s)", jerr.text);
        return ws_fail(e, "header is not valid JSON: %s at byte %d", jerr.text, jerr.position);
    }
    int rc = 0;
    size_t cap = json_object_size(root), ne = 0;
    entry *ents = calloc(cap ? cap : 1, sizeof *ents);
    if (!json_is_object(root)) {
        rc = ws_fail(e, "header is not a JSON object");
    } else if (!ents) {
        rc = ws_fail(e, "out of memory");
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(root, k, v) {
            if (!strcmp(k, "__metadata__"))
                rc = parse_metadata(s, v, e);
            else
                rc = parse_entry(k, v, &ents[ne++], e);
            if (rc)
                break;
        }
    }
    const unsigned char *data = buf + 8 + n;
    if (rc == 0)
        rc = check_offsets(ents, ne, len - 8 - (size_t)n, e);
    for (size_t i = 0; rc == 0 && i < ne; i++)
        if (seen && json_object_get(seen, ents[i].name))
            rc = ws_fail(e, "duplicate tensor name \"%s\"", ents[i].name);
        else if (seen && json_object_set_new_nocheck(seen, ents[i].name, json_string(file)) != 0)
            rc = ws_fail(e, "out of memory");
        else
            rc = ws_sink_add(s, ents[i].name, ents[i].dt, ents[i].ndim, ents[i].shape,
                             (void *)(data + ents[i].begin), 0, e);
    free(ents);
    json_decref(root);
    return rc;
}

int ws_st_parse(ws_sink *s, const unsigned char *buf, size_t len, ws_err *e)
{
    return parse_into(s, buf, len, NULL, NULL, e);
}

static int load_into(ws_sink *s, const char *path, json_t *seen, const char *file, ws_err *e)
{
    const unsigned char *buf = NULL;
    size_t len = 0;
    if (ws_map_file(s, path, &buf, &len, e) != 0)
        return -1;
    return parse_into(s, buf, len, seen, file, e);
}

int ws_st_load(ws_sink *s, const char *path, ws_err *e)
{
    return load_into(s, path, NULL, NULL, e);
}

int ws_st_load_model(ws_sink *s, const char *path, ws_err *e)
{
    if (ws_st_load(s, path, e) != 0)
        return -1;
    ws_input_register_kind(path, WS_INPUT_MODEL);
    return 0;
}

int ws_st_load_folder(ws_sink *s, const char *dir, ws_err *e)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
    if (stat(p, &st) == 0)
        return ws_st_load_index(s, p, e) == 0 ? 0 : ws_wrap(e, "model.safetensors.index.json");
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    if (stat(p, &st) != 0 && errno == ENOENT)   /* say what a model folder holds */
        return ws_fail(e, "not a model folder: no model.safetensors or model.safetensors.index.json in it");
    return ws_st_load_model(s, p, e) == 0 ? 0 : ws_wrap(e, "model.safetensors");
}

int ws_st_load_index(ws_sink *s, const char *index_path, ws_err *e)
{
    json_error_t jerr;
    FILE *fp = ws_input_fopen(index_path, e);
    if (!fp)
        return -1;
    json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
    fclose(fp);
    if (!root)
        return ws_fail(e, "index is not valid JSON: %s (line %d)", jerr.text, jerr.line);
    json_t *map = json_object_get(root, "weight_map");
    int rc = 0;
    if (!json_is_object(map) || json_object_size(map) == 0) {
        json_decref(root);
        return ws_fail(e, "index has no \"weight_map\" object");
    }
    char *dircopy = strdup(index_path);
    const char *dir = dircopy ? dirname(dircopy) : ".";
    json_t *loaded = json_object(), *seen = json_object();
    const char *name;
    json_t *file;
    json_object_foreach(map, name, file) {
        if (!json_is_string(file)) {
            rc = ws_fail(e, "index: shard of \"%s\" is not a file name", name);
            break;
        }
        const char *f = json_string_value(file);
        if (strchr(f, '/') || !strcmp(f, "..")) {
            rc = ws_fail(e, "index: shard name \"%s\" must be a plain file name", f);
            break;
        }
        if (json_object_get(loaded, f))
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, f);
        if (load_into(s, p, seen, f, e) != 0) {
            rc = ws_wrap(e, "shard %s", f);
            break;
        }
        json_object_set_new(loaded, f, json_true());
    }
    /* Every named tensor must be where the index says. */
    if (rc == 0)
        json_object_foreach(map, name, file) {
            json_t *where = json_object_get(seen, name);
            if (!where || strcmp(json_string_value(where), json_string_value(file))) {
                rc = ws_fail(e, "index names \"%s\" but shard %s does not hold it", name,
                             json_string_value(file));
                break;
            }
        }
    json_t *meta = json_object_get(root, "metadata");
    if (rc == 0 && json_is_object(meta)) {
        const char *k;
        json_t *v;
        json_object_foreach(meta, k, v) if (json_is_string(v)) ws_sink_meta(s, k, json_string_value(v), NULL);
    }
    json_decref(loaded);
    json_decref(seen);
    json_decref(root);
    free(dircopy);
    return rc;
}

static int cmp_tensor_name(const void *a, const void *b)
{
    const ws_tensor *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static void add_config_meta(const ws_model *m, json_t *meta)
{
    const ws_config *c = &m->cfg;
    char buf[32];
#define PUT(key, val) do { if (!json_object_get(meta, key)) { snprintf(buf, sizeof buf, "%d", (val)); \
        json_object_set_new(meta, key, json_string(buf)); } } while (0)
    if (c->n_layer > 0) PUT("n_layer", c->n_layer);
    if (c->n_embd > 0) PUT("n_embd", c->n_embd);
    if (c->n_head > 0 && c->n_head_known) PUT("n_head", c->n_head);
    if (c->vocab_size > 0) PUT("vocab_size", c->vocab_size);
    if (c->block_size > 0) PUT("block_size", c->block_size);
#undef PUT
}

/* Header JSON for tensors in `order`, offsets back to back. */
static char *build_header(const ws_model *m, ws_tensor **order, size_t *hlen, ws_err *e)
{
    json_t *root = json_object(), *meta = json_object();
    for (size_t i = 0; i < m->n_meta; i++)
        json_object_set_new(meta, m->meta_keys[i], json_string(m->meta_vals[i]));
    add_config_meta(m, meta);
    if (json_object_size(meta))
        json_object_set(root, "__metadata__", meta);
    json_decref(meta);
    uint64_t off = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        ws_tensor *t = order[i];
        json_t *shape = json_array();
        for (int d = 0; d < t->ndim; d++)
            json_array_append_new(shape, json_integer(t->shape[d]));
        json_object_set_new(root, t->name,
                            json_pack("{s:s, s:o, s:[I,I]}", "dtype", ws_dtype_name(t->dtype), "shape", shape,
                                      "data_offsets", (json_int_t)off, (json_int_t)(off + t->nbytes)));
        off += t->nbytes;
    }
    char *s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(root);
    if (!s) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    size_t n = strlen(s), padded = (n + 7) / 8 * 8;
    char *p = realloc(s, padded + 1);
    if (!p) {
        free(s);
        ws_fail(e, "out of memory");
        return NULL;
    }
    memset(p + n, ' ', padded - n); /* align the data to 8 bytes */
    p[padded] = 0;
    *hlen = padded;
    return p;
}

int ws_st_save(const ws_model *m, const char *path, ws_err *e)
{
    return ws_st_save_flags(m, path, 0, e);
}

int ws_st_save_flags(const ws_model *m, const char *path, unsigned flags, ws_err *e)
{
    ws_tensor **order = malloc((m->n_tensors ? m->n_tensors : 1) * sizeof *order);
    if (!order)
        return ws_fail(e, "out of memory");
    for (size_t i = 0; i < m->n_tensors; i++)
        order[i] = &m->tensors[i];
    qsort(order, m->n_tensors, sizeof *order, cmp_tensor_name);
    size_t hlen;
    char *hdr = build_header(m, order, &hlen, e);
    if (!hdr) {
        free(order);
        return -1;
    }
    ws_atomic a;
    int rc = ws_atomic_open_flags(&a, path, flags, e);
    if (rc == 0) {
        unsigned char len8[8];
        for (int i = 0; i < 8; i++)
            len8[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
        int ok = fwrite(len8, 1, 8, a.fp) == 8 && fwrite(hdr, 1, hlen, a.fp) == hlen;
        for (size_t i = 0; ok && i < m->n_tensors; i++)
            ok = order[i]->nbytes == 0 || fwrite(order[i]->data, 1, order[i]->nbytes, a.fp) == order[i]->nbytes;
        rc = ws_atomic_commit(&a, e);   /* a failed write shows here, with its reason */
    }
    free(hdr);
    free(order);
    return rc;
}
