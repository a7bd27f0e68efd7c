/* Matrix view: a tensor as a heatmap with a cursor and a colour bar.
 *
 * One pixel shows a block of br rows × bc columns of the matrix (block
 * mean or the block's largest-|w| element): square blocks that fit the
 * width at first, zoomed by powers of two, or the whole matrix with `f`. The pixels of the visible window, and on
 * first use the float32 data and the colour range, are computed on a worker
 * thread; the loop waits up to WAIT_MS for it so that quick windows appear
 * in the same frame, and otherwise shows progress until the tick sees it
 * done. The colour range is symmetric: ±max|w|, or ±(99th percentile of
 * |w|) with clipping on (the default), estimated from an even sample of
 * PCT_SAMPLE elements. Block means shrink towards 0 as blocks grow, so with
 * mean blocks larger than one element the range comes from the shown
 * pixels instead (their max, or 99th percentile, of |value|).
 *
 * With a TUNED model, `d` shows TUNED − MODEL for the corresponding tensor
 * (drift.h: by name, name without prefixes, or role and layer) of the same
 * shape instead (computed once, on the worker). */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "downsample.h"
#include "names.h"
#include "drift.h"
#include "export.h"
#include "plots.h"
#include "job.h"
#include "tui.h"

enum { WAIT_MS = 30 };
#define PCT_SAMPLE ((int64_t)1 << 20)
#define CLIP_PCT 99.0

typedef struct win {
    int64_t r0, c0, br, bc;
    int ph, pw;
    ds_mode mode;
    int diff;                /* of TUNED − MODEL */
} win;

/* What the heatmap shows: the tensor, or the difference to TUNED. */
typedef struct source {
    const float *a;          /* rows × cols, once prepared */
    float *owned;            /* the difference buffer */
    double maxabs, pclip;
    int prepared;
} source;

typedef struct mjob {
    ws_tensor *t, *tuned;
    int prep;                /* also load the data and the colour range */
    const float *a;
    float *owned;
    double maxabs, pclip;
    int failed;
    ws_err err;
    win w;
    float *px;
} mjob;

typedef struct matrix_view {
    view base;
    ws_tensor *t;
    char name[160];          /* as names.h shows it */
    ws_tensor *tuned;        /* same name and shape in TUNED, or NULL */
    source src[2];           /* [0] the tensor, [1] TUNED − MODEL */
    int diff;                /* which source is shown */
    int clip;
    char err[600];
    int64_t br, bc, r0, c0;  /* window: block size, first row/col */
    int64_t cr, cc;          /* cursor element */
    ds_mode mode;
    int want_h, want_w;      /* pixel grid that fits the body */
    tui_job *job;
    mjob *jarg;
    float *px;               /* the shown pixels */
    win shown;
    int cancelled;           /* x was pressed: do not restart `dropped` */
    win dropped;
} matrix_view;

static const key_binding matrix_keys[] = {
    {{KEY_UP, 'k', 0}, "Up k", ACT_UP, "cursor up one pixel", NULL},
    {{KEY_DOWN, 'j', 0}, "Down j", ACT_DOWN, "cursor down one pixel", NULL},
    {{KEY_LEFT, 'h', 0}, "Left h", ACT_LEFT, "cursor left one pixel", NULL},
    {{KEY_RIGHT, 'l', 0}, "Right l", ACT_RIGHT, "cursor right one pixel", NULL},
    {{KEY_PPAGE, 0}, "PgUp", ACT_PGUP, "one page up", "page"},
    {{KEY_NPAGE, ' ', 0}, "PgDn Space", ACT_PGDN, "one page down", NULL},
    {{KEY_HOME, 'g', 0}, "Home g", ACT_HOME, "first row", NULL},
    {{KEY_END, 'G', 0}, "End G", ACT_END, "last row", NULL},
    {{'+', '=', 0}, "+", ACT_ZOOM_IN, "zoom in (halve the block size, down to 1 element)", "zoom"},
    {{'-', '_', 0}, "-", ACT_ZOOM_OUT, "zoom out (double the block size)", NULL},
    {{'f', '0', 0}, "f 0", ACT_FIT, "fit the whole matrix on screen", "fit"},
    {{'m', 0}, "m", ACT_DSMODE, "downsampling: block mean / block max-|w|", "mean/max"},
    {{'p', 0}, "p", ACT_CLIP, "colour range: max |w| / 99th percentile of |w|", "clip"},
    {{'\n', '\r', KEY_ENTER, 'r'}, "Enter r", ACT_ROW, "plot the cursor's row", "row"},
    {{'c', 0}, "c", ACT_COLUMN, "plot the cursor's column", "column"},
    {{'e', 0}, "e", ACT_EXPORT, "export the whole matrix as a heatmap (PNG, SVG, PDF beside the model)", "export"},
    {{'H', 0}, "H", ACT_HIST, "histogram of this tensor", NULL},
    {{'d', 0}, "d", ACT_DIFF, "this tensor / TUNED - MODEL (with a TUNED model)", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static void set_title(matrix_view *v)
{
    char shape[64];
    ws_tensor_shape_text(v->t, shape, sizeof shape);
    snprintf(v->base.title, sizeof v->base.title, "%s%s %s %s (%lldx%lld)",
             v->diff ? "TUNED - MODEL: " : "", v->name, shape, ws_dtype_name(v->t->dtype),
             (long long)v->t->rows, (long long)v->t->cols);
}

/* ---- worker ---- */

/* TUNED − MODEL into a new buffer; its max |value| into *maxabs. */
static float *difference(mjob *j, double *maxabs)
{
    const float *x = ws_tensor_f32(j->t, &j->err), *y = x ? ws_tensor_f32(j->tuned, &j->err) : NULL;
    float *d = y ? malloc((size_t)j->t->numel * sizeof *d) : NULL;
    if (y && !d)
        ws_fail(&j->err, "out of memory for the difference of %s", j->t->name);
    if (!d)
        return NULL;
    double m = 0;
    for (int64_t i = 0; i < j->t->numel; i++) {
        d[i] = y[i] - x[i];
        if (isfinite(d[i]) && fabsf(d[i]) > m)
            m = fabsf(d[i]);
    }
    *maxabs = m;
    return d;
}

static int prepare(mjob *j)
{
    if (j->w.diff) {
        j->a = j->owned = difference(j, &j->maxabs);
    } else {
        ws_stats s;
        j->a = ws_tensor_f32(j->t, &j->err);
        if (j->a && ws_tensor_stats(j->t, &s, &j->err))
            j->a = NULL;
        else if (j->a)
            j->maxabs = fmax(fabs(s.min), fabs(s.max));
    }
    if (!j->a)
        return -1;
    j->pclip = ds_abs_percentile(j->a, j->t->numel, CLIP_PCT, PCT_SAMPLE);
    return 0;
}

static void mjob_run(void *p, ws_progress *pr)
{
    mjob *j = p;
    atomic_store(&pr->total, (size_t)j->w.ph + (j->prep ? 1 : 0));
    if (j->prep) {
        if (prepare(j)) {
            j->failed = 1;
            return;
        }
        ws_progress_add(pr, 1);
    }
    ds_req q = {j->a, j->t->rows, j->t->cols, j->w.r0, j->w.c0, j->w.br, j->w.bc,
                j->w.ph, j->w.pw, j->w.mode};
    j->px = malloc(((size_t)j->w.ph * (size_t)j->w.pw + 1) * sizeof *j->px);
    if (!j->px) {
        j->failed = 1;
        ws_fail(&j->err, "out of memory");
        return;
    }
    if (ds_compute(&q, j->px, pr))
        j->failed = -1;   /* cancelled */
}

static void mjob_free(void *p)
{
    mjob *j = p;
    free(j->px);
    free(j->owned);
    free(j);
}

/* ---- the window ---- */

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Block sizes that put the whole matrix on screen. */
static int64_t fit_rows(const matrix_view *v)
{
    return max64(1, (v->t->rows + v->want_h - 1) / v->want_h);
}

static int64_t fit_cols(const matrix_view *v)
{
    return max64(1, (v->t->cols + v->want_w - 1) / v->want_w);
}

/* Keep the window inside the matrix and the cursor inside the window. */
static void clamp_window(matrix_view *v)
{
    int64_t R = v->t->rows, C = v->t->cols;
    int64_t spanr = (int64_t)v->want_h * v->br, spanc = (int64_t)v->want_w * v->bc;
    v->cr = max64(0, min64(v->cr, R - 1));
    v->cc = max64(0, min64(v->cc, C - 1));
    if (v->cr < v->r0) v->r0 = v->cr;
    if (v->cr >= v->r0 + spanr) v->r0 = v->cr - spanr + v->br;
    if (v->cc < v->c0) v->c0 = v->cc;
    if (v->cc >= v->c0 + spanc) v->c0 = v->cc - spanc + v->bc;
    v->r0 = max64(0, min64(v->r0, R - spanr));
    v->c0 = max64(0, min64(v->c0, C - spanc));
}

static win wanted(const matrix_view *v)
{
    win w = {v->r0, v->c0, v->br, v->bc, 0, 0, v->mode, v->diff};
    ds_req q = {NULL, v->t->rows, v->t->cols, v->r0, v->c0, v->br, v->bc, 0, 0, v->mode};
    ds_grid_size(&q, v->want_h, v->want_w, &w.ph, &w.pw);
    return w;
}

static int same_win(win a, win b)
{
    return a.r0 == b.r0 && a.c0 == b.c0 && a.br == b.br && a.bc == b.bc && a.ph == b.ph && a.pw == b.pw
        && a.mode == b.mode && a.diff == b.diff;
}

/* Take a finished job's result; returns 1 if the picture changed. */
static int take_result(matrix_view *v)
{
    if (!v->job || !job_done(v->job))
        return 0;
    mjob *j = v->jarg;
    if (j->failed > 0) {
        snprintf(v->err, sizeof v->err, "cannot show: %s", j->err.msg);
    } else if (j->failed == 0) {
        if (j->prep) {
            source *s = &v->src[j->w.diff];
            s->a = j->a;
            s->owned = j->owned;
            j->owned = NULL;
            s->maxabs = j->maxabs;
            s->pclip = j->pclip;
            s->prepared = 1;
        }
        free(v->px);
        v->px = j->px;
        j->px = NULL;
        v->shown = j->w;
    }
    job_release(v->job);
    v->job = NULL;
    v->jarg = NULL;
    return 1;
}

/* Start computing the wanted window unless it is shown or under way;
 * returns 1 when a job was started. */
static int request(matrix_view *v)
{
    if (v->err[0])
        return 0;
    win w = wanted(v);
    if (v->px && same_win(w, v->shown) && !v->job)
        return 0;
    if (v->cancelled && same_win(w, v->dropped))
        return 0;   /* until the window changes */
    v->cancelled = 0;
    if (v->job && same_win(w, v->jarg->w))
        return 0;
    if (v->job) {
        job_release(v->job);
        v->job = NULL;
    }
    mjob *j = calloc(1, sizeof *j);
    if (!j)
        return 0;
    j->t = v->t;
    j->tuned = v->tuned;
    j->prep = !v->src[v->diff].prepared;
    j->a = v->src[v->diff].a;
    j->w = w;
    v->jarg = j;
    v->job = job_start(mjob_run, j, mjob_free);
    if (!v->job) {
        mjob_free(j);
        v->jarg = NULL;
        snprintf(v->err, sizeof v->err, "cannot start a worker thread");
        return 0;
    }
    return 1;
}

/* ---- drawing ---- */

/* Columns left of the heatmap for row numbers: the digits of the last row. */
static int gutter_width(const matrix_view *v)
{
    int d = 1;
    for (int64_t r = v->t->rows - 1; r >= 10; r /= 10)
        d++;
    return d + 1;
}

/* Every 4th cell row: the first matrix row it shows. */
static void draw_rows_ruler(const matrix_view *v, cellbuf *cb, cb_rect heat, int k)
{
    int gw = gutter_width(v);
    for (int cy = 0; cy < heat.h; cy += 4) {
        int64_t py = (int64_t)cy * k;
        if (py >= v->shown.ph)
            break;
        cb_printf(cb, heat.y + cy, heat.x - gw, gw - 1, CB_DIM, "%*lld", gw - 1,
                  (long long)(v->shown.r0 + py * v->shown.br));
    }
}

static double colour_range(const matrix_view *v)
{
    const source *s = &v->src[v->shown.diff];
    double r = v->clip ? s->pclip : s->maxabs;
    if (v->shown.mode == DS_MEAN && v->shown.br * v->shown.bc > 1 && v->px)
        r = ds_abs_percentile(v->px, (int64_t)v->shown.ph * v->shown.pw, v->clip ? CLIP_PCT : 100,
                              PCT_SAMPLE);
    return r > 0 && isfinite(r) ? r : 1;
}

/* The shown pixel under the cursor: 0 and its index, or -1. */
static int cursor_pixel(const matrix_view *v, int64_t *py, int64_t *px)
{
    if (!v->px || v->cr < v->shown.r0 || v->cc < v->shown.c0)
        return -1;
    *py = (v->cr - v->shown.r0) / v->shown.br;
    *px = (v->cc - v->shown.c0) / v->shown.bc;
    return *py < v->shown.ph && *px < v->shown.pw ? 0 : -1;
}

static void draw_cursor(matrix_view *v, tui *t, cellbuf *cb, cb_rect heat, double range)
{
    int k = heatmap_pixels_per_cell(&t->style);
    int64_t py, px;
    if (cursor_pixel(v, &py, &px))
        return;
    int y = heat.y + (int)(py / k), x = heat.x + (int)px;
    if (t->style.colours == WS_COL_MONO) {
        cb_set(cb, y, x, "X", CB_DEFAULT, CB_DEFAULT, CB_REVERSE);
        return;
    }
    uint32_t white = t->style.colours == WS_COL_TRUE ? 0xffffff : CB_PAL(t->style.colours >= WS_COL_16 ? 15 : 7);
    float val = v->px[py * v->shown.pw + px];
    cb_set(cb, y, x, "+", white,
           colour_diverging(val / range, &t->style), CB_BOLD);
}

static void draw_info(matrix_view *v, tui *t, cellbuf *cb, cb_rect info, double range)
{
    if (v->job && !job_done(v->job)) {
        tui_draw_progress(cb, info.y, info.x, info.w,
                          v->src[v->diff].prepared ? "downsampling" : v->diff ? "TUNED - MODEL" : "loading",
                          job_fraction(v->job));
        return;
    }
    const source *s = &v->src[v->shown.diff];
    if (!s->prepared || !v->px)
        return;
    float w = s->a[v->cr * v->t->cols + v->cc];
    char tok[96];
    int n = cb_printf(cb, info.y, info.x, info.w, CB_BOLD, "row %lld col %lld %s=%.4g",
                      (long long)v->cr, (long long)v->cc, v->shown.diff ? "dw" : "w", w);
    if (tui_token_label(t, v->t, v->cr, tok, sizeof tok))
        n += cb_printf(cb, info.y, n, info.w - n, 0, " token %s", tok);
    int64_t py, px;
    if (v->shown.br * v->shown.bc > 1 && !cursor_pixel(v, &py, &px))
        n += cb_printf(cb, info.y, n, info.w - n, 0, " px=%.4g", v->px[py * v->shown.pw + px]);
    cb_printf(cb, info.y, n, info.w - n, 0, " | %lldx%lld %s | %s%.3g", (long long)v->shown.br,
              (long long)v->shown.bc, v->shown.mode == DS_MEAN ? "mean" : "max|w|",
              v->clip ? "p99 " : "max ", range);
}

static void matrix_draw(view *vv, tui *t, cellbuf *cb, cb_rect body, cb_rect info)
{
    matrix_view *v = (matrix_view *)vv;
    int gw = gutter_width(v);
    cb_rect heat = {body.y, body.x + gw, body.h - 1, body.w - gw};
    v->want_h = heat.h * heatmap_pixels_per_cell(&t->style);
    v->want_w = heat.w;
    if (v->br == 0)   /* first draw: square blocks, the whole width on screen */
        v->br = v->bc = fit_cols(v);
    if (v->err[0]) {
        cb_text(cb, body.y + 1, 1, body.w - 2, v->err, CB_BOLD);
        return;
    }
    clamp_window(v);
    if (request(v) && job_wait(v->job, WAIT_MS))
        take_result(v);
    double range = colour_range(v);
    if (v->px) {
        render_heatmap(cb, heat, v->px, v->shown.ph, v->shown.pw, range, &t->style);
        draw_cursor(v, t, cb, heat, range);
        draw_rows_ruler(v, cb, heat, heatmap_pixels_per_cell(&t->style));
        int bw = body.w < 64 ? body.w : 64;
        render_colourbar(cb, body.y + body.h - 1, body.x, bw, range, &t->style);
        int64_t c1 = min64(v->t->cols, v->shown.c0 + (int64_t)v->shown.pw * v->shown.bc) - 1;
        cb_printf(cb, body.y + body.h - 1, body.x + bw + 2, body.w - bw - 2, CB_DIM,
                  "cols %lld-%lld", (long long)v->shown.c0, (long long)c1);
    }
    draw_info(v, t, cb, info, range);
}

/* ---- actions ---- */

static void zoom(matrix_view *v, int64_t br, int64_t bc)
{
    v->br = max64(1, min64(br, fit_rows(v)));
    v->bc = max64(1, min64(bc, fit_cols(v)));
    /* Centre the window on the cursor. */
    v->r0 = v->cr - (int64_t)(v->want_h / 2) * v->br;
    v->c0 = v->cc - (int64_t)(v->want_w / 2) * v->bc;
}

static int open_line(matrix_view *v, tui *t, int axis)
{
    const source *s = &v->src[v->diff];
    if (!s->prepared) {
        tui_message(t, "still loading %s", v->t->name);
        return 1;
    }
    tui_push(t, view_row_new(t, v->t, s->a, axis, v->cr, v->cc));
    return 1;
}

/* A path's last component, for figure titles. */
static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path ? path : "?";
}

/* The whole matrix (or ΔW) as `wscope plot --heatmap` draws it, on the
 * colour range the view uses (p99 or max of the block means). */
static int export_heatmap(matrix_view *v, tui *t)
{
    const source *s = &v->src[v->diff];
    if (!s->prepared) {
        tui_message(t, "still loading %s", v->t->name);
        return 1;
    }
    char diff_of[512], stem[160];
    snprintf(diff_of, sizeof diff_of, "%s − %s", base_name(v->diff ? t->tuned->path : NULL),
             base_name(t->model->path));
    snprintf(stem, sizeof stem, "%s-%s", v->t->name, v->diff ? "diff" : "heatmap");
    ws_plot_src src = {s->a, v->t->rows, v->t->cols, v->t->name, v->diff ? diff_of : NULL};
    ws_plot_opts o = {.clip = v->clip ? CLIP_PCT : 100};
    ws_err e = {{0}};
    tui_export(t, ws_plot_heatmap(&src, &o, &e), stem, &e);
    return 1;
}

static int matrix_action(view *vv, tui *t, ws_action a)
{
    matrix_view *v = (matrix_view *)vv;
    int64_t page = (int64_t)v->want_h * v->br;
    switch (a) {
    case ACT_UP: v->cr -= v->br; break;
    case ACT_DOWN: v->cr += v->br; break;
    case ACT_LEFT: v->cc -= v->bc; break;
    case ACT_RIGHT: v->cc += v->bc; break;
    case ACT_PGUP: v->cr -= page; v->r0 -= page; break;
    case ACT_PGDN: v->cr += page; v->r0 += page; break;
    case ACT_HOME: v->cr = 0; v->r0 = 0; break;
    case ACT_END: v->cr = v->t->rows - 1; v->r0 = v->t->rows; break;
    case ACT_ZOOM_IN: zoom(v, v->br / 2, v->bc / 2); break;
    case ACT_ZOOM_OUT: zoom(v, v->br * 2, v->bc * 2); break;
    case ACT_FIT: zoom(v, fit_rows(v), fit_cols(v)); v->r0 = v->c0 = 0; break;
    case ACT_DSMODE: v->mode = v->mode == DS_MEAN ? DS_MAXABS : DS_MEAN; break;
    case ACT_CLIP: v->clip = !v->clip; break;
    case ACT_ROW: return open_line(v, t, 0);
    case ACT_COLUMN: return open_line(v, t, 1);
    case ACT_EXPORT: return export_heatmap(v, t);
    case ACT_HIST: tui_push(t, view_hist_new(t, v->t)); return 1;
    case ACT_DIFF:
        if (!v->tuned) {
            tui_message(t, t->tuned ? "TUNED has no %s of this shape" : "no TUNED model given",
                        v->t->name);
            return 1;
        }
        v->diff = !v->diff;
        set_title(v);
        break;
    case ACT_CANCEL:
        if (v->job) {
            v->dropped = v->jarg->w;
            v->cancelled = 1;
            job_release(v->job);
            v->job = NULL;
            v->jarg = NULL;
            tui_message(t, "cancelled: move or zoom to compute again");
        }
        return 1;
    case ACT_CLICK: {
        int k = heatmap_pixels_per_cell(&t->style);
        v->cr = v->shown.r0 + (int64_t)(t->click_y - 1) * k * v->shown.br;
        v->cc = v->shown.c0 + (int64_t)(t->click_x - gutter_width(v)) * v->shown.bc;
        return 1;
    }
    default: return 0;
    }
    clamp_window(v);
    return 1;
}

static int matrix_tick(view *vv, tui *t, int *busy)
{
    (void)t;
    matrix_view *v = (matrix_view *)vv;
    if (!v->job)
        return 0;
    *busy = 1;
    take_result(v);
    return 1;   /* a new picture, or the progress bar moved on */
}

static void matrix_destroy(view *vv)
{
    matrix_view *v = (matrix_view *)vv;
    if (v->job)
        job_release(v->job);
    free(v->px);
    free(v->src[1].owned);
    free(v);
}

static const view_class matrix_class = {
    "matrix", matrix_keys, matrix_draw, matrix_action, matrix_tick, matrix_destroy,
};

view *view_matrix_new(tui *t, ws_tensor *tensor)
{
    (void)t;
    matrix_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->base.cls = &matrix_class;
    v->t = tensor;
    ws_display_name(t->model, tensor, 0, v->name, sizeof v->name);
    v->clip = 1;   /* Gaussian-like weights: ±max|w| would leave most pixels dark */
    ws_tensor *u = t->tuned ? ws_drift_counterpart(t->tuned, tensor) : NULL;
    if (u && u->rows == tensor->rows && u->cols == tensor->cols)
        v->tuned = u;
    set_title(v);
    if (tensor->rows < 1 || tensor->cols < 1)
        snprintf(v->err, sizeof v->err, "%s is empty", tensor->name);
    return &v->base;
}
