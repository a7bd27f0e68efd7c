/* safetensors: reader (mmap, every validation rule of the reference
 * implementation) and writer (sorted, 8-byte aligned header, atomic). */
#ifndef WS_SAFETENSORS_H
#define WS_SAFETENSORS_H

#include <stddef.h>
#include "error.h"
#include "model.h"
#include "sink.h"

#define WS_ST_MAX_HEADER 100000000ULL

/* Parse and validate an in-memory safetensors image (`len` bytes) and hand
 * its tensors and metadata to `s`; tensor data points into `buf`. */
int ws_st_parse(ws_sink *s, const unsigned char *buf, size_t len, ws_err *e);

/* mmap `path` and parse it into `s` (the mapping is kept by the sink). */
int ws_st_load(ws_sink *s, const char *path, ws_err *e);

/* The same for a model that is this one file: registered as the input
 * model, which `train --overwrite` may replace (src/inputs.h). */
int ws_st_load_model(ws_sink *s, const char *path, ws_err *e);

/* Load every shard named by a model.safetensors.index.json into `s`. */
int ws_st_load_index(ws_sink *s, const char *index_path, ws_err *e);

/* A model folder: its model.safetensors.index.json if there is one, else
 * its model.safetensors. */
int ws_st_load_folder(ws_sink *s, const char *dir, ws_err *e);

/* Write tensors of `m` (raw bytes as stored) with metadata to `path`,
 * atomically (src/atomic.h). `flags`: WS_OUT_* of atomic.h. */
int ws_st_save(const ws_model *m, const char *path, ws_err *e);
int ws_st_save_flags(const ws_model *m, const char *path, unsigned flags, ws_err *e);

#endif
