/* wscope drift: RMS, relative drift and cosine between two versions of a
 * network (any formats and namings, with or without training state): one
 * row per corresponding tensor, then one per layer, then the model, with
 * the mean of the per-matrix cosines; tensors on one side only in a note. */
#include <getopt.h>
#include <stdio.h>

#include "analysis_docs.h"
#include "commands.h"
#include "escape.h"
#include "spectra_cli.h"

static const char usage_text[] =
    "usage: wscope drift BASE TUNED [--all-tensors] [--json|--csv]\n"
    "RMS, relative drift and cosine per tensor, per layer and for the network.\n";

/* "only in BASE: a, b, c ..." on stderr, the first few names. */
static void note_only(const char *side, ws_tensor *const *ts, size_t n)
{
    if (!n)
        return;
    fprintf(stderr, "wscope: note: %zu tensor%s only in %s:", n, n == 1 ? "" : "s", side);
    for (size_t i = 0; i < n && i < 8; i++) {
        char name[256];
        ws_escape(name, sizeof name, ts[i]->name);   /* names come from files */
        fprintf(stderr, "%s %s", i ? "," : "", name);
    }
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
        ws_doc *d = ws_doc_drift(m0->path, a);
        if (!d)
            cli_failf("drift", "out of memory");
        char head[2200];
        snprintf(head, sizeof head, "drift from %s to %s: RMS %.4g, relative %.4g, cosine %.6f, mean cosine %.6f "
                 "(%d matrices)", m0->path, m1->path, rep->all.rms, rep->all.rel, rep->all.cos, rep->mean_cos,
                 rep->n_mean_cos);
        rc = cli_emit(d, fmt, head);
    }
    spectra_cli_close(m1, a);
    ws_model_free(m0);
    return rc;
}
