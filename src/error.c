#include "error.h"
#include "escape.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int ws_fail(ws_err *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int ws_wrap(ws_err *e, const char *fmt, ...)
{
    if (e) {
        char buf[2 * sizeof e->msg];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof e->msg, fmt, ap);
        va_end(ap);
        if (n < 0)
            n = 0;
        if ((size_t)n > sizeof e->msg - 1)
            n = (int)sizeof e->msg - 1;
        /* "prefix: old message", cut to fit. */
        size_t k = (size_t)n;
        buf[k++] = ':';
        buf[k++] = ' ';
        size_t old = strnlen(e->msg, sizeof e->msg);
        memcpy(buf + k, e->msg, old);
        buf[k + old] = 0;
        memcpy(e->msg, buf, sizeof e->msg - 1);
        e->msg[sizeof e->msg - 1] = 0;
    }
    return -1;
}

int ws_mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

int ws_add_ok(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return 0;
    *out = a + b;
    return 1;
}

int ws_err_printable(ws_err *e)
{
    if (e && !ws_text_is_clean(e->msg)) {
        char copy[sizeof e->msg];
        memcpy(copy, e->msg, sizeof copy);
        ws_escape(e->msg, sizeof e->msg, copy);
    }
    return -1;
}
