/* The TUI's table widget: shows a described table (table.h) with a row
 * cursor and a column cursor, sorting by the selected column (its "more"
 * direction first), a bar chart of it, sideways scrolling when the columns
 * do not fit (the leading name columns stay), and the selected column's
 * description as a help line at the bottom. Draws into a cellbuf only.
 * The layers, drift, fits, spectrum and compare views are built on it. */
#ifndef WS_NUMTABLE_H
#define WS_NUMTABLE_H

#include "cellbuf.h"
#include "keys.h"
#include "render.h"
#include "table.h"

typedef struct numtable {
    ws_table *t;            /* the table shown (owned) */
    int *vis, nvis;         /* shown columns (table indices), in order */
    int frozen;             /* leading shown columns that never scroll away */
    int *order;             /* display order (table row indices) */
    int nrows;
    int sel, top;           /* row cursor (display position), first row shown */
    int col;                /* column cursor (index into vis) */
    int left;               /* first scrolling column shown (index into vis) */
    int sort_col, desc;     /* table column sorted by, -1: table order */
    int bars;               /* bar chart of the column instead of the table */
    int fixed_order;        /* no sorting (the spectrum list follows its plot) */
    int no_help;            /* no help line */
    /* Optional: extra attributes of a row (CB_BOLD, CB_DIM) by table row. */
    int (*row_attrs)(const void *ctx, int row);
    const void *ctx;
} numtable;

/* An empty widget. */
void numtable_init(numtable *nt);
/* Show `t` (taken over, also on failure; NULL: empty). Columns flagged
 * WS_COL_DATA and those whose key is in `hide` (NULL-terminated, may be
 * NULL) are not shown; the first `frozen` shown columns stay when scrolling
 * sideways. The cursor keeps its row and column, the sort its column, so a
 * table that grows (fits as they finish) can be set again. -1 when out of
 * memory. */
int numtable_set(numtable *nt, ws_table *t, const char *const *hide, int frozen);
void numtable_free(numtable *nt);

/* Cursor keys, ACT_LEFT/RIGHT (column), ACT_SORT (cycle: the column's
 * "more" first, the other way, table order), ACT_BARS. 1 if handled. */
int numtable_action(numtable *nt, ws_action a);
/* Table row under the cursor, -1 when empty. */
int numtable_selected(const numtable *nt);
/* Put the cursor on table row `row` (no change when it is not shown). */
void numtable_select(numtable *nt, int row);
/* Sort by table column `col` (-1: table order). */
void numtable_sort(numtable *nt, int col, int desc);
/* The column under the cursor (table index), -1 when none. */
int numtable_column(const numtable *nt);
void numtable_draw(numtable *nt, cellbuf *cb, cb_rect area, const render_style *s);

#endif
