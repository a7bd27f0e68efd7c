/* Hugging Face model folders: config.json, shards, the title (hf_folder.h). */
#include "hf_folder.h"

#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inputs.h"

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder holding the model: the path itself, or the file's folder. */
static void folder_of(const char *path, char *buf, size_t n)
{
    if (is_dir(path)) {
        snprintf(buf, n, "%s", path);
        return;
    }
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, n, ".");
    else if (slash == path)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* ---- config.json ---- */

typedef enum { V_INT, V_NUM, V_STR, V_BOOL } vkind;

/* Metadata key <- the config keys that may hold it (GPT-2's, then the
 * generic HF names). How to add one: a line here; derive_config in
 * layout.c reads the metadata key. */
static const struct {
    const char *meta;
    const char *keys[3];
    vkind kind;
} config_keys[] = {
    {"n_head", {"n_head", "num_attention_heads"}, V_INT},
    {"n_layer", {"n_layer", "num_hidden_layers"}, V_INT},
    {"n_embd", {"n_embd", "hidden_size"}, V_INT},
    {"vocab_size", {"vocab_size"}, V_INT},
    {"n_positions", {"n_positions", "max_position_embeddings"}, V_INT},
    {"layer_norm_epsilon", {"layer_norm_epsilon", "layer_norm_eps"}, V_NUM},
    {"activation_function", {"activation_function", "hidden_act"}, V_STR},
    {"tie_word_embeddings", {"tie_word_embeddings"}, V_BOOL},
};

/* The value as metadata text; 0 when absent or of another type. */
static int value_text(json_t *root, const char *const *keys, vkind kind, char *buf, size_t n)
{
    for (int i = 0; i < 3 && keys[i]; i++) {
        json_t *v = json_object_get(root, keys[i]);
        if (kind == V_INT && json_is_integer(v) && json_integer_value(v) > 0)
            snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        else if (kind == V_NUM && json_is_number(v) && json_number_value(v) > 0)
            snprintf(buf, n, "%.9g", json_number_value(v));
        else if (kind == V_STR && json_is_string(v))
            snprintf(buf, n, "%s", json_string_value(v));
        else if (kind == V_BOOL && json_is_boolean(v))
            snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
        else
            continue;
        return 1;
    }
    return 0;
}

/* A width or vocabulary that contradicts the embedding: the config.json
 * belongs to another model. Returns the reason, or NULL. */
static const char *contradiction(const ws_model *m, json_t *root, char *buf, size_t n)
{
    ws_tensor *emb = ws_model_get(m, WS_ROLE_EMBED, -1, 0);
    char v[64];
    if (!emb || emb->ndim != 2)
        return NULL;
    static const char *const embd[] = {"n_embd", "hidden_size", NULL};
    static const char *const vocab[] = {"vocab_size", NULL, NULL};
    if (value_text(root, embd, V_INT, v, sizeof v) && atoll(v) != emb->shape[1]) {
        snprintf(buf, n, "its n_embd %s is not the embedding's width %lld", v, (long long)emb->shape[1]);
        return buf;
    }
    if (value_text(root, vocab, V_INT, v, sizeof v) && atoll(v) != emb->shape[0]) {
        snprintf(buf, n, "its vocab_size %s is not the embedding's %lld rows", v,
                 (long long)emb->shape[0]);
        return buf;
    }
    return NULL;
}

static void apply_config(ws_model *m, const char *folder)
{
    char path[PATH_MAX + 16], why[160];
    snprintf(path, sizeof path, "%s/config.json", folder);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    json_error_t je = {0};
    FILE *fp = ws_input_fopen(path, NULL);   /* an input: never replaced */
    json_t *root = fp ? json_loadf(fp, 0, &je) : NULL;
    if (fp)
        fclose(fp);
    if (!json_is_object(root)) {
        snprintf(m->config_note, sizeof m->config_note, "config.json beside the model: %.160s (not used)",
                 root ? "not a JSON object" : je.text);
        json_decref(root);
        return;
    }
    const char *bad = contradiction(m, root, why, sizeof why);
    if (bad) {
        snprintf(m->config_note, sizeof m->config_note, "config.json beside the model: %.160s (not used)",
                 bad);
        json_decref(root);
        return;
    }
    free(m->config_path);
    m->config_path = strdup(path);
    size_t used = 0;
    m->config_keys[0] = 0;
    for (size_t i = 0; i < sizeof config_keys / sizeof *config_keys; i++) {
        char v[256];
        if (ws_model_meta(m, config_keys[i].meta) ||
            !value_text(root, config_keys[i].keys, config_keys[i].kind, v, sizeof v) ||
            ws_model_set_meta(m, config_keys[i].meta, v, NULL) != 0)
            continue;
        used += (size_t)snprintf(m->config_keys + used, used < sizeof m->config_keys ?
                                 sizeof m->config_keys - used : 0, "%s%s", used ? " " : "",
                                 config_keys[i].meta);
    }
    json_decref(root);
}

/* ---- shards ---- */

/* "NAME-0000K-of-0000N.safetensors": K and N, or 0. */
static int shard_numbers(const char *name, long *k, long *n)
{
    const char *of = strstr(name, "-of-");
    if (!of)
        return 0;
    const char *p = of;
    while (p > name && isdigit((unsigned char)p[-1]))
        p--;
    if (p == of || p == name || p[-1] != '-')
        return 0;
    char *end;
    *k = strtol(p, NULL, 10);
    *n = strtol(of + 4, &end, 10);
    return end != of + 4 && !strcmp(end, ".safetensors") && *k >= 1 && *n > 1 && *k <= *n;
}

void ws_hf_folder_apply(ws_model *m, const char *path)
{
    char folder[PATH_MAX];
    folder_of(path, folder, sizeof folder);
    apply_config(m, folder);
    long k, n;
    if (!is_dir(path) && shard_numbers(base_name(path), &k, &n))
        snprintf(m->shard_note, sizeof m->shard_note,
                 "one shard (%ld of %ld) of a sharded model: open the folder for all of it", k, n);
    if (m->config_path)
        ws_model_recognise(m);
}

const char *ws_model_title(const ws_model *m, char *buf, size_t n)
{
    const char *path = m->path ? m->path : "";
    const char *b = base_name(path);
    long k, s;
    int folder = is_dir(path) || !*b || !strcmp(b, "model.safetensors") ||
                 !strcmp(b, "model.safetensors.index.json") || shard_numbers(b, &k, &s);
    if (!folder) {
        snprintf(buf, n, "%s", b);
        return buf;
    }
    char dir[PATH_MAX], real[PATH_MAX];
    folder_of(path, dir, sizeof dir);
    if (realpath(dir, real))
        snprintf(dir, sizeof dir, "%s", real);
    size_t l = strlen(dir);
    while (l > 1 && dir[l - 1] == '/')
        dir[--l] = 0;
    snprintf(buf, n, "%s", base_name(dir));
    return buf;
}
