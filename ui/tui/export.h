/* The TUI's export key: the figure of the current view in every figure
 * format (PNG, SVG, PDF). */
#ifndef WS_EXPORT_H
#define WS_EXPORT_H

#include "figure.h"
#include "table.h"
#include "tui.h"

/* The directory exports go to (outdir.h): the model's if we may write there, else
 * the current directory, else $TMPDIR. */
void tui_export_dir(const tui *t, char *buf, size_t n);

/* Write f as STEM.png, STEM.svg and STEM.pdf beside the model (in the
 * current directory when the model's directory is not writable) and show
 * the paths, or why not, in the info line. `f` NULL: show e's message.
 * Frees f. */
void tui_export(tui *t, ws_figure *f, const char *stem, const ws_err *e);

/* The table view's `e`: the bar chart of column `col` of `tab` (as
 * `wscope plot --bars`), written as TABLE-KEY.png, .svg and .pdf. */
void tui_export_bars(tui *t, const ws_table *tab, int col);

#endif
