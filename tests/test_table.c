/* Described tables (table.h) and documents (doc.h): a small table with one
 * column of every kind through text, CSV and JSON (parsed back with
 * jansson); NaN prints empty / null; CSV quoting and JSON escaping
 * (control characters, bytes that are not UTF-8); the shortest round-trip
 * numbers; data-only columns; families of columns; sorting keeps the bar
 * flags with their rows; every table the engine builds has a description
 * for every column and JSON keys equal to its column keys. */
#include <jansson.h>
#include <stdint.h>

#include "analysis_tables.h"
#include "check.h"
#include "compare.h"
#include "doc.h"
#include "eval_table.h"
#include "fit_tables.h"
#include "init.h"
#include "model.h"
#include "table.h"
#include "tensor_table.h"

typedef struct item {
    const char *name;
    double x;
    int64_t n;
    int flag;
    int64_t dims[3];
    int ndim;
} item;

static const char *get_name(const void *row, int arg, char *buf, size_t n)
{
    (void)arg, (void)buf, (void)n;
    return ((const item *)row)->name;
}

static double get_num(const void *row, int arg)
{
    const item *r = row;
    return arg == 0 ? r->x : arg == 1 ? (double)r->n : r->flag;
}

static int get_dims(const void *row, int arg, int64_t dims[8])
{
    (void)arg;
    const item *r = row;
    for (int i = 0; i < r->ndim; i++)
        dims[i] = r->dims[i];
    return r->ndim;
}

/* A family: mean, std, z of x (arg 0, 1, 2) = x + 1, 2x, x / 2. */
static double get_null(const void *row, int arg)
{
    double x = ((const item *)row)->x;
    return arg == 0 ? x + 1 : arg == 1 ? 2 * x : x / 2;
}

static const ws_colspec cols[] = {
    {{"name", "Name", WS_COL_STR, NULL, "", "a label", WS_MORE_NONE, 0}, NULL, get_name, NULL, 0},
    {{"x", "X", WS_COL_NUM, "%.2f", "units", "a real number", WS_MORE_HIGHER, WS_COL_BARS}, get_num, NULL, NULL, 0},
    WS_COLS_NULL("x", "X", "x", "%.2f", get_null),
    {{"n", "N", WS_COL_INT, NULL, "", "a count", WS_MORE_LOWER, 0}, get_num, NULL, NULL, 1},
    {{"flag", "F", WS_COL_BOOL, NULL, "", "yes or no", WS_MORE_NONE, 0}, get_num, NULL, NULL, 2},
    {{"shape", "shape", WS_COL_SHAPE, NULL, "", "dimensions", WS_MORE_NONE, 0}, NULL, NULL, get_dims, 0},
    {{"hidden", "hidden", WS_COL_INT, NULL, "", "data only", WS_MORE_NONE, WS_COL_DATA}, get_num, NULL, NULL, 1},
};
enum { NCOLS = sizeof cols / sizeof *cols };

static ws_table *sample(void)
{
    ws_table *t = ws_table_new_named("sample", "a table of every kind");
    CHECK(ws_table_add_specs(t, cols, NCOLS) == 0);
    item rows[] = {
        {"plain", 2.5, 3, 1, {4, 5}, 2},
        {"comma, \"quote\"\nline", NAN, 12345678901LL, 0, {7}, 1},
        {"tab\tbad\xff\xfe" "end", 0.1, -2, 1, {0}, 0},
        {NULL, 1.0 / 3.0, 0, 0, {2, 3, 4}, -1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        CHECK(ws_table_add_item(t, &rows[i]) == (int)i);
    ws_table_set_bars(t, 1, 0);
    return t;
}

static char *write(int (*fn)(const ws_table *, FILE *), const ws_table *t)
{
    char *buf = NULL;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    CHECK(fn(t, fp) == 0);
    fclose(fp);
    return buf;
}

static void test_text_csv(void)
{
    ws_table *t = sample();
    char *text = write(ws_table_write_text, t);
    CHECK_STR_CONTAINS(text, "name");
    CHECK(strstr(text, "hidden") == NULL);               /* data-only: not in text */
    CHECK_STR_CONTAINS(text, "2.50");                   /* the column's format */
    CHECK_STR_CONTAINS(text, "12345678901");            /* integers in full */
    CHECK_STR_CONTAINS(text, "4x5");
    CHECK_STR_CONTAINS(text, "scalar");
    CHECK_STR_CONTAINS(text, "yes");
    free(text);

    char *csv = write(ws_table_write_csv, t);
    const char *want =
        "name,x,x_null_mean,x_null_std,x_z,n,flag,shape,hidden\n"
        "plain,2.5,3.5,5,1.25,3,true,4x5,3\n"
        "\"comma, \"\"quote\"\"\\nline\",,,,,12345678901,false,7,12345678901\n";
    CHECKF(!strncmp(csv, want, strlen(want)), "csv:\n%s", csv);
    /* 1/3: the shortest text that reads back as the same float32, not 17
     * digits; an empty shape. */
    CHECK_STR_CONTAINS(csv, "\n,0.33333333,1.33333333,0.6666667,0.16666667,0,false,,0\n");
    free(csv);
    ws_table_free(t);
}

static void test_json(void)
{
    ws_doc *d = ws_doc_new("test");
    ws_doc_model(d, "model", "dir/m\"odel.safetensors");
    ws_doc_param_num(d, "tol", 0.01);
    ws_doc_param_num(d, "lr", 3e-4);
    ws_doc_param_int(d, "k", 8);
    ws_doc_param_bool(d, "amp", 1);
    ws_doc_param_str(d, "none", NULL);
    const char *files[] = {"a.txt", "b.txt"};
    ws_doc_param_strs(d, "data", files, 2);
    ws_doc_field(d, "extra", "{\"a\": [1, 2]}");
    CHECK(ws_doc_table(d, sample()) == 0);
    CHECK(ws_doc_ok(d));
    char *buf = NULL;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    CHECK(ws_doc_write(d, WS_DOC_JSON, fp) == 0);
    fclose(fp);
    json_error_t err;
    json_t *root = json_loads(buf, 0, &err);
    CHECKF(root != NULL, "invalid JSON: %s (line %d)\n%s", err.text, err.line, buf);
    CHECK_STR_CONTAINS(buf, "\"tol\": 0.01,");       /* shortest double form */
    CHECK_STR_CONTAINS(buf, "\"lr\": 0.0003,");
    json_t *p = json_object_get(root, "parameters");
    CHECK(json_integer_value(json_object_get(p, "k")) == 8);
    CHECK(json_is_true(json_object_get(p, "amp")));
    CHECK(json_is_null(json_object_get(p, "none")));
    CHECK(json_array_size(json_object_get(p, "data")) == 2);
    CHECK(!strcmp(json_string_value(json_object_get(root, "command")), "test"));
    CHECK(!strcmp(json_string_value(json_object_get(root, "model")), "dir/m\"odel.safetensors"));
    CHECK(json_array_size(json_object_get(json_object_get(root, "extra"), "a")) == 2);
    json_t *tab = json_object_get(json_object_get(root, "tables"), "sample");
    CHECK(!strcmp(json_string_value(json_object_get(tab, "description")), "a table of every kind"));
    json_t *c = json_object_get(tab, "columns"), *rows = json_object_get(tab, "rows");
    CHECK(json_array_size(c) == NCOLS);
    CHECK(json_array_size(rows) == 4);
    json_t *c1 = json_array_get(c, 1);
    CHECK(!strcmp(json_string_value(json_object_get(c1, "title")), "X"));
    CHECK(!strcmp(json_string_value(json_object_get(c1, "unit")), "units"));
    CHECK(!strcmp(json_string_value(json_object_get(c1, "more")), "higher"));
    CHECK(json_is_true(json_object_get(c1, "bars")));
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(c, 2), "description")),
                  "mean of x over the null baseline"));
    json_t *r0 = json_array_get(rows, 0), *r1 = json_array_get(rows, 1), *r2 = json_array_get(rows, 2),
           *r3 = json_array_get(rows, 3);
    CHECK(json_real_value(json_object_get(r0, "x")) == 2.5);
    CHECK(json_real_value(json_object_get(r0, "x_z")) == 1.25);
    CHECK(json_is_true(json_object_get(r0, "flag")));
    json_t *shape = json_object_get(r0, "shape");
    CHECK(json_array_size(shape) == 2 && json_integer_value(json_array_get(shape, 1)) == 5);
    CHECK(json_is_null(json_object_get(r1, "x")));     /* NaN: null */
    CHECK(json_is_null(json_object_get(r1, "x_null_mean")));
    CHECK(json_integer_value(json_object_get(r1, "n")) == 12345678901LL);
    /* JSON keeps UTF-8 text exactly; text that is not UTF-8 is escaped
     * (escape.h); CSV and text escape control characters too. */
    CHECK(!strcmp(json_string_value(json_object_get(r1, "name")), "comma, \"quote\"\nline"));
    CHECK(!strcmp(json_string_value(json_object_get(r2, "name")), "tab\\tbad\\xff\\xfeend"));
    CHECK(json_array_size(json_object_get(r2, "shape")) == 0);
    CHECK(json_is_null(json_object_get(r3, "name")));
    CHECK(json_is_null(json_object_get(r3, "shape")));
    CHECK((float)json_real_value(json_object_get(r3, "x")) == (float)(1.0 / 3.0));
    /* Every row's keys are the column keys. */
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        CHECK(json_object_size(r) == NCOLS);
        for (size_t k = 0; k < json_array_size(c); k++)
            CHECK(json_object_get(r, json_string_value(json_object_get(json_array_get(c, k), "key"))));
    }
    json_decref(root);
    free(buf);
    ws_doc_free(d);
}

static void test_numbers(void)
{
    char b[64];
    CHECK(!strcmp(ws_fmt_num(0.1, 9, b, sizeof b), "0.1"));
    CHECK(!strcmp(ws_fmt_num(0.1f, 9, b, sizeof b), "0.1"));
    CHECK(!strcmp(ws_fmt_num(32.0 / 9, 9, b, sizeof b), "3.5555556"));
    CHECK(!strcmp(ws_fmt_num(32.0 / 9, 17, b, sizeof b), "3.5555555555555554"));
    CHECK(!strcmp(ws_fmt_num(1e-30, 9, b, sizeof b), "1e-30"));
    CHECK(!strcmp(ws_fmt_num(-2, 9, b, sizeof b), "-2"));
    CHECK(!strcmp(ws_fmt_num(10, 9, b, sizeof b), "10"));
    CHECK(!strcmp(ws_fmt_num(123000, 9, b, sizeof b), "123000"));
    CHECK(!strcmp(ws_fmt_num(1e10, 9, b, sizeof b), "1e+10"));
    CHECK(!strcmp(ws_fmt_num(NAN, 9, b, sizeof b), ""));
    /* Every float32 pattern in a sweep reads back exactly. */
    int bad = 0;
    for (uint32_t u = 0x00800000; u < 0x7f000000; u += 0x00012345) {
        float f;
        memcpy(&f, &u, sizeof f);
        bad += (float)strtod(ws_fmt_num(f, 9, b, sizeof b), NULL) != f || strlen(b) > 15;
    }
    CHECK(bad == 0);
}

static void test_sort_and_find(void)
{
    ws_table *t = sample();
    CHECK(ws_table_find(t, "n") == 5);
    CHECK(ws_table_find(t, "nope") == -1);
    CHECK(!strcmp(ws_table_col_desc(t, 1)->desc, "a real number"));
    ws_table_sort(t, 1, 1);   /* x descending, NaN last */
    char b[64];
    CHECK(!strcmp(ws_table_cell_text(t, 0, 0, b, sizeof b), "plain"));
    CHECK(ws_table_cell_empty(t, 3, 1));
    CHECK(!ws_table_in_bars(t, 3));   /* the bar flag moved with its row */
    CHECK(ws_table_in_bars(t, 0));
    ws_table_sort(t, 0, 0);   /* names, empty last */
    CHECK(ws_table_cell_empty(t, 3, 0));
    ws_table_free(t);
}

/* Each engine table: every column described, its rows keyed by exactly
 * the column keys in the JSON. */
static void check_described(ws_table *t, const char *name)
{
    CHECKF(t != NULL, "%s: no table", name);
    if (!t)
        return;
    CHECK(!strcmp(ws_table_name(t), name));
    CHECK(ws_table_desc(t)[0] != 0);
    for (int c = 0; c < ws_table_ncols(t); c++) {
        const ws_col *d = ws_table_col_desc(t, c);
        CHECKF(d->desc[0] && d->title[0], "%s.%s has no description or title", name, d->key);
        CHECKF(ws_table_find(t, d->key) == c, "%s.%s: key twice", name, d->key);
    }
    ws_doc *doc = ws_doc_new("check");
    ws_doc_table(doc, t);
    char *buf = NULL;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    ws_doc_write(doc, WS_DOC_JSON, fp);
    fclose(fp);
    json_t *root = json_loads(buf, 0, NULL);
    json_t *tab = json_object_get(json_object_get(root, "tables"), name);
    json_t *cols = json_object_get(tab, "columns"), *rows = json_object_get(tab, "rows");
    CHECKF(json_array_size(cols) == (size_t)ws_table_ncols(t), "%s: columns", name);
    CHECKF(json_array_size(rows) == (size_t)ws_table_nrows(t), "%s: rows", name);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        CHECK(json_object_size(r) == json_array_size(cols));
        for (int c = 0; c < ws_table_ncols(t); c++)
            CHECKF(json_object_get(r, ws_table_col_name(t, c)), "%s row %zu: no %s", name, i,
                   ws_table_col_name(t, c));
    }
    json_decref(root);
    free(buf);
    ws_doc_free(doc);
}

static void test_engine_tables(void)
{
    ws_init_opts io = {.n_layer = 2, .n_embd = 16, .n_head = 2, .vocab_size = 30, .block_size = 8,
                       .bias = 1, .seed = 1};
    ws_err e = {{0}};
    ws_model *m = ws_init_gpt(&io, &e);
    CHECKF(m != NULL, "%s", e.msg);
    if (!m)
        return;
    ws_analysis *a = ws_analysis_new(m, NULL, &e);
    CHECKF(a && ws_analysis_compute(a, WS_AN_ALL, NULL, &e) == 0, "%s", e.msg);
    CHECKF(ws_analysis_set_base(a, m, &e) == 0 && ws_analysis_compute(a, WS_AN_DRIFT, NULL, &e) == 0, "%s", e.msg);
    check_described(ws_layers_table(a, 1), "layers");
    check_described(ws_drift_table(&a->drift), "drift");
    check_described(ws_eigen_table(&a->spec, 0), "eigenvalues");
    check_described(ws_pairs_table(&a->spec), "pairs");
    check_described(ws_energy_table(a), "energy");
    check_described(ws_basis_table(a, NULL), "basis");
    check_described(ws_corpus_table(a, NULL), "corpus");
    ws_table *layers = ws_layers_table(a, 1);
    CHECK(ws_table_nrows(layers) == (int)a->n + 1);
    CHECK(!ws_table_in_bars(layers, (int)a->n));   /* the all-layers row */
    ws_table_free(layers);
    check_described(ws_tensor_table(m, 0, 0), "tensors");
    check_described(ws_eval_table(2.0, 3, 8), "eval");

    ws_fit_table_opts fo = {2, 1, 1, 1};
    ws_table *fits = ws_fit_summary_table(&fo);
    ws_fit_summary s = {.rows = 30, .cols = 16, .fitted = 30, .K = 4, .r2 = 0.9, .centre_ev_r = NAN};
    ws_fit_l2 l2 = {.r2_params = 0.5, .r2_rows = 0.4, .compression = 2};
    CHECK(ws_fit_summary_add(fits, &m->tensors[0], &s, &l2, 1.5) == 0);
    CHECK(ws_table_find(fits, "seconds") >= 0 && ws_table_find(fits, "l2_r2_rows") >= 0 &&
          ws_table_find(fits, "centre_ev_r") >= 0 && ws_table_find(fits, "pred_amp_r2") >= 0 &&
          ws_table_find(fits, "amp_sv_p") >= 0 && ws_table_find(fits, "params_l2") >= 0);
    check_described(fits, "fits");
    ws_fit_table_opts plain = {1, 0, 0, 0};
    fits = ws_fit_summary_table(&plain);
    CHECK(ws_table_find(fits, "seconds") < 0 && ws_table_find(fits, "l2_r2_rows") < 0 &&
          ws_table_find(fits, "pred_amp_r2") < 0 && ws_table_find(fits, "sigma_cv") >= 0);
    ws_table_free(fits);
    ws_table *comps = ws_fit_components_table(1);
    CHECK(ws_fit_components_add(comps, &m->tensors[0], &s) == 0 && ws_table_nrows(comps) == 4);
    check_described(comps, "components");
    ws_table *rows = ws_fit_rows_table(3);
    CHECK(ws_table_find(rows, "sigma2") >= 0 && ws_table_find(rows, "A3") < 0);
    check_described(rows, "rows");

    ws_strategy st[2];
    CHECK(ws_strategy_parse("full", &st[0], &e) == 0 && ws_strategy_parse("frozen:*=freeze", &st[1], &e) == 0);
    ws_compare_run runs[4] = {{3, 2, 2.5, 0}, {3, 2.2, 2.4, 0}, {3, 3, 3, 0}, {3, 3, 3, 0}};
    ws_compare c = {.n_strat = 2, .n_seeds = 2, .steps = 10, .runs = runs};
    ws_table *ct = ws_compare_table(&c, st, &e);
    CHECK_NEAR(ws_table_cell_num(ct, 0, ws_table_find(ct, "val_end_mean")), 2.1, 1e-12);
    CHECK_NEAR(ws_table_cell_num(ct, 1, ws_table_find(ct, "vs_first_pct")), 100 * (3 - 2.1) / 2.1, 1e-9);
    check_described(ct, "strategies");
    ws_strategy_free(&st[0]);
    ws_strategy_free(&st[1]);
    ws_analysis_free(a);
    ws_model_free(m);
}

int main(void)
{
    test_text_csv();
    test_json();
    test_numbers();
    test_sort_and_find();
    test_engine_tables();
    return check_done();
}
