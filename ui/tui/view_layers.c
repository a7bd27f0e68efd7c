/* Layers view: the layers table of `wscope pr` (per weight matrix the
 * weight participation ratio, PC1 %, components for 95 %, stable rank,
 * WeightWatcher's α, α̂ and spikes, and the amplitude structure of its K=8
 * grid fit, with "vs noise" z-scores that fill in once the null baselines
 * are computed); sortable by any column, with a bar chart of a column down
 * the layers; Enter opens the matrix. */
#include <curses.h>
#include <stdlib.h>

#include "analysis_tables.h"
#include "antable.h"

static const key_binding layers_keys[] = {
    ANTABLE_KEYS("open the matrix as a heatmap", "open"),
};

/* The table of `wscope pr` (analysis_tables.h), with display names. */
static ws_table *layers_table(antable *v, const tui *t)
{
    ws_table *tab = ws_layers_table(v->a, 1);
    for (size_t i = 0; tab && i < v->a->n; i++)
        tui_table_name(tab, t, (int)i, v->a->mats[i].t);
    return tab;
}

static const char *const layers_hide[] = {"shape", NULL};

static void layers_open(antable *v, tui *t, int row)
{
    if (row >= 0 && (size_t)row < v->a->n)
        tui_push(t, view_matrix_new(t, v->a->mats[row].t));
}

static void layers_info(antable *v, cellbuf *cb, cb_rect info)
{
    cb_printf(cb, info.y, info.x, info.w, 0,
              "vs noise: z against %d Gaussian draws | PR: %s covariance | amps: grid K=%d, all "
              "layers PR %.2f (z %.1f)",
              v->a->o.null.n, v->a->o.centred ? "centred" : "uncentred", v->a->o.amp_k,
              v->a->amp_global.pr, v->a->amp_global_null[WS_LS_AMP_PR][WS_NULL_GAUSS].z);
}

static const antable_ops layers_ops = {
    WS_AN_LAYERS, 1, "layers table", layers_table, layers_hide, layers_open, layers_info,
};

static const view_class layers_class = {
    "layers", layers_keys, antable_draw, antable_action, antable_tick, antable_destroy,
};

view *view_layers_new(tui *t)
{
    ws_analysis *a = tui_analysis(t->model);
    if (!a || a->n == 0) {
        tui_message(t, a ? "no weight matrices with a role in this model" : "out of memory");
        return NULL;
    }
    antable *v = antable_new(&layers_class, &layers_ops, a);
    if (!v)
        return NULL;
    snprintf(v->base.title, sizeof v->base.title, "%zu matrices", a->n);
    return &v->base;
}
