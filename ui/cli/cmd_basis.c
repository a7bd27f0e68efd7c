/* wscope basis: share of each matrix's ‖W‖² kept by the top-K eigenvectors
 * of EᵀE, with its nulls, and pooled over the per-layer matrices; with
 * --corpus, per layer the cosine of QᵀK with EᵀTE and Q's alignment with
 * it, and the corpus's symmetric PR and prediction R² (basis_corpus.h). */
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
    "                    [--null N] [--seed S] [--json|--csv]\n"
    "Share of each matrix kept by the top-K EᵀE eigenvectors, pooled, with its\n"
    "nulls; with --corpus, per-layer QᵀK cosines with EᵀTE, Q's alignment, and\n"
    "the corpus's symmetric PR and prediction R².\n";

/* The corpus measurements for the corpus in `path`, tokenized with the
 * model's tokenizer or `tok_path` (a nanoGPT .bin file is token ids
 * already). Returns 0 (*c filled) or an exit status. */
static int basis_corpus(ws_model *m, const char *path, const char *tok_path, const ws_null_opts *o,
                        ws_corpus *c)
{
    ws_err e = {{0}};
    *c = (ws_corpus){0};
    ws_tokenizer *tk;
    ws_data d;
    int rc = ws_corpus_load(m, path, tok_path, &d, &tk, &e) < 0 ? cli_fail("--corpus", &e) : 0;
    if (!rc)
        cli_unknown_note(tk, &d);
    ws_tok_free(tk);
    if (!rc) {
        ws_progress p;
        ws_progress_init(&p, 0);
        cli_bar *bar = cli_bar_start("corpus", &p);
        if (ws_corpus_analyse(m, d.tok, d.n, o, c, &p, &e) < 0) {
            rc = cli_fail(path, &e);
            ws_corpus_free(c);
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
        SPECTRA_NULL_OPTIONS,             {0, 0, 0, 0}};
    ws_analysis_opts o;
    ws_analysis_opts_default(&o);
    cli_fmt fmt = CLI_TEXT;
    const char *corpus = NULL, *tok_path = NULL;
    long k;
    int c, rc = 0, k_given = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        if (spectra_cli_null_opt(c, optarg, &o.null, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (c) {
        case 'k':
            if (cli_int("--k", optarg, 1, 1L << 20, &k)) return 2;
            o.basis_k = (int)k, k_given = 1;
            break;
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
    rc = spectra_cli_open(argv[optind], &o, SPECTRA_NEED_EMBED, &m, &a);
    if (rc)
        return rc;
    if (!k_given && o.basis_k > a->embed->cols)
        a->o.basis_k = o.basis_k = (int)a->embed->cols;   /* the default is at most d (man page) */
    if (o.basis_k > a->embed->cols)
        rc = cli_failf("--k", "%d is more than d_model %lld", o.basis_k, (long long)a->embed->cols);
    ws_corpus cp = {0};
    if (!rc && corpus)
        rc = basis_corpus(m, corpus, tok_path, &o.null, &cp);
    else if (!rc && tok_path)
        rc = cli_failf("--tokenizer", "is for a text --corpus");
    if (!rc)
        rc = spectra_cli_run(a, WS_AN_ENERGY | WS_AN_NULLS, "basis");
    if (!rc) {
        ws_doc *d = ws_doc_basis(m->path, a, corpus, corpus ? &cp : NULL);
        if (!d)
            cli_failf("basis", "out of memory");
        char head[600];
        snprintf(head, sizeof head, "share of ‖W‖² kept by the top %d of %d eigenvectors of EᵀE (%s)",
                 o.basis_k, a->spec.d, a->embed->name);
        rc = cli_emit(d, fmt, head);
    }
    ws_corpus_free(&cp);
    spectra_cli_close(m, a);
    return rc;
}
