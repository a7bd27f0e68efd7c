/* Run records, the training log and Welch's test against the numpy/scipy
 * reference (tests/ref/run_ref.py -> tests/fixtures/run/): EMA smoothing,
 * ETA, the band over seeds, overlay axes, the t-test and the incomplete
 * beta; the log's writer and reader round trip, tolerance of cut lines,
 * quoting, CRLF and outside trainers' column orders, and following a log
 * that grows, is cut short or replaced. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "run.h"
#include "runlog.h"
#include "ttest.h"

/* The line "NAME N v..." of expected.txt (malloc'd values, *n of them). */
static double *expected(const char *name, size_t *n)
{
    FILE *f = fopen(check_src("tests/fixtures/run/expected.txt"), "r");
    char key[64];
    size_t k;
    double *v = NULL;
    while (f && fscanf(f, "%63s %zu", key, &k) == 2) {
        double *x = malloc((k ? k : 1) * sizeof *x);
        for (size_t i = 0; x && i < k; i++)
            if (fscanf(f, "%lf", &x[i]) != 1)
                x[i] = -12345;
        if (!strcmp(key, name)) {
            v = x;
            *n = k;
            break;
        }
        free(x);
    }
    if (f)
        fclose(f);
    if (!v)
        fprintf(stderr, "no %s in expected.txt\n", name);
    return v;
}

static void read_fixture(const char *name, ws_run *r)
{
    char rel[128];
    ws_err e = {{0}};
    snprintf(rel, sizeof rel, "tests/fixtures/run/%s", name);
    ws_run_init(r, name);
    CHECKF(ws_runlog_read(check_src(rel), r, &e) == 0, "%s: %s", name, e.msg);
}

static void same_as(const double *got, const double *want, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++) {
        if (isinf(want[i]) || isnan(want[i]))
            CHECKF(got[i] == want[i] || (isnan(got[i]) && isnan(want[i])), "[%zu] %g vs %g", i,
                   got[i], want[i]);
        else
            CHECK_NEAR(got[i], want[i], tol);
    }
}

static void test_reference(void)
{
    ws_run log;
    read_fixture("log.csv", &log);
    CHECK(log.n_rec == 121);
    CHECK(ws_run_last_step(&log) == 120);
    CHECK(ws_run_last_step_rec(&log) == 119);
    CHECK(ws_run_count(&log, 1, -1) == 7);   /* steps 0, 20, ..., 100 and the end */
    CHECK(isinf(log.rec[50].loss));
    CHECK(log.rec[30].n_frozen == 1 && log.rec[29].n_frozen == 0);
    /* events: TENSOR=WHY, split at the last '=' */
    CHECK(log.n_ev == 3);
    if (log.n_ev == 3) {
        CHECK(log.ev[0].step == 30 && !strcmp(log.ev[0].tensor, "blocks.0.attn.c_attn.weight"));
        CHECK(!strcmp(log.ev[0].why, "freeze@30"));
        CHECK(!strcmp(log.ev[1].why, "freeze-pr:20 (PR 17.93)") && log.ev[1].step == 80);
        CHECK(!strcmp(log.ev[2].tensor, "x=y") && !strcmp(log.ev[2].why, "freeze@80"));
    }

    double x[200], y[200], sm[200];
    size_t n = ws_run_points(&log, 0, -1, x, y, 200), k;
    CHECK(n == 120);
    static const char *const ws[] = {"ema_0", "ema_0.5", "ema_0.9", "ema_0.99"};
    static const double w[] = {0, 0.5, 0.9, 0.99};
    for (int i = 0; i < 4; i++) {
        double *want = expected(ws[i], &k);
        ws_ema(y, n, w[i], sm);
        CHECK(want && k == n);
        if (want && k == n)
            same_as(sm, want, n, 1e-12);
        free(want);
    }
    /* in place, and the summary's last smoothed value is the EMA's */
    ws_ema(y, n, 0.9, sm);
    ws_run_summary s;
    ws_run_summarise(&log, 0.9, &s);
    CHECK_NEAR(s.last_smooth, sm[n - 1], 1e-12);
    CHECK(s.steps == 120 && s.final_val == log.rec[120].val_loss);
    CHECK(s.best_val <= s.final_val && s.best_val_step >= 0);
    CHECK_NEAR(s.elapsed_s, 8.682, 1e-12);
    memcpy(sm, y, n * sizeof *y);
    ws_ema(sm, n, 0.9, sm);
    ws_ema(y, n, 0.9, x);
    CHECK(!memcmp(sm, x, n * sizeof *x));

    double *eta = expected("eta", &k);
    CHECK(eta && k == 1);
    if (eta)
        CHECK_NEAR(ws_run_eta(&log, 200), eta[0], 1e-9);
    free(eta);
    CHECK(ws_run_eta(&log, 120) == 0);       /* done */
    CHECK(isnan(ws_run_eta(&log, 0)));       /* unknown total */

    ws_run seed[3];
    const ws_run *sp[3];
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "seed%d.csv", i + 1);
        read_fixture(name, &seed[i]);
        sp[i] = &seed[i];
    }
    double mean[40], sd[40];
    ws_err e = {{0}};
    CHECK(ws_run_band(sp, 3, 0.6, 40, mean, sd, &e) == 0);
    double *wm = expected("band_mean", &k), *wsd = expected("band_sd", &k);
    CHECK(wm && wsd && k == 40);
    if (wm && wsd && k == 40) {
        same_as(mean, wm, 40, 1e-12);
        same_as(sd, wsd, 40, 1e-12);   /* steps 35..39: two seeds */
    }
    free(wm);
    free(wsd);

    ws_run_axes ax;
    const ws_run *two[2] = {&log, &seed[0]};
    double *wa = expected("axes", &k);
    CHECK(ws_run_overlay_axes(two, 2, 30, 0, 0, &ax) == 0);
    if (wa && k == 4) {
        CHECK(ax.x0 == wa[0] && ax.x1 == wa[1]);
        CHECK_NEAR(ax.y0, wa[2], 1e-12);
        CHECK_NEAR(ax.y1, wa[3], 1e-12);
    }
    free(wa);
    log.total_steps = 500;
    CHECK(ws_run_overlay_axes(two, 2, 0, 1, 0, &ax) == 0 && ax.x0 == 0 && ax.x1 == 500);
    CHECK(ws_run_overlay_axes(two, 2, 0, 1, 1, &ax) == 0 && ax.y0 > 0);
    ws_run empty;
    ws_run_init(&empty, "e");
    const ws_run *none[1] = {&empty};
    CHECK(ws_run_overlay_axes(none, 1, 0, 0, 0, &ax) == -1);
    ws_run_free(&empty);
    for (int i = 0; i < 3; i++)
        ws_run_free(&seed[i]);
    ws_run_free(&log);
}

static void test_welch(void)
{
    size_t k;
    double *v = expected("welch", &k);
    CHECK(v && k == 45);
    for (size_t i = 0; v && i + 9 <= k; i += 9) {
        ws_welch w = ws_welch_test(v[i], v[i + 1], (int)v[i + 2], v[i + 3], v[i + 4],
                                   (int)v[i + 5]);
        CHECK_REL(w.t, v[i + 6], 1e-9);
        CHECK_REL(w.df, v[i + 7], 1e-9);
        CHECK_REL(w.p, v[i + 8], 1e-9);
        CHECK_NEAR(w.diff, v[i + 3] - v[i], 1e-15);
    }
    free(v);
    v = expected("betainc", &k);
    CHECK(v && k == 28);
    for (size_t i = 0; v && i + 4 <= k; i += 4)
        CHECK_REL(ws_betainc(v[i], v[i + 1], v[i + 2]), v[i + 3], 1e-10);
    free(v);
    ws_welch w = ws_welch_test(1, 0.1, 1, 2, 0.1, 3);   /* one seed: no test */
    CHECK(isnan(w.p) && w.diff == 1);
    w = ws_welch_test(1, 0, 3, 1, 0, 3);                /* no spread */
    CHECK(isnan(w.p) && w.se == 0);
    CHECK(ws_student_p2(0, 4) == 1);
}

/* Parse a whole string as a log (at_eof); records or -1. */
static long parse_all(const char *text, ws_run *r, ws_runlog_reader *rd, ws_err *e)
{
    size_t used;
    ws_runlog_reader_init(rd);
    ws_run_init(r, "t");
    return ws_runlog_parse(rd, text, strlen(text), 1, r, &used, e);
}

static void test_reader(void)
{
    ws_run r;
    ws_runlog_reader rd;
    ws_err e = {{0}};
    size_t used;

    /* An outside trainer: other order, CRLF, BOM, quotes, extra columns. */
    const char *outside = "\xef\xbb\xbfwall, val_loss ,\"step\",loss,note\r\n"
                          "1.5,,0,5.25,\"a, b\"\r\n"
                          "2.5,4.75,1,5.0,\"say \"\"hi\"\"\"\r\n"
                          "\r\n";
    CHECK(parse_all(outside, &r, &rd, &e) == 2);
    CHECK(r.n_rec == 2 && r.rec[0].step == 0 && r.rec[0].loss == 5.25 && isnan(r.rec[0].val_loss));
    CHECK(r.n_rec == 2 && r.rec[1].val_loss == 4.75 && isnan(r.rec[1].lr) && r.rec[1].n_frozen == -1);
    CHECK(isnan(ws_run_elapsed(&r)));
    ws_run_free(&r);

    /* A cut last line: waited for while following, dropped at the end. */
    const char *cut = "step,loss,val_loss\n0,5.5,\n1,5.25,4.5\n2,5.1";
    ws_runlog_reader_init(&rd);
    ws_run_init(&r, "t");
    CHECK(ws_runlog_parse(&rd, cut, strlen(cut), 0, &r, &used, &e) == 2);
    CHECK(used == strlen(cut) - 5 && r.n_rec == 2);
    ws_run_free(&r);
    CHECK(parse_all("step,loss,val_loss\n0,5.5,\n1,5.2", &r, &rd, &e) == 1 && rd.partial);
    ws_run_free(&r);
    CHECK(parse_all("step,loss,val_loss\n0,5.5,\n1,5.25,", &r, &rd, &e) == 2 && !rd.partial);
    ws_run_free(&r);

    /* Bad input: one message naming the line. */
    CHECK(parse_all("a,b\n1,2\n", &r, &rd, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "not a training log");
    ws_run_free(&r);
    CHECK(parse_all("step,loss\n0,1\nx,2\n", &r, &rd, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "line 3: step \"x\" is not a whole number");
    ws_run_free(&r);
    CHECK(parse_all("step,loss\n0,1\n1,abc\n", &r, &rd, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "line 3: loss \"abc\" is not a number");
    ws_run_free(&r);
    CHECK(parse_all("step,loss\n\"0,1\n", &r, &rd, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "quote");
    ws_run_free(&r);
    CHECK(parse_all("step,loss\n-1,1\n", &r, &rd, &e) == -1);
    ws_run_free(&r);
    CHECK(parse_all("step,loss\n0,1.00000000000000000000000000000000000000000000000000000000000001\n",
                    &r, &rd, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "line 2: loss is 64 characters long");
    ws_run_free(&r);
    /* a long events cell (over the reader's 256-byte stack buffer) */
    char big[2000] = "step,loss,events\n3,1,\"";
    for (int i = 0; i < 40; i++)
        strcat(big, "blocks.11.attn.c_attn.weight=freeze@3;");
    strcat(big, "\"\n");
    CHECK(parse_all(big, &r, &rd, &e) == 1 && r.n_ev == 40 && r.ev[39].step == 3);
    CHECK(r.n_ev == 40 && !strcmp(r.ev[39].tensor, "blocks.11.attn.c_attn.weight"));
    ws_run_free(&r);
    /* Only a header: no records, no error. */
    CHECK(parse_all("step,val_loss\n", &r, &rd, &e) == 0 && rd.have_header);
    ws_run_free(&r);
}

/* A run read from a log is called after the file, or after its folder
 * when the file is log.csv (export-run's jobs all write one). */
static void test_names(void)
{
    static const char *const cases[][2] = {
        {"run1.csv", "run1"},           {"out/tiny-run2.csv", "tiny-run2"},
        {"exp/full-seed1/log.csv", "full-seed1"}, {"full-seed1/log.csv", "full-seed1"},
        {"/a/b//log.csv", "b"},         {"log.csv", "log"},    {"./log.csv", "log"},
        {"../log.csv", "log"},          {"train.log", "train.log"}, {"a/log", "a"},
        {"x/.csv", ".csv"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[64];
        ws_runlog_name(cases[i][0], buf, sizeof buf);
        CHECKF(!strcmp(buf, cases[i][1]), "%s: \"%s\", not \"%s\"", cases[i][0], buf, cases[i][1]);
    }
}

static void test_writer_follow(void)
{
    char dir[] = "/tmp/wscope-test-run-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(0);
        return;
    }
    const char *path = check_path(dir, "run.csv");
    ws_err e = {{0}};
    const char *names[2] = {"a.weight", "b,weight"};
    ws_runlog *l = ws_runlog_create(path, names, 2, 1, &e);
    CHECKF(l != NULL, "%s", e.msg);
    if (!l)
        return;
    CHECK(ws_runlog_create(path, names, 2, 1, &e) == NULL);   /* exclusive */

    ws_run f;
    ws_run_init(&f, "follow");
    ws_runlog_follow *fo = ws_runlog_follow_open(path, &f, &e);
    CHECKF(fo != NULL, "%s", e.msg);
    CHECK(f.n_rec == 0);

    ws_run_rec r = {0, (float)5.123456789, 6.5, 6e-4f, 1.25, 4000.25, 0.5, 0};
    float upd[2] = {0.125f, 0.25f};
    ws_run_event ev[2] = {{3, "a.weight", "freeze@3"}, {3, "c,d", "freeze-pr:2 (PR 1.5)"}};
    CHECK(ws_runlog_append(l, &r, upd, NULL, 0, &e) == 0);
    CHECK(fo && ws_runlog_follow_poll(fo, &f, &e) == 1);
    CHECK(fo && ws_runlog_follow_poll(fo, &f, &e) == 0);
    for (int s = 1; s < 4; s++) {
        r.step = s;
        r.val_loss = NAN;
        r.elapsed_s = 0.5 + s;
        r.n_frozen = s == 3 ? 2 : 0;
        CHECK(ws_runlog_append(l, &r, upd, s == 3 ? ev : NULL, s == 3 ? 2 : 0, &e) == 0);
    }
    /* half a line written by someone else: waited for */
    int fd = open(path, O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "4,5.0", 5) == 5);
    CHECK(fo && ws_runlog_follow_poll(fo, &f, &e) == 3);
    CHECK(fd >= 0 && write(fd, ",,,,,,,,9.5,\n", 13) == 13);
    if (fd >= 0)
        close(fd);
    CHECK(fo && ws_runlog_follow_poll(fo, &f, &e) == 1);
    CHECK(f.n_rec == 5 && f.rec[4].step == 4 && f.rec[4].loss == 5.0 && f.rec[4].elapsed_s == 9.5);
    CHECK(ws_runlog_close(l, &e) == 0);

    /* the round trip: %.9g keeps float32 exactly */
    ws_run back;
    ws_run_init(&back, "back");
    CHECK(ws_runlog_read(path, &back, &e) == 0);
    CHECK(back.n_rec == 5 && (float)back.rec[0].loss == (float)5.123456789 && back.rec[0].val_loss == 6.5);
    CHECK(back.n_rec == 5 && (float)back.rec[0].lr == 6e-4f && back.rec[3].n_frozen == 2);
    CHECK(back.n_ev == 2 && !strcmp(back.ev[1].tensor, "c,d") &&
          !strcmp(back.ev[1].why, "freeze-pr:2 (PR 1.5)") && back.ev[1].step == 3);
    ws_run_free(&back);

    /* replaced by a shorter file: read again from the start */
    l = ws_runlog_create(check_path(dir, "new.csv"), NULL, 0, 0, &e);
    r.step = 0;
    CHECK(l && ws_runlog_append(l, &r, NULL, NULL, 0, &e) == 0);
    ws_runlog_close(l, &e);
    CHECK(rename(check_path(dir, "new.csv"), path) == 0);
    CHECK(fo && ws_runlog_follow_poll(fo, &f, &e) == 1 && f.n_rec == 1 && f.n_ev == 0);
    /* cut short in place */
    CHECK(truncate(path, 0) == 0);
    CHECK(fo && ws_runlog_follow_poll(fo, &f, &e) == 0 && f.n_rec == 0);
    ws_runlog_follow_close(fo);
    ws_run_free(&f);

    CHECK(ws_runlog_read(check_path(dir, "none.csv"), &f, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "No such file or directory");
    CHECK(ws_runlog_read(dir, &f, &e) == -1);
    CHECK_STR_CONTAINS(e.msg, "directory");
    CHECK(ws_runlog_read(path, &f, &e) == -1);   /* empty now */
    CHECK_STR_CONTAINS(e.msg, "empty");
    ws_run_free(&f);
    check_rmtree(dir);
}

int main(void)
{
    test_reference();
    test_welch();
    test_reader();
    test_names();
    test_writer_follow();
    return check_done();
}
