/* The TUI: options, the view stack, helpers shared by the views, and the
 * entry that opens the models, starts the terminal, runs the main loop
 * (loop.c) and cleans up. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "escape.h"
#include "job.h"
#include "loop.h"
#include "samples.h"
#include "terminal.h"
#include "tokenizer_files.h"
#include "train_marks.h"
#include "tui.h"
#include "tui_analysis.h"
#include "train_runs.h"
#include "view_fits.h"
#include "wake.h"

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

int tui_prompt_number(tui *t, const char *what, long long lo, long long hi, long long *out)
{
    char *end;
    long long x = strtoll(t->prompt, &end, 10);
    if (end == t->prompt || *end || x < lo || x > hi) {
        tui_message(t, "%s: expected a whole number in %lld..%lld, got \"%s\"", what, lo, hi, t->prompt);
        return -1;
    }
    *out = x;
    return 0;
}

int tui_token_label(const tui *t, const ws_tensor *x, int64_t row, char *buf, size_t n)
{
    return ws_tok_row_label(t->tok, x, row, t->style.glyphs == WS_GLYPH_UTF8 ? WS_TOK_SHOW_UTF8
                                                                            : WS_TOK_SHOW_ASCII,
                            buf, n);
}

void tui_set_tuned(tui *t, ws_model *m)
{
    t->tuned = m;
    t->dirty = 1;
}

/* ---- entry ---- */

#define MAX_LOGS 64

typedef struct tui_args {
    term_opts o;
    const char *paths[2];
    long heads;
    const char *tok_path;       /* --tokenizer FILE */
    const char *view;           /* --view NAME */
    const char *logs[MAX_LOGS]; /* --runs LOG... */
    int n_logs;
    const char *data;           /* --data FILE (the training form) */
    long steps;                 /* --steps N (0: not given) */
} tui_args;

/* The views --view opens on (above the model view), by name. */
static const struct {
    const char *name;
    view *(*open)(tui *t);
} start_views[] = {
    {"model", NULL},          {"layers", view_layers_new}, {"spectrum", view_spectrum_new},
    {"fits", view_fits_new},  {"drift", view_drift_new},   {"train", view_train_new},
};

static int find_view(const char *name)
{
    for (size_t i = 0; i < sizeof start_views / sizeof *start_views; i++)
        if (!strcmp(name, start_views[i].name))
            return (int)i;
    return -1;
}

/* The value of option argv[*i]; NULL (error printed) when missing. */
static const char *value(int argc, char **argv, int *i, const char *what)
{
    if (*i + 1 >= argc) {
        cli_failf(argv[*i], "needs %s", what);
        return NULL;
    }
    return argv[++*i];
}

static int parse_args(int argc, char **argv, tui_args *a)
{
    int np = 0;
    long n;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--ascii")) {
            a->o.ascii = 1;
        } else if (!strcmp(s, "--mouse")) {
            a->o.mouse = 1;
        } else if (!strcmp(s, "--colors") || !strcmp(s, "--colours")) {
            const char *v = value(argc, argv, &i, "a number of colours (1, 8, 16, 256, 16777216)");
            if (!v || cli_int(s, v, 1, 1 << 24, &n))
                return 2;
            a->o.colors = (int)n;
        } else if (!strcmp(s, "--heads")) {
            const char *v = value(argc, argv, &i, "n_head, for a model whose file does not say it");
            if (!v || cli_int(s, v, 1, 65536, &a->heads))
                return 2;
        } else if (!strcmp(s, "--tokenizer")) {
            if (!(a->tok_path = value(argc, argv, &i,
                                      "a tokenizer file (tokenizer.json, vocab.json, meta.pkl ...)")))
                return 2;
        } else if (!strcmp(s, "--view")) {
            if (!(a->view = value(argc, argv, &i, "a view: model, layers, spectrum, fits, drift, train")))
                return 2;
            if (find_view(a->view) < 0)
                return cli_failf(s, "no view \"%s\" (model, layers, spectrum, fits, drift, train)",
                                 a->view);
        } else if (!strcmp(s, "--runs")) {
            /* the logs up to the next option */
            for (; i + 1 < argc && argv[i + 1][0] != '-'; i++) {
                if (a->n_logs == MAX_LOGS)
                    return cli_failf(s, "at most %d logs", MAX_LOGS);
                a->logs[a->n_logs++] = argv[i + 1];
            }
            if (!a->n_logs)
                return cli_failf(s, "needs one or more training logs (CSV)");
        } else if (!strcmp(s, "--data")) {
            if (!(a->data = value(argc, argv, &i, "a data file (text or nanoGPT .bin)")))
                return 2;
            if (access(a->data, R_OK) != 0)
                return cli_failf(a->data, "cannot open: %s", strerror(errno));
        } else if (!strcmp(s, "--steps")) {
            const char *v = value(argc, argv, &i, "a number of steps");
            if (!v || cli_int(s, v, 1, 1000000000L, &a->steps))
                return 2;
        } else if (s[0] == '-' && s[1]) {
            return cli_failf(s, "unknown option (see wscope --help)");
        } else if (np < 2) {
            a->paths[np++] = s;
        } else {
            return cli_failf(s, "too many models: the TUI takes MODEL [TUNED]");
        }
    }
    if (a->view && !strcmp(a->view, "drift") && a->paths[0] && !a->paths[1])
        return cli_failf("--view drift", "needs a TUNED model to compare with: wscope MODEL TUNED");
    return 0;
}

/* MODEL [TUNED], or with no MODEL the bundled sample and its fine-tune. */
static int open_models(tui *t, const tui_args *a)
{
    char base[4200], tuned[4200];
    const char *p0 = a->paths[0], *p1 = a->paths[1];
    if (!p0) {
        if (!ws_sample_file(WS_SAMPLE_BASE, base, sizeof base))
            return cli_failf(base, "no sample model here: give a MODEL, or set %s to the "
                             "directory of the samples", WS_SAMPLE_ENV);
        p0 = base;
        if (ws_sample_file(WS_SAMPLE_TUNED, tuned, sizeof tuned))
            p1 = tuned;
    }
    if (cli_open_model(p0, &t->model) || cli_apply_heads(t->model, (int)a->heads))
        return 2;
    if (p1 && (cli_open_model(p1, &t->tuned_file) || cli_apply_heads(t->tuned_file, (int)a->heads)))
        return 2;
    t->tuned = t->tuned_file;
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

/* The training state, with the form filled from --data/--steps and the
 * logs of --runs opened (each error printed). */
static int open_training(tui *t, const tui_args *a)
{
    char err[1200];
    if (!(t->train = tui_train_new(t->model)))
        return cli_failf("wscope", "out of memory");
    train_settings_tokenizer(&t->train->set, t->model, t->tok);
    if (a->data)
        snprintf(t->train->set.data, sizeof t->train->set.data, "%s", a->data);
    if (a->steps)
        t->train->set.steps = a->steps;
    for (int i = 0; i < a->n_logs; i++)
        if (!train_runs_open_log(t->train, a->logs[i], err, sizeof err)) {
            fprintf(stderr, "wscope: %s\n", err);
            return 2;
        }
    return 0;
}

/* After the loop, with the terminal restored: what must not be lost. */
static int save_runs(tui *t)
{
    if (t->stop_signal)
        fprintf(stderr, "wscope: %s: saving the runs before exiting\n", strsignal(t->stop_signal));
    if ((t->quit_save || t->stop_signal) && t->train &&
        train_runs_save_all(t->train, t->model, t->stop_signal ? "recovery" : NULL, stderr))
        return 1;
    return t->stop_signal ? 128 + t->stop_signal : 0;
}

int tui_main(int argc, char **argv)
{
    tui_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    tui t;
    memset(&t, 0, sizeof t);
    char err[256];
    if (!rc)
        rc = open_models(&t, &a);
    if (!rc)
        rc = find_tokenizer(&t, a.tok_path);
    if (!rc)
        rc = open_training(&t, &a);
    if (!rc && term_start(&a.o, &t.style, err, sizeof err)) {
        fprintf(stderr, "wscope: %s\n", err);
        rc = 2;   /* no terminal to draw on: bad input, like any other */
    }
    if (!rc) {
        t.mouse = a.o.mouse;
        tui_wake_open();   /* without it the loop still works: it polls while work runs */
        tui_push(&t, view_model_new(&t));
        if (t.model->shard_note[0] || t.model->config_note[0])
            tui_message(&t, "%s", t.model->shard_note[0] ? t.model->shard_note : t.model->config_note);
        const char *first = a.view ? a.view : a.n_logs ? "train" : "model";
        view *(*open)(tui *) = start_views[find_view(first)].open;
        if (open)
            tui_push(&t, open(&t));
        tui_loop(&t);
        while (t.top)
            tui_pop(&t);
        tui_analyses_free();   /* before the models they read (the runs' weights too) */
        term_stop();
        rc = save_runs(&t);
    }
    tui_train_free(t.train);   /* cancels a run still going */
    job_reap(1);
    tui_wake_close();   /* after every job that could write to it */
    ws_tok_free(t.tok);   /* after the jobs that encode with it */
    ws_model_free(t.model);
    ws_model_free(t.tuned_file);
    return rc;
}
