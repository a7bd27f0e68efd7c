/* wscope drift: RMS, relative drift and cosine between two versions of a
 * network (any formats and namings, with or without training state): one
 * row per corresponding tensor, then one per layer, then the model, with
 * the mean of the per-matrix cosines; tensors on one side only in a note. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "drift.h"
#include "spectra_cli.h"

static const char usage_text[] =
    "usage: wscope drift BASE TUNED [--all-tensors] [--json|--csv]\n"
    "RMS, relative drift and cosine per tensor, per layer and for the network.\n";

enum { C_KIND = 3, C_RMS, C_REL, C_COS, C_MEANCOS, C_ST };

static void drift_cells(ws_table *t, int r, const char *kind, const ws_drift *d, double mean_cos)
{
    ws_table_str(t, r, C_KIND, kind);
    ws_table_num(t, r, C_RMS, d->rms);
    ws_table_num(t, r, C_REL, d->rel);
    ws_table_num(t, r, C_COS, d->cos);
    ws_table_num(t, r, C_MEANCOS, mean_cos);
    ws_table_str(t, r, C_ST, ws_drift_note(d));
}

static ws_table *drift_table(const ws_drift_report *rep)
{
    ws_table *t = ws_table_new();
    spectra_cli_ident_cols(t);
    ws_table_col(t, "kind", NULL);
    ws_table_col(t, "rms", "%.4g");
    ws_table_col(t, "relative", "%.4g");
    ws_table_col(t, "cosine", "%.6f");
    ws_table_col(t, "mean_cos", "%.6f");
    ws_table_col(t, "status", NULL);
    for (size_t i = 0; i < rep->n; i++) {
        int r = ws_table_row(t);
        spectra_cli_ident(t, r, rep->t0[i]);
        drift_cells(t, r, "tensor", &rep->per_tensor[i], NAN);
        if (rep->shape_differs[i]) {
            char st[96];
            snprintf(st, sizeof st, "shape %lldx%lld vs %lldx%lld", (long long)rep->t0[i]->rows,
                     (long long)rep->t0[i]->cols, (long long)rep->t1[i]->rows,
                     (long long)rep->t1[i]->cols);
            ws_table_str(t, r, C_ST, st);
        }
    }
    for (int l = 0; l < rep->n_layers; l++) {
        int r = ws_table_row(t);
        char buf[32];
        snprintf(buf, sizeof buf, "layer %d", l);
        ws_table_str(t, r, 0, buf);
        snprintf(buf, sizeof buf, "@%d", l);
        ws_table_str(t, r, 1, buf);
        drift_cells(t, r, "layer", &rep->per_layer[l], rep->layer_mean_cos[l]);
    }
    int r = ws_table_row(t);
    ws_table_str(t, r, 0, "(model)");
    drift_cells(t, r, "model", &rep->all, rep->mean_cos);
    return t;
}

/* "only in BASE: a, b, c ..." on stderr, the first few names. */
static void note_only(const char *side, ws_tensor *const *ts, size_t n)
{
    if (!n)
        return;
    fprintf(stderr, "wscope: note: %zu tensor%s only in %s:", n, n == 1 ? "" : "s", side);
    for (size_t i = 0; i < n && i < 8; i++)
        fprintf(stderr, "%s %s", i ? "," : "", ts[i]->name);
    fprintf(stderr, "%s\n", n > 8 ? ", ..." : "");
}

static void notes(const ws_drift_report *rep, int all)
{
    note_only("BASE", rep->only0, rep->n_only0);
    note_only("TUNED", rep->only1, rep->n_only1);
    size_t differ = 0;
    for (size_t i = 0; i < rep->n; i++)
        differ += rep->shape_differs[i];
    if (differ)
        fprintf(stderr, "wscope: note: %zu corresponding tensor%s differ%s in shape (no numbers)\n",
                differ, differ == 1 ? "" : "s", differ == 1 ? "s" : "");
    if (!all && (rep->state0 || rep->state1))
        fprintf(stderr, "wscope: note: training state left out (%zu tensors in BASE, %zu in TUNED; "
                        "--all-tensors compares it)\n", rep->state0, rep->state1);
}

static json_t *unmatched_json(const ws_drift_report *rep)
{
    json_t *a = json_array();
    for (int side = 0; side < 2; side++) {
        ws_tensor *const *ts = side ? rep->only1 : rep->only0;
        for (size_t i = 0; i < (side ? rep->n_only1 : rep->n_only0); i++)
            json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", ts[i]->name, "in",
                                               side ? "tuned" : "base", "kind",
                                               ws_kind_name(ts[i]->kind)));
    }
    return a;
}

/* {"base": ..., "tuned": ..., "drift": [rows], "unmatched": [...]} */
static int print_json(const ws_model *m0, const ws_model *m1, const ws_table *t,
                      const ws_drift_report *rep)
{
    json_t *b = json_string(m0->path), *u = json_string(m1->path), *un = unmatched_json(rep);
    char *bs = json_dumps(b, JSON_ENCODE_ANY), *us = json_dumps(u, JSON_ENCODE_ANY);
    char *uns = json_dumps(un, JSON_INDENT(1));
    printf("{\"base\": %s, \"tuned\": %s, \"drift\": ", bs, us);
    int rc = ws_table_write_json(t, stdout);
    printf(", \"unmatched\": %s}\n", uns);
    free(bs), free(us), free(uns);
    json_decref(b), json_decref(u), json_decref(un);
    return rc == 0 && fflush(stdout) == 0 ? 0 : 1;
}

int cmd_drift(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"csv", no_argument, 0, 'c'},
        {"all-tensors", no_argument, 0, 'a'}, {0, 0, 0, 0}};
    cli_fmt fmt = CLI_TEXT;
    ws_analysis_opts ao;
    ws_analysis_opts_default(&ao);
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        if (c == 'j') fmt = CLI_JSON;
        else if (c == 'c') fmt = CLI_CSV;
        else if (c == 'a') ao.drift_all = 1;
        else return c == CLI_HELP ? 0 : 2;
    }
    if (optind != argc - 2)
        return cli_usage_error("drift", "give BASE and TUNED");
    ws_model *m0, *m1;
    ws_analysis *a;
    if (cli_open_model(argv[optind], &m0))
        return 2;
    int rc = spectra_cli_open(argv[optind + 1], &ao, 0, &m1, &a);
    if (rc) {
        ws_model_free(m0);
        return rc;
    }
    ws_err e = {{0}};
    if (ws_analysis_set_base(a, m0, &e) < 0)
        rc = cli_fail(m1->path, &e);
    else
        rc = spectra_cli_run(a, WS_AN_DRIFT, "drift");
    if (!rc) {
        const ws_drift_report *rep = &a->drift;
        notes(rep, ao.drift_all);
        if (fmt == CLI_TEXT)
            printf("drift from %s to %s: RMS %.4g, relative %.4g, cosine %.6f, mean cosine %.6f "
                   "(%d matrices)\n\n", m0->path, m1->path, rep->all.rms, rep->all.rel, rep->all.cos,
                   rep->mean_cos, rep->n_mean_cos);
        ws_table *t = drift_table(rep);
        rc = fmt == CLI_JSON ? print_json(m0, m1, t, rep) : cli_print_table(t, fmt);
        ws_table_free(t);
    }
    spectra_cli_close(m1, a);
    ws_model_free(m0);
    return rc;
}
