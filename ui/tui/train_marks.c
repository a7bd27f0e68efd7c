/* Policy marks and run settings of the TUI (see train_marks.h). */
#include "train_marks.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samples.h"
#include "tokenizer.h"
#include "train_run.h"
#include "train_runs.h"

static void default_settings(train_settings *s, const ws_model *m)
{
    memset(s, 0, sizeof *s);
    const char *corpus = ws_model_meta(m, WS_TOK_META_KEY) ? train_default_corpus(m) : NULL;
    snprintf(s->data, sizeof s->data, "%s", corpus ? corpus : "");
    s->steps = 200;
    s->B = 8;
    s->T = m->cfg.block_size > 0 && m->cfg.block_size < 64 ? m->cfg.block_size : 64;
    s->lr = 6e-4f;
    s->seed = 1;
    s->eval_every = 20;
}

void train_settings_tokenizer(train_settings *s, const ws_model *m, const ws_tokenizer *tok)
{
    s->tok = tok;
    const char *corpus = tok && !s->data[0] ? train_default_corpus(m) : NULL;
    if (corpus)
        snprintf(s->data, sizeof s->data, "%s", corpus);
}

tui_train *tui_train_new(const ws_model *m)
{
    tui_train *s = calloc(1, sizeof *s);
    if (!s || !(s->marks = calloc(m->n_tensors ? m->n_tensors : 1, sizeof *s->marks))) {
        free(s);
        return NULL;
    }
    s->n = m->n_tensors;
    s->crystal_r = 1;
    s->grid_k = 8;
    s->smoothing = 0.9;
    default_settings(&s->set, m);
    return s;
}

void tui_train_free(tui_train *s)
{
    if (!s)
        return;
    train_runs_free(s);
    free(s->marks);
    free(s);
}

void train_mark_cycle(tui_train *s, const ws_tensor *t, size_t i)
{
    train_mark *m = &s->marks[i];
    int matrix = t->ndim == 2;
    switch (m->kind) {
    case WS_POL_TRAIN: *m = (train_mark){WS_POL_FREEZE, 0, 0, WS_GRID_INNER}; break;
    case WS_POL_FREEZE:
        *m = matrix ? (train_mark){WS_POL_CRYSTAL, s->crystal_r, 0, WS_GRID_INNER}
                    : (train_mark){WS_POL_RANDOM, 0, 0, WS_GRID_INNER};
        break;
    case WS_POL_CRYSTAL: *m = (train_mark){WS_POL_RANDOM, 0, 0, WS_GRID_INNER}; break;
    case WS_POL_RANDOM:
        *m = matrix ? (train_mark){WS_POL_GRID, s->grid_k, 0, WS_GRID_INNER}
                    : (train_mark){WS_POL_TRAIN, 0, 0, WS_GRID_INNER};
        break;
    default: *m = (train_mark){WS_POL_TRAIN, 0, 0, WS_GRID_INNER}; break;
    }
}

void train_marks_follow(tui_train *s, const ws_model *m)
{
    for (size_t i = 0; i < m->n_tensors && i < s->n; i++) {
        const ws_tensor *b = &m->tensors[i];
        if (!b->is_bias || b->ndim != 1 || b->role == WS_ROLE_NONE)
            continue;
        for (size_t j = 0; j < m->n_tensors && j < s->n; j++) {
            const ws_tensor *w = &m->tensors[j];
            int k = ws_policy_bias_kind(s->marks[j].kind);
            if (w->ndim == 2 && w->role == b->role && w->layer == b->layer && k >= 0)
                s->marks[i] = (train_mark){(ws_policy_kind)k, 0, 0, WS_GRID_INNER};
        }
    }
}

const char *train_mark_text(const train_mark *m, char *buf, size_t n)
{
    return ws_policy_kind_text(m->kind, m->arg, m->thr, m->centres, buf, n);
}

int train_marks_apply(tui_train *s, const ws_model *m, const char *spec, char *err, size_t n)
{
    ws_err e = {{0}};
    ws_policy_rule r;
    if (ws_policy_parse(spec, &r, &e)) {
        snprintf(err, n, "%s", e.msg);
        return -1;
    }
    int hits = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const ws_tensor *t = &m->tensors[i];
        if (t->role == WS_ROLE_NONE)
            continue;   /* not a parameter of the network: nothing to train */
        int sel = ws_policy_rule_selects(&r, t->name, t->role, t->layer, t->ndim);
        if (sel < 0) {
            snprintf(err, n, "policy pattern \"%s\": bad role@layers selector", r.pattern);
            return -1;
        }
        if (sel) {
            s->marks[i] = (train_mark){r.kind, r.arg, r.threshold, r.centres};
            hits++;
        }
    }
    train_marks_follow(s, m);
    /* The cycle key goes on with the rank or grid size last chosen. */
    if (hits && r.kind == WS_POL_CRYSTAL)
        s->crystal_r = r.arg;
    if (hits && r.kind == WS_POL_GRID)
        s->grid_k = r.arg;
    if (!hits)
        snprintf(err, n, "policy pattern \"%s\" selects no %s", r.pattern,
                 r.kind == WS_POL_CRYSTAL || r.kind == WS_POL_GRID || r.kind == WS_POL_FREEZE_PR
                     ? "matrix" : "tensor");
    return hits ? hits : -1;
}

/* A glob that matches exactly `name`: every character escaped, so neither
 * glob characters nor a name that equals a role name change its meaning. */
static int exact_pattern(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (const char *c = name; *c; c++) {
        if (k + 3 > n || *c == '@')
            return -1;
        out[k++] = '\\';
        out[k++] = *c;
    }
    out[k] = 0;
    return 0;
}

ws_policy_rule *train_marks_rules(const tui_train *s, const ws_model *m, size_t *n)
{
    ws_policy_rule *r = calloc(s->n ? s->n : 1, sizeof *r);
    *n = 0;
    if (!r)
        return NULL;
    for (size_t i = 0; i < s->n && i < m->n_tensors; i++) {
        if (s->marks[i].kind == WS_POL_TRAIN || m->tensors[i].role == WS_ROLE_NONE)
            continue;
        ws_policy_rule *q = &r[*n];
        if (exact_pattern(m->tensors[i].name, q->pattern, sizeof q->pattern)) {
            /* Too long to escape (or holds '@'): the plain name selects it. */
            snprintf(q->pattern, sizeof q->pattern, "%s", m->tensors[i].name);
        }
        q->kind = s->marks[i].kind;
        q->arg = s->marks[i].arg;
        q->threshold = s->marks[i].thr;
        q->centres = s->marks[i].centres;
        (*n)++;
    }
    return r;
}

size_t train_marks_count(const tui_train *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += s->marks[i].kind != WS_POL_TRAIN;
    return k;
}

void train_marks_trainable(const tui_train *s, const ws_model *m, int64_t *trainable,
                           int64_t *total)
{
    *trainable = *total = 0;
    for (size_t i = 0; i < s->n && i < m->n_tensors; i++) {
        const ws_tensor *t = &m->tensors[i];
        if (t->role == WS_ROLE_NONE || t->kind != WS_KIND_NETWORK)
            continue;   /* buffers and training state are no parameters of the network */
        *total += t->numel;
        switch (s->marks[i].kind) {
        case WS_POL_TRAIN:
        case WS_POL_FREEZE_AT:
        case WS_POL_FREEZE_PR: *trainable += t->numel; break;
        case WS_POL_GRID: *trainable += t->ndim == 2 ? t->rows * s->marks[i].arg : 0; break;
        default: break;
        }
    }
}

/* 95.4k, 1.8M: as the TUI counts (tui_fmt_count, which this file cannot link). */
static void count_text(char *buf, size_t n, int64_t v)
{
    if (v >= 1000000)
        snprintf(buf, n, "%.1fM", (double)v / 1e6);
    else if (v >= 10000)
        snprintf(buf, n, "%.1fk", (double)v / 1e3);
    else
        snprintf(buf, n, "%lld", (long long)v);
}

const char *train_marks_share(const tui_train *s, const ws_model *m, char *buf, size_t n)
{
    int64_t tr, total;
    char a[24], b[24];
    train_marks_trainable(s, m, &tr, &total);
    count_text(a, sizeof a, tr);
    count_text(b, sizeof b, total);
    snprintf(buf, n, "%.1f %% trainable (%.20s of %.20s)", total ? 100.0 * (double)tr / (double)total : 0,
             a, b);
    return buf;
}

const char *train_default_corpus(const ws_model *m)
{
    static char found[PATH_MAX];
    const char *name = WS_SAMPLE_CORPUS;
    const char *path = m->path ? m->path : "";
    const char *slash = strrchr(path, '/');
    snprintf(found, sizeof found, "%.*s%s", slash ? (int)(slash - path + 1) : 0, path, name);
    if (access(found, R_OK) == 0)
        return found;
    return ws_sample_file(name, found, sizeof found) ? found : NULL;
}
