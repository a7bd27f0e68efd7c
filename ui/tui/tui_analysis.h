/* The TUI's cache of structural analyses (src/analysis.h), one per model,
 * shared by the spectrum, layers and drift views and kept until exit.
 * Each analysis computes on its own worker thread; views ask for the parts
 * they need and poll. */
#ifndef WS_TUI_ANALYSIS_H
#define WS_TUI_ANALYSIS_H

#include "analysis.h"
#include "tui.h"

/* The analysis of `m` (created on first use); NULL when out of memory. */
ws_analysis *tui_analysis(ws_model *m);

/* Ask for `what` (with WS_AN_NULLS: their null baselines too): 1 when those parts are ready, 0 while the worker runs
 * (progress in a->prog; call again from the view's tick), -1 when the last
 * run for them failed or was cancelled (*msg says why; tui_analysis_retry
 * clears it). Starts the worker when nothing runs. */
int tui_analysis_need(ws_analysis *a, unsigned what, const char **msg);
void tui_analysis_retry(ws_analysis *a);
/* 1 (and *out) when m's analysis exists, no worker runs and it has `what`;
 * never starts work (for views that only show what is known). */
int tui_analysis_ready(ws_model *m, unsigned what, ws_analysis **out);
/* done/total of the running work, in [0, 1]. */
double tui_analysis_fraction(ws_analysis *a);
/* For the tick of a view waiting for parts of `a`: 1 when the percentage
 * shown in *shown (start it at -1) moved, and whenever no worker runs
 * (the next draw collects the result, or starts the work). */
int tui_analysis_moved(ws_analysis *a, int *shown);

/* A matrix's weight PR (k = 0) or amplitude PR (k = 1) as the tables beside
 * the training policies show it ("12.3 +41.7": with its z against Gaussian
 * noise of the same shape when `with_z` and the null was drawn); "" when
 * res is NULL or the number is not known. */
const char *tui_pr_cell(const ws_mat_result *res, int k, int with_z, char *buf, size_t n);

/* Cancel and free them all: after the views are gone, before the models. */
void tui_analyses_free(void);

#endif
