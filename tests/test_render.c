/* Golden tests of the TUI renderers: they draw into an off-screen cell
 * buffer, checked here glyph by glyph (and colour by colour) for small
 * known inputs in every glyph tier. Also the layout over many terminal
 * sizes, the key tables, the colour tiers and the block downsampling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "downsample.h"
#include "job.h"
#include "keys.h"
#include "layout.h"
#include "render.h"

static const render_style UTF8_TRUE = {WS_GLYPH_UTF8, WS_COL_TRUE, 33};
static const render_style ASCII_16 = {WS_GLYPH_ASCII, WS_COL_16, 7};
static const render_style UTF8_MONO = {WS_GLYPH_UTF8, WS_COL_MONO, 9};
static const render_style ASCII_MONO = {WS_GLYPH_ASCII, WS_COL_MONO, 9};

/* Compare the glyphs of a rectangle with golden text; show both on failure. */
static void check_dump(const cellbuf *cb, cb_rect r, const char *want, int line)
{
    char *got = cb_dump(cb, r);
    CHECKF(got && !strcmp(got, want), "line %d: got\n%s---- want\n%s----", line, got, want);
    free(got);
}
#define CHECK_DUMP(cb, r, want) check_dump(cb, r, want, __LINE__)

static const float PX[6] = {-1, -0.5f, 0, 0.5f, 1, NAN};   /* 2 × 3 pixels */

static void test_heatmap_utf8_truecolour(void)
{
    cellbuf cb;
    cb_init(&cb, 2, 4);
    render_heatmap(&cb, (cb_rect){0, 0, 2, 4}, PX, 2, 3, 1.0, &UTF8_TRUE);
    /* Two pixels per cell: the upper half block, fg = upper row, bg = lower. */
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 2, 4}), "▀▀▀ \n    \n");
    /* Ends of the map are the endpoint colours; 0 is the dark centre;
     * 0.5 is halfway from (32,32,32) to (255,80,50): (144,56,41). NaN: green. */
    CHECK(cb_at(&cb, 0, 0)->fg == 0x468cff);
    CHECK(cb_at(&cb, 0, 0)->bg == 0x903829);
    CHECK(cb_at(&cb, 0, 1)->bg == 0xff5032);
    CHECK(cb_at(&cb, 0, 2)->fg == 0x202020);
    CHECK(cb_at(&cb, 0, 2)->bg == 0x00c800);
    CHECK(cb_at(&cb, 0, 3)->bg == CB_DEFAULT);
    cb_free(&cb);
}

static void test_heatmap_ascii_16(void)
{
    cellbuf cb;
    cb_init(&cb, 2, 3);
    render_heatmap(&cb, (cb_rect){0, 0, 2, 3}, PX, 2, 3, 1.0, &ASCII_16);
    /* One pixel per cell, painted as background from the 7-level ramp. */
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 2, 3}), "   \n   \n");
    uint32_t want[6] = {CB_PAL(14), CB_PAL(12), CB_PAL(0), CB_PAL(9), CB_PAL(11), CB_PAL(2)};
    for (int i = 0; i < 6; i++)
        CHECKF(cb_at(&cb, i / 3, i % 3)->bg == want[i], "pixel %d: %x", i, cb_at(&cb, i / 3, i % 3)->bg);
    cb_free(&cb);
}

static void test_heatmap_mono(void)
{
    const render_style *tiers[2] = {&UTF8_MONO, &ASCII_MONO};
    for (int k = 0; k < 2; k++) {
        cellbuf cb;
        cb_init(&cb, 2, 3);
        render_heatmap(&cb, (cb_rect){0, 0, 2, 3}, PX, 2, 3, 1.0, tiers[k]);
        /* Glyph weight grows with |w|; the shape tells the sign. */
        CHECK_DUMP(&cb, ((cb_rect){0, 0, 2, 3}), "@- \n+#?\n");
        cb_free(&cb);
    }
    /* Range scales the values: with range 2, the 1 is only halfway. */
    cellbuf cb;
    cb_init(&cb, 1, 3);
    float v[3] = {1, -2, 5};
    render_heatmap(&cb, (cb_rect){0, 0, 1, 3}, v, 1, 3, 2.0, &ASCII_MONO);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 1, 3}), "+@#\n");
    cb_free(&cb);
}

static void test_colourbar(void)
{
    cellbuf cb;
    cb_init(&cb, 1, 30);
    render_colourbar(&cb, 0, 0, 30, 0.5, &ASCII_MONO);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 1, 30}), "-0.5 @@==--,,, 0...++**## +0.5\n");
    cb_clear(&cb);
    render_colourbar(&cb, 0, 0, 30, 0.5, &UTF8_TRUE);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 1, 30}), "-0.5 ▀▀▀▀▀▀▀▀▀▀0▀▀▀▀▀▀▀▀▀ +0.5\n");
    CHECK(cb_at(&cb, 0, 5)->fg == 0x468cff && cb_at(&cb, 0, 24)->fg == 0xff5032);
    cb_free(&cb);
}

static const float WAVE[5] = {0, 1, 0, -1, 0};

static void test_plot(void)
{
    cellbuf cb;
    cb_init(&cb, 8, 30);
    render_plot(&cb, (cb_rect){0, 0, 8, 30}, WAVE, 5, &UTF8_TRUE);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 8, 30}),
               "       1 ┤   ⢀⡞⠳⣄             \n"
               "         │ ⢀⡴⠋  ⠈⢧⡀           \n"
               "       0 ┤⣠⠞      ⠙⢦⡀        ⢀\n"
               "         │          ⠳⣄      ⡴⠋\n"
               "         │           ⠈⢳⡀  ⣠⠞⠁ \n"
               "      -1 ┤             ⠙⢦⡼⠁   \n"
               "         └┬─────────┬────────┬\n"
               "          0         2        4\n");
    CHECK(cb_at(&cb, 0, 13)->fg == 0x5fd7ff);
    cb_clear(&cb);
    render_plot(&cb, (cb_rect){0, 0, 8, 30}, WAVE, 5, &ASCII_MONO);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 8, 30}),
               "       1 +    ***             \n"
               "         |  *** ***           \n"
               "       0 +***     ***        *\n"
               "         |          **     ***\n"
               "         |           *** ***  \n"
               "      -1 +             ***    \n"
               "         ++---------+--------+\n"
               "          0         2        4\n");
    /* More points than dot columns: each column spans its bucket's range. */
    float many[400];
    for (int i = 0; i < 400; i++)
        many[i] = (i % 2) ? 1.0f : -1.0f;
    cb_clear(&cb);
    render_plot(&cb, (cb_rect){0, 0, 4, 14}, many, 400, &ASCII_MONO);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 2, 14}), "       0 +****\n"
                                               "      -1 +****\n");
    cb_free(&cb);
}

static void test_hist(void)
{
    float a[8] = {-1, -0.9f, 0, 0.1f, 0.99f, 1, NAN, 2};
    int64_t c[4];
    hist_count(a, 8, -1, 1, 4, c);
    /* Bins [-1,-.5) [-.5,0) [0,.5) [.5,1]; NaN and out-of-range skipped. */
    CHECK(c[0] == 2 && c[1] == 0 && c[2] == 2 && c[3] == 2);

    int64_t counts[6] = {1, 2, 4, 8, 0, 3};
    cellbuf cb;
    cb_init(&cb, 6, 16);
    CHECK(hist_plot_width((cb_rect){0, 0, 6, 16}) == 6);
    render_hist(&cb, (cb_rect){0, 0, 6, 16}, counts, 6, -1, 1, 0, &UTF8_TRUE);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 6, 16}),
               "         │   █  \n"
               "       5 ┤   █  \n"
               "         │  ██ ▄\n"
               "       0 ┤▄███ █\n"
               "         └┬──┬─┬\n"
               "         -1  0 1\n");
    cb_clear(&cb);
    render_hist(&cb, (cb_rect){0, 0, 6, 16}, counts, 6, -1, 1, 0, &ASCII_MONO);
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 6, 16}),
               "         |   #  \n"
               "       5 +   #  \n"
               "         |  ## #\n"
               "       0 +#### #\n"
               "         ++--+-+\n"
               "         -1  0 1\n");
    /* Log scale: log10(1 + c) / log10(9) of 4 rows. */
    cb_clear(&cb);
    render_hist(&cb, (cb_rect){0, 0, 6, 16}, counts, 6, -1, 1, 1, &ASCII_MONO);
    /* Heights round(4 log10(1 + c) / log10(9)) = 1 2 3 4 0 3. */
    CHECK_DUMP(&cb, ((cb_rect){0, 0, 4, 16}),
               "         |   #  \n"
               "     0.5 +  ## #\n"
               "         | ### #\n"
               "       0 +#### #\n");
    cb_free(&cb);
}

static void test_ticks(void)
{
    double t[16];
    int n = axis_ticks(0, 1, 5, t);
    CHECK(n == 3 && t[0] == 0 && t[1] == 0.5 && t[2] == 1);
    n = axis_ticks(-0.99, 0.99, 5, t);
    CHECK(n == 3 && t[0] == -0.5 && t[1] == 0 && t[2] == 0.5);
    n = axis_ticks(0, 100, 6, t);
    CHECK(n == 6 && t[1] == 20 && t[5] == 100);
    n = axis_ticks(0, 50256, 6, t);
    CHECK(n == 3 && t[1] == 20000 && t[2] == 40000);
    CHECK(axis_ticks(3, 3, 5, t) == 1);
    n = axis_ticks(-1, 1, 2, t);   /* step 2 gives one tick: step down to 1 */
    CHECK(n == 2 && t[0] == -1 && t[1] == 0);
    n = axis_ticks(-0.0433, 0.0499, 5, t);
    CHECK(n == 5 && fabs(t[0] + 0.04) < 1e-12 && t[2] == 0 && fabs(t[4] - 0.04) < 1e-12);
}

static void test_colour_tiers(void)
{
    CHECK(colour_rgb_to_256(0xff0000) == 196);
    CHECK(colour_rgb_to_256(0x000000) == 16);
    CHECK(colour_rgb_to_256(0x808080) == 244);
    CHECK(colour_rgb_to_256(0x5fd7ff) == 81);
    CHECK(colour_detect(1, 256, "truecolor", 256, 1) == WS_COL_MONO);    /* NO_COLOR wins */
    CHECK(colour_detect(0, 16, "truecolor", 256, 0) == WS_COL_16);       /* --colors 16 */
    CHECK(colour_detect(0, 0, "truecolor", 256, 0) == WS_COL_TRUE);
    CHECK(colour_detect(0, 0, "24bit", 256, 0) == WS_COL_TRUE);
    CHECK(colour_detect(0, 0, NULL, 256, 1) == WS_COL_TRUE);              /* terminfo RGB */
    CHECK(colour_detect(0, 0, NULL, 256, 0) == WS_COL_256);
    CHECK(colour_detect(0, 0, NULL, 8, 0) == WS_COL_8);
    CHECK(colour_detect(0, 0, "truecolor", 2, 0) == WS_COL_MONO);
    CHECK(render_style_make(WS_GLYPH_UTF8, WS_COL_TRUE, 65536).levels == 33);
    CHECK(render_style_make(WS_GLYPH_UTF8, WS_COL_256, 256).levels == 13);
    CHECK(render_style_make(WS_GLYPH_UTF8, WS_COL_8, 64).levels == 5);
    /* With 256 pairs, every (fg, bg) of the heatmap fits: (levels+1)^2 + 32. */
    render_style s = render_style_make(WS_GLYPH_UTF8, WS_COL_256, 256);
    CHECK((s.levels + 1) * (s.levels + 1) + 32 <= 256);
    CHECK(colour_level(0, 33) == 16 && colour_level(-5, 33) == 0 && colour_level(1, 33) == 32);
    CHECK(colour_diverging(0.3, &UTF8_MONO) == CB_DEFAULT);
    CHECK(CB_IS_PAL(colour_diverging(0.3, &(render_style){WS_GLYPH_UTF8, WS_COL_256, 33})));
}

static void test_layout(void)
{
    tui_layout l = layout_compute(24, 80);
    CHECK(!l.too_small);
    CHECK(l.title.y == 0 && l.body.y == 1 && l.body.h == 21 && l.info.y == 22 && l.status.y == 23);
    CHECK(layout_compute(10, 40).too_small);
    CHECK(layout_compute(TUI_MIN_ROWS, TUI_MIN_COLS - 1).too_small);
    CHECK(!layout_compute(TUI_MIN_ROWS, TUI_MIN_COLS).too_small);
    int bad = 0;
    for (int r = TUI_MIN_ROWS; r <= 80; r++)
        for (int c = TUI_MIN_COLS; c <= 300; c += 7) {
            tui_layout k = layout_compute(r, c);
            bad += k.too_small || k.body.h + 3 != r || k.body.w != c || k.status.y != r - 1
                 || k.body.h < 1;
        }
    CHECK(bad == 0);
    cellbuf cb;
    cb_init(&cb, 10, 40);
    layout_draw_too_small(&cb);
    char *d = cb_dump(&cb, (cb_rect){0, 0, 10, 40});
    CHECK_STR_CONTAINS(d, "terminal too small");
    CHECK_STR_CONTAINS(d, "40x10, need 50x12");
    free(d);
    cb_free(&cb);
}

static const key_binding demo_keys[] = {
    {{'o', 0}, "o", ACT_OPEN, "open", "open"},
    {{'q', 0}, "q", ACT_ZOOM_IN, "a view may take over a global key", NULL},
    {{0}, NULL, ACT_NONE, NULL, NULL},
};

static void test_keys(void)
{
    CHECK(keys_lookup(NULL, 'q') == ACT_BACK);
    CHECK(keys_lookup(NULL, 'Q') == ACT_QUIT);
    CHECK(keys_lookup(demo_keys, 'o') == ACT_OPEN);
    CHECK(keys_lookup(demo_keys, 'q') == ACT_ZOOM_IN);
    CHECK(keys_lookup(demo_keys, '?') == ACT_HELP);
    CHECK(keys_lookup(demo_keys, 'Z') == ACT_NONE);
    cellbuf cb;
    cb_init(&cb, 12, 70);
    keys_draw_hints(&cb, (cb_rect){0, 0, 1, 70}, demo_keys);
    char *d = cb_dump(&cb, (cb_rect){0, 0, 1, 70});
    CHECK(!strncmp(d, "q back  ? F1 help  o open  ", 27));
    free(d);
    cb_clear(&cb);
    int n = keys_draw_help(&cb, (cb_rect){0, 0, 12, 70}, "demo", demo_keys, 0);
    d = cb_dump(&cb, (cb_rect){0, 0, 12, 70});
    CHECK_STR_CONTAINS(d, "Keys in the demo view");
    CHECK_STR_CONTAINS(d, "  o            open");
    CHECK_STR_CONTAINS(d, "  Q            quit wscope");
    CHECK(n == 1 + 2 + 1 + 1 + 5 + 1 + 1);
    free(d);
    /* A narrow screen: a description longer than the line goes on below
     * itself at a space, whole, instead of being cut. */
    cb_clear(&cb);
    n = keys_draw_help(&cb, (cb_rect){0, 0, 12, 40}, "demo", demo_keys, 0);
    d = cb_dump(&cb, (cb_rect){0, 0, 12, 40});
    CHECK_STR_CONTAINS(d, "  q            a view may take over a   \n"
                          "               global key               \n");
    CHECK_STR_CONTAINS(d, "  q            back out of this view    \n"
                          "               (quits from the model    \n"
                          "               view)                    \n");
    CHECK(n == 1 + 3 + 1 + 1 + 10 + 1 + 1);
    free(d);
    cb_free(&cb);
}

/* 5 × 5 matrix a[r][c] = 10 r + c, with one negative outlier. */
static void test_downsample(void)
{
    float a[25];
    for (int i = 0; i < 25; i++)
        a[i] = (float)(10 * (i / 5) + i % 5);
    a[6] = -50;   /* row 1, col 1 */
    ds_req q = {a, 5, 5, 0, 0, 2, 2, 0, 0, DS_MEAN};
    ds_grid_size(&q, 10, 10, &q.ph, &q.pw);
    CHECK(q.ph == 3 && q.pw == 3);
    float out[9];
    CHECK(ds_compute(&q, out, NULL) == 0);
    CHECK_NEAR(out[0], (0 + 1 + 10 - 50) / 4.0, 1e-6);
    CHECK_NEAR(out[2], (4 + 14) / 2.0, 1e-6);          /* edge block: 2 × 1 */
    CHECK_NEAR(out[8], 44, 1e-6);                      /* corner block: 1 × 1 */
    q.mode = DS_MAXABS;
    CHECK(ds_compute(&q, out, NULL) == 0);
    CHECK(out[0] == -50 && out[1] == 13 && out[4] == 33);
    /* A window into the middle, grid limited by the request. */
    ds_req w = {a, 5, 5, 1, 2, 1, 1, 0, 0, DS_MEAN};
    ds_grid_size(&w, 2, 2, &w.ph, &w.pw);
    CHECK(w.ph == 2 && w.pw == 2);
    CHECK(ds_compute(&w, out, NULL) == 0);
    CHECK(out[0] == 12 && out[1] == 13 && out[2] == 22 && out[3] == 23);
    /* Blocks of 5 rows × 2 columns: column means. */
    ds_req cm = {a, 5, 5, 0, 0, 5, 2, 0, 0, DS_MEAN};
    ds_grid_size(&cm, 10, 10, &cm.ph, &cm.pw);
    CHECK(cm.ph == 1 && cm.pw == 3);
    CHECK(ds_compute(&cm, out, NULL) == 0);
    CHECK_NEAR(out[2], 24, 1e-6);
    CHECK_NEAR(out[0], (0 + 1 + 10 - 50 + 20 + 21 + 30 + 31 + 40 + 41) / 10.0, 1e-6);
    /* NaN: a mean with NaN is NaN; max-|w| skips it. */
    float b[4] = {1, NAN, -3, 2};
    ds_req n = {b, 2, 2, 0, 0, 2, 2, 1, 1, DS_MEAN};
    ds_compute(&n, out, NULL);
    CHECK(isnan(out[0]));
    n.mode = DS_MAXABS;
    ds_compute(&n, out, NULL);
    CHECK(out[0] == -3);
    /* Percentiles match numpy.percentile(abs(x), p) (linear). */
    float p[4] = {-4, 1, 2, 3};
    CHECK_NEAR(ds_abs_percentile(p, 4, 50, 1 << 20), 2.5, 1e-6);
    CHECK_NEAR(ds_abs_percentile(p, 4, 99, 1 << 20), 3.97, 1e-6);
    CHECK_NEAR(ds_abs_percentile(p, 4, 100, 1 << 20), 4, 1e-6);
    /* Sampling: every 2nd of 0..999 from 500 samples. */
    float big[1000];
    for (int i = 0; i < 1000; i++)
        big[i] = (float)i;
    CHECK_NEAR(ds_abs_percentile(big, 1000, 100, 500), 998, 1e-6);
    /* Against a sort, on shuffled data with ties: numpy.percentile semantics. */
    float sh[101];
    for (int i = 0; i < 101; i++)
        sh[i] = (float)((i * 37) % 101 / 2);   /* 0,0,1,1,...,50 in scrambled order */
    CHECK_NEAR(ds_abs_percentile(sh, 101, 50, 1 << 20), 25, 1e-6);
    CHECK_NEAR(ds_abs_percentile(sh, 101, 99, 1 << 20), 49, 1e-6);   /* numpy: 49.0 */
    CHECK_NEAR(ds_abs_percentile(sh, 101, 0, 1 << 20), 0, 1e-6);
}

static void test_line_stats(void)
{
    /* numpy over the finite values: mean, std (ddof=0), min, max, sqrt(sum x^2). */
    float x[6] = {0.5f, -1.25f, 3.0f, NAN, 2.0f, -0.125f};
    ds_line_stats s;
    ds_line_stats_of(x, 6, &s);
    CHECK(s.n_finite == 5);
    CHECK_NEAR(s.mean, 0.825, 1e-12);
    CHECK_NEAR(s.std, 1.5116216457830973, 1e-12);
    CHECK(s.min == -1.25 && s.max == 3.0);
    CHECK_NEAR(s.l2, 3.8507304501873407, 1e-12);
    float none[2] = {NAN, INFINITY};
    ds_line_stats_of(none, 2, &s);
    CHECK(s.n_finite == 0 && isnan(s.mean) && isnan(s.min) && s.l2 == 0);
}

/* ---- background jobs ---- */

static atomic_int freed;

static void spin_until_cancelled(void *arg, ws_progress *p)
{
    atomic_store(&p->total, 100);
    while (!ws_cancelled(p)) {
        if (atomic_load(&p->done) < 50)
            ws_progress_add(p, 1);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    *(int *)arg = 1;   /* saw the cancel */
}

static void quick(void *arg, ws_progress *p)
{
    atomic_store(&p->total, 1);
    *(int *)arg = 42;
    ws_progress_add(p, 1);
}

static void count_free(void *arg)
{
    atomic_fetch_add(&freed, 1);
    free(arg);
}

static void test_jobs(void)
{
    int *a = calloc(1, sizeof *a);
    tui_job *j = job_start(quick, a, count_free);
    CHECK(j && job_wait(j, 5000));
    CHECK(*a == 42 && job_fraction(j) == 1.0);
    CHECK(job_take_arg(j) == a);        /* the result is ours now */
    job_release(j);
    job_reap(1);
    CHECK(atomic_load(&freed) == 0 && *a == 42);
    free(a);

    int *b = calloc(1, sizeof *b);
    j = job_start(spin_until_cancelled, b, count_free);
    CHECK(j && !job_wait(j, 20));       /* runs until told to stop */
    for (int i = 0; i < 5000 && job_fraction(j) == 0; i++) {   /* a loaded machine may be slow */
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    CHECK(!job_done(j) && job_fraction(j) > 0 && job_fraction(j) <= 0.5);
    job_cancel(j);
    CHECK(job_wait(j, 5000) && *b == 1);
    job_release(j);
    job_reap(1);
    CHECK(atomic_load(&freed) == 1);     /* released: the reaper freed its argument */

    /* Released while running: reaped only once finished. */
    j = job_start(spin_until_cancelled, calloc(1, sizeof(int)), count_free);
    job_release(j);                      /* cancels */
    job_reap(1);
    CHECK(atomic_load(&freed) == 2);
}

int main(void)
{
    test_jobs();
    test_line_stats();
    test_heatmap_utf8_truecolour();
    test_heatmap_ascii_16();
    test_heatmap_mono();
    test_colourbar();
    test_plot();
    test_hist();
    test_ticks();
    test_colour_tiers();
    test_layout();
    test_keys();
    test_downsample();
    return check_done();
}
