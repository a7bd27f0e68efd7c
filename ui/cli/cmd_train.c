/* wscope train: fine-tune (or train from init) with per-tensor policies. */
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "escape.h"
#include "commands.h"
#include "data.h"
#include "run.h"
#include "train_log.h"
#include "tokenizer.h"
#include "train.h"
#include "train_args.h"

static const char usage_text[] =
    "usage: wscope train MODEL --data FILE... [options]\n"
    "       wscope train --resume CKPT --data FILE... [options]\n"
    "       wscope train --init --layers L --d D --heads H --block T --data FILE...\n"
    "                    [options]\n"
    "Policies: train freeze crystal:R random grid:K freeze@S freeze-pr:X on a glob,\n"
    "ROLE or ROLE@LAYERS (e.g. attn_out@4=crystal:1). See wscope(1).\n";

static int load_data(train_args *a, ws_model *m, const ws_tokenizer *tk, ws_data *d)
{
    if (train_args_load_data(a, m, tk, d))
        return 2;
    if ((a->o.val_frac > 0 || a->n_val) && d->n - d->n_train < (size_t)a->o.T + 1)
        fprintf(stderr, "wscope: note: the validation split (%zu tokens) holds no window of "
                        "%d + 1 tokens: no val_loss\n", d->n - d->n_train, a->o.T);
    return 0;
}

/* ---- running ---- */

/* One line naming the tensors that do not simply train (at most 8). */
static void print_policies(ws_train *t)
{
    const ws_policy *p = ws_train_policy(t);
    ws_gpt *g = ws_train_gpt(t);
    size_t shown = 0, other = 0;
    char buf[64];
    for (size_t i = 0; i < ws_gpt_nparams(g); i++) {
        const char *pol = ws_policy_text(p, i, buf, sizeof buf);
        if (!strcmp(pol, "train"))
            continue;
        if (shown == 8) {
            other++;
            continue;
        }
        char *name = ws_escape_dup(ws_gpt_param_at(g, i)->name);
        fprintf(stderr, "%s%s=%s", shown ? ", " : "wscope: policies: ", name ? name : "?", pol);
        free(name);
        shown++;
    }
    if (other)
        fprintf(stderr, " and %zu more", other);
    if (shown)
        fputc('\n', stderr);
}

static ws_train *volatile running;
static volatile sig_atomic_t stop_signal;

/* Ctrl-C, SIGTERM and SIGHUP stop after the current step and save; a
 * second one kills. */
static void on_stop_signal(int sig)
{
    stop_signal = sig;
    if (running)
        ws_train_cancel(running);
    cli_signal_default(sig);   /* a second one kills (removing a half-written save) */
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void catch_stop_signals(void (*h)(int))
{
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        signal(stop_signals[i], h);
}

enum { LINE_MAX_COLS = 79 };   /* result lines fit an 80-column terminal */

/* Append " FIELD" to line when it still fits in LINE_MAX_COLS. */
static void add_field(char *line, size_t n, const char *field)
{
    size_t len = strlen(line);
    if (len + strlen(field) <= LINE_MAX_COLS && len + strlen(field) < n)
        snprintf(line + len, n - len, "%s", field);
}

/* One line per evaluation: step, loss, val_loss, then lr, gradient norm
 * and tokens/s as far as they fit in 80 columns. The final evaluation
 * (no loss of its own) says so and gives the last step's loss. */
static void print_eval(const ws_train_rec *r, const ws_run *run, int64_t steps)
{
    char line[160], f[64];
    if (isnan(r->loss)) {
        ws_run_summary s;
        ws_run_summarise(run, 0, &s);
        snprintf(line, sizeof line, "step %lld/%lld  val_loss %.4f  final", (long long)r->step,
                 (long long)steps, r->val_loss);
        if (!isnan(s.last_loss)) {
            snprintf(f, sizeof f, "  (last loss %.4f)", s.last_loss);
            add_field(line, sizeof line, f);
        }
    } else {
        snprintf(line, sizeof line, "step %lld/%lld  loss %.4f  val_loss %.4f", (long long)r->step,
                 (long long)steps, r->loss, r->val_loss);
        snprintf(f, sizeof f, "  lr %.3e", r->lr);
        add_field(line, sizeof line, f);
        snprintf(f, sizeof f, "  grad_norm %.4g", r->grad_norm);
        add_field(line, sizeof line, f);
        snprintf(f, sizeof f, "  tokens/s %.0f", r->tokens_per_s);
        add_field(line, sizeof line, f);
    }
    printf("%s\n", line);
    fflush(stdout);
}

static int term_cols(void)
{
    struct winsize ws;
    return ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40 ? ws.ws_col : 80;
}

/* The TTY status line: step, bar, percent, loss, elapsed and ETA,
 * tokens/s, lr; cut to the terminal's width. */
static void status_line(const ws_train_rec *r, const ws_run *run, int64_t first, int64_t stop)
{
    double f = stop > first ? (double)(r->step + 1 - first) / (double)(stop - first) : 1;
    char bar[24], el[16], eta[16], line[256];
    int w = 12, fill = (int)(f * w);
    for (int i = 0; i < w; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[w] = 0;
    snprintf(line, sizeof line, "step %lld/%lld [%s] %3d%%  loss %.4f  %s ETA %s  "
             "%.0f tok/s  lr %.2e", (long long)r->step + 1, (long long)stop, bar, (int)(f * 100),
             r->loss, ws_fmt_duration(r->elapsed_s, el, sizeof el),
             ws_fmt_duration(ws_run_eta(run, stop), eta, sizeof eta), r->tokens_per_s, r->lr);
    int cols = term_cols() - 1;
    if ((int)strlen(line) > cols) {   /* whole fields only */
        line[cols] = 0;
        char *gap = strstr(line, "  ") ? strrchr(line, ' ') : NULL;
        while (gap && gap > line && gap[-1] != ' ')
            gap = memrchr(line, ' ', (size_t)(gap - line));
        if (gap && gap > line)
            gap[-1] = 0;
    }
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
}

/* One line per freeze event of freeze@S / freeze-pr:X (when and why), up
 * to step `upto`, in step order with the evaluation lines. */
static size_t print_events(ws_train *t, size_t seen, int64_t upto, int tty)
{
    ws_run_event ev;
    for (; seen < ws_train_nevents(t) && !ws_train_event(t, seen, &ev) && ev.step <= upto; seen++) {
        if (tty)
            fprintf(stderr, "\r\033[K");
        printf("step %lld  froze %s  %s\n", (long long)ev.step, ev.tensor, ev.why);
        fflush(stdout);
    }
    return seen;
}

/* Poll the worker: eval lines, freeze events, status line on a TTY, log
 * rows. Returns 1 when the log could not be written to the end (said once,
 * on stderr). */
static int follow(ws_train *t, const ws_train_opts *o, ws_train_log *log)
{
    int log_failed = 0;
    int tty = isatty(STDERR_FILENO);
    size_t seen = 0, seen_ev = 0;
    int64_t first = ws_train_first_step(t), stop = o->stop_at ? o->stop_at : o->steps;
    struct timespec nap = {0, 100 * 1000 * 1000};
    ws_run run;
    ws_err e = {{0}};
    ws_run_init(&run, "train");
    for (;;) {
        int fin = ws_train_finished(t);
        size_t n = ws_train_nrecords(t);
        ws_train_rec r;
        if (log && ws_train_log_update(log, t, &e)) {   /* once: then it writes no more */
            if (tty)
                fprintf(stderr, "\r\033[K");
            cli_fail(ws_train_log_path(log), &e);
            log_failed = 1;
        }
        for (; seen < n && !ws_train_record(t, seen, &r); seen++) {
            seen_ev = print_events(t, seen_ev, r.step, tty);
            ws_run_add(&run, &r, &e);   /* for the ETA: a failure only costs the estimate */
            if (!isnan(r.val_loss)) {
                if (tty)
                    fprintf(stderr, "\r\033[K");
                print_eval(&r, &run, o->steps);
            }
            if (tty && !isnan(r.loss) && seen + 1 == n)
                status_line(&r, &run, first, stop);
        }
        if (fin)
            break;
        nanosleep(&nap, NULL);
    }
    print_events(t, seen_ev, INT64_MAX, tty);
    ws_run_free(&run);
    if (tty)
        fprintf(stderr, "\r\033[K");
    return log_failed;
}

static int report(ws_train *t, const train_args *a)
{
    char msg[2048];
    ws_train_state s = ws_train_wait(t);
    ws_train_get_state(t, msg, sizeof msg);
    size_t n = ws_train_nrecords(t);
    ws_train_rec last = {0};
    if (n)
        ws_train_record(t, n - 1, &last);
    switch (s) {
    case WS_TRAIN_DONE:
        printf("done: %lld steps%s%s\n", (long long)last.step, a->out ? ", saved " : "",
               a->out ? a->out : "");
        return 0;
    case WS_TRAIN_CANCELLED:
        cli_failf("train", "%s: %s%s%s",
                  stop_signal == SIGINT || !stop_signal ? "interrupted" : strsignal(stop_signal), msg,
                  a->out ? ", saved " : "", a->out ? a->out : "");
        return 128 + (stop_signal ? stop_signal : SIGINT);
    case WS_TRAIN_DIVERGED:
        cli_failf("train", "%s%s%s", msg, a->out ? ", saved to " : "", a->out ? a->out : "");
        return 1;
    default:
        cli_failf("train", "%s", msg);   /* the work failed (e.g. the final save): 1 */
        return 1;
    }
}

/* Before any step: --out and --log must be writable, distinct, and not
 * any file this run reads (model, shards, index, data). */
static int check_outputs(const train_args *a)
{
    ws_err e = {{0}};
    ws_input_kind kind;
    if (a->out && a->log && ws_output_same(a->out, a->log))
        return cli_failf(a->log, "--log and --out name the same file");
    if (a->out && !a->o.overwrite_input && ws_input_lookup(a->out, &kind) && kind == WS_INPUT_MODEL)
        return cli_failf(a->out, "refusing to overwrite the input model (--overwrite to allow)");
    if (a->out && ws_output_check(a->out, a->o.overwrite_input ? WS_OUT_REPLACE_MODEL : 0, &e))
        return cli_fail(a->out, &e);
    if (a->log && ws_output_check(a->log, 0, &e))
        return cli_fail(a->log, &e);
    return 0;
}

static int run(train_args *a, ws_model *m, ws_data *d)
{
    ws_err e = {{0}};
    if (check_outputs(a))
        return 2;
    a->o = train_args_opts(a);
    ws_train *t = ws_train_new(m, d, &a->o, a->resume != NULL, &e);
    if (!t)
        return cli_failf(a->resume ? a->resume : a->model ? a->model : "train", "%s", e.msg);
    ws_train_log *log = a->log ? ws_train_log_open(t, a->log, 0, &e) : NULL;
    if (a->log && !log) {
        ws_train_free(t);
        return cli_fail(a->log, &e);
    }
    print_policies(t);
    if (!a->out)
        fprintf(stderr, "wscope: note: no --out: the trained weights will not be saved\n");
    running = t;
    stop_signal = 0;
    catch_stop_signals(on_stop_signal);
    int rc = ws_train_start(t, &e) ? cli_fail("train", &e) : 0, log_failed = 0;
    if (!rc) {
        log_failed = follow(t, &a->o, log);
        rc = report(t, a);
    }
    cli_signals_install();
    running = NULL;
    if (log && ws_train_log_close(log, t, &e) && !log_failed) {
        cli_fail(a->log, &e);
        log_failed = 1;
    }
    if (log_failed && !rc)
        rc = 1;   /* the weights are saved, the log is not whole: the work failed */
    ws_train_free(t);
    return rc;
}

/* On resume, the checkpoint's options are the defaults. */
static int resume_defaults(train_args *a, int argc, char **argv)
{
    const char *resume = train_args_find_resume(argc, argv);
    if (!resume)
        return 0;
    ws_model *m;
    if (cli_open_model(resume, &m))
        return 2;
    const char *j = ws_model_meta(m, "train.options");
    ws_err e = {{0}};
    int rc = !j ? cli_failf(resume, "not a wscope training checkpoint (no train.options)")
             : ws_train_opts_from_json(&a->o, j, &e) ? cli_fail(resume, &e) : 0;
    a->min_lr_set = 1;
    ws_model_free(m);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    static train_args a;
    train_args_defaults(&a);
    int rc = resume_defaults(&a, argc, argv);
    if (rc || (rc = train_args_parse(&a, TA_RUN | TA_SAVE | TA_INIT, NULL, "train", usage_text,
                                     argc, argv)) || (rc = train_args_positionals(&a)))
        return rc == 1 ? 0 : rc;
    if (!a.model && !a.init && !a.resume)
        return cli_usage_error("train", "no MODEL (or --init, or --resume CKPT)");
    if ((a.model != NULL) + a.init + (a.resume != NULL) > 1)
        return cli_failf("train", "give MODEL, --init or --resume, not more than one");
    if (!a.n_data)
        return cli_usage_error("train", "no --data FILE");
    ws_model *m = NULL;
    ws_tokenizer *tk = NULL;
    ws_data d = {0};
    rc = train_args_open_model(&a, &m, &tk);
    if (!rc)
        rc = load_data(&a, m, tk, &d);
    if (!rc)
        rc = run(&a, m, &d);
    ws_data_free(&d);
    ws_tok_free(tk);
    ws_model_free(m);
    return rc;
}
