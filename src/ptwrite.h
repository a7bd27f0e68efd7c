/* Writing a model as wscope's .pt: nanoGPT's checkpoint in torch.save's
 * zip format, so a nanoGPT user picks up a wscope fine-tune in PyTorch.
 *
 * The archive (stored entries under "archive/", each file's data aligned to
 * 64 bytes as torch.save does, ZIP64 records when offsets pass 4 GiB):
 * data.pkl, byteorder ("little"), one data/K per storage, version ("3").
 * data.pkl is a pickle of protocol 2 holding the dict
 *   model          the network under nanoGPT's names (transformer.wte.weight,
 *                  transformer.h.N.attn.c_attn.weight, lm_head.weight ...) in
 *                  the canonical out × in orientation (HF Conv1D weights
 *                  transposed), dtype as stored (F32, F16, BF16, F64 and the
 *                  integer types; others as F32); a tied head is the
 *                  embedding's storage again, as torch.save writes a shared
 *                  tensor. A model of unknown layout keeps its own names.
 *                  Training state (optim.*, grid.*) and buffers stay out.
 *   model_args     n_layer, n_head (when known), n_embd, block_size, bias,
 *                  vocab_size
 *   iter_num       the metadata's train.step (or iter_num), else 0
 *   best_val_loss  a 0-d float32 tensor: the metadata's best_val_loss, else 1e9
 *   config         model_args and, from train.options, nanoGPT's names of
 *                  the training settings; the float ones as 0-d float64
 *                  tensors
 * No Python float appears (torch.load(weights_only=True) knows none before
 * torch 2.0), and no optimizer state. Tensors are written as
 * torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False,
 * OrderedDict()) with persistent ids ('storage', torch.XStorage, key,
 * 'cpu', numel): what torch.load and wscope's own reader take. */
#ifndef WS_PTWRITE_H
#define WS_PTWRITE_H

#include "error.h"
#include "model.h"

/* Is `path` a .pt / .pth name (any case)? */
int ws_pt_path(const char *path);

/* Write m to `path` atomically; `flags` as ws_atomic_open_flags. */
int ws_pt_save(const ws_model *m, const char *path, unsigned flags, ws_err *e);

#endif
