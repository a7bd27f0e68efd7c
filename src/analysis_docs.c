/* The analyses' documents (see analysis_docs.h). */
#include "analysis_docs.h"

#include "analysis_tables.h"

ws_doc *ws_doc_for(const char *command, const char *path)
{
    ws_doc *d = ws_doc_new(command);
    if (d && path && ws_doc_model(d, "model", path) < 0) {
        ws_doc_free(d);
        d = NULL;
    }
    return d;
}

/* The parameters "null" and "seed" of the null baselines. */
static void null_params(ws_doc *d, const ws_null_opts *o)
{
    ws_doc_param_int(d, "null", o->n);
    ws_doc_param_int(d, "seed", (int64_t)o->seed);
}

ws_doc *ws_doc_pr(const char *path, const ws_analysis *a, int amp)
{
    ws_doc *d = ws_doc_for("pr", path);
    if (d) {
        ws_doc_param_bool(d, "centred", a->o.centred);
        ws_doc_param_int(d, "k", a->o.amp_k);
        ws_doc_param_str(d, "centres", ws_grid_centres_name(a->o.amp_centres));
        ws_doc_param_bool(d, "amp", amp);
        null_params(d, &a->o.null);
        ws_doc_table(d, ws_layers_table(a, amp));
    }
    return d;
}

ws_doc *ws_doc_spectrum(const char *path, const ws_analysis *a, long top, int energy, int components)
{
    const ws_spectrum *s = &a->spec;
    ws_doc *d = ws_doc_for("spectrum", path);
    if (!d)
        return NULL;
    if (s->rule.tol >= 0) {
        ws_doc_param_str(d, "rule", "tolerance");
        ws_doc_param_num(d, "tol", s->rule.tol);
    } else {
        ws_doc_param_str(d, "rule", "spacing");
        ws_doc_param_num(d, "alpha", s->rule.alpha);
    }
    if (top)
        ws_doc_param_int(d, "top", top);
    else
        ws_doc_param_str(d, "top", NULL);
    ws_doc_param_bool(d, "energy", energy);
    if (energy) {
        ws_doc_param_bool(d, "components", components);
        null_params(d, &a->o.null);
    }
    ws_doc_param_str(d, "embedding", a->embed->name);
    if (energy) {
        if (components)
            ws_doc_table(d, ws_energy_components_table(a));
        ws_doc_table(d, ws_energy_table(a));
    } else {
        ws_doc_table(d, ws_eigen_table(s, (int)top));
        ws_doc_table(d, ws_pairs_table(s));
    }
    return d;
}

ws_doc *ws_doc_basis(const char *path, const ws_analysis *a, const char *corpus,
                     const ws_corpus *c)
{
    ws_doc *d = ws_doc_for("basis", path);
    if (d) {
        ws_doc_param_int(d, "k", a->o.basis_k);
        ws_doc_param_str(d, "corpus", corpus);
        ws_doc_param_str(d, "embedding", a->embed->name);
        null_params(d, &a->o.null);
        ws_doc_table(d, ws_basis_table(a, c));
        ws_doc_table(d, ws_corpus_table(a, c));
    }
    return d;
}

ws_doc *ws_doc_drift(const char *path, const ws_analysis *a)
{
    ws_doc *d = ws_doc_for("drift", path);
    if (d) {
        ws_doc_model(d, "tuned", a->m->path);
        ws_doc_param_bool(d, "all_tensors", a->o.drift_all);
        ws_doc_table(d, ws_drift_table(&a->drift));
        ws_doc_table(d, ws_unmatched_table(&a->drift));
    }
    return d;
}

ws_doc *ws_doc_fit(const char *path, const char *const *patterns, size_t n, int all,
                   const ws_fit_matrix_opts *mo, const char *eig, int components, const ws_null_opts *null)
{
    ws_doc *d = ws_doc_for("fit", path);
    if (!d)
        return NULL;
    ws_doc_param_strs(d, "tensor", patterns, n);
    ws_doc_param_bool(d, "all_tensors", all);
    ws_doc_param_int(d, "k", mo->fit.K);
    ws_doc_param_str(d, "mode", mo->mode == WS_FIT_MODE_GRID ? "grid" : "free");
    ws_doc_param_str(d, "centres", ws_grid_centres_name(mo->centres));
    if (mo->sample)
        ws_doc_param_int(d, "rows", mo->sample);
    else
        ws_doc_param_str(d, "rows", "all");
    ws_doc_param_int(d, "level", mo->level);
    if (mo->level >= 2)
        ws_doc_param_int(d, "g", mo->G);
    ws_doc_param_num(d, "ftol", mo->fit.ftol);
    if (mo->fit.amp_bound > 0)
        ws_doc_param_num(d, "amp_bound", mo->fit.amp_bound);
    else
        ws_doc_param_str(d, "amp_bound", "none");
    ws_doc_param_str(d, "eig", eig);
    ws_doc_param_bool(d, "components", components);
    null_params(d, null);
    ws_doc_param_bool(d, "predict", mo->spec != NULL);
    if (mo->spec) {
        ws_doc_param_int(d, "pred_dims", mo->predict.dims);
        ws_doc_param_int(d, "folds", mo->predict.folds);
    }
    return d;
}
