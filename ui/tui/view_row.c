/* Row view: one row (or column) of a matrix as a braille line plot with
 * axes, tick labels and the row's statistics. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "downsample.h"
#include "export.h"
#include "names.h"
#include "plots.h"
#include "tokenizer.h"
#include "tui.h"
#include "view_rowfit.h"

typedef struct row_view {
    view base;
    ws_tensor *t;
    char name[160];       /* as names.h shows it */
    const float *a;       /* rows × cols */
    int axis;             /* 0: a row, 1: a column */
    int64_t index;        /* the row (column) shown */
    int64_t other;        /* the column (row) to show when switching */
    float *vals;          /* the row or column */
    int64_t n;
    tui *tui;             /* for the token of an embedding row */
    char token[96];       /* the row's token as shown, "" when its rows are no tokens */
    char token_ascii[96]; /* the same for figure titles: quoted, ASCII */
} row_view;

static const key_binding row_keys[] = {
    {{KEY_DOWN, 'j', 'n', 0}, "Down j n", ACT_NEXT, "next row (column)", "next"},
    {{KEY_UP, 'k', 'p', 0}, "Up k p", ACT_PREV, "previous row (column)", "prev"},
    {{KEY_NPAGE, ' ', 0}, "PgDn Space", ACT_PGDN, "10 rows (columns) on", NULL},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "10 rows (columns) back", NULL},
    {{KEY_HOME, 0}, "Home", ACT_HOME, "first row (column)", NULL},
    {{KEY_END, 0}, "End", ACT_END, "last row (column)", NULL},
    {{'g', ':', 0}, "g :", ACT_JUMP, "jump to a row (column) number", "jump"},
    {{'e', 0}, "e", ACT_EXPORT, "export this plot (PNG, SVG, PDF beside the model)", "export"},
    {{'t', 0}, "t", ACT_COLUMN, "switch between rows and columns", "row/col"},
    {{'H', 0}, "H", ACT_HIST, "histogram of this tensor", NULL},
    {{'G', 0}, "G", ACT_FIT, "Gaussian fit of this row (overlay, K, mode)", "gauss"},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static int64_t count(const row_view *v)
{
    return v->axis ? v->t->cols : v->t->rows;
}

static void load(row_view *v)
{
    int64_t R = v->t->rows, C = v->t->cols;
    v->n = v->axis ? R : C;
    for (int64_t i = 0; i < v->n; i++)
        v->vals[i] = v->axis ? v->a[i * C + v->index] : v->a[v->index * C + i];
    v->token[0] = v->token_ascii[0] = 0;
    if (!v->axis && tui_token_label(v->tui, v->t, v->index, v->token, sizeof v->token))
        ws_tok_row_label(v->tui->tok, v->t, v->index, WS_TOK_SHOW_ASCII, v->token_ascii,
                         sizeof v->token_ascii);
    char range[48];
    snprintf(range, sizeof range, " %s %lld (0..%lld)", v->axis ? "column" : "row",
             (long long)v->index, (long long)count(v) - 1);
    const char *parts[] = {v->name, range, v->token[0] ? "  token " : "", v->token};
    size_t len = 0;   /* a long title is cut */
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        size_t k = strlen(parts[i]);
        k = k < sizeof v->base.title - 1 - len ? k : sizeof v->base.title - 1 - len;
        memcpy(v->base.title + len, parts[i], k);
        len += k;
    }
    v->base.title[len] = 0;
}

static void draw_stats(row_view *v, cellbuf *cb, cb_rect info)
{
    ds_line_stats st;
    ds_line_stats_of(v->vals, v->n, &st);
    cb_printf(cb, info.y, info.x, info.w, 0,
              "%s %lld: n=%lld mean=%.4g std=%.4g min=%.4g max=%.4g L2=%.4g%s",
              v->axis ? "column" : "row", (long long)v->index, (long long)v->n, st.mean, st.std,
              st.min, st.max, st.l2, st.n_finite < v->n ? "  (non-finite values skipped)" : "");
}

static void row_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    row_view *v = (row_view *)vv;
    cb_rect plot = {body.y + 1, body.x, body.h - 1, body.w - 1};
    cb_printf(cb, body.y, body.x + 10, body.w - 10, CB_BOLD, "%s[%s%lld%s]", v->name,
              v->axis ? ":, " : "", (long long)v->index, v->axis ? "" : ", :");
    render_plot(cb, plot, v->vals, v->n, &t->style);
    draw_stats(v, cb, info);
}

static void go(row_view *v, int64_t i)
{
    int64_t n = count(v);
    v->index = i < 0 ? 0 : i >= n ? n - 1 : i;
    load(v);
}

static void export_plot(row_view *v, tui *t)
{
    char title[160], stem[160];
    const char *what = v->axis ? "column" : "row";
    snprintf(title, sizeof title, "%s %s %lld%s%s", v->t->name, what, (long long)v->index,
             v->token_ascii[0] ? " " : "", v->token_ascii);
    snprintf(stem, sizeof stem, "%s-%s%lld", v->t->name, what, (long long)v->index);
    ws_err e = {{0}};
    tui_export(t, ws_plot_line(v->vals, v->n, title, v->axis ? "row index" : "column index",
                               NULL, NULL, &e), stem, &e);
}

static int row_action(view *vv, tui *t, ws_action a)
{
    row_view *v = (row_view *)vv;
    switch (a) {
    case ACT_NEXT: go(v, v->index + 1); return 1;
    case ACT_PREV: go(v, v->index - 1); return 1;
    case ACT_PGDN: go(v, v->index + 10); return 1;
    case ACT_PGUP: go(v, v->index - 10); return 1;
    case ACT_HOME: go(v, 0); return 1;
    case ACT_END: go(v, count(v) - 1); return 1;
    case ACT_EXPORT: export_plot(v, t); return 1;
    case ACT_JUMP:
        tui_prompt(t, v->axis ? "column: " : "row: ");
        return 1;
    case ACT_PROMPT_DONE: {
        char *end;
        long long i = strtoll(t->prompt, &end, 10);
        if (end == t->prompt || *end || i < 0 || i >= count(v))
            tui_message(t, "not a %s number in 0..%lld: %s", v->axis ? "column" : "row",
                        (long long)count(v) - 1, t->prompt);
        else
            go(v, i);
        return 1;
    }
    case ACT_COLUMN: {
        int64_t i = v->other;
        v->other = v->index;
        v->axis = !v->axis;
        go(v, i);
        return 1;
    }
    case ACT_HIST: tui_push(t, view_hist_new(t, v->t)); return 1;
    case ACT_FIT:
        if (v->axis) {
            tui_message(t, "Gaussian fits are of rows: press t for rows first");
            return 1;
        }
        tui_push(t, view_rowfit_new(t, v->t, v->a, v->index));
        return 1;
    default: return 0;
    }
}

static void row_destroy(view *vv)
{
    row_view *v = (row_view *)vv;
    free(v->vals);
    free(v);
}

static const view_class row_class = {
    "row", row_keys, row_draw, row_action, NULL, row_destroy,
};

view *view_row_new(tui *t, ws_tensor *tensor, const float *data, int axis, int64_t row, int64_t col)
{
    row_view *v = calloc(1, sizeof *v);
    int64_t n = tensor->rows > tensor->cols ? tensor->rows : tensor->cols;
    if (!v || !(v->vals = malloc((size_t)n * sizeof *v->vals))) {
        free(v);
        return NULL;
    }
    v->base.cls = &row_class;
    v->t = tensor;
    v->tui = t;
    ws_display_name(t->model, tensor, 0, v->name, sizeof v->name);
    v->a = data;
    v->axis = axis;
    v->other = axis ? row : col;
    go(v, axis ? col : row);
    return &v->base;
}
