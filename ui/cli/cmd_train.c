/* wscope train: fine-tune (or train from init) with per-tensor policies. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "commands.h"
#include "data.h"
#include "init.h"
#include "run.h"
#include "runlog.h"
#include "tokenizer.h"
#include "train.h"

#define MAX_FILES 256
#define MAX_RULES 256

typedef struct train_args {
    const char *model, *resume, *out, *log;
    const char *data[MAX_FILES], *val[MAX_FILES];
    size_t n_data, n_val;
    ws_policy_rule rules[MAX_RULES];
    size_t n_rules;
    ws_train_opts o;
    int threads, min_lr_set;
    int init;
    int heads_given;        /* --heads: n_head for an existing model whose file lacks it */
    ws_init_opts io;
    ws_tok_opts to;
} train_args;

static const struct option long_opts[] = {
    {"data", required_argument, 0, 'D'},      {"steps", required_argument, 0, 'n'},
    {"batch", required_argument, 0, 'B'},     {"seq", required_argument, 0, 'T'},
    {"lr", required_argument, 0, 'l'},        {"min-lr", required_argument, 0, 'm'},
    {"wd", required_argument, 0, 'w'},        {"beta1", required_argument, 0, '1'},
    {"beta2", required_argument, 0, '2'},     {"eps", required_argument, 0, 'E'},
    {"clip", required_argument, 0, 'c'},      {"schedule", required_argument, 0, 'S'},
    {"warmup", required_argument, 0, 'W'},    {"sampling", required_argument, 0, 'a'},
    {"policy", required_argument, 0, 'p'},    {"seed", required_argument, 0, 's'},
    {"eval-every", required_argument, 0, 'v'}, {"eval-batches", required_argument, 0, 'b'},
    {"val-frac", required_argument, 0, 'f'},  {"out", required_argument, 0, 'o'},
    {"log", required_argument, 0, 'g'},       {"threads", required_argument, 0, 'j'},
    {"resume", required_argument, 0, 'r'},    {"stop-at", required_argument, 0, 'A'},
    {"save-every", required_argument, 0, 'k'}, {"pr-every", required_argument, 0, 'P'},
    {"init", no_argument, 0, 'I'},            {"layers", required_argument, 0, 'L'},
    {"d", required_argument, 0, 'd'},         {"heads", required_argument, 0, 'H'},
    {"block", required_argument, 0, 'K'},     {"vocab", required_argument, 0, 'V'},
    {"tied", no_argument, 0, 't'},            {"no-bias", no_argument, 0, 'N'},
    {"min-count", required_argument, 0, 'M'}, {"lowercase", no_argument, 0, 'C'},
    {"overwrite", no_argument, 0, 'O'},       {"weights-only", no_argument, 0, 'y'},
    {"val-data", required_argument, 0, 'Y'},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static const char usage_text[] =
    "usage: wscope train MODEL --data FILE... [--steps N] [--batch B] [--seq T] [--lr X]\n"
    "         [--min-lr X] [--wd X] [--beta1 X] [--beta2 X] [--eps X] [--clip X]\n"
    "         [--schedule constant|cosine] [--warmup N] [--sampling random|sequential]\n"
    "         [--policy PATTERN=POLICY]... [--seed S] [--eval-every N] [--eval-batches N]\n"
    "         [--val-frac F | --val-data FILE...] [--out FILE [--overwrite] [--weights-only]]\n"
    "         [--log FILE.csv] [--threads N]\n"
    "         [--stop-at N] [--save-every N] [--pr-every N]\n"
    "       wscope train --resume CKPT --data FILE... [options]\n"
    "       wscope train --init --layers L --d D --heads H --block T [--vocab V] [--tied]\n"
    "         [--no-bias] [--min-count N] [--lowercase] --data FILE... [options]\n"
    "Policies: train freeze crystal:R random grid:K freeze@S freeze-pr:X on a glob,\n"
    "ROLE or ROLE@LAYERS (e.g. attn_out@4=crystal:1). See wscope(1).\n";

static int int_opt(const char *name, const char *s, long lo, long hi, int64_t *out)
{
    long v;
    if (cli_int(name, s, lo, hi, &v))
        return 2;
    *out = v;
    return 0;
}

static int num_opt(const char *name, const char *s, double lo, float *out)
{
    double v;
    if (cli_double(name, s, &v))
        return 2;
    if (!(v >= lo) || !isfinite(v))
        return cli_failf(name, "must be a finite number >= %g, got %s", lo, s);
    *out = (float)v;
    return 0;
}

static int choice(const char *name, const char *s, const char *a, const char *b, int *out)
{
    if (!strcmp(s, a))
        *out = 0;
    else if (!strcmp(s, b))
        *out = 1;
    else
        return cli_failf(name, "expected %s or %s, got \"%s\"", a, b, s);
    return 0;
}

static int add_data(train_args *a, const char *path)
{
    if (a->n_data == MAX_FILES)
        return cli_failf("--data", "at most %d files", MAX_FILES);
    a->data[a->n_data++] = path;
    return 0;
}

/* One option; 0, or 2 after printing the error. */
static int apply_opt(train_args *a, int c, const char *arg)
{
    ws_train_opts *o = &a->o;
    int64_t v = 0;
    int k = 0, rc = 0;
    ws_err e = {{0}};
    switch (c) {
    case 'D': return add_data(a, arg);
    case 'Y':
        if (a->n_val == MAX_FILES)
            return cli_failf("--val-data", "at most %d files", MAX_FILES);
        a->val[a->n_val++] = arg;
        break;
    case 'n': rc = int_opt("--steps", arg, 1, 1000000000L, &o->steps); break;
    case 'B': rc = int_opt("--batch", arg, 1, 1 << 20, &v); o->B = (int)v; break;
    case 'T': rc = int_opt("--seq", arg, 1, 1 << 24, &v); o->T = (int)v; break;
    case 'l': rc = num_opt("--lr", arg, 0, &o->lr); break;
    case 'm': rc = num_opt("--min-lr", arg, 0, &o->min_lr); a->min_lr_set = 1; break;
    case 'w': rc = num_opt("--wd", arg, 0, &o->adam.weight_decay); break;
    case '1': rc = num_opt("--beta1", arg, 0, &o->adam.beta1); break;
    case '2': rc = num_opt("--beta2", arg, 0, &o->adam.beta2); break;
    case 'E': rc = num_opt("--eps", arg, 0, &o->adam.eps); break;
    case 'c': rc = num_opt("--clip", arg, 0, &o->clip); break;
    case 'S': rc = choice("--schedule", arg, "constant", "cosine", &o->cosine); break;
    case 'W': rc = int_opt("--warmup", arg, 0, 1000000000L, &o->warmup); break;
    case 'a': rc = choice("--sampling", arg, "random", "sequential", &k); o->sampling = (ws_sampling)k; break;
    case 'p':
        if (a->n_rules == MAX_RULES)
            return cli_failf("--policy", "at most %d rules", MAX_RULES);
        if (ws_policy_parse(arg, &a->rules[a->n_rules], &e))
            return cli_fail("--policy", &e);
        a->n_rules++;
        break;
    case 's': rc = int_opt("--seed", arg, 0, 0x7fffffffL, &v); o->seed = (uint64_t)v; a->io.seed = (uint64_t)v; break;
    case 'v': rc = int_opt("--eval-every", arg, 0, 1000000000L, &o->eval_every); break;
    case 'b': rc = int_opt("--eval-batches", arg, 0, 1000000L, &v); o->eval_batches = (int)v; break;
    case 'f': {
        double f;
        if (cli_double("--val-frac", arg, &f))
            return 2;
        if (!(f >= 0 && f < 1))
            return cli_failf("--val-frac", "must be in [0, 1), got %s", arg);
        o->val_frac = f;
        break;
    }
    case 'o': a->out = arg; break;
    case 'O': o->overwrite_input = 1; break;
    case 'y': o->weights_only = 1; break;
    case 'g': a->log = arg; break;
    case 'j': rc = int_opt("--threads", arg, 0, 1024, &v); a->threads = (int)v; break;
    case 'r': a->resume = arg; break;
    case 'A': rc = int_opt("--stop-at", arg, 1, 1000000000L, &o->stop_at); break;
    case 'k': rc = int_opt("--save-every", arg, 0, 1000000000L, &o->save_every); break;
    case 'P': rc = int_opt("--pr-every", arg, 1, 1000000000L, &o->pr_every); break;
    case 'I': a->init = 1; break;
    case 'L': rc = int_opt("--layers", arg, 1, 1000, &v); a->io.n_layer = (int)v; break;
    case 'd': rc = int_opt("--d", arg, 1, 65536, &v); a->io.n_embd = (int)v; break;
    case 'H': rc = int_opt("--heads", arg, 1, 65536, &v); a->io.n_head = (int)v; a->heads_given = 1; break;
    case 'K': rc = int_opt("--block", arg, 1, 1000000, &v); a->io.block_size = (int)v; break;
    case 'V': rc = int_opt("--vocab", arg, 2, 10000000, &v); a->to.max_vocab = (int)v; break;
    case 't': a->io.tied = 1; break;
    case 'N': a->io.bias = 0; break;
    case 'M': rc = int_opt("--min-count", arg, 1, 1000000000L, &v); a->to.min_count = (int)v; break;
    case 'C': a->to.lowercase = 1; break;
    case 'h': fputs(usage_text, stdout); return 1;
    default: return 2;
    }
    return rc;
}

/* Parse argv into a; with `only_resume`, just find --resume. */
static int parse(train_args *a, int argc, char **argv, int only_resume)
{
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        if (c == '?' && !only_resume)
            return cli_failf("train", "bad option %s (see wscope train --help)", argv[optind - 1]);
        if (only_resume) {
            if (c == 'r')
                a->resume = optarg;
            continue;
        }
        if (c == 'h') {
            fputs(usage_text, stdout);
            return 1;
        }
        int rc = apply_opt(a, c, optarg);
        if (rc)
            return rc;
    }
    if (only_resume)
        return 0;
    /* Positionals: MODEL (unless --init or --resume), then more data files. */
    for (int i = optind; i < argc; i++) {
        if (!a->model && !a->init && !a->resume)
            a->model = argv[i];
        else if (add_data(a, argv[i]))
            return 2;
    }
    return 0;
}

/* ---- model and data ---- */

/* Engine messages about data already start with the file name. */
static int fail_msg(const ws_err *e)
{
    fprintf(stderr, "wscope: %s\n", e->msg);
    return 2;
}

/* Build a tokenizer from the text files among the data. NULL when all are .bin. */
static int build_tokenizer(train_args *a, ws_tokenizer **out)
{
    ws_err e = {{0}};
    ws_tok_counter *c = ws_tok_counter_new(&a->to, &e);
    if (!c)
        return cli_fail("--init", &e);
    int any = 0;
    for (size_t i = 0; i < a->n_data; i++) {
        size_t n = strlen(a->data[i]), len;
        if (n >= 4 && !strcmp(a->data[i] + n - 4, ".bin"))
            continue;
        char *text = ws_read_text(a->data[i], &len, &e);
        if (!text || ws_tok_count(c, text, len, &e)) {
            free(text);
            ws_tok_counter_free(c);
            return fail_msg(&e);
        }
        free(text);
        any = 1;
    }
    if (!any) {
        ws_tok_counter_free(c);
        *out = NULL;
        return 0;
    }
    *out = ws_tok_counter_finish(c, &e);
    return *out ? 0 : cli_fail("--init", &e);
}

static int init_model(train_args *a, ws_model **m, ws_tokenizer **tk)
{
    ws_err e = {{0}};
    if (build_tokenizer(a, tk))
        return 2;
    if (*tk)
        a->io.vocab_size = ws_tok_size(*tk);
    else if (a->to.max_vocab)
        a->io.vocab_size = a->to.max_vocab;
    else
        return cli_failf("--init", "--vocab is needed with only .bin data");
    *m = ws_init_gpt(&a->io, &e);
    if (!*m)
        return cli_fail("--init", &e);
    if (*tk && ws_tok_save_to_model(*tk, *m, &e))
        return cli_fail("--init", &e);
    return 0;
}

static int open_input(train_args *a, ws_model **m, ws_tokenizer **tk)
{
    if (a->init)
        return init_model(a, m, tk);
    const char *path = a->resume ? a->resume : a->model;
    if (cli_open_model(path, m) || cli_apply_heads(*m, a->heads_given ? a->io.n_head : 0))
        return 2;
    ws_err e = {{0}};
    *tk = ws_tok_from_model(*m, &e);
    if (!*tk && ws_model_meta(*m, WS_TOK_META_KEY))
        return cli_fail(path, &e);   /* present but broken */
    return 0;
}

static int load_data(train_args *a, ws_model *m, const ws_tokenizer *tk, ws_data *d)
{
    ws_err e = {{0}};
    if (ws_data_load(d, a->data, a->n_data, tk, m->cfg.vocab_size, &e))
        return fail_msg(&e);
    if (a->n_val && ws_data_load_val(d, a->val, a->n_val, tk, m->cfg.vocab_size, &e))
        return fail_msg(&e);
    if (!a->n_val)
        ws_data_split(d, a->o.val_frac);
    if (a->o.T == 0)
        a->o.T = m->cfg.block_size;
    if (d->n_unk)
        fprintf(stderr, "wscope: note: %zu of %zu words are not in the vocabulary (<unk>)\n",
                d->n_unk, d->n);
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
        fprintf(stderr, "%s%s=%s", shown ? ", " : "wscope: policies: ", ws_gpt_param_at(g, i)->name,
                pol);
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
    signal(sig, SIG_DFL);
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

/* The training log (runlog.h): one row per record as it comes, with the
 * update norms of its step and the freeze events up to its step. */
typedef struct train_log {
    ws_runlog *log;
    float *upd;
    size_t events_done;
    int failed;
} train_log;

static int log_open(train_log *L, ws_train *t, const char *path)
{
    ws_err e = {{0}};
    int n = ws_train_n_matrices(t);
    const char **names = malloc(((size_t)n + 1) * sizeof *names);
    L->upd = malloc(((size_t)n + 1) * sizeof *L->upd);
    if (!names || !L->upd) {
        free(names);
        return cli_failf(path, "out of memory");
    }
    for (int k = 0; k < n; k++)
        names[k] = ws_train_matrix_name(t, k);
    L->log = ws_runlog_create(path, names, n, 0, &e);
    free(names);
    return L->log ? 0 : cli_fail(path, &e);
}

static void log_row(train_log *L, ws_train *t, size_t i, const ws_train_rec *r)
{
    ws_err e = {{0}};
    if (!L->log || L->failed)
        return;
    /* events of this step and before (a freeze-pr check freezes from the
     * next step on: it goes with that step's row) */
    size_t n_ev = 0, avail = ws_train_nevents(t) - L->events_done;
    ws_run_event *ev = malloc((avail ? avail : 1) * sizeof *ev);
    while (ev && n_ev < avail && !ws_train_event(t, L->events_done, &ev[n_ev]) &&
           ev[n_ev].step <= r->step) {
        n_ev++;
        L->events_done++;
    }
    int have_upd = !isnan(r->loss) && !ws_train_update_norms(t, i, L->upd);
    if (!ev || ws_runlog_append(L->log, r, have_upd ? L->upd : NULL, ev, n_ev, &e)) {
        fprintf(stderr, "%swscope: %s: %s\n", isatty(STDERR_FILENO) ? "\r\033[K" : "",
                ws_runlog_path(L->log), ev ? e.msg : "out of memory");
        L->failed = 1;
    }
    free(ev);
}

static int log_close(train_log *L)
{
    ws_err e = {{0}};
    int rc = 0;
    if (L->log) {
        char path[1024];
        snprintf(path, sizeof path, "%s", ws_runlog_path(L->log));
        if (ws_runlog_close(L->log, &e) || L->failed) {
            if (!L->failed)
                fprintf(stderr, "wscope: %s: %s\n", path, e.msg);
            rc = 1;
        }
    }
    free(L->upd);
    return rc;
}

/* Poll the worker: eval lines, status line on a TTY, log rows. */
static void follow(ws_train *t, const ws_train_opts *o, train_log *L)
{
    int tty = isatty(STDERR_FILENO);
    size_t seen = 0;
    int64_t first = ws_train_first_step(t), stop = o->stop_at ? o->stop_at : o->steps;
    struct timespec nap = {0, 100 * 1000 * 1000};
    ws_run run;
    ws_err e = {{0}};
    ws_run_init(&run, "train");
    for (;;) {
        int fin = ws_train_finished(t);
        size_t n = ws_train_nrecords(t);
        ws_train_rec r;
        for (; seen < n && !ws_train_record(t, seen, &r); seen++) {
            ws_run_add(&run, &r, &e);   /* for the ETA: a failure only costs the estimate */
            log_row(L, t, seen, &r);
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
    ws_run_free(&run);
    if (tty)
        fprintf(stderr, "\r\033[K");
}

static int report(ws_train *t, const train_args *a)
{
    char msg[512];
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
        fprintf(stderr, "wscope: train: %s: %s%s%s\n",
                stop_signal == SIGINT || !stop_signal ? "interrupted" : strsignal(stop_signal),
                msg, a->out ? ", saved " : "", a->out ? a->out : "");
        return 128 + (stop_signal ? stop_signal : SIGINT);
    case WS_TRAIN_DIVERGED:
        fprintf(stderr, "wscope: train: %s%s%s\n", msg, a->out ? ", saved to " : "",
                a->out ? a->out : "");
        return 1;
    default:
        fprintf(stderr, "wscope: train: %s\n", msg);
        return 1;
    }
}

static int run(train_args *a, ws_model *m, ws_data *d)
{
    ws_err e = {{0}};
    if (a->out && ws_input_is_registered(a->out) && !a->o.overwrite_input)
        return cli_failf(a->out, "refusing to overwrite the input model (--overwrite to allow)");
    a->o.threads = a->threads;
    a->o.out = a->out;
    a->o.rules = a->rules;
    a->o.n_rules = a->n_rules;
    ws_train *t = ws_train_new(m, d, &a->o, a->resume != NULL, &e);
    if (!t)
        return cli_failf(a->resume ? a->resume : a->model ? a->model : "train", "%s", e.msg);
    train_log L = {0};
    if (a->log && log_open(&L, t, a->log)) {
        ws_train_free(t);
        return 2;
    }
    print_policies(t);
    if (!a->out)
        fprintf(stderr, "wscope: note: no --out: the trained weights will not be saved\n");
    running = t;
    stop_signal = 0;
    catch_stop_signals(on_stop_signal);
    int rc = ws_train_start(t, &e) ? cli_fail("train", &e) : 0;
    if (!rc) {
        follow(t, &a->o, &L);
        rc = report(t, a);
    }
    catch_stop_signals(SIG_DFL);
    running = NULL;
    if (log_close(&L))
        rc = rc ? rc : 1;
    ws_train_free(t);
    return rc;
}

/* On resume, the checkpoint's options are the defaults. */
static int resume_defaults(train_args *a, int argc, char **argv)
{
    if (parse(a, argc, argv, 1) || !a->resume)
        return 0;
    ws_model *m;
    if (cli_open_model(a->resume, &m))
        return 2;
    const char *j = ws_model_meta(m, "train.options");
    ws_err e = {{0}};
    int rc = !j ? cli_failf(a->resume, "not a wscope training checkpoint (no train.options)")
             : ws_train_opts_from_json(&a->o, j, &e) ? cli_fail(a->resume, &e) : 0;
    a->min_lr_set = 1;
    ws_model_free(m);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    static train_args a;
    memset(&a, 0, sizeof a);
    a.o = ws_train_defaults();
    a.o.T = 0;
    a.io = (ws_init_opts){.n_layer = 2, .n_embd = 64, .n_head = 4, .block_size = 64, .bias = 1,
                          .seed = a.o.seed};
    a.to = (ws_tok_opts){.lowercase = 0, .min_count = 1, .max_vocab = 0};
    int rc = resume_defaults(&a, argc, argv);
    if (rc || (rc = parse(&a, argc, argv, 0)))
        return rc == 1 ? 0 : rc;
    if (!a.min_lr_set)
        a.o.min_lr = a.o.lr / 10;
    if (!a.model && !a.init && !a.resume)
        return cli_failf("train", "no MODEL (or --init, or --resume CKPT)\n%s", usage_text);
    if ((a.model != NULL) + a.init + (a.resume != NULL) > 1)
        return cli_failf("train", "give MODEL, --init or --resume, not more than one");
    if (!a.n_data)
        return cli_failf("train", "no --data FILE");
    ws_model *m = NULL;
    ws_tokenizer *tk = NULL;
    ws_data d = {0};
    rc = open_input(&a, &m, &tk);
    if (!rc)
        rc = load_data(&a, m, tk, &d);
    if (!rc)
        rc = run(&a, m, &d);
    ws_data_free(&d);
    ws_tok_free(tk);
    ws_model_free(m);
    return rc;
}
