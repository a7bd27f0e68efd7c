/* A model: named tensors, string metadata, and the recognised GPT layout. */
#ifndef WS_MODEL_H
#define WS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sink.h"
#include "tensor.h"

typedef enum ws_layout {
    WS_LAYOUT_UNKNOWN = 0,
    WS_LAYOUT_OURS,     /* tok_emb, blocks.N.attn.c_attn, blocks.N.mlp.0 ... */
    WS_LAYOUT_NANOGPT,  /* transformer.wte, transformer.h.N.mlp.c_fc ... */
    WS_LAYOUT_HF_GPT2,  /* wte, h.N.attn.c_attn (Conv1D, transposed) ... */
    WS_LAYOUT_EMBEDDING /* an embedding and no blocks (e.g. a lone embeddings.npy) */
} ws_layout;

typedef struct ws_config {
    int n_layer, n_head, n_embd, vocab_size, block_size;
    int n_head_known;   /* 0 when n_head was not in the metadata: ask the user */
    int tied;           /* head shares the embedding */
    int bias;           /* linear layers have biases */
    int gelu_tanh;      /* GELU tanh approximation instead of exact erf */
    float ln_eps;       /* LayerNorm epsilon (1e-5 unless the model says) */
    char act_unknown[32]; /* an activation_function training cannot do, or "" */
} ws_config;

struct ws_mapping;

typedef struct ws_model {
    char *path;
    ws_layout layout;
    ws_config cfg;
    size_t n_tensors;
    ws_tensor *tensors;
    size_t n_meta;
    char **meta_keys, **meta_vals;
    struct ws_mapping *maps;   /* file mappings to release */
    size_t n_maps;
    int64_t n_params;          /* sum of numel over every tensor */
    /* By kind (set by ws_model_recognise): tensors and values of the
     * network, its buffers and the training state. */
    size_t n_kind[WS_KIND_COUNT];
    int64_t params_kind[WS_KIND_COUNT];
    char name_prefix[64];      /* what every network name shares (names.h) */
    /* Files beside the model (hf_folder.h). */
    char *config_path;         /* the config.json used, or NULL */
    char config_keys[160];     /* the metadata keys it gave, space-separated */
    char config_note[256];     /* why a config.json was not used */
    char shard_note[200];      /* "one shard (1 of 2) ..." when opened alone */
    char layout_note[256];     /* why roles are off, for unknown layouts */
    ws_sink sink;              /* what readers fill it through (ws_model_sink) */
} ws_model;

const char *ws_layout_name(ws_layout l);

/* Open a model file by its contents: .safetensors, a sharded
 * model.safetensors.index.json (or a directory holding one), a torch.save
 * .pt / nanoGPT ckpt.pt, or a .npy array (the reader is picked in one
 * place, src/reader.c). Roles and config are recognised; an unknown naming
 * still loads. */
int ws_model_open(const char *path, ws_model **out, ws_err *e);
void ws_model_free(ws_model *m);

/* Build models in memory (init, training output). The tensor takes a copy
 * of nothing: `data` is adopted and freed with the model when `own` is set. */
ws_model *ws_model_new(void);
ws_tensor *ws_model_add(ws_model *m, const char *name, ws_dtype dt, int ndim,
                        const int64_t *shape, void *data, int own, ws_err *e);
int ws_model_set_meta(ws_model *m, const char *key, const char *val, ws_err *e);
const char *ws_model_meta(const ws_model *m, const char *key);

/* The sink that fills `m` (src/sink.h): what every file reader writes to.
 * Lives as long as the model. */
ws_sink *ws_model_sink(ws_model *m);

/* Assign roles/layers/orientation and derive the config. Called by open. */
void ws_model_recognise(ws_model *m);

ws_tensor *ws_model_find(const ws_model *m, const char *name);
/* Tensor with a role (layer ignored for non-layer roles); NULL if absent.
 * A tied model has no HEAD tensor: use EMBED. */
ws_tensor *ws_model_get(const ws_model *m, ws_role r, int layer, int is_bias);

/* Write the model atomically; the name picks the writer (here, in one
 * place): .pt / .pth is wscope's nanoGPT checkpoint (src/ptwrite.h: the
 * network only, no metadata beyond model_args), anything else safetensors
 * (all tensors as stored, F32/F16/BF16 kept, metadata and config). Refuses
 * to overwrite a file that was opened as an input. */
int ws_model_save(const ws_model *m, const char *path, ws_err *e);

/* What a weights-only save stores a weight in when its input held it as
 * `in` (NULL: unknown): F16 and BF16 kept, anything else F32. */
ws_dtype ws_weights_dtype_like(const ws_tensor *in);
/* Save weights `w` (float32, as trained) like their input `like`: each F32
 * tensor that `like` holds in F16 or BF16 (by name) is stored in that
 * dtype, the rest as it is (a weights-only save follows its input). */
int ws_model_save_like(const ws_model *w, const ws_model *like, const char *path, ws_err *e);
/* The same with ws_atomic_open_flags' flags. */
int ws_model_save_flags(const ws_model *m, const char *path, unsigned flags, ws_err *e);

/* Statistics of every tensor, in parallel over `threads` threads (0 = cores).
 * `progress(done, total, user)` may be NULL; returning nonzero cancels. */
int ws_model_stats_all(ws_model *m, int threads,
                       int (*progress)(size_t done, size_t total, void *user),
                       void *user, ws_err *e);

#endif
