/* The structural analyses of one model (analysis.h) published as
 * described tables (table.h): what `wscope pr|drift|spectrum|basis` print
 * and the TUI's layers, drift and spectrum views show. Each table's
 * columns are defined once, in src/analysis_tables.c; adding one is one
 * entry there (table.h has the recipe). NULL when out of memory. */
#ifndef WS_ANALYSIS_TABLES_H
#define WS_ANALYSIS_TABLES_H

#include "analysis.h"
#include "basis_corpus.h"
#include "table.h"

/* "layers": per weight matrix the weight PR and, with `amp`, the amplitude
 * structure of its grid fit; then (with `amp`) the row "(all layers)" of
 * every per-layer matrix's amplitudes stacked, left out of bar charts.
 * Needs WS_AN_PR (and WS_AN_AMP). */
ws_table *ws_layers_table(const ws_analysis *a, int amp);

/* "drift": per pair of corresponding tensors, per layer (the rows in bar
 * charts), and the model. */
ws_table *ws_drift_table(const ws_drift_report *r);
/* "unmatched": the tensors of either model without a counterpart. */
ws_table *ws_unmatched_table(const ws_drift_report *r);

/* "eigenvalues": the first `top` eigenvalues of EᵀE (all when top <= 0)
 * with singular values, decay and the pair each belongs to. */
ws_table *ws_eigen_table(const ws_spectrum *s, int top);
/* "pairs": one row per pair of near-equal eigenvalues. */
ws_table *ws_pairs_table(const ws_spectrum *s);

/* "energy": per weight matrix, the spectral energy in the EᵀE eigenbasis.
 * Needs WS_AN_ENERGY. */
ws_table *ws_energy_table(const ws_analysis *a);
/* "energy_components": every component energy of every matrix (long form). */
ws_table *ws_energy_components_table(const ws_analysis *a);

/* "basis": per weight matrix, the share of ‖W‖² in the top basis_k
 * eigenvectors and its nulls; with a corpus (c, may be NULL), on each
 * layer's qkv row the QᵀK cosine, its p-value and Q's alignment with
 * EᵀTE, with their nulls. Needs WS_AN_ENERGY. */
ws_table *ws_basis_table(const ws_analysis *a, const ws_corpus *c);

/* "corpus": one row: the pooled share beside K/d with its nulls; with a
 * corpus, its symmetric PR and the direct and random prediction R². */
ws_table *ws_corpus_table(const ws_analysis *a, const ws_corpus *c);

#endif
