/* The bundled sample models and their corpora: where they are.
 *
 * `wscope` with no MODEL opens WS_SAMPLE_BASE with WS_SAMPLE_TUNED as its
 * TUNED (drift) partner; the training view trains on WS_SAMPLE_CORPUS
 * beside them. The directory, in this order:
 *   1. $WSCOPE_SAMPLES when set (whatever it holds);
 *   2. the source tree's sample-models/, only for the wscope binary of the
 *      build tree (its own path, /proc/self/exe, is the build's wscope);
 *   3. the package data directory (configure's --datadir, /share/wscope);
 *   4. ../share/wscope beside the binary's directory (an installed tree
 *      that was moved, or staged with DESTDIR).
 * An installed binary never looks in the build tree. */
#ifndef WS_SAMPLES_H
#define WS_SAMPLES_H

#include <stddef.h>

#define WS_SAMPLE_BASE "moby-dick.safetensors"
#define WS_SAMPLE_TUNED "moby-dick-sotu.safetensors"
#define WS_SAMPLE_CORPUS "moby-dick.txt.gz"
#define WS_SAMPLE_ENV "WSCOPE_SAMPLES"

/* The directory (static storage; never NULL): the first of the list that
 * holds WS_SAMPLE_BASE, else the first that applies (for messages). */
const char *ws_sample_dir(void);
/* DIR/name in buf; 1 when that file is readable, 0 when not. */
int ws_sample_file(const char *name, char *buf, size_t n);

#endif
