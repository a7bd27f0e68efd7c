/* Training data: reading, tokenizing, splitting, batching. */
#include "data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "inputs.h"
#include "rng.h"

char *ws_read_text(const char *path, size_t *len, ws_err *e)
{
    int fd = ws_input_open(path, e);
    if (fd < 0) {
        ws_wrap(e, "%s", path);
        return NULL;
    }
    gzFile f = gzdopen(fd, "rb");
    if (!f) {
        close(fd);
        ws_fail(e, "%s: out of memory", path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            gzclose(f);
            ws_fail(e, "%s: out of memory", path);
            return NULL;
        }
        if (cap - n < 2) {
            char *b = realloc(buf, cap * 2);
            if (!b)
                free(buf);
            buf = b;
            cap *= 2;
            continue;
        }
        int r = gzread(f, buf + n, (unsigned)(cap - n - 1 > (1u << 30) ? (1u << 30) : cap - n - 1));
        if (r < 0) {
            int err;
            const char *msg = gzerror(f, &err);
            ws_fail(e, "%s: %s", path, err == Z_ERRNO ? strerror(errno) : msg);
            free(buf);
            gzclose(f);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    gzclose(f);
    buf[n] = 0;
    if (n == 0) {
        free(buf);
        ws_fail(e, "%s: empty file", path);
        return NULL;
    }
    *len = n;
    return buf;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int ws_data_any_text(const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ends_with(paths[i], ".bin"))
            return 1;
    return 0;
}

/* Append `n` ids to d->tok. */
static int append(ws_data *d, const int32_t *ids, size_t n, ws_err *e)
{
    int32_t *p = realloc(d->tok, (d->n + n) * sizeof *p + 1);
    if (!p)
        return ws_fail(e, "out of memory");
    memcpy(p + d->n, ids, n * sizeof *p);
    d->tok = p;
    d->n += n;
    return 0;
}

static int load_bin(ws_data *d, const char *path, int vocab, ws_err *e)
{
    FILE *f = ws_input_fopen(path, e);
    if (!f)
        return ws_wrap(e, "%s", path);
    if (fseeko(f, 0, SEEK_END)) {
        fclose(f);
        return ws_fail(e, "%s: cannot seek: %s", path, strerror(errno));
    }
    off_t size = ftello(f);
    rewind(f);
    if (size <= 0) {
        fclose(f);
        return ws_fail(e, "%s: empty file", path);
    }
    if (size % 2) {
        fclose(f);
        return ws_fail(e, "%s: odd size %lld: not uint16 tokens", path, (long long)size);
    }
    size_t n = (size_t)size / 2;
    uint16_t *raw = malloc(n * sizeof *raw);
    int32_t *ids = malloc(n * sizeof *ids);
    int rc = 0;
    if (!raw || !ids)
        rc = ws_fail(e, "%s: out of memory", path);
    else if (fread(raw, 2, n, f) != n)
        rc = ws_fail(e, "%s: short read", path);
    for (size_t i = 0; i < n && !rc; i++) {
        const unsigned char *b = (const unsigned char *)&raw[i];
        ids[i] = b[0] | (b[1] << 8);   /* little-endian whatever the host */
        if (ids[i] >= vocab)
            rc = ws_fail(e, "%s: token %d at position %zu is outside the vocabulary (%d)",
                         path, (int)ids[i], i, vocab);
    }
    if (!rc)
        rc = append(d, ids, n, e);
    free(raw);
    free(ids);
    fclose(f);
    return rc;
}

static int load_text(ws_data *d, const char *path, const ws_tokenizer *tk, int vocab, ws_err *e)
{
    if (!tk)
        return ws_fail(e, "%s: text data needs a tokenizer, and none was found (none in the "
                          "model, no tokenizer.json, vocab.json + merges.txt or meta.pkl beside "
                          "it): give --tokenizer FILE, or use nanoGPT .bin data", path);
    if (ws_tok_size(tk) > vocab)
        return ws_fail(e, "%s: the tokenizer has %d tokens but the model only %d embeddings",
                       path, ws_tok_size(tk), vocab);
    size_t len, n, unk;
    char *text = ws_read_text(path, &len, e);
    if (!text)
        return -1;
    int32_t *ids;
    int rc = ws_tok_encode(tk, text, len, &ids, &n, &unk, e);
    free(text);
    if (rc)
        return ws_wrap(e, "%s", path);
    if (n == 0) {
        free(ids);
        return ws_fail(e, "%s: no tokens (only white space)", path);
    }
    d->n_unk += unk;
    rc = append(d, ids, n, e);
    free(ids);
    return rc;
}

int ws_data_load(ws_data *d, const char *const *paths, size_t n,
                 const ws_tokenizer *tk, int vocab_size, ws_err *e)
{
    memset(d, 0, sizeof *d);
    if (n == 0)
        return ws_fail(e, "no data files");
    /* A missing file (or a FIFO, a directory ...) is the first thing to say,
     * before any format question; each is an input from now on. */
    for (size_t i = 0; i < n; i++) {
        if (ws_input_check(paths[i], 0, e) != 0)
            return ws_wrap(e, "%s", paths[i]);
        ws_input_register(paths[i]);
    }
    for (size_t i = 0; i < n; i++) {
        int rc = ends_with(paths[i], ".bin") ? load_bin(d, paths[i], vocab_size, e)
                                             : load_text(d, paths[i], tk, vocab_size, e);
        if (rc) {
            ws_data_free(d);
            return -1;
        }
    }
    d->n_train = d->n;
    return 0;
}

int ws_data_load_val(ws_data *d, const char *const *paths, size_t n,
                     const ws_tokenizer *tk, int vocab_size, ws_err *e)
{
    ws_data v;
    if (ws_data_load(&v, paths, n, tk, vocab_size, e))
        return -1;
    size_t n_train = d->n;
    int rc = append(d, v.tok, v.n, e);
    d->n_train = n_train;
    d->n_unk += v.n_unk;
    ws_data_free(&v);
    return rc;
}

void ws_data_free(ws_data *d)
{
    free(d->tok);
    memset(d, 0, sizeof *d);
}

void ws_data_split(ws_data *d, double val_frac)
{
    size_t nval = (size_t)(val_frac * (double)d->n);
    d->n_train = d->n - nval;
}

int ws_data_check(const ws_data *d, int B, int T, int block_size, ws_err *e)
{
    if (T < 1 || B < 1)
        return ws_fail(e, "batch and sequence length must be at least 1");
    if (T > block_size)
        return ws_fail(e, "sequence length %d is larger than the model's block size %d",
                       T, block_size);
    if ((size_t)B * (size_t)T + 1 > d->n_train)
        return ws_fail(e, "batch x sequence = %d x %d = %zu tokens is more than the %zu "
                          "training tokens of the data",
                       B, T, (size_t)B * (size_t)T, d->n_train > 0 ? d->n_train - 1 : 0);
    return 0;
}

size_t ws_data_seq_start(size_t n, int B, int T, int64_t step, int b)
{
    uint64_t m = n - (size_t)T - 1;
    /* (s·B + b)·T mod m without overflow for any realistic step. */
    unsigned __int128 k = ((unsigned __int128)(uint64_t)step * (uint64_t)B + (uint64_t)b) * (uint64_t)T;
    return (size_t)(k % m);
}

void ws_data_batch(const int32_t *tok, size_t n, int B, int T, ws_sampling s,
                   uint64_t seed, int64_t step, int32_t *x, int32_t *y)
{
    ws_rng r;
    /* A generator per step: seed and step mixed, so resuming at any step
     * draws the same windows as an uninterrupted run. */
    ws_rng_seed(&r, seed * 0x9e3779b97f4a7c15ULL ^ (uint64_t)step * 0xd1b54a32d192ed03ULL);
    for (int b = 0; b < B; b++) {
        size_t start = s == WS_SAMPLE_SEQUENTIAL ? ws_data_seq_start(n, B, T, step, b)
                                                 : (size_t)ws_rng_below(&r, n - (size_t)T);
        memcpy(x + (size_t)b * T, tok + start, (size_t)T * sizeof *x);
        memcpy(y + (size_t)b * T, tok + start + 1, (size_t)T * sizeof *y);
    }
}
