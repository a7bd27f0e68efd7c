/* The TUI: options, the view stack, helpers shared by the views, and the
 * entry that opens the models, starts the terminal, runs the main loop
 * (loop.c) and cleans up. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "escape.h"
#include "job.h"
#include "loop.h"
#include "terminal.h"
#include "tokenizer_files.h"
#include "train_marks.h"
#include "tui.h"
#include "tui_analysis.h"

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

void tui_pop(tui *t)
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

int tui_token_label(const tui *t, const ws_tensor *x, int64_t row, char *buf, size_t n)
{
    return ws_tok_row_label(t->tok, x, row, t->style.glyphs == WS_GLYPH_UTF8 ? WS_TOK_SHOW_UTF8
                                                                            : WS_TOK_SHOW_ASCII,
                            buf, n);
}

/* ---- entry ---- */

static int parse_args(int argc, char **argv, term_opts *o, const char **paths, long *heads,
                      const char **tok_path)
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
        } else if (!strcmp(a, "--tokenizer")) {
            if (i + 1 >= argc)
                return cli_failf(a, "needs a tokenizer file (tokenizer.json, vocab.json, meta.pkl ...)");
            *tok_path = argv[++i];
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

/* The model's tokenizer: --tokenizer's (an error there stops here), else
 * the one found for the model; a broken one found beside it is a message
 * in the TUI, not a reason not to open the model. 0, or 2 (printed). */
static int find_tokenizer(tui *t, const char *path)
{
    ws_err e = {{0}};
    if (ws_tok_find(t->model, path, &t->tok, &e) == 0)
        return 0;
    char *msg = ws_escape_dup(e.msg);   /* names and tokens come from files */
    if (path)
        fprintf(stderr, "wscope: %s\n", msg ? msg : "out of memory");
    else
        tui_message(t, "no tokenizer: %s", msg ? msg : "out of memory");
    free(msg);
    return path ? 2 : 0;
}

int tui_main(int argc, char **argv)
{
    term_opts o = {0, 0, 0};
    const char *paths[2] = {NULL, NULL}, *tok_path = NULL;
    long heads = 0;
    int rc = parse_args(argc, argv, &o, paths, &heads, &tok_path);
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
    if (find_tokenizer(&t, tok_path)) {
        ws_model_free(t.model);
        ws_model_free(t.tuned);
        return 2;
    }
    char err[256];
    if (term_start(&o, &t.style, err, sizeof err)) {
        fprintf(stderr, "wscope: %s\n", err);
        ws_tok_free(t.tok);
        ws_model_free(t.model);
        ws_model_free(t.tuned);
        return 2;   /* no terminal to draw on: bad input, like any other */
    }
    t.mouse = o.mouse;
    t.train = tui_train_new(t.model);
    if (t.train)
        train_settings_tokenizer(&t.train->set, t.model, t.tok);
    tui_push(&t, view_model_new(&t));
    if (t.model->shard_note[0] || t.model->config_note[0])
        tui_message(&t, "%s", t.model->shard_note[0] ? t.model->shard_note : t.model->config_note);
    tui_loop(&t);
    while (t.top)
        tui_pop(&t);
    tui_train_free(t.train);   /* cancels a run still going */
    job_reap(1);
    tui_analyses_free();   /* before the models they read */
    term_stop();
    ws_tok_free(t.tok);   /* after the jobs that encode with it */
    ws_model_free(t.model);
    ws_model_free(t.tuned);
    return 0;
}
