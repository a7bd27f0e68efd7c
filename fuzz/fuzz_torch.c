/* Fuzz target: a whole torch.save file (src/torchfile.c: zip, pickle,
 * storages and views). */
#include "fuzz.h"
#include "model.h"
#include "torchfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_err e;
    ws_model *m = ws_model_new();
    if (m && ws_torch_parse(ws_model_sink(m), data, size, &e) == 0)
        fuzz_use_model(m);
    else
        ws_model_free(m);
    return 0;
}
