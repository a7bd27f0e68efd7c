/* Reading a training log and drawing its curve's numbers, timed: the whole
 * file through the reader (src/runlog.c) into run records, then the EMA of
 * the training loss (src/run.c), the ETA and the summary. Prints one line:
 * rows, read seconds, curve seconds, the last smoothed loss (a check that
 * both sides computed the same thing). Best of `rounds`. Used by
 * bench/runlog. Usage: runlog_bench LOG.csv [ROUNDS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "run.h"
#include "runlog.h"
#include "threads.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: runlog_bench LOG.csv [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    double best_read = INFINITY, best_curve = INFINITY, last = NAN;
    size_t rows = 0;
    for (int k = 0; k < rounds; k++) {
        ws_run r;
        ws_err e;
        ws_run_init(&r, "bench");
        double t0 = ws_monotonic_s();
        if (ws_runlog_read(argv[1], &r, &e)) {
            fprintf(stderr, "runlog_bench: %s: %s\n", argv[1], e.msg);
            return 1;
        }
        double t1 = ws_monotonic_s();
        size_t n = ws_run_count(&r, 0, -1);
        double *x = malloc((n ? n : 1) * sizeof *x), *y = malloc((n ? n : 1) * sizeof *y);
        if (!x || !y)
            return 1;
        n = ws_run_points(&r, 0, -1, x, y, n);
        ws_ema(y, n, 0.9, y);
        ws_run_summary s;
        ws_run_summarise(&r, 0.9, &s);
        volatile double eta = ws_run_eta(&r, (int64_t)n * 2);
        (void)eta;
        double t2 = ws_monotonic_s();
        best_read = fmin(best_read, t1 - t0);
        best_curve = fmin(best_curve, t2 - t1);
        last = n ? y[n - 1] : NAN;
        rows = r.n_rec;
        free(x);
        free(y);
        ws_run_free(&r);
    }
    printf("rows %zu  read_s %.4f  curve_s %.4f  last_smoothed %.9g\n", rows, best_read, best_curve,
           last);
    return 0;
}
