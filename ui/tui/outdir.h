/* Where the TUI writes files (figures, training logs, saved and recovery
 * checkpoints): beside the model when its directory is writable (and not
 * the bundled samples' directory, samples.h: that stays as installed),
 * else the current directory, else $TMPDIR (or /tmp). No curses. */
#ifndef WS_OUTDIR_H
#define WS_OUTDIR_H

#include <stddef.h>

#include "model.h"

/* The directory (no trailing slash). */
void tui_output_dir(const ws_model *m, char *buf, size_t n);
/* The model file's name without directory and extension ("sample" for
 * .../sample.safetensors; "wscope" without a path). */
void tui_model_stem(const ws_model *m, char *buf, size_t n);
/* DIR/STEM-WHAT.EXT, or DIR/STEM-WHAT-2.EXT ... for the first name not in
 * use. -1 when 99 are taken. */
int tui_fresh_path(const ws_model *m, const char *what, const char *ext, char *buf, size_t n);

#endif
