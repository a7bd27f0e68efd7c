/* Drift view (`wscope MODEL TUNED`): RMS, relative drift and cosine from
 * MODEL to TUNED per tensor, per layer and for the model; sortable; bars of
 * a column by layer; Enter opens the tensor in the matrix view showing
 * ΔW = TUNED − MODEL. */
#include <curses.h>
#include <stdlib.h>

#include "antable.h"

static const char *const col_names[] = {"RMS", "relative", "cosine"};
static const char *const col_fmts[] = {"%10.4g", "%10.4g", "%10.6f"};
enum { NCOLS = 3 };

static const key_binding drift_keys[] = {
    ANTABLE_KEYS("heatmap of the tensor's change TUNED - MODEL", "delta"),
};

static void put(numtable *tab, int r, const char *label, const char *sub, const ws_drift *d, int bars)
{
    snprintf(tab->label[r], NT_LABEL, "%s", label);
    snprintf(tab->sub[r], sizeof tab->sub[r], "%s", sub);
    double *v = tab->v + (size_t)r * NCOLS;
    v[0] = d->rms, v[1] = d->rel, v[2] = d->cos;
    if (d->status != WS_AS_OK)
        snprintf(tab->status[r], sizeof tab->status[r], "%s", ws_drift_note(d));
    tab->in_bars[r] = (unsigned char)bars;
}

static int drift_fill(antable *v, tui *t)
{
    const ws_drift_report *rep = &v->a->drift;
    int n = (int)rep->n + rep->n_layers + 1;
    if (numtable_init(&v->tab, n, NCOLS, col_names, col_fmts) < 0)
        return -1;
    v->tab.label_w = 30;
    for (size_t i = 0; i < rep->n; i++) {
        put(&v->tab, (int)i, "", "", &rep->per_tensor[i], 0);
        antable_label(v, t, (int)i, rep->t0[i]);
    }
    for (int l = 0; l < rep->n_layers; l++) {
        char label[32];
        snprintf(label, sizeof label, "layer %d", l);
        put(&v->tab, (int)rep->n + l, label, "layer", &rep->per_layer[l], 1);
    }
    put(&v->tab, n - 1, "(model)", "model", &rep->all, 0);
    return 0;
}

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
    WS_AN_DRIFT, "drift", drift_fill, drift_open, drift_info,
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
