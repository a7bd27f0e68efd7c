/* Fuzz target: the zip container of torch.save files (src/zip.c). */
#include "fuzz.h"
#include "zip.h"

static volatile unsigned touched;   /* keeps the reads below from being dropped */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_err e;
    ws_zip z;
    if (ws_zip_open(&z, data, size, &e) != 0)
        return 0;
    for (size_t i = 0; i < z.n; i++)   /* touch every entry's bytes */
        for (size_t k = 0; k < z.entries[i].size; k += 4096)
            touched += z.entries[i].data[k];
    ws_zip_find(&z, "archive/data.pkl");
    ws_zip_close(&z);
    return 0;
}
