/* A command's output document: the one output contract of the CLI.
 *
 * Every JSON a command prints or writes is one object:
 *
 *   {"command": "pr",
 *    "model": "a.safetensors",            (and "tuned": ... for two models)
 *    "parameters": {"centred": true, "k": 8, ...},
 *    "tables": {"layers": {"description": ..., "columns": [...], "rows": [...]},
 *               ...}}
 *
 * plus, for some commands, fields of their own after "parameters" (info:
 * layout, config, counts). Each table is a described table (table.h): its
 * columns' keys, titles, kinds, units and descriptions come first, then
 * one object per row keyed by the column keys. CSV shows the document's
 * first table only; text shows every table (after the first, only those
 * with rows), each after a blank line. Numbers follow table.h's rule (shortest round-trip form); a
 * parameter given as a double prints in its shortest double form. */
#ifndef WS_DOC_H
#define WS_DOC_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "table.h"

typedef struct ws_doc ws_doc;

typedef enum ws_doc_fmt { WS_DOC_TEXT, WS_DOC_CSV, WS_DOC_JSON } ws_doc_fmt;

ws_doc *ws_doc_new(const char *command);
/* Frees the tables it owns too. */
void ws_doc_free(ws_doc *d);

/* A model path under `key` ("model", "tuned"). */
int ws_doc_model(ws_doc *d, const char *key, const char *path);

/* Parameters, in the order given. NaN numbers and NULL strings are null. */
int ws_doc_param_str(ws_doc *d, const char *key, const char *v);
int ws_doc_param_int(ws_doc *d, const char *key, int64_t v);
int ws_doc_param_num(ws_doc *d, const char *key, double v);
int ws_doc_param_bool(ws_doc *d, const char *key, int v);
int ws_doc_param_strs(ws_doc *d, const char *key, const char *const *v, size_t n);
/* A parameter whose value is a complete JSON text (an object of options). */
int ws_doc_param_json(ws_doc *d, const char *key, const char *json);

/* A top-level field of the command's own (after the parameters): `json` is
 * a complete JSON value, copied. */
int ws_doc_field(ws_doc *d, const char *key, const char *json);

/* Every adding function returns 0, or -1 when out of memory (or given a
 * NULL table); the document remembers the failure: ws_doc_ok. */
int ws_doc_ok(const ws_doc *d);

/* Add a table under its name; the document owns it from now on (also on
 * failure). ws_doc_table_ref adds one the caller keeps and frees after
 * the document. */
int ws_doc_table(ws_doc *d, ws_table *t);
int ws_doc_table_ref(ws_doc *d, const ws_table *t);
ws_table *ws_doc_get_table(const ws_doc *d, size_t i);

int ws_doc_write(const ws_doc *d, ws_doc_fmt f, FILE *fp);
/* Write to a file atomically, the format chosen by the extension (.csv,
 * .json, else text). */
int ws_doc_export(const ws_doc *d, const char *path, ws_err *e);

/* JSON string syntax for `s` (UTF-8 exactly, control characters as
 * \u00XX; text that is not UTF-8 through escape.h first), for whoever
 * writes JSON by hand. */
void ws_json_string(FILE *fp, const char *s);

#endif
