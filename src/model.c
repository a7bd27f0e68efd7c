#include "model.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "atomic.h"
#include "hf_folder.h"
#include "ptwrite.h"
#include "reader.h"
#include "safetensors.h"

struct ws_mapping {
    void *addr;
    size_t len;
};

const char *ws_layout_name(ws_layout l)
{
    switch (l) {
    case WS_LAYOUT_OURS: return "blocks (tok_emb, blocks.N.*)";
    case WS_LAYOUT_NANOGPT: return "nanoGPT";
    case WS_LAYOUT_HF_GPT2: return "HF GPT-2";
    case WS_LAYOUT_EMBEDDING: return "embedding only";
    default: return "unknown";
    }
}

static int sink_add(void *ctx, const char *name, ws_dtype dt, int ndim, const int64_t *shape, void *data,
                    int own, ws_err *e)
{
    return ws_model_add(ctx, name, dt, ndim, shape, data, own, e) ? 0 : -1;
}

static int sink_has(void *ctx, const char *name)
{
    return ws_model_find(ctx, name) != NULL;
}

static int sink_meta(void *ctx, const char *key, const char *val, ws_err *e)
{
    return ws_model_set_meta(ctx, key, val, e);
}

/* Keep a file mapping alive as long as the model. */
static int sink_keep(void *ctx, void *addr, size_t len)
{
    ws_model *m = ctx;
    struct ws_mapping *n = realloc(m->maps, (m->n_maps + 1) * sizeof *n);
    if (!n)
        return -1;
    m->maps = n;
    m->maps[m->n_maps++] = (struct ws_mapping){addr, len};
    return 0;
}

ws_model *ws_model_new(void)
{
    ws_model *m = calloc(1, sizeof(ws_model));
    if (m)
        m->sink = (ws_sink){m, sink_add, sink_has, sink_meta, sink_keep};
    return m;
}

ws_sink *ws_model_sink(ws_model *m)
{
    return &m->sink;
}

void ws_model_free(ws_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_tensors; i++)
        ws_tensor_release(&m->tensors[i]);
    free(m->tensors);
    for (size_t i = 0; i < m->n_meta; i++) {
        free(m->meta_keys[i]);
        free(m->meta_vals[i]);
    }
    free(m->meta_keys);
    free(m->meta_vals);
    for (size_t i = 0; i < m->n_maps; i++)
        munmap(m->maps[i].addr, m->maps[i].len);
    free(m->maps);
    free(m->path);
    free(m->config_path);
    free(m);
}

ws_tensor *ws_model_add(ws_model *m, const char *name, ws_dtype dt, int ndim,
                        const int64_t *shape, void *data, int own, ws_err *e)
{
    if (ndim < 0 || ndim > WS_MAX_DIM) {
        ws_fail(e, "%s: %d dimensions (at most %d)", name, ndim, WS_MAX_DIM);
        return NULL;
    }
    /* The array doubles when full (capacity: 16, then the next power of two
     * at or above n_tensors), so adding n tensors copies O(n), not O(n²). */
    size_t n_now = m->n_tensors;
    if (n_now == 0 || (n_now >= 16 && !(n_now & (n_now - 1)))) {
        size_t cap = n_now ? 2 * n_now : 16;
        ws_tensor *n = realloc(m->tensors, cap * sizeof *n);
        if (!n) {
            ws_fail(e, "out of memory");
            return NULL;
        }
        m->tensors = n;
    }
    ws_tensor *t = &m->tensors[m->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    if (!t->name) {
        ws_fail(e, "out of memory");
        return NULL;
    }
    t->dtype = dt;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    t->data = data;
    t->data_owned = own;
    ws_tensor_setup(t);
    t->nbytes = (size_t)t->numel * (size_t)ws_dtype_bits(dt) / 8;
    m->n_tensors++;
    m->n_params += t->numel;
    return t;
}

int ws_model_set_meta(ws_model *m, const char *key, const char *val, ws_err *e)
{
    for (size_t i = 0; i < m->n_meta; i++)
        if (!strcmp(m->meta_keys[i], key)) {
            char *v = strdup(val);
            if (!v)
                return ws_fail(e, "out of memory");
            free(m->meta_vals[i]);
            m->meta_vals[i] = v;
            return 0;
        }
    char **k = realloc(m->meta_keys, (m->n_meta + 1) * sizeof *k);
    if (!k)
        return ws_fail(e, "out of memory");
    m->meta_keys = k;
    char **v = realloc(m->meta_vals, (m->n_meta + 1) * sizeof *v);
    if (!v)
        return ws_fail(e, "out of memory");
    m->meta_vals = v;
    m->meta_keys[m->n_meta] = strdup(key);
    m->meta_vals[m->n_meta] = strdup(val);
    if (!m->meta_keys[m->n_meta] || !m->meta_vals[m->n_meta]) {
        free(m->meta_keys[m->n_meta]);
        free(m->meta_vals[m->n_meta]);
        return ws_fail(e, "out of memory");
    }
    m->n_meta++;
    return 0;
}

const char *ws_model_meta(const ws_model *m, const char *key)
{
    for (size_t i = 0; i < m->n_meta; i++)
        if (!strcmp(m->meta_keys[i], key))
            return m->meta_vals[i];
    return NULL;
}

ws_tensor *ws_model_find(const ws_model *m, const char *name)
{
    for (size_t i = 0; i < m->n_tensors; i++)
        if (!strcmp(m->tensors[i].name, name))
            return &m->tensors[i];
    return NULL;
}

ws_tensor *ws_model_get(const ws_model *m, ws_role r, int layer, int is_bias)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        ws_tensor *t = &m->tensors[i];
        if (t->role == r && !t->is_bias == !is_bias && (t->layer < 0 || t->layer == layer))
            return t;
    }
    return NULL;
}

int ws_model_open(const char *path, ws_model **out, ws_err *e)
{
    *out = NULL;
    ws_model *m = ws_model_new();
    if (!m || !(m->path = strdup(path))) {
        ws_model_free(m);
        return ws_fail(e, "out of memory");
    }
    if (ws_read_model(ws_model_sink(m), path, e) != 0) {
        ws_model_free(m);
        return -1;
    }
    /* Every file read was registered as an input when it was opened. */
    ws_model_recognise(m);
    ws_hf_folder_apply(m, path);
    *out = m;
    return 0;
}

ws_dtype ws_weights_dtype_like(const ws_tensor *in)
{
    return in && (in->dtype == WS_DT_F16 || in->dtype == WS_DT_BF16) ? in->dtype : WS_DT_F32;
}

/* Tensor t of w into out: its own bytes, or a narrowed copy. */
static int add_like(ws_model *out, const ws_tensor *t, const ws_model *like, ws_err *e)
{
    ws_dtype dt = t->dtype == WS_DT_F32 ? ws_weights_dtype_like(ws_model_find(like, t->name)) : t->dtype;
    if (dt == t->dtype)
        return ws_model_add(out, t->name, t->dtype, t->ndim, t->shape, (void *)t->data, 0, e) ? 0 : -1;
    void *copy = malloc(t->nbytes ? t->nbytes : 1);
    if (!copy)
        return ws_fail(e, "out of memory");
    memcpy(copy, t->data, t->nbytes);
    ws_tensor *x = ws_model_add(out, t->name, t->dtype, t->ndim, t->shape, copy, 1, e);
    if (!x) {
        free(copy);
        return -1;
    }
    return ws_tensor_narrow(x, dt, e);
}

int ws_model_save_like(const ws_model *w, const ws_model *like, const char *path, ws_err *e)
{
    ws_model *out = ws_model_new();
    int rc = out ? 0 : ws_fail(e, "out of memory");
    for (size_t i = 0; !rc && i < w->n_tensors; i++)
        rc = add_like(out, &w->tensors[i], like, e);
    for (size_t i = 0; !rc && i < w->n_meta; i++)
        rc = ws_model_set_meta(out, w->meta_keys[i], w->meta_vals[i], e);
    if (!rc) {
        ws_model_recognise(out);
        rc = ws_model_save(out, path, e);
    }
    ws_model_free(out);
    return rc;
}

int ws_model_save(const ws_model *m, const char *path, ws_err *e)
{
    return ws_model_save_flags(m, path, 0, e);
}

int ws_model_save_flags(const ws_model *m, const char *path, unsigned flags, ws_err *e)
{
    return ws_pt_path(path) ? ws_pt_save(m, path, flags, e) : ws_st_save_flags(m, path, flags, e);
}
