/* wscope pr: the layers table. Per weight matrix: weight participation
 * ratio, PC1 %, components for 95 %, stable rank, WeightWatcher's spectral
 * diagnostics, and the amplitude structure of its grid fit, each with its
 * null baselines; last row: the amplitude structure of all per-layer
 * matrices together. */
#include <getopt.h>
#include <stdio.h>

#include "analysis_docs.h"
#include "commands.h"
#include "spectra_cli.h"

static const char usage_text[] =
    "usage: wscope pr MODEL [--uncentred] [--k K] [--no-amp] [--null N] [--seed S]\n"
    "                 [--centres inner|linspace] [--json|--csv]\n"
    "The layers table: weight PR, PC1 %, stable rank, WeightWatcher's alpha,\n"
    "amplitude structure; each beside its null baselines (z vs noise).\n";

int cmd_pr(int argc, char **argv)
{
    static const struct option opts[] = {
        {"uncentred", no_argument, 0, 'u'}, {"uncentered", no_argument, 0, 'u'},
        {"k", required_argument, 0, 'k'},   {"no-amp", no_argument, 0, 'a'},
        {"centres", required_argument, 0, 'Q'},
        {"json", no_argument, 0, 'j'},      {"csv", no_argument, 0, 'c'},
        SPECTRA_NULL_OPTIONS,               {0, 0, 0, 0}};
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    cli_fmt fmt = CLI_TEXT;
    int amp = 1, c, rc = 0;
    long k;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        if (spectra_cli_null_opt(c, optarg, &o.null, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (c) {
        case 'u': o.centred = 0; break;
        case 'k': if (cli_int("--k", optarg, 1, 16, &k)) return 2; o.amp_k = (int)k; break;
        case 'a': amp = 0; break;
        case 'Q':
            if (ws_grid_centres_parse(optarg, &o.amp_centres))
                return cli_failf("pr", "--centres must be inner or linspace, not '%s'", optarg);
            break;
        case 'j': fmt = CLI_JSON; break;
        case 'c': fmt = CLI_CSV; break;
        default: return c == CLI_HELP ? 0 : 2;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("pr", optind == argc ? "no MODEL" : "one MODEL only");
    ws_model *m;
    ws_analysis *a;
    rc = spectra_cli_open(argv[optind], &o, SPECTRA_NEED_MATS, &m, &a);
    if (rc)
        return rc;
    rc = spectra_cli_run(a, (amp ? WS_AN_LAYERS : WS_AN_PR | WS_AN_ESD) | WS_AN_NULLS,
                         "participation ratio");
    if (!rc) {
        ws_doc *d = ws_doc_pr(m->path, a, amp);
        if (!d)
            cli_failf("pr", "out of memory");
        char head[256];
        int n = snprintf(head, sizeof head, "weight PR on the %s covariance of the rows; amplitudes: grid fit, K=%d",
                         o.centred ? "centred" : "uncentred", o.amp_k);
        if (o.null.n > 0)
            snprintf(head + n, sizeof head - (size_t)n, "\nvs noise: z against %d draws of Gaussian noise "
                     "of each matrix's shape and std (seed %llu)", o.null.n, (unsigned long long)o.null.seed);
        rc = cli_emit(d, fmt, head);
    }
    spectra_cli_close(m, a);
    return rc;
}
