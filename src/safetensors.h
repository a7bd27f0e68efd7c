/* safetensors: reader (mmap, every validation rule of the reference
 * implementation) and writer (sorted, 8-byte aligned header, atomic). */
#ifndef WS_SAFETENSORS_H
#define WS_SAFETENSORS_H

#include <stddef.h>
#include "error.h"
#include "model.h"

#define WS_ST_MAX_HEADER 100000000ULL

/* Parse and validate an in-memory safetensors image (`len` bytes) and add its
 * tensors and metadata to `m`; tensor data points into `buf`. */
int ws_st_parse(ws_model *m, const unsigned char *buf, size_t len, ws_err *e);

/* mmap `path` and parse it into `m` (the mapping is kept by the model). */
int ws_st_load(ws_model *m, const char *path, ws_err *e);

/* Load every shard named by a model.safetensors.index.json into `m`. */
int ws_st_load_index(ws_model *m, const char *index_path, ws_err *e);

/* Write tensors of `m` (raw bytes as stored) with metadata to `path`,
 * atomically (src/atomic.h). `flags`: WS_OUT_* of atomic.h. */
int ws_st_save(const ws_model *m, const char *path, ws_err *e);
int ws_st_save_flags(const ws_model *m, const char *path, unsigned flags, ws_err *e);

#endif
