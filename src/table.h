/* A simple table of strings and numbers that every command and view can
 * print as aligned text, CSV (RFC 4180) or JSON (an array of objects). */
#ifndef WS_TABLE_H
#define WS_TABLE_H

#include <stdio.h>
#include "error.h"

typedef struct ws_table ws_table;

ws_table *ws_table_new(void);
void ws_table_free(ws_table *t);
/* Add a column; `fmt` is a printf format for numbers in text output
 * (e.g. "%.4g"); NULL for a string column. Returns the column index. */
int ws_table_col(ws_table *t, const char *name, const char *fmt);
/* Start a new row; returns its index. */
int ws_table_row(ws_table *t);
void ws_table_str(ws_table *t, int row, int col, const char *s);
void ws_table_num(ws_table *t, int row, int col, double v);   /* NaN prints as empty / null */

int ws_table_nrows(const ws_table *t);
int ws_table_ncols(const ws_table *t);
const char *ws_table_col_name(const ws_table *t, int col);
/* Cell as text (formatted number or string); "" when unset. */
const char *ws_table_cell_text(const ws_table *t, int row, int col, char *buf, size_t n);
double ws_table_cell_num(const ws_table *t, int row, int col);
/* Sort rows by a column (numbers numerically, strings bytewise). */
void ws_table_sort(ws_table *t, int col, int descending);

int ws_table_write_text(const ws_table *t, FILE *fp);
int ws_table_write_csv(const ws_table *t, FILE *fp);
int ws_table_write_json(const ws_table *t, FILE *fp);
/* Atomic file export, format chosen by the extension (.csv, .json, else text). */
int ws_table_export(const ws_table *t, const char *path, ws_err *e);

#endif
