/* Loss plot of a training run (see render.h): the training loss as a line
 * over a fixed step axis (so the plot fills from the left as the run goes
 * on) and the validation losses as points, on a linear or log y axis. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "render.h"

enum { MAX_SLOTS = 8192 }; /* points handed to the line plot, far more than dot columns */

static double tr(double v, int logy)
{
    return logy ? (v > 0 ? log10(v) : NAN) : v;
}

/* Range of the finite (and, on a log axis, positive) values of both series. */
static int loss_range(const float *loss, int64_t n, const float *val, int n_val, int logy,
                      double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (int64_t i = 0; i < n + n_val; i++) {
        double v = i < n ? loss[i] : val[i - n];
        if (!isfinite(tr(v, logy)))
            continue;
        *lo = fmin(*lo, v);
        *hi = fmax(*hi, v);
    }
    if (*lo > *hi)
        return -1;
    if (*lo == *hi) {
        *lo *= logy ? 0.9 : 1, *hi *= logy ? 1.1 : 1;
        if (!logy)
            *lo -= fabs(*lo) * 0.05 + 0.05, *hi += fabs(*hi) * 0.05 + 0.05;
    }
    return 0;
}

/* The line's points: one per step over 0 .. n_steps, or for long runs the
 * min and max of each of MAX_SLOTS/2 bins of steps. NaN where no step is. */
static float *loss_points(const float *loss, int64_t n_loss, int64_t n_steps, int logy,
                          int64_t *n_out)
{
    int64_t steps = n_steps + 1, n = steps <= MAX_SLOTS ? steps : MAX_SLOTS;
    float *y = malloc((size_t)n * sizeof *y);
    if (!y)
        return NULL;
    if (n == steps) {
        for (int64_t i = 0; i < n; i++)
            y[i] = i < n_loss ? (float)tr(loss[i], logy) : NAN;
    } else {
        int64_t bins = n / 2;
        for (int64_t j = 0; j < bins; j++) {
            double lo = INFINITY, hi = -INFINITY;
            for (int64_t i = j * steps / bins; i < (j + 1) * steps / bins && i < n_loss; i++) {
                double v = tr(loss[i], logy);
                if (isfinite(v))
                    lo = fmin(lo, v), hi = fmax(hi, v);
            }
            y[2 * j] = lo <= hi ? (float)lo : NAN;
            y[2 * j + 1] = lo <= hi ? (float)hi : NAN;
        }
    }
    *n_out = n;
    return y;
}

void render_loss(cellbuf *cb, cb_rect area, const float *loss, int64_t n_loss, int64_t n_steps,
                 const int64_t *val_step, const float *val, int n_val, int logy,
                 const render_style *s)
{
    cb_fill(cb, area, " ", CB_DEFAULT, CB_DEFAULT, 0);
    double lo, hi;
    if (n_steps < 1 || loss_range(loss, n_loss, val, n_val, logy, &lo, &hi))
        return;
    /* The axis runs over steps 0 .. n_steps: the final evaluation comes
     * after the last step. */
    int64_t n;
    float *y = loss_points(loss, n_loss, n_steps, logy, &n);
    if (!y)
        return;
    double tlo = tr(lo, logy), thi = tr(hi, logy);
    cb_rect p = render_plot_range(cb, area, y, n, (double)n_steps, tlo, thi, s);
    free(y);
    if (p.w <= 0 || p.h <= 0)
        return;
    if (logy)
        render_log_ylabels(cb, p, lo, hi, s);
    const char *mark = s->glyphs == WS_GLYPH_UTF8 ? "\xe2\x97\x86" : "o";
    uint32_t fg = s->colours == WS_COL_MONO ? CB_DEFAULT : colour_diverging(-0.8, s);
    for (int k = 0; k < n_val; k++) {
        double v = tr(val[k], logy);
        if (!isfinite(v))
            continue;
        double fx = (double)val_step[k] / (double)n_steps, fy = (v - tlo) / (thi - tlo);
        int col = p.x + (int)lround(fmin(1, fmax(0, fx)) * (p.w - 1));
        int row = p.y + p.h - 1 - (int)lround(fmin(1, fmax(0, fy)) * (p.h - 1));
        cb_set(cb, row, col, mark, fg, CB_DEFAULT, CB_BOLD);
    }
}
