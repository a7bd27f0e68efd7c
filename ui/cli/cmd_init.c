/* wscope init: write a randomly initialised GPT. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "init.h"

static const char usage_text[] =
    "usage: wscope init [--layers L] [--d D] [--heads H] [--vocab V] [--block T]\n"
    "                   [--tied] [--no-bias] [--seed S] -o FILE\n"
    "A GPT with nanoGPT-style random init, saved as safetensors\n"
    "(defaults: 2 layers, d 64, 4 heads, vocab 512, block 64, seed 1337).\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"layers", required_argument, 0, 'L'}, {"d", required_argument, 0, 'd'},
        {"heads", required_argument, 0, 'H'},  {"vocab", required_argument, 0, 'V'},
        {"block", required_argument, 0, 'T'},  {"tied", no_argument, 0, 't'},
        {"no-bias", no_argument, 0, 'b'},      {"seed", required_argument, 0, 's'},
        {"output", required_argument, 0, 'o'}, {0, 0, 0, 0},
    };
    ws_init_opts o = {.n_layer = 2, .n_embd = 64, .n_head = 4, .vocab_size = 512, .block_size = 64,
                      .bias = 1, .seed = 1337};
    const char *out = NULL;
    long v;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:", opts, usage_text)) != -1) {
        switch (c) {
        case 'L': if (cli_int("--layers", optarg, 1, 1000, &v)) return 2; o.n_layer = (int)v; break;
        case 'd': if (cli_int("--d", optarg, 1, 65536, &v)) return 2; o.n_embd = (int)v; break;
        case 'H': if (cli_int("--heads", optarg, 1, 65536, &v)) return 2; o.n_head = (int)v; break;
        case 'V': if (cli_int("--vocab", optarg, 1, 10000000, &v)) return 2; o.vocab_size = (int)v; break;
        case 'T': if (cli_int("--block", optarg, 1, 1000000, &v)) return 2; o.block_size = (int)v; break;
        case 's': if (cli_int("--seed", optarg, 0, 0x7fffffffL, &v)) return 2; o.seed = (uint64_t)v; break;
        case 't': o.tied = 1; break;
        case 'b': o.bias = 0; break;
        case 'o': out = optarg; break;
        default: return c == CLI_HELP ? 0 : 2;
        }
    }
    if (optind != argc)
        return cli_usage_error("init", "unexpected argument %s", argv[optind]);
    if (!out)
        return cli_usage_error("init", "no -o FILE");

    ws_err e = {{0}};
    ws_model *m = ws_init_gpt(&o, &e);
    if (!m)
        return cli_fail("init", &e);
    int rc = ws_model_save(m, out, &e) == 0 ? 0 : cli_fail(out, &e);
    ws_model_free(m);
    return rc;
}
