/* The figures' font: 5x7 glyphs (ASCII with descenders, a few symbols) designed for wscope
 * in tools/font5x7.txt. The PNG back end strokes each glyph: every ink cell
 * is joined to its ink neighbours by an antialiased line, so the text scales
 * smoothly to any size. */
#ifndef WS_FIGURE_FONT_H
#define WS_FIGURE_FONT_H

#define WS_FONT_ROWS 9     /* caps on rows 0..6, descenders on rows 7..8 */
#define WS_FONT_COLS 5
#define WS_FONT_ADVANCE 6  /* cells from one glyph to the next */
#define WS_FONT_EM 11      /* font size in cells (line height) */

/* Glyph of character c (32..126): row r, bit (4 - column). */
extern const unsigned char ws_font5x7[95][WS_FONT_ROWS];
/* The glyph of a Unicode code point (ASCII and a few symbols: ² ᵀ λ μ σ
 * − × ≤), or NULL. */
const unsigned char *ws_font_glyph(unsigned cp);

#endif
