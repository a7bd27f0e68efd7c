/* Inputs: every file wscope reads (model, shards, index, config, tokenizer,
 * training data, corpus, logs) is opened here, so that
 *   - a FIFO, device, socket or directory is refused before anything could
 *     block on it (opened with O_NONBLOCK, then checked with fstat), and
 *   - the file is remembered by device and inode, so no output may replace
 *     it under any spelling of its path (hard links, symlinks, "./x").
 * Writers (src/atomic.c) consult the registry before they write. */
#ifndef WS_INPUTS_H
#define WS_INPUTS_H

#include <stdio.h>

#include "error.h"

/* What an input is, for the refusal message and for `train --overwrite`,
 * which may replace a model that is one whole file, never a shard. */
typedef enum ws_input_kind {
    WS_INPUT_FILE = 0,     /* data, corpus, tokenizer, log, index, shard ... */
    WS_INPUT_MODEL,        /* a model that is this one file */
} ws_input_kind;

/* Open a regular file for reading and register it. Returns the descriptor
 * (O_CLOEXEC, blocking mode restored), or -1 with a message such as
 * "is a FIFO, not a regular file" or "No such file or directory".
 * The message does not repeat the path. */
int ws_input_open(const char *path, ws_err *e);
/* The same as a stdio stream ("rb"). */
FILE *ws_input_fopen(const char *path, ws_err *e);

/* Check without opening: 0 when `path` names a regular file (or, with
 * `dir_ok`, a directory), else -1 with the reason. */
int ws_input_check(const char *path, int dir_ok, ws_err *e);

/* Remember that `path` (which exists) is an input; a later call with
 * WS_INPUT_MODEL upgrades the kind. Missing files are ignored. */
void ws_input_register(const char *path);
void ws_input_register_kind(const char *path, ws_input_kind kind);

/* 1 when `path` names a registered input (by device and inode), else 0.
 * `kind` (may be NULL) receives its kind. */
int ws_input_lookup(const char *path, ws_input_kind *kind);
int ws_input_is_registered(const char *path);

/* "a FIFO", "a directory", "a character device" ... for a stat mode. */
const char *ws_file_type_name(unsigned mode);

#endif
