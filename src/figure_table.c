/* A figure's data as a table, to go with the picture (CSV or JSON). */
#include <stdio.h>

#include "doc.h"
#include "figure.h"

/* Series: one row per point (series, x, y), series named by their legend
 * label or "series K". */
static void series_rows(const ws_figure *f, ws_table *t)
{
    int cs = ws_table_col(t, "series", NULL), cx = ws_table_col(t, "x", "%.9g"),
        cy = ws_table_col(t, "y", "%.9g");
    for (size_t k = 0; k < f->n_series; k++) {
        const ws_series *s = &f->series[k];
        char name[96];
        if (s->label[0])
            snprintf(name, sizeof name, "%s", s->label);
        else
            snprintf(name, sizeof name, "series %zu", k);
        for (size_t i = 0; i < s->n; i++) {
            int r = ws_table_row(t);
            ws_table_str(t, r, cs, name);
            ws_table_num(t, r, cx, s->x[i]);
            ws_table_num(t, r, cy, s->y[i]);
        }
    }
}

/* Heatmap: one row per cell (row, col, value) of the grid drawn. */
static void heatmap_rows(const ws_heatmap *h, ws_table *t)
{
    int cr = ws_table_col(t, "row", "%.0f"), cc = ws_table_col(t, "col", "%.0f"),
        cv = ws_table_col(t, "value", "%.9g");
    for (int64_t i = 0; i < h->rows; i++)
        for (int64_t j = 0; j < h->cols; j++) {
            int r = ws_table_row(t);
            ws_table_num(t, r, cr, (double)i);
            ws_table_num(t, r, cc, (double)j);
            ws_table_num(t, r, cv, h->v[i * h->cols + j]);
        }
}

int ws_figure_export_data(const ws_figure *f, const char *model, const char *path, ws_err *e)
{
    ws_table *t = ws_table_new_named("data", f->heat ? "the cells drawn" : "the points drawn");
    ws_doc *d = ws_doc_new("plot");
    if (!t || !d) {
        ws_table_free(t);
        ws_doc_free(d);
        return ws_fail(e, "out of memory");
    }
    if (f->heat)
        heatmap_rows(f->heat, t);
    else
        series_rows(f, t);
    if (model)
        ws_doc_model(d, "model", model);
    ws_doc_table(d, t);
    int rc = ws_doc_ok(d) ? ws_doc_export(d, path, e) : ws_fail(e, "out of memory");
    ws_doc_free(d);
    return rc;
}
