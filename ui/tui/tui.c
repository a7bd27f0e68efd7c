/* The TUI: options, the view stack and the main loop.
 *
 * The loop redraws only when something changed (a key, a resize, or a
 * view's background work reporting progress), waits for keys without a
 * timeout when nothing runs, and polls every POLL_MS while work runs. Every
 * frame is drawn into a cellbuf and copied to the terminal by terminal.c,
 * which writes only the cells that differ from the last frame. */
#include "config.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "job.h"
#include "layout.h"
#include "terminal.h"
#include "train_marks.h"
#include "tui.h"
#include "tui_analysis.h"

enum { POLL_MS = 15 };   /* while work runs: how soon a finished job is shown */

/* ---- helpers shared by the views ---- */

void tui_fmt_count(char *buf, size_t n, int64_t v)
{
    if (v >= 1000000000)
        snprintf(buf, n, "%.1fG", (double)v / 1e9);
    else if (v >= 1000000)
        snprintf(buf, n, "%.1fM", (double)v / 1e6);
    else if (v >= 10000)
        snprintf(buf, n, "%.1fk", (double)v / 1e3);
    else
        snprintf(buf, n, "%lld", (long long)v);
}

void tui_draw_progress(cellbuf *cb, int y, int x, int w, const char *label, double frac)
{
    char pct[16];
    snprintf(pct, sizeof pct, " %3d%% ", (int)(frac * 100 + 0.5));
    int n = cb_text(cb, y, x, w, label, 0);
    n += cb_text(cb, y, x + n, w - n, pct, 0);
    int bar = w - n - 8 > 30 ? 30 : w - n - 8;
    for (int i = 0; i < bar; i++)
        cb_set(cb, y, x + n + i, i < frac * bar ? "#" : ".", CB_DEFAULT, CB_DEFAULT, 0);
    cb_text(cb, y, x + n + (bar > 0 ? bar : 0), -1, "  x cancels", CB_DIM);
}

void tui_push(tui *t, view *v)
{
    if (!v)
        return;
    v->below = t->top;
    t->top = v;
    t->dirty = 1;
}

static void tui_pop(tui *t)
{
    view *v = t->top;
    if (!v)
        return;
    t->top = v->below;
    v->cls->destroy(v);
    t->dirty = 1;
}

void tui_prompt(tui *t, const char *label)
{
    t->prompting = 1;
    snprintf(t->prompt_label, sizeof t->prompt_label, "%s", label);
    t->prompt[0] = 0;
    t->dirty = 1;
}

void tui_message(tui *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, sizeof t->message, fmt, ap);
    va_end(ap);
    t->dirty = 1;
}

/* ---- drawing ---- */

static void draw_title(tui *t, cellbuf *cb, cb_rect r)
{
    cb_fill(cb, r, " ", CB_DEFAULT, CB_DEFAULT, CB_REVERSE);
    const char *path = t->model->path ? t->model->path : "";
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int n = cb_printf(cb, r.y, r.x, r.w, CB_REVERSE | CB_BOLD, " wscope  %s ", base);
    cb_printf(cb, r.y, r.x + n, r.w - n, CB_REVERSE, "| %s%s%s", t->top->cls->name,
              t->top->title[0] ? ": " : "", t->top->title);
}

static void draw_frame(tui *t, cellbuf *cb)
{
    int rows, cols;
    term_size(&rows, &cols);
    if (cb->rows != rows || cb->cols != cols)
        cb_resize(cb, rows, cols);
    tui_layout l = layout_compute(rows, cols);
    if (l.too_small) {
        layout_draw_too_small(cb);
        return;
    }
    cb_clear(cb);
    t->rows = l.body.h;
    t->cols = l.body.w;
    t->top->cls->draw(t->top, t, cb, l.body, l.info);
    draw_title(t, cb, l.title);
    if (t->prompting) {
        cb_fill(cb, l.info, " ", CB_DEFAULT, CB_DEFAULT, 0);
        int n = cb_printf(cb, l.info.y, 0, l.info.w, CB_BOLD, "%s", t->prompt_label);
        n += cb_text(cb, l.info.y, n, l.info.w - n, t->prompt, 0);
        cb_set(cb, l.info.y, n, " ", CB_DEFAULT, CB_DEFAULT, CB_REVERSE);
    } else if (t->message[0]) {
        cb_fill(cb, l.info, " ", CB_DEFAULT, CB_DEFAULT, 0);
        cb_text(cb, l.info.y, 0, l.info.w, t->message, CB_BOLD);
    }
    keys_draw_hints(cb, l.status, t->top->cls->keys);
}

/* ---- input ---- */

static void prompt_key(tui *t, int ch)
{
    size_t n = strlen(t->prompt);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        t->prompting = 0;
        t->top->cls->action(t->top, t, ACT_PROMPT_DONE);
    } else if (ch == 27 || ch == 7) {   /* Esc, ^G */
        t->prompting = 0;
    } else if (ch == 21) {              /* ^U: clear the line (prompts may come filled in) */
        t->prompt[0] = 0;
    } else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0) {
        t->prompt[n - 1] = 0;
    } else if (ch >= 32 && ch < 127 && n + 1 < sizeof t->prompt) {
        t->prompt[n] = (char)ch;
        t->prompt[n + 1] = 0;
    }
    t->dirty = 1;
}

static void do_action(tui *t, ws_action a)
{
    switch (a) {
    case ACT_NONE: return;
    case ACT_QUIT: t->quit = 1; return;
    case ACT_BACK:
        if (!t->top->below)
            t->quit = 1;
        else
            tui_pop(t);
        return;
    case ACT_HELP:
        if (strcmp(t->top->cls->name, "help"))
            tui_push(t, view_help_new(t, t->top));
        return;
    case ACT_REDRAW: t->dirty = 1; return;
    default:
        if (t->top->cls->action(t->top, t, a))
            t->dirty = 1;
    }
}

static void mouse_event(tui *t)
{
    int y, x, b = term_mouse(&y, &x);
    if (b == TERM_CLICK) {
        t->click_y = y;
        t->click_x = x;
        do_action(t, ACT_CLICK);
        return;
    }
    for (int i = 0; i < 3; i++)
        do_action(t, b == TERM_WHEEL_UP ? ACT_UP : ACT_DOWN);
}

/* Returns 1 when the whole screen must be repainted. */
static int handle_key(tui *t, int ch)
{
    if (ch == KEY_RESIZE) {
        t->dirty = 1;
        return 1;
    }
    int rows, cols;
    term_size(&rows, &cols);
    if (layout_compute(rows, cols).too_small) {
        if (ch == 'Q')   /* the only key there: nothing else can be seen */
            t->quit = 1;
        return 0;
    }
    if (t->prompting) {
        prompt_key(t, ch);
        return 0;
    }
    if (t->message[0]) {
        t->message[0] = 0;
        t->dirty = 1;
    }
    if (ch == KEY_MOUSE) {
        mouse_event(t);
        return 0;
    }
    ws_action a = keys_lookup(t->top->cls->keys, ch);
    do_action(t, a);
    return a == ACT_REDRAW;
}

static void run(tui *t)
{
    cellbuf cb;
    cb_init(&cb, 0, 0);
    int force = 1;
    t->dirty = 1;
    while (!t->quit && t->top) {
        job_reap(0);
        int busy = 0;
        if (t->top->cls->tick && t->top->cls->tick(t->top, t, &busy))
            t->dirty = 1;
        if (t->dirty) {
            t->dirty = 0;
            draw_frame(t, &cb);
            term_blit(&cb, force);
            force = 0;
            /* Drawing may have started work: ask again, or we would sleep
             * until the next key while it runs. */
            busy = 0;
            if (t->top->cls->tick && t->top->cls->tick(t->top, t, &busy))
                t->dirty = 1;
        }
        int ch = term_getkey(t->dirty ? 0 : busy ? POLL_MS : -1);
        if (ch >= 0)
            force |= handle_key(t, ch);
    }
    cb_free(&cb);
}

/* ---- entry ---- */

static int parse_args(int argc, char **argv, term_opts *o, const char **paths, long *heads)
{
    int np = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--ascii")) {
            o->ascii = 1;
        } else if (!strcmp(a, "--mouse")) {
            o->mouse = 1;
        } else if (!strcmp(a, "--colors") || !strcmp(a, "--colours")) {
            long n;
            if (i + 1 >= argc)
                return cli_failf(a, "needs a number of colours (1, 8, 16, 256, 16777216)");
            if (cli_int(a, argv[++i], 1, 1 << 24, &n))
                return 2;
            o->colors = (int)n;
        } else if (!strcmp(a, "--heads")) {
            if (i + 1 >= argc)
                return cli_failf(a, "needs n_head, for a model whose file does not say it");
            if (cli_int(a, argv[++i], 1, 65536, heads))
                return 2;
        } else if (a[0] == '-' && a[1]) {
            return cli_failf(a, "unknown option (see wscope --help)");
        } else if (np < 2) {
            paths[np++] = a;
        } else {
            return cli_failf(a, "too many models: the TUI takes MODEL [TUNED]");
        }
    }
    return 0;
}

int tui_main(int argc, char **argv)
{
    term_opts o = {0, 0, 0};
    const char *paths[2] = {NULL, NULL};
    long heads = 0;
    int rc = parse_args(argc, argv, &o, paths, &heads);
    if (rc)
        return rc;
    if (!paths[0] && !(paths[0] = cli_sample_model()))
        return cli_failf("sample model", "not found: run `make` or give a MODEL");
    tui t;
    memset(&t, 0, sizeof t);
    if (cli_open_model(paths[0], &t.model) || cli_apply_heads(t.model, (int)heads)) {
        ws_model_free(t.model);
        return 2;
    }
    if (paths[1] && (cli_open_model(paths[1], &t.tuned) || cli_apply_heads(t.tuned, (int)heads))) {
        ws_model_free(t.model);
        ws_model_free(t.tuned);
        return 2;
    }
    char err[256];
    if (term_start(&o, &t.style, err, sizeof err)) {
        fprintf(stderr, "wscope: %s\n", err);
        ws_model_free(t.model);
        ws_model_free(t.tuned);
        return 1;
    }
    t.mouse = o.mouse;
    t.train = tui_train_new(t.model);
    tui_push(&t, view_model_new(&t));
    run(&t);
    while (t.top)
        tui_pop(&t);
    tui_train_free(t.train);   /* cancels a run still going */
    job_reap(1);
    tui_analyses_free();   /* before the models they read */
    term_stop();
    ws_model_free(t.model);
    ws_model_free(t.tuned);
    return 0;
}
