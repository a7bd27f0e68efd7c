/* Fault injection for tests (LD_PRELOAD=tests/faultinject.so): make one
 * call on wscope's temporary files fail, or make the writes slow.
 *
 *   WS_FAULT=OP:N:ERR   the Nth OP on a temporary file fails with errno ERR
 *                       OP: write, fsync, close or rename; ERR: ENOSPC or EIO
 *   WS_FAULT_LOG=FILE   "fired OP N" is appended to FILE when the fault fires
 *                       (a test stops raising N when nothing fires any more)
 *   WS_FAULT_SLOW=MS    every write to a temporary file sleeps MS milliseconds
 *   WS_FAULT_MARK=FILE  created at the first write to a temporary file (the
 *                       save is in progress: the moment to send a signal)
 *   WS_FAULT_FILES=TEXT the files that count are those whose path holds
 *                       TEXT (default ".wscope-tmp.", the temporary files
 *                       of src/atomic.c; e.g. "log.csv" for a training log,
 *                       written in place)
 *
 * rename counts when its source is such a file. Other files are left alone. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_FD 4096

static char is_tmp[MAX_FD];
static int counts[4];
static const char *ops[] = {"write", "fsync", "close", "rename"};

static int is_tmp_path(const char *p)
{
    const char *files = getenv("WS_FAULT_FILES");
    return p && strstr(p, files && *files ? files : ".wscope-tmp.") != NULL;
}

static void track(int fd, const char *path)
{
    if (fd >= 0 && fd < MAX_FD)
        is_tmp[fd] = (char)is_tmp_path(path);
}

static int tracked(int fd) { return fd >= 0 && fd < MAX_FD && is_tmp[fd]; }

/* 1 when this call (the count-th of `op`) is to fail; errno is set. */
static int fault(int op)
{
    const char *spec = getenv("WS_FAULT");
    int n = ++counts[op];
    char name[16], err[16];
    int at;
    if (!spec || sscanf(spec, "%15[a-z]:%d:%15[A-Z]", name, &at, err) != 3 || strcmp(name, ops[op]) ||
        n != at)
        return 0;
    const char *log = getenv("WS_FAULT_LOG");
    FILE *fp = log ? fopen(log, "a") : NULL;
    if (fp) {
        fprintf(fp, "fired %s %d\n", ops[op], n);
        fclose(fp);
    }
    errno = !strcmp(err, "EIO") ? EIO : ENOSPC;
    return 1;
}

static void slow_write(void)
{
    const char *mark = getenv("WS_FAULT_MARK"), *slow = getenv("WS_FAULT_SLOW");
    if (mark && access(mark, F_OK) != 0) {
        int fd = ((int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open"))(mark, O_WRONLY | O_CREAT, 0644);
        if (fd >= 0)
            ((int (*)(int))dlsym(RTLD_NEXT, "close"))(fd);
    }
    if (slow) {
        long ms = atol(slow);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*fd_fn)(int);
typedef int (*rename_fn)(const char *, const char *);
#define NEXT(name, type) static type next_; if (!next_) next_ = (type)dlsym(RTLD_NEXT, name)

static int open_common(const char *name, int dirfd, const char *path, int flags, mode_t mode)
{
    void *next = dlsym(RTLD_NEXT, name);
    int fd = dirfd == -1 ? ((int (*)(const char *, int, ...))next)(path, flags, mode)
                         : ((int (*)(int, const char *, int, ...))next)(dirfd, path, flags, mode);
    track(fd, path);
    return fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    return open_common("open", -1, path, flags, m);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t m = mode_arg(flags, ap);
    va_end(ap);
    return open_common("openat", dirfd, path, flags, m);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    NEXT("write", write_fn);
    if (tracked(fd)) {
        slow_write();
        if (fault(0))
            return -1;
    }
    return next_(fd, buf, n);
}

int fsync(int fd)
{
    NEXT("fsync", fd_fn);
    if (tracked(fd) && fault(1))
        return -1;
    return next_(fd);
}

int close(int fd)
{
    NEXT("close", fd_fn);
    int was = tracked(fd);
    if (fd >= 0 && fd < MAX_FD)
        is_tmp[fd] = 0;
    int rc = next_(fd);
    if (was && fault(2))
        return -1;   /* closed all the same, as close(2) does on EIO */
    return rc;
}

int rename(const char *from, const char *to)
{
    NEXT("rename", rename_fn);
    if (is_tmp_path(from) && fault(3))
        return -1;
    return next_(from, to);
}
