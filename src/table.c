/* Described tables (table.h): storage, formatting, text, CSV and JSON. */
#include "table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "escape.h"

typedef struct cell {
    char *s;           /* STR */
    double v;          /* NUM, INT, BOOL */
    int64_t *dims;     /* SHAPE */
    int nd;
    unsigned char set;
} cell;

typedef struct column {
    ws_col d;                  /* strings owned */
    const ws_colspec *spec;    /* getter, or NULL */
} column;

struct ws_table {
    char *name, *desc;
    column *cols;
    int ncols;
    cell **rows;
    unsigned char *bars;
    int nrows;
};

ws_table *ws_table_new(void) { return ws_table_new_named("table", ""); }

ws_table *ws_table_new_named(const char *name, const char *desc)
{
    ws_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = strdup(name ? name : "table");
    t->desc = strdup(desc ? desc : "");
    if (!t->name || !t->desc) {
        ws_table_free(t);
        return NULL;
    }
    return t;
}

static void cell_clear(cell *c)
{
    free(c->s);
    free(c->dims);
    memset(c, 0, sizeof *c);
}

static void col_free(column *c)
{
    free((char *)c->d.key), free((char *)c->d.title), free((char *)c->d.fmt);
    free((char *)c->d.unit), free((char *)c->d.desc);
}

void ws_table_free(ws_table *t)
{
    if (!t)
        return;
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++)
            cell_clear(&t->rows[r][c]);
        free(t->rows[r]);
    }
    for (int c = 0; c < t->ncols; c++)
        col_free(&t->cols[c]);
    free(t->rows);
    free(t->bars);
    free(t->cols);
    free(t->name);
    free(t->desc);
    free(t);
}

const char *ws_table_name(const ws_table *t) { return t->name; }
const char *ws_table_desc(const ws_table *t) { return t->desc; }

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static int add_column(ws_table *t, const ws_col *d, const ws_colspec *spec)
{
    column *n = realloc(t->cols, (size_t)(t->ncols + 1) * sizeof *n);
    if (!n)
        return -1;
    t->cols = n;
    column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->d = *d;
    c->d.key = strdup(d->key);
    c->d.title = strdup(d->title ? d->title : d->key);
    c->d.fmt = dup_or_null(d->fmt);
    c->d.unit = strdup(d->unit ? d->unit : "");
    c->d.desc = strdup(d->desc ? d->desc : "");
    c->spec = spec;
    if (!c->d.key || !c->d.title || !c->d.unit || !c->d.desc || (d->fmt && !c->d.fmt)) {
        col_free(c);
        return -1;
    }
    /* Existing rows grow by one empty cell. */
    for (int r = 0; r < t->nrows; r++) {
        cell *row = realloc(t->rows[r], (size_t)(t->ncols + 1) * sizeof *row);
        if (!row) {
            col_free(c);
            return -1;
        }
        memset(&row[t->ncols], 0, sizeof *row);
        t->rows[r] = row;
    }
    return t->ncols++;
}

int ws_table_add_col(ws_table *t, const ws_col *c) { return add_column(t, c, NULL); }

int ws_table_add_specs(ws_table *t, const ws_colspec *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (add_column(t, &s[i].col, &s[i]) < 0)
            return -1;
    return 0;
}

int ws_table_col(ws_table *t, const char *name, const char *fmt)
{
    ws_col c = {name, name, fmt ? WS_COL_NUM : WS_COL_STR, fmt, "", "", WS_MORE_NONE, 0};
    return add_column(t, &c, NULL);
}

int ws_table_row(ws_table *t)
{
    cell **n = realloc(t->rows, (size_t)(t->nrows + 1) * sizeof *n);
    if (!n)
        return -1;
    t->rows = n;
    unsigned char *b = realloc(t->bars, (size_t)t->nrows + 1);
    if (!b)
        return -1;
    t->bars = b;
    t->bars[t->nrows] = 1;
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

void ws_table_set_bars(ws_table *t, int row, int in_bars)
{
    if (row >= 0 && row < t->nrows)
        t->bars[row] = (unsigned char)!!in_bars;
}

int ws_table_in_bars(const ws_table *t, int row)
{
    return row >= 0 && row < t->nrows && t->bars[row];
}

void ws_table_str(ws_table *t, int row, int col, const char *s)
{
    cell *c = at(t, row, col);
    if (!c)
        return;
    cell_clear(c);
    if (s) {
        c->s = strdup(s);   /* as given: text and CSV escape it, JSON quotes it */
        c->set = c->s != NULL;
    }
}

void ws_table_num(ws_table *t, int row, int col, double v)
{
    cell *c = at(t, row, col);
    if (!c)
        return;
    cell_clear(c);
    c->v = v;
    c->set = 1;
}

void ws_table_shape(ws_table *t, int row, int col, int ndim, const int64_t *dims)
{
    cell *c = at(t, row, col);
    if (!c)
        return;
    cell_clear(c);
    if (ndim < 0)
        return;
    c->dims = malloc(sizeof *c->dims * (size_t)(ndim ? ndim : 1));
    if (!c->dims)
        return;
    memcpy(c->dims, dims, sizeof *dims * (size_t)ndim);
    c->nd = ndim;
    c->set = 1;
}

int ws_table_add_item(ws_table *t, const void *item)
{
    int r = ws_table_row(t);
    if (r < 0)
        return -1;
    char buf[256];
    int64_t dims[8];
    for (int c = 0; c < t->ncols; c++) {
        const ws_colspec *s = t->cols[c].spec;
        if (!s)
            continue;
        switch (s->col.kind) {
        case WS_COL_STR:
            if (s->str)
                ws_table_str(t, r, c, s->str(item, s->arg, buf, sizeof buf));
            break;
        case WS_COL_SHAPE:
            if (s->shape)
                ws_table_shape(t, r, c, s->shape(item, s->arg, dims), dims);
            break;
        default:
            if (s->num)
                ws_table_num(t, r, c, s->num(item, s->arg));
        }
    }
    return r;
}

int ws_table_nrows(const ws_table *t) { return t->nrows; }
int ws_table_ncols(const ws_table *t) { return t->ncols; }
const ws_col *ws_table_col_desc(const ws_table *t, int col) { return &t->cols[col].d; }
const char *ws_table_col_name(const ws_table *t, int col) { return t->cols[col].d.key; }

int ws_table_find(const ws_table *t, const char *key)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c].d.key, key))
            return c;
    return -1;
}

int ws_table_cell_empty(const ws_table *t, int row, int col)
{
    const cell *c = at(t, row, col);
    if (!c || !c->set)
        return 1;
    ws_col_kind k = t->cols[col].d.kind;
    return (k == WS_COL_NUM || k == WS_COL_INT || k == WS_COL_BOOL) && isnan(c->v);
}

static void shape_text(const cell *c, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < c->nd && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "x" : "", (long long)c->dims[i]);
    if (c->nd == 0)
        snprintf(buf, n, "scalar");
}

const char *ws_table_cell_text(const ws_table *t, int row, int col, char *buf, size_t n)
{
    if (ws_table_cell_empty(t, row, col))
        return "";
    const cell *c = at(t, row, col);
    const ws_col *d = &t->cols[col].d;
    switch (d->kind) {
    case WS_COL_STR:
        if (ws_text_is_clean(c->s))
            return c->s;
        ws_escape(buf, n, c->s);   /* names from files: no control bytes reach a terminal */
        return buf;
    case WS_COL_SHAPE: shape_text(c, buf, n); return buf;
    case WS_COL_BOOL: return c->v != 0 ? "yes" : "no";
    case WS_COL_INT:
        if (!isfinite(c->v))
            return ws_fmt_num(c->v, 17, buf, n);
        snprintf(buf, n, "%lld", (long long)llround(c->v));
        return buf;
    default:
        snprintf(buf, n, d->fmt ? d->fmt : "%.4g", c->v);
        return buf;
    }
}

double ws_table_cell_num(const ws_table *t, int row, int col)
{
    const cell *c = at(t, row, col);
    if (!c || !c->set)
        return NAN;
    ws_col_kind k = t->cols[col].d.kind;
    return k == WS_COL_NUM || k == WS_COL_INT || k == WS_COL_BOOL ? c->v : NAN;
}

/* ---- sorting ---- */

static int sort_col, sort_desc;
static const ws_table *sort_t;

static int cmp_rows(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    const cell *x = &sort_t->rows[a][sort_col], *y = &sort_t->rows[b][sort_col];
    ws_col_kind k = sort_t->cols[sort_col].d.kind;
    int r;
    if (k == WS_COL_STR || k == WS_COL_SHAPE) {
        if (!x->set || !y->set)
            return !x->set != !y->set ? !x->set - !y->set : a - b;
        r = k == WS_COL_STR ? strcmp(x->s, y->s) : 0;
    } else {
        /* NaN and unset sort last either way. */
        int xn = !x->set || isnan(x->v), yn = !y->set || isnan(y->v);
        if (xn || yn)
            return xn != yn ? xn - yn : a - b;
        r = (x->v > y->v) - (x->v < y->v);
    }
    r = sort_desc ? -r : r;
    return r ? r : a - b;   /* ties keep their order */
}

void ws_table_sort(ws_table *t, int col, int descending)
{
    if (col < 0 || col >= t->ncols || t->nrows < 2)
        return;
    int *idx = malloc(sizeof *idx * (size_t)t->nrows);
    cell **rows = malloc(sizeof *rows * (size_t)t->nrows);
    unsigned char *bars = malloc((size_t)t->nrows);
    if (idx && rows && bars) {
        for (int r = 0; r < t->nrows; r++)
            idx[r] = r;
        sort_col = col;
        sort_desc = descending;
        sort_t = t;
        qsort(idx, (size_t)t->nrows, sizeof *idx, cmp_rows);
        for (int r = 0; r < t->nrows; r++) {
            rows[r] = t->rows[idx[r]];
            bars[r] = t->bars[idx[r]];
        }
        memcpy(t->rows, rows, sizeof *rows * (size_t)t->nrows);
        memcpy(t->bars, bars, (size_t)t->nrows);
    }
    free(idx);
    free(rows);
    free(bars);
}

/* ---- numbers ---- */

static int reads_back(const char *s, double v, int digits)
{
    double r = strtod(s, NULL);
    return digits <= 9 ? (float)r == (float)v : r == v;
}

const char *ws_fmt_num(double v, int digits, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "%s", "");
        return buf;
    }
    if (isinf(v)) {
        snprintf(buf, n, "%s", v > 0 ? "inf" : "-inf");
        return buf;
    }
    int max = digits <= 9 ? 9 : 17;
    /* Reading back is monotonic in the number of digits: bisect for the
     * fewest that round-trip. */
    int lo = 1, hi = max;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(buf, n, "%.*g", mid, v);
        if (reads_back(buf, v, max))
            hi = mid;
        else
            lo = mid + 1;
    }
    /* Whole digits in full: 10, not 1e+01 (more digits still read back). */
    double mag = fabs(v);
    int whole = mag >= 1 ? (int)floor(log10(mag)) + 1 : 0;
    if (whole > lo && whole <= max)
        lo = whole;
    snprintf(buf, n, "%.*g", lo, v);
    return buf;
}

/* A number cell for CSV and JSON. */
static const char *data_num(const ws_table *t, const cell *c, int col, char *buf, size_t n)
{
    const ws_col *d = &t->cols[col].d;
    if (d->kind == WS_COL_INT && isfinite(c->v) && fabs(c->v) < 9.2e18) {
        snprintf(buf, n, "%lld", (long long)llround(c->v));
        return buf;
    }
    return ws_fmt_num(c->v, d->flags & WS_COL_F64 ? 17 : 9, buf, n);
}

/* ---- text ---- */

/* Display width: UTF-8 code points. */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static int right_aligned(const ws_col *d)
{
    return d->kind == WS_COL_NUM || d->kind == WS_COL_INT;
}

static void pad_out(FILE *fp, const char *s, int w, int right)
{
    int pad = w - width(s);
    if (right)
        fprintf(fp, "%*s%s", pad > 0 ? pad : 0, "", s);
    else
        fprintf(fp, "%s%*s", s, pad > 0 ? pad : 0, "");
}

int ws_table_write_text(const ws_table *t, FILE *fp)
{
    int *w = calloc((size_t)(t->ncols ? t->ncols : 1), sizeof *w);
    char buf[256];
    if (!w)
        return -1;
    int last = -1;
    for (int c = 0; c < t->ncols; c++) {
        if (t->cols[c].d.flags & WS_COL_DATA)
            continue;
        last = c;
        w[c] = width(t->cols[c].d.key);
        for (int r = 0; r < t->nrows; r++) {
            int l = width(ws_table_cell_text(t, r, c, buf, sizeof buf));
            if (l > w[c])
                w[c] = l;
        }
    }
    /* Numbers right-aligned, the rest left-aligned, headers like their
     * columns; no spaces at the end of a line. */
    char *line = NULL;
    size_t cap = 0;
    for (int r = -1; r < t->nrows; r++) {
        FILE *lf = open_memstream(&line, &cap);
        if (!lf) {
            free(line);
            free(w);
            return -1;
        }
        int first = 1;
        for (int c = 0; c <= last; c++) {
            const ws_col *d = &t->cols[c].d;
            if (d->flags & WS_COL_DATA)
                continue;
            const char *s = r < 0 ? d->key : ws_table_cell_text(t, r, c, buf, sizeof buf);
            fputs(first ? "" : "  ", lf);
            first = 0;
            pad_out(lf, s, w[c], right_aligned(d));
        }
        fclose(lf);
        size_t n = strlen(line);
        while (n > 0 && line[n - 1] == ' ')
            n--;
        fwrite(line, 1, n, fp);
        fputc('\n', fp);
        free(line);   /* open_memstream gives a new buffer each time */
        line = NULL;
    }
    free(w);
    return ferror(fp) ? -1 : 0;
}

int ws_table_write_record(const ws_table *t, int row, FILE *fp)
{
    char buf[256];
    int first = 1;
    for (int c = 0; c < t->ncols; c++) {
        if (t->cols[c].d.flags & WS_COL_DATA)
            continue;
        fprintf(fp, "%s%s %s", first ? "" : "  ", t->cols[c].d.key, ws_table_cell_text(t, row, c, buf, sizeof buf));
        first = 0;
    }
    fputc('\n', fp);
    return ferror(fp) ? -1 : 0;
}

/* ---- CSV ---- */

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

static const char *csv_cell(const ws_table *t, int r, int c, char *buf, size_t n)
{
    if (ws_table_cell_empty(t, r, c))
        return "";
    const cell *x = at(t, r, c);
    switch (t->cols[c].d.kind) {
    case WS_COL_NUM:
    case WS_COL_INT: return data_num(t, x, c, buf, n);
    case WS_COL_BOOL: return x->v != 0 ? "true" : "false";
    default: return ws_table_cell_text(t, r, c, buf, n);
    }
}

int ws_table_write_csv(const ws_table *t, FILE *fp)
{
    char buf[256];
    for (int r = -1; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', fp);
            csv_field(fp, r < 0 ? t->cols[c].d.key : csv_cell(t, r, c, buf, sizeof buf));
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

/* ---- JSON ---- */

static const char *kind_name(ws_col_kind k)
{
    switch (k) {
    case WS_COL_INT: return "integer";
    case WS_COL_STR: return "string";
    case WS_COL_BOOL: return "boolean";
    case WS_COL_SHAPE: return "shape";
    default: return "number";
    }
}

static const char *more_name(ws_more m)
{
    return m == WS_MORE_HIGHER ? "higher" : m == WS_MORE_LOWER ? "lower" : "none";
}

static void json_cell(FILE *fp, const ws_table *t, int r, int c)
{
    char buf[64];
    if (ws_table_cell_empty(t, r, c)) {
        fputs("null", fp);   /* JSON has no NaN */
        return;
    }
    const cell *x = at(t, r, c);
    switch (t->cols[c].d.kind) {
    case WS_COL_STR: ws_json_string(fp, x->s); return;
    case WS_COL_BOOL: fputs(x->v != 0 ? "true" : "false", fp); return;
    case WS_COL_SHAPE:
        fputc('[', fp);
        for (int i = 0; i < x->nd; i++)
            fprintf(fp, "%s%lld", i ? ", " : "", (long long)x->dims[i]);
        fputc(']', fp);
        return;
    default:
        if (!isfinite(x->v))
            fputs("null", fp);
        else
            fputs(data_num(t, x, c, buf, sizeof buf), fp);
    }
}

static void json_column(FILE *fp, const ws_col *d)
{
    fputs("{\"key\": ", fp);
    ws_json_string(fp, d->key);
    fputs(", \"title\": ", fp);
    ws_json_string(fp, d->title);
    fprintf(fp, ", \"type\": \"%s\", \"unit\": ", kind_name(d->kind));
    ws_json_string(fp, d->unit);
    fputs(", \"description\": ", fp);
    ws_json_string(fp, d->desc);
    fprintf(fp, ", \"more\": \"%s\", \"bars\": %s}", more_name(d->more),
            d->flags & WS_COL_BARS ? "true" : "false");
}

/* A new line, indented by `indent` plus `more` spaces. */
static void nl(FILE *fp, int indent, int more)
{
    fprintf(fp, "\n%*s", indent + more, "");
}

int ws_table_write_json(const ws_table *t, FILE *fp, int indent)
{
    fputc('{', fp);
    nl(fp, indent, 2);
    fputs("\"description\": ", fp);
    ws_json_string(fp, t->desc);
    fputc(',', fp);
    nl(fp, indent, 2);
    fputs("\"columns\": [", fp);
    for (int c = 0; c < t->ncols; c++) {
        fputs(c ? "," : "", fp);
        nl(fp, indent, 4);
        json_column(fp, &t->cols[c].d);
    }
    if (t->ncols)
        nl(fp, indent, 2);
    fputs("],", fp);
    nl(fp, indent, 2);
    fputs("\"rows\": [", fp);
    for (int r = 0; r < t->nrows; r++) {
        fputs(r ? "," : "", fp);
        nl(fp, indent, 4);
        fputc('{', fp);
        for (int c = 0; c < t->ncols; c++) {
            fputs(c ? ", " : "", fp);
            ws_json_string(fp, t->cols[c].d.key);
            fputs(": ", fp);
            json_cell(fp, t, r, c);
        }
        fputc('}', fp);
    }
    if (t->nrows)
        nl(fp, indent, 2);
    fputc(']', fp);
    nl(fp, indent, 0);
    fputc('}', fp);
    return ferror(fp) ? -1 : 0;
}
