/* PyTorch checkpoints written by torch.save (zip container + restricted
 * pickle): a state dict, or a nanoGPT ckpt.pt whose `model` key holds one
 * (its `model_args` become model metadata, so n_head is known). Tensor data
 * points into the file mapping; non-contiguous views are copied. Tensors
 * that alias an earlier one exactly (nanoGPT's tied lm_head) are left out,
 * as safetensors does, so the head reads as tied. */
#ifndef WS_TORCHFILE_H
#define WS_TORCHFILE_H

#include <stddef.h>

#include "error.h"
#include "sink.h"

/* The tensors of a .pt may together view at most the file's size plus this
 * many bytes (broadcast and overlapping views beyond it are refused). */
#define WS_PT_MAX_VIEW_EXTRA (64u << 20)

/* 1 if `buf` starts like a torch.save file (zip, or the legacy pickle magic). */
int ws_torch_sniff(const unsigned char *buf, size_t len);

int ws_torch_parse(ws_sink *s, const unsigned char *buf, size_t len, ws_err *e);
int ws_torch_load(ws_sink *s, const char *path, ws_err *e);

#endif
