/* wscope eval's table (eval_table.h). */
#include "eval_table.h"

#include <math.h>

typedef struct eval_row {
    double loss;
    size_t windows;
    int T;
} eval_row;

/* arg: 0 loss, 1 perplexity, 2 windows, 3 tokens */
static double get_eval(const void *row, int arg)
{
    const eval_row *r = row;
    double v[] = {r->loss, exp(r->loss), (double)r->windows, (double)r->windows * r->T};
    return v[arg];
}

static const ws_colspec eval_cols[] = {
    {{"loss", "loss", WS_COL_NUM, "%.6f", "nats", "mean cross-entropy of the next token over the windows",
      WS_MORE_HIGHER, WS_COL_BARS}, get_eval, NULL, NULL, 0},
    {{"perplexity", "perplexity", WS_COL_NUM, "%.4g", "", "exp(loss)", WS_MORE_HIGHER, WS_COL_BARS},
     get_eval, NULL, NULL, 1},
    {{"windows", "windows", WS_COL_INT, NULL, "", "sequential windows of T tokens evaluated", WS_MORE_HIGHER, 0},
     get_eval, NULL, NULL, 2},
    {{"tokens", "tokens", WS_COL_INT, NULL, "", "tokens predicted: windows x T", WS_MORE_HIGHER, 0},
     get_eval, NULL, NULL, 3},
};

ws_table *ws_eval_table(double loss, size_t windows, int T)
{
    ws_table *t = ws_table_new_named("eval", "mean loss of the model over the sequential windows of the data");
    eval_row r = {loss, windows, T};
    if (!t || ws_table_add_specs(t, eval_cols, sizeof eval_cols / sizeof *eval_cols) < 0 ||
        ws_table_add_item(t, &r) < 0) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}
