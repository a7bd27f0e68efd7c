/* Off-screen cell grid (see cellbuf.h). */
#include "cellbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

int cb_init(cellbuf *cb, int rows, int cols)
{
    cb->rows = cb->cols = 0;
    cb->cells = NULL;
    return cb_resize(cb, rows, cols);
}

int cb_resize(cellbuf *cb, int rows, int cols)
{
    if (rows < 0 || cols < 0)
        return -1;
    size_t n = (size_t)rows * (size_t)cols;
    cb_cell *c = realloc(cb->cells, (n ? n : 1) * sizeof *c);
    if (!c)
        return -1;
    cb->cells = c;
    cb->rows = rows;
    cb->cols = cols;
    cb_clear(cb);
    return 0;
}

void cb_free(cellbuf *cb)
{
    free(cb->cells);
    cb->cells = NULL;
    cb->rows = cb->cols = 0;
}

void cb_clear(cellbuf *cb)
{
    cb_fill(cb, (cb_rect){0, 0, cb->rows, cb->cols}, " ", CB_DEFAULT, CB_DEFAULT, 0);
}

cb_cell *cb_at(cellbuf *cb, int y, int x)
{
    if (y < 0 || x < 0 || y >= cb->rows || x >= cb->cols)
        return NULL;
    return &cb->cells[(size_t)y * (size_t)cb->cols + (size_t)x];
}

const cb_cell *cb_at_c(const cellbuf *cb, int y, int x)
{
    return cb_at((cellbuf *)cb, y, x);
}

int cb_utf8_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    for (int i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

size_t cb_wrap_len(const char *s, int w)
{
    size_t n = 0, last_space = 0;
    for (int cells = 0; s[n]; cells++) {
        if (cells == w)
            return last_space ? last_space : n;
        if (s[n] == ' ')
            last_space = n;
        n += (size_t)cb_utf8_len(s + n);
    }
    return n;
}

const char *cb_wrap_next(const char *s, int w)
{
    s += cb_wrap_len(s, w);
    while (*s == ' ')
        s++;
    return s;
}

int cb_text_above(cellbuf *cb, int y, int x, int w, int max, const char *s, int attrs)
{
    int n = 0;
    for (const char *p = s; *p && n < max; p = cb_wrap_next(p, w))
        n++;
    n = n ? n : 1;
    const char *p = s;
    for (int line = y - n + 1; line <= y; line++) {
        cb_fill(cb, (cb_rect){line, x, 1, w}, " ", CB_DEFAULT, CB_DEFAULT, 0);
        size_t len = line < y ? cb_wrap_len(p, w) : strlen(p);   /* the last: the rest */
        int cells = 0;
        for (size_t i = 0; i < len; i += (size_t)cb_utf8_len(p + i))
            cells++;
        cb_text(cb, line, x, cells < w ? cells : w, p, attrs);
        p = line < y ? cb_wrap_next(p, w) : p + len;
    }
    return n;
}

void cb_set(cellbuf *cb, int y, int x, const char *glyph, uint32_t fg, uint32_t bg, int attrs)
{
    cb_cell *c = cb_at(cb, y, x);
    if (!c)
        return;
    int n = cb_utf8_len(glyph);
    memcpy(c->glyph, glyph, (size_t)n);
    c->glyph[n] = 0;
    c->fg = fg;
    c->bg = bg;
    c->attrs = (uint8_t)attrs;
}

void cb_fill(cellbuf *cb, cb_rect r, const char *glyph, uint32_t fg, uint32_t bg, int attrs)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            cb_set(cb, y, x, glyph, fg, bg, attrs);
}

int cb_text(cellbuf *cb, int y, int x, int maxw, const char *s, int attrs)
{
    /* Text quoting a file (a name, a parser's message) may hold control
     * bytes: they are drawn as visible escapes (src/escape.h). */
    char *esc = ws_text_is_clean(s) ? NULL : ws_escape_dup(s);
    if (esc)
        s = esc;
    int end = maxw < 0 ? cb->cols : x + maxw;
    int n = 0;
    while (*s && x + n < end) {
        int len = cb_utf8_len(s);
        char g[5];
        memcpy(g, s, (size_t)len);
        g[len] = 0;
        if ((unsigned char)g[0] < 0x20)
            g[0] = ' ', g[1] = 0;
        cb_set(cb, y, x + n, g, CB_DEFAULT, CB_DEFAULT, attrs);
        s += len;
        n++;
    }
    free(esc);
    return n;
}

int cb_printf(cellbuf *cb, int y, int x, int maxw, int attrs, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return cb_text(cb, y, x, maxw, buf, attrs);
}

char *cb_dump(const cellbuf *cb, cb_rect r)
{
    size_t cap = (size_t)(r.h > 0 ? r.h : 0) * ((size_t)(r.w > 0 ? r.w : 0) * 4 + 1) + 1;
    char *out = malloc(cap), *p = out;
    if (!out)
        return NULL;
    for (int y = r.y; y < r.y + r.h; y++) {
        for (int x = r.x; x < r.x + r.w; x++) {
            const cb_cell *c = cb_at_c(cb, y, x);
            const char *g = c ? c->glyph : " ";
            size_t n = strlen(g);
            memcpy(p, g, n);
            p += n;
        }
        *p++ = '\n';
    }
    *p = 0;
    return out;
}
