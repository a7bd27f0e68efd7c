/* Shared by the fuzz harnesses (fuzz/README.md): the libFuzzer entry
 * points, and a scratch directory for harnesses whose parser reads files. */
#ifndef WS_FUZZ_H
#define WS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private directory for this process (created on first use, removed at
 * exit) and "DIR/name" in it (a static buffer per call site is enough: one
 * input at a time). */
const char *fuzz_dir(void);
const char *fuzz_path(const char *name, char *buf, size_t n);
/* Write `size` bytes to `path` (replacing it); 0 or -1. */
int fuzz_write(const char *path, const uint8_t *data, size_t size);

/* What a reader's output goes through next, as `wscope info` does it: roles
 * and layout recognised, then every tensor's statistics (float32
 * conversion included). Frees the model. */
struct ws_model;
void fuzz_use_model(struct ws_model *m);

#endif
