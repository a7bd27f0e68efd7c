/* A training run handed to PyTorch (DESIGN.md §4, "The same run on
 * PyTorch"): a directory that `python3 DIR/train.py` or `torchrun
 * --nproc_per_node N DIR/train.py` runs with nothing but torch and numpy.
 *
 * A job directory holds
 *   train.py            the script (src/export/train.py, built into wscope)
 *   plan.json           what to run: the network, each tensor's policy, the
 *                       optimizer, schedule, batches, seed (format below)
 *   random.safetensors  the values wscope draws for `random` tensors (its
 *                       generator, seeded by the seed and the tensor name),
 *                       canonical out × in, float32; only when there are any
 * and shares with the export
 *   init.safetensors    the starting weights: the network's tensors as the
 *                       model file has them (names, orientation, F32/F16/BF16)
 *                       with its metadata, training state left out
 *   train.bin, val.bin  the token ids after the split (uint16, nanoGPT's
 *                       format; train.u32 / val.u32 as uint32 when the
 *                       vocabulary needs it); val is absent when empty
 * plus README.txt. The run writes log.csv, final.safetensors and ckpt.pt
 * into the job directory.
 *
 * plan.json (version 1): "model" {weights, layout, n_layer, n_head, n_embd,
 * vocab_size, block_size, tied, bias, gelu ("exact"|"tanh"), ln_eps};
 * "tensors" [{name, role, layer, bias, ndim, rows, cols, file_shape,
 * transposed, policy}] in the network's order (rows × cols canonical; ndim
 * 2 decays); "random_values"; steps, batch, seq, seed, sampling, eval_every,
 * eval_batches, pr_every; "optimizer" {lr, min_lr, beta1, beta2, eps,
 * weight_decay, clip, schedule, warmup}; "data" {train, val, dtype,
 * n_train, n_val}; "outputs" {log, final, ckpt}; "train_options" (the
 * options as wscope's checkpoints record them); "source". Paths are
 * relative to the plan's directory. */
#ifndef WS_EXPORT_RUN_H
#define WS_EXPORT_RUN_H

#include <stddef.h>

#include "compare.h"
#include "data.h"
#include "error.h"
#include "model.h"
#include "train.h"

/* The script, embedded at build time (src/export_script.c, generated). */
extern const unsigned char ws_export_train_py[];
extern const size_t ws_export_train_py_len;

/* Export one run of `m` on `d` (split already) with options `o` (its rules)
 * into `dir`, which must not exist or be empty. `source` names the model
 * for the plan (may be NULL). Policies are applied here once, so a rule
 * that selects nothing or a rank too large fails as in `wscope train`. */
int ws_export_run(const ws_model *m, const ws_data *d, const ws_train_opts *o, const char *dir,
                  const char *source, ws_err *e);

/* Export `wscope compare`: one job per strategy × seed (seeds o->seed ...
 * o->seed + n_seeds − 1), each in DIR/NAME-seedS/ with its own plan and
 * script, sharing DIR's weights and data, plus DIR/run_all.sh and
 * DIR/README.txt listing the jobs. Each job evaluates at step 0 and at the
 * end, as compare does. */
int ws_export_compare(const ws_model *m, const ws_data *d, const ws_train_opts *o,
                      const ws_strategy *st, size_t n_strat, int n_seeds, const char *dir,
                      const char *source, ws_err *e);

#endif
