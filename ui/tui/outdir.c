/* Where the TUI writes files (see outdir.h). */
#include "outdir.h"

#include "samples.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Is dir the bundled samples' directory (samples.h)? */
static int is_sample_dir(const char *dir)
{
    char a[PATH_MAX], b[PATH_MAX];
    return realpath(dir, a) && realpath(ws_sample_dir(), b) && !strcmp(a, b);
}

void tui_output_dir(const ws_model *m, char *buf, size_t n)
{
    char *copy = strdup(m && m->path ? m->path : ".");
    const char *dir = copy ? dirname(copy) : ".";
    const char *tmp = getenv("TMPDIR");
    if (access(dir, W_OK) == 0 && !is_sample_dir(dir))
        snprintf(buf, n, "%s", dir);
    else if (access(".", W_OK) == 0)
        snprintf(buf, n, ".");
    else
        snprintf(buf, n, "%s", tmp && *tmp ? tmp : "/tmp");
    free(copy);
}

void tui_model_stem(const ws_model *m, char *buf, size_t n)
{
    const char *p = m && m->path && m->path[0] ? m->path : "wscope";
    const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
    const char *dot = strrchr(base, '.');
    int len = dot && dot > base ? (int)(dot - base) : (int)strlen(base);
    snprintf(buf, n, "%.*s", len, base);
    for (char *c = buf; *c; c++)   /* a file name, whatever the model's path held */
        if (*c == ' ' || *c == '/')
            *c = '_';
}

int tui_fresh_path(const ws_model *m, const char *what, const char *ext, char *buf, size_t n)
{
    char dir[2048], stem[256];
    tui_output_dir(m, dir, sizeof dir);
    tui_model_stem(m, stem, sizeof stem);
    for (int k = 1; k < 100; k++) {
        char extra[16] = "";
        if (k > 1)
            snprintf(extra, sizeof extra, "-%d", k);
        snprintf(buf, n, "%s/%s-%s%s.%s", dir, stem, what, extra, ext);
        if (access(buf, F_OK) != 0)
            return 0;
    }
    return -1;
}
