#include "basis_corpus.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basis.h"
#include "gram.h"
#include "pr.h"
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

void ws_corpus_free(ws_corpus *c)
{
    free(c->layer);
    *c = (ws_corpus){0};
}

/* The leading eigenvector of a symmetric n × n matrix (upper triangle,
 * row-major: LAPACK's lower, column-major); g is overwritten. */
static int top_vector(double *g, int n, double *vec, ws_err *e)
{
    lapack_int m, isuppz[2];
    double w;
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'L', n, g, n, 0, 0, n, n, 0, &m,
                                     &w, vec, n, isuppz);
    return info == 0 && m == 1 ? 0 : ws_fail(e, "leading eigenvector failed (LAPACK info %d)", (int)info);
}

/* The statistics of one layer's qkv matrix against M (d × d) and u₁. */
typedef struct qk_ctx {
    const double *m, *u1;
    int64_t d;
} qk_ctx;

static int qk_stats(const void *ctx, const float *qkv, int64_t rows, int64_t cols, double *out,
                    ws_err *e)
{
    const qk_ctx *c = ctx;
    int64_t d = c->d;
    (void)cols;
    double *qk = malloc((size_t)(d * d) * sizeof *qk), *g = malloc((size_t)(d * d) * sizeof *g);
    double *v = malloc((size_t)d * sizeof *v);
    int rc = qk && g && v ? 0 : ws_fail(e, "out of memory for QᵀK");
    if (rc == 0)
        rc = ws_qk_matrix(qkv, rows, d, qk, e);
    if (rc == 0) {
        out[WS_CQ_COS] = ws_cosine(qk, c->m, (size_t)(d * d));
        rc = ws_gram_cols(qkv, d, d, NULL, g, e);   /* QᵀQ */
    }
    if (rc == 0)
        rc = top_vector(g, (int)d, v, e);
    if (rc == 0) {
        double dot = 0;
        for (int64_t i = 0; i < d; i++)
            dot += v[i] * c->u1[i];
        out[WS_CQ_ALIGN] = fabs(dot);
    }
    free(qk), free(g), free(v);
    return rc;
}

static const ws_null_stat qk_null_stat = {qk_stats, NULL, NULL, NULL};

/* PR over |λ| of the symmetric part of M (d × d). */
static int symmetric_pr(const double *m, int64_t d, double *pr, ws_err *e)
{
    double *s = malloc((size_t)(d * d) * sizeof *s), *lam = malloc((size_t)d * sizeof *lam);
    int rc = s && lam ? 0 : ws_fail(e, "out of memory");
    for (int64_t i = 0; rc == 0 && i < d; i++)
        for (int64_t j = 0; j < d; j++)
            s[i * d + j] = 0.5 * (m[i * d + j] + m[j * d + i]);
    if (rc == 0)
        rc = ws_sym_eig(s, (int)d, lam, 0, e);
    if (rc == 0) {
        for (int64_t i = 0; i < d; i++)
            lam[i] = fabs(lam[i]);
        ws_pr p;
        ws_pr_from_eigs(lam, (int)d, &p);   /* a sum and a ratio: order does not matter */
        *pr = p.pr;
    }
    free(s), free(lam);
    return rc;
}

/* The d × d blocks of a per-layer matrix: rows in blocks of d when its rows
 * have length d, else its columns (d rows); a remainder is left out. */
static int block_count(const ws_tensor *t, int64_t d)
{
    if (t->cols == d)
        return (int)(t->rows / d);
    return t->rows == d ? (int)(t->cols / d) : 0;
}

/* Entry (i, j) of block b of W (rows × cols). */
static double block_at(const float *w, const ws_tensor *t, int64_t d, int b, int64_t i, int64_t j)
{
    if (t->cols == d)
        return w[(b * d + i) * d + j];
    return w[j * t->cols + b * d + i];   /* columns b·d.. of a d-row matrix, as rows */
}

/* Direct and random prediction R², pooled over the per-layer blocks. */
static int predictions(const ws_model *m, const double *mm, int64_t d, const ws_null_opts *o,
                       ws_corpus *out, ws_err *e)
{
    static const ws_role roles[] = {WS_ROLE_QKV, WS_ROLE_ATTN_OUT, WS_ROLE_MLP_UP, WS_ROLE_MLP_DOWN};
    double mn = 0, sum_b = 0, sum_direct = 0, sum_random = 0;
    for (int64_t i = 0; i < d * d; i++)
        mn += mm[i] * mm[i];
    mn = sqrt(mn);
    double *g = malloc((size_t)(d * d) * sizeof *g);
    if (!g)
        return ws_fail(e, "out of memory");
    ws_rng r;
    ws_null_rng(&r, o->seed, ws_null_key("random prediction"), WS_NULL_GAUSS, 0);
    out->n_blocks = 0;
    for (int l = 0; l < m->cfg.n_layer; l++)
        for (size_t k = 0; k < sizeof roles / sizeof *roles; k++) {
            ws_tensor *t = ws_model_get(m, roles[k], l, 0);
            int nb = t ? block_count(t, d) : 0;
            const float *w = nb ? ws_tensor_f32(t, e) : NULL;
            if (nb && !w) {
                free(g);
                return ws_wrap(e, "%s", t->name);
            }
            if (w && ws_scan_values(w, t->rows, t->cols) != WS_AS_OK)
                continue;
            for (int b = 0; w && b < nb; b++) {
                double bb = 0, bm = 0, gg = 0, bg = 0;
                for (int64_t i = 0; i < d * d; i++)
                    g[i] = ws_rng_normal(&r);
                for (int64_t i = 0; i < d; i++)
                    for (int64_t j = 0; j < d; j++) {
                        double x = block_at(w, t, d, b, i, j);
                        bb += x * x, bm += x * mm[i * d + j];
                        gg += g[i * d + j] * g[i * d + j], bg += x * g[i * d + j];
                    }
                if (!(bb > 0))
                    continue;
                /* ‖B − s·P/‖P‖‖² with s = ‖B‖: 2‖B‖² − 2‖B‖⟨B, P⟩/‖P‖. */
                double nb2 = sqrt(bb);
                sum_b += bb;
                sum_direct += 2 * bb - 2 * nb2 * bm / mn;
                sum_random += 2 * bb - 2 * nb2 * bg / sqrt(gg);
                out->n_blocks++;
            }
        }
    free(g);
    out->direct_r2 = sum_b > 0 && mn > 0 ? 1 - sum_direct / sum_b : NAN;
    out->random_r2 = sum_b > 0 ? 1 - sum_random / sum_b : NAN;
    return 0;
}

/* M = EᵀTE of the corpus and its leading left singular vector u₁. */
static int corpus_matrix(const ws_model *m, const int32_t *tok, size_t n, double **mm, double **u1,
                         int64_t *d_out, ws_err *e)
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
    *d_out = d;
    *mm = malloc((size_t)(d * d) * sizeof **mm);
    *u1 = malloc((size_t)d * sizeof **u1);
    double *mmt = malloc((size_t)(d * d) * sizeof *mmt);
    int rc = *mm && *u1 && mmt ? 0 : ws_fail(e, "out of memory for %lldx%lld products", (long long)d, (long long)d);
    if (rc == 0)
        rc = ws_bigram_project(&t, ew, v, d, *mm, e);
    if (rc == 0) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)d, (int)d, (int)d, 1, *mm, (int)d,
                    *mm, (int)d, 0, mmt, (int)d);   /* M Mᵀ */
        rc = top_vector(mmt, (int)d, *u1, e);
    }
    free(mmt);
    ws_bigram_free(&t);
    return rc;
}

int ws_corpus_analyse(const ws_model *m, const int32_t *tok, size_t n, const ws_null_opts *o,
                      ws_corpus *out, ws_progress *p, ws_err *e)
{
    int nl = m->cfg.n_layer;
    *out = (ws_corpus){.n_layer = nl, .layer = calloc((size_t)(nl > 0 ? nl : 1), sizeof *out->layer),
                       .sym_pr = NAN, .direct_r2 = NAN, .random_r2 = NAN};
    if (!out->layer)
        return ws_fail(e, "out of memory");
    if (p)
        atomic_fetch_add(&p->total, (size_t)nl + 1);
    double *mm = NULL, *u1 = NULL;
    int64_t d = 0;
    int rc = corpus_matrix(m, tok, n, &mm, &u1, &d, e);
    ws_progress_add(p, 1);
    if (rc == 0)
        rc = symmetric_pr(mm, d, &out->sym_pr, e);
    if (rc == 0)
        rc = predictions(m, mm, d, o, out, e);
    ws_null_item *items = calloc((size_t)(nl > 0 ? nl : 1), sizeof *items);
    double *x = calloc((size_t)(nl > 0 ? nl : 1) * WS_CQ_COUNT, sizeof *x);
    ws_null *nulls = calloc((size_t)(nl > 0 ? nl : 1) * WS_CQ_COUNT * WS_NULL_NFAM, sizeof *nulls);
    int *layer_of = calloc((size_t)(nl > 0 ? nl : 1), sizeof *layer_of);
    if (rc == 0 && (!items || !x || !nulls || !layer_of))
        rc = ws_fail(e, "out of memory");
    qk_ctx ctx = {.m = mm, .u1 = u1, .d = d};
    size_t ni = 0;
    for (int l = 0; rc == 0 && l < nl; l++) {
        ws_corpus_layer *cl = &out->layer[l];
        cl->qk_cos = cl->qk_cos_p = cl->q_align = NAN;
        if (ws_cancelled(p)) {
            rc = ws_fail(e, "cancelled");
            break;
        }
        ws_tensor *qkv = ws_model_get(m, WS_ROLE_QKV, l, 0);
        const float *w = qkv ? ws_tensor_f32(qkv, e) : NULL;
        if (qkv && !w)
            rc = ws_wrap(e, "%s", qkv->name);
        else if (w && qkv->cols == d && qkv->rows >= 2 * d &&
                 ws_scan_values(w, qkv->rows, qkv->cols) == WS_AS_OK) {
            double *xs = x + ni * WS_CQ_COUNT;
            rc = qk_stats(&ctx, w, qkv->rows, qkv->cols, xs, e);
            cl->qk_cos = xs[WS_CQ_COS], cl->q_align = xs[WS_CQ_ALIGN];
            layer_of[ni] = l;
            items[ni] = (ws_null_item){.w = w, .rows = qkv->rows, .cols = qkv->cols,
                                       .key = ws_null_key(qkv->name), .stat = &qk_null_stat,
                                       .ctx = &ctx, .nstat = WS_CQ_COUNT, .nsummary = WS_CQ_COUNT,
                                       .x = xs, .out = nulls + ni * WS_CQ_COUNT * WS_NULL_NFAM};
            ni++;
        }
        ws_progress_add(p, 1);
    }
    if (rc == 0 && o->n > 0 && ni)
        rc = ws_null_run(items, ni, o, p, e);
    for (size_t i = 0; rc == 0 && o->n > 0 && i < ni; i++) {
        ws_corpus_layer *cl = &out->layer[layer_of[i]];
        memcpy(cl->null, items[i].out, sizeof(ws_null) * WS_CQ_COUNT * WS_NULL_NFAM);
        /* Two-sided, the gauss null's spread taken as normal. */
        double z = cl->null[WS_CQ_COS][WS_NULL_GAUSS].z;
        cl->qk_cos_p = isfinite(z) ? erfc(fabs(z) / M_SQRT2) : NAN;
    }
    free(items), free(x), free(nulls), free(layer_of), free(mm), free(u1);
    return rc;
}

int ws_corpus_qk_cosines(const ws_model *m, const int32_t *tok, size_t n, double *cos,
                         ws_progress *p, ws_err *e)
{
    ws_null_opts none = {.n = 0};
    ws_corpus c;
    int rc = ws_corpus_analyse(m, tok, n, &none, &c, p, e);
    for (int l = 0; rc == 0 && l < c.n_layer; l++)
        cos[l] = c.layer[l].qk_cos;
    ws_corpus_free(&c);
    return rc;
}
