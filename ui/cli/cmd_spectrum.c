/* wscope spectrum: eigenvalues of EᵀE, decay ratios, the level-spacing
 * p-value of every gap and the significant pairs (or pairs by a tolerance);
 * with --energy the spectral energy of every matrix in the EᵀE eigenbasis. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>

#include "commands.h"
#include "spectra_cli.h"

static const char usage_text[] =
    "usage: wscope spectrum MODEL [--alpha A | --tol T] [--top N] [--energy]\n"
    "                       [--json|--csv]\n"
    "Eigenvalues of EᵀE (E the token embedding): spacing, pairs, decay;\n"
    "--energy: the spectral energy of every weight matrix.\n";

static ws_table *eigen_table(const ws_spectrum *s, int top)
{
    ws_table *t = ws_table_new();
    int c_i = ws_table_col(t, "i", "%.0f"), c_l = ws_table_col(t, "lambda", "%.8g");
    int c_s = ws_table_col(t, "sv", "%.6g"), c_d = ws_table_col(t, "decay", "%.4f");
    int c_sp = ws_table_col(t, "spacing", "%.3f"), c_gp = ws_table_col(t, "gap_p", "%.2e");
    int c_p = ws_table_col(t, "pair", NULL), c_g = ws_table_col(t, "pair_gap", "%.2e");
    int n = top > 0 && top < s->d ? top : s->d;
    for (int i = 0; i < n; i++) {
        int r = ws_table_row(t);
        ws_table_num(t, r, c_i, i);
        ws_table_num(t, r, c_l, s->lam[i]);
        ws_table_num(t, r, c_s, s->sv[i]);
        ws_table_num(t, r, c_d, s->decay[i]);
        ws_table_num(t, r, c_sp, i + 1 < s->d ? s->spacing[i] : NAN);
        ws_table_num(t, r, c_gp, i + 1 < s->d ? s->gap_p[i] : NAN);
        ws_table_num(t, r, c_g, NAN);
        if (i >= s->rank)
            ws_table_str(t, r, c_p, "null space");
        for (int p = 0; p < s->n_pairs; p++)
            if (s->pairs[p].i == i || s->pairs[p].i + 1 == i) {
                char buf[48];
                snprintf(buf, sizeof buf, "%d-%d", s->pairs[p].i, s->pairs[p].i + 1);
                ws_table_str(t, r, c_p, buf);
                ws_table_num(t, r, c_g, s->pairs[p].gap);
            }
    }
    return t;
}

static ws_table *energy_table(const ws_analysis *a)
{
    ws_table *t = ws_table_new();
    spectra_cli_ident_cols(t);
    int c_side = ws_table_col(t, "projected", NULL);
    int c50 = ws_table_col(t, "comps50", "%.0f"), c90 = ws_table_col(t, "comps90", "%.0f");
    int c_tot = ws_table_col(t, "energy", "%.6g"), c_st = ws_table_col(t, "status", NULL);
    for (size_t i = 0; i < a->n; i++) {
        const ws_mat_result *m = &a->mats[i];
        int r = ws_table_row(t);
        spectra_cli_ident(t, r, m->t);
        int applies = m->t->cols == a->spec.d || m->t->rows == a->spec.d;
        ws_table_str(t, r, c_side, !applies ? "-" : m->energy_transposed ? "columns" : "rows");
        int ok = m->energy.status == WS_AS_OK;
        ws_table_num(t, r, c50, ok ? m->energy.comps50 : NAN);
        ws_table_num(t, r, c90, ok ? m->energy.comps90 : NAN);
        ws_table_num(t, r, c_tot, ok ? m->energy.total : NAN);
        ws_table_str(t, r, c_st, !applies ? "no side of length d_model"
                                          : ws_astatus_text(m->energy.status));
    }
    return t;
}

int cmd_spectrum(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tol", required_argument, 0, 't'}, {"alpha", required_argument, 0, 'a'},
        {"top", required_argument, 0, 'n'},
        {"energy", no_argument, 0, 'e'},    {"json", no_argument, 0, 'j'},
        {"csv", no_argument, 0, 'c'},       {0, 0, 0, 0}};
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    cli_fmt fmt = CLI_TEXT;
    int energy = 0, c;
    long top = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
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
        case 'j': fmt = CLI_JSON; break;
        case 'c': fmt = CLI_CSV; break;
        default: return c == CLI_HELP ? 0 : 2;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("spectrum", optind == argc ? "no MODEL" : "one MODEL only");
    if (o.pair_tol >= 0 && o.pair_alpha != WS_PAIR_ALPHA_DEFAULT)
        return cli_failf("--alpha", "the spacing test's level; --tol chooses the other rule: give one");
    ws_model *m;
    ws_analysis *a;
    int rc = spectra_cli_open(argv[optind], &o, SPECTRA_NEED_EMBED, &m, &a);
    if (rc)
        return rc;
    rc = spectra_cli_run(a, energy ? WS_AN_ENERGY : WS_AN_SPECTRUM, "spectrum");
    if (!rc) {
        const ws_spectrum *s = &a->spec;
        if (fmt == CLI_TEXT) {
            char rule[96];
            ws_spectrum_rule_text(s, rule, sizeof rule);
            printf("embedding %s (%lldx%lld): %d eigenvalues of EᵀE, %d pair%s (%s)\n",
                   a->embed->name, (long long)a->embed->rows, (long long)a->embed->cols, s->d,
                   s->n_pairs, s->n_pairs == 1 ? "" : "s", rule);
            if (s->rank < s->d)
                printf("%d eigenvalue%s in the numerical null space (rank %d): no spacing test\n",
                       s->d - s->rank, s->d - s->rank == 1 ? "" : "s", s->rank);
            printf("decay: s1/s0 = %.3f", s->d > 1 ? s->decay[1] : NAN);
            if (s->d > 10)
                printf(", s10/s0 = %.3f", s->decay[10]);
            printf("\n\n");
        }
        ws_table *t = energy ? energy_table(a) : eigen_table(s, (int)top);
        rc = cli_print_table(t, fmt);
        ws_table_free(t);
    }
    spectra_cli_close(m, a);
    return rc;
}
