/* wscope spectrum: eigenvalues of EᵀE, decay ratios, the level-spacing
 * p-value of every gap and the significant pairs (or pairs by a tolerance);
 * with --energy the spectral energy of every matrix in the EᵀE eigenbasis. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>

#include "analysis_docs.h"
#include "commands.h"
#include "spectra_cli.h"

static const char usage_text[] =
    "usage: wscope spectrum MODEL [--alpha A | --tol T] [--top N]\n"
    "                       [--energy [--components] [--null N] [--seed S]]\n"
    "                       [--json|--csv]\n"
    "Eigenvalues of EᵀE (E the token embedding): spacing, pairs, decay;\n"
    "--energy: the spectral energy of every weight matrix, with its nulls.\n";

int cmd_spectrum(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tol", required_argument, 0, 't'}, {"alpha", required_argument, 0, 'a'},
        {"top", required_argument, 0, 'n'},
        {"energy", no_argument, 0, 'e'},    {"json", no_argument, 0, 'j'},
        {"csv", no_argument, 0, 'c'},       {"components", no_argument, 0, 'C'},
        SPECTRA_NULL_OPTIONS,
        {0, 0, 0, 0}};
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    cli_fmt fmt = CLI_TEXT;
    int energy = 0, components = 0, c, rc = 0, null_given = 0;
    long top = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        if (spectra_cli_null_opt(c, optarg, &o.null, &rc)) {
            if (rc)
                return rc;
            null_given = 1;
            continue;
        }
        switch (c) {
        case 't':
            if (cli_double("--tol", optarg, &o.pair_tol)) return 2;
            if (!(o.pair_tol >= 0 && o.pair_tol < 1))
                return cli_failf("--tol", "must be in [0, 1), got %s", optarg);
            break;
        case 'a':
            if (cli_double("--alpha", optarg, &o.pair_alpha)) return 2;
            if (!(o.pair_alpha > 0 && o.pair_alpha < 1))
                return cli_failf("--alpha", "must be in (0, 1), got %s", optarg);
            break;
        case 'n': if (cli_int("--top", optarg, 1, 1L << 30, &top)) return 2; break;
        case 'e': energy = 1; break;
        case 'C': components = 1; break;
        case 'j': fmt = CLI_JSON; break;
        case 'c': fmt = CLI_CSV; break;
        default: return c == CLI_HELP ? 0 : 2;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("spectrum", optind == argc ? "no MODEL" : "one MODEL only");
    if (o.pair_tol >= 0 && o.pair_alpha != WS_PAIR_ALPHA_DEFAULT)
        return cli_failf("--alpha", "the spacing test's level; --tol chooses the other rule: give one");
    if (components && !energy)
        return cli_failf("--components", "the component energies come with --energy: give it");
    if (null_given && !energy)
        return cli_failf("--null", "null baselines are of the spectral energy: give --energy");
    ws_model *m;
    ws_analysis *a;
    rc = spectra_cli_open(argv[optind], &o, SPECTRA_NEED_EMBED, &m, &a);
    if (rc)
        return rc;
    rc = spectra_cli_run(a, energy ? WS_AN_ENERGY | WS_AN_NULLS : WS_AN_SPECTRUM, "spectrum");
    if (!rc) {
        const ws_spectrum *s = &a->spec;
        ws_doc *d = ws_doc_spectrum(m->path, a, top, energy, components);
        if (!d)
            cli_failf("spectrum", "out of memory");
        char rule[96], head[1600];
        ws_spectrum_rule_text(s, rule, sizeof rule);
        size_t n = (size_t)snprintf(head, sizeof head, "embedding %s (%lldx%lld): %d eigenvalues of EᵀE, %d pair%s (%s)",
                                    a->embed->name, (long long)a->embed->rows, (long long)a->embed->cols, s->d,
                                    s->n_pairs, s->n_pairs == 1 ? "" : "s", rule);
        if (s->rank < s->d && n < sizeof head)
            n += (size_t)snprintf(head + n, sizeof head - n, "\n%d eigenvalue%s in the numerical null space "
                                  "(rank %d): no spacing test", s->d - s->rank, s->d - s->rank == 1 ? "" : "s",
                                  s->rank);
        if (n < sizeof head)
            n += (size_t)snprintf(head + n, sizeof head - n, "\ndecay: s1/s0 = %.3f", s->d > 1 ? s->decay[1] : NAN);
        if (s->d > 10 && n < sizeof head)
            snprintf(head + n, sizeof head - n, ", s10/s0 = %.3f", s->decay[10]);
        rc = cli_emit(d, fmt, head);
    }
    spectra_cli_close(m, a);
    return rc;
}
