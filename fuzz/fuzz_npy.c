/* Fuzz target: a NumPy .npy array (src/npy.c). */
#include "fuzz.h"
#include "model.h"
#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_err e;
    ws_model *m = ws_model_new();
    if (m && ws_npy_parse(ws_model_sink(m), data, size, "embeddings", &e) == 0)
        fuzz_use_model(m);
    else
        ws_model_free(m);
    return 0;
}
