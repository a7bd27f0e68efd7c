/* json_check PATH...: read JSON on stdin, fail unless it parses and every
 * PATH exists. A PATH is dot-separated keys and array indexes, e.g.
 * config.n_layer or tensors.0.fro_norm. `PATH=VALUE` also compares the
 * value's text (numbers compared as numbers). Used by the shell tests. */
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

int main(int argc, char **argv)
{
    json_error_t err;
    json_t *root = json_loadf(stdin, 0, &err);
    if (!root) {
        fprintf(stderr, "json_check: invalid JSON: %s (line %d)\n", err.text, err.line);
        return 1;
    }
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s", argv[i]);
        char *eq = strchr(path, '=');
        if (eq)
            *eq++ = 0;
        json_t *v = lookup(root, path);
        if (!v || (eq && !value_matches(v, eq))) {
            fprintf(stderr, "json_check: %s %s\n", argv[i], v ? "has another value" : "is missing");
            bad = 1;
        }
    }
    json_decref(root);
    return bad;
}
