/* Corpus basis: share kept by the top-K EᵀE eigenvectors, bigram transition
 * matrix, EᵀTE and the QᵀK cosine, against numpy (tests/ref/spectra_ref.py). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "basis.h"
#include "basis_corpus.h"
#include "init.h"
#include "check.h"
#include "spectra_fixture.h"

/* The tolerance rule the fixtures were written for. */
static const ws_pair_rule tol_rule = {.tol = WS_PAIR_TOL_DEFAULT, .alpha = WS_PAIR_ALPHA_DEFAULT};

static void check_share(const ws_spectrum *s, const char *name)
{
    int r, c;
    float *w = fx_getf(name, &r, &c);
    char key[80];
    snprintf(key, sizeof key, "%s_share8", name);
    double share;
    ws_astatus st;
    ws_err err;
    CHECK(ws_basis_share(s, w, r, c, 8, &share, &st, &err) == 0 && st == WS_AS_OK);
    CHECK_REL(share, fx_get(key)->v[0], 1e-6);
    /* The whole basis keeps everything. */
    CHECK(ws_basis_share(s, w, r, c, s->d, &share, &st, &err) == 0);
    CHECK_REL(share, 1.0, 1e-9);
    free(w);
}

static void check_corpus(void)
{
    int v, d;
    float *emb = fx_getf("C_emb", &v, &d);
    const fx_block *tb = fx_get("C_tokens");
    size_t n = (size_t)tb->cols;
    int32_t *tok = malloc(n * sizeof *tok);
    for (size_t i = 0; i < n; i++)
        tok[i] = (int32_t)tb->v[i];
    ws_bigram t;
    ws_err err;
    CHECK(ws_bigram_build(tok, n, v, &t, &err) == 0);
    /* Rows of T are distributions. */
    for (int a = 0; a < v; a++) {
        double sum = 0;
        for (int64_t q = t.row_start[a]; q < t.row_start[a + 1]; q++)
            sum += t.prob[q];
        if (t.row_start[a + 1] > t.row_start[a])
            CHECK_NEAR(sum, 1.0, 1e-12);
    }
    double *m = malloc((size_t)d * d * sizeof *m), *qk = malloc((size_t)d * d * sizeof *qk);
    CHECK(ws_bigram_project(&t, emb, v, d, m, &err) == 0);
    const fx_block *ete = fx_get("C_ETE");
    double maxerr = 0, maxref = 0;
    for (int i = 0; i < d * d; i++) {
        maxerr = fmax(maxerr, fabs(m[i] - ete->v[i]));
        maxref = fmax(maxref, fabs(ete->v[i]));
    }
    CHECKF(maxerr <= 1e-9 * maxref, "EᵀTE max error %g (max %g)", maxerr, maxref);
    int qr, qc;
    float *qkv = fx_getf("C_qkv", &qr, &qc);
    CHECK(ws_qk_matrix(qkv, qr, qc, qk, &err) == 0);
    CHECK_REL(ws_cosine(qk, m, (size_t)d * d), fx_get("C_cos")->v[0], 1e-6);
    CHECK(ws_qk_matrix(qkv, d, d, qk, &err) == -1);
    CHECK_STR_CONTAINS(err.msg, "rows");

    ws_bigram_free(&t);
    tok[5] = v;   /* out of the vocabulary */
    CHECK(ws_bigram_build(tok, n, v, &t, &err) == -1);
    CHECK_STR_CONTAINS(err.msg, "outside the vocabulary");
    free(qkv), free(m), free(qk), free(tok), free(emb);
}

/* The per-layer glue on a model: Q = rows 0..d−1, K = rows d..2d−1 of each
 * layer's qkv matrix, against the pieces checked above. */
static void check_corpus_model(void)
{
    ws_init_opts o = {.n_layer = 2, .n_embd = 8, .n_head = 2, .vocab_size = 20, .block_size = 8,
                      .bias = 1, .seed = 3};
    ws_err err;
    ws_model *m = ws_init_gpt(&o, &err);
    int32_t tok[300];
    for (int i = 0; i < 300; i++)
        tok[i] = (int32_t)((i * 7 + i / 3) % 20);
    double cos[2], ete[64], qk[64];
    CHECK(ws_corpus_qk_cosines(m, tok, 300, cos, NULL, &err) == 0);
    ws_bigram t;
    CHECK(ws_bigram_build(tok, 300, 20, &t, &err) == 0);
    ws_tensor *emb = ws_model_find(m, "tok_emb.weight");
    CHECK(ws_bigram_project(&t, ws_tensor_f32(emb, &err), 20, 8, ete, &err) == 0);
    for (int l = 0; l < 2; l++) {
        ws_tensor *q = ws_model_get(m, WS_ROLE_QKV, l, 0);
        CHECK(ws_qk_matrix(ws_tensor_f32(q, &err), q->rows, 8, qk, &err) == 0);
        CHECK_REL(cos[l], ws_cosine(qk, ete, 64), 1e-12);
    }
    tok[9] = 20;
    CHECK(ws_corpus_qk_cosines(m, tok, 300, cos, NULL, &err) == -1);
    CHECK_STR_CONTAINS(err.msg, "outside the vocabulary");
    ws_bigram_free(&t);
    ws_model_free(m);
}

int main(void)
{
    int r, c;
    float *e = fx_getf("E_rand", &r, &c);
    ws_spectrum s;
    ws_err err;
    CHECK(ws_spectrum_compute(e, r, c, &tol_rule, &s, &err) == 0);
    check_share(&s, "W_energy_rand");
    check_share(&s, "W_energy_top");
    check_share(&s, "W_down");
    double share;
    ws_astatus st;
    float z[48 * 2] = {0};
    CHECK(ws_basis_share(&s, z, 2, 48, 8, &share, &st, &err) == 0 && st == WS_AS_ZERO && isnan(share));
    CHECK(ws_basis_share(&s, z, 2, 47, 8, &share, &st, &err) == -1);
    CHECK_STR_CONTAINS(err.msg, "d_model");
    CHECK(ws_basis_share(&s, z, 2, 48, 0, &share, &st, &err) == -1);
    ws_spectrum_free(&s);
    free(e);
    check_corpus();
    check_corpus_model();
    return check_done();
}
