/* The documents (doc.h) the analyses publish: exactly what `wscope pr |
 * spectrum | basis | drift | fit --json` print, built in one place so
 * that `wscope report` writes the same bytes as the CLI and `wscope plot
 * --bars` draws the same columns. Each takes the model path as the user
 * gave it and the computed analysis; NULL when out of memory. */
#ifndef WS_ANALYSIS_DOCS_H
#define WS_ANALYSIS_DOCS_H

#include "analysis.h"
#include "basis_corpus.h"
#include "doc.h"
#include "fit.h"

/* A document for `command` on the model at `path` (NULL path: none). */
ws_doc *ws_doc_for(const char *command, const char *path);

/* "pr": the layers table (WS_AN_PR, with `amp` WS_AN_AMP too). */
ws_doc *ws_doc_pr(const char *path, const ws_analysis *a, int amp);
/* "spectrum": eigenvalues (the first `top`, 0: all) and pairs, or with
 * `energy` the energy table (WS_AN_ENERGY). */
/* "spectrum": the eigenvalues and pairs, or with `energy` the energy table
 * (after the per-component table when `components`: CSV prints that one). */
ws_doc *ws_doc_spectrum(const char *path, const ws_analysis *a, long top, int energy, int components);
/* "basis": the share table and the corpus table, with the corpus's
 * measurements (c NULL: no corpus). */
ws_doc *ws_doc_basis(const char *path, const ws_analysis *a, const char *corpus,
                     const ws_corpus *c);
/* "drift": drift and unmatched tables of a (the tuned model's analysis,
 * WS_AN_DRIFT done against the base at `path`). */
ws_doc *ws_doc_drift(const char *path, const ws_analysis *a);
/* "fit": the parameters only; the caller adds the fit tables as matrices
 * finish. `patterns` the --tensor patterns (n may be 0), `eig` the --eig
 * file or NULL, `null` the null-baseline options. */
ws_doc *ws_doc_fit(const char *path, const char *const *patterns, size_t n, int all,
                   const ws_fit_matrix_opts *mo, const char *eig, int components, const ws_null_opts *null);

#endif
