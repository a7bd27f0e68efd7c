#include "basis_corpus.h"

#include <math.h>
#include <stdlib.h>

#include "basis.h"

int ws_corpus_qk_cosines(const ws_model *m, const int32_t *tok, size_t n, double *cos,
                         ws_progress *p, ws_err *e)
{
    ws_tensor *emb = ws_model_get(m, WS_ROLE_EMBED, -1, 0);
    if (!emb)
        return ws_fail(e, "no token embedding (role embed) in this model");
    int64_t v = emb->rows, d = emb->cols;
    const float *ew = ws_tensor_f32(emb, e);
    if (!ew)
        return ws_wrap(e, "%s", emb->name);
    ws_bigram t;
    if (ws_bigram_build(tok, n, v, &t, e) < 0)
        return -1;
    int nl = m->cfg.n_layer;
    if (p)
        atomic_store(&p->total, (size_t)nl + 1);
    double *ete = malloc((size_t)d * d * sizeof *ete), *qk = malloc((size_t)d * d * sizeof *qk);
    int rc = ete && qk ? 0 : ws_fail(e, "out of memory for %lldx%lld products", (long long)d, (long long)d);
    if (rc == 0)
        rc = ws_bigram_project(&t, ew, v, d, ete, e);
    ws_progress_add(p, 1);
    for (int l = 0; rc == 0 && l < nl; l++) {
        if (ws_cancelled(p)) {
            rc = ws_fail(e, "cancelled");
            break;
        }
        ws_tensor *qkv = ws_model_get(m, WS_ROLE_QKV, l, 0);
        const float *w = qkv ? ws_tensor_f32(qkv, e) : NULL;
        cos[l] = NAN;
        if (qkv && !w)
            rc = ws_wrap(e, "%s", qkv->name);
        else if (w && qkv->cols == d && qkv->rows >= 2 * d)
            rc = ws_qk_matrix(w, qkv->rows, d, qk, e) < 0 ? -1 : 0;
        if (rc == 0 && w && qkv->cols == d && qkv->rows >= 2 * d)
            cos[l] = ws_cosine(qk, ete, (size_t)d * d);
        ws_progress_add(p, 1);
    }
    free(ete), free(qk);
    ws_bigram_free(&t);
    return rc;
}
