/* Drift view (`wscope MODEL TUNED`): the table of `wscope drift` (RMS,
 * relative drift and cosine from MODEL to TUNED per corresponding tensor of
 * the network, in any naming, training state left out; per layer and for
 * the model, with the mean of the per-matrix cosines), then the tensors on
 * one side only as rows saying so; sortable; bars of a column by layer;
 * Enter opens the tensor in the matrix view showing ΔW = TUNED − MODEL. */
#include <curses.h>
#include <stdlib.h>

#include "analysis_tables.h"
#include "antable.h"
#include "hf_folder.h"
#include "names.h"

static const key_binding drift_keys[] = {
    ANTABLE_KEYS("heatmap of the tensor's change TUNED - MODEL", "delta"),
};

/* A row for a tensor of one model only, at the end of the table. */
static void add_one_sided(ws_table *tab, const ws_model *owner, const ws_tensor *x, const char *side)
{
    char name[512], role[64], status[32];
    int r = ws_table_row(tab);
    ws_table_str(tab, r, ws_table_find(tab, "name"), ws_display_name(owner, x, 0, name, sizeof name));
    ws_table_str(tab, r, ws_table_find(tab, "role"), ws_display_role(x, 1, role, sizeof role));
    snprintf(status, sizeof status, "only in %s", side);
    ws_table_str(tab, r, ws_table_find(tab, "status"), status);
    ws_table_set_bars(tab, r, 0);
}

/* The table of `wscope drift` (analysis_tables.h) with display names, then
 * the tensors without a counterpart. */
static ws_table *drift_table(antable *v, const tui *t)
{
    const ws_drift_report *rep = &v->a->drift;
    ws_table *tab = ws_drift_table(rep);
    for (size_t i = 0; tab && i < rep->n; i++)
        tui_table_name(tab, t, (int)i, rep->t0[i]);
    for (size_t i = 0; tab && i < rep->n_only0; i++)
        add_one_sided(tab, t->model, rep->only0[i], "MODEL");
    for (size_t i = 0; tab && i < rep->n_only1; i++)
        add_one_sided(tab, t->tuned, rep->only1[i], "TUNED");
    return tab;
}

static const char *const drift_hide[] = {"shape", "kind", NULL};

/* The matrix view of the base tensor, switched to its TUNED − MODEL mode. */
static void drift_open(antable *v, tui *t, int row)
{
    const ws_drift_report *rep = &v->a->drift;
    if (row >= 0 && row > (int)rep->n + rep->n_layers) {
        tui_message(t, "this tensor is in one model only: there is no change to show");
        return;
    }
    if (row < 0 || (size_t)row >= rep->n) {
        tui_message(t, "Enter opens the change of a tensor, not of a layer");
        return;
    }
    view *m = view_matrix_new(t, v->a->drift.t0[row]);
    if (!m)
        return;
    tui_push(t, m);
    m->cls->action(m, t, ACT_DIFF);
}

static void drift_info(antable *v, cellbuf *cb, cb_rect info)
{
    const ws_drift_report *rep = &v->a->drift;
    const ws_drift *all = &rep->all;
    cb_printf(cb, info.y, info.x, info.w, 0, "network RMS %.4g  cos %.6f  mean cos %.4f%s", all->rms,
              all->cos, rep->mean_cos, rep->state0 || rep->state1 ? "  training state left out" : "");
}

static const antable_ops drift_ops = {
    WS_AN_DRIFT, 0, "drift", drift_table, drift_hide, drift_open, drift_info,
};

static const view_class drift_class = {
    "drift", drift_keys, antable_draw, antable_action, antable_tick, antable_destroy,
};

view *view_drift_new(tui *t)
{
    ws_analysis *a = t->tuned ? tui_analysis(t->tuned) : NULL;
    ws_err e = {{0}};
    if (!a) {
        tui_message(t, "drift needs two models: wscope MODEL TUNED");
        return NULL;
    }
    if (a->base != t->model && ws_analysis_set_base(a, t->model, &e) < 0) {
        tui_message(t, "cannot compare the models: %s", e.msg);
        return NULL;
    }
    /* On the analysis of TUNED, with MODEL as its base. */
    antable *v = antable_new(&drift_class, &drift_ops, a);
    if (!v)
        return NULL;
    char name[256];   /* as the title bar names MODEL: the file's (or HF folder's) name */
    snprintf(v->base.title, sizeof v->base.title, "to %s", ws_model_title(t->tuned, name, sizeof name));
    return &v->base;
}
