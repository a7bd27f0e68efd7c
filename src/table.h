/* Described tables: how every analysis publishes its results.
 *
 * The engine builds each analysis's results as a table whose columns are
 * described once: JSON key (also the CSV and CLI text header), screen
 * title, kind, printf format (text and screen), unit, a one-line
 * description, which way is "more", and whether a bar chart of it makes
 * sense. The table itself has a name and a description. The front ends
 * only present it: the CLI as aligned text, CSV or JSON (doc.h), the TUI
 * as a scrolling, sortable table with the selected column's description
 * as a help line (ui/tui/numtable.h), figures as bar charts.
 *
 * Cells: NaN (or a cell never set) prints as empty text, an empty CSV
 * field and JSON null. Numbers in CSV and JSON use the shortest form that
 * reads back to the same value (ws_fmt_num): at most 9 significant digits,
 * enough to round-trip a float32, for anything computed from float32
 * weights; at most 17 for a column flagged WS_COL_F64 (a double whose
 * every bit matters). Integer columns print as integers.
 *
 * How an analysis defines its table (see src/analysis_tables.c):
 *   1. a row struct holding what one row reads (ws_row_id first when the
 *      row names a tensor, so the shared identity columns work);
 *   2. a static array of ws_colspec: the description plus a getter that
 *      reads the value from that row struct;
 *   3. a builder: ws_table_new_named, ws_table_add_specs, then
 *      ws_table_add_item per row.
 *
 * How to add a column: add one ws_colspec to its table's array (with its
 * getter just above it), then document it (man page ANALYSES, README if it
 * is a headline number) and extend the command's test. Every front end
 * picks it up: CLI text/CSV/JSON, the TUI table and its help line, bars.
 *
 * How to add a family of columns (e.g. a statistic's null baselines): give
 * one getter that takes the column's `arg`, and list the family with
 * WS_COLS_NULLS (below) or a macro like it: keys, titles and descriptions
 * are built from the base column's by string-literal pasting. */
#ifndef WS_TABLE_H
#define WS_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef struct ws_table ws_table;

typedef enum ws_col_kind {
    WS_COL_NUM,     /* a real number */
    WS_COL_INT,     /* a whole number (counts, indexes) */
    WS_COL_STR,     /* text */
    WS_COL_BOOL,    /* yes/no: JSON true/false */
    WS_COL_SHAPE,   /* dimensions: "768x256" in text and CSV, [768, 256] in JSON */
} ws_col_kind;

/* Which way is "more" of what the column measures: the TUI's first sort
 * puts the most first, figures label the axis. */
typedef enum ws_more {
    WS_MORE_NONE = 0,   /* no direction (names, labels): ascending first */
    WS_MORE_HIGHER,     /* larger values are more (PR, drift RMS) */
    WS_MORE_LOWER,      /* smaller values are more (cosine of drift: lower moved more) */
} ws_more;

enum {
    WS_COL_BARS = 1,    /* a bar chart of this column by layer makes sense */
    WS_COL_DATA = 2,    /* CSV and JSON only: not in the CLI text or on screen */
    WS_COL_F64 = 4,     /* a double that must round-trip: up to 17 digits */
};

typedef struct ws_col {
    const char *key;     /* JSON key, CSV and CLI text header: "pc1_pct" */
    const char *title;   /* screen heading: "PC1%" */
    ws_col_kind kind;
    const char *fmt;     /* text and screen, no width: "%.1f" (NUM only; NULL: "%.4g") */
    const char *unit;    /* "%", "nats", "" */
    const char *desc;    /* one line: what it is */
    ws_more more;
    unsigned flags;      /* WS_COL_BARS | WS_COL_DATA | WS_COL_F64 */
} ws_col;

/* A column and how to read its value from a builder's row struct. Only the
 * getter matching the kind is used: `num` for NUM, INT and BOOL (NaN:
 * empty), `str` for STR (NULL: empty; may write into buf), `shape` for
 * SHAPE (returns ndim, -1: empty). `arg` is passed through, so a family of
 * columns can share one getter. */
typedef struct ws_colspec {
    ws_col col;
    double (*num)(const void *row, int arg);
    const char *(*str)(const void *row, int arg, char *buf, size_t n);
    int (*shape)(const void *row, int arg, int64_t dims[8]);
    int arg;
} ws_colspec;

/* A statistic's null baseline as three columns after it: KEY_INFIX_mean,
 * KEY_INFIX_std and KEY ZKEY (how many null standard deviations the value
 * lies from the null mean). GET(row, ARG+0|1|2) returns the mean, std, z. */
#define WS_COLS_NULL3(KEY, INFIX, ZKEY, TITLE, ZTITLE, WHAT, NULLWHAT, FMT, GET, ARG, MFLAGS, ZFLAGS) \
    {{KEY "_" INFIX "_mean", TITLE " " INFIX, WS_COL_NUM, FMT, "",                                 \
      "mean of " WHAT " over " NULLWHAT, WS_MORE_HIGHER, MFLAGS}, GET, NULL, NULL, (ARG)},         \
    {{KEY "_" INFIX "_std", TITLE " " INFIX " sd", WS_COL_NUM, FMT, "",                            \
      "standard deviation of " WHAT " over " NULLWHAT, WS_MORE_HIGHER, (MFLAGS) & ~WS_COL_BARS},   \
     GET, NULL, NULL, (ARG) + 1},                                                                  \
    {{KEY ZKEY, ZTITLE, WS_COL_NUM, "%.1f", "sd",                                                  \
      "(" WHAT " - its mean over " NULLWHAT ") / their sd", WS_MORE_HIGHER, ZFLAGS},              \
     GET, NULL, NULL, (ARG) + 2}

/* One null family: KEY_null_mean, KEY_null_std, KEY_z; GET args 0, 1, 2. */
#define WS_COLS_NULL(KEY, TITLE, WHAT, FMT, GET)                                                   \
    WS_COLS_NULL3(KEY, "null", "_z", TITLE, TITLE " z", WHAT, "the null baseline", FMT, GET, 0,    \
                  WS_COL_BARS, WS_COL_BARS)

/* Both null families of null.h after a statistic: the Gaussian null
 * (KEY_null_mean, KEY_null_std, KEY_z: GET args BASE+0..2) and the
 * permutation null (KEY_perm_mean, KEY_perm_std, KEY_perm_z: BASE+3..5).
 * Only the Gaussian z may show on screen and in text (ZFLAGS, e.g.
 * WS_COL_BARS; WS_COL_DATA keeps it to CSV and JSON), titled
 * "TITLE vs noise"; the rest are data. */
#define WS_COLS_NULLS(KEY, TITLE, WHAT, FMT, GET, BASE, ZFLAGS)                                    \
    WS_COLS_NULL3(KEY, "null", "_z", TITLE, TITLE " vs noise", WHAT,                              \
                  "Gaussian noise of the matrix's shape and std", FMT, GET, BASE, WS_COL_DATA, ZFLAGS), \
    WS_COLS_NULL3(KEY, "perm", "_perm_z", TITLE, TITLE " vs perm", WHAT,                          \
                  "the matrix with each row's entries permuted", FMT, GET, (BASE) + 3, WS_COL_DATA,    \
                  WS_COL_DATA)

ws_table *ws_table_new(void);
/* A table with its name (a JSON key: "layers") and a one-line description. */
ws_table *ws_table_new_named(const char *name, const char *desc);
void ws_table_free(ws_table *t);
const char *ws_table_name(const ws_table *t);
const char *ws_table_desc(const ws_table *t);

/* Add a described column (strings are copied); returns its index, -1 when
 * out of memory. */
int ws_table_add_col(ws_table *t, const ws_col *c);
/* Add the columns of `n` specs; they must outlive the table (static). */
int ws_table_add_specs(ws_table *t, const ws_colspec *s, size_t n);
/* Append a row whose every spec'd column is read from `row`; returns its
 * index, -1 when out of memory. */
int ws_table_add_item(ws_table *t, const void *row);

/* Shorthand for a plain column (key = title, no description): a NUM column
 * with text format `fmt`, or a STR column when `fmt` is NULL. For data
 * dumps (figure data, training logs), not for analyses. */
int ws_table_col(ws_table *t, const char *name, const char *fmt);

/* Start a new row; returns its index. Rows take part in bar charts unless
 * ws_table_set_bars says otherwise (summary rows: the whole model). */
int ws_table_row(ws_table *t);
void ws_table_set_bars(ws_table *t, int row, int in_bars);
int ws_table_in_bars(const ws_table *t, int row);
void ws_table_str(ws_table *t, int row, int col, const char *s);
void ws_table_num(ws_table *t, int row, int col, double v);   /* NUM, INT, BOOL; NaN: empty */
void ws_table_shape(ws_table *t, int row, int col, int ndim, const int64_t *dims);

int ws_table_nrows(const ws_table *t);
int ws_table_ncols(const ws_table *t);
const ws_col *ws_table_col_desc(const ws_table *t, int col);
const char *ws_table_col_name(const ws_table *t, int col);   /* its key */
/* Index of the column with that key, -1 if none. */
int ws_table_find(const ws_table *t, const char *key);
/* Cell as text, CSV and screen show it (the column's format; text from
 * files escaped, escape.h); "" when empty. JSON keeps a string as given
 * (quoted by JSON's rules) when it is UTF-8. */
const char *ws_table_cell_text(const ws_table *t, int row, int col, char *buf, size_t n);
/* Number in a NUM/INT/BOOL cell; NaN when empty or not a number. */
double ws_table_cell_num(const ws_table *t, int row, int col);
/* 1 when the cell holds nothing (never set, NaN, NULL string). */
int ws_table_cell_empty(const ws_table *t, int row, int col);
/* Sort rows by a column (numbers numerically, strings bytewise; empty last). */
void ws_table_sort(ws_table *t, int col, int descending);

/* Shortest text of v that reads back to the same value: as a float32 when
 * digits <= 9, as a double when 17. "" for NaN; "inf"/"-inf" for infinity. */
const char *ws_fmt_num(double v, int digits, char *buf, size_t n);

/* Aligned text (columns without WS_COL_DATA, headed by their keys). */
int ws_table_write_text(const ws_table *t, FILE *fp);
/* One row as a line of "key value" pairs ("loss 4.2  perplexity 66.7"),
 * for a table of one result. */
int ws_table_write_record(const ws_table *t, int row, FILE *fp);
/* CSV (RFC 4180): a header of keys, then the rows. */
int ws_table_write_csv(const ws_table *t, FILE *fp);
/* The table as a JSON object: {"description", "columns": [...], "rows": [...]}
 * (doc.h puts it under its name in a command's document). `indent` spaces
 * before each line after the first. */
int ws_table_write_json(const ws_table *t, FILE *fp, int indent);

#endif
