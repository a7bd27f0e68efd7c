/* The TUI's export key: the figure of the current view as PNG and SVG. */
#ifndef WS_EXPORT_H
#define WS_EXPORT_H

#include "figure.h"
#include "tui.h"

/* Write f as STEM.png and STEM.svg beside the model (in the current
 * directory when the model's directory is not writable) and show the paths,
 * or why not, in the info line. `f` NULL: show e's message. Frees f. */
void tui_export(tui *t, ws_figure *f, const char *stem, const ws_err *e);

#endif
