#include "spectra_cli.h"

#include <stdio.h>
#include <time.h>

int spectra_cli_run(ws_analysis *a, unsigned what, const char *label)
{
    ws_err e = {{0}};
    /* What stops an analysis is the file's content (an unconvertible dtype,
     * non-finite weights): bad input, exit status 2. */
    if (ws_analysis_start(a, what, &e) < 0)
        return cli_fail(a->m->path, &e);
    cli_bar *bar = cli_bar_start(label, &a->prog);
    struct timespec ts = {0, 20 * 1000 * 1000};
    while (!ws_analysis_finished(a))
        nanosleep(&ts, NULL);
    cli_bar_stop(bar);
    if (ws_analysis_wait(a, &e) < 0)
        return cli_fail(a->m->path, &e);
    if ((what & (WS_AN_SPECTRUM | WS_AN_ENERGY)) && a->spec.status != WS_AS_OK)
        return cli_failf(a->embed->name, "no spectrum: %s", ws_astatus_text(a->spec.status));
    return 0;
}

int spectra_cli_null_opt(int c, const char *arg, ws_null_opts *o, int *rc)
{
    long v;
    *rc = 0;
    if (c == 'N') {
        *rc = cli_int("--null", arg, 0, WS_NULL_N_MAX, &v);
        o->n = (int)v;
        return 1;
    }
    if (c == 'S') {
        *rc = cli_int("--seed", arg, 0, 1L << 62, &v);
        o->seed = (uint64_t)v;
        return 1;
    }
    return 0;
}

int spectra_cli_open(const char *path, const ws_analysis_opts *o, int need, ws_model **m,
                     ws_analysis **a)
{
    *a = NULL;
    if (cli_open_model(path, m))
        return 2;
    ws_err e = {{0}};
    const char *note = (*m)->layout_note;
    int rc = 0;
    if (!(*a = ws_analysis_new(*m, o, &e)))
        rc = cli_fail(path, &e);
    else if ((need & SPECTRA_NEED_EMBED) && !(*a)->embed)
        rc = cli_failf(path, "no token embedding (role embed)%s%s", note[0] ? ": " : "", note);
    else if ((need & SPECTRA_NEED_MATS) && (*a)->n == 0)
        rc = cli_failf(path, "no weight matrices with a role%s%s", note[0] ? ": " : "", note);
    if (rc) {
        spectra_cli_close(*m, *a);
        *m = NULL;
        *a = NULL;
    }
    return rc;
}

void spectra_cli_close(ws_model *m, ws_analysis *a)
{
    ws_analysis_free(a);
    ws_model_free(m);
}
