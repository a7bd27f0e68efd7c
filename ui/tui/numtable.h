/* A table of numbers with a label per row, for the layers and drift views:
 * a row cursor, a column cursor, sorting by the column under the cursor,
 * and a bar chart of that column. Draws into a cellbuf only. */
#ifndef WS_NUMTABLE_H
#define WS_NUMTABLE_H

#include "cellbuf.h"
#include "keys.h"
#include "render.h"

#define NT_LABEL 48

typedef struct numtable {
    int nrows, ncols;
    const char *const *col_names;   /* ncols headings */
    const char *const *col_fmts;    /* printf formats, e.g. "%8.2f" (width included) */
    char (*label)[NT_LABEL];        /* first column: name */
    char (*sub)[24];                /* second column: role@layer, kind */
    char (*status)[32];             /* shown after the numbers ("" = nothing) */
    double *v;                      /* nrows × ncols, NaN prints blank */
    unsigned char *in_bars;         /* rows the bar chart shows */
    int *order;                     /* display order (row indices) */
    int sel, top, col;              /* cursor: display position, first shown, column */
    int sort_col, desc;             /* -1: file order */
    int bars;                       /* bar chart instead of the table */
    int label_w;
} numtable;

/* Allocate for nrows × ncols; every number NaN, every row in the bars. */
int numtable_init(numtable *t, int nrows, int ncols, const char *const *names,
                  const char *const *fmts);
void numtable_free(numtable *t);

/* Cursor keys, ACT_LEFT/RIGHT (column), ACT_SORT, ACT_BARS. 1 if handled. */
int numtable_action(numtable *t, ws_action a);
/* Row (in the original order) under the cursor, -1 when empty. */
int numtable_selected(const numtable *t);
void numtable_draw(numtable *t, cellbuf *cb, cb_rect area, const render_style *s);

#endif
