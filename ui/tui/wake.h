/* Waking the TUI's main loop from other threads.
 *
 * The loop sleeps in term_getkey() on the terminal and on this pipe's read
 * end, so a worker that finishes (job.c) makes the next frame show its
 * result at once instead of the loop polling for it. Writing is
 * async-signal-safe and never blocks (a full pipe already means "wake up").
 * Without tui_wake_open() (the tests that link job.c alone) the wake is a
 * no-op. */
#ifndef WS_TUI_WAKE_H
#define WS_TUI_WAKE_H

/* Create the pipe; -1 when it cannot be made (the loop then polls). */
int tui_wake_open(void);
void tui_wake_close(void);
/* The end to wait on, or -1. */
int tui_wake_fd(void);
/* Wake the loop (from any thread). */
void tui_wake(void);
/* Empty the pipe after a wake-up. */
void tui_wake_drain(void);

#endif
