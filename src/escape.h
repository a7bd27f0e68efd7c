/* Text that came from a file, made safe to print or draw.
 *
 * Tensor names, metadata and parser messages are read from files and may
 * hold anything: an ESC sequence that recolours or clears the terminal, a
 * newline that breaks a one-line error in two, bytes that are not UTF-8.
 * Everything from a file goes through ws_escape before it reaches a
 * terminal, a table, the TUI or a figure: control bytes (C0, DEL, and the
 * C1 controls U+0080..U+009F) and bytes that are not valid UTF-8 become
 * visible escapes (\n, \r, \t, else \xNN); valid UTF-8 text is unchanged. */
#ifndef WS_ESCAPE_H
#define WS_ESCAPE_H

#include <stddef.h>

/* Escape `s` into out[cap] (always NUL-terminated when cap > 0, cut at a
 * whole escape or character). Returns the length the whole escape needs,
 * like snprintf. */
size_t ws_escape(char *out, size_t cap, const char *s);

/* 1 when `s` needs no escaping. */
int ws_text_is_clean(const char *s);

/* A malloc'd escaped copy (NULL when out of memory). */
char *ws_escape_dup(const char *s);

#endif
