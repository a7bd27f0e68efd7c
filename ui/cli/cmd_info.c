/* wscope info: layout, config, parameter counts and every tensor. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "cli.h"
#include "commands.h"
#include "escape.h"
#include "metadata.h"
#include "tensor_table.h"
#include "tokenizer_files.h"

static int stats_progress(size_t done, size_t total, void *u)
{
    ws_progress *p = u;
    atomic_store(&p->total, total);
    atomic_store(&p->done, done);
    return 0;
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
    char eps[32];   /* the float's shortest form, not its double expansion */
    snprintf(eps, sizeof eps, "%.7g", c->ln_eps);
    json_object_set_new(j, "layer_norm_epsilon", json_real(strtod(eps, NULL)));
    return j;
}

/* A JSON value as a document field; takes `j`. */
static void add_field(ws_doc *d, const char *key, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    ws_doc_field(d, key, s ? s : "null");
    free(s);
    json_decref(j);
}

/* ---- metadata ---- */

/* Is `key` one that the config.json beside the model gave? */
static int from_config_json(const ws_model *m, const char *key)
{
    size_t l = strlen(key);
    for (const char *p = m->config_keys; (p = strstr(p, key)) != NULL; p += l)
        if ((p == m->config_keys || p[-1] == ' ') && (p[l] == ' ' || !p[l]))
            return 1;
    return 0;
}

/* A metadata value in JSON: parsed JSON when it is JSON (numbers, true,
 * objects ...), else the string; past 4 KB a summary instead. */
static json_t *meta_value_json(const char *key, const char *val)
{
    if (ws_meta_is_long(val, 4096)) {
        char line[512];
        return json_pack("{s:s, s:I}", "summary", ws_meta_describe(key, val, 4096, line, sizeof line),
                         "bytes", (json_int_t)strlen(val));
    }
    json_t *j = json_loads(val, JSON_DECODE_ANY, NULL);
    return j && !json_is_string(j) ? j : (json_decref(j), json_string(val));
}

static void files_json(const ws_model *m, ws_doc *d)
{
    json_t *meta = json_object(), *keys = json_array(), *notes = json_array();
    for (size_t i = 0; i < m->n_meta; i++)
        json_object_set_new(meta, m->meta_keys[i], meta_value_json(m->meta_keys[i], m->meta_vals[i]));
    char buf[sizeof m->config_keys];
    snprintf(buf, sizeof buf, "%s", m->config_keys);
    for (char *k = strtok(buf, " "); k; k = strtok(NULL, " "))
        json_array_append_new(keys, json_string(k));
    if (m->shard_note[0])
        json_array_append_new(notes, json_string(m->shard_note));
    if (m->config_note[0])
        json_array_append_new(notes, json_string(m->config_note));
    add_field(d, "metadata", meta);
    add_field(d, "config_json", m->config_path ? json_string(m->config_path) : json_null());
    add_field(d, "config_json_keys", keys);
    add_field(d, "notes", notes);
}

/* `text` (escaped) after a label of `indent` cells, wrapped at 80 columns
 * on spaces. */
static void print_wrapped(const char *text, int indent)
{
    char *esc = ws_escape_dup(text);
    const char *s = esc ? esc : "";
    int room = 80 - indent, first = 1;
    while (*s) {
        int len = (int)strlen(s), cut = len;
        if (len > room) {
            cut = room;
            while (cut > room / 2 && s[cut] != ' ')
                cut--;
            if (s[cut] != ' ')
                cut = room;
        }
        printf("%*s%.*s\n", first ? 0 : indent, "", cut, s);
        s += cut;
        while (*s == ' ')
            s++;
        first = 0;
    }
    if (first)
        putchar('\n');
    free(esc);
}

/* What the file keeps besides tensors, a line each (metadata.h), then what
 * the files beside it said. */
static void print_metadata(const ws_model *m)
{
    if (m->n_meta)
        printf("metadata:\n");
    for (size_t i = 0; i < m->n_meta; i++) {
        char line[1024], key[64];
        ws_escape(key, sizeof key, m->meta_keys[i]);
        int w = printf("  %-20s ", key);
        ws_meta_describe(m->meta_keys[i], m->meta_vals[i], 600, line, sizeof line);
        if (from_config_json(m, m->meta_keys[i]))
            strncat(line, "  (config.json)", sizeof line - strlen(line) - 1);
        print_wrapped(line, w);
    }
    if (m->config_path)
        printf("config.json: %s (gave %s)\n", m->config_path, m->config_keys[0] ? m->config_keys : "nothing new");
    if (m->shard_note[0])
        printf("note:   %s\n", m->shard_note);
    if (m->config_note[0]) {
        printf("note:   ");
        print_wrapped(m->config_note, 8);
    }
    if (m->n_meta || m->config_path || m->shard_note[0] || m->config_note[0])
        putchar('\n');
}

/* The tokenizer text would be read with (tokenizer_files.h): found, none,
 * or one that cannot be used (its message in err). */
typedef struct tok_found {
    ws_tokenizer *t;
    char err[512];
} tok_found;

static void find_tokenizer(const ws_model *m, tok_found *f)
{
    ws_err e = {{0}};
    f->t = NULL;
    f->err[0] = 0;
    if (ws_tok_find(m, NULL, &f->t, &e))
        snprintf(f->err, sizeof f->err, "%s", e.msg);
}

static json_t *tokenizer_json(const tok_found *f)
{
    if (f->err[0])
        return json_pack("{s:o}", "error", cli_json_text(f->err));
    if (!f->t)
        return json_null();
    return json_pack("{s:s, s:i, s:o}", "kind", ws_tok_kind(f->t), "tokens", ws_tok_size(f->t),
                     "source", cli_json_text(ws_tok_source(f->t)));
}

static void print_tokenizer(const tok_found *f)
{
    char *msg = ws_escape_dup(f->err[0] ? f->err : f->t ? ws_tok_source(f->t) : "");
    if (f->err[0])
        printf("tokenizer: cannot be used: %s\n", msg ? msg : "");
    else if (f->t)
        printf("tokenizer: %s, %d tokens, from %s\n", ws_tok_kind(f->t), ws_tok_size(f->t),
               msg ? msg : "");
    else
        printf("tokenizer: none (text data needs --tokenizer FILE; .bin data needs none)\n");
    free(msg);
}

/* The document: layout, config and counts by kind, the metadata and the
 * files beside the model, then the tensors. */
static ws_doc *info_doc(const ws_model *m, int with_stats, int all, const tok_found *tok)
{
    ws_doc *d = cli_doc("info", m->path);
    if (!d)
        return NULL;
    ws_doc_param_bool(d, "stats", with_stats);
    ws_doc_param_bool(d, "all_tensors", all);
    add_field(d, "layout", json_string(ws_layout_name(m->layout)));
    add_field(d, "config", config_json(m));
    add_field(d, "n_params", json_integer(m->params_kind[WS_KIND_NETWORK]));
    add_field(d, "n_tensors", json_integer((json_int_t)m->n_kind[WS_KIND_NETWORK]));
    add_field(d, "n_params_state", json_integer(m->params_kind[WS_KIND_STATE]));
    add_field(d, "n_tensors_state", json_integer((json_int_t)m->n_kind[WS_KIND_STATE]));
    add_field(d, "n_params_buffers", json_integer(m->params_kind[WS_KIND_BUFFER]));
    add_field(d, "n_tensors_buffers", json_integer((json_int_t)m->n_kind[WS_KIND_BUFFER]));
    files_json(m, d);
    add_field(d, "tokenizer", tokenizer_json(tok));
    ws_doc_table(d, ws_tensor_table(m, with_stats, all));
    return d;
}

static void print_header(const ws_model *m, int all, const tok_found *tok)
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
    if (c->ln_eps != 1e-5f)
        printf("        ln_eps=%g (LayerNorm)\n", c->ln_eps);
    if (c->act_unknown[0])
        printf("note:   activation_function %s cannot be trained or evaluated here\n", c->act_unknown);
    int64_t emb = 0, per_layer = 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const ws_tensor *t = &m->tensors[i];
        if (t->role != WS_ROLE_NONE && t->layer >= 0)
            per_layer += t->numel;
        else if (t->role == WS_ROLE_EMBED || t->role == WS_ROLE_POS_EMBED || t->role == WS_ROLE_HEAD)
            emb += t->numel;
    }
    printf("params: %lld in the network", (long long)m->params_kind[WS_KIND_NETWORK]);
    if (m->layout != WS_LAYOUT_UNKNOWN)
        printf(" (%lld in blocks, %lld in embeddings/head)", (long long)per_layer, (long long)emb);
    printf(", %zu tensors\n", m->n_kind[WS_KIND_NETWORK]);
    if (m->n_kind[WS_KIND_BUFFER])
        printf("buffers: %lld values in %zu tensors (never trained)\n",
               (long long)m->params_kind[WS_KIND_BUFFER], m->n_kind[WS_KIND_BUFFER]);
    if (m->n_kind[WS_KIND_STATE])
        printf("training state: %lld values in %zu tensors (%s)\n",
               (long long)m->params_kind[WS_KIND_STATE], m->n_kind[WS_KIND_STATE],
               all ? "listed below" : "listed with --all-tensors");
    print_tokenizer(tok);
    putchar('\n');
}

static const char usage_text[] =
    "usage: wscope info MODEL [--json|--csv] [--no-stats] [--all-tensors]\n"
    "Layout, config, parameter counts and a table of the network's tensors\n"
    "(with statistics unless --no-stats; training state too with --all-tensors).\n";

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"csv", no_argument, 0, 'c'}, {"no-stats", no_argument, 0, 'n'},
        {"all-tensors", no_argument, 0, 'a'}, {0, 0, 0, 0}};
    cli_fmt fmt = CLI_TEXT;
    int stats = 1, all = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        if (c == 'j') fmt = CLI_JSON;
        else if (c == 'c') fmt = CLI_CSV;
        else if (c == 'n') stats = 0;
        else if (c == 'a') all = 1;
        else return c == CLI_HELP ? 0 : 2;
    }
    if (optind != argc - 1)
        return cli_usage_error("info", optind == argc ? "no MODEL" : "one MODEL only");
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
    tok_found tok;
    find_tokenizer(m, &tok);
    if (fmt == CLI_TEXT) {
        print_header(m, all, &tok);
        print_metadata(m);
    }
    int rc = cli_emit(info_doc(m, stats, all, &tok), fmt, NULL);
    ws_tok_free(tok.t);
    ws_model_free(m);
    return rc;
}
