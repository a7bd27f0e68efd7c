#include "npy.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "mapfile.h"
#include "strided.h"

typedef struct npy_header {
    char descr[16];
    int fortran, have_descr, have_order, have_shape;
    int ndim;
    int64_t shape[WS_MAX_DIM];
} npy_header;

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

static int eat(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted Python string without escapes, into out[cap]. */
static int parse_str(cursor *c, char *out, size_t cap)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap)
            return -1;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return -1;
    c->p++;
    out[n] = '\0';
    return 0;
}

static int parse_bool(cursor *c, int *out)
{
    skip_ws(c);
    size_t left = (size_t)(c->end - c->p);
    if (left >= 4 && !memcmp(c->p, "True", 4)) {
        c->p += 4;
        *out = 1;
        return 0;
    }
    if (left >= 5 && !memcmp(c->p, "False", 5)) {
        c->p += 5;
        *out = 0;
        return 0;
    }
    return -1;
}

/* (d0, d1, ...) with an optional trailing comma; Python 2's "3L" accepted. */
static int parse_shape(cursor *c, npy_header *h)
{
    if (!eat(c, '('))
        return -1;
    h->ndim = 0;
    while (!eat(c, ')')) {
        skip_ws(c);
        if (h->ndim >= WS_MAX_DIM || c->p >= c->end || !isdigit((unsigned char)*c->p))
            return -1;
        int64_t v = 0;
        while (c->p < c->end && isdigit((unsigned char)*c->p)) {
            if (v > (INT64_MAX - 9) / 10)
                return -1;
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L')
            c->p++;
        h->shape[h->ndim++] = v;
        if (!eat(c, ',')) {
            if (!eat(c, ')'))
                return -1;
            break;
        }
    }
    return 0;
}

static int parse_header(const char *s, size_t n, npy_header *h, ws_err *e)
{
    cursor c = {s, s + n};
    memset(h, 0, sizeof *h);
    if (!eat(&c, '{'))
        return ws_fail(e, "npy: header is not a dict");
    while (!eat(&c, '}')) {
        char key[32];
        if (parse_str(&c, key, sizeof key) != 0 || !eat(&c, ':'))
            return ws_fail(e, "npy: malformed header dict");
        int bad;
        if (!strcmp(key, "descr") && !h->have_descr) {
            bad = parse_str(&c, h->descr, sizeof h->descr);
            h->have_descr = 1;
        } else if (!strcmp(key, "fortran_order") && !h->have_order) {
            bad = parse_bool(&c, &h->fortran);
            h->have_order = 1;
        } else if (!strcmp(key, "shape") && !h->have_shape) {
            bad = parse_shape(&c, h);
            h->have_shape = 1;
        } else {
            return ws_fail(e, "npy: unexpected or repeated header key '%s'", key);
        }
        if (bad)
            return ws_fail(e, "npy: bad value for '%s' (structured or object arrays are not supported)", key);
        if (!eat(&c, ',')) {
            if (!eat(&c, '}'))
                return ws_fail(e, "npy: malformed header dict");
            break;
        }
    }
    while (c.p < c.end && (*c.p == ' ' || *c.p == '\n' || *c.p == '\0'))
        c.p++;
    if (c.p != c.end)
        return ws_fail(e, "npy: junk after the header dict");
    if (!h->have_descr || !h->have_order || !h->have_shape)
        return ws_fail(e, "npy: header lacks descr, fortran_order or shape");
    return 0;
}

/* '<f4' → F32 ...; sets *swap for big-endian. */
static int map_descr(const char *d, ws_dtype *dt, int *swap, ws_err *e)
{
    static const struct { const char *code; ws_dtype dt; } codes[] = {
        {"f2", WS_DT_F16}, {"f4", WS_DT_F32}, {"f8", WS_DT_F64},
        {"i1", WS_DT_I8}, {"i2", WS_DT_I16}, {"i4", WS_DT_I32}, {"i8", WS_DT_I64},
        {"u1", WS_DT_U8}, {"u2", WS_DT_U16}, {"u4", WS_DT_U32}, {"u8", WS_DT_U64},
        {"b1", WS_DT_BOOL},
    };
    if (strchr("<>|=", d[0]))
        for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
            if (!strcmp(d + 1, codes[i].code)) {
                *dt = codes[i].dt;
                *swap = d[0] == '>' && d[2] != '1';
                return 0;
            }
    return ws_fail(e, "npy: dtype '%s' is not supported (floats, integers and bool are)", d);
}

static void byteswap(unsigned char *p, size_t n, size_t el)
{
    for (size_t i = 0; i < n; i++, p += el)
        for (size_t a = 0, b = el - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* Header length field and where the header text starts. */
static int read_preamble(const unsigned char *buf, size_t len, size_t *hstart, size_t *hlen, ws_err *e)
{
    if (len < 10 || memcmp(buf, WS_NPY_MAGIC, 6))
        return ws_fail(e, "npy: missing \\x93NUMPY magic");
    unsigned major = buf[6];
    if (major == 1) {
        *hstart = 10;
        *hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return ws_fail(e, "npy: truncated preamble");
        *hstart = 12;
        *hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
    } else {
        return ws_fail(e, "npy: format version %u.%u is not supported", major, buf[7]);
    }
    if (*hlen > len - *hstart)
        return ws_fail(e, "npy: header of %zu bytes runs past the end of the file", *hlen);
    return 0;
}

int ws_npy_parse(ws_sink *s, const unsigned char *buf, size_t len, const char *name, ws_err *e)
{
    size_t hstart = 0, hlen = 0;
    npy_header h;
    ws_dtype dt = WS_DT_F32;
    int swap = 0;
    if (read_preamble(buf, len, &hstart, &hlen, e) != 0 ||
        parse_header((const char *)buf + hstart, hlen, &h, e) != 0 || map_descr(h.descr, &dt, &swap, e) != 0)
        return ws_err_printable(e);
    size_t el = (size_t)ws_dtype_bits(dt) / 8, numel = 1, bytes;
    for (int i = 0; i < h.ndim; i++)
        if (!ws_mul_ok(numel, (size_t)h.shape[i], &numel))
            return ws_fail(e, "npy: shape overflows");
    if (!ws_mul_ok(numel, el, &bytes))
        return ws_fail(e, "npy: shape overflows");
    const unsigned char *data = buf + hstart + hlen;
    size_t have = len - hstart - hlen;
    if (have != bytes)
        return ws_fail(e, "npy: shape needs %zu data bytes but the file holds %zu", bytes, have);
    /* Nothing to reorder: C order, one axis, or no elements (whose Fortran
     * strides could overflow on the other axes). */
    if ((!swap && (!h.fortran || h.ndim < 2)) || numel == 0)
        return ws_sink_add(s, name, dt, h.ndim, h.shape, (void *)data, 0, e);
    unsigned char *copy = malloc(bytes ? bytes : 1);
    if (!copy)
        return ws_fail(e, "npy: out of memory converting to C order");
    if (h.fortran && h.ndim >= 2) {
        int64_t stride[WS_MAX_DIM], s = 1;
        for (int i = 0; i < h.ndim; i++) {
            stride[i] = s;
            s *= h.shape[i];
        }
        ws_gather_strided(copy, data, el, h.ndim, h.shape, stride);
    } else {
        memcpy(copy, data, bytes);
    }
    if (swap)
        byteswap(copy, numel, el);
    if (ws_sink_add(s, name, dt, h.ndim, h.shape, copy, 1, e) != 0) {
        free(copy);
        return -1;
    }
    return 0;
}

int ws_npy_load(ws_sink *s, const char *path, ws_err *e)
{
    const unsigned char *buf = NULL;
    size_t len = 0;
    if (ws_map_file(s, path, &buf, &len, e) != 0)
        return -1;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[256];
    snprintf(name, sizeof name, "%s", base);
    size_t n = strlen(name);
    if (n > 4 && !strcmp(name + n - 4, ".npy"))
        name[n - 4] = '\0';
    if (ws_npy_parse(s, buf, len, name, e) != 0)
        return -1;
    ws_input_register_kind(path, WS_INPUT_MODEL);   /* the whole model is this file */
    return 0;
}
