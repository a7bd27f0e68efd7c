/* Fuzz target: training logs as `plot --runs` and the TUI read them
 * (src/runlog.c), in one piece and in two (a log still being written). */
#include "fuzz.h"
#include "run.h"
#include "runlog.h"

static void parse(const char *buf, size_t n, size_t cut)
{
    ws_err e;
    ws_run run;
    ws_run_init(&run, "fuzz");
    ws_runlog_reader rd;
    ws_runlog_reader_init(&rd);
    size_t used = 0, more = 0;
    if (ws_runlog_parse(&rd, buf, cut, 0, &run, &used, &e) >= 0)
        ws_runlog_parse(&rd, buf + used, n - used, 1, &run, &more, &e);
    ws_run_summary s;
    ws_run_summarise(&run, 0.9, &s);
    ws_run_free(&run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse((const char *)data, size, size);
    parse((const char *)data, size, size / 2);
    return 0;
}
