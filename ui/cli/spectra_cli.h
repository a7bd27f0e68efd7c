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

#endif
