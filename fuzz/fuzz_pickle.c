/* Fuzz target: the restricted unpickler (src/pickle.c), on a bare pickle. */
#include "fuzz.h"
#include "pickle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_err e;
    ws_pk_arena arena = {0};
    ws_pk *root = ws_pk_load(data, size, &arena, &e);
    if (root) {
        ws_pk_dict_get(root, "model");
        ws_pk_dict_get(root, "stoi");
    }
    ws_pk_arena_free(&arena);
    return 0;
}
