/* wscope basis: share of each matrix's ‖W‖² kept by the top-K eigenvectors
 * of EᵀE; with --corpus, per layer the cosine of QᵀK with EᵀTE. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis_docs.h"
#include "basis.h"
#include "basis_corpus.h"
#include "data.h"
#include "tokenizer.h"
#include "tokenizer_cli.h"
#include "commands.h"
#include "spectra_cli.h"

static const char usage_text[] =
    "usage: wscope basis MODEL [--k K] [--corpus FILE [--tokenizer FILE]]\n"
    "                    [--json|--csv]\n"
    "Share of each matrix kept by the top-K EᵀE eigenvectors; with --corpus,\n"
    "per-layer cosines of QᵀK with EᵀTE.\n";

/* Per-layer cosines of QᵀK with EᵀTE for the corpus in `path`, tokenized
 * with the model's tokenizer or `tok_path` (a nanoGPT .bin file is token
 * ids already). Returns 0 or an exit status. */
static int basis_corpus_cosines(ws_model *m, const char *path, const char *tok_path, double **cos)
{
    ws_err e = {{0}};
    *cos = NULL;
    ws_tokenizer *tk;
    ws_data d;
    int rc = ws_corpus_load(m, path, tok_path, &d, &tk, &e) < 0 ? cli_fail("--corpus", &e) : 0;
    if (!rc)
        cli_unknown_note(tk, &d);
    ws_tok_free(tk);
    if (!rc) {
        *cos = malloc(sizeof **cos * (size_t)(m->cfg.n_layer > 0 ? m->cfg.n_layer : 1));
        ws_progress p;
        ws_progress_init(&p, 0);
        cli_bar *bar = cli_bar_start("corpus", &p);
        if (!*cos || ws_corpus_qk_cosines(m, d.tok, d.n, *cos, &p, &e) < 0) {
            rc = *cos ? cli_fail(path, &e) : cli_failf(path, "out of memory");
            free(*cos);
            *cos = NULL;
        }
        cli_bar_stop(bar);
    }
    ws_data_free(&d);
    return rc;
}

int cmd_basis(int argc, char **argv)
{
    static const struct option opts[] = {
        {"k", required_argument, 0, 'k'}, {"corpus", required_argument, 0, 'C'},
        {"tokenizer", required_argument, 0, 'Z'},
        {"json", no_argument, 0, 'j'},    {"csv", no_argument, 0, 'c'},
        {0, 0, 0, 0}};
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    cli_fmt fmt = CLI_TEXT;
    const char *corpus = NULL, *tok_path = NULL;
    long k;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        switch (c) {
        case 'k': if (cli_int("--k", optarg, 1, 1L << 20, &k)) return 2; o.basis_k = (int)k; break;
        case 'C': corpus = optarg; break;
        case 'Z': tok_path = optarg; break;
        case 'j': fmt = CLI_JSON; break;
        case 'c': fmt = CLI_CSV; break;
        default: return c == CLI_HELP ? 0 : 2;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("basis", optind == argc ? "no MODEL" : "one MODEL only");
    ws_model *m;
    ws_analysis *a;
    int rc = spectra_cli_open(argv[optind], &o, SPECTRA_NEED_EMBED, &m, &a);
    if (rc)
        return rc;
    if (o.basis_k > a->embed->cols)
        rc = cli_failf("--k", "%d is more than d_model %lld", o.basis_k, (long long)a->embed->cols);
    double *qk_cos = NULL;
    if (!rc && corpus)
        rc = basis_corpus_cosines(m, corpus, tok_path, &qk_cos);
    else if (!rc && tok_path)
        rc = cli_failf("--tokenizer", "is for a text --corpus");
    if (!rc)
        rc = spectra_cli_run(a, WS_AN_ENERGY, "basis");
    if (!rc) {
        ws_doc *d = ws_doc_basis(m->path, a, corpus, qk_cos);
        if (!d)
            cli_failf("basis", "out of memory");
        char head[600];
        snprintf(head, sizeof head, "share of ‖W‖² kept by the top %d of %d eigenvectors of EᵀE (%s)",
                 o.basis_k, a->spec.d, a->embed->name);
        rc = cli_emit(d, fmt, head);
    }
    free(qk_cos);
    spectra_cli_close(m, a);
    return rc;
}
