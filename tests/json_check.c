/* json_check [-r ROOT] PATH...: read JSON on stdin, fail unless it parses
 * and every PATH exists. A PATH is dot-separated keys and array indexes,
 * e.g. config.n_layer or tensors.0.fro_norm. `PATH=VALUE` also compares the
 * value's text (numbers compared as numbers). `-r ROOT` makes the PATHs
 * after it relative to ROOT (-r tables.layers.rows: 0.pr is the first
 * row's pr). `-k TABLE` checks that every row of tables.TABLE has exactly
 * the keys of its columns. Used by the shell tests. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *lookup(json_t *v, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, ".")) {
        char *end;
        long i = strtol(tok, &end, 10);
        v = json_is_array(v) && !*end ? json_array_get(v, (size_t)i) : json_object_get(v, tok);
    }
    return v;
}

static int value_matches(json_t *v, const char *want)
{
    if (json_is_number(v))
        return json_number_value(v) == strtod(want, NULL);
    if (json_is_string(v))
        return !strcmp(json_string_value(v), want);
    if (json_is_boolean(v))
        return !strcmp(want, json_is_true(v) ? "true" : "false");
    return json_is_null(v) && !strcmp(want, "null");
}

/* Every row of tables.NAME has exactly the keys of tables.NAME.columns. */
static int check_keys(json_t *root, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "tables.%s", name);
    json_t *t = lookup(root, path), *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows");
    if (!json_is_array(cols) || !json_is_array(rows) || json_array_size(cols) == 0) {
        fprintf(stderr, "json_check: %s has no columns or rows\n", path);
        return 1;
    }
    int bad = 0;
    size_t i, k;
    json_t *r, *c;
    json_array_foreach(rows, i, r) {
        bad |= json_object_size(r) != json_array_size(cols);
        json_array_foreach(cols, k, c) {
            const char *key = json_string_value(json_object_get(c, "key"));
            if (!key || !json_object_get(r, key) || !json_is_string(json_object_get(c, "description")) ||
                !json_is_string(json_object_get(c, "title"))) {
                fprintf(stderr, "json_check: %s row %zu: column %s not described or missing\n", path, i,
                        key ? key : "?");
                bad = 1;
            }
        }
    }
    if (bad)
        fprintf(stderr, "json_check: %s: row keys differ from the column keys\n", path);
    return bad;
}

int main(int argc, char **argv)
{
    json_error_t err;
    json_t *root = json_loadf(stdin, 0, &err);
    if (!root) {
        fprintf(stderr, "json_check: invalid JSON: %s (line %d)\n", err.text, err.line);
        return 1;
    }
    int bad = 0;
    json_t *base = root;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc) {
            base = lookup(root, argv[++i]);
            if (!base) {
                fprintf(stderr, "json_check: root %s is missing\n", argv[i]);
                bad = 1;
                base = root;
            }
            continue;
        }
        if (!strcmp(argv[i], "-k") && i + 1 < argc) {
            bad |= check_keys(root, argv[++i]);
            continue;
        }
        char path[512];
        snprintf(path, sizeof path, "%s", argv[i]);
        char *eq = strchr(path, '=');
        if (eq)
            *eq++ = 0;
        json_t *v = lookup(base, path);
        if (!v || (eq && !value_matches(v, eq))) {
            fprintf(stderr, "json_check: %s %s\n", argv[i], v ? "has another value" : "is missing");
            bad = 1;
        }
    }
    json_decref(root);
    return bad;
}
