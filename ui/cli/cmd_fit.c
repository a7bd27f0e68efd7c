/* wscope fit: Gaussian fits of the rows of every selected 2-D tensor, one
 * summary line per matrix; --rows-out writes every row's parameters. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "fit.h"
#include "analysis_docs.h"
#include "fit_tables.h"
#include "fit_nulls.h"
#include "spectra_cli.h"
#include "spectrum.h"
#include "inputs.h"
#include "names.h"
#include "threads.h"

static const char usage_text[] =
    "usage: wscope fit MODEL [--tensor PATTERN]... [--all-tensors] [--k K]\n"
    "                  [--mode free|grid] [--rows all|N] [--level 1|2] [--g G]\n"
    "                  [--ftol X] [--amp-bound C|none] [--eig FILE|model]\n"
    "                  [--components] [--predict [--pred-dims P] [--folds F]]\n"
    "                  [--centres inner|linspace] [--null N] [--seed S]\n"
    "                  [--json|--csv] [--timing] [--rows-out FILE]\n"
    "Gaussian fits of weight rows (L1, grid, L2): one summary per matrix.\n";

typedef struct fit_cli {
    ws_namesel sel;            /* --tensor patterns (names.h); none: every weight matrix */
    int all;                   /* --all-tensors: training state and buffers too */
    ws_fit_matrix_opts mo;
    cli_fmt fmt;
    const char *rows_out;
    const char *eig_path;      /* a file, or "model": the model's own embedding */
    double *eig;
    int64_t n_eig;
    ws_spectrum spec;          /* of the model's embedding, for --eig model and --predict */
    ws_null_opts null;         /* --null N, --seed S: the fit statistics' null baselines */
    int timing;                /* --timing: the seconds column */
    int components;            /* --components: the per-component table */
    int predict;               /* --predict: the predictability columns */
} fit_cli;

/* Default: every weight matrix of the network. With patterns: every 2-D
 * tensor of the network they select (names.h), whatever its role; with
 * --all-tensors, training state and buffers too. */
static int selected(const ws_tensor *t, const ws_model *m, const fit_cli *c)
{
    if (!c->sel.n)
        return (c->all ? ws_tensor_is_matrix(t) && !t->is_bias : ws_tensor_is_weight_matrix(t));
    return (c->all || t->kind == WS_KIND_NETWORK) && t->ndim == 2 && t->rows >= 1 && t->cols >= 1 &&
           ws_namesel_match(&c->sel, -1, m, t);
}

static int fittable(const ws_tensor *t) { return t->kind == WS_KIND_NETWORK && t->ndim == 2; }
static int fittable_any(const ws_tensor *t) { return t->ndim == 2; }

static int parse(int argc, char **argv, fit_cli *c)
{
    static const struct option opts[] = {
        {"tensor", required_argument, 0, 't'}, {"k", required_argument, 0, 'k'},
        {"mode", required_argument, 0, 'm'},   {"rows", required_argument, 0, 'r'},
        {"level", required_argument, 0, 'l'},  {"g", required_argument, 0, 'g'},
        {"ftol", required_argument, 0, 'f'},   {"json", no_argument, 0, 'j'},
        {"csv", no_argument, 0, 'c'},          {"rows-out", required_argument, 0, 'o'},
        {"eig", required_argument, 0, 'e'},    {"all-tensors", no_argument, 0, 'a'},
        {"timing", no_argument, 0, 'T'},       {"amp-bound", required_argument, 0, 'A'},
        {"components", no_argument, 0, 'C'},   {"predict", no_argument, 0, 'P'},
        {"pred-dims", required_argument, 0, 'D'}, {"folds", required_argument, 0, 'F'},
        {"centres", required_argument, 0, 'Q'},
        SPECTRA_NULL_OPTIONS,
        {0, 0, 0, 0},
    };
    long v;
    int ch, nrc;
    ws_err e = {{0}};
    memset(c, 0, sizeof *c);
    ws_fit_matrix_opts_default(&c->mo);
    c->mo.sample = WS_FIT_ROWS_DEFAULT;
    ws_null_opts_default(&c->null);
    c->fmt = CLI_TEXT;
    optind = 1;
    while ((ch = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        switch (ch) {
        case 't': if (ws_namesel_add(&c->sel, optarg, &e)) return cli_fail("--tensor", &e); break;
        case 'a': c->all = 1; break;
        case 'k': if (cli_int("--k", optarg, 1, WS_FIT_KMAX, &v)) return 2; c->mo.fit.K = (int)v; break;
        case 'g': if (cli_int("--g", optarg, 1, WS_FIT_KMAX, &v)) return 2; c->mo.G = (int)v; break;
        case 'l': if (cli_int("--level", optarg, 1, 2, &v)) return 2; c->mo.level = (int)v; break;
        case 'm':
            if (!strcmp(optarg, "free")) c->mo.mode = WS_FIT_FREE;
            else if (!strcmp(optarg, "grid")) c->mo.mode = WS_FIT_MODE_GRID;
            else return cli_failf("fit", "--mode must be free or grid, not '%s'", optarg);
            break;
        case 'Q':
            if (ws_grid_centres_parse(optarg, &c->mo.centres))
                return cli_failf("fit", "--centres must be inner or linspace, not '%s'", optarg);
            break;
        case 'r':
            if (!strcmp(optarg, "all")) c->mo.sample = 0;
            else if (cli_int("--rows", optarg, 1, LONG_MAX, &v)) return 2;
            else c->mo.sample = v;
            break;
        case 'f':
            if (cli_double("--ftol", optarg, &c->mo.fit.ftol)) return 2;
            if (!(c->mo.fit.ftol > 0 && c->mo.fit.ftol < 1))
                return cli_failf("fit", "--ftol must be in (0, 1), not %s", optarg);
            break;
        case 'A':
            if (!strcmp(optarg, "none")) c->mo.fit.amp_bound = 0;
            else if (cli_double("--amp-bound", optarg, &c->mo.fit.amp_bound)) return 2;
            else if (!(c->mo.fit.amp_bound > 0 && isfinite(c->mo.fit.amp_bound)))
                return cli_failf("fit", "--amp-bound must be a number > 0 or none, not %s", optarg);
            break;
        case 'j': c->fmt = CLI_JSON; break;
        case 'c': c->fmt = CLI_CSV; break;
        case 'o': c->rows_out = optarg; break;
        case 'e': c->eig_path = optarg; break;
        case 'T': c->timing = 1; break;
        case 'N':
        case 'S': spectra_cli_null_opt(ch, optarg, &c->null, &nrc); if (nrc) return nrc; break;
        case 'C': c->components = 1; break;
        case 'P': c->predict = 1; break;
        case 'D': if (cli_int("--pred-dims", optarg, 1, 4096, &v)) return 2; c->mo.predict.dims = (int)v; break;
        case 'F': if (cli_int("--folds", optarg, 2, 1000, &v)) return 2; c->mo.predict.folds = (int)v; break;
        default: return ch == CLI_HELP ? 1 : 2;   /* 1: the help was printed */
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("fit", optind == argc ? "no MODEL" : "one MODEL only");
    if (c->mo.level == 2 && c->mo.mode == WS_FIT_MODE_GRID)
        return cli_failf("fit", "--level 2 needs --mode free (the grid fixes μ and σ)");
    if (c->mo.centres != WS_GRID_INNER && c->mo.mode != WS_FIT_MODE_GRID)
        return cli_failf("fit", "--centres linspace needs --mode grid (the free fit's search starts from many points)");
    if (c->predict && c->mo.mode == WS_FIT_MODE_GRID)
        return cli_failf("fit", "--predict needs --mode free (the grid fixes μ and σ)");
    return 0;
}

/* Eigenvalues of EᵀE for centre_ev_r: numbers separated by white space,
 * commas or newlines; a first line that is not all numbers is a header.
 * Returns 0 or prints the error and returns 2. */
static int load_eig(fit_cli *c)
{
    ws_err e = {{0}};
    FILE *fp = ws_input_fopen(c->eig_path, &e);
    if (!fp) return cli_fail(c->eig_path, &e);
    size_t cap = 0, n = 0, len = 0;
    double *v = NULL;
    char *line = NULL;
    int rc = 0;
    for (long no = 1; !rc && getline(&line, &len, fp) > 0; no++) {
        size_t line_start = n;
        for (char *tok = strtok(line, " \t\r\n,"); tok && !rc; tok = strtok(NULL, " \t\r\n,")) {
            char *end;
            double x = strtod(tok, &end);
            if (*end || !isfinite(x)) {
                if (no == 1) { n = line_start; break; }   /* a header */
                rc = cli_failf(c->eig_path, "line %ld: not a finite number: %s", no, tok);
                break;
            }
            if (n == cap) {
                double *nv = realloc(v, sizeof *v * (cap = cap ? 2 * cap : 256));
                if (!nv) { rc = cli_failf(c->eig_path, "out of memory"); break; }
                v = nv;
            }
            v[n++] = x;
        }
    }
    free(line);
    fclose(fp);
    if (!rc && n == 0) rc = cli_failf(c->eig_path, "no eigenvalues in the file");
    if (rc) { free(v); return rc; }
    c->eig = v, c->n_eig = (int64_t)n;
    c->mo.eig = v, c->mo.n_eig = (int64_t)n;
    return 0;
}

/* The spectrum (with eigenvectors) of the model's embedding, for
 * --eig model and --predict. Returns 0 or prints the error and returns 2. */
static int load_spectrum(fit_cli *c, const char *path, const ws_model *m)
{
    ws_err e = {{0}};
    ws_tensor *E = NULL;
    for (size_t i = 0; i < m->n_tensors && !E; i++)
        if (m->tensors[i].role == WS_ROLE_EMBED && m->tensors[i].ndim == 2) E = &m->tensors[i];
    const char *what = c->predict ? "--predict" : "--eig model";
    if (!E) return cli_failf(path, "%s needs the model's token embedding (role embed)", what);
    const float *w = ws_tensor_f32(E, &e);
    if (!w || ws_spectrum_compute(w, E->rows, E->cols, NULL, &c->spec, &e) < 0) return cli_fail(E->name, &e);
    if (c->spec.status != WS_AS_OK)
        return cli_failf(E->name, "%s: no spectrum: %s", what, ws_astatus_text(c->spec.status));
    if (c->predict && c->mo.predict.dims > c->spec.d)
        return cli_failf("fit", "--pred-dims %d is more than the embedding's %d dimensions", c->mo.predict.dims,
                         c->spec.d);
    if (c->predict) c->mo.spec = &c->spec;
    if (c->eig_path && !strcmp(c->eig_path, "model")) c->mo.eig = c->spec.lam, c->mo.n_eig = c->spec.d;
    return 0;
}

/* The command and its parameters (both outputs carry them). */
static ws_doc *fit_doc(const char *path, const fit_cli *c)
{
    ws_doc *d = ws_doc_fit(path, (const char *const *)c->sel.pat, c->sel.n, c->all, &c->mo,
                           c->eig_path, c->components, &c->null);
    if (!d)
        cli_failf("fit", "out of memory");
    return d;
}

/* One selected matrix and its fit (ok = 0 when it failed). */
typedef struct fitted {
    ws_tensor *x;
    const float *W;
    ws_fit_result r;
    double secs;
    int ok;
} fitted;

/* Fit one tensor into f. Returns 0, or 1 on failure (reported). */
static int fit_tensor(const char *path, ws_tensor *x, const fit_cli *c, fitted *f)
{
    ws_err e = {{0}};
    f->x = x;
    f->W = ws_tensor_f32(x, &e);
    if (!f->W) return cli_fail(x->name, &e), 1;
    ws_progress p;
    ws_progress_init(&p, 0);
    char label[96];
    snprintf(label, sizeof label, "fit %.80s", x->name);
    cli_bar *bar = cli_bar_start(label, &p);
    double t0 = ws_monotonic_s();
    int rc = ws_fit_matrix(f->W, x->rows, x->cols, &c->mo, &f->r, &p, &e);
    cli_bar_stop(bar);
    if (rc < 0) {
        char what[1200];
        snprintf(what, sizeof what, "%s: %s", path, x->name);
        return cli_fail(what, &e), 1;
    }
    f->secs = ws_monotonic_s() - t0;
    f->ok = 1;
    return 0;
}

/* The null baselines of every fitted matrix at once (shared gauss draws). */
static int fit_nulls(const char *path, const fit_cli *c, fitted *f, size_t n)
{
    ws_fit_null_job *jobs = calloc(n + 1, sizeof *jobs);
    size_t k = 0;
    if (!jobs) return cli_failf("fit", "out of memory"), 1;
    for (size_t i = 0; i < n; i++)
        if (f[i].ok)
            jobs[k++] = (ws_fit_null_job){f[i].W, f[i].x->rows, f[i].x->cols, f[i].x->name, &f[i].r, &f[i].r.s};
    ws_progress p;
    ws_progress_init(&p, 0);
    ws_err e = {{0}};
    cli_bar *bar = cli_bar_start("null baselines", &p);
    int rc = ws_fit_nulls_run(jobs, k, &c->mo, &c->null, &p, &e);
    cli_bar_stop(bar);
    free(jobs);
    return rc < 0 ? cli_fail(path, &e), 1 : 0;
}

/* The lines of one fitted matrix in the tables. */
static int add_lines(const fitted *f, ws_table *sum, ws_table *comps, ws_table *rows)
{
    int rc = ws_fit_summary_add(sum, f->x, &f->r.s, f->r.l2, f->secs);
    if (!rc && comps) rc = ws_fit_components_add(comps, f->x, &f->r.s);
    if (!rc && rows) rc = ws_fit_rows_add(rows, f->x, &f->r);
    return rc ? cli_failf(f->x->name, "out of memory"), 1 : 0;
}

int cmd_fit(int argc, char **argv)
{
    fit_cli c;
    int rc = parse(argc, argv, &c);
    if (rc) { ws_namesel_free(&c.sel); return rc == 1 ? 0 : rc; }
    if (c.eig_path && strcmp(c.eig_path, "model") && (rc = load_eig(&c))) { ws_namesel_free(&c.sel); return rc; }
    const char *path = argv[optind];
    ws_model *m;
    if (cli_open_model(path, &m)) { free(c.eig); ws_namesel_free(&c.sel); return 2; }
    if ((c.predict || (c.eig_path && !strcmp(c.eig_path, "model"))) && (rc = load_spectrum(&c, path, m))) {
        ws_spectrum_free(&c.spec);
        ws_model_free(m);
        ws_namesel_free(&c.sel);
        return rc;
    }
    size_t n = 0;
    ws_err e = {{0}};
    for (size_t i = 0; i < m->n_tensors; i++) n += selected(&m->tensors[i], m, &c);
    if (ws_namesel_check(&c.sel, m, c.all ? fittable_any : fittable, "2-D tensor",
                         c.all ? NULL : "--all-tensors", &e) < 0 || !n) {
        ws_model_free(m);
        free(c.eig);
        ws_namesel_free(&c.sel);
        return e.msg[0] ? cli_fail(path, &e) : cli_failf(path, "no 2-D weight matrix to fit");
    }
    ws_fit_table_opts to = {c.mo.level, c.mo.eig != NULL, c.timing, c.predict};
    ws_doc *d = fit_doc(path, &c), *rd = c.rows_out ? fit_doc(path, &c) : NULL;
    ws_table *sum = ws_fit_summary_table(&to), *rows = c.rows_out ? ws_fit_rows_table(c.mo.fit.K) : NULL;
    ws_table *comps = c.components ? ws_fit_components_table(c.predict) : NULL;
    if (d) ws_doc_table(d, sum);
    else ws_table_free(sum);
    if (d && comps) ws_doc_table(d, comps);
    else ws_table_free(comps);
    if (rd) ws_doc_table(rd, rows);
    else ws_table_free(rows);
    int failed = !d || !ws_doc_ok(d) || (c.rows_out && (!rd || !ws_doc_ok(rd)));
    if (failed) cli_failf("fit", "out of memory");
    fitted *f = failed ? NULL : calloc(n, sizeof *f);
    if (!failed && !f) failed = cli_failf("fit", "out of memory");
    for (size_t i = 0, k = 0; f && i < m->n_tensors; i++)
        if (selected(&m->tensors[i], m, &c))
            failed |= fit_tensor(path, &m->tensors[i], &c, &f[k++]);
    if (f && c.null.n > 0) failed |= fit_nulls(path, &c, f, n);
    for (size_t k = 0; f && k < n; k++) {
        if (f[k].ok) failed |= add_lines(&f[k], sum, comps, rows);
        ws_fit_result_free(&f[k].r);
    }
    free(f);
    rc = failed;
    if (d && ws_doc_ok(d))
        rc = cli_emit(d, c.fmt, NULL) ? 1 : failed;
    else
        ws_doc_free(d);
    if (rd && ws_doc_ok(rd)) {
        ws_err we = {{0}};
        if (ws_doc_export(rd, c.rows_out, &we) < 0) rc = cli_fail(c.rows_out, &we);
    }
    ws_doc_free(rd);
    ws_model_free(m);
    ws_spectrum_free(&c.spec);
    free(c.eig);
    ws_namesel_free(&c.sel);
    return rc;
}
