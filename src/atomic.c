#include "atomic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".wscope-tmp."
#define TMP_BASE_MAX 200   /* keeps ".NAME.wscope-tmp.PID-N" under NAME_MAX */

/* ---- what may be written ---- */

/* The directory part of `path` ("." when none), malloc'd. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The file a write of `path` replaces: `path` itself, or the target of the
 * symbolic link it names (so the link stays a link). malloc'd. */
static char *resolve(const char *path, ws_err *e)
{
    struct stat st;
    char *r;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        r = strdup(path);
    else if (!(r = realpath(path, NULL))) {
        ws_fail(e, "is a symbolic link to %s: %s",
                errno == ENOENT ? "a missing file" : "a path that cannot be followed", strerror(errno));
        return NULL;
    }
    if (!r)
        ws_fail(e, "out of memory");
    return r;
}

static int check_dir(const char *path, ws_err *e)
{
    char *dir = dir_of(path);
    if (!dir)
        return ws_fail(e, "out of memory");
    struct stat st;
    int rc = 0;
    if (stat(dir, &st) != 0)
        rc = ws_fail(e, "cannot create a file in %s: %s", dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = ws_fail(e, "cannot create a file in %s: not a directory", dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = ws_fail(e, "cannot create a file in %s: %s", dir, strerror(errno));
    free(dir);
    return rc;
}

/* Checks on the resolved target; *in_place is set for FIFOs and devices. */
static int check_target(const char *path, unsigned flags, int *in_place, int *existed, ws_err *e)
{
    struct stat st;
    *in_place = *existed = 0;
    size_t n = strlen(path);
    if (n == 0)
        return ws_fail(e, "empty file name");
    if (path[n - 1] == '/')
        return ws_fail(e, "names a directory, not a file");
    if (stat(path, &st) != 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            return ws_fail(e, "cannot write: %s", strerror(errno));
        return check_dir(path, e);
    }
    *existed = 1;
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        *in_place = 1;   /* -o /dev/stdout: written in place, never renamed over */
        return 0;
    }
    if (!S_ISREG(st.st_mode))
        return ws_fail(e, "is %s: refusing to write over it", ws_file_type_name(st.st_mode));
    ws_input_kind kind;
    if (ws_input_lookup(path, &kind) && !((flags & WS_OUT_REPLACE_MODEL) && kind == WS_INPUT_MODEL))
        return ws_fail(e, "refusing to overwrite an input file (%s read by this run)",
                       kind == WS_INPUT_MODEL ? "the model" : "a file");
    return check_dir(path, e);
}

int ws_output_check(const char *path, unsigned flags, ws_err *e)
{
    char *r = resolve(path, e);
    if (!r)
        return -1;
    int in_place, existed;
    int rc = check_target(r, flags, &in_place, &existed, e);
    free(r);
    return rc;
}

/* The canonical spelling of an output path: the real directory plus the name. */
static char *canonical(const char *path)
{
    char *r = realpath(path, NULL);
    if (r)
        return r;
    char *dir = dir_of(path), *rdir = dir ? realpath(dir, NULL) : NULL;
    const char *base = base_of(path);
    char *out = NULL;
    if (rdir && (out = malloc(strlen(rdir) + strlen(base) + 2)))
        sprintf(out, "%s/%s", rdir, base);
    free(dir);
    free(rdir);
    return out ? out : strdup(path);
}

int ws_output_same(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ca = canonical(a), *cb = canonical(b);
    int same = ca && cb && !strcmp(ca, cb);
    free(ca);
    free(cb);
    return same;
}

/* ---- temporary files ---- */

char *ws_atomic_temp_name(const char *path, long pid)
{
    char *dir = dir_of(path);
    if (!dir)
        return NULL;
    const char *base = base_of(path);
    size_t n = strlen(dir) + strlen(base) + 64;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%s/.%.*s" TMP_TAG "%ld", dir, TMP_BASE_MAX, base, pid);
    free(dir);
    return t;
}

/* The PID in a temporary file's name (".NAME.wscope-tmp.PID[-N]"), or 0. */
static long temp_pid(const char *name)
{
    const char *tag = name[0] == '.' ? strstr(name, TMP_TAG) : NULL;
    if (!tag)
        return 0;
    const char *p = tag + strlen(TMP_TAG);
    char *end;
    long pid = strtol(p, &end, 10);
    if (end == p || pid <= 0)
        return 0;
    if (*end == '-') {
        const char *q = end + 1;
        strtol(q, &end, 10);
        if (end == q)
            return 0;
    }
    return *end ? 0 : pid;
}

/* Remove our temporary files in `dir` whose process is gone. */
static void remove_stale_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        long pid = temp_pid(de->d_name);
        struct stat st;
        if (!pid || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_uid == geteuid())
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

/* ---- signal-time cleanup ---- */

#define SIG_SLOTS 16
static char sig_tmp[SIG_SLOTS][PATH_MAX], sig_dst[SIG_SLOTS][PATH_MAX];
static atomic_int sig_used[SIG_SLOTS];   /* 0 free, 1 filling, 2 active */

static int slot_take(const char *tmp, const char *dst)
{
    if (strlen(tmp) >= PATH_MAX || strlen(dst) >= PATH_MAX)
        return -1;
    for (int i = 0; i < SIG_SLOTS; i++) {
        int zero = 0;
        if (atomic_compare_exchange_strong(&sig_used[i], &zero, 1)) {
            strcpy(sig_tmp[i], tmp);
            strcpy(sig_dst[i], dst);
            atomic_store(&sig_used[i], 2);
            return i;
        }
    }
    return -1;
}

static void slot_free(int i)
{
    if (i >= 0)
        atomic_store(&sig_used[i], 0);
}

int ws_atomic_remove_temps(const char **target)
{
    int n = 0;
    if (target)
        *target = NULL;
    for (int i = 0; i < SIG_SLOTS; i++)
        if (atomic_load(&sig_used[i]) == 2 && unlink(sig_tmp[i]) == 0) {
            if (target && !*target)
                *target = sig_dst[i];
            n++;
        }
    return n;
}

/* ---- the stream: every write through write(2) from here ---- */

struct ws_atomic_sink {
    int fd;
    int err;    /* first errno of a failed write or close */
};

static ssize_t sink_write(void *c, const char *buf, size_t n)
{
    struct ws_atomic_sink *s = c;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!s->err)
                s->err = w < 0 ? errno : EIO;
            return 0;   /* fopencookie: 0 is an error */
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static int sink_close(void *c)
{
    struct ws_atomic_sink *s = c;
    int rc = s->fd >= 0 ? close(s->fd) : 0;
    if (rc != 0 && !s->err)
        s->err = errno;
    s->fd = -1;
    return rc;
}

static void release(ws_atomic *a)
{
    slot_free(a->slot);
    free(a->path);
    free(a->tmp);
    free(a->sink);
    memset(a, 0, sizeof *a);
    a->slot = -1;
}

/* A new temporary file beside a->path (".NAME.wscope-tmp.PID", or -N
 * after it when this process already has one of that name open). */
static int create_temp(ws_atomic *a, ws_err *e)
{
    char *base = ws_atomic_temp_name(a->path, (long)getpid());
    if (!base)
        return ws_fail(e, "out of memory");
    size_t n = strlen(base) + 16;
    a->tmp = malloc(n);
    if (!a->tmp) {
        free(base);
        return ws_fail(e, "out of memory");
    }
    struct stat st;
    mode_t mode = stat(a->path, &st) == 0 ? (st.st_mode & 0777) : 0666;
    int fd = -1;
    for (int k = 1; fd < 0 && k < 100; k++) {
        if (k == 1)
            snprintf(a->tmp, n, "%s", base);
        else
            snprintf(a->tmp, n, "%s-%d", base, k);
        fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    free(base);
    if (fd < 0) {
        int err = errno;
        free(a->tmp);
        a->tmp = NULL;
        char *dir = dir_of(a->path);
        ws_fail(e, "cannot create a file in %s: %s", dir ? dir : ".", strerror(err));
        free(dir);
        return -1;
    }
    if (a->existed)
        fchmod(fd, mode);   /* the replaced file's permissions, not the umask's */
    a->sink->fd = fd;
    a->slot = slot_take(a->tmp, a->path);
    return 0;
}

static int open_in_place(ws_atomic *a, ws_err *e)
{
    /* O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of hanging. */
    int fd = open(a->path, O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return ws_fail(e, "cannot write: %s", errno == ENXIO ? "a FIFO with no reader" : strerror(errno));
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    a->sink->fd = fd;
    return 0;
}

int ws_atomic_open_flags(ws_atomic *a, const char *path, unsigned flags, ws_err *e)
{
    memset(a, 0, sizeof *a);
    a->slot = -1;
    int in_place = 0;
    if (!(a->path = resolve(path, e)))
        return -1;
    if (check_target(a->path, flags, &in_place, &a->existed, e) != 0) {
        release(a);
        return -1;
    }
    if (!(a->sink = calloc(1, sizeof *a->sink))) {
        release(a);
        return ws_fail(e, "out of memory");
    }
    a->sink->fd = -1;
    if (!in_place) {
        char *dir = dir_of(a->path);
        if (dir)
            remove_stale_temps(dir);
        free(dir);
    }
    if ((in_place ? open_in_place(a, e) : create_temp(a, e)) != 0) {
        release(a);
        return -1;
    }
    cookie_io_functions_t io = {.read = NULL, .write = sink_write, .seek = NULL, .close = sink_close};
    if (!(a->fp = fopencookie(a->sink, "w", io))) {
        int err = errno;
        sink_close(a->sink);
        if (a->tmp)
            unlink(a->tmp);
        release(a);
        return ws_fail(e, "cannot write: %s", strerror(err));
    }
    return 0;
}

int ws_atomic_open(ws_atomic *a, const char *path, ws_err *e)
{
    return ws_atomic_open_flags(a, path, 0, e);
}

static void fsync_dir(const char *path)
{
    char *dir = dir_of(path);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int ws_atomic_commit(ws_atomic *a, ws_err *e)
{
    int err = 0;
    const char *what = "write failed";
    if (fflush(a->fp) != 0 || ferror(a->fp))
        err = a->sink->err ? a->sink->err : EIO;
    if (!err && a->tmp && fsync(a->sink->fd) != 0) {
        err = errno;
        what = "fsync failed";
    }
    if (fclose(a->fp) != 0 && !err) {
        err = a->sink->err ? a->sink->err : EIO;
        what = "close failed";
    }
    a->fp = NULL;
    if (!err && a->tmp && rename(a->tmp, a->path) != 0) {
        err = errno;
        what = "cannot rename into place";
    }
    int rc = 0;
    if (err) {
        if (a->tmp)
            unlink(a->tmp);
        rc = ws_fail(e, "%s: %s (%s)", what, strerror(err),
                     !a->tmp ? "written in place: the output may be incomplete"
                     : a->existed ? "the old file is unchanged" : "nothing was written");
    } else if (a->tmp) {
        fsync_dir(a->path);
    }
    release(a);
    return rc;
}

void ws_atomic_abort(ws_atomic *a)
{
    if (a->fp)
        fclose(a->fp);
    if (a->tmp)
        unlink(a->tmp);
    release(a);
}

int ws_atomic_write(const char *path, const void *buf, size_t len, ws_err *e)
{
    ws_atomic a;
    if (ws_atomic_open(&a, path, e) != 0)
        return -1;
    if (len)
        fwrite(buf, 1, len, a.fp);   /* an error shows in commit */
    return ws_atomic_commit(&a, e);
}
