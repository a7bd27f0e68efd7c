/* Reader for tests/fixtures/spectra.txt (written by tests/ref/spectra_ref.py),
 * or the file FX_FILE names when defined before this header (the null
 * baselines' tests/fixtures/nulls.txt): blocks "name rows cols" then
 * rows·cols numbers. Tests fetch a block by name as doubles (fx_get) or
 * float32 (fx_getf: the inputs round-trip exactly). */
#ifndef SPECTRA_FIXTURE_H
#define SPECTRA_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#ifndef FX_FILE
#define FX_FILE "tests/fixtures/spectra.txt"
#endif
#define FX_MAX_BLOCKS 256

typedef struct fx_block {
    char name[64];
    int rows, cols;
    double *v;
} fx_block;

static fx_block fx_blocks[FX_MAX_BLOCKS];
static int fx_n;

static void fx_load(void)
{
    const char *path = check_src(FX_FILE);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    fx_block b;
    while (fx_n < FX_MAX_BLOCKS && fscanf(fp, "%63s %d %d", b.name, &b.rows, &b.cols) == 3) {
        size_t n = (size_t)b.rows * b.cols;
        b.v = malloc(n * sizeof *b.v);
        for (size_t i = 0; i < n; i++)
            if (fscanf(fp, "%lf", &b.v[i]) != 1) {
                fprintf(stderr, "%s: short block %s\n", path, b.name);
                exit(1);
            }
        fx_blocks[fx_n++] = b;
    }
    fclose(fp);
}

static const fx_block *fx_get(const char *name)
{
    if (!fx_n)
        fx_load();
    for (int i = 0; i < fx_n; i++)
        if (!strcmp(fx_blocks[i].name, name))
            return &fx_blocks[i];
    fprintf(stderr, "fixture block %s missing\n", name);
    exit(1);
}

/* A block as a new float array (caller frees). */
static float *fx_getf(const char *name, int *rows, int *cols)
{
    const fx_block *b = fx_get(name);
    size_t n = (size_t)b->rows * b->cols;
    float *f = malloc(n * sizeof *f);
    for (size_t i = 0; i < n; i++)
        f[i] = (float)b->v[i];
    if (rows)
        *rows = b->rows;
    if (cols)
        *cols = b->cols;
    return f;
}

#endif
