/* Drift view (`wscope MODEL TUNED`): RMS, relative drift and cosine from
 * MODEL to TUNED per corresponding tensor of the network (any naming,
 * training state left out), per layer and for the model, with the mean of
 * the per-matrix cosines; tensors on one side only as rows saying so;
 * sortable; bars of a column by layer; Enter opens the tensor in the matrix
 * view showing ΔW = TUNED − MODEL. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>

#include "antable.h"
#include "names.h"

static const char *const col_names[] = {"RMS", "relative", "cosine", "mean cos"};
static const char *const col_fmts[] = {"%9.4g", "%9.4g", "%9.6f", "%9.6f"};
enum { NCOLS = 4 };

static const key_binding drift_keys[] = {
    ANTABLE_KEYS("heatmap of the tensor's change TUNED - MODEL", "delta"),
};

static void put(numtable *tab, int r, const char *label, const char *sub, const ws_drift *d,
                double mean_cos, int bars)
{
    snprintf(tab->label[r], NT_LABEL, "%s", label);
    snprintf(tab->sub[r], sizeof tab->sub[r], "%s", sub);
    double *v = tab->v + (size_t)r * NCOLS;
    v[0] = d->rms, v[1] = d->rel, v[2] = d->cos, v[3] = mean_cos;
    if (d->status != WS_AS_OK)
        snprintf(tab->status[r], sizeof tab->status[r], "%s", ws_drift_note(d));
    tab->in_bars[r] = (unsigned char)bars;
}

static int drift_fill(antable *v, tui *t)
{
    const ws_drift_report *rep = &v->a->drift;
    int n0 = (int)rep->n, n1 = n0 + (int)(rep->n_only0 + rep->n_only1);
    int n = n1 + rep->n_layers + 1;
    if (numtable_init(&v->tab, n, NCOLS, col_names, col_fmts) < 0)
        return -1;
    v->tab.label_w = 24;   /* the four columns fit in 80 */
    for (int i = 0; i < n0; i++) {
        put(&v->tab, i, "", "", &rep->per_tensor[i], NAN, 0);
        antable_label(v, t, i, rep->t0[i]);
        if (rep->shape_differs[i])
            snprintf(v->tab.status[i], sizeof v->tab.status[i], "shape %lldx%lld vs %lldx%lld",
                     (long long)rep->t0[i]->rows, (long long)rep->t0[i]->cols,
                     (long long)rep->t1[i]->rows, (long long)rep->t1[i]->cols);
    }
    /* One side only: the model it is in names it (the other has no counterpart). */
    ws_drift none = {.rms = NAN, .rel = NAN, .cos = NAN};
    for (int k = n0; k < n1; k++) {
        int in0 = (size_t)(k - n0) < rep->n_only0;
        const ws_tensor *x = in0 ? rep->only0[k - n0] : rep->only1[k - n0 - (int)rep->n_only0];
        put(&v->tab, k, "", "", &none, NAN, 0);
        const ws_model *owner = in0 ? t->model : t->tuned;
        char name[256];
        ws_elide(ws_display_name(owner, x, 0, name, sizeof name), v->tab.label_w - 1,
                 t->style.glyphs != WS_GLYPH_UTF8, v->tab.label[k], NT_LABEL);
        ws_display_role(x, 1, v->tab.sub[k], sizeof v->tab.sub[k]);
        snprintf(v->tab.status[k], sizeof v->tab.status[k], "only in %s", in0 ? "MODEL" : "TUNED");
    }
    for (int l = 0; l < rep->n_layers; l++) {
        char label[32];
        snprintf(label, sizeof label, "layer %d", l);
        put(&v->tab, n1 + l, label, "layer", &rep->per_layer[l], rep->layer_mean_cos[l], 1);
    }
    put(&v->tab, n - 1, "(model)", "model", &rep->all, rep->mean_cos, 0);
    return 0;
}

/* The matrix view of the base tensor, switched to its TUNED − MODEL mode. */
static void drift_open(antable *v, tui *t, int row)
{
    const ws_drift_report *rep = &v->a->drift;
    if (row >= 0 && (size_t)row >= rep->n && (size_t)row < rep->n + rep->n_only0 + rep->n_only1) {
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
    /* At 80 columns: the (model) row has the relative drift. */
    cb_printf(cb, info.y, info.x, info.w, 0, "network RMS %.4g  cos %.6f  mean cos %.4f%s", all->rms,
              all->cos, rep->mean_cos, rep->state0 || rep->state1 ? "  training state left out" : "");
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
