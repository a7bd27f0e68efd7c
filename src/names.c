/* Tensor names as users type and read them: see names.h. */
#include "names.h"

#include "escape.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- what names say ---- */

const char *ws_name_strip(const char *n)
{
    static const char *const wrappers[] = {"_orig_mod.", "module.", "model.", "transformer."};
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < sizeof wrappers / sizeof *wrappers; i++) {
            size_t l = strlen(wrappers[i]);
            if (!strncmp(n, wrappers[i], l) && n[l]) {
                n += l;
                again = 1;
            }
        }
    }
    return n;
}

/* Training state a checkpoint carries, by name prefix; the rest of the name
 * is the network tensor it belongs to. Longer prefixes first. How to add
 * one: a line here (a label of at most 10 characters, the role column's
 * width). */
static const struct { const char *prefix, *label; } state_prefixes[] = {
    {"optim.exp_avg_sq.", "exp_avg_sq"},   /* wscope's AdamW second moment */
    {"optim.exp_avg.", "exp_avg"},         /* wscope's AdamW first moment */
    {"grid.A.", "grid.A"},                 /* wscope's grid policy: amplitudes ... */
    {"grid.m.", "grid.m"},                 /* ... and their AdamW moments */
    {"grid.v.", "grid.v"},
    {"optim.", "optim"},
    {"grid.", "grid"},
    {"optimizer.", "optimizer"},
    {"lr_scheduler.", "scheduler"},
    {"scheduler.", "scheduler"},
    {"scaler.", "scaler"},                 /* AMP GradScaler */
};

const char *ws_state_label(const char *name, const char **inner)
{
    for (size_t i = 0; i < sizeof state_prefixes / sizeof *state_prefixes; i++) {
        size_t l = strlen(state_prefixes[i].prefix);
        if (!strncmp(name, state_prefixes[i].prefix, l)) {
            if (inner)
                *inner = name + l;
            return state_prefixes[i].label;
        }
    }
    return NULL;
}

/* Buffers a module registers beside its parameters, by the end of the
 * name. How to add one: a line here. */
static const char *const buffer_suffixes[] = {
    "attn.bias",          /* nanoGPT (torch < 2) and HF GPT-2: the causal mask */
    "attn.masked_bias",   /* HF GPT-2: the masking value */
    "attention.bias", "attention.masked_bias",
    "inv_freq",           /* rotary embeddings */
    "position_ids",
};

int ws_name_is_buffer(const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof buffer_suffixes / sizeof *buffer_suffixes; i++) {
        size_t l = strlen(buffer_suffixes[i]);
        if (n >= l && !strcmp(name + n - l, buffer_suffixes[i]) && (n == l || name[n - l - 1] == '.'))
            return 1;
    }
    return 0;
}

/* ---- patterns ---- */

static int role_by_name(const char *s, size_t n, int *role)
{
    if (n == 1 && s[0] == '*') {
        *role = -1;   /* any */
        return 0;
    }
    for (int r = 1; r < WS_ROLE_COUNT; r++) {
        const char *name = ws_role_name((ws_role)r);
        if (strlen(name) == n && !strncasecmp(name, s, n)) {   /* QKV@0 too, as search */
            *role = r;
            return 0;
        }
    }
    return -1;
}

/* Does "N", "N-M", "*" or a comma list of them contain `layer`? -1 on bad syntax. */
static int layers_match(const char *s, int layer)
{
    if (!strcmp(s, "*"))
        return layer >= 0;
    int hit = 0;
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (end == s || a < 0)
            return -1;
        s = end;
        if (*s == '-') {
            b = strtol(s + 1, &end, 10);
            if (end == s + 1 || b < a)
                return -1;
            s = end;
        }
        hit |= layer >= a && layer <= b;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return hit;
}

int ws_name_pattern_match(const char *pat, const char *name, ws_role role, int layer)
{
    const char *at = strchr(pat, '@');
    int r;
    if (at && !role_by_name(pat, (size_t)(at - pat), &r)) {
        int lm = layers_match(at + 1, layer);
        if (lm < 0)
            return -1;
        return lm && role != WS_ROLE_NONE && (r < 0 || (int)role == r);
    }
    if (at && !strpbrk(pat, "*?[") && strchr(pat, '.') == NULL)
        return -1;   /* ROLE@... with an unknown role */
    if (!at && strcmp(pat, "*") && !role_by_name(pat, strlen(pat), &r))
        return role != WS_ROLE_NONE && (r < 0 || (int)role == r);
    return fnmatch(pat, name, 0) == 0 || fnmatch(ws_name_strip(pat), ws_name_strip(name), 0) == 0;
}

/* Is `item` a layer number or range that continues the previous
 * pattern's layer list ("qkv@0,2")? */
static int continues_layers(const char *item, size_t len)
{
    size_t i = 0;
    while (i < len && isdigit((unsigned char)item[i]))
        i++;
    if (i == 0)
        return 0;
    if (i < len && item[i] == '-') {
        size_t j = ++i;
        while (i < len && isdigit((unsigned char)item[i]))
            i++;
        if (i == j)
            return 0;
    }
    return i == len;
}

/* Call fn on each pattern of a comma list; stops at a nonzero return. */
static int each_pattern(const char *list, int (*fn)(const char *pat, void *u), void *u)
{
    char buf[512];
    size_t used = 0;
    const char *s = list;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        while (len && isspace((unsigned char)*s))   /* "qkv@0, h.0.*" */
            s++, len--;
        while (len && isspace((unsigned char)s[len - 1]))
            len--;
        int joins = used && continues_layers(s, len) && memchr(buf, '@', used);
        if (!joins && used) {
            buf[used] = 0;
            int rc = fn(buf, u);
            if (rc)
                return rc;
            used = 0;
        }
        if (used + len + 2 > sizeof buf)
            return fn(NULL, u);   /* too long */
        if (joins)
            buf[used++] = ',';
        memcpy(buf + used, s, len);
        used += len;
        if (!comma)
            break;
        s = comma + 1;
    }
    buf[used] = 0;
    return fn(buf, u);
}

typedef struct match_ctx {
    const char *name;
    ws_role role;
    int layer, hit, bad;
} match_ctx;

static int match_one(const char *pat, void *u)
{
    match_ctx *c = u;
    int r = pat ? ws_name_pattern_match(pat, c->name, c->role, c->layer) : -1;
    if (r < 0)
        c->bad = 1;
    c->hit |= r > 0;
    return 0;
}

int ws_name_list_match(const char *list, const char *name, ws_role role, int layer)
{
    match_ctx c = {name, role, layer, 0, 0};
    each_pattern(list, match_one, &c);
    return c.bad ? -1 : c.hit;
}

/* ---- selections ---- */

typedef struct add_ctx {
    ws_namesel *s;
    ws_err *e;
} add_ctx;

static int add_one(const char *pat, void *u)
{
    add_ctx *c = u;
    if (!pat)
        return ws_fail(c->e, "a pattern is too long");
    if (!*pat)
        return ws_fail(c->e, "an empty pattern (two commas in a row?)");
    if (ws_name_pattern_match(pat, "", WS_ROLE_EMBED, 0) < 0)
        return ws_fail(c->e, "\"%s\": expected ROLE@LAYERS with a role (embed, qkv, attn_out, "
                             "...) and layers N, N-M, a comma list or *", pat);
    char **p = realloc(c->s->pat, (c->s->n + 1) * sizeof *p);
    if (!p || !(p[c->s->n] = strdup(pat))) {
        if (p)
            c->s->pat = p;
        return ws_fail(c->e, "out of memory");
    }
    c->s->pat = p;
    c->s->n++;
    return 0;
}

int ws_namesel_add(ws_namesel *s, const char *arg, ws_err *e)
{
    add_ctx c = {s, e};
    return each_pattern(arg, add_one, &c);
}

void ws_namesel_free(ws_namesel *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->pat[i]);
    free(s->pat);
    s->pat = NULL;
    s->n = 0;
}

/* On a tied model the head is the embedding: lm_head.weight, head.weight
 * and the role head select it. */
static int tied_head_match(const char *pat, const ws_model *m, const ws_tensor *t)
{
    if (!m || !m->cfg.tied || t->role != WS_ROLE_EMBED || t->is_bias)
        return 0;
    const char *p = ws_name_strip(pat);
    return !strcmp(p, "head") || !fnmatch(p, "lm_head.weight", 0) || !fnmatch(p, "head.weight", 0);
}

int ws_namesel_match(const ws_namesel *s, long i, const ws_model *m, const ws_tensor *t)
{
    for (size_t k = i < 0 ? 0 : (size_t)i; k < s->n && (i < 0 || k == (size_t)i); k++)
        if (ws_name_pattern_match(s->pat[k], t->name, t->role, t->layer) > 0 ||
            tied_head_match(s->pat[k], m, t))
            return 1;
    return 0;
}

static int is_network(const ws_tensor *t) { return t->kind == WS_KIND_NETWORK; }

int ws_namesel_check(const ws_namesel *s, const ws_model *m, int (*eligible)(const ws_tensor *t),
                     const char *what, const char *all_option, ws_err *e)
{
    if (!eligible)
        eligible = is_network;
    for (size_t k = 0; k < s->n; k++) {
        size_t hit = 0, outside = 0;
        for (size_t i = 0; i < m->n_tensors; i++)
            if (ws_namesel_match(s, (long)k, m, &m->tensors[i])) {
                hit += eligible(&m->tensors[i]) != 0;
                outside += m->tensors[i].kind != WS_KIND_NETWORK;
            }
        if (hit)
            continue;
        if (outside && all_option)
            return ws_fail(e, "\"%s\" selects no %s of the network, only training state or "
                              "buffers: add %s to include them", s->pat[k], what, all_option);
        return ws_fail(e, "\"%s\" selects no %s (see wscope info)", s->pat[k], what);
    }
    return 0;
}

/* Rank of a candidate for a one-tensor argument: network before the rest,
 * weights before biases. */
static int resolve_rank(const ws_tensor *t)
{
    return (t->kind != WS_KIND_NETWORK) * 2 + t->is_bias;
}

ws_tensor *ws_model_resolve(const ws_model *m, const char *name, char *note, size_t nn,
                            ws_err *e)
{
    if (note && nn)
        note[0] = 0;
    ws_tensor *t = ws_model_find(m, name);
    if (t)
        return t;
    ws_namesel s = {0};
    if (ws_namesel_add(&s, name, e) < 0)
        return NULL;
    ws_tensor *best = NULL;
    size_t n_best = 0, n_all = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        ws_tensor *x = &m->tensors[i];
        if (!ws_namesel_match(&s, -1, m, x))
            continue;
        n_all++;
        if (!best || resolve_rank(x) < resolve_rank(best)) {
            best = x;
            n_best = 1;
        } else if (resolve_rank(x) == resolve_rank(best)) {
            n_best++;
        }
    }
    if (!best) {
        ws_fail(e, "no tensor named %s (see wscope info)", name);
    } else if (n_best > 1) {
        ws_fail(e, "\"%s\" selects %zu tensors: give one name (see wscope info)", name, n_all);
        best = NULL;
    } else if (note && nn && tied_head_match(name, m, best) &&
               ws_name_pattern_match(name, best->name, best->role, best->layer) <= 0) {
        snprintf(note, nn, "%s is tied to the token embedding: %s", name, best->name);
    }
    ws_namesel_free(&s);
    return best;
}

/* ---- display ---- */

void ws_names_common_prefix(ws_model *m)
{
    const char *first = NULL;
    size_t len = 0, count = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        if (m->tensors[i].kind != WS_KIND_NETWORK)
            continue;
        const char *s = ws_name_strip(m->tensors[i].name);
        if (!first) {
            first = s;
            len = strlen(s);
        }
        size_t k = 0;
        while (k < len && s[k] == first[k])
            k++;
        len = k;
        count++;
    }
    while (len && first[len - 1] != '.')
        len--;
    /* Never the layer container: stop before "h." of "h.0.", or a number. */
    for (size_t p = 0; p < len;) {
        const char *dot = memchr(first + p, '.', len - p);
        size_t q = dot ? (size_t)(dot - first) : len;
        const char *next = first + q + 1;
        int numeric = isdigit((unsigned char)first[p]) != 0;
        if (!numeric && q < len) {
            const char *d = next;
            while (isdigit((unsigned char)*d))
                d++;
            numeric = d > next && *d == '.';
        }
        if (numeric) {
            len = p;
            break;
        }
        p = q + 1;
    }
    if (count < 2 || len >= sizeof m->name_prefix)
        len = 0;
    memcpy(m->name_prefix, first ? first : "", len);
    m->name_prefix[len] = 0;
}

/* "blocks.4." / "h.4." / "layers.4.": where the name continues after its
 * first dotted layer number, or 0. */
static size_t after_layer(const char *s)
{
    for (const char *p = s; (p = strchr(p, '.')) != NULL; p++) {
        const char *q = p + 1;
        while (isdigit((unsigned char)*q))
            q++;
        if (q > p + 1 && *q == '.')
            return (size_t)(q + 1 - s);
    }
    return 0;
}

const char *ws_display_name(const ws_model *m, const ws_tensor *t, int in_layer, char *buf,
                            size_t n)
{
    const char *inner = NULL, *s = t->name;
    if (t->kind == WS_KIND_STATE && ws_state_label(t->name, &inner) && *inner)
        s = inner;
    s = ws_name_strip(s);
    size_t pl = m ? strlen(m->name_prefix) : 0;
    if (pl && !strncmp(s, m->name_prefix, pl) && s[pl])
        s += pl;
    if (in_layer && t->layer >= 0 && t->kind != WS_KIND_STATE) {
        size_t k = after_layer(s);
        if (k && s[k])
            s += k;
    }
    ws_escape(buf, n, s);   /* names come from files: no control bytes on screen */
    return buf;
}

const char *ws_display_role(const ws_tensor *t, int with_layer, char *buf, size_t n)
{
    const char *label;
    if (t->kind == WS_KIND_STATE && (label = ws_state_label(t->name, NULL)))
        snprintf(buf, n, "%s", label);
    else if (t->kind == WS_KIND_BUFFER)
        snprintf(buf, n, "buffer");
    else if (t->role != WS_ROLE_NONE && with_layer && t->layer >= 0)
        snprintf(buf, n, "%s%s@%d", ws_role_name(t->role), t->is_bias ? ".b" : "", t->layer);
    else
        snprintf(buf, n, "%s%s", ws_role_name(t->role), t->role && t->is_bias ? ".b" : "");
    return buf;
}

int ws_text_cells(const char *s)
{
    int c = 0;
    for (; *s; s++)
        c += ((unsigned char)*s & 0xC0) != 0x80;
    return c;
}

/* Byte offset of cell `cells` in s (at most strlen). */
static size_t cell_offset(const char *s, int cells)
{
    size_t i = 0;
    for (int c = 0; s[i] && c <= cells; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && c++ == cells)
            return i;
    return i;
}

int ws_elide(const char *s, int width, int ascii, char *buf, size_t n)
{
    int cells = ws_text_cells(s);
    if (n == 0)
        return 0;
    if (cells <= width || width < 1) {
        snprintf(buf, n, "%s", width < 1 ? "" : s);
        return width < 1 ? 0 : cells;
    }
    if (width == 1) {
        snprintf(buf, n, "%s", ascii ? "~" : "\xe2\x80\xa6");
        return 1;
    }
    int room = width - 1;                  /* cells for text around the mark */
    int head = ws_text_cells(s) - ws_text_cells(s + after_layer(s));
    if (head > room / 2)
        head = 0;
    int tail = room - head;
    size_t hb = cell_offset(s, head), tb = cell_offset(s, cells - tail);
    snprintf(buf, n, "%.*s%s%s", (int)hb, s, ascii ? "~" : "\xe2\x80\xa6", s + tb);
    return width;
}

int ws_tensor_label(const ws_model *m, const ws_tensor *t, int width, int ascii, char *buf,
                    size_t n)
{
    char name[256], role[48], cut[256];
    if (t->role == WS_ROLE_NONE || t->kind != WS_KIND_NETWORK)
        return ws_elide(ws_display_name(m, t, 0, name, sizeof name), width, ascii, buf, n);
    ws_display_role(t, 1, role, sizeof role);
    int rc = ws_text_cells(role), room = width - rc - 1;
    if (rc > width)
        return ws_elide(role, width, ascii, buf, n);
    if (room < 6) {
        snprintf(buf, n, "%s", role);
        return rc;
    }
    int c = ws_elide(ws_display_name(m, t, 1, name, sizeof name), room, ascii, cut, sizeof cut);
    snprintf(buf, n, "%s %s", role, cut);
    return rc + 1 + c;
}

int ws_name_contains(const char *hay, const char *needle)
{
    return strcasestr(hay, needle) != NULL;
}
