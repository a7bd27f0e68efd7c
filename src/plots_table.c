/* Bar charts of a described table's column (table.h): one bar per row that
 * takes part in bar charts, grouped by layer and coloured by role, with
 * the column's null band where the table has one. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plots.h"

#define MAX_GROUPS 16          /* roles in one layer */
#define BAR_SHARE 0.8          /* of a category's width, for all its bars */
#define NULL_BAND_SD 2.0

typedef struct bar {
    int row, cat, group;       /* group -1: a category of its own (no layer) */
    double y, null_mean, null_sd;
} bar;

typedef struct bars {
    bar *b;
    int n;
    char **cat;                /* category labels */
    int n_cat;
    char group[MAX_GROUPS][64];
    int n_group;
} bars;

/* "qkv@3" → "qkv"; the role of a whole layer ("@3") → "". */
static void role_of(const char *s, char *out, size_t n)
{
    snprintf(out, n, "%s", s);
    char *at = strchr(out, '@');
    if (at)
        *at = 0;
}

static int index_of(char **names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

static int add_cat(bars *B, const char *label)
{
    int i = index_of(B->cat, B->n_cat, label);
    if (i >= 0)
        return i;
    char *copy = strdup(label);
    if (!copy)
        return -1;
    B->cat[B->n_cat] = copy;
    return B->n_cat++;
}

static int add_group(bars *B, const char *role)
{
    for (int i = 0; i < B->n_group; i++)
        if (!strcmp(B->group[i], role))
            return i;
    if (B->n_group == MAX_GROUPS)
        return -1;
    snprintf(B->group[B->n_group], sizeof B->group[0], "%s", role);
    return B->n_group++;
}

static void bars_free(bars *B)
{
    for (int i = 0; i < B->n_cat; i++)
        free(B->cat[i]);
    free(B->cat);
    free(B->b);
}

/* The bars of column `col`: rows in bar charts with a finite value; a row
 * with a layer falls in that layer's category, in its role's group; a row
 * without one is a category of its own, named by its role (or name). */
static int collect(const ws_table *t, int col, bars *B, ws_err *e)
{
    int nr = ws_table_nrows(t), c_layer = ws_table_find(t, "layer"), c_role = ws_table_find(t, "role");
    int c_name = ws_table_find(t, "name");
    const ws_col *d = ws_table_col_desc(t, col);
    char key[160];
    snprintf(key, sizeof key, "%s_null_mean", d->key);
    int c_nm = ws_table_find(t, key);
    snprintf(key, sizeof key, "%s_null_std", d->key);
    int c_ns = ws_table_find(t, key);
    memset(B, 0, sizeof *B);
    B->b = calloc((size_t)(nr ? nr : 1), sizeof *B->b);
    B->cat = calloc((size_t)(nr ? nr : 1), sizeof *B->cat);
    if (!B->b || !B->cat)
        return ws_fail(e, "out of memory");
    for (int r = 0; r < nr; r++) {
        double y = ws_table_cell_num(t, r, col);
        if (!ws_table_in_bars(t, r) || !isfinite(y))
            continue;
        char buf[160], role[64], label[64];
        double layer = c_layer >= 0 ? ws_table_cell_num(t, r, c_layer) : NAN;
        role_of(c_role >= 0 ? ws_table_cell_text(t, r, c_role, buf, sizeof buf) : "", role,
                sizeof role);
        bar *b = &B->b[B->n];
        *b = (bar){.row = r, .y = y, .group = -1, .null_mean = NAN, .null_sd = NAN};
        if (isfinite(layer)) {
            snprintf(label, sizeof label, "%.0f", layer);
            b->group = add_group(B, role);
            if (b->group < 0)
                return ws_fail(e, "more than %d roles in a layer", MAX_GROUPS);
        } else {
            /* Named by its role, else its name, else its first cell. */
            snprintf(label, sizeof label, "%s",
                     role[0] ? role : ws_table_cell_text(t, r, c_name >= 0 ? c_name : 0, buf, sizeof buf));
        }
        if ((b->cat = add_cat(B, label)) < 0)
            return ws_fail(e, "out of memory");
        if (c_nm >= 0 && c_ns >= 0) {
            b->null_mean = ws_table_cell_num(t, r, c_nm);
            b->null_sd = ws_table_cell_num(t, r, c_ns);
        }
        B->n++;
    }
    if (!B->n)
        return ws_fail(e, "no values of %s to draw", d->key);
    return 0;
}

/* Where bar b stands and how wide it is (in categories). */
static void place(const bars *B, const bar *b, double *x, double *w)
{
    int g = b->group < 0 ? 0 : b->group, n = b->group < 0 || B->n_group < 1 ? 1 : B->n_group;
    *w = BAR_SHARE / n;
    *x = b->cat + (g - (n - 1) / 2.0) * *w;
}

/* One series of bars (group g, or -2: the categories of their own) and its
 * null band. */
static int add_group_series(ws_figure *f, const bars *B, int g, int *band_named, ws_err *e)
{
    double *x = malloc((size_t)B->n * sizeof *x), *y = malloc((size_t)B->n * sizeof *y);
    double *lo = malloc((size_t)B->n * sizeof *lo), *hi = malloc((size_t)B->n * sizeof *hi);
    int n = 0, nb = 0, rc = 0;
    double w = BAR_SHARE;
    if (!x || !y || !lo || !hi)
        rc = ws_fail(e, "out of memory");
    for (int i = 0; rc == 0 && i < B->n; i++) {
        const bar *b = &B->b[i];
        if (b->group != (g == -2 ? -1 : g))
            continue;
        place(B, b, &x[n], &w);
        y[n++] = b->y;
        if (isfinite(b->null_mean) && isfinite(b->null_sd))
            nb++;
    }
    if (rc == 0 && n && g == -2 && !B->n_group) {
        /* No layers (runs, strategies): a palette colour per bar, as their curves. */
        for (int i = 0; rc == 0 && i < n; i++) {
            ws_series *s = ws_figure_add(f, WS_SERIES_BARS, &x[i], &y[i], 1, NULL, ws_palette(i), e);
            rc = s ? 0 : -1;
            if (s)
                s->width = w;
        }
    } else if (rc == 0 && n) {
        /* A role's bars in its colour; the rows outside the layers in grey. */
        const char *label = g >= 0 ? (B->group[g][0] ? B->group[g] : NULL) : NULL;
        uint32_t colour = g >= 0 ? ws_palette(g) : 0x8c8c8c;
        ws_series *s = ws_figure_add(f, WS_SERIES_BARS, x, y, (size_t)n, label, colour, e);
        rc = s ? 0 : -1;
        if (s)
            s->width = w;
    }
    if (rc == 0 && nb) {   /* the null mean ± 2 sd over the same bars */
        int k = 0;
        for (int i = 0; i < B->n; i++) {
            const bar *b = &B->b[i];
            if (b->group != (g == -2 ? -1 : g) || !isfinite(b->null_mean) || !isfinite(b->null_sd))
                continue;
            place(B, b, &x[k], &w);
            lo[k] = b->null_mean - NULL_BAND_SD * b->null_sd;
            hi[k++] = b->null_mean + NULL_BAND_SD * b->null_sd;
        }
        ws_series *s = ws_figure_add_band(f, x, lo, hi, (size_t)k,
                                          *band_named ? NULL : "null mean ± 2 sd", 0x000000, e);
        rc = s ? 0 : -1;
        if (s)
            s->width = w, s->opacity = 0.22;
        *band_named = 1;
    }
    free(x), free(y), free(lo), free(hi);
    return rc;
}

ws_figure *ws_plot_table_bars(const ws_table *t, const char *key, const char *subject,
                              const ws_plot_opts *o, ws_err *e)
{
    int col = ws_table_find(t, key);
    if (col < 0) {
        ws_fail(e, "the %s table has no column %s", ws_table_name(t), key);
        return NULL;
    }
    const ws_col *d = ws_table_col_desc(t, col);
    if (d->kind != WS_COL_NUM && d->kind != WS_COL_INT) {
        ws_fail(e, "%s is not a number column", key);
        return NULL;
    }
    bars B;
    ws_figure *f = NULL;
    if (collect(t, col, &B, e) == 0 && (f = ws_plot_figure(o, e)) &&
        ws_figure_set_categories(f, (const char *const *)B.cat, B.n_cat, e) == 0) {
        char title[256], ylabel[96];
        int layered = B.n_group > 0;
        snprintf(title, sizeof title, "%s%s%s%s", d->title, layered ? " by layer" : "",
                 subject ? ": " : "", subject ? subject : "");
        snprintf(ylabel, sizeof ylabel, d->unit && d->unit[0] ? "%s (%s)" : "%s", d->title,
                 d->unit);
        ws_figure_set_labels(f, o && o->title ? o->title : title, layered ? "layer" : NULL,
                             ylabel);
        int rc = 0, band_named = 0;
        rc = add_group_series(f, &B, -2, &band_named, e);
        for (int g = 0; rc == 0 && g < B.n_group; g++)
            rc = add_group_series(f, &B, g, &band_named, e);
        if (rc != 0) {
            ws_figure_free(f);
            f = NULL;
        }
    } else if (f) {
        ws_figure_free(f);
        f = NULL;
    }
    bars_free(&B);
    return f;
}
