/* What a checkpoint keeps besides its tensors, told in a line each.
 *
 * Metadata values are text (safetensors __metadata__; nanoGPT's model_args
 * entries, iter_num, best_val_loss and config; wscope's train.* keys and
 * tokenizer). Short ones are shown as they are; long ones are summarised so
 * that `info` never dumps a 100 KB vocabulary:
 *   a tokenizer (a JSON object with "type" and a "vocab" array)
 *                    "word tokenizer, 4000 tokens (31 KB)"
 *   train.policy     "28 tensors: 25 train, 2 freeze, 1 grid:4 (2 frozen)"
 *   a JSON object    its keys and values "k=v k=v ..." when they fit in
 *                    `max` bytes, else "JSON object, 30 keys (2 KB)"
 *   other text       "N bytes of text" past `max` bytes. */
#ifndef WS_METADATA_H
#define WS_METADATA_H

#include <stddef.h>

/* The line for key=val, at most about `max` bytes of content (not escaped:
 * the caller escapes what it prints). Returns buf. */
const char *ws_meta_describe(const char *key, const char *val, size_t max, char *buf, size_t n);

/* 1 when the value is long enough to be summarised at `max`. */
int ws_meta_is_long(const char *val, size_t max);

#endif
