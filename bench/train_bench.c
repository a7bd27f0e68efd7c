/* Training throughput of the engine: forward + backward + clipping + AdamW
 * on a randomly initialised GPT (ws_init_gpt) and random tokens.
 *
 *   train_bench LAYERS D HEADS VOCAB B T STEPS [THREADS [FROZEN_LAYERS]]
 *
 * FROZEN_LAYERS freezes the embeddings and the first N blocks. Prints one
 * line: tokens/s, ms per step, GFLOP/s (ws_gpt_flops) and the loss. Used by
 * bench/train. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "adamw.h"
#include "gpt.h"
#include "init.h"
#include "rng.h"
#include "threads.h"

static void freeze(ws_gpt *g, int layers)
{
    for (size_t i = 0; i < ws_gpt_nparams(g); i++) {
        const ws_gpt_param *p = ws_gpt_param_at(g, i);
        int emb = p->role == WS_ROLE_EMBED || p->role == WS_ROLE_POS_EMBED;
        if ((emb && layers > 0) || (p->layer >= 0 && p->layer < layers))
            ws_gpt_set_trainable(g, i, WS_PARAM_FROZEN);
    }
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: %s LAYERS D HEADS VOCAB B T STEPS [THREADS [FROZEN_LAYERS]]\n",
                argv[0]);
        return 2;
    }
    ws_init_opts io = { .n_layer = atoi(argv[1]), .n_embd = atoi(argv[2]),
                        .n_head = atoi(argv[3]), .vocab_size = atoi(argv[4]),
                        .block_size = atoi(argv[6]), .tied = 0, .bias = 1, .seed = 1 };
    int B = atoi(argv[5]), T = atoi(argv[6]), steps = atoi(argv[7]);
    int threads = argc > 8 ? atoi(argv[8]) : 0, frozen = argc > 9 ? atoi(argv[9]) : 0;
    ws_err e = { { 0 } };
    ws_model *m = ws_init_gpt(&io, &e);
    ws_gpt *g = m ? ws_gpt_new(m, B, T, &e) : NULL;
    if (!g) {
        fprintf(stderr, "train_bench: %s\n", e.msg);
        return 1;
    }
    ws_gpt_set_threads(g, threads);
    freeze(g, frozen);
    ws_adamw *o = ws_adamw_new(g, &e);
    int32_t *tok = malloc(sizeof(int32_t) * ((size_t)B * T + 1));
    ws_rng r;
    ws_rng_seed(&r, 7);
    ws_adamw_opts opt = ws_adamw_defaults();
    float loss = 0;
    double t0 = 0;
    for (int s = 0; s <= steps; s++) {
        if (s == 1) t0 = ws_monotonic_s();   /* step 0 warms up caches and threads */
        for (size_t i = 0; i < (size_t)B * T + 1; i++)
            tok[i] = (int32_t)ws_rng_below(&r, (uint64_t)io.vocab_size);
        ws_gpt_zero_grad(g);
        loss = ws_gpt_forward(g, tok, tok + 1, B, T);
        ws_gpt_backward(g);
        ws_grad_clip(g, 1.0f, ws_grad_global_norm(g));
        ws_adamw_step(o, g, &opt, opt.lr);
    }
    double dt = (ws_monotonic_s() - t0) / steps;
    printf("tokens/s %.0f  ms/step %.1f  GFLOP/s %.1f  loss %.4f\n", B * T / dt, 1e3 * dt,
           ws_gpt_flops(g, B, T) / dt * 1e-9, loss);
    free(tok);
    ws_adamw_free(o);
    ws_gpt_free(g);
    ws_model_free(m);
    return 0;
}
