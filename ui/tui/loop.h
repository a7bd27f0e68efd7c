/* The TUI main loop: a plain state machine that turns once per event.
 *
 *   POLL  ──dirty───────────► DRAW ──► POLL ──► WAIT
 *   POLL  ──nothing changed──► WAIT
 *   WAIT  ──a key────────────► INPUT ──► POLL
 *   WAIT  ──timeout──────────► POLL
 *   POLL  ──quit, or no view left──► END
 *
 *   POLL   reap finished background jobs (job.h) and ask the top view's
 *          `tick` whether its work changed anything (progress, a result);
 *          a view with work running sets `busy`.
 *   DRAW   only when `t->dirty`: compose the frame (title bar, the top
 *          view's body and info line, the prompt or one-shot message, the
 *          status-bar hints) into a cellbuf, and copy the cells that differ
 *          to the terminal (terminal.c). Drawing may start work, so POLL
 *          runs again right after.
 *   WAIT   for one key: no timeout when idle (nothing to do until a key),
 *          no wait at all when a redraw is pending, LOOP_POLL_MS while work
 *          runs so progress shows.
 *   INPUT  a resize repaints everything; the "too small" screen takes only
 *          Q; an open prompt takes the line editing; otherwise the key goes
 *          through the top view's key table to an action: the loop handles
 *          ACT_QUIT, ACT_BACK (pop the view; quit from the first), ACT_HELP
 *          and ACT_REDRAW itself and gives every other action to the view.
 *          Quitting while a training run is going or unsaved asks first in
 *          the info line (s saves and quits, d quits without saving, any
 *          other key stays); the runs go on meanwhile.
 *
 * The loop ends when `t->quit` is set, the view stack is empty, or (while
 * a run is going or unsaved) SIGINT, SIGTERM or SIGHUP arrived: terminal.c
 * then only notes it, and the entry (tui.c) saves the runs before exiting.
 * Signals and restoring the terminal belong to terminal.c, the view stack
 * and the entry to tui.c. */
#ifndef WS_TUI_LOOP_H
#define WS_TUI_LOOP_H

#include "tui.h"

enum { LOOP_POLL_MS = 15 };   /* while work runs: how soon a finished job is shown */

void tui_loop(tui *t);

#endif
