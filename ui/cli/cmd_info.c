/* wscope info: layout, config, parameter counts and every tensor. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "escape.h"
#include "metadata.h"
#include "names.h"

static int stats_progress(size_t done, size_t total, void *u)
{
    ws_progress *p = u;
    atomic_store(&p->total, total);
    atomic_store(&p->done, done);
    return 0;
}

/* Listed: the network and its buffers; training state with --all-tensors. */
static int listed(const ws_tensor *t, int all)
{
    return all || t->kind != WS_KIND_STATE;
}

static json_t *num_or_null(double v) { return isfinite(v) ? json_real(v) : json_null(); }

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

static json_t *tensor_json(const ws_tensor *t, int with_stats)
{
    json_t *j = json_object(), *shape = json_array();
    for (int d = 0; d < t->ndim; d++)
        json_array_append_new(shape, json_integer(t->shape[d]));
    json_object_set_new(j, "name", cli_json_text(t->name));
    json_object_set_new(j, "role", t->role ? json_string(ws_role_name(t->role)) : json_null());
    json_object_set_new(j, "layer", t->layer >= 0 ? json_integer(t->layer) : json_null());
    json_object_set_new(j, "bias", json_boolean(t->is_bias));
    json_object_set_new(j, "kind", json_string(ws_kind_name(t->kind)));
    json_object_set_new(j, "shape", shape);
    json_object_set_new(j, "dtype", json_string(ws_dtype_name(t->dtype)));
    json_object_set_new(j, "params", json_integer(t->numel));
    json_object_set_new(j, "transposed", json_boolean(t->transposed));
    if (with_stats && t->has_stats) {
        const ws_stats *s = &t->stats;
        json_object_set_new(j, "mean", num_or_null(s->mean));
        json_object_set_new(j, "std", num_or_null(s->std));
        json_object_set_new(j, "min", num_or_null(s->min));
        json_object_set_new(j, "max", num_or_null(s->max));
        json_object_set_new(j, "fro_norm", num_or_null(s->fro_norm));
        json_object_set_new(j, "zero_frac", num_or_null(s->zero_frac));
        json_object_set_new(j, "nan", json_integer(s->n_nan));
        json_object_set_new(j, "inf", json_integer(s->n_inf));
    }
    return j;
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

static void files_json(const ws_model *m, json_t *root)
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
    json_object_set_new(root, "metadata", meta);
    json_object_set_new(root, "config_json", m->config_path ? json_string(m->config_path) : json_null());
    json_object_set_new(root, "config_json_keys", keys);
    json_object_set_new(root, "notes", notes);
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

static int print_json(const ws_model *m, int with_stats, int all)
{
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "file", cli_json_text(m->path));
    json_object_set_new(root, "layout", json_string(ws_layout_name(m->layout)));
    json_object_set_new(root, "config", config_json(m));
    json_object_set_new(root, "n_params", json_integer(m->params_kind[WS_KIND_NETWORK]));
    json_object_set_new(root, "n_tensors", json_integer((json_int_t)m->n_kind[WS_KIND_NETWORK]));
    json_object_set_new(root, "n_params_state", json_integer(m->params_kind[WS_KIND_STATE]));
    json_object_set_new(root, "n_tensors_state", json_integer((json_int_t)m->n_kind[WS_KIND_STATE]));
    json_object_set_new(root, "n_params_buffers", json_integer(m->params_kind[WS_KIND_BUFFER]));
    json_object_set_new(root, "n_tensors_buffers", json_integer((json_int_t)m->n_kind[WS_KIND_BUFFER]));
    files_json(m, root);
    for (size_t i = 0; i < m->n_tensors; i++)
        if (listed(&m->tensors[i], all))
            json_array_append_new(arr, tensor_json(&m->tensors[i], with_stats));
    json_object_set_new(root, "tensors", arr);
    int rc = json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(9)) == 0 ? 0 : 1;
    putchar('\n');
    json_decref(root);
    return rc;
}

static ws_table *tensor_table(const ws_model *m, int with_stats, int all)
{
    ws_table *t = ws_table_new();
    int c_name = ws_table_col(t, "name", NULL), c_role = ws_table_col(t, "role", NULL);
    int c_shape = ws_table_col(t, "shape", NULL), c_dt = ws_table_col(t, "dtype", NULL);
    int c_par = ws_table_col(t, "params", "%.0f");
    int c_s = with_stats ? ws_table_col(t, "mean", "%.4g") : -1;
    if (with_stats) {
        ws_table_col(t, "std", "%.4g");
        ws_table_col(t, "min", "%.4g");
        ws_table_col(t, "max", "%.4g");
        ws_table_col(t, "fro_norm", "%.4g");
        ws_table_col(t, "zeros", "%.3g");
        ws_table_col(t, "nan", "%.0f");
        ws_table_col(t, "inf", "%.0f");
    }
    for (size_t i = 0; i < m->n_tensors; i++) {
        const ws_tensor *x = &m->tensors[i];
        if (!listed(x, all))
            continue;
        int r = ws_table_row(t);
        char buf[128];
        ws_table_str(t, r, c_name, x->name);
        ws_table_str(t, r, c_role, ws_display_role(x, 1, buf, sizeof buf));
        ws_tensor_shape_text(x, buf, sizeof buf);
        if (x->transposed)
            strncat(buf, " (T)", sizeof buf - strlen(buf) - 1);
        ws_table_str(t, r, c_shape, buf);
        ws_table_str(t, r, c_dt, ws_dtype_name(x->dtype));
        ws_table_num(t, r, c_par, (double)x->numel);
        if (with_stats && x->has_stats) {
            const ws_stats *s = &x->stats;
            double v[] = {s->mean, s->std, s->min, s->max, s->fro_norm, s->zero_frac,
                          (double)s->n_nan, (double)s->n_inf};
            for (int k = 0; k < 8; k++)
                ws_table_num(t, r, c_s + k, v[k]);
        }
    }
    return t;
}

static void print_header(const ws_model *m, int all)
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
    putchar('\n');
}

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"no-stats", no_argument, 0, 'n'},
        {"all-tensors", no_argument, 0, 'a'}, {0, 0, 0, 0}};
    int json = 0, stats = 1, all = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') json = 1;
        else if (c == 'n') stats = 0;
        else if (c == 'a') all = 1;
        else return 2;
    }
    if (optind != argc - 1)
        return cli_failf("info", "usage: wscope info MODEL [--json] [--no-stats] [--all-tensors]");
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
    int rc;
    if (json) {
        rc = print_json(m, stats, all);
    } else {
        print_header(m, all);
        print_metadata(m);
        ws_table *t = tensor_table(m, stats, all);
        rc = cli_print_table(t, CLI_TEXT);
        ws_table_free(t);
    }
    ws_model_free(m);
    return rc;
}
