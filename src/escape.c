#include "escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid, printable UTF-8 character at s (1..4), or 0 when the
 * byte at s must be escaped (a control, or not valid UTF-8). */
static int clean_char(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return c >= 0x20 && c != 0x7f;
    int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!len)
        return 0;
    unsigned cp = c & (0x7f >> len);
    for (int k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
        return 0;   /* overlong, out of range, a surrogate, or a C1 control */
    return len;
}

size_t ws_escape(char *out, size_t cap, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t need = 0, used = 0;
    int cut = 0;   /* a piece did not fit: nothing more is written */
    while (*s) {
        char esc[8];
        const char *piece = (const char *)s;
        int n = clean_char(s);
        size_t len = (size_t)n;
        if (!n) {
            if (*s == '\n' || *s == '\r' || *s == '\t')
                snprintf(esc, sizeof esc, "\\%c", *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't');
            else
                snprintf(esc, sizeof esc, "\\x%02x", *s);
            piece = esc;
            len = strlen(esc);
        }
        if (!cut && used + len < cap) {
            memcpy(out + used, piece, len);
            used += len;
        } else {
            cut = 1;
        }
        need += len;
        s += n ? n : 1;
    }
    if (cap)
        out[used] = 0;
    return need;
}

int ws_text_is_clean(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    for (int n; *s; s += n)
        if (!(n = clean_char(s)))
            return 0;
    return 1;
}

char *ws_escape_dup(const char *s)
{
    size_t n = ws_escape(NULL, 0, s);
    char *out = malloc(n + 1);
    if (out)
        ws_escape(out, n + 1, s);
    return out;
}
