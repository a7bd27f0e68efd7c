/* Metadata values in a line each (metadata.h). */
#include "metadata.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void size_text(size_t bytes, char *buf, size_t n)
{
    if (bytes < 10 * 1024)
        snprintf(buf, n, "%zu bytes", bytes);
    else if (bytes < 10 * 1024 * 1024)
        snprintf(buf, n, "%zu KB", (bytes + 512) / 1024);
    else
        snprintf(buf, n, "%zu MB", (bytes + 512 * 1024) / (1024 * 1024));
}

/* "word tokenizer, 4000 tokens (31 KB)", or 0 when not a tokenizer. */
static int tokenizer_line(json_t *o, size_t bytes, char *buf, size_t n)
{
    json_t *type = json_object_get(o, "type"), *vocab = json_object_get(o, "vocab");
    if (!json_is_string(type) || !(json_is_array(vocab) || json_is_object(vocab)))
        return 0;
    char sz[32];
    size_text(bytes, sz, sizeof sz);
    snprintf(buf, n, "%s tokenizer, %zu tokens (%s)", json_string_value(type),
             json_is_array(vocab) ? json_array_size(vocab) : json_object_size(vocab), sz);
    return 1;
}

/* train.policy: {"NAME": {"policy": "freeze", "frozen": true}, ...} as counts. */
static int policy_line(json_t *o, char *buf, size_t n)
{
    const char *names[16];
    size_t counts[16], kinds = 0, frozen = 0, total = 0, other = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        json_t *p = json_object_get(v, "policy");
        if (!json_is_string(p))
            return 0;
        total++;
        frozen += json_is_true(json_object_get(v, "frozen"));
        size_t i = 0;
        while (i < kinds && strcmp(names[i], json_string_value(p)))
            i++;
        if (i == kinds && kinds < 16) {
            names[kinds] = json_string_value(p);
            counts[kinds++] = 0;
        }
        if (i < kinds)
            counts[i]++;
        else
            other++;
    }
    size_t used = (size_t)snprintf(buf, n, "%zu tensors:", total);
    for (size_t i = 0; i < kinds && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s %zu %s", i ? "," : "", counts[i], names[i]);
    if (other && used < n)
        used += (size_t)snprintf(buf + used, n - used, ", %zu other", other);
    if (used < n)
        snprintf(buf + used, n - used, " (%zu frozen)", frozen);
    return 1;
}

/* "k=v k=v ..." of a flat object when it fits in `max`, else 0. */
static int pairs_line(json_t *o, size_t max, char *buf, size_t n)
{
    size_t used = 0;
    const char *k;
    json_t *v;
    buf[0] = 0;
    json_object_foreach(o, k, v) {
        char *val = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
                                                              JSON_REAL_PRECISION(9));
        const char *text = val ? val : json_string_value(v);
        int w = snprintf(buf + used, used < n ? n - used : 0, "%s%s=%s", used ? " " : "", k,
                         text ? text : "");
        free(val);
        used += (size_t)w;
        if (used > max || used >= n)
            return 0;
    }
    return 1;
}

int ws_meta_is_long(const char *val, size_t max)
{
    return strlen(val) > max;
}

const char *ws_meta_describe(const char *key, const char *val, size_t max, char *buf, size_t n)
{
    size_t bytes = strlen(val);
    json_t *o = bytes > 1 && val[0] == '{' ? json_loads(val, 0, NULL) : NULL;
    int done = 0;
    if (json_is_object(o)) {
        done = tokenizer_line(o, bytes, buf, n) ||
               (!strcmp(key, "train.policy") && policy_line(o, buf, n)) ||
               pairs_line(o, max, buf, n);
        if (!done) {
            char sz[32];
            size_text(bytes, sz, sizeof sz);
            snprintf(buf, n, "JSON object, %zu keys (%s)", json_object_size(o), sz);
            done = 1;
        }
    }
    json_decref(o);
    if (done)
        return buf;
    if (bytes <= max)
        snprintf(buf, n, "%s", val);
    else
        snprintf(buf, n, "%zu bytes of text", bytes);
    return buf;
}
