/* Hugging Face model folders: the files beside a model (DESIGN.md §2).
 *
 * config.json. When a model is opened, the config.json in its folder (the
 * folder itself, or the folder of the file or index opened) gives what the
 * weights cannot say: n_head (num_attention_heads), n_layer, n_embd,
 * vocab_size, n_positions (the block size), layer_norm_epsilon,
 * activation_function (gelu = the erf form; gelu_new, gelu_pytorch_tanh,
 * gelu_fast = the tanh form) and tie_word_embeddings. Each becomes a
 * metadata key unless the model file's own metadata has it (the file wins),
 * so a fine-tune saved elsewhere keeps it. A config.json that is not a JSON
 * object, or whose n_embd or vocab_size disagree with the embedding's
 * shape, is not used; the model's config_note says why.
 *
 * Shards. A file named NAME-0000K-of-0000N.safetensors opened alone is one
 * shard of N: the model's shard_note says so (and that the folder, or its
 * index, opens the whole model), in a line that fits 80 columns.
 *
 * Title. Every HF model is called model.safetensors: the title of a model
 * opened as a folder, an index, a shard or a model.safetensors is the
 * folder's name. */
#ifndef WS_HF_FOLDER_H
#define WS_HF_FOLDER_H

#include <stddef.h>

#include "model.h"

/* Read the config.json beside `path` into m's metadata and note shards;
 * then recognise the model again. Never fails: what it could not use is in
 * m->config_note. */
void ws_hf_folder_apply(ws_model *m, const char *path);

/* The name to show for the model: its file name, or its folder's name. */
const char *ws_model_title(const ws_model *m, char *buf, size_t n);

#endif
