/* wscope entry point: dispatch to a subcommand, or open the TUI. */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <langinfo.h>
#include <limits.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "render.h"
#include "samples.h"
#include "threads.h"
#include "blas_core.h"

/* Each entry: name, a synopsis and a summary of at most 68 columns each
 * (so `wscope --help` fits 80), the function. `wscope CMD --help` (or
 * `wscope help CMD`) prints the command's full usage. */
const ws_command ws_commands[] = {
    {"info", "MODEL [--json|--csv] [--no-stats] [--all-tensors]",
     "layout, config, counts and a table of the network's tensors", cmd_info},
    {"init", "[--layers L] [--d D] [--heads H] [--vocab V] [--block T] -o FILE",
     "write a GPT with nanoGPT-style random init", cmd_init},
    /* ---- fits ---- */
    {"fit", "MODEL [--tensor PATTERN]... [--k K] [--mode free|grid] [...]",
     "Gaussian fits of weight rows (L1, grid, L2), a summary per matrix", cmd_fit},
    /* ---- spectra ---- */
    {"spectrum", "MODEL [--alpha A | --tol T] [--top N] [--energy] [--json|--csv]",
     "eigenvalues of EᵀE, pairs, decay; --energy: energy per matrix", cmd_spectrum},
    {"pr", "MODEL [--uncentred] [--k K] [--no-amp] [--json|--csv]",
     "layers table: weight PR, PC1 %, stable rank, amplitude structure", cmd_pr},
    {"drift", "BASE TUNED [--all-tensors] [--json|--csv]",
     "RMS, relative drift and cosine per tensor and layer; mean cosine", cmd_drift},
    {"basis", "MODEL [--k K] [--corpus FILE] [--json|--csv]",
     "share of each matrix kept by the top-K EᵀE eigenvectors; QᵀK, EᵀTE", cmd_basis},
    /* ---- training ---- */
    {"train", "MODEL|--init|--resume CKPT --data FILE... [--policy P=POL]...",
     "train or fine-tune with per-tensor policies (see wscope(1))", cmd_train},
    {"eval", "MODEL --data FILE... [--seq T] [--batch B] [--json|--csv]",
     "mean loss over the sequential windows of the data", cmd_eval},
    {"compare", "MODEL --data FILE... --strategy NAME:PATTERN=POLICY,... ...",
     "train each strategy with each seed; table of final losses", cmd_compare},
    {"export-run", "MODEL --data FILE... [train options] -o DIR",
     "the same run as a PyTorch job: DIR/train.py for python3 or torchrun", cmd_export_run},
    /* ---- figures ---- */
    {"plot", "MODEL [TUNED] --tensor NAME (--row N|--col N|--heatmap|...) -o FILE",
     "a figure for a paper: PNG, SVG or PDF, a journal column at 300 dpi", cmd_plot},
    {"report", "MODEL [TUNED] [--corpus FILE] [--runs LOG.csv]... -o DIR",
     "every table (CSV, JSON) and figure (PNG, SVG, PDF) of the analyses", cmd_report},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: wscope [--ascii] [--colors N] [--mouse] [--heads H] [--tokenizer FILE]\n"
                "              [--view NAME] [--runs LOG...] [--data FILE] [--steps N]\n"
                "              [MODEL [TUNED]]\n"
                "       wscope COMMAND [ARGS]\n"
                "       wscope help COMMAND   (or wscope COMMAND --help): its usage\n\n"
                "With no command, opens the TUI on MODEL; with no MODEL, on the bundled sample\n"
                "(a small GPT trained on Moby-Dick) and its fine-tune on State of the Union\n"
                "addresses as TUNED. wscope --sample-dir prints where they are.\n\n"
                "Commands:\n");
    for (const ws_command *c = ws_commands; c->name; c++)
        fprintf(fp, "  %-9s %s\n            %s\n", c->name, c->args, c->summary);
    fprintf(fp, "\n  --help      this text        --version   version and terminal report\n"
                "  --sample-dir  the directory of the sample models and corpora ($%s)\n"
                "See wscope(1) for every key, option and definition.\n", WS_SAMPLE_ENV);
}

static const ws_command *find_command(const char *name)
{
    for (const ws_command *c = ws_commands; c->name; c++)
        if (!strcmp(name, c->name))
            return c;
    return NULL;
}

/* Edit distance of two short words (capped), for "did you mean". */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    int d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

/* A word that names no command and no file: a mistyped command, not a
 * model to open. */
static int unknown_command(const char *word, int in_help)
{
    const ws_command *best = NULL;
    int bd = 3;
    for (const ws_command *c = ws_commands; c->name; c++) {
        int d = distance(word, c->name);
        if (d < bd)
            bd = d, best = c;
    }
    if (best)
        return cli_failf(word, "no such command%s; did you mean %s? (see wscope --help)",
                         in_help ? "" : " or file", best->name);
    return cli_failf(word, "no such command%s (see wscope --help)", in_help ? "" : " or file");
}

/* A bare word (letters, digits, - and _) that is not an existing file. */
static int looks_like_command(const char *s)
{
    if (!*s || *s == '-')
        return 0;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    return access(s, F_OK) != 0;
}

/* What a bug report needs: version, terminal, locale, colours, BLAS threads. */
static void version(void)
{
    setlocale(LC_ALL, "");
    const char *term = getenv("TERM");
    const char *ct = getenv("COLORTERM");
    int colors = -1, rgb = 0, err = 0;
    if (term && setupterm(NULL, 2, &err) == OK) {
        colors = tigetnum("colors");
        rgb = tigetflag("RGB");
        del_curterm(cur_term);
    }
    /* The tiers the TUI would pick here, by the same rules it uses. */
    const char *nc = getenv("NO_COLOR");
    ws_colours tier = colour_detect(nc && *nc, 0, ct, colors, rgb);
    int utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    printf("wscope %s\n", PACKAGE_VERSION);
    printf("TERM=%s COLORTERM=%s colours=%d%s -> colour tier %s\n", term ? term : "(unset)",
           ct ? ct : "(unset)", colors, nc && *nc ? " NO_COLOR" : "", ws_colours_name(tier));
    printf("locale=%s charset=%s -> glyphs %s\n", setlocale(LC_CTYPE, NULL), nl_langinfo(CODESET),
           ws_glyphs_name(utf8 ? WS_GLYPH_UTF8 : WS_GLYPH_ASCII));
    const char *asked = getenv("OPENBLAS_CORETYPE");
    printf("cores=%d blas_threads=%d blas_core=%s%s%s\n", ws_ncores(), ws_blas_get_threads(),
           ws_blas_core(), asked ? " OPENBLAS_CORETYPE=" : "", asked ? asked : "");
}

/* OpenBLAS chooses its kernels when it loads, before main: when it fell back
 * to old SSE kernels on a CPU it does not know (src/blas_core.h), ask for the
 * ones the CPU supports and start again, once (the variable is then set, so
 * the new image never comes back here). A failed exec just runs on slower.
 * The binary is run by its own path, not by the /proc/self/exe link, as
 * the kernel names the process after the file it runs: ps, top and htop
 * would show "exe". */
static void blas_core_upgrade(char **argv)
{
    const char *core = ws_blas_better_core();
    if (!core)
        return;
    if (setenv("OPENBLAS_CORETYPE", core, 1) != 0)
        return;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        execv(self, argv);
    }
    execv("/proc/self/exe", argv);   /* the path is gone (a rebuilt binary): the link still runs it */
    unsetenv("OPENBLAS_CORETYPE");
}

int main(int argc, char **argv)
{
    blas_core_upgrade(argv);
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        version();
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--sample-dir")) {
        puts(ws_sample_dir());
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "help")) {
        if (argc == 2) {
            usage(stdout);
            return 0;
        }
        const ws_command *c = find_command(argv[2]);
        if (!c)
            return unknown_command(argv[2], 1);
        static char help_opt[] = "--help";
        char *help_argv[] = {argv[2], help_opt, NULL};
        return c->run(2, help_argv);
    }
    const ws_command *c = argc > 1 ? find_command(argv[1]) : NULL;
    if (c) {
        cli_signals_install();
        return c->run(argc - 1, argv + 1);
    }
    if (argc > 1 && looks_like_command(argv[1]))
        return unknown_command(argv[1], 0);
    return tui_main(argc, argv);
}
