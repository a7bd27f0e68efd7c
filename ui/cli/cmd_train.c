/* wscope train: fine-tune (or train from init) with per-tensor policies. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "commands.h"
#include "data.h"
#include "table.h"
#include "tokenizer.h"
#include "train.h"
#include "train_args.h"

static const char usage_text[] =
    "usage: wscope train MODEL --data FILE... [options]\n"
    "       wscope train --resume CKPT --data FILE... [options]\n"
    "       wscope train --init --layers L --d D --heads H --block T --data FILE... [options]\n"
    "Policies: train freeze crystal:R random grid:K freeze@S freeze-pr:X on a glob,\n"
    "ROLE or ROLE@LAYERS (e.g. attn_out@4=crystal:1). See wscope(1).\n";

/* Positionals: MODEL (unless --init or --resume), then more data files. */
static int positionals(train_args *a)
{
    for (int i = 0; i < a->n_pos; i++) {
        if (!a->model && !a->init && !a->resume)
            a->model = a->pos[i];
        else if (a->n_data == TA_MAX_FILES)
            return cli_failf("--data", "at most %d files", TA_MAX_FILES);
        else
            a->data[a->n_data++] = a->pos[i];
    }
    return 0;
}

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

static void on_sigint(int sig)
{
    (void)sig;
    if (running)
        ws_train_cancel(running);
    signal(SIGINT, SIG_DFL);   /* a second Ctrl-C kills */
}

static void print_eval(const ws_train_rec *r, int64_t steps)
{
    char loss[32] = "-";
    if (!isnan(r->loss))
        snprintf(loss, sizeof loss, "%.4f", r->loss);
    printf("step %lld/%lld  loss %s  val_loss %.4f", (long long)r->step, (long long)steps, loss,
           r->val_loss);
    if (!isnan(r->lr))
        printf("  lr %.3e  grad_norm %.4g  tokens/s %.0f", r->lr, r->grad_norm, r->tokens_per_s);
    printf("\n");
    fflush(stdout);
}

static void status_line(const ws_train_rec *r, int64_t steps, int64_t first, int64_t stop)
{
    double f = stop > first ? (double)(r->step + 1 - first) / (double)(stop - first) : 1;
    int w = 20, fill = (int)(f * w);
    char bar[32];
    for (int i = 0; i < w; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[w] = 0;
    fprintf(stderr, "\r\033[Kstep %lld/%lld [%s] loss %.4f lr %.2e %.0f tok/s",
            (long long)r->step + 1, (long long)steps, bar, r->loss, r->lr, r->tokens_per_s);
    fflush(stderr);
}

/* One CSV row: the record, then the update norm of each matrix. */
static void log_row(ws_table *log, ws_train *t, size_t i, const ws_train_rec *r, float *upd)
{
    int row = ws_table_row(log);
    double v[7] = {(double)r->step, r->loss, r->val_loss, r->lr, r->grad_norm, r->tokens_per_s,
                   (double)r->n_frozen};
    for (int c = 0; c < 7; c++)
        ws_table_num(log, row, c, v[c]);
    if (upd && !ws_train_update_norms(t, i, upd))
        for (int k = 0; k < ws_train_n_matrices(t); k++)
            ws_table_num(log, row, 7 + k, upd[k]);
}

static ws_table *log_table(ws_train *t)
{
    static const char *cols[] = {"step", "loss", "val_loss", "lr", "grad_norm", "tokens_per_s",
                                 "n_frozen"};
    static const char *fmts[] = {"%.0f", "%.9g", "%.9g", "%.9g", "%.9g", "%.1f", "%.0f"};
    ws_table *log = ws_table_new_named("log", "one row per step of the run");
    char name[600];
    for (int c = 0; log && c < 7; c++)
        ws_table_col(log, cols[c], fmts[c]);
    for (int k = 0; log && k < ws_train_n_matrices(t); k++) {
        snprintf(name, sizeof name, "update:%s", ws_train_matrix_name(t, k));
        ws_table_col(log, name, "%.9g");
    }
    return log;
}

/* The log as a document of the run (doc.h); frees the table. */
static int write_log(ws_table *log, const train_args *a, ws_err *e)
{
    ws_doc *d = ws_doc_new("train");
    if (d && a->model)
        ws_doc_model(d, "model", a->model);
    if (d && a->resume)
        ws_doc_model(d, "resume", a->resume);
    if (d)
        ws_doc_table(d, log);
    else
        ws_table_free(log);
    int rc = ws_doc_ok(d) ? ws_doc_export(d, a->log, e) : ws_fail(e, "out of memory");
    ws_doc_free(d);
    return rc;
}

/* Poll the worker: eval lines, status line on a TTY, log rows. */
static void follow(ws_train *t, const ws_train_opts *o, ws_table *log)
{
    int tty = isatty(STDERR_FILENO);
    size_t seen = 0;
    int64_t first = ws_train_first_step(t), stop = o->stop_at ? o->stop_at : o->steps;
    struct timespec nap = {0, 100 * 1000 * 1000};
    float *upd = malloc(sizeof(float) * ((size_t)ws_train_n_matrices(t) + 1));
    for (;;) {
        int fin = ws_train_finished(t);
        size_t n = ws_train_nrecords(t);
        ws_train_rec r;
        for (; seen < n && !ws_train_record(t, seen, &r); seen++) {
            if (log)
                log_row(log, t, seen, &r, upd);
            if (!isnan(r.val_loss)) {
                if (tty)
                    fprintf(stderr, "\r\033[K");
                print_eval(&r, o->steps);
            }
            if (tty && !isnan(r.loss) && seen + 1 == n)
                status_line(&r, o->steps, first, stop);
        }
        if (fin)
            break;
        nanosleep(&nap, NULL);
    }
    free(upd);
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
        fprintf(stderr, "wscope: train: interrupted: %s%s%s\n", msg, a->out ? ", saved " : "",
                a->out ? a->out : "");
        return 130;
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
    a->o = train_args_opts(a);
    ws_train *t = ws_train_new(m, d, &a->o, a->resume != NULL, &e);
    if (!t)
        return cli_failf(a->resume ? a->resume : a->model ? a->model : "train", "%s", e.msg);
    print_policies(t);
    if (!a->out)
        fprintf(stderr, "wscope: note: no --out: the trained weights will not be saved\n");
    ws_table *log = a->log ? log_table(t) : NULL;
    running = t;
    signal(SIGINT, on_sigint);
    int rc = ws_train_start(t, &e) ? cli_fail("train", &e) : 0;
    if (!rc) {
        follow(t, &a->o, log);
        rc = report(t, a);
    }
    signal(SIGINT, SIG_DFL);
    running = NULL;
    if (log && write_log(log, a, &e)) {
        fprintf(stderr, "wscope: %s: %s\n", a->log, e.msg);
        rc = rc ? rc : 1;
    }
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
                                     argc, argv)) || (rc = positionals(&a)))
        return rc == 1 ? 0 : rc;
    if (!a.model && !a.init && !a.resume)
        return cli_failf("train", "no MODEL (or --init, or --resume CKPT)\n%s", usage_text);
    if ((a.model != NULL) + a.init + (a.resume != NULL) > 1)
        return cli_failf("train", "give MODEL, --init or --resume, not more than one");
    if (!a.n_data)
        return cli_failf("train", "no --data FILE");
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
