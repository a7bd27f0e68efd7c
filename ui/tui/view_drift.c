/* Drift view (`wscope MODEL TUNED`): RMS, relative drift and cosine from
 * MODEL to TUNED per tensor, per layer and for the model; sortable; bars of
 * a column by layer; Enter opens the tensor in the matrix view showing
 * ΔW = TUNED − MODEL. */
#include <curses.h>
#include <stdlib.h>

#include "analysis_tables.h"
#include "antable.h"

static const key_binding drift_keys[] = {
    ANTABLE_KEYS("heatmap of the tensor's change TUNED - MODEL", "delta"),
};

/* The table of `wscope drift` (analysis_tables.h), with display names. */
static ws_table *drift_table(antable *v, const tui *t)
{
    ws_table *tab = ws_drift_table(&v->a->drift);
    for (size_t i = 0; tab && i < v->a->drift.n; i++)
        tui_table_name(tab, t, (int)i, v->a->drift.t0[i]);
    return tab;
}

static const char *const drift_hide[] = {"shape", "kind", NULL};

/* The matrix view of the base tensor, switched to its TUNED − MODEL mode. */
static void drift_open(antable *v, tui *t, int row)
{
    if (row < 0 || (size_t)row >= v->a->drift.n) {
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
    const ws_drift *all = &v->a->drift.all;
    cb_printf(cb, info.y, info.x, info.w, 0, "model: RMS %.4g, relative %.4g, cosine %.6f", all->rms,
              all->rel, all->cos);
}

static const antable_ops drift_ops = {
    WS_AN_DRIFT, "drift", drift_table, drift_hide, drift_open, drift_info,
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
    snprintf(v->base.title, sizeof v->base.title, "to %s", t->tuned->path);
    return &v->base;
}
