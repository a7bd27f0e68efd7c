/* Block downsampling and colour range (see downsample.h). */
#include "downsample.h"

#include <math.h>
#include <stdlib.h>

void ds_grid_size(const ds_req *q, int want_h, int want_w, int *ph, int *pw)
{
    int64_t h = (q->rows - q->r0 + q->br - 1) / q->br;
    int64_t w = (q->cols - q->c0 + q->bc - 1) / q->bc;
    *ph = (int)(h < 0 ? 0 : h < want_h ? h : want_h);
    *pw = (int)(w < 0 ? 0 : w < want_w ? w : want_w);
}

/* Mean blocks of one band: rows [ra, rb) are added column by column into
 * `col` (an element-wise add the compiler vectorises, streaming memory in
 * order however tall the blocks are), then each pixel sums its columns. */
static void band_mean(const ds_req *q, int64_t ra, int64_t rb, float *out, double *col)
{
    int64_t w = q->cols - q->c0 < (int64_t)q->pw * q->bc ? q->cols - q->c0 : (int64_t)q->pw * q->bc;
    for (int64_t c = 0; c < w; c++)
        col[c] = 0;
    for (int64_t r = ra; r < rb; r++) {
        const float *row = q->a + r * q->cols + q->c0;
        for (int64_t c = 0; c < w; c++)
            col[c] += row[c];
    }
    for (int px = 0; px < q->pw; px++) {
        int64_t ca = (int64_t)px * q->bc, cb = ca + q->bc < w ? ca + q->bc : w;
        double sum = 0;
        for (int64_t c = ca; c < cb; c++)
            sum += col[c];
        out[px] = cb > ca ? (float)(sum / (double)((rb - ra) * (cb - ca))) : NAN;
    }
}

/* Max-|w| blocks of one band, scanned in row-major order so that ties keep
 * the first element met. */
static void band_max(const ds_req *q, int64_t ra, int64_t rb, float *out)
{
    for (int px = 0; px < q->pw; px++)
        out[px] = NAN;
    for (int64_t r = ra; r < rb; r++) {
        const float *row = q->a + r * q->cols;
        for (int px = 0; px < q->pw; px++) {
            int64_t ca = q->c0 + (int64_t)px * q->bc;
            int64_t cb = ca + q->bc < q->cols ? ca + q->bc : q->cols;
            float best = out[px];
            for (int64_t c = ca; c < cb; c++)
                if (!(fabsf(row[c]) <= fabsf(best)) && !isnan(row[c]))
                    best = row[c];   /* larger |w|, or the first non-NaN */
            out[px] = best;
        }
    }
}

/* One band of pixels: matrix rows [ra, rb). */
static void band(const ds_req *q, int py, float *out, double *col)
{
    int64_t ra = q->r0 + (int64_t)py * q->br;
    int64_t rb = ra + q->br < q->rows ? ra + q->br : q->rows;
    if (q->mode == DS_MEAN)
        band_mean(q, ra, rb, out, col);
    else
        band_max(q, ra, rb, out);
}

typedef struct ds_job {
    const ds_req *q;
    float *out;
    ws_progress *p;
} ds_job;

static void ds_rows(size_t begin, size_t end, int tid, void *user)
{
    (void)tid;
    ds_job *j = user;
    double *col = malloc((size_t)j->q->pw * (size_t)j->q->bc * sizeof *col);
    if (!col) {   /* no memory: show the band as NaN rather than garbage */
        for (size_t i = begin * (size_t)j->q->pw; i < end * (size_t)j->q->pw; i++)
            j->out[i] = NAN;
        return;
    }
    for (size_t py = begin; py < end && !ws_cancelled(j->p); py++) {
        band(j->q, (int)py, j->out + py * (size_t)j->q->pw, col);
        ws_progress_add(j->p, 1);
    }
    free(col);
}

int ds_compute(const ds_req *q, float *out, ws_progress *p)
{
    if (q->ph <= 0 || q->pw <= 0)
        return 0;
    ds_job j = {q, out, p};
    /* Small windows are not worth waking threads for. */
    int64_t work = (int64_t)q->ph * q->pw * q->br * q->bc;
    int threads = work < (1 << 20) ? 1 : 0;
    return ws_parallel_for((size_t)q->ph, 1, threads, ds_rows, &j, p) < 0 ? -1 : 0;
}

/* Rearrange v[0..n) so that v[k] is the k-th smallest (Hoare quickselect). */
static float select_kth(float *v, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                float t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break;
    }
    return v[k];
}

/* The pct-th percentile of a[i] (or of |a[i]| when `absolute`). */
static double percentile(const float *a, int64_t n, double pct, int64_t sample, int absolute)
{
    if (n <= 0)
        return 0;
    int64_t m = n < sample ? n : sample;
    float *v = malloc((size_t)m * sizeof *v);
    if (!v)
        return 0;
    int64_t k = 0;
    for (int64_t i = 0; i < m; i++) {
        float x = a[(int64_t)((double)i * (double)n / (double)m)];
        if (isfinite(x))
            v[k++] = absolute ? fabsf(x) : x;
    }
    double r = 0;
    if (k > 0) {
        double pos = pct / 100.0 * (double)(k - 1);
        int64_t i = (int64_t)pos;
        double f = pos - (double)i;
        r = select_kth(v, k, i);
        if (i + 1 < k && f > 0) {
            /* After selection everything right of i is >= v[i]: its min is v[i+1]. */
            float next = v[i + 1];
            for (int64_t j = i + 2; j < k; j++)
                if (v[j] < next)
                    next = v[j];
            r = r * (1 - f) + next * f;
        }
    }
    free(v);
    return r;
}

double ds_abs_percentile(const float *a, int64_t n, double pct, int64_t sample)
{
    return percentile(a, n, pct, sample, 1);
}

double ds_percentile(const float *a, int64_t n, double pct, int64_t sample)
{
    return percentile(a, n, pct, sample, 0);
}

void ds_line_stats_of(const float *x, int64_t n, ds_line_stats *out)
{
    double sum = 0, sq = 0, mn = INFINITY, mx = -INFINITY;
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        sum += x[i];
        sq += (double)x[i] * x[i];
        mn = fmin(mn, x[i]);
        mx = fmax(mx, x[i]);
        k++;
    }
    double mean = k ? sum / (double)k : NAN, m2 = 0;
    for (int64_t i = 0; i < n; i++)   /* two passes: exact when |mean| >> std */
        if (isfinite(x[i]))
            m2 += (x[i] - mean) * (x[i] - mean);
    out->n_finite = k;
    out->mean = mean;
    out->std = k ? sqrt(m2 / (double)k) : NAN;
    out->min = k ? mn : NAN;
    out->max = k ? mx : NAN;
    out->l2 = sqrt(sq);
}
