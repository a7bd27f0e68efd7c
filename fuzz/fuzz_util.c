/* The scratch directory of the harnesses that parse files (fuzz.h). */
#include "fuzz.h"

#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", dir);
}

const char *fuzz_dir(void)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/wscope-fuzz-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(remove_dir);
    }
    return dir;
}

const char *fuzz_path(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", fuzz_dir(), name);
    return buf;
}

int fuzz_write(const char *path, const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    int ok = (size == 0 || fwrite(data, 1, size, fp) == size);
    return fclose(fp) == 0 && ok ? 0 : -1;
}

void fuzz_use_model(ws_model *m)
{
    ws_model_recognise(m);
    ws_err e;
    ws_model_stats_all(m, 1, NULL, NULL, &e);
    ws_model_free(m);
}
