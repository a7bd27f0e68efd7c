/* A view that shows one described table built from parts of an analysis
 * (tui_analysis.h): waits for the worker with a progress line, then shows
 * the table in the table widget (numtable.h); cursor, column, sort and
 * bars keys go to the widget, Enter to the view's `open`. With `nulls`,
 * the table shows as soon as its parts are ready and the null baselines
 * are computed after, their progress in the info line, the table then
 * refilled in place. The layers and drift views are built on it. */
#ifndef WS_ANTABLE_H
#define WS_ANTABLE_H

#include "numtable.h"
#include "tui.h"
#include "tui_analysis.h"

typedef struct antable antable;

typedef struct antable_ops {
    unsigned part;                                   /* analysis parts it shows */
    int nulls;                                       /* then their null baselines */
    const char *label;                               /* progress label */
    ws_table *(*table)(antable *v, const tui *t);    /* the table from the results; NULL: no memory */
    const char *const *hide;                         /* column keys not shown (NULL-terminated) */
    void (*open)(antable *v, tui *t, int row);       /* Enter on a row (table order) */
    void (*info)(antable *v, cellbuf *cb, cb_rect info);
} antable_ops;

struct antable {
    view base;
    const antable_ops *ops;
    ws_analysis *a;
    numtable tab;
    int filled;
    int shown_pct;       /* the progress drawn (tui_analysis_moved) */
    int nulls_done;                                  /* the nulls are in (or failed) */
    char err[600];
    char null_err[600];
};

/* The view_class functions (the class itself names the view and its keys). */
void antable_draw(view *v, tui *t, cellbuf *cb, cb_rect body, cb_rect info);
int antable_action(view *v, tui *t, ws_action a);
int antable_tick(view *v, tui *t, int *busy);
void antable_destroy(view *v);

/* Show table row `row`, which is about tensor x of t->model, by x's
 * display name (names.h) instead of its name in the file. */
void tui_table_name(ws_table *tab, const tui *t, int row, const ws_tensor *x);

/* A new view on analysis `a`. */
antable *antable_new(const view_class *cls, const antable_ops *ops, ws_analysis *a);

/* The standard keys of a table view: cursor, column, sort, bars (the keys
 * numtable_action handles) and Enter (help text given); no terminator. */
#define NUMTABLE_KEYS(open_help, open_hint)                                                       \
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "previous row", NULL},                                    \
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "next row", NULL},                                  \
    {{KEY_LEFT, 'h', 0}, "Left h", ACT_LEFT, "previous column (its description shows below)", NULL}, \
    {{KEY_RIGHT, 'l', 0}, "Right l", ACT_RIGHT, "next column (the table scrolls sideways)", "column"}, \
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "ten rows up", NULL},                                     \
    {{KEY_NPAGE, ' ', 0}, "PgDn Space", ACT_PGDN, "ten rows down", NULL},                        \
    {{KEY_HOME, 'g', 0}, "Home g", ACT_HOME, "first row", NULL},                                 \
    {{KEY_END, 'G', 0}, "End G", ACT_END, "last row", NULL},                                     \
    {{'s', 0}, "s", ACT_SORT, "sort by the column: most first, the other way, table order", "sort"}, \
    {{'b', 0}, "b", ACT_BARS, "bar chart of the column by layer", "bars"},                      \
    {{'e', 0}, "e", ACT_EXPORT, "export the column's bar chart (PNG, SVG, PDF beside the model)", NULL}, \
    {{'\n', '\r', KEY_ENTER, 0}, "Enter", ACT_OPEN, open_help, open_hint}

/* The same, ended with ACT_NONE. */
#define ANTABLE_KEYS(open_help, open_hint) \
    NUMTABLE_KEYS(open_help, open_hint), {{0}, NULL, ACT_NONE, NULL, NULL}

#endif
