/* wscope entry point: dispatch to a subcommand, or open the TUI. */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <langinfo.h>

#include "commands.h"
#include "threads.h"

const ws_command ws_commands[] = {
    {"info", "MODEL [--json] [--no-stats]", "layout, config and a table of every tensor", cmd_info},
    {"init", "--layers L --d D --heads H --vocab V --block T [--tied] [--seed S] -o FILE",
     "write a GPT with nanoGPT-style random init", cmd_init},
    /* ---- fits (issue 4) ---- */
    /* ---- spectra (issue 5) ---- */
    /* ---- training (issue 6) ---- */
    {"train", "MODEL|--init|--resume CKPT --data FILE... [--steps N] [--policy P=POL]... [--out FILE]",
     "train or fine-tune with per-tensor policies (see wscope(1))", cmd_train},
    {"eval", "MODEL --data FILE... [--seq T] [--batch B]",
     "mean loss over the sequential windows of the data", cmd_eval},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: wscope [--ascii] [--colors N] [--mouse] [MODEL [TUNED]]\n"
                "       wscope COMMAND [ARGS]\n\n"
                "With no command, opens the TUI on MODEL (default: the bundled sample).\n\n"
                "Commands:\n");
    for (const ws_command *c = ws_commands; c->name; c++)
        fprintf(fp, "  %-9s %s\n            %s\n", c->name, c->args, c->summary);
    fprintf(fp, "\n  --help      this text        --version   version and terminal report\n"
                "See wscope(1) for every key, option and definition.\n");
}

/* What a bug report needs: version, terminal, locale, colours, BLAS threads. */
static void version(void)
{
    setlocale(LC_ALL, "");
    const char *term = getenv("TERM");
    const char *ct = getenv("COLORTERM");
    int colors = -1, err = 0;
    if (term && setupterm(NULL, 2, &err) == OK) {
        colors = tigetnum("colors");
        del_curterm(cur_term);
    }
    printf("wscope %s\n", PACKAGE_VERSION);
    printf("TERM=%s COLORTERM=%s colours=%d%s\n", term ? term : "(unset)", ct ? ct : "(unset)",
           colors, getenv("NO_COLOR") ? " NO_COLOR" : "");
    printf("locale=%s charset=%s\n", setlocale(LC_CTYPE, NULL), nl_langinfo(CODESET));
    printf("cores=%d blas_threads=%d\n", ws_ncores(), ws_blas_get_threads());
}

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        version();
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (argc > 1)
        for (const ws_command *c = ws_commands; c->name; c++)
            if (!strcmp(argv[1], c->name))
                return c->run(argc - 1, argv + 1);
    return tui_main(argc, argv);
}
