/* wscope info: layout, config, parameter counts and every tensor. */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
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

static const char usage_text[] =
    "usage: wscope info MODEL [--json] [--no-stats] [--all-tensors]\n"
    "Layout, config, parameter counts and a table of the network's tensors\n"
    "(with statistics unless --no-stats; training state too with --all-tensors).\n";

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"no-stats", no_argument, 0, 'n'},
        {"all-tensors", no_argument, 0, 'a'}, {0, 0, 0, 0}};
    int json = 0, stats = 1, all = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "", opts, usage_text)) != -1) {
        if (c == 'j') json = 1;
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
    int rc;
    if (json) {
        rc = print_json(m, stats, all);
    } else {
        print_header(m, all);
        ws_table *t = tensor_table(m, stats, all);
        rc = cli_print_table(t, CLI_TEXT);
        ws_table_free(t);
    }
    ws_model_free(m);
    return rc;
}
