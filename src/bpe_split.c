/* GPT-2's pre-tokenisation pattern, by hand over UTF-8 (the rules are in
 * bpe.h). */
#include <unicode/uchar.h>

#include "bpe.h"
#include "tok_kind.h"

enum cls { LETTER, NUMBER, SPACE, OTHER };

/* ASCII classes: letters, digits, JavaScript's \s (TAB..CR, space), other. */
static const unsigned char ascii_cls[128] = {
#define O OTHER
#define S SPACE
#define N NUMBER
#define L LETTER
    O, O, O, O, O, O, O, O, O, S, S, S, S, S, O, O,
    O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
    S, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
    N, N, N, N, N, N, N, N, N, N, O, O, O, O, O, O,
    O, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L, L, L, L, O, O, O, O, O,
    O, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L,
    L, L, L, L, L, L, L, L, L, L, L, O, O, O, O, O,
#undef O
#undef S
#undef N
#undef L
};

/* JavaScript's \s beyond ASCII: Unicode's space separators (as of the
 * ECMAScript tables: no U+0085, U+180E) plus U+2028, U+2029 and U+FEFF. */
static int js_space(uint32_t c)
{
    return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* Class of the character at p[0, n) (n >= 1) and its length in *k. */
static enum cls cls_at(const unsigned char *p, size_t n, size_t *k)
{
    if (p[0] < 0x80) {
        *k = 1;
        return (enum cls)ascii_cls[p[0]];
    }
    uint32_t cp;
    *k = ws_utf8_char(p, n, &cp);
    if (*k == 0) {   /* not UTF-8: one byte, "other" */
        *k = 1;
        return OTHER;
    }
    if (js_space(cp))
        return SPACE;
    uint32_t mask = U_GET_GC_MASK((UChar32)cp);
    return mask & U_GC_L_MASK ? LETTER : mask & U_GC_N_MASK ? NUMBER : OTHER;
}

/* 's 't 're 've 'm 'll 'd at p[i] (which is '): the end, else 0. */
static size_t contraction(const unsigned char *p, size_t i, size_t len)
{
    unsigned char a = i + 1 < len ? p[i + 1] : 0, b = i + 2 < len ? p[i + 2] : 0;
    if (a == 's' || a == 't' || a == 'm' || a == 'd')
        return i + 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
        return i + 3;
    return 0;
}

size_t ws_bpe_piece_end(const unsigned char *p, size_t i, size_t len)
{
    size_t k, j;
    if (p[i] == '\'' && (j = contraction(p, i, len)))
        return j;
    enum cls c = cls_at(p + i, len - i, &k);
    j = i;
    if (p[i] == ' ' && i + 1 < len) {   /* " ?" before a run that is not white space */
        size_t k2;
        enum cls c2 = cls_at(p + i + 1, len - i - 1, &k2);
        if (c2 != SPACE) {
            c = c2;
            j = i + 1;
            k = k2;
        }
    }
    if (c != SPACE) {   /* a run of letters, of numbers, or of other characters */
        for (j += k; j < len && cls_at(p + j, len - j, &k) == c; j += k)
            ;
        return j;
    }
    /* White space: all of it at the end of the text; else all but the last
     * character (which goes with what follows), unless it is alone. */
    size_t last = i;
    for (j = i; j < len && cls_at(p + j, len - j, &k) == SPACE; j += k)
        last = j;
    return j == len || last == i ? j : last;
}
