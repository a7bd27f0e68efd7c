/* wscope drift: RMS, relative drift and cosine between two models with the
 * same layout: one row per tensor, then one per layer, then the model. */
#include <getopt.h>
#include <stdio.h>

#include "analysis_tables.h"
#include "commands.h"
#include "spectra_cli.h"

static const char *usage_text = "usage: wscope drift BASE TUNED [--json|--csv]";

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
        ws_doc *d = cli_doc("drift", m0->path);
        if (d) {
            ws_doc_model(d, "tuned", m1->path);
            ws_doc_table(d, ws_drift_table(rep));
        }
        char head[2200];
        snprintf(head, sizeof head, "drift from %s to %s: RMS %.4g, relative %.4g, cosine %.6f", m0->path,
                 m1->path, rep->all.rms, rep->all.rel, rep->all.cos);
        rc = cli_emit(d, fmt, head);
    }
    spectra_cli_close(m1, a);
    ws_model_free(m0);
    return rc;
}
