/* Errors in the engine: returned, never printed or aborted on.
 *
 * Every fallible function takes a `ws_err *` (may be NULL) and returns -1
 * (or NULL) after filling it with a one-line message. The front end prints
 * it as "wscope: FILE: message". */
#ifndef WS_ERROR_H
#define WS_ERROR_H

#include <stddef.h>

typedef struct ws_err {
    char msg[512];
} ws_err;

/* Fill `e` (printf-style) and return -1, so callers can `return ws_fail(...)`. */
int ws_fail(ws_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the existing message with "what: ", for context. Returns -1. */
int ws_wrap(ws_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Escape control bytes and bytes that are not UTF-8 in the message
 * (src/escape.h): messages quote names read from files, which must not
 * reach a terminal raw or break the one-line form. Returns -1. */
int ws_err_printable(ws_err *e);

/* Checked size arithmetic: return 0 on overflow (and leave *out alone). */
int ws_mul_ok(size_t a, size_t b, size_t *out);
int ws_add_ok(size_t a, size_t b, size_t *out);

#endif
