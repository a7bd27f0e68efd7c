/* The TUI's report key (R in the model view): `wscope report` of the open
 * model(s) into MODEL-report/ beside the model (or in the current
 * directory when the model's is not writable), on a worker thread, with
 * its progress and then where it went in the info line. */
#ifndef WS_REPORT_KEY_H
#define WS_REPORT_KEY_H

#include "tui.h"

/* Start the report (or say how far the running one is). Returns 1. */
int tui_report_start(tui *t);
/* Poll the running report: 1 when the info line changed. *busy = 1 while
 * it runs. */
int tui_report_tick(tui *t, int *busy);
/* Stop a running report (its temporary directory is removed). */
void tui_report_stop(void);

#endif
