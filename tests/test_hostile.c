/* Hostile input, unit by unit: the one escaping function, strided views
 * whose sizes overflow, the unpickler's memory cap, the input registry and
 * the output checks. (The crafted files: tests/cli_hostile.sh.) */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "check.h"
#include "escape.h"
#include "inputs.h"
#include "pickle.h"
#include "strided.h"

static void test_escape(void)
{
    char buf[64];
    CHECK(ws_escape(buf, sizeof buf, "plain name.weight") == 17 && !strcmp(buf, "plain name.weight"));
    ws_escape(buf, sizeof buf, "a\x1b[31mb");
    CHECK(!strcmp(buf, "a\\x1b[31mb"));
    ws_escape(buf, sizeof buf, "one\ntwo\r\tx\x7f");
    CHECK(!strcmp(buf, "one\\ntwo\\r\\tx\\x7f"));
    ws_escape(buf, sizeof buf, "σ λ é 😀");   /* valid UTF-8 passes */
    CHECK(!strcmp(buf, "σ λ é 😀"));
    ws_escape(buf, sizeof buf, "w\xff\xfe");   /* not UTF-8 */
    CHECK(!strcmp(buf, "w\\xff\\xfe"));
    ws_escape(buf, sizeof buf, "\xc2\x9b" "1m");   /* C1 CSI, encoded in UTF-8 */
    CHECK(!strcmp(buf, "\\xc2\\x9b1m"));
    ws_escape(buf, sizeof buf, "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80");   /* overlong, surrogate, > U+10FFFF */
    CHECK(!strcmp(buf, "\\xc0\\xaf|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80"));
    ws_escape(buf, sizeof buf, "\xe2\x82");   /* truncated sequence at the end */
    CHECK(!strcmp(buf, "\\xe2\\x82"));
    /* Cut like snprintf, never inside an escape or a character. */
    CHECK(ws_escape(buf, 6, "ab\x01" "cd") == 8 && !strcmp(buf, "ab"));
    CHECK(ws_escape(buf, 4, "aσb") == 4 && !strcmp(buf, "aσ"));
    CHECK(ws_escape(NULL, 0, "\n") == 2);
    CHECK(ws_text_is_clean("fine σ") && !ws_text_is_clean("x\n") && !ws_text_is_clean("\xff"));
    char *d = ws_escape_dup("\a");
    CHECK(d && !strcmp(d, "\\x07"));
    free(d);
    ws_err e;
    ws_fail(&e, "tensor \"%s\": bad", "line1\nline2\x1b");
    ws_err_printable(&e);
    CHECK(!strcmp(e.msg, "tensor \"line1\\nline2\\x1b\": bad"));
}

static void test_strided(void)
{
    int64_t shape[3] = {0, 2147483648LL, 8589934592LL}, stride[3] = {1, 8589934592LL, 1};
    CHECK(ws_is_c_contiguous(3, shape, stride));   /* empty: no overflow, nothing to copy */
    int64_t s2[2] = {4294967296LL, 4294967296LL}, st2[2] = {4294967296LL, 1};
    CHECK(!ws_is_c_contiguous(2, s2, st2));   /* 2^64 elements: refused, no signed overflow */
    int64_t s3[2] = {3, 4}, st3[2] = {4, 1}, st4[2] = {1, 3};
    CHECK(ws_is_c_contiguous(2, s3, st3));
    CHECK(!ws_is_c_contiguous(2, s3, st4));
}

static int pk(const unsigned char *b, size_t n, ws_err *e, size_t *bytes)
{
    ws_pk_arena A = {0};
    ws_pk *r = ws_pk_load(b, n, &A, e);
    if (bytes)
        *bytes = A.bytes;
    ws_pk_arena_free(&A);
    return r ? 0 : -1;
}

static void test_pickle_cap(void)
{
    /* A 1 MB string handed to _codecs.encode 300 times: 300 MB if kept. */
    size_t slen = 1 << 20, reps = 300, n = 0;
    unsigned char *b = malloc(slen + 64 + reps * 10);
    const char *glob = "c_codecs\nencode\n";
    b[n++] = 0x80, b[n++] = 2;
    b[n++] = 'X';
    for (int i = 0; i < 4; i++)
        b[n++] = (unsigned char)(slen >> (8 * i));
    memset(b + n, 'A', slen);
    n += slen;
    memcpy(b + n, "q\x00" "0", 3), n += 3;
    memcpy(b + n, glob, strlen(glob)), n += strlen(glob);
    memcpy(b + n, "q\x01" "0" "X\x06\x00\x00\x00latin1q\x02" "0", 17), n += 17;
    for (size_t i = 0; i < reps; i++)
        memcpy(b + n, "h\x01(h\x00h\x02tR0", 10), n += 10;
    b[n++] = 'N', b[n++] = '.';
    ws_err e = {{0}};
    size_t used = 0;
    CHECK(pk(b, n, &e, &used) != 0);
    CHECK_STR_CONTAINS(e.msg, "pickle: its objects need more than");
    CHECK(used <= WS_PK_BYTES_BASE + WS_PK_BYTES_PER_BYTE * n);
    /* the same with 20 repetitions fits */
    n -= 2 + (reps - 20) * 10;
    b[n++] = 'N', b[n++] = '.';
    CHECKF(pk(b, n, &e, NULL) == 0, "%s", e.msg);
    free(b);
    /* None, True and False cost nothing: a million of them fit in the cap */
    size_t m = 3000000;
    unsigned char *c = malloc(m + 8);
    n = 0;
    c[n++] = 0x80, c[n++] = 2;
    for (size_t i = 0; i < m / 2; i++)
        c[n++] = i % 2 ? 0x88 : 'N', c[n++] = '0';
    c[n++] = 'N', c[n++] = '.';
    CHECKF(pk(c, n, &e, &used) == 0 && used == 0, "%s (%zu bytes)", e.msg, used);
    free(c);
}

static void test_registry(void)
{
    char dir[] = "/tmp/wscope-test-hostile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    const char *data = check_path(dir, "data.txt");
    ws_err e = {{0}};
    CHECK(ws_atomic_write(data, "words", 5, &e) == 0);
    CHECK(!ws_input_is_registered(data));
    int fd = ws_input_open(data, &e);
    CHECK(fd >= 0);
    close(fd);
    CHECK(ws_input_is_registered(data));
    ws_input_kind k = WS_INPUT_MODEL;
    CHECK(ws_input_lookup(data, &k) && k == WS_INPUT_FILE);
    /* another spelling, a hard link, a symbolic link: the same input */
    char other[4300];
    snprintf(other, sizeof other, "%s/./data.txt", dir);
    CHECK(ws_output_check(other, 0, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "refusing to overwrite an input file");
    CHECK(link(data, check_path(dir, "hard")) == 0);
    CHECK(symlink("data.txt", check_path(dir, "soft")) == 0);
    CHECK(ws_output_check(check_path(dir, "hard"), 0, &e) != 0);
    CHECK(ws_output_check(check_path(dir, "soft"), WS_OUT_REPLACE_MODEL, &e) != 0);
    CHECK(ws_atomic_write(check_path(dir, "soft"), "x", 1, &e) != 0);
    /* a model that is one file may be replaced when asked, nothing else */
    const char *model = check_path(dir, "m.bin");
    CHECK(ws_atomic_write(model, "weights", 7, &e) == 0);
    ws_input_register_kind(model, WS_INPUT_MODEL);
    CHECK(ws_output_check(model, 0, &e) != 0);
    CHECK(ws_output_check(model, WS_OUT_REPLACE_MODEL, &e) == 0);
    /* FIFOs and directories are refused before anything blocks */
    const char *fifo = check_path(dir, "fifo");
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(ws_input_open(fifo, &e) < 0);
    CHECK_STR_CONTAINS(e.msg, "is a FIFO, not a regular file");
    CHECK(ws_input_fopen(dir, &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "is a directory");
    CHECK(ws_input_check(dir, 1, &e) == 0);
    CHECK(ws_output_check(dir, 0, &e) != 0);
    CHECK_STR_CONTAINS(e.msg, "is a directory");
    /* outputs compared by name before they exist */
    CHECK(ws_output_same(check_path(dir, "a.csv"), other) == 0);
    snprintf(other, sizeof other, "%s/../%s/a.csv", dir, strrchr(dir, '/') + 1);
    CHECK(ws_output_same(check_path(dir, "a.csv"), other));
    /* temporary names */
    char *t = ws_atomic_temp_name("/x/y/model.safetensors", 42);
    CHECK(t && !strcmp(t, "/x/y/.model.safetensors.wscope-tmp.42"));
    free(t);
    check_rmtree(dir);
}

int main(void)
{
    test_escape();
    test_strided();
    test_pickle_cap();
    test_registry();
    return check_done();
}
