/* The sink a file reader fills a model through.
 *
 * A reader (safetensors, torch.save, .npy ...) knows a file format and
 * nothing of `ws_model`'s insides: it hands each tensor, each metadata pair
 * and each file mapping to a sink. `ws_model_sink()` gives the sink that
 * fills a model; a test or a tool may supply another one (count tensors,
 * list names) without touching the readers. */
#ifndef WS_SINK_H
#define WS_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tensor.h"

typedef struct ws_sink {
    void *ctx;
    /* Add one tensor. `data` points into a kept mapping (own = 0) or is a
     * malloc'd buffer adopted on success (own = 1; on failure the reader
     * still owns it). Returns 0, or -1 with `e` set. */
    int (*add_tensor)(void *ctx, const char *name, ws_dtype dt, int ndim, const int64_t *shape,
                      void *data, int own, ws_err *e);
    /* 1 if a tensor of that name was already added. */
    int (*has_tensor)(void *ctx, const char *name);
    /* Set (or replace) one metadata pair. Returns 0, or -1 with `e` set. */
    int (*set_meta)(void *ctx, const char *key, const char *val, ws_err *e);
    /* Keep a read-only file mapping alive as long as the tensors pointing
     * into it; the sink unmaps it. Returns 0, or -1 when out of memory. */
    int (*keep_mapping)(void *ctx, void *addr, size_t len);
} ws_sink;

static inline int ws_sink_add(ws_sink *s, const char *name, ws_dtype dt, int ndim, const int64_t *shape,
                              void *data, int own, ws_err *e)
{
    return s->add_tensor(s->ctx, name, dt, ndim, shape, data, own, e);
}

static inline int ws_sink_has(ws_sink *s, const char *name)
{
    return s->has_tensor(s->ctx, name);
}

static inline int ws_sink_meta(ws_sink *s, const char *key, const char *val, ws_err *e)
{
    return s->set_meta(s->ctx, key, val, e);
}

static inline int ws_sink_keep(ws_sink *s, void *addr, size_t len)
{
    return s->keep_mapping(s->ctx, addr, len);
}

#endif
