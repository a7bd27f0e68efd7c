/* Shared pieces of the command-line front end. */
#ifndef WS_CLI_H
#define WS_CLI_H

#include <jansson.h>

#include "doc.h"
#include "error.h"
#include "model.h"
#include "table.h"
#include "threads.h"

typedef enum cli_fmt { CLI_TEXT, CLI_CSV, CLI_JSON } cli_fmt;

/* Print "wscope: WHAT: message" to stderr; return 2 (the exit status for bad input). */
int cli_fail(const char *what, const ws_err *e);
/* "wscope: message" for messages that already start with the file's name. */
int cli_fail_msg(const ws_err *e);
int cli_failf(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A JSON string of text from a file: as it is when it is UTF-8 (JSON
 * escapes control characters itself), else escaped (src/escape.h) rather
 * than dropped. */
json_t *cli_json_text(const char *s);

/* Open a model, printing the error; returns 0 or 2. */
int cli_open_model(const char *path, ws_model **m);

/* `--heads H` for a model whose file does not say n_head: set it (and its
 * metadata, so saved checkpoints carry it). A different n_head in the file
 * is an error. heads <= 0: nothing to do. Returns 0 or 2 (printed). */
int cli_apply_heads(ws_model *m, int heads);

/* Write a command's document (doc.h) to stdout in the chosen format. */
int cli_print_doc(const ws_doc *d, cli_fmt f);
/* A new document for `command` on the model at `path`; NULL after printing
 * "out of memory". */
ws_doc *cli_doc(const char *command, const char *path);
/* Print the finished document `d` (NULL: cli_doc failed) and free it: in
 * text, `head` (may be NULL) and a blank line first. Returns the exit
 * status: 0, or 1 when out of memory or stdout fails. */
int cli_emit(ws_doc *d, cli_fmt f, const char *head);

/* Progress bar on stderr, drawn by a ticker thread only when stderr is a
 * TTY; prints nothing when piped. */
typedef struct cli_bar cli_bar;
cli_bar *cli_bar_start(const char *label, ws_progress *p);
void cli_bar_stop(cli_bar *b);

/* getopt_long for a subcommand (argv[0] is its name), with wscope's
 * manners: --help and -h print `usage` on stdout (nothing when `usage` is
 * NULL: the caller prints its own) and return CLI_HELP; an unknown option
 * or one missing its value prints one line, "wscope: CMD: unknown option
 * --x (see wscope CMD --help)" or "wscope: CMD: --data needs a value (...)",
 * and returns CLI_BAD. Otherwise as getopt_long: the option's value, -1
 * after the last one. The caller resets optind first. */
enum { CLI_HELP = -2, CLI_BAD = -3 };
#include <getopt.h>
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage);

/* "wscope: CMD: what (see wscope CMD --help)"; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse helpers that reject trailing junk; return 0 or print and return 2. */
int cli_int(const char *opt, const char *s, long lo, long hi, long *out);
int cli_double(const char *opt, const char *s, double *out);
/* A finite number in [lo, hi]; `open` bit 1: lo excluded, bit 2: hi excluded. */
enum { CLI_OPEN_LO = 1, CLI_OPEN_HI = 2 };
int cli_double_in(const char *opt, const char *s, double lo, double hi, int open, double *out);

/* SIGINT, SIGTERM and SIGHUP: remove the temporary file of a save in
 * progress (saying so on stderr), then die of the signal as usual. A
 * command that handles SIGINT itself calls cli_signal_default(SIGINT) to
 * hand the signal back to this handler. */
void cli_signals_install(void);
void cli_signal_default(int sig);


#endif
