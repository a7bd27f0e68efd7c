/* wscope pr: the layers table. Per weight matrix: weight participation
 * ratio, PC1 %, components for 95 %, stable rank, and the amplitude
 * structure of its grid fit; last row: the amplitude structure of all
 * per-layer matrices together. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>

#include "commands.h"
#include "spectra_cli.h"

static const char usage_text[] =
    "usage: wscope pr MODEL [--uncentred] [--k K] [--no-amp] [--json|--csv]\n"
    "The layers table: weight PR, PC1 %, stable rank, amplitude structure.\n";

enum { C_PR = 3, C_PC1, C_C95, C_SR, C_APR, C_APC1, C_AC95, C_CORR, C_KURT, C_ST };

static void layers_cols(ws_table *t)
{
    spectra_cli_ident_cols(t);
    ws_table_col(t, "pr", "%.2f");
    ws_table_col(t, "pc1_pct", "%.1f");
    ws_table_col(t, "comps95", "%.0f");
    ws_table_col(t, "stable_rank", "%.2f");
    ws_table_col(t, "amp_pr", "%.2f");
    ws_table_col(t, "amp_pc1_pct", "%.1f");
    ws_table_col(t, "amp_comps95", "%.0f");
    ws_table_col(t, "amp_max_corr", "%.3f");
    ws_table_col(t, "amp_kurtosis", "%.1f");
    ws_table_col(t, "status", NULL);
}

static void amp_cells(ws_table *t, int r, const ws_amp *a, int have)
{
    int ok = have && a->status == WS_AS_OK;
    ws_table_num(t, r, C_APR, ok ? a->pr : NAN);
    ws_table_num(t, r, C_APC1, ok ? 100 * a->pc1 : NAN);
    ws_table_num(t, r, C_AC95, ok ? a->comps95 : NAN);
    ws_table_num(t, r, C_CORR, ok ? a->max_corr : NAN);
    ws_table_num(t, r, C_KURT, ok ? a->kurtosis : NAN);
}

static ws_table *layers_table(const ws_analysis *a, int amp)
{
    ws_table *t = ws_table_new();
    layers_cols(t);
    for (size_t i = 0; i < a->n; i++) {
        const ws_mat_result *m = &a->mats[i];
        int r = ws_table_row(t), ok = m->pr.status == WS_AS_OK;
        spectra_cli_ident(t, r, m->t);
        ws_table_num(t, r, C_PR, ok ? m->pr.pr : NAN);
        ws_table_num(t, r, C_PC1, ok ? 100 * m->pr.pc1 : NAN);
        ws_table_num(t, r, C_C95, ok ? m->pr.comps95 : NAN);
        ws_table_num(t, r, C_SR, ok ? m->pr.stable_rank : NAN);
        amp_cells(t, r, &m->amp, amp);
        ws_astatus st = !ok ? m->pr.status : amp ? m->amp.status : WS_AS_OK;
        ws_table_str(t, r, C_ST, ws_astatus_text(st));
    }
    if (amp) {
        int r = ws_table_row(t);
        ws_table_str(t, r, 0, "(all layers)");
        ws_table_str(t, r, 1, "amplitudes");
        char buf[64];
        snprintf(buf, sizeof buf, "%lldx%d", (long long)a->amp_global.rows, a->amp_global.k);
        ws_table_str(t, r, 2, buf);
        for (int c = C_PR; c <= C_SR; c++)
            ws_table_num(t, r, c, NAN);
        amp_cells(t, r, &a->amp_global, 1);
        ws_table_str(t, r, C_ST, ws_astatus_text(a->amp_global.status));
    }
    return t;
}

int cmd_pr(int argc, char **argv)
{
    static const struct option opts[] = {
        {"uncentred", no_argument, 0, 'u'}, {"uncentered", no_argument, 0, 'u'},
        {"k", required_argument, 0, 'k'},   {"no-amp", no_argument, 0, 'a'},
        {"json", no_argument, 0, 'j'},      {"csv", no_argument, 0, 'c'},
        {0, 0, 0, 0}};
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    cli_fmt fmt = CLI_TEXT;
    int amp = 1, c;
    long k;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        switch (c) {
        case 'u': o.centred = 0; break;
        case 'k': if (cli_int("--k", optarg, 1, 16, &k)) return 2; o.amp_k = (int)k; break;
        case 'a': amp = 0; break;
        case 'j': fmt = CLI_JSON; break;
        case 'c': fmt = CLI_CSV; break;
        default: return c == CLI_HELP ? 0 : 2;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("pr", optind == argc ? "no MODEL" : "one MODEL only");
    ws_model *m;
    ws_analysis *a;
    int rc = spectra_cli_open(argv[optind], &o, SPECTRA_NEED_MATS, &m, &a);
    if (rc)
        return rc;
    rc = spectra_cli_run(a, amp ? WS_AN_LAYERS : WS_AN_PR, "participation ratio");
    if (!rc) {
        if (fmt == CLI_TEXT)
            printf("weight PR on the %s covariance of the rows; amplitudes: grid fit, K=%d\n\n",
                   o.centred ? "centred" : "uncentred", o.amp_k);
        ws_table *t = layers_table(a, amp);
        rc = cli_print_table(t, fmt);
        ws_table_free(t);
    }
    spectra_cli_close(m, a);
    return rc;
}
