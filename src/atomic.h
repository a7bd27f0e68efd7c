/* Writing files without ever destroying one.
 *
 * A regular file is written to a temporary file beside it
 * (".NAME.wscope-tmp.PID"), flushed, fsync'd and renamed over the target,
 * then the directory is fsync'd: a crash, a full disk or a signal leaves
 * the old file or the complete new one, never a truncated file. Temporary
 * files of processes that are gone (kill -9, power loss) are removed by the
 * next write into the same directory.
 *
 * What may be written (ws_output_check, also applied by ws_atomic_open):
 *   - never a registered input (src/inputs.h), under any name;
 *   - a symbolic link is followed: its target is replaced, the link stays;
 *   - a FIFO or character device (-o /dev/stdout) is written in place,
 *     never renamed over; a directory, block device or socket is refused;
 *   - the directory must exist and be writable.
 *
 * Every byte goes through write(2), fsync(2), close(2) and rename(2)
 * called from this file, so tests can inject failures with an LD_PRELOAD
 * shim (tests/faultinject.c). */
#ifndef WS_ATOMIC_H
#define WS_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "inputs.h"

/* Flags of ws_output_check / ws_atomic_open_flags. */
enum {
    /* May replace an input that is a whole one-file model (train --overwrite);
     * never a shard, an index or any other input. */
    WS_OUT_REPLACE_MODEL = 1,
};

typedef struct ws_atomic {
    FILE *fp;          /* write here */
    char *path;        /* the target (a symbolic link resolved) */
    char *tmp;         /* the temporary file; NULL when written in place */
    int existed;       /* the target existed (the message says it is unchanged) */
    int slot;          /* signal-cleanup slot, -1 when none */
    struct ws_atomic_sink *sink;
} ws_atomic;

/* 0 when `path` may be written (see above), else -1 with the reason. */
int ws_output_check(const char *path, unsigned flags, ws_err *e);

/* 1 when the two output paths name the same file (existing or not). */
int ws_output_same(const char *a, const char *b);

/* Start writing `path`. Refuses what ws_output_check refuses. */
int ws_atomic_open(ws_atomic *a, const char *path, ws_err *e);
int ws_atomic_open_flags(ws_atomic *a, const char *path, unsigned flags, ws_err *e);
/* Flush, fsync, rename. Always releases `a`. On failure the message says
 * what failed and that the old file is unchanged (or nothing was written). */
int ws_atomic_commit(ws_atomic *a, ws_err *e);
/* Give up: remove the temporary file, release `a`. */
void ws_atomic_abort(ws_atomic *a);

/* Write a whole buffer to `path` atomically. */
int ws_atomic_write(const char *path, const void *buf, size_t len, ws_err *e);

/* For a fatal-signal handler (async-signal-safe): remove the temporary
 * files of saves in progress. Returns how many there were; `*target`
 * (may be NULL) gets the path of one of them being saved, or NULL. */
int ws_atomic_remove_temps(const char **target);

/* The temporary-file name for `path` and process `pid` ("dir/.NAME.wscope-tmp.PID"),
 * malloc'd; NULL when out of memory. */
char *ws_atomic_temp_name(const char *path, long pid);

#endif
