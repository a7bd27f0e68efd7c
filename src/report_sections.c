/* The report's sections, in the order of index.md: the tables of the
 * users' notes reproduced on their model.
 *
 * How to add a section: write its `doc` function, which computes the
 * analysis (model_analysis() and rep_analyse for the cached structural
 * parts, the engine directly otherwise) and returns its document, built
 * with analysis_docs.h so that its JSON is the CLI's; an `intro` that says
 * in a sentence or two what the numbers are; optionally a `figure` beyond
 * the bar charts of `keys`. Add a row to `sections` below with what it
 * needs, the command that prints the same JSON and the progress units it
 * is worth; describe it in the man page (REPORT) and check it in
 * tests/cli_report.sh. `wscope plot --bars NAME:COLUMN` draws any of its
 * columns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_docs.h"
#include "basis_corpus.h"
#include "fit_nulls.h"
#include "fit_tables.h"
#include "report_internal.h"
#include "run_table.h"

/* Progress units of the analyses (the fits count rows). */
enum { UNITS_ANALYSIS = 40, UNITS_CORPUS = 40 };

/* The model's analyses, made on first use. */
static ws_analysis *model_analysis(report *r, ws_err *e)
{
    if (!r->a) {
        ws_analysis_opts o;
        ws_analysis_opts_default(&o);
        r->a = ws_analysis_new(r->in->model, &o, e);
    }
    return r->a;
}

static int analysed(report *r, unsigned what, ws_err *e)
{
    ws_analysis *a = model_analysis(r, e);
    if (!a)
        return -1;
    if ((a->have & what) == what)
        return rep_step(r, UNITS_ANALYSIS) ? ws_fail(e, "cancelled") : 0;
    return rep_analyse(r, a, what, UNITS_ANALYSIS, e);
}

static size_t units_analysis(const report *r)
{
    (void)r;
    return UNITS_ANALYSIS;
}

/* ---- L1 fits ---- */

static size_t fit_rows_of(const report *r, const ws_tensor *t)
{
    return (size_t)(r->in->fit_rows && r->in->fit_rows < t->rows ? r->in->fit_rows : t->rows);
}

/* The fits' null options: the report's number of draws (fit_null), the
 * default seed. */
static ws_null_opts fit_null_opts(const report *r)
{
    ws_null_opts no;
    ws_null_opts_default(&no);
    no.n = r->in->fit_null;
    return no;
}

/* The fits, then their null baselines (twice fit_null fits of the same
 * rows per matrix). */
static size_t units_fits(const report *r)
{
    size_t n = 0;
    ws_null_opts no = fit_null_opts(r);
    const ws_model *m = r->in->model;
    for (size_t i = 0; i < m->n_tensors; i++)
        if (ws_tensor_is_weight_matrix(&m->tensors[i]))
            n += fit_rows_of(r, &m->tensors[i]) * (1 + 2 * (size_t)no.n);
    return n;
}

/* Every weight matrix fitted as `wscope fit MODEL --rows N --null D` does,
 * with the null baselines it draws. */
static ws_doc *doc_fits(report *r, ws_err *e)
{
    ws_model *m = r->in->model;
    ws_fit_matrix_opts mo;
    ws_fit_matrix_opts_default(&mo);
    mo.sample = r->in->fit_rows;
    ws_null_opts no = fit_null_opts(r);
    ws_fit_table_opts to = {1, 0, 0, 0};
    ws_doc *d = ws_doc_fit(m->path, NULL, 0, 0, &mo, NULL, 0, &no);
    ws_table *sum = ws_fit_summary_table(&to);
    size_t n = 0, k = 0;
    for (size_t i = 0; i < m->n_tensors; i++)
        n += ws_tensor_is_weight_matrix(&m->tensors[i]);
    ws_fit_result *res = calloc(n + 1, sizeof *res);
    ws_fit_null_job *jobs = calloc(n + 1, sizeof *jobs);
    int rc = d && sum && res && jobs && ws_doc_table(d, sum) == 0 ? 0 : ws_fail(e, "out of memory");
    if (rc && !d) ws_table_free(sum);
    for (size_t i = 0; rc == 0 && i < m->n_tensors; i++) {
        ws_tensor *t = &m->tensors[i];
        if (!ws_tensor_is_weight_matrix(t))
            continue;
        const float *w = ws_tensor_f32(t, e);
        if (!w || ws_fit_matrix(w, t->rows, t->cols, &mo, &res[k], r->p, e) < 0)
            rc = ws_wrap(e, "%s", t->name);
        else
            jobs[k] = (ws_fit_null_job){w, t->rows, t->cols, t->name, &res[k], &res[k].s}, k++;
        if (rc == 0 && rep_step(r, fit_rows_of(r, t)))
            rc = ws_fail(e, "cancelled");
    }
    if (rc == 0) rc = ws_fit_nulls_run(jobs, k, &mo, &no, r->p, e);
    for (size_t j = 0; rc == 0 && j < k; j++) {
        ws_tensor *t = ws_model_find(m, jobs[j].name);
        rc = ws_fit_summary_add(sum, t, &res[j].s, res[j].l2, 0) < 0 ? ws_fail(e, "out of memory") : 0;
        if (rc == 0 && rep_step(r, fit_rows_of(r, t) * 2 * (size_t)no.n))
            rc = ws_fail(e, "cancelled");
    }
    for (size_t j = 0; j < k; j++) ws_fit_result_free(&res[j]);
    free(res), free(jobs);
    if (rc) {
        ws_doc_free(d);
        return NULL;
    }
    return d;
}

static void intro_fits(report *r)
{
    char rows[64] = "every row";
    if (r->in->fit_rows)
        snprintf(rows, sizeof rows, "a uniform sample of %lld rows", (long long)r->in->fit_rows);
    rep_md(r, "Sums of K = %d Gaussians fitted to %s of every weight matrix (the free L1 fit). ",
           WS_FIT_K_DEFAULT, rows);
    if (r->in->fit_null > 0)
        rep_md(r, "The same rows are fitted alike on %d draws of Gaussian noise of each matrix's "
                  "shape and %d of the matrix with each row's values shuffled: \"R2 vs noise\" is "
                  "the R² against the first, as a z-score; the data files hold both.\n\n",
               r->in->fit_null, r->in->fit_null);
    else
        rep_md(r, "Without null baselines (--fit-null 0).\n\n");
}

/* ---- the spectrum, its pairs, its energy ---- */

static ws_doc *doc_spectrum(report *r, ws_err *e)
{
    if (analysed(r, WS_AN_SPECTRUM, e) != 0)
        return NULL;
    return ws_doc_spectrum(r->in->model->path, r->a, 0, 0, 0);
}

static void intro_spectrum(report *r)
{
    const ws_spectrum *s = &r->a->spec;
    char rule[96];
    ws_spectrum_rule_text(s, rule, sizeof rule);
    rep_md(r, "The eigenvalues of EᵀE for the token embedding %s (%lld×%lld), and the pairs of "
              "neighbouring eigenvalues closer than their spacing allows (%s): %d pair%s; %d "
              "eigenvalue%s above the numerical null space.\n\n",
           r->a->embed->name, (long long)r->a->embed->rows, (long long)r->a->embed->cols, rule,
           s->n_pairs, s->n_pairs == 1 ? "" : "s", s->rank, s->rank == 1 ? "" : "s");
}

static int figure_spectrum(report *r, ws_err *e)
{
    const ws_spectrum *s = &r->a->spec;
    if (s->status != WS_AS_OK)
        return 0;
    return rep_figure(r, "spectrum", ws_plot_spectrum(s, r->a->embed->name, &r->in->fig, e), e);
}

static ws_doc *doc_energy(report *r, ws_err *e)
{
    /* The layers' analyses too, which the next section shows: computed
     * together, a matrix's permutation draws serve both nulls (null.h). */
    if (analysed(r, WS_AN_ENERGY | WS_AN_LAYERS | WS_AN_NULLS, e) != 0)
        return NULL;
    return ws_doc_spectrum(r->in->model->path, r->a, 0, 1, 0);
}

static void intro_energy(report *r)
{
    rep_md(r, "The spectral energy of every weight matrix in the eigenbasis of EᵀE: how many "
              "leading eigenvectors hold 50 %% and 90 %% of ‖W‖².\n\n");
}

/* ---- layers: weight PR and amplitude structure ---- */

static ws_doc *doc_layers(report *r, ws_err *e)
{
    if (analysed(r, WS_AN_LAYERS | WS_AN_NULLS, e) != 0)
        return NULL;
    return ws_doc_pr(r->in->model->path, r->a, 1);
}

static void intro_layers(report *r)
{
    rep_md(r, "Per weight matrix: the participation ratio of its rows' covariance spectrum "
              "(weight PR), the share of the first component, the components for 95 %%, the "
              "stable rank; WeightWatcher's alpha, alpha-hat and spikes; and the structure of its "
              "K = %d grid-fit amplitudes (PR out of K, PC1 %%, max correlation, kurtosis). The "
              "last row stacks every layer's amplitudes. \"vs noise\" is the z-score against %d "
              "draws of Gaussian noise of each matrix's shape and std (the data files hold the "
              "permutation null too).\n\n", r->a->o.amp_k, r->a->o.null.n);
}

/* ---- drift ---- */

static ws_doc *doc_drift(report *r, ws_err *e)
{
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    if (!r->at)
        r->at = ws_analysis_new(r->in->tuned, &o, e);
    if (!r->at || ws_analysis_set_base(r->at, r->in->model, e) < 0 ||
        rep_analyse(r, r->at, WS_AN_DRIFT, UNITS_ANALYSIS, e) != 0)
        return NULL;
    return ws_doc_drift(r->in->model->path, r->at);
}

static void intro_drift(report *r)
{
    const ws_drift_report *dr = &r->at->drift;
    rep_md(r, "How far the tuned model moved from the model, per tensor, per layer and in all "
              "(RMS of ΔW, ‖ΔW‖/‖W‖, cosine of W before and after). In all: RMS %.4g, relative "
              "%.4g, cosine %.6f.\n\n", dr->all.rms, dr->all.rel, dr->all.cos);
}

/* ---- corpus basis ---- */

static size_t units_basis(const report *r)
{
    return UNITS_ANALYSIS + (r->in->corpus ? UNITS_CORPUS : 0);
}

static int corpus_measures(report *r, ws_err *e)
{
    ws_corpus_free(&r->corpus_res);
    if (ws_corpus_analyse(r->in->model, r->corpus.tok, r->corpus.n, &r->a->o.null, &r->corpus_res,
                          NULL, e) < 0)
        return ws_wrap(e, "%s", r->in->corpus);
    return rep_step(r, UNITS_CORPUS) ? ws_fail(e, "cancelled") : 0;
}

static ws_doc *doc_basis(report *r, ws_err *e)
{
    if (analysed(r, WS_AN_ENERGY | WS_AN_NULLS, e) != 0 || (r->in->corpus && corpus_measures(r, e) != 0))
        return NULL;
    return ws_doc_basis(r->in->model->path, r->a, r->in->corpus, r->in->corpus ? &r->corpus_res : NULL);
}

static void intro_basis(report *r)
{
    rep_md(r, "The share of every weight matrix's ‖W‖² kept by projecting it on the top %d "
              "eigenvectors of EᵀE%s.\n\n", r->a->o.basis_k,
           r->in->corpus ? "; with the corpus, per layer the cosine of QᵀK with EᵀTE (T the "
                           "corpus's bigram transition matrix) and Q's alignment with it, and the "
                           "corpus's own numbers" : "");
}

/* ---- training runs ---- */

static size_t units_runs(const report *r)
{
    (void)r;
    return 1;
}

static ws_doc *doc_runs(report *r, ws_err *e)
{
    ws_doc *d = ws_doc_new("runs");
    if (d) {
        ws_doc_param_strs(d, "logs", r->in->runs, (size_t)r->n_runs);
        ws_doc_param_num(d, "smoothing", WS_PLOT_SMOOTH);
        ws_doc_table(d, ws_runs_table(r->run_ptr, (size_t)r->n_runs, WS_PLOT_SMOOTH));
    } else {
        ws_fail(e, "out of memory");
    }
    return d;
}

static void intro_runs(report *r)
{
    rep_md(r, "The training runs side by side: their loss curves (raw faint, smoothed with an "
              "EMA of weight %g bold, validation as dots) and the numbers each ends with, the "
              "change against the first run last.\n\n", WS_PLOT_SMOOTH);
}

static int figure_runs(report *r, ws_err *e)
{
    ws_loss_plot_opts lo = {.smoothing = WS_PLOT_SMOOTH};
    return rep_figure(r, "loss",
                      ws_plot_loss_curves(r->run_ptr, (size_t)r->n_runs, &lo, &r->in->fig, e), e);
}

/* ---- the commands that print the same JSON ---- */

static void cli_fits(const report *r, char *buf, size_t n)
{
    char rows[40] = "", draws[24] = "";
    if (r->in->fit_rows)
        snprintf(rows, sizeof rows, " --rows %lld", (long long)r->in->fit_rows);
    if (r->in->fit_null != WS_NULL_N_DEFAULT)
        snprintf(draws, sizeof draws, " --null %d", r->in->fit_null);
    snprintf(buf, n, "wscope fit %s%s%s", r->in->model->path, rows, draws);
}

static void cli_spectrum(const report *r, char *buf, size_t n)
{
    snprintf(buf, n, "wscope spectrum %s", r->in->model->path);
}

static void cli_energy(const report *r, char *buf, size_t n)
{
    snprintf(buf, n, "wscope spectrum %s --energy", r->in->model->path);
}

static void cli_pr(const report *r, char *buf, size_t n)
{
    snprintf(buf, n, "wscope pr %s", r->in->model->path);
}

static void cli_drift(const report *r, char *buf, size_t n)
{
    snprintf(buf, n, "wscope drift %s %s", r->in->model->path, r->in->tuned->path);
}

static void cli_basis(const report *r, char *buf, size_t n)
{
    if (r->in->corpus)
        snprintf(buf, n, "wscope basis %s --corpus %s", r->in->model->path, r->in->corpus);
    else
        snprintf(buf, n, "wscope basis %s", r->in->model->path);
}

/* ---- the table ---- */

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const rep_section sections[] = {
    {"fits", "L1 fits", 0, cli_fits, units_fits, doc_fits, intro_fits, NULL,
     KEYS("r2", "r2_z", "centre_linearity")},
    {"spectrum", "Spectrum of EᵀE and its pairs", REP_NEED_EMBED, cli_spectrum, units_analysis,
     doc_spectrum, intro_spectrum, figure_spectrum, KEYS(NULL)},
    {"energy", "Spectral energy", REP_NEED_EMBED, cli_energy, units_analysis, doc_energy,
     intro_energy, NULL, KEYS("comps50", "comps90")},
    {"pr", "Layers: weight PR and amplitude structure", 0, cli_pr, units_analysis, doc_layers,
     intro_layers, NULL, KEYS("pr", "pc1_pct", "amp_pr", "amp_pc1_pct")},
    {"drift", "Drift", REP_NEED_TUNED, cli_drift, units_analysis, doc_drift, intro_drift, NULL,
     KEYS("relative", "cosine")},
    {"basis", "Corpus basis", REP_NEED_EMBED, cli_basis, units_basis, doc_basis, intro_basis,
     NULL, KEYS("share", "qk_ete_cos")},
    {"runs", "Training runs compared", REP_NEED_RUNS, NULL, units_runs, doc_runs, intro_runs,
     figure_runs, KEYS("final_val", "vs_first")},
};

const rep_section *rep_section_at(int i)
{
    return i >= 0 && i < (int)(sizeof sections / sizeof sections[0]) ? &sections[i] : NULL;
}

const rep_section *rep_section_named(const char *name)
{
    const rep_section *s;
    for (int i = 0; (s = rep_section_at(i)); i++)
        if (!strcmp(s->name, name))
            return s;
    return NULL;
}

const char *rep_section_missing(const report *r, const rep_section *s)
{
    if ((s->needs & REP_NEED_EMBED) && !ws_model_get(r->in->model, WS_ROLE_EMBED, -1, 0))
        return "the model has no token embedding";
    if ((s->needs & REP_NEED_TUNED) && !r->in->tuned)
        return "give a TUNED model to see the drift";
    if ((s->needs & REP_NEED_RUNS) && !r->n_runs)
        return "give training logs with --runs";
    return NULL;
}
