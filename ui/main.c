/* wscope entry point: dispatch to a subcommand, or open the TUI. */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <langinfo.h>

#include "cli.h"
#include "commands.h"
#include "render.h"
#include "samples.h"
#include "threads.h"

const ws_command ws_commands[] = {
    {"info", "MODEL [--json|--csv] [--no-stats] [--all-tensors]",
     "layout, config, counts and a table of the network's tensors", cmd_info},
    {"init", "--layers L --d D --heads H --vocab V --block T [--tied] [--no-bias] [--seed S] -o FILE",
     "write a GPT with nanoGPT-style random init", cmd_init},
    /* ---- fits ---- */
    {"fit", "MODEL [--tensor PATTERN]... [--all-tensors] [--k K] [--mode free|grid]\n"
            "            [--rows all|N] [--level 1|2] [--g G] [--ftol X] [--eig FILE] [--json|--csv]\n"
            "            [--timing] [--rows-out FILE]",
     "Gaussian fits of weight rows (L1, grid, L2): one summary per matrix", cmd_fit},
    /* ---- spectra ---- */
    {"spectrum", "MODEL [--tol T] [--top N] [--energy] [--json|--csv]",
     "eigenvalues of EᵀE, pairs, decay; --energy: spectral energy per matrix", cmd_spectrum},
    {"pr", "MODEL [--uncentred] [--k K] [--no-amp] [--json|--csv]",
     "layers table: weight PR, PC1 %, stable rank, amplitude structure", cmd_pr},
    {"drift", "BASE TUNED [--all-tensors] [--json|--csv]",
     "RMS, relative drift and cosine per tensor and layer; mean cosine", cmd_drift},
    {"basis", "MODEL [--k K] [--corpus FILE [--tokenizer FILE]] [--json|--csv]",
     "share of each matrix kept by the top-K EᵀE eigenvectors; QᵀK vs EᵀTE", cmd_basis},
    /* ---- training ---- */
    {"train", "MODEL|--init|--resume CKPT --data FILE... [--steps N] [--policy P=POL]... [--out FILE]",
     "train or fine-tune with per-tensor policies (see wscope(1))", cmd_train},
    {"eval", "MODEL --data FILE... [--seq T] [--batch B] [--heads H] [--tokenizer FILE]\n"
            "            [--json|--csv]",
     "mean loss over the sequential windows of the data", cmd_eval},
    {"compare", "MODEL --data FILE... --strategy NAME:PATTERN=POLICY,... ... [--seeds N] [--steps N]",
     "train each strategy with each seed; table of final losses (mean, std)", cmd_compare},
    {"export-run", "MODEL --data FILE... [train options] -o DIR",
     "the same run as a PyTorch job: DIR/train.py for python3 or torchrun", cmd_export_run},
    /* ---- figures ---- */
    {"plot", "MODEL [TUNED] --tensor NAME (--row N|--col N|--heatmap|--hist) [--dpi N] -o FILE\n"
             "            MODEL --spectrum | --runs LOG.csv... | MODEL [TUNED] --bars CMD:COLUMN\n"
             "            [--size WxH] [--cmap MAP] [--vmin X] [--vmax X] -o FILE.png|svg|pdf",
     "a figure for a paper: PNG, SVG or PDF, one journal column at 300 dpi", cmd_plot},
    {"report", "MODEL [TUNED] [--corpus FILE [--tokenizer FILE]] [--runs LOG.csv]... [--fit-rows N|all] -o DIR",
     "every table (CSV, JSON) and figure (PNG, SVG, PDF) of the analyses, and DIR/index.md",
     cmd_report},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *fp)
{
    fprintf(fp, "usage: wscope [--ascii] [--colors N] [--mouse] [--heads H] [--tokenizer FILE]\n"
                "         [--view NAME] [--runs LOG...] [--data FILE] [--steps N] [MODEL [TUNED]]\n"
                "       wscope COMMAND [ARGS]\n\n"
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
    if (argc == 2 && !strcmp(argv[1], "--sample-dir")) {
        puts(ws_sample_dir());
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (argc > 1)
        for (const ws_command *c = ws_commands; c->name; c++)
            if (!strcmp(argv[1], c->name)) {
                cli_signals_install();
                return c->run(argc - 1, argv + 1);
            }
    return tui_main(argc, argv);
}
