/* The reader table: each kind of file goes to its reader, a folder to the
 * folder reader, a missing path is an error, and a reader fills any sink
 * (here one that only counts), not only a model. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "model.h"
#include "reader.h"

static void expect_reader_at(const char *path, const char *rel, const char *name)
{
    ws_err e = {{0}};
    const ws_reader *r = ws_reader_for(path, &e);
    CHECKF(r && !strcmp(r->name, name), "%s: reader %s, expected %s (%s)", rel, r ? r->name : "none", name,
           e.msg);
}

static void expect_reader(const char *rel, const char *name)
{
    expect_reader_at(check_src(rel), rel, name);
}

typedef struct counter {
    int tensors, meta, maps;
    int64_t numel;
} counter;

static int count_add(void *ctx, const char *name, ws_dtype dt, int ndim, const int64_t *shape, void *data,
                     int own, ws_err *e)
{
    (void)name, (void)dt, (void)e;
    counter *c = ctx;
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    c->tensors++;
    c->numel += n;
    if (own)
        free(data);
    return 0;
}

static int count_has(void *ctx, const char *name)
{
    (void)ctx, (void)name;
    return 0;
}

static int count_meta(void *ctx, const char *key, const char *val, ws_err *e)
{
    (void)key, (void)val, (void)e;
    ((counter *)ctx)->meta++;
    return 0;
}

/* This sink does not keep the tensors, so it may release the mapping at
 * the end of the test: remember the last one. */
static void *last_addr;
static size_t last_len;

static int count_keep(void *ctx, void *addr, size_t len)
{
    ((counter *)ctx)->maps++;
    if (last_addr)
        munmap(last_addr, last_len);
    last_addr = addr;
    last_len = len;
    return 0;
}

/* The same file through a counting sink and into a model agree. */
static void test_other_sink(const char *rel)
{
    counter c = {0};
    ws_sink s = {&c, count_add, count_has, count_meta, count_keep};
    ws_err e = {{0}};
    CHECKF(ws_read_model(&s, check_src(rel), &e) == 0, "%s: %s", rel, e.msg);
    ws_model *m = NULL;
    CHECKF(ws_model_open(check_src(rel), &m, &e) == 0, "%s: %s", rel, e.msg);
    if (m) {
        CHECKF(c.tensors == (int)m->n_tensors, "%s: %d tensors counted, model has %zu", rel, c.tensors,
               m->n_tensors);
        CHECK(c.numel == m->n_params);
        CHECK(c.meta == (int)m->n_meta);
        CHECK(c.maps == 1);
    }
    ws_model_free(m);
}

int main(void)
{
    expect_reader("tests/fixtures/gpt/hf_tied.safetensors", "safetensors");
    expect_reader("tests/fixtures/formats/ckpt.pt", "torch");
    expect_reader("tests/fixtures/formats/legacy.pt", "torch");
    expect_reader("tests/fixtures/formats/arr_f4.npy", "npy");
    expect_reader("tests/fixtures/formats", "folder");

    char idx[] = "/tmp/wscope-reader-XXXXXX";
    int fd = mkstemp(idx);
    close(fd);
    char json[64];
    snprintf(json, sizeof json, "%s.json", idx);
    rename(idx, json);
    expect_reader_at(json, json, "safetensors-index");
    unlink(json);

    ws_err e = {{0}};
    CHECK(ws_reader_for("/nonexistent/model.safetensors", &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "No such file or directory");

    size_t n = 0;
    const ws_reader *all = ws_readers(&n);
    CHECK(n >= 5 && !strcmp(all[n - 1].name, "safetensors"));   /* the fallback stays last */

    test_other_sink("tests/fixtures/formats/ckpt.pt");
    test_other_sink("tests/fixtures/gpt/nanogpt_tied.safetensors");
    test_other_sink("tests/fixtures/formats/arr_f8_fortran.npy");
    if (last_addr)
        munmap(last_addr, last_len);
    return check_done();
}
