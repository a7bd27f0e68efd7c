/* An off-screen grid of terminal cells: what every renderer draws into.
 *
 * Renderers never call curses: they fill a cellbuf, the terminal layer
 * (term.c) copies it to the screen, and the tests compare it with golden
 * text. Each cell holds one glyph (an ASCII character or one UTF-8 encoded
 * character of display width 1), a foreground and a background colour, and
 * attributes.
 *
 * Colours are 32-bit values: CB_DEFAULT (the terminal's own colour),
 * CB_PAL(n) (palette entry n of 0..255, for the 16/8-colour tiers) or a
 * 24-bit 0xRRGGBB. The terminal layer maps them to what the terminal has. */
#ifndef WS_CELLBUF_H
#define WS_CELLBUF_H

#include <stddef.h>
#include <stdint.h>

#define CB_DEFAULT 0xff000000u
#define CB_PALBIT 0x01000000u
#define CB_PAL(n) (CB_PALBIT | (uint32_t)(n))
#define CB_IS_PAL(c) (((c) & 0xff000000u) == CB_PALBIT)
#define CB_IS_RGB(c) (((c) & 0xff000000u) == 0)

enum { CB_BOLD = 1, CB_REVERSE = 2, CB_UNDERLINE = 4, CB_DIM = 8 };

typedef struct cb_cell {
    char glyph[5];       /* NUL-terminated UTF-8, one display column */
    uint8_t attrs;
    uint32_t fg, bg;
} cb_cell;

typedef struct cellbuf {
    int rows, cols;
    cb_cell *cells;
} cellbuf;

/* A rectangle of cells: top-left corner and size. */
typedef struct cb_rect {
    int y, x, h, w;
} cb_rect;

/* 0 on success, -1 when out of memory. */
int cb_init(cellbuf *cb, int rows, int cols);
int cb_resize(cellbuf *cb, int rows, int cols);
void cb_free(cellbuf *cb);
void cb_clear(cellbuf *cb);

/* NULL when (y, x) is outside the buffer. */
cb_cell *cb_at(cellbuf *cb, int y, int x);
const cb_cell *cb_at_c(const cellbuf *cb, int y, int x);

/* Set one cell; ignored outside the buffer. `glyph` is one character. */
void cb_set(cellbuf *cb, int y, int x, const char *glyph, uint32_t fg, uint32_t bg, int attrs);
void cb_fill(cellbuf *cb, cb_rect r, const char *glyph, uint32_t fg, uint32_t bg, int attrs);

/* Write UTF-8 text starting at (y, x), one cell per character, clipped at
 * column x + maxw (maxw < 0: at the buffer's edge). Returns cells written. */
int cb_text(cellbuf *cb, int y, int x, int maxw, const char *s, int attrs);
int cb_printf(cellbuf *cb, int y, int x, int maxw, int attrs, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The glyphs of rows [y, y+h) as text, one line per row ending in '\n'.
 * Caller frees. For tests and debugging. */
char *cb_dump(const cellbuf *cb, cb_rect r);

/* Length in bytes of the UTF-8 character starting at s (1 for invalid). */
int cb_utf8_len(const char *s);

/* Word wrap: the bytes of s that go on one line of w cells (all of it when
 * it fits, else up to the last space that fits; a longer word is cut), and
 * where the next line starts (past that line and the spaces after it). */
size_t cb_wrap_len(const char *s, int w);
const char *cb_wrap_next(const char *s, int w);

/* s word-wrapped to w cells with its last line on row y and the others on
 * the rows above (cleared first), at most max lines: the last one takes the
 * rest, clipped. For a message longer than its line. Returns lines used. */
int cb_text_above(cellbuf *cb, int y, int x, int w, int max, const char *s, int attrs);

#endif
