/* Layers view: per weight matrix (layer × role) the weight participation
 * ratio, PC1 %, components for 95 %, stable rank and the amplitude
 * structure of its K=8 grid fit; sortable by any column, with a bar chart
 * of a column down the layers; Enter opens the matrix. */
#include <curses.h>
#include <stdlib.h>

#include "antable.h"

static const char *const col_names[] = {"PR", "PC1%", "c95", "srank", "ampPR", "ampPC1%",
                                        "amp95", "max|r|", "kurt"};
static const char *const col_fmts[] = {"%8.2f", "%6.1f", "%5.0f", "%7.2f", "%6.2f", "%7.1f",
                                       "%5.0f", "%6.3f", "%7.1f"};
enum { NCOLS = 9 };

static const key_binding layers_keys[] = {
    ANTABLE_KEYS("open the matrix as a heatmap", "open"),
};

static void fill_row(numtable *tab, int r, const ws_mat_result *m)
{
    double *v = tab->v + (size_t)r * NCOLS;
    if (m->pr.status == WS_AS_OK) {
        v[0] = m->pr.pr, v[1] = 100 * m->pr.pc1, v[2] = m->pr.comps95, v[3] = m->pr.stable_rank;
    }
    if (m->amp.status == WS_AS_OK) {
        v[4] = m->amp.pr, v[5] = 100 * m->amp.pc1, v[6] = m->amp.comps95;
        v[7] = m->amp.max_corr, v[8] = m->amp.kurtosis;
    }
    ws_astatus st = m->pr.status != WS_AS_OK ? m->pr.status : m->amp.status;
    if (st != WS_AS_OK)
        snprintf(tab->status[r], sizeof tab->status[r], "%s", ws_astatus_text(st));
}

static int layers_fill(antable *v, tui *t)
{
    ws_analysis *a = v->a;
    if (numtable_init(&v->tab, (int)a->n + 1, NCOLS, col_names, col_fmts) < 0)
        return -1;
    v->tab.label_w = 30;
    for (size_t i = 0; i < a->n; i++) {
        const ws_tensor *x = a->mats[i].t;
        antable_label(v, t, (int)i, x);
        fill_row(&v->tab, (int)i, &a->mats[i]);
    }
    /* Last row: the amplitudes of every per-layer matrix together. */
    int g = (int)a->n;
    snprintf(v->tab.label[g], NT_LABEL, "(all layers)");
    snprintf(v->tab.sub[g], sizeof v->tab.sub[g], "amplitudes");
    ws_mat_result all = {.pr = {.status = WS_AS_EMPTY}, .amp = a->amp_global};
    fill_row(&v->tab, g, &all);
    v->tab.status[g][0] = 0;
    v->tab.in_bars[g] = 0;
    return 0;
}

static void layers_open(antable *v, tui *t, int row)
{
    if (row >= 0 && (size_t)row < v->a->n)
        tui_push(t, view_matrix_new(t, v->a->mats[row].t));
}

static void layers_info(antable *v, cellbuf *cb, cb_rect info)
{
    cb_printf(cb, info.y, info.x, info.w, 0,
              "weight PR: %s covariance of the rows; amplitudes: grid fit K=%d; global amp PR %.2f",
              v->a->o.centred ? "centred" : "uncentred", v->a->o.amp_k, v->a->amp_global.pr);
}

static const antable_ops layers_ops = {
    WS_AN_LAYERS, "layers table", layers_fill, layers_open, layers_info,
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
