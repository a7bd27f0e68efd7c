/* wscope info's tensor table (tensor_table.h). */
#include "tensor_table.h"

#include <math.h>

#include "names.h"

#define N_OF(a) (sizeof (a) / sizeof *(a))

/* arg: 0 name, 1 role (names.h), 2 dtype, 3 kind */
static const char *get_text(const void *row, int arg, char *buf, size_t n)
{
    const ws_tensor *t = row;
    switch (arg) {
    case 1: return ws_display_role(t, 1, buf, n);
    case 2: return ws_dtype_name(t->dtype);
    case 3: return ws_kind_name(t->kind);
    default: return t->name;
    }
}

static int get_shape(const void *row, int arg, int64_t dims[8])
{
    (void)arg;
    const ws_tensor *t = row;
    for (int i = 0; i < t->ndim && i < 8; i++)
        dims[i] = t->shape[i];
    return t->ndim < 8 ? t->ndim : 8;
}

/* arg: 0 layer, 1 bias, 2 transposed, 3 params */
static double get_num(const void *row, int arg)
{
    const ws_tensor *t = row;
    double v[] = {t->layer >= 0 ? t->layer : NAN, t->is_bias, t->transposed, (double)t->numel};
    return v[arg];
}

/* arg: 0 mean, 1 std, 2 min, 3 max, 4 Frobenius norm, 5 zeros, 6 NaN, 7 Inf */
static double get_stat(const void *row, int arg)
{
    const ws_tensor *t = row;
    if (!t->has_stats)
        return NAN;
    const ws_stats *s = &t->stats;
    double v[] = {s->mean, s->std, s->min, s->max, s->fro_norm, s->zero_frac, (double)s->n_nan, (double)s->n_inf};
    return v[arg];
}

static const ws_colspec tensor_cols[] = {
    {{"name", "name", WS_COL_STR, NULL, "", "the tensor's name in the file", WS_MORE_NONE, 0},
     NULL, get_text, NULL, 0},
    {{"role", "role", WS_COL_STR, NULL, "",
      "its role in the GPT layout @ its layer (.b: a bias); for training state its kind; buffer", WS_MORE_NONE, 0},
     NULL, get_text, NULL, 1},
    {{"kind", "kind", WS_COL_STR, NULL, "",
      "network (a parameter), buffer (kept, never trained) or training state (a checkpoint's)",
      WS_MORE_NONE, WS_COL_DATA}, NULL, get_text, NULL, 3},
    {{"layer", "layer", WS_COL_INT, NULL, "", "its layer index (none outside the layers)", WS_MORE_NONE,
      WS_COL_DATA}, get_num, NULL, NULL, 0},
    {{"bias", "bias", WS_COL_BOOL, NULL, "", "a bias vector", WS_MORE_NONE, WS_COL_DATA}, get_num, NULL, NULL, 1},
    {{"shape", "shape", WS_COL_SHAPE, NULL, "", "dimensions as stored in the file", WS_MORE_NONE, 0},
     NULL, NULL, get_shape, 0},
    {{"transposed", "T", WS_COL_BOOL, NULL, "",
      "stored in x out (HF Conv1D): the analyses read it transposed", WS_MORE_NONE, 0}, get_num, NULL, NULL, 2},
    {{"dtype", "dtype", WS_COL_STR, NULL, "", "element type as stored", WS_MORE_NONE, 0}, NULL, get_text, NULL, 2},
    {{"params", "params", WS_COL_INT, NULL, "", "number of elements", WS_MORE_HIGHER, WS_COL_BARS},
     get_num, NULL, NULL, 3},
};

static const ws_colspec stat_cols[] = {
    {{"mean", "mean", WS_COL_NUM, "%.4g", "", "mean of the values", WS_MORE_HIGHER, WS_COL_BARS},
     get_stat, NULL, NULL, 0},
    {{"std", "std", WS_COL_NUM, "%.4g", "", "standard deviation (population)", WS_MORE_HIGHER, WS_COL_BARS},
     get_stat, NULL, NULL, 1},
    {{"min", "min", WS_COL_NUM, "%.4g", "", "smallest value", WS_MORE_LOWER, 0}, get_stat, NULL, NULL, 2},
    {{"max", "max", WS_COL_NUM, "%.4g", "", "largest value", WS_MORE_HIGHER, 0}, get_stat, NULL, NULL, 3},
    {{"fro_norm", "norm", WS_COL_NUM, "%.4g", "", "Frobenius norm: sqrt of the sum of squares", WS_MORE_HIGHER,
      WS_COL_BARS}, get_stat, NULL, NULL, 4},
    {{"zero_frac", "zeros", WS_COL_NUM, "%.3g", "", "share of values exactly zero", WS_MORE_HIGHER, WS_COL_BARS},
     get_stat, NULL, NULL, 5},
    {{"nan", "NaN", WS_COL_INT, NULL, "", "values that are NaN", WS_MORE_HIGHER, 0}, get_stat, NULL, NULL, 6},
    {{"inf", "Inf", WS_COL_INT, NULL, "", "values that are infinite", WS_MORE_HIGHER, 0}, get_stat, NULL, NULL, 7},
};

ws_table *ws_tensor_table(const ws_model *m, int stats, int all)
{
    ws_table *t = ws_table_new_named("tensors", "every tensor of the file, in file order");
    if (!t || ws_table_add_specs(t, tensor_cols, N_OF(tensor_cols)) < 0 ||
        (stats && ws_table_add_specs(t, stat_cols, N_OF(stat_cols)) < 0)) {
        ws_table_free(t);
        return NULL;
    }
    for (size_t i = 0; i < m->n_tensors; i++)
        if ((all || m->tensors[i].kind != WS_KIND_STATE) && ws_table_add_item(t, &m->tensors[i]) < 0) {
            ws_table_free(t);
            return NULL;
        }
    return t;
}
