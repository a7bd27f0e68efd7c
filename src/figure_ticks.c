/* Tick positions and labels: 1-2-5 steps on linear axes, decades on log axes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figure.h"

/* The 1, 2 or 5 × 10^k nearest above `raw`. */
static double nice_step(double raw)
{
    double mag = pow(10, floor(log10(raw)));
    double r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

static long first_index(double lo, double step) { return (long)ceil(lo / step - 1e-9); }
static long last_index(double hi, double step) { return (long)floor(hi / step + 1e-9); }

/* "1e-05" → "1e-5", "1e+06" → "1e6". */
static void tidy_exponent(char *s)
{
    char *e = strchr(s, 'e');
    if (!e)
        return;
    char *src = e + 1, *dst = e + 1;
    if (*src == '+')
        src++;
    else if (*src == '-')
        *dst++ = *src++;
    while (*src == '0' && src[1])
        src++;
    memmove(dst, src, strlen(src) + 1);
}

/* Label v with the digits a step of `step` needs. */
static void linear_label(char *buf, size_t n, double v, double step, double maxabs)
{
    if (maxabs < 1e5 && step >= 1e-4) {
        int dec = (int)-floor(log10(step) + 1e-9);
        snprintf(buf, n, "%.*f", dec > 0 ? dec : 0, v);
    } else {
        int p = (int)(floor(log10(maxabs)) - floor(log10(step) + 1e-9)) + 1;
        snprintf(buf, n, "%.*g", p < 1 ? 1 : p > 15 ? 15 : p, v);
        tidy_exponent(buf);
    }
}

/* Copy a label with each '-' as a typographic minus (U+2212), as papers print it. */
static void set_label(char *dst, size_t n, const char *src)
{
    size_t k = 0;
    for (; *src && k + 4 < n; src++) {
        if (*src == '-') {
            memcpy(dst + k, "\xe2\x88\x92", 3);
            k += 3;
        } else {
            dst[k++] = *src;
        }
    }
    dst[k] = 0;
}

static void add_tick(ws_ticks *t, double v, const char *label, int major)
{
    if (t->n >= WS_TICKS_MAX)
        return;
    t->v[t->n] = v;
    set_label(t->label[t->n], sizeof t->label[0], label ? label : "");
    t->major[t->n] = major;
    t->n++;
}

void ws_ticks_linear(double lo, double hi, int target, ws_ticks *t)
{
    t->n = 0;
    if (!isfinite(lo) || !isfinite(hi))
        return;
    if (!(hi > lo)) {
        char buf[24];
        linear_label(buf, sizeof buf, lo, fabs(lo) > 0 ? fabs(lo) / 10 : 1, fabs(lo));
        add_tick(t, lo, buf, 1);
        return;
    }
    if (target < 2)
        target = 2;
    double step = nice_step((hi - lo) / target);
    /* At least two ticks inside the range; no more than the table holds. */
    while (last_index(hi, step) - first_index(lo, step) < 1)
        step = nice_step(step * 0.45);
    while (last_index(hi, step) - first_index(lo, step) + 1 > WS_TICKS_MAX)
        step = nice_step(step * 2.2);
    long i0 = first_index(lo, step), i1 = last_index(hi, step);
    double maxabs = fmax(fabs(i0 * step), fabs(i1 * step));
    for (long i = i0; i <= i1; i++) {
        double v = i == 0 ? 0.0 : i * step;
        char buf[24];
        linear_label(buf, sizeof buf, v, step, maxabs);
        add_tick(t, v, buf, 1);
    }
}

static void decade_label(char *buf, size_t n, int k)
{
    if (k >= -3 && k <= 4)
        snprintf(buf, n, "%g", pow(10, k));
    else
        snprintf(buf, n, "1e%d", k);
}

void ws_ticks_log(double lo, double hi, ws_ticks *t)
{
    t->n = 0;
    if (!(lo > 0) || !(hi >= lo) || !isfinite(hi))
        return;
    double a = log10(lo), b = log10(hi);
    if (b - a < 1) {             /* inside about one decade: 1-2-5 steps */
        ws_ticks_linear(lo, hi, 4, t);
        return;
    }
    int k0 = (int)ceil(a - 1e-9), k1 = (int)floor(b + 1e-9);
    int decades = k1 - k0 + 1;
    int every = decades <= 8 ? 1 : (decades + 7) / 8;
    int minors = every == 1 && b - a <= 6;
    int label_25 = decades < 2;  /* one labelled decade is too few */
    for (int k = (int)floor(a) - 1; k <= k1; k++) {
        double d = pow(10, k);
        if (k >= k0 && k % every == 0) {
            char buf[24];
            decade_label(buf, sizeof buf, k);
            add_tick(t, d, buf, 1);
        }
        for (int m = 2; minors && m <= 9; m++) {
            double v = m * d;
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9))
                continue;
            char buf[24] = "";
            if (label_25 && (m == 2 || m == 5))
                snprintf(buf, sizeof buf, "%g", v);
            add_tick(t, v, buf, buf[0] != 0);
        }
    }
}
