#include "zip.h"

#include <stdlib.h>
#include <string.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* Where the central directory lives, from the (ZIP64) end records. */
typedef struct cd_info {
    uint64_t offset, size, count;
    size_t end;          /* first byte after the directory may not pass this */
} cd_info;

static int find_eocd(const unsigned char *buf, size_t len, size_t *pos, ws_err *e)
{
    if (len < 22)
        return ws_fail(e, "zip: too small for an end-of-central-directory record (%zu bytes)", len);
    size_t lowest = len - 22 > 65535 ? len - 22 - 65535 : 0;
    for (size_t p = len - 22;; p--) {
        if (rd32(buf + p) == SIG_EOCD && p + 22 + rd16(buf + p + 20) <= len) {
            *pos = p;
            return 0;
        }
        if (p == lowest)
            break;
    }
    return ws_fail(e, "zip: no end-of-central-directory record (truncated file?)");
}

static int read_zip64_end(const unsigned char *buf, size_t eocd, cd_info *cd, ws_err *e)
{
    const unsigned char *loc = buf + eocd - 20;
    if (rd32(loc + 16) > 1 || rd32(loc + 4) != 0)
        return ws_fail(e, "zip: multi-disk archives are not supported");
    uint64_t off = rd64(loc + 8);
    if (off > eocd - 20 || eocd - 20 - off < 56)
        return ws_fail(e, "zip: ZIP64 end record offset %llu is outside the file", (unsigned long long)off);
    const unsigned char *r = buf + off;
    if (rd32(r) != SIG_EOCD64)
        return ws_fail(e, "zip: bad ZIP64 end record signature");
    if (rd32(r + 16) != 0 || rd32(r + 20) != 0 || rd64(r + 24) != rd64(r + 32))
        return ws_fail(e, "zip: multi-disk archives are not supported");
    cd->count = rd64(r + 32);
    cd->size = rd64(r + 40);
    cd->offset = rd64(r + 48);
    cd->end = (size_t)off;
    return 0;
}

static int read_end(const unsigned char *buf, size_t len, cd_info *cd, ws_err *e)
{
    size_t eocd = 0;
    if (find_eocd(buf, len, &eocd, e) != 0)
        return -1;
    const unsigned char *r = buf + eocd;
    if (eocd >= 20 && rd32(buf + eocd - 20) == SIG_LOCATOR64) {
        if (read_zip64_end(buf, eocd, cd, e) != 0)
            return -1;
    } else {
        if (rd16(r + 4) != 0 || rd16(r + 6) != 0 || rd16(r + 8) != rd16(r + 10))
            return ws_fail(e, "zip: multi-disk archives are not supported");
        cd->count = rd16(r + 10);
        cd->size = rd32(r + 12);
        cd->offset = rd32(r + 16);
        cd->end = eocd;
    }
    if (cd->offset > cd->end || cd->size > cd->end - cd->offset)
        return ws_fail(e, "zip: central directory (offset %llu, %llu bytes) lies outside the file",
                       (unsigned long long)cd->offset, (unsigned long long)cd->size);
    if (cd->count > WS_ZIP_MAX_ENTRIES || cd->count > cd->size / 46)
        return ws_fail(e, "zip: implausible entry count %llu", (unsigned long long)cd->count);
    return 0;
}

/* Apply the ZIP64 extra field (id 1): 64-bit values replace the 32-bit
 * fields that hold 0xFFFFFFFF, in the order usize, csize, offset. */
static int apply_zip64_extra(const unsigned char *x, size_t xlen, uint64_t *usz, uint64_t *csz,
                             uint64_t *off, ws_err *e)
{
    while (xlen >= 4) {
        uint16_t id = rd16(x), n = rd16(x + 2);
        if ((size_t)n + 4 > xlen)
            return ws_fail(e, "zip: extra field overruns its header");
        if (id == 1) {
            uint64_t *fields[3] = {usz, csz, off};
            size_t k = 0;
            for (int i = 0; i < 3; i++)
                if (*fields[i] == 0xFFFFFFFFu) {
                    if (k + 8 > n)
                        return ws_fail(e, "zip: ZIP64 extra field is too short");
                    *fields[i] = rd64(x + 4 + k);
                    k += 8;
                }
        }
        x += 4 + n;
        xlen -= 4 + (size_t)n;
    }
    return 0;
}

static int name_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '/' || memchr(s, '\0', n) || memchr(s, '\\', n))
        return 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '/')
            j++;
        if (j - i == 2 && s[i] == '.' && s[i + 1] == '.')
            return 0;
        i = j + 1;
    }
    return 1;
}

/* Read one central-directory header at `p` into `out`; `*next` is the
 * offset of the following header. */
static int read_entry(const unsigned char *buf, const cd_info *cd, size_t p,
                      ws_zip_entry *out, size_t *next, ws_err *e)
{
    size_t cd_end = (size_t)(cd->offset + cd->size);
    if (cd_end - p < 46 || rd32(buf + p) != SIG_CENTRAL)
        return ws_fail(e, "zip: corrupt central directory at offset %zu", p);
    const unsigned char *h = buf + p;
    uint16_t flags = rd16(h + 8), method = rd16(h + 10);
    size_t nlen = rd16(h + 28), xlen = rd16(h + 30), clen = rd16(h + 32);
    if (cd_end - p - 46 < nlen + xlen + clen)
        return ws_fail(e, "zip: central directory entry overruns the directory");
    const char *name = (const char *)h + 46;
    if (!name_ok(name, nlen))
        return ws_fail(e, "zip: unsafe or empty entry name \"%.*s\"", (int)(nlen > 200 ? 200 : nlen), name);
    if (flags & 1)
        return ws_fail(e, "zip: entry %.*s is encrypted", (int)nlen, name);
    uint64_t csz = rd32(h + 20), usz = rd32(h + 24), off = rd32(h + 42);
    if (apply_zip64_extra(h + 46 + nlen, xlen, &usz, &csz, &off, e) != 0)
        return -1;
    if (method == 0 && csz != usz)
        return ws_fail(e, "zip: stored entry %.*s has differing sizes", (int)nlen, name);
    if (off > cd->offset || cd->offset - off < 30 || rd32(buf + off) != SIG_LOCAL)
        return ws_fail(e, "zip: local header of %.*s (offset %llu) is missing or outside the file",
                       (int)nlen, name, (unsigned long long)off);
    uint64_t data = off + 30 + rd16(buf + off + 26) + rd16(buf + off + 28);
    if (data > cd->offset || csz > cd->offset - data)
        return ws_fail(e, "zip: data of %.*s (%llu bytes at %llu) runs past the end of the file",
                       (int)nlen, name, (unsigned long long)csz, (unsigned long long)data);
    out->name = strndup(name, nlen);
    if (!out->name)
        return ws_fail(e, "out of memory");
    out->data = buf + data;
    out->size = (size_t)csz;
    out->method = method;
    *next = p + 46 + nlen + xlen + clen;
    return 0;
}

static int cmp_entries(const void *a, const void *b)
{
    return strcmp((*(ws_zip_entry *const *)a)->name, (*(ws_zip_entry *const *)b)->name);
}

/* Sort an index by name (for ws_zip_find) and refuse duplicate names. */
static int index_names(ws_zip *z, ws_err *e)
{
    z->by_name = malloc((z->n ? z->n : 1) * sizeof *z->by_name);
    if (!z->by_name)
        return ws_fail(e, "out of memory");
    for (size_t i = 0; i < z->n; i++)
        z->by_name[i] = &z->entries[i];
    qsort(z->by_name, z->n, sizeof *z->by_name, cmp_entries);
    for (size_t i = 1; i < z->n; i++)
        if (!strcmp(z->by_name[i - 1]->name, z->by_name[i]->name))
            return ws_fail(e, "zip: entry %s appears twice", z->by_name[i]->name);
    return 0;
}

int ws_zip_open(ws_zip *z, const unsigned char *buf, size_t len, ws_err *e)
{
    memset(z, 0, sizeof *z);
    cd_info cd = {0};
    if (read_end(buf, len, &cd, e) != 0)
        return -1;
    z->entries = calloc(cd.count ? cd.count : 1, sizeof *z->entries);
    if (!z->entries)
        return ws_fail(e, "out of memory");
    size_t p = (size_t)cd.offset;
    for (uint64_t i = 0; i < cd.count; i++) {
        if (read_entry(buf, &cd, p, &z->entries[z->n], &p, e) != 0) {
            ws_zip_close(z);
            return -1;
        }
        z->n++;
    }
    if (index_names(z, e) != 0) {
        ws_zip_close(z);
        return -1;
    }
    return 0;
}

const ws_zip_entry *ws_zip_find(const ws_zip *z, const char *name)
{
    size_t lo = 0, hi = z->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(z->by_name[mid]->name, name);
        if (c == 0)
            return z->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void ws_zip_close(ws_zip *z)
{
    for (size_t i = 0; i < z->n; i++)
        free(z->entries[i].name);
    free(z->entries);
    free(z->by_name);
    memset(z, 0, sizeof *z);
}
