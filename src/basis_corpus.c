#include "basis_corpus.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "inputs.h"
#include "tokenizer.h"
#include "tokenizer_files.h"

int ws_corpus_load(const ws_model *m, const char *path, const char *tok_path, ws_data *d,
                   ws_tokenizer **tk_out, ws_err *e)
{
    *d = (ws_data){0};
    if (tk_out)
        *tk_out = NULL;
    if (ws_input_check(path, 0, e) != 0)
        return ws_wrap(e, "%s", path);
    const ws_tensor *emb = ws_model_get(m, WS_ROLE_EMBED, -1, 0);
    if (!emb)
        return ws_fail(e, "%s: no token embedding in the model: the corpus basis needs one", path);
    ws_tokenizer *tk = NULL;
    int text = ws_data_any_text(&path, 1);
    if ((tok_path || text) && ws_tok_find(m, tok_path, &tk, e) != 0)
        return -1;   /* the message starts with the file */
    if (!tk && text)
        return ws_fail(e, "%s: no tokenizer for a text corpus: none in the model or beside it; "
                          "give --tokenizer FILE, or a nanoGPT .bin token file", path);
    int rc = ws_data_load(d, &path, 1, tk, (int)emb->rows, e) < 0 ? -1 : 0;   /* names the file */
    if (!rc && d->n < 2)
        rc = ws_fail(e, "%s: fewer than two tokens: no bigrams", path);
    if (rc)
        ws_data_free(d);
    if (rc || !tk_out)
        ws_tok_free(tk);
    else
        *tk_out = tk;
    return rc;
}

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
