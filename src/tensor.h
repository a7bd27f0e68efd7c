/* A named tensor as stored in a model file, plus the float32 view that every
 * analysis works on.
 *
 * The raw bytes stay where the reader put them (usually an mmap of the file).
 * `ws_tensor_f32()` converts to float32 on first use, in the canonical
 * orientation: weight matrices are out × in (rows × cols), so HF GPT-2's
 * Conv1D weights (in × out in the file) are transposed here, once. */
#ifndef WS_TENSOR_H
#define WS_TENSOR_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define WS_MAX_DIM 8

typedef enum ws_dtype {
    WS_DT_F32, WS_DT_F16, WS_DT_BF16, WS_DT_F64,
    WS_DT_I64, WS_DT_I32, WS_DT_I16, WS_DT_I8,
    WS_DT_U64, WS_DT_U32, WS_DT_U16, WS_DT_U8, WS_DT_BOOL,
    WS_DT_F8_E4M3, WS_DT_F8_E5M2,
    /* Known to the format but not convertible to float here. */
    WS_DT_C64, WS_DT_F4, WS_DT_F6_E2M3, WS_DT_F6_E3M2, WS_DT_F8_E8M0,
    WS_DT_F8_E4M3FNUZ, WS_DT_F8_E5M2FNUZ,
    WS_DT_COUNT
} ws_dtype;

/* Canonical GPT roles (DESIGN.md §2). */
typedef enum ws_role {
    WS_ROLE_NONE = 0,
    WS_ROLE_EMBED, WS_ROLE_POS_EMBED,
    WS_ROLE_LN1, WS_ROLE_QKV, WS_ROLE_ATTN_OUT,
    WS_ROLE_LN2, WS_ROLE_MLP_UP, WS_ROLE_MLP_DOWN,
    WS_ROLE_LN_F, WS_ROLE_HEAD,
    WS_ROLE_COUNT
} ws_role;

/* What a tensor is to the network (DESIGN.md §2). Every analysis and view
 * works on the network by default; training state and buffers are shown
 * apart and counted apart. */
typedef enum ws_kind {
    WS_KIND_NETWORK = 0,  /* a parameter of the network: a role, or the file's own weight */
    WS_KIND_BUFFER,       /* kept with the network but never trained (causal masks ...) */
    WS_KIND_STATE,        /* training state a checkpoint carries (AdamW moments, grid state) */
    WS_KIND_COUNT
} ws_kind;

typedef struct ws_stats {
    double mean, std, min, max, fro_norm;
    double zero_frac;          /* share of exact zeros */
    int64_t n_nan, n_inf;
} ws_stats;

typedef struct ws_tensor {
    char *name;
    ws_dtype dtype;
    int ndim;
    int64_t shape[WS_MAX_DIM];  /* as stored */
    int64_t numel;
    const unsigned char *data;  /* raw little-endian bytes (not owned unless data_owned) */
    size_t nbytes;
    int data_owned;

    /* Canonical matrix view: rows × cols. 1-D: 1 × n; N-D: shape[0] × rest. */
    int64_t rows, cols;
    int transposed;             /* 2-D stored as in × out (HF Conv1D) */

    ws_role role;
    int layer;                  /* block index, -1 when not per layer */
    int is_bias;
    ws_kind kind;

    pthread_mutex_t lock;       /* guards the lazy f32 and stats */
    float *f32;
    int f32_owned;
    ws_stats stats;
    int has_stats;
} ws_tensor;

const char *ws_dtype_name(ws_dtype dt);
int ws_dtype_from_name(const char *s, ws_dtype *out);
/* Bits per element (4, 6, 8, 16, 32, 64, 128). */
int ws_dtype_bits(ws_dtype dt);
int ws_dtype_is_float_convertible(ws_dtype dt);

const char *ws_role_name(ws_role r);
/* "network", "buffer", "training state". */
const char *ws_kind_name(ws_kind k);
/* Stored shape as text: "768x3072", "64", or "scalar". */
void ws_tensor_shape_text(const ws_tensor *t, char *buf, size_t n);
int ws_tensor_is_matrix(const ws_tensor *t);
/* A weight matrix of the network (not a bias, not training state or a
 * buffer): what fits and their views look at by default. */
int ws_tensor_is_weight_matrix(const ws_tensor *t);

/* Initialise the bookkeeping fields (lock, rows/cols) after name/dtype/shape/data are set. */
void ws_tensor_setup(ws_tensor *t);
void ws_tensor_release(ws_tensor *t);

/* Float32 data in canonical orientation (rows × cols, row-major). Thread-safe,
 * converted once. NULL with a message on an unconvertible dtype or no memory. */
const float *ws_tensor_f32(ws_tensor *t, ws_err *e);

/* Statistics over all elements (computed once, cached). */
int ws_tensor_stats(ws_tensor *t, ws_stats *out, ws_err *e);

/* Store an F32 tensor whose data it owns as `dt` (F32, F16 or BF16;
 * rounding to nearest, ties to even), in place. -1 with a message for other
 * dtypes or no memory. */
int ws_tensor_narrow(ws_tensor *t, ws_dtype dt, ws_err *e);

/* Convert `n` raw elements of `dt` to float (no transposition). */
int ws_convert_to_f32(ws_dtype dt, const void *src, float *dst, size_t n, ws_err *e);

float ws_half_to_float(uint16_t h);
float ws_bf16_to_float(uint16_t h);
uint16_t ws_float_to_half(float f);
uint16_t ws_float_to_bf16(float f);

#endif
