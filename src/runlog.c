/* The training log's writer, reader and follower (see runlog.h). */
#include "runlog.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "threads.h"

static const char *const base_cols[] = {"step", "loss", "val_loss", "lr", "grad_norm",
                                        "tokens_per_s", "n_frozen"};
static const char *const tail_cols[] = {"elapsed_s", "events"};

/* ---- a growing text buffer ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t len)
{
    if (b->failed)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + len + 1)
            c *= 2;
        char *q = realloc(b->p, c);
        if (!q) {
            b->failed = 1;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = 0;
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void sb_field(sbuf *b, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        sb_str(b, s);
        return;
    }
    sb_str(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            sb_str(b, "\"");   /* a quote inside is doubled */
        sb_add(b, s, 1);
    }
    sb_str(b, "\"");
}

static void sb_num(sbuf *b, const char *fmt, double v)
{
    char t[64];
    if (isnan(v))
        return;   /* a missing value: an empty cell */
    snprintf(t, sizeof t, fmt, v);
    sb_str(b, t);
}

/* ---- writing ---- */

struct ws_runlog {
    int fd;
    char *path;
    int n_upd;
    double synced_at;
};

/* All of buf, through EINTR and short writes. */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t k = write(fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

const char *ws_runlog_path(const ws_runlog *l) { return l->path; }

ws_runlog *ws_runlog_create(const char *path, const char *const *upd_names, int n_upd,
                            int exclusive, ws_err *e)
{
    if (ws_output_check(path, 0, e) != 0)   /* never an input, a directory, a device node */
        return NULL;
    ws_runlog *l = calloc(1, sizeof *l);
    sbuf h = {0};
    if (!l || !(l->path = strdup(path))) {
        free(l);
        ws_fail(e, "out of memory");
        return NULL;
    }
    l->n_upd = n_upd;
    for (size_t i = 0; i < sizeof base_cols / sizeof *base_cols; i++)
        sb_str(&h, i ? "," : ""), sb_str(&h, base_cols[i]);
    for (int k = 0; k < n_upd; k++) {
        char name[600];
        snprintf(name, sizeof name, "update:%s", upd_names[k]);
        sb_str(&h, ",");
        sb_field(&h, name);
    }
    for (size_t i = 0; i < sizeof tail_cols / sizeof *tail_cols; i++)
        sb_str(&h, ","), sb_str(&h, tail_cols[i]);
    sb_str(&h, "\n");
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
    /* O_NONBLOCK: a FIFO with no reader is an error, not a hang */
    l->fd = h.failed ? -1 : open(path, flags | O_NONBLOCK, 0644);
    if (l->fd >= 0)
        fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) & ~O_NONBLOCK);
    if (h.failed || l->fd < 0 || write_all(l->fd, h.p, h.n)) {
        if (h.failed)
            ws_fail(e, "out of memory");
        else
            ws_fail(e, "cannot write: %s", strerror(errno));
        if (l->fd >= 0)
            close(l->fd);
        free(h.p);
        free(l->path);
        free(l);
        return NULL;
    }
    free(h.p);
    l->synced_at = ws_monotonic_s();
    return l;
}

int ws_runlog_append(ws_runlog *l, const ws_run_rec *r, const float *upd,
                     const ws_run_event *ev, size_t n_ev, ws_err *e)
{
    sbuf b = {0};
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)r->step);
    sb_str(&b, t);
    double v[5] = {r->loss, r->val_loss, r->lr, r->grad_norm, r->tokens_per_s};
    for (int i = 0; i < 5; i++) {
        sb_str(&b, ",");
        sb_num(&b, i == 4 ? "%.1f" : "%.9g", v[i]);
    }
    sb_str(&b, ",");
    sb_num(&b, "%.0f", r->n_frozen >= 0 ? r->n_frozen : NAN);
    for (int k = 0; k < l->n_upd; k++) {
        sb_str(&b, ",");
        sb_num(&b, "%.9g", upd ? upd[k] : NAN);
    }
    sb_str(&b, ",");
    sb_num(&b, "%.3f", r->elapsed_s);
    sb_str(&b, ",");
    sbuf evs = {0};
    for (size_t i = 0; i < n_ev; i++) {
        sb_str(&evs, i ? ";" : "");
        sb_str(&evs, ev[i].tensor);
        sb_str(&evs, "=");
        sb_str(&evs, ev[i].why);
    }
    sb_field(&b, evs.p ? evs.p : "");
    sb_str(&b, "\n");
    int rc = 0;
    if (b.failed || evs.failed)
        rc = ws_fail(e, "out of memory");
    else if (write_all(l->fd, b.p, b.n))
        rc = ws_fail(e, "cannot write: %s", strerror(errno));
    free(b.p);
    free(evs.p);
    if (!rc && ws_monotonic_s() - l->synced_at >= WS_RUNLOG_SYNC_S) {
        fdatasync(l->fd);   /* on disk every few seconds, not every step */
        l->synced_at = ws_monotonic_s();
    }
    return rc;
}

int ws_runlog_close(ws_runlog *l, ws_err *e)
{
    if (!l)
        return 0;
    int rc = 0;
    if (fsync(l->fd) && errno != EINVAL)
        rc = ws_fail(e, "cannot write: %s", strerror(errno));
    if (close(l->fd) && !rc)
        rc = ws_fail(e, "cannot write: %s", strerror(errno));
    free(l->path);
    free(l);
    return rc;
}

/* ---- reading ---- */

void ws_runlog_reader_init(ws_runlog_reader *rd)
{
    memset(rd, 0, sizeof *rd);
    for (int i = 0; i < WS_LOG_NCOLS; i++)
        rd->col[i] = -1;
}

/* The next CSV field of line[*pos, end) into out (unquoted, at most cap-1
 * bytes kept; out NULL: skipped), its whole length in *len. Returns 1 when
 * a field was read, 0 at the end of the line, -1 for a bad quote. */
static int next_field(const char *line, size_t end, size_t *pos, char *out, size_t cap,
                      size_t *len)
{
    size_t i = *pos, k = 0;
    if (i > end)
        return 0;
    if (i < end && line[i] == '"') {
        for (i++;; i++) {
            if (i >= end)
                return -1;   /* no closing quote */
            if (line[i] == '"') {
                if (i + 1 < end && line[i + 1] == '"')
                    i++;
                else
                    break;
            }
            if (out && k + 1 < cap)
                out[k] = line[i];
            k++;
        }
        i++;   /* past the closing quote */
        if (i < end && line[i] != ',')
            return -1;
    } else {
        const char *comma = memchr(line + i, ',', end - i);
        size_t stop = comma ? (size_t)(comma - line) : end;
        k = stop - i;
        if (out)
            memcpy(out, line + i, k < cap ? k : cap - 1);
        i = stop;
    }
    if (out)
        out[k < cap ? k : cap - 1] = 0;
    *len = k;
    *pos = i + 1;   /* past the comma (or past the end: no more fields) */
    return 1;
}

static void trim(char *s)
{
    size_t n = strlen(s), b = 0;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    while (s[b] == ' ' || s[b] == '\t')
        b++;
    memmove(s, s + b, n - b + 1);
}

static int header_field(const char *name)
{
    static const struct { const char *name; int field; } known[] = {
        {"step", WS_LOG_STEP}, {"loss", WS_LOG_LOSS}, {"val_loss", WS_LOG_VAL},
        {"lr", WS_LOG_LR}, {"grad_norm", WS_LOG_GRAD}, {"tokens_per_s", WS_LOG_TPS},
        {"n_frozen", WS_LOG_FROZEN}, {"elapsed_s", WS_LOG_ELAPSED}, {"events", WS_LOG_EVENTS},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(name, known[i].name))
            return known[i].field;
    return -1;
}

static int parse_header(ws_runlog_reader *rd, const char *line, size_t end, ws_err *e)
{
    char f[256];
    size_t pos = 0, len;
    /* A UTF-8 byte order mark (some spreadsheets write one). */
    if (end >= 3 && !memcmp(line, "\xef\xbb\xbf", 3))
        pos = 3;
    for (int c = 0;; c++) {
        int r = next_field(line, end, &pos, f, sizeof f, &len);
        if (r < 0)
            return ws_fail(e, "line 1: a quote is not closed");
        if (!r)
            break;
        trim(f);
        int k = header_field(f);
        if (k >= 0 && rd->col[k] < 0)
            rd->col[k] = c;
        rd->n_cols = c + 1;
    }
    if (rd->col[WS_LOG_STEP] < 0 || (rd->col[WS_LOG_LOSS] < 0 && rd->col[WS_LOG_VAL] < 0))
        return ws_fail(e, "not a training log: the first line has no \"step\" and "
                          "\"loss\" or \"val_loss\" columns");
    rd->have_header = 1;
    return 0;
}

/* A number cell: empty means missing (NaN). */
static int num_cell(const char *s, double *v)
{
    char *end;
    if (!*s) {
        *v = NAN;
        return 0;
    }
    *v = strtod(s, &end);
    return *end ? -1 : 0;
}

/* Events "TENSOR=WHY;TENSOR=WHY" (split at the last '=' of each item). */
static int add_events(ws_run *run, int64_t step, const char *s, ws_err *e)
{
    char item[512];
    while (*s) {
        size_t n = strcspn(s, ";");
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), s);
        trim(item);
        char *eq = strrchr(item, '=');
        if (eq)
            *eq = 0;
        if (item[0] && ws_run_add_event(run, step, item, eq ? eq + 1 : "", e))
            return -1;
        s += n + (s[n] == ';');
    }
    return 0;
}

static const char *const field_names[WS_LOG_NCOLS] = {
    "step", "loss", "val_loss", "lr", "grad_norm", "tokens_per_s", "n_frozen", "elapsed_s",
    "events"};

/* One data line into a record (and its events). */
static int parse_row(ws_runlog_reader *rd, const char *line, size_t end, int whole,
                     ws_run *run, ws_err *e)
{
    char cells[WS_LOG_NCOLS][64] = {{0}}, evbuf[256];
    char *events = NULL;   /* only this cell may be long: on the heap when it is */
    size_t pos = 0, ln = rd->line + 1, len;
    int c = 0;
    for (;; c++) {
        int k = 0;
        while (k < WS_LOG_NCOLS && rd->col[k] != c)
            k++;
        size_t at = pos;
        char *out = k == WS_LOG_EVENTS ? evbuf : k < WS_LOG_NCOLS ? cells[k] : NULL;
        size_t cap = k == WS_LOG_EVENTS ? sizeof evbuf : sizeof cells[0];
        int r = next_field(line, end, &pos, out, cap, &len);
        if (r > 0 && k == WS_LOG_EVENTS && len >= sizeof evbuf) {
            if (!(events = malloc(len + 1)))
                return ws_fail(e, "out of memory");
            pos = at;
            next_field(line, end, &pos, events, len + 1, &len);
        } else if (r > 0 && k == WS_LOG_EVENTS && len) {
            events = evbuf;
        }
        if (r < 0) {
            if (events != evbuf)
                free(events);
            return ws_fail(e, "line %zu: a quote is not closed", ln);
        }
        if (!r)
            break;
        if (out && k != WS_LOG_EVENTS && len >= sizeof cells[0]) {
            if (events != evbuf)
                free(events);
            return ws_fail(e, "line %zu: %s is %zu characters long, not a number", ln,
                           field_names[k], len);
        }
        if (out && k != WS_LOG_EVENTS && len &&
            (isspace((unsigned char)cells[k][0]) || isspace((unsigned char)cells[k][len - 1])))
            trim(cells[k]);   /* rare: the writers put no spaces */
    }
    if (!whole && c < rd->n_cols) {
        if (events != evbuf)
            free(events);
        return ws_fail(e, "line %zu: %d of %d cells", ln, c, rd->n_cols);
    }
    ws_run_rec rec = {0, NAN, NAN, NAN, NAN, NAN, NAN, -1};
    double *dst[WS_LOG_NCOLS] = {NULL, &rec.loss, &rec.val_loss, &rec.lr, &rec.grad_norm,
                                 &rec.tokens_per_s, NULL, &rec.elapsed_s, NULL};
    double v;
    int rc = 0;
    for (int k = 0; k < WS_LOG_EVENTS && !rc; k++) {
        if (rd->col[k] < 0)
            continue;
        if (num_cell(cells[k], &v) && k == WS_LOG_STEP)
            rc = ws_fail(e, "line %zu: step \"%s\" is not a whole number >= 0", ln, cells[k]);
        else if (num_cell(cells[k], &v))
            rc = ws_fail(e, "line %zu: %s \"%s\" is not a number", ln, field_names[k], cells[k]);
        else if (dst[k])
            *dst[k] = v;
        else if (k == WS_LOG_STEP && !(v >= 0 && v <= 9e15 && v == floor(v)))
            rc = ws_fail(e, "line %zu: step \"%s\" is not a whole number >= 0", ln, cells[k]);
        else if (k == WS_LOG_STEP)
            rec.step = (int64_t)v;
        else if (k == WS_LOG_FROZEN)
            rec.n_frozen = v >= 0 && v < 1e9 ? (int)v : -1;
    }
    if (!rc)
        rc = ws_run_add(run, &rec, e);
    if (!rc && events)
        rc = add_events(run, rec.step, events, e);
    if (events != evbuf)
        free(events);
    return rc;
}

long ws_runlog_parse(ws_runlog_reader *rd, const char *buf, size_t n, int at_eof, ws_run *run,
                     size_t *used, ws_err *e)
{
    size_t pos = 0;
    long added = 0;
    *used = 0;
    while (pos < n) {
        const char *nl = memchr(buf + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - buf) : n, len = end - pos;
        if (!nl && !at_eof) {
            if (len > WS_RUNLOG_MAX_LINE)
                return ws_fail(e, "line %zu is longer than %d bytes", rd->line + 1,
                               WS_RUNLOG_MAX_LINE);
            break;   /* wait for the rest of the line */
        }
        if (len > WS_RUNLOG_MAX_LINE)
            return ws_fail(e, "line %zu is longer than %d bytes", rd->line + 1,
                           WS_RUNLOG_MAX_LINE);
        size_t stop = end > pos && buf[end - 1] == '\r' ? end - 1 : end;
        int blank = stop == pos;
        int rc = 0;
        if (blank) {
            /* empty lines carry nothing */
        } else if (!rd->have_header) {
            rc = parse_header(rd, buf + pos, stop - pos, e);
        } else {
            size_t before = run->n_rec;
            rc = parse_row(rd, buf + pos, stop - pos, nl != NULL, run, e);
            if (rc && !nl) {   /* a cut last line: drop it */
                rd->partial = 1;
                rc = 0;
            }
            added += (long)(run->n_rec - before);
        }
        if (rc)
            return -1;
        rd->line++;
        pos = nl ? end + 1 : n;
        *used = pos;
    }
    return added;
}

/* All bytes appended to fd since `off` (malloc'd *buf, *n bytes). */
static int read_from(int fd, off_t off, char **buf, size_t *n, ws_err *e)
{
    size_t cap = 65536, k = 0;
    char *b = malloc(cap);
    if (!b)
        return ws_fail(e, "out of memory");
    for (;;) {
        if (k == cap) {
            char *q = cap < ((size_t)1 << 40) ? realloc(b, cap * 2) : NULL;
            if (!q) {
                free(b);
                return ws_fail(e, "out of memory");
            }
            b = q;
            cap *= 2;
        }
        ssize_t r = pread(fd, b + k, cap - k, off + (off_t)k);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(b);
            return ws_fail(e, "cannot read: %s", strerror(errno));
        }
        if (r == 0)
            break;
        k += (size_t)r;
    }
    *buf = b;
    *n = k;
    return 0;
}

struct ws_runlog_follow {
    int fd;
    char *path;
    dev_t dev;
    ino_t ino;
    off_t off;                 /* bytes consumed */
    ws_runlog_reader rd;
};

static int follow_reopen(ws_runlog_follow *f, ws_err *e)
{
    struct stat st;
    if (f->fd >= 0)
        close(f->fd);
    /* A FIFO or device would block the reader: refused before it is opened.
     * (Not registered as an input: a run may be writing it.) */
    if (ws_input_check(f->path, 0, e) != 0) {
        f->fd = -1;
        return -1;
    }
    f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0 || fstat(f->fd, &st))
        return ws_fail(e, "cannot open: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return ws_fail(e, "is a directory, not a training log");
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->off = 0;
    ws_runlog_reader_init(&f->rd);
    return 0;
}

ws_runlog_follow *ws_runlog_follow_open(const char *path, ws_run *run, ws_err *e)
{
    ws_runlog_follow *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        ws_fail(e, "out of memory");
        return NULL;
    }
    f->fd = -1;
    if (follow_reopen(f, e) || ws_runlog_follow_poll(f, run, e) < 0) {
        ws_runlog_follow_close(f);
        return NULL;
    }
    return f;
}

long ws_runlog_follow_poll(ws_runlog_follow *f, ws_run *run, ws_err *e)
{
    struct stat now, ours;
    /* Replaced (a new file at the path) or cut short: read from the start. */
    int replaced = !stat(f->path, &now) && (now.st_dev != f->dev || now.st_ino != f->ino);
    if (replaced && follow_reopen(f, e))
        return -1;
    if (fstat(f->fd, &ours))
        return ws_fail(e, "cannot read: %s", strerror(errno));
    if (replaced || ours.st_size < f->off) {
        ws_run_clear(run);
        f->off = 0;
        ws_runlog_reader_init(&f->rd);
    }
    if (ours.st_size == f->off && !replaced)
        return 0;
    char *buf;
    size_t n, used;
    if (read_from(f->fd, f->off, &buf, &n, e))
        return -1;
    long k = ws_runlog_parse(&f->rd, buf, n, 0, run, &used, e);
    free(buf);
    if (k < 0)
        return -1;
    f->off += (off_t)used;
    return k;
}

void ws_runlog_follow_close(ws_runlog_follow *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f);
}

void ws_runlog_name(const char *path, char *buf, size_t n)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t len = end - start;
    if (len > 4 && !strncmp(path + end - 4, ".csv", 4))
        len -= 4;
    if (len == 3 && !strncmp(path + start, "log", 3) && start > 1) {
        /* the folder's name: the component before the last slash */
        size_t dend = start - 1;
        while (dend > 0 && path[dend - 1] == '/')
            dend--;
        size_t dstart = dend;
        while (dstart > 0 && path[dstart - 1] != '/')
            dstart--;
        size_t dl = dend - dstart;
        int dots = (dl == 1 && path[dstart] == '.') || (dl == 2 && !strncmp(path + dstart, "..", 2));
        if (dl && !dots) {
            start = dstart;
            len = dend - dstart;
        }
    }
    snprintf(buf, n, "%.*s", (int)len, path + start);
}

int ws_runlog_read(const char *path, ws_run *run, ws_err *e)
{
    int fd = ws_input_open(path, e);   /* an input: never replaced; no FIFO */
    if (fd < 0)
        return -1;
    char *buf;
    size_t n, used;
    int rc = read_from(fd, 0, &buf, &n, e);
    close(fd);
    if (rc)
        return -1;
    ws_runlog_reader rd;
    ws_runlog_reader_init(&rd);
    long k = ws_runlog_parse(&rd, buf, n, 1, run, &used, e);
    free(buf);
    if (k < 0)
        return -1;
    if (!rd.have_header)
        return ws_fail(e, "empty file: no header line");
    return 0;
}
