/* The TUI main loop: a plain state machine that turns once per event.
 *
 *   POLL  ──a key changed something, or a frame is due──► DRAW ──► POLL
 *   POLL  ──nothing to draw yet─────────────────────────► WAIT
 *   WAIT  ──a key─────────────────────────► INPUT ──► POLL
 *   WAIT  ──timeout, a job's wake-up, a signal──► POLL
 *   POLL  ──quit, or no view left──► END
 *
 *   POLL   reap finished background jobs (job.h) and ask the top view's
 *          `tick` whether its work changed anything (progress, a result);
 *          a view with work running sets `busy`. What work changed is
 *          drawn at most once per LOOP_FRAME_MS (or at once when a job
 *          ended and woke the loop); what a key changed is drawn at once.
 *   DRAW   compose the frame (title bar, the top view's body and info line,
 *          the prompt or one-shot message, the status-bar hints) into a
 *          cellbuf, and copy the cells that differ to the terminal
 *          (terminal.c). Drawing may start work, so POLL runs again right
 *          after.
 *   WAIT   asleep in poll(2) on the terminal and the wake pipe (wake.h):
 *          until the next frame when work changed something, one frame
 *          while work runs (to show its progress), and with no timeout at
 *          all when nothing runs: an idle TUI takes no CPU time. A job that
 *          ends writes to the wake pipe.
 *   INPUT  a resize repaints everything; the "too small" screen takes only
 *          Q; an open prompt takes the line editing; otherwise the key goes
 *          through the top view's key table to an action: the loop handles
 *          ACT_QUIT, ACT_BACK (pop the view; quit from the first), ACT_HELP
 *          and ACT_REDRAW itself and gives every other action to the view.
 *          Quitting while a training run is going or unsaved asks first in
 *          the info line (s saves and quits, d quits without saving, any
 *          other key stays); the runs go on meanwhile.
 *
 * A view's tick must return 1 only when something it shows changed (a
 * tick that always answers 1 costs a frame per LOOP_FRAME_MS, never a
 * spin, but wastes them). The loop ends when `t->quit` is set, the view
 * stack is empty, the terminal hangs up, or (while a run is going or
 * unsaved) SIGINT, SIGTERM or SIGHUP arrived: terminal.c then only notes
 * it, and the entry (tui.c) saves the runs before exiting. Signals and
 * restoring the terminal belong to terminal.c, the view stack and the
 * entry to tui.c. */
#ifndef WS_TUI_LOOP_H
#define WS_TUI_LOOP_H

#include "tui.h"

enum { LOOP_FRAME_MS = 100 };   /* while work runs: at most one frame per this */

void tui_loop(tui *t);

#endif
