/* Keys: one table per view plus a global one. The same tables dispatch the
 * keys, generate the help screen (`?`) and the status-bar hints, so the
 * help can never disagree with what a key does. */
#ifndef WS_KEYS_H
#define WS_KEYS_H

#include "cellbuf.h"

/* Actions a key can trigger. Views handle the ones that apply to them. */
typedef enum ws_action {
    ACT_NONE = 0,
    ACT_QUIT, ACT_BACK, ACT_HELP, ACT_REDRAW,
    ACT_UP, ACT_DOWN, ACT_LEFT, ACT_RIGHT, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END,
    ACT_EXPORT,         /* figures: the view's plot as PNG, SVG and PDF */
    ACT_OPEN, ACT_SEARCH, ACT_SEARCH_NEXT,
    ACT_TOGGLE,         /* open or close a group; show or hide (a run in the training plot) */
    ACT_ZOOM_IN, ACT_ZOOM_OUT, ACT_FIT, ACT_CLIP, ACT_DSMODE,
    ACT_ROW, ACT_COLUMN, ACT_HIST, ACT_NEXT, ACT_PREV, ACT_JUMP, ACT_LOG, ACT_CANCEL, ACT_DIFF,
    /* spectra views */
    ACT_SPECTRUM, ACT_LAYERS, ACT_DRIFT, ACT_SORT, ACT_BARS,
    /* training from the TUI */
    ACT_POLICY, ACT_POLICY_SET, ACT_POLICY_RULE, ACT_TRAIN, ACT_START, ACT_PAUSE, ACT_SAVE,
    ACT_COMPARE,
    ACT_STEPS,          /* compare view: steps of each run */
    /* the training view's runs and curves */
    ACT_FOCUS, ACT_SMOOTH_LESS, ACT_SMOOTH_MORE, ACT_WINDOW, ACT_RENAME, ACT_BROWSE,
    ACT_SAVE_WEIGHTS,
    ACT_REPORT,         /* model view: wscope report of the open model(s) */
    /* Not bound to keys: */
    ACT_CLICK,          /* mouse click at tui->click_y/x */
    ACT_PROMPT_DONE,    /* the line the user typed is in tui->prompt */
    ACT_COUNT
} ws_action;

typedef struct key_binding {
    int keys[4];            /* key codes (curses), 0-terminated */
    const char *label;      /* how help shows the keys: "j Down" */
    ws_action action;
    const char *help;       /* one line for the help screen */
    const char *hint;       /* a word for the status bar; NULL: help only */
} key_binding;

/* The keys every view shares (q, Q, ?, Ctrl-L). Ends with action ACT_NONE. */
extern const key_binding keys_global[];

/* Action bound to `key` in the view's table, else in the global table. */
ws_action keys_lookup(const key_binding *view_keys, int key);

/* The help screen: every binding of the view's table and the global table,
 * from line `scroll` on. Returns the number of lines it has in all. */
int keys_draw_help(cellbuf *cb, cb_rect area, const char *view_name,
                   const key_binding *view_keys, int scroll);

/* Status bar: "label hint" pairs of the bindings that have a hint. */
void keys_draw_hints(cellbuf *cb, cb_rect area, const key_binding *view_keys);

#endif
