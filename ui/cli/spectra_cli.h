/* Pieces shared by the spectra commands (spectrum, pr, drift, basis). */
#ifndef WS_SPECTRA_CLI_H
#define WS_SPECTRA_CLI_H

#include "analysis.h"
#include "cli.h"

enum { SPECTRA_NEED_EMBED = 1, SPECTRA_NEED_MATS = 2 };

/* Open MODEL and set up its (empty) analysis, checking that it has what
 * `need` asks for. Returns 0, or prints the reason and returns 2 with
 * nothing left open. */
int spectra_cli_open(const char *path, const ws_analysis_opts *o, int need, ws_model **m,
                     ws_analysis **a);
void spectra_cli_close(ws_model *m, ws_analysis *a);

/* Run the analysis parts `what` on its worker thread with a progress bar
 * (on a TTY). Returns 0, or prints "wscope: PATH: message" and returns 1
 * (2 when the embedding has no spectrum: NaN, zero). */
int spectra_cli_run(ws_analysis *a, unsigned what, const char *label);

/* The null-baseline options of pr, spectrum --energy and basis: --null N
 * draws per family (0..WS_NULL_N_MAX; 0: none) and --seed S. */
#define SPECTRA_NULL_OPTIONS {"null", required_argument, 0, 'N'}, {"seed", required_argument, 0, 'S'}
/* 1 when getopt's `c` was one of them (*rc: 0, or 2 for a bad value), else 0. */
int spectra_cli_null_opt(int c, const char *arg, ws_null_opts *o, int *rc);


#endif
