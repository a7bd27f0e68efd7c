/* wscope info: layout, config, parameter counts and every tensor. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "tensor_table.h"

static int stats_progress(size_t done, size_t total, void *u)
{
    ws_progress *p = u;
    atomic_store(&p->total, total);
    atomic_store(&p->done, done);
    return 0;
}

/* Parameters of the network itself: tensors with a role (a checkpoint's
 * optimizer state and other extras have none). */
static int64_t model_params(const ws_model *m)
{
    int64_t n = 0;
    for (size_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].role != WS_ROLE_NONE)
            n += m->tensors[i].numel;
    return n;
}

static json_t *config_json(const ws_model *m)
{
    const ws_config *c = &m->cfg;
    json_t *j = json_object();
    json_object_set_new(j, "n_layer", json_integer(c->n_layer));
    json_object_set_new(j, "n_head", c->n_head_known ? json_integer(c->n_head) : json_null());
    json_object_set_new(j, "n_embd", json_integer(c->n_embd));
    json_object_set_new(j, "vocab_size", json_integer(c->vocab_size));
    json_object_set_new(j, "block_size", json_integer(c->block_size));
    json_object_set_new(j, "tied", json_boolean(c->tied));
    json_object_set_new(j, "bias", json_boolean(c->bias));
    json_object_set_new(j, "gelu", json_string(c->gelu_tanh ? "tanh" : "exact"));
    return j;
}

/* A JSON value as a document field; takes `j`. */
static void add_field(ws_doc *d, const char *key, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (s)
        ws_doc_field(d, key, s);
    else
        ws_doc_field(d, key, "null");
    free(s);
    json_decref(j);
}

/* The document: layout, config and counts, then the tensor table. */
static ws_doc *info_doc(const ws_model *m, int with_stats)
{
    ws_doc *d = cli_doc("info", m->path);
    if (!d)
        return NULL;
    ws_doc_param_bool(d, "stats", with_stats);
    add_field(d, "layout", json_string(ws_layout_name(m->layout)));
    add_field(d, "config", config_json(m));
    add_field(d, "n_params", json_integer(m->n_params));
    add_field(d, "n_params_model", m->layout != WS_LAYOUT_UNKNOWN ? json_integer(model_params(m)) : json_null());
    add_field(d, "n_tensors", json_integer((json_int_t)m->n_tensors));
    ws_doc_table(d, ws_tensor_table(m, with_stats));
    return d;
}

static void print_header(const ws_model *m)
{
    const ws_config *c = &m->cfg;
    printf("model:  %s\nlayout: %s\n", m->path, ws_layout_name(m->layout));
    if (m->layout == WS_LAYOUT_UNKNOWN)
        printf("note:   %s\n", m->layout_note);
    printf("config: n_layer=%d n_head=", c->n_layer);
    if (c->n_head_known)
        printf("%d", c->n_head);
    else
        printf("unknown");
    printf(" n_embd=%d vocab_size=%d block_size=%d tied=%s bias=%s gelu=%s\n", c->n_embd, c->vocab_size,
           c->block_size, c->tied ? "yes" : "no", c->bias ? "yes" : "no", c->gelu_tanh ? "tanh" : "exact");
    int64_t emb = 0, per_layer = 0, in_model = model_params(m);
    for (size_t i = 0; i < m->n_tensors; i++) {
        const ws_tensor *t = &m->tensors[i];
        if (t->role != WS_ROLE_NONE && t->layer >= 0)
            per_layer += t->numel;
        else if (t->role == WS_ROLE_EMBED || t->role == WS_ROLE_POS_EMBED || t->role == WS_ROLE_HEAD)
            emb += t->numel;
    }
    printf("params: %lld total", (long long)m->n_params);
    if (m->layout != WS_LAYOUT_UNKNOWN) {
        printf(", %lld in the model (%lld in blocks, %lld in embeddings/head)", (long long)in_model,
               (long long)per_layer, (long long)emb);
        if (m->n_params > in_model)   /* e.g. a checkpoint's optimizer state */
            printf(", %lld in other tensors", (long long)(m->n_params - in_model));
    }
    printf(", %zu tensors\n\n", m->n_tensors);
}

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"csv", no_argument, 0, 'c'}, {"no-stats", no_argument, 0, 'n'},
        {0, 0, 0, 0}};
    cli_fmt fmt = CLI_TEXT;
    int stats = 1, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') fmt = CLI_JSON;
        else if (c == 'c') fmt = CLI_CSV;
        else if (c == 'n') stats = 0;
        else return 2;
    }
    if (optind != argc - 1)
        return cli_failf("info", "usage: wscope info MODEL [--json|--csv] [--no-stats]");
    const char *path = argv[optind];
    ws_model *m;
    if (cli_open_model(path, &m))
        return 2;
    if (stats) {
        ws_progress p;
        ws_progress_init(&p, m->n_tensors);
        cli_bar *bar = cli_bar_start("statistics", &p);
        ws_err e = {{0}};
        int rc = ws_model_stats_all(m, 0, stats_progress, &p, &e);
        cli_bar_stop(bar);
        if (rc != 0) {
            ws_model_free(m);
            return cli_fail(path, &e);
        }
    }
    if (fmt == CLI_TEXT)
        print_header(m);
    int rc = cli_emit(info_doc(m, stats), fmt, NULL);
    ws_model_free(m);
    return rc;
}
