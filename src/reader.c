/* The table of model file readers and the one function that picks among
 * them (how to add a reader: src/reader.h). */
#include "reader.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "inputs.h"
#include "npy.h"
#include "safetensors.h"
#include "torchfile.h"

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static int claims_folder(const char *path, int is_dir, const unsigned char *head, size_t n)
{
    (void)path, (void)head, (void)n;
    return is_dir;
}

static int claims_index(const char *path, int is_dir, const unsigned char *head, size_t n)
{
    (void)head, (void)n;
    return !is_dir && has_suffix(path, ".json");
}

static int claims_torch(const char *path, int is_dir, const unsigned char *head, size_t n)
{
    (void)path;
    return !is_dir && ws_torch_sniff(head, n);
}

static int claims_npy(const char *path, int is_dir, const unsigned char *head, size_t n)
{
    (void)path;
    return !is_dir && n >= 6 && !memcmp(head, WS_NPY_MAGIC, 6);
}

/* safetensors has no magic number: it takes whatever is left. */
static int claims_rest(const char *path, int is_dir, const unsigned char *head, size_t n)
{
    (void)path, (void)head, (void)n;
    return !is_dir;
}

static const ws_reader readers[] = {
    {"folder", "a model folder: its model.safetensors.index.json, else model.safetensors",
     claims_folder, ws_st_load_folder},
    {"safetensors-index", "a sharded model's model.safetensors.index.json", claims_index, ws_st_load_index},
    {"torch", "torch.save files (.pt, .bin, nanoGPT ckpt.pt)", claims_torch, ws_torch_load},
    {"npy", "a NumPy .npy array", claims_npy, ws_npy_load},
    {"safetensors", "a .safetensors file", claims_rest, ws_st_load_model},
};

const ws_reader *ws_readers(size_t *n)
{
    *n = sizeof readers / sizeof *readers;
    return readers;
}

const ws_reader *ws_reader_for(const char *path, ws_err *e)
{
    struct stat st;
    /* A FIFO, device or socket is refused before anything could block on it. */
    if (ws_input_check(path, 1, e) != 0 || stat(path, &st) != 0)
        return NULL;
    int is_dir = S_ISDIR(st.st_mode);
    unsigned char head[16] = {0};
    size_t n = 0;
    FILE *f = is_dir ? NULL : ws_input_fopen(path, e);
    if (!is_dir && !f)
        return NULL;
    if (f) {
        n = fread(head, 1, sizeof head, f);
        fclose(f);
    }
    for (size_t i = 0; i < sizeof readers / sizeof *readers; i++)
        if (readers[i].claims(path, is_dir, head, n))
            return &readers[i];
    ws_fail(e, "no reader for this file");
    return NULL;
}

int ws_read_model(ws_sink *s, const char *path, ws_err *e)
{
    const ws_reader *r = ws_reader_for(path, e);
    return r ? r->load(s, path, e) : -1;
}
