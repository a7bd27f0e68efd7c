/* wscope drift: RMS, relative drift and cosine between two models with the
 * same layout: one row per tensor, then one per layer, then the model. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>

#include "commands.h"
#include "drift.h"
#include "spectra_cli.h"

static const char *usage_text = "usage: wscope drift BASE TUNED [--json|--csv]";

enum { C_KIND = 3, C_RMS, C_REL, C_COS, C_ST };

static void drift_cells(ws_table *t, int r, const char *kind, const ws_drift *d)
{
    ws_table_str(t, r, C_KIND, kind);
    ws_table_num(t, r, C_RMS, d->rms);
    ws_table_num(t, r, C_REL, d->rel);
    ws_table_num(t, r, C_COS, d->cos);
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
    ws_table_col(t, "status", NULL);
    for (size_t i = 0; i < rep->n; i++) {
        int r = ws_table_row(t);
        spectra_cli_ident(t, r, rep->t0[i]);
        drift_cells(t, r, "tensor", &rep->per_tensor[i]);
    }
    for (int l = 0; l < rep->n_layers; l++) {
        int r = ws_table_row(t);
        char buf[32];
        snprintf(buf, sizeof buf, "layer %d", l);
        ws_table_str(t, r, 0, buf);
        snprintf(buf, sizeof buf, "@%d", l);
        ws_table_str(t, r, 1, buf);
        drift_cells(t, r, "layer", &rep->per_layer[l]);
    }
    int r = ws_table_row(t);
    ws_table_str(t, r, 0, "(model)");
    drift_cells(t, r, "model", &rep->all);
    return t;
}

int cmd_drift(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"csv", no_argument, 0, 'c'}, {0, 0, 0, 0}};
    cli_fmt fmt = CLI_TEXT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') fmt = CLI_JSON;
        else if (c == 'c') fmt = CLI_CSV;
        else return 2;
    }
    if (optind != argc - 2)
        return cli_failf("drift", "%s", usage_text);
    ws_model *m0, *m1;
    ws_analysis *a;
    if (cli_open_model(argv[optind], &m0))
        return 2;
    int rc = spectra_cli_open(argv[optind + 1], NULL, 0, &m1, &a);
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
        if (fmt == CLI_TEXT)
            printf("drift from %s to %s: RMS %.4g, relative %.4g, cosine %.6f\n\n", m0->path,
                   m1->path, rep->all.rms, rep->all.rel, rep->all.cos);
        ws_table *t = drift_table(rep);
        rc = cli_print_table(t, fmt);
        ws_table_free(t);
    }
    spectra_cli_close(m1, a);
    ws_model_free(m0);
    return rc;
}
