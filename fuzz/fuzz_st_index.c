/* Fuzz target: a sharded model's model.safetensors.index.json
 * (src/safetensors.c), beside two small valid shards. */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "model.h"
#include "safetensors.h"

/* A shard holding F32 tensors NAME of shape [2]. */
static void write_shard(const char *file, const char *a, const char *b)
{
    char hdr[256], path[128];
    int n = snprintf(hdr, sizeof hdr,
                     "{\"%s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                     "\"%s\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", a, b);
    while (n % 8)
        hdr[n++] = ' ';
    uint8_t buf[512] = {(uint8_t)n};
    memcpy(buf + 8, hdr, (size_t)n);
    memset(buf + 8 + n, 0x3f, 16);   /* 0.5 and friends */
    fuzz_write(fuzz_path(file, path, sizeof path), buf, 8 + (size_t)n + 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_err e;
    static int ready;
    char path[128];
    if (!ready) {
        write_shard("model-00001-of-00002.safetensors", "tok_emb.weight", "pos_emb.weight");
        write_shard("model-00002-of-00002.safetensors", "blocks.0.ln1.weight", "head.weight");
        ready = 1;
    }
    if (fuzz_write(fuzz_path("model.safetensors.index.json", path, sizeof path), data, size) != 0)
        return 0;
    ws_model *m = ws_model_new();
    if (m && ws_st_load_index(ws_model_sink(m), path, &e) == 0)
        fuzz_use_model(m);
    else
        ws_model_free(m);
    return 0;
}
