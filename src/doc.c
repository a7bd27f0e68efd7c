/* A command's output document (doc.h). */
#include "doc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "escape.h"

/* A key and its value as JSON text. */
typedef struct pair {
    char *key, *json;
} pair;

typedef struct pairs {
    pair *v;
    size_t n;
} pairs;

struct ws_doc {
    char *command;
    pairs models, params, fields;
    ws_table **tables;
    unsigned char *owned;
    size_t n_tables;
    int failed;   /* an add ran out of memory */
};

int ws_doc_ok(const ws_doc *d) { return d && !d->failed; }

ws_doc *ws_doc_new(const char *command)
{
    ws_doc *d = calloc(1, sizeof *d);
    if (d && !(d->command = strdup(command))) {
        free(d);
        return NULL;
    }
    return d;
}

static void pairs_free(pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].json);
    }
    free(p->v);
}

void ws_doc_free(ws_doc *d)
{
    if (!d)
        return;
    pairs_free(&d->models);
    pairs_free(&d->params);
    pairs_free(&d->fields);
    for (size_t i = 0; i < d->n_tables; i++)
        if (d->owned[i])
            ws_table_free(d->tables[i]);
    free(d->tables);
    free(d->owned);
    free(d->command);
    free(d);
}

/* Takes `json` (malloc'd) in every case. */
static int pairs_add(ws_doc *d, pairs *p, const char *key, char *json)
{
    pair *n = json ? realloc(p->v, (p->n + 1) * sizeof *n) : NULL;
    char *k = n ? strdup(key) : NULL;
    if (n)
        p->v = n;
    if (!k) {
        free(json);
        d->failed = 1;
        return -1;
    }
    p->v[p->n++] = (pair){k, json};
    return 0;
}

/* ---- JSON text of values ---- */

/* A growing string. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
    int bad;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len)
{
    if (b->bad)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = (b->n + len + 1) * 2;
        char *n = realloc(b->s, cap);
        if (!n) {
            b->bad = 1;
            return;
        }
        b->s = n;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, len);
    b->n += len;
    b->s[b->n] = 0;
}

static char *sb_take(sbuf *b)
{
    if (b->bad || !b->s) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

/* 1 when `s` is valid UTF-8 (shortest forms, no surrogates). */
static int utf8_valid(const unsigned char *p)
{
    while (*p) {
        unsigned c = *p;
        int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 && c >= 0xc2 ? 2 : (c & 0xf0) == 0xe0 ? 3
                  : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 4 : 0;
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        if (len == 0 || (len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))) ||
            (len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))))
            return 0;
        p += len;
    }
    return 1;
}

/* The JSON string syntax of `s` into b: UTF-8 text exactly (control
 * characters as \u00XX escapes, so none reaches a terminal raw); text that
 * is not UTF-8 first through escape.h (bytes as visible \xNN). */
static void sb_json_string(sbuf *b, const char *s)
{
    char *esc = utf8_valid((const unsigned char *)s) ? NULL : ws_escape_dup(s);
    if (esc)
        s = esc;
    sb_put(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        char e[8];
        if (*p == '"' || *p == '\\') {
            e[0] = '\\', e[1] = *p;
            sb_put(b, e, 2);
        } else if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            snprintf(e, sizeof e, "\\u%04X", (unsigned char)*p);
            sb_put(b, e, 6);
        } else {
            sb_put(b, p, 1);
        }
    }
    sb_put(b, "\"", 1);
    free(esc);
}

void ws_json_string(FILE *fp, const char *s)
{
    sbuf b = {0};
    sb_json_string(&b, s ? s : "");
    char *t = sb_take(&b);
    fputs(t ? t : "\"\"", fp);
    free(t);
}

static char *json_of_string(const char *s)
{
    if (!s)
        return strdup("null");
    sbuf b = {0};
    sb_json_string(&b, s);
    return sb_take(&b);
}

static char *json_of_num(double v, int digits)
{
    char buf[64];
    if (!isfinite(v))
        return strdup("null");
    return strdup(ws_fmt_num(v, digits, buf, sizeof buf));
}

/* ---- building ---- */

int ws_doc_model(ws_doc *d, const char *key, const char *path)
{
    return pairs_add(d, &d->models, key, json_of_string(path));
}

int ws_doc_param_str(ws_doc *d, const char *key, const char *v)
{
    return pairs_add(d, &d->params, key, json_of_string(v));
}

int ws_doc_param_int(ws_doc *d, const char *key, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return pairs_add(d, &d->params, key, strdup(buf));
}

int ws_doc_param_num(ws_doc *d, const char *key, double v)
{
    return pairs_add(d, &d->params, key, json_of_num(v, 17));
}

int ws_doc_param_bool(ws_doc *d, const char *key, int v)
{
    return pairs_add(d, &d->params, key, strdup(v ? "true" : "false"));
}

int ws_doc_param_strs(ws_doc *d, const char *key, const char *const *v, size_t n)
{
    sbuf b = {0};
    sb_put(&b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_put(&b, ", ", 2);
        sb_json_string(&b, v[i]);
    }
    sb_put(&b, "]", 1);
    return pairs_add(d, &d->params, key, sb_take(&b));
}

int ws_doc_param_json(ws_doc *d, const char *key, const char *json)
{
    return pairs_add(d, &d->params, key, strdup(json ? json : "null"));
}

int ws_doc_field(ws_doc *d, const char *key, const char *json)
{
    return pairs_add(d, &d->fields, key, strdup(json));
}

static int add_table(ws_doc *d, ws_table *t, int owned)
{
    ws_table **n = t ? realloc(d->tables, (d->n_tables + 1) * sizeof *n) : NULL;
    if (n)
        d->tables = n;
    unsigned char *o = n ? realloc(d->owned, d->n_tables + 1) : NULL;
    if (!o) {
        if (owned)
            ws_table_free(t);
        d->failed = 1;
        return -1;
    }
    d->owned = o;
    d->owned[d->n_tables] = (unsigned char)owned;
    d->tables[d->n_tables++] = t;
    return 0;
}

int ws_doc_table(ws_doc *d, ws_table *t) { return add_table(d, t, 1); }
int ws_doc_table_ref(ws_doc *d, const ws_table *t) { return add_table(d, (ws_table *)t, 0); }

ws_table *ws_doc_get_table(const ws_doc *d, size_t i)
{
    return i < d->n_tables ? d->tables[i] : NULL;
}

/* ---- writing ---- */

static void write_pairs(FILE *fp, const pairs *p, int indent)
{
    for (size_t i = 0; i < p->n; i++) {
        fprintf(fp, "%s\n%*s", i ? "," : "", indent, "");
        ws_json_string(fp, p->v[i].key);
        fprintf(fp, ": %s", p->v[i].json);
    }
}

static int write_json(const ws_doc *d, FILE *fp)
{
    fputs("{\n  \"command\": ", fp);
    ws_json_string(fp, d->command);
    for (size_t i = 0; i < d->models.n; i++) {
        fputs(",\n  ", fp);
        ws_json_string(fp, d->models.v[i].key);
        fprintf(fp, ": %s", d->models.v[i].json);
    }
    fputs(",\n  \"parameters\": {", fp);
    write_pairs(fp, &d->params, 4);
    fputs(d->params.n ? "\n  }" : "}", fp);
    for (size_t i = 0; i < d->fields.n; i++) {
        fputs(",\n  ", fp);
        ws_json_string(fp, d->fields.v[i].key);
        fprintf(fp, ": %s", d->fields.v[i].json);
    }
    fputs(",\n  \"tables\": {", fp);
    for (size_t i = 0; i < d->n_tables; i++) {
        fprintf(fp, "%s\n    ", i ? "," : "");
        ws_json_string(fp, ws_table_name(d->tables[i]));
        fputs(": ", fp);
        ws_table_write_json(d->tables[i], fp, 4);
    }
    fputs(d->n_tables ? "\n  }\n}\n" : "}\n}\n", fp);
    return ferror(fp) ? -1 : 0;
}

int ws_doc_write(const ws_doc *d, ws_doc_fmt f, FILE *fp)
{
    if (f == WS_DOC_JSON)
        return write_json(d, fp);
    if (f == WS_DOC_CSV)
        return d->n_tables ? ws_table_write_csv(d->tables[0], fp) : 0;
    int rc = 0;
    for (size_t i = 0; i < d->n_tables && rc == 0; i++) {
        if (i && ws_table_nrows(d->tables[i]) == 0)
            continue;   /* an empty table after the first says nothing */
        if (i)
            fputc('\n', fp);
        rc = ws_table_write_text(d->tables[i], fp);
    }
    return rc;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int ws_doc_export(const ws_doc *d, const char *path, ws_err *e)
{
    ws_atomic a;
    if (ws_atomic_open(&a, path, e) != 0)
        return -1;
    ws_doc_fmt f = ends_with(path, ".csv") ? WS_DOC_CSV : ends_with(path, ".json") ? WS_DOC_JSON : WS_DOC_TEXT;
    ws_doc_write(d, f, a.fp);   /* a failed write shows in commit, with its reason */
    return ws_atomic_commit(&a, e);
}
