#include "cli.h"

#include "analysis_docs.h"
#include "atomic.h"
#include "escape.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void on_fatal_signal(int sig)
{
    const char *target = NULL;
    if (ws_atomic_remove_temps(&target) > 0 && target) {
        static const char head[] = "\nwscope: ",
                          tail[] = ": interrupted while saving: left as it was (temporary file removed)\n";
        ssize_t r = write(STDERR_FILENO, head, sizeof head - 1);
        r = write(STDERR_FILENO, target, strlen(target));
        r = write(STDERR_FILENO, tail, sizeof tail - 1);
        (void)r;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_signal_default(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

void cli_signals_install(void)
{
    struct sigaction old;
    cli_signal_default(SIGINT);
    cli_signal_default(SIGTERM);
    if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler != SIG_IGN)   /* nohup stays nohup */
        cli_signal_default(SIGHUP);
}

/* Every error line: "wscope: WHAT: message", one line, escaped (names and
 * parser messages come from files; src/escape.h). */
static void error_line(const char *what, const char *msg)
{
    char *w = ws_escape_dup(what), *m = ws_escape_dup(msg);
    fprintf(stderr, "wscope: %s: %s\n", w ? w : "?", m ? m : "out of memory");
    free(w);
    free(m);
}

json_t *cli_json_text(const char *s)
{
    json_t *j = json_string(s);
    if (!j) {
        char *esc = ws_escape_dup(s);
        j = json_string(esc ? esc : "");
        free(esc);
    }
    return j;
}

int cli_fail(const char *what, const ws_err *e)
{
    error_line(what, e->msg);
    return 2;
}

int cli_fail_msg(const ws_err *e)
{
    char *m = ws_escape_dup(e->msg);
    fprintf(stderr, "wscope: %s\n", m ? m : "out of memory");
    free(m);
    return 2;
}

/* "wscope: WHAT: formatted message" + `tail`; returns 2. */
static int vfail(const char *what, const char *tail, const char *fmt, va_list ap)
{
    char msg[2048];
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    if (n >= 0 && (size_t)n < sizeof msg)
        snprintf(msg + n, sizeof msg - (size_t)n, "%s", tail);
    error_line(what, msg);
    return 2;
}

int cli_failf(const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(what, "", fmt, ap);
    va_end(ap);
    return 2;
}

int cli_open_model(const char *path, ws_model **m)
{
    ws_err e = {{0}};
    if (ws_model_open(path, m, &e) != 0)
        return cli_fail(path, &e);
    /* What the files beside the model say about it (hf_folder.h). */
    if ((*m)->shard_note[0])
        fprintf(stderr, "wscope: note: %s: %s\n", path, (*m)->shard_note);
    if ((*m)->config_note[0]) {
        char note[600];
        ws_escape(note, sizeof note, (*m)->config_note);   /* holds a parser message */
        fprintf(stderr, "wscope: note: %s\n", note);
    }
    return 0;
}

int cli_apply_heads(ws_model *m, int heads)
{
    if (heads <= 0)
        return 0;
    if (m->cfg.n_head_known && m->cfg.n_head != heads)
        return cli_failf(m->path, "--heads %d, but the file says n_head = %d", heads, m->cfg.n_head);
    if (m->cfg.n_embd % heads)
        return cli_failf(m->path, "--heads %d does not divide n_embd = %d", heads, m->cfg.n_embd);
    char v[16];
    snprintf(v, sizeof v, "%d", heads);
    ws_model_set_meta(m, "n_head", v, NULL);
    m->cfg.n_head = heads;
    m->cfg.n_head_known = 1;
    return 0;
}

int cli_print_doc(const ws_doc *d, cli_fmt f)
{
    ws_doc_fmt df = f == CLI_CSV ? WS_DOC_CSV : f == CLI_JSON ? WS_DOC_JSON : WS_DOC_TEXT;
    return ws_doc_write(d, df, stdout) == 0 && fflush(stdout) == 0 ? 0 : 1;
}

ws_doc *cli_doc(const char *command, const char *path)
{
    ws_doc *d = ws_doc_for(command, path);
    if (!d)
        cli_failf(command, "out of memory");
    return d;
}

int cli_emit(ws_doc *d, cli_fmt f, const char *head)
{
    if (!d)
        return 1;
    int rc;
    if (!ws_doc_ok(d)) {
        cli_failf("output", "out of memory");
        rc = 1;
    } else {
        if (f == CLI_TEXT && head)
            printf("%s\n\n", head);
        rc = cli_print_doc(d, f);
    }
    ws_doc_free(d);
    return rc;
}

struct cli_bar {
    pthread_t tid;
    ws_progress *p;
    const char *label;
    atomic_int stop;
};

static void bar_draw(cli_bar *b)
{
    size_t done = atomic_load(&b->p->done), total = atomic_load(&b->p->total);
    double f = total ? (double)done / (double)total : 0;
    if (f > 1)
        f = 1;
    int w = 30, fill = (int)(f * w);
    char bar[64];
    for (int i = 0; i < w; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[w] = 0;
    fprintf(stderr, "\r%s [%s] %3d%% %zu/%zu", b->label, bar, (int)(f * 100), done, total);
    fflush(stderr);
}

static void *bar_thread(void *v)
{
    cli_bar *b = v;
    struct timespec ts = {0, 100 * 1000 * 1000};
    while (!atomic_load(&b->stop)) {
        bar_draw(b);
        nanosleep(&ts, NULL);
    }
    return NULL;
}

cli_bar *cli_bar_start(const char *label, ws_progress *p)
{
    if (!isatty(STDERR_FILENO))
        return NULL;
    cli_bar *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->p = p;
    b->label = label;
    if (pthread_create(&b->tid, NULL, bar_thread, b) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

void cli_bar_stop(cli_bar *b)
{
    if (!b)
        return;
    atomic_store(&b->stop, 1);
    pthread_join(b->tid, NULL);
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    free(b);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char tail[128];
    snprintf(tail, sizeof tail, " (see wscope %s --help)", cmd);
    va_list ap;
    va_start(ap, fmt);
    vfail(cmd, tail, fmt, ap);
    va_end(ap);
    return 2;
}

/* The option as the user typed it, without "=value"; 1 when a value was
 * given ("--json=1"). */
static int option_text(char **argv, char *buf, size_t n)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    if (arg[0] == '-' && arg[1] != '-') {
        snprintf(buf, n, "-%c", optopt ? optopt : '?');
        return 0;
    }
    size_t len = strcspn(arg, "=");
    snprintf(buf, n, "%.*s", (int)len, arg);
    return arg[len] == '=';
}

/* The long option named exactly `name` ("--json"), or NULL. */
static const struct option *long_option(const struct option *opts, const char *name)
{
    for (const struct option *p = opts; p->name; p++)
        if (!strncmp(name, "--", 2) && !strcmp(p->name, name + 2))
            return p;
    return NULL;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage)
{
    /* The command's table plus --help; ':' first: a missing value is told apart. */
    static struct option opts[160];
    static char sopts[128];
    static const struct option *built_for;
    if (built_for != longopts) {
        size_t n = 0;
        for (const struct option *p = longopts; p && p->name && n < 158; p++)
            opts[n++] = *p;
        opts[n++] = (struct option){"help", no_argument, 0, 'h'};
        opts[n] = (struct option){0, 0, 0, 0};
        snprintf(sopts, sizeof sopts, ":%sh", shortopts ? shortopts : "");
        built_for = longopts;
    }
    opterr = 0;
    int c = getopt_long(argc, argv, sopts, opts, NULL);
    char opt[64];
    switch (c) {
    case 'h':
        if (usage)
            fputs(usage, stdout);
        return CLI_HELP;
    case ':':
        option_text(argv, opt, sizeof opt);
        cli_usage_error(argv[0], "%s needs a value", opt);
        return CLI_BAD;
    case '?': {
        int valued = option_text(argv, opt, sizeof opt);
        const struct option *o = long_option(opts, opt);
        if (valued && o && o->has_arg == no_argument)
            cli_usage_error(argv[0], "%s takes no value", opt);
        else if (!o && !strncmp(opt, "--", 2))
            cli_usage_error(argv[0], "unknown (or ambiguous) option %s", opt);
        else
            cli_usage_error(argv[0], "unknown option %s", opt);
        return CLI_BAD;
    }
    default:
        return c;
    }
}

int cli_int(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return cli_failf(opt, "expected an integer from %ld to %ld, got \"%s\"", lo, hi, s);
    *out = v;
    return 0;
}

int cli_double_in(const char *opt, const char *s, double lo, double hi, int open, double *out)
{
    double v;
    if (cli_double(opt, s, &v))
        return 2;
    int below = (open & CLI_OPEN_LO) ? !(v > lo) : !(v >= lo);
    int above = (open & CLI_OPEN_HI) ? !(v < hi) : !(v <= hi);
    if (below || above || !isfinite(v))
        return cli_failf(opt, "must be a number from %g%s to %g%s, got %s", lo,
                         (open & CLI_OPEN_LO) ? " (excluded)" : "", hi,
                         (open & CLI_OPEN_HI) ? " (excluded)" : "", s);
    *out = v;
    return 0;
}

int cli_double(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end)
        return cli_failf(opt, "expected a number, got \"%s\"", s);
    *out = v;
    return 0;
}

