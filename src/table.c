#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "escape.h"

typedef struct cell {
    char *s;      /* string cell, or NULL */
    double v;     /* number cell when s == NULL */
    int set;
} cell;

typedef struct column {
    char *name;
    char *fmt;    /* NULL: string column */
} column;

struct ws_table {
    column *cols;
    int ncols;
    cell **rows;
    int nrows;
};

ws_table *ws_table_new(void) { return calloc(1, sizeof(ws_table)); }

void ws_table_free(ws_table *t)
{
    if (!t)
        return;
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++)
            free(t->rows[r][c].s);
        free(t->rows[r]);
    }
    for (int c = 0; c < t->ncols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].fmt);
    }
    free(t->rows);
    free(t->cols);
    free(t);
}

int ws_table_col(ws_table *t, const char *name, const char *fmt)
{
    column *n = realloc(t->cols, (size_t)(t->ncols + 1) * sizeof *n);
    if (!n)
        return -1;
    t->cols = n;
    t->cols[t->ncols].name = strdup(name);
    t->cols[t->ncols].fmt = fmt ? strdup(fmt) : NULL;
    /* Existing rows grow by one empty cell. */
    for (int r = 0; r < t->nrows; r++) {
        cell *row = realloc(t->rows[r], (size_t)(t->ncols + 1) * sizeof *row);
        if (!row)
            return -1;
        memset(&row[t->ncols], 0, sizeof *row);
        t->rows[r] = row;
    }
    return t->ncols++;
}

int ws_table_row(ws_table *t)
{
    cell **n = realloc(t->rows, (size_t)(t->nrows + 1) * sizeof *n);
    if (!n)
        return -1;
    t->rows = n;
    t->rows[t->nrows] = calloc((size_t)(t->ncols ? t->ncols : 1), sizeof(cell));
    if (!t->rows[t->nrows])
        return -1;
    return t->nrows++;
}

static cell *at(const ws_table *t, int row, int col)
{
    if (row < 0 || row >= t->nrows || col < 0 || col >= t->ncols)
        return NULL;
    return &t->rows[row][col];
}

void ws_table_str(ws_table *t, int row, int col, const char *s)
{
    cell *c = at(t, row, col);
    if (!c)
        return;
    free(c->s);
    c->s = ws_escape_dup(s ? s : "");   /* cells quote names from files */
    c->set = 1;
}

void ws_table_num(ws_table *t, int row, int col, double v)
{
    cell *c = at(t, row, col);
    if (!c)
        return;
    free(c->s);
    c->s = NULL;
    c->v = v;
    c->set = 1;
}

int ws_table_nrows(const ws_table *t) { return t->nrows; }
int ws_table_ncols(const ws_table *t) { return t->ncols; }
const char *ws_table_col_name(const ws_table *t, int col) { return t->cols[col].name; }

const char *ws_table_cell_text(const ws_table *t, int row, int col, char *buf, size_t n)
{
    cell *c = at(t, row, col);
    if (!c || !c->set)
        return "";
    if (c->s)
        return c->s;
    if (isnan(c->v))
        return "";
    snprintf(buf, n, t->cols[col].fmt ? t->cols[col].fmt : "%.6g", c->v);
    return buf;
}

double ws_table_cell_num(const ws_table *t, int row, int col)
{
    cell *c = at(t, row, col);
    return c && c->set && !c->s ? c->v : NAN;
}

static int sort_col, sort_desc;

static int cmp_rows(const void *a, const void *b)
{
    const cell *x = &(*(cell *const *)a)[sort_col], *y = &(*(cell *const *)b)[sort_col];
    int r;
    if (x->s || y->s) {
        r = strcmp(x->s ? x->s : "", y->s ? y->s : "");
    } else {
        /* NaN and unset sort last either way. */
        int xn = !x->set || isnan(x->v), yn = !y->set || isnan(y->v);
        if (xn || yn)
            return xn - yn;
        r = (x->v > y->v) - (x->v < y->v);
    }
    return sort_desc ? -r : r;
}

void ws_table_sort(ws_table *t, int col, int descending)
{
    if (col < 0 || col >= t->ncols)
        return;
    sort_col = col;
    sort_desc = descending;
    qsort(t->rows, (size_t)t->nrows, sizeof *t->rows, cmp_rows);
}

int ws_table_write_text(const ws_table *t, FILE *fp)
{
    int *w = calloc((size_t)(t->ncols ? t->ncols : 1), sizeof *w);
    char buf[128];
    if (!w)
        return -1;
    for (int c = 0; c < t->ncols; c++) {
        w[c] = (int)strlen(t->cols[c].name);
        for (int r = 0; r < t->nrows; r++) {
            int l = (int)strlen(ws_table_cell_text(t, r, c, buf, sizeof buf));
            if (l > w[c])
                w[c] = l;
        }
    }
    /* Numbers right-aligned, strings left-aligned, headers like their columns. */
    for (int c = 0; c < t->ncols; c++)
        fprintf(fp, "%s%*s", c ? "  " : "", t->cols[c].fmt ? w[c] : -w[c], t->cols[c].name);
    fputc('\n', fp);
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = ws_table_cell_text(t, r, c, buf, sizeof buf);
            fprintf(fp, "%s%*s", c ? "  " : "", t->cols[c].fmt ? w[c] : -w[c], s);
        }
        fputc('\n', fp);
    }
    free(w);
    return ferror(fp) ? -1 : 0;
}

static void csv_field(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

int ws_table_write_csv(const ws_table *t, FILE *fp)
{
    char buf[128];
    for (int c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', fp);
        csv_field(fp, t->cols[c].name);
    }
    fputc('\n', fp);
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', fp);
            cell *x = at(t, r, c);
            if (x->set && !x->s && !isnan(x->v)) {
                snprintf(buf, sizeof buf, "%.17g", x->v); /* full precision in files */
                fputs(buf, fp);
            } else {
                csv_field(fp, ws_table_cell_text(t, r, c, buf, sizeof buf));
            }
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

static void json_string_out(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}

int ws_table_write_json(const ws_table *t, FILE *fp)
{
    fputs("[", fp);
    for (int r = 0; r < t->nrows; r++) {
        fputs(r ? ",\n {" : "\n {", fp);
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputs(", ", fp);
            json_string_out(fp, t->cols[c].name);
            fputs(": ", fp);
            cell *x = at(t, r, c);
            if (!x->set || (!x->s && !isfinite(x->v)))
                fputs("null", fp); /* JSON has no NaN */
            else if (x->s)
                json_string_out(fp, x->s);
            else
                fprintf(fp, "%.17g", x->v);
        }
        fputs("}", fp);
    }
    fputs(t->nrows ? "\n]\n" : "]\n", fp);
    return ferror(fp) ? -1 : 0;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int ws_table_export(const ws_table *t, const char *path, ws_err *e)
{
    ws_atomic a;
    if (ws_atomic_open(&a, path, e) != 0)
        return -1;
    /* A failed write shows in commit, with its reason. */
    if (ends_with(path, ".csv"))
        ws_table_write_csv(t, a.fp);
    else if (ends_with(path, ".json"))
        ws_table_write_json(t, a.fp);
    else
        ws_table_write_text(t, a.fp);
    return ws_atomic_commit(&a, e);
}
