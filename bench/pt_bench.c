/* pt_bench IN OUT.pt [ROUNDS]: open a model and time wscope's .pt writer
 * (ws_model_save to a .pt name) on it, best of ROUNDS (3). Used by
 * bench/export, which times torch.save on the same tensors. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model.h"
#include "threads.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pt_bench IN OUT.pt [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    ws_model *m;
    ws_err e = {{0}};
    if (ws_model_open(argv[1], &m, &e)) {
        fprintf(stderr, "pt_bench: %s\n", e.msg);
        return 2;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < m->n_tensors; i++)
        bytes += m->tensors[i].nbytes;
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t0 = ws_monotonic_s();
        if (ws_model_save(m, argv[2], &e)) {
            fprintf(stderr, "pt_bench: %s\n", e.msg);
            return 1;
        }
        double dt = ws_monotonic_s() - t0;
        best = dt < best ? dt : best;
    }
    printf("wrote %.1f MB in %.3f s\n", (double)bytes / 1e6, best);
    ws_model_free(m);
    return 0;
}
