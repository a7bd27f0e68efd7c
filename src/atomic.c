#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Inputs are remembered by device and inode, so another spelling of the
 * same path (or a hard link) is caught too. */
#define WS_MAX_INPUTS 64
static struct { dev_t dev; ino_t ino; } inputs[WS_MAX_INPUTS];
static int n_inputs;
static pthread_mutex_t inputs_lock = PTHREAD_MUTEX_INITIALIZER;

void ws_input_register(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    pthread_mutex_lock(&inputs_lock);
    if (n_inputs < WS_MAX_INPUTS) {
        inputs[n_inputs].dev = st.st_dev;
        inputs[n_inputs].ino = st.st_ino;
        n_inputs++;
    }
    pthread_mutex_unlock(&inputs_lock);
}

int ws_input_is_registered(const char *path)
{
    struct stat st;
    int found = 0;
    if (stat(path, &st) != 0)
        return 0;
    pthread_mutex_lock(&inputs_lock);
    for (int i = 0; i < n_inputs; i++)
        if (inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino)
            found = 1;
    pthread_mutex_unlock(&inputs_lock);
    return found;
}

int ws_atomic_open(ws_atomic *a, const char *path, ws_err *e)
{
    memset(a, 0, sizeof *a);
    if (ws_input_is_registered(path))
        return ws_fail(e, "refusing to overwrite an input file");
    size_t n = strlen(path) + 32;
    a->path = strdup(path);
    a->tmp = malloc(n);
    if (!a->path || !a->tmp) {
        free(a->path);
        free(a->tmp);
        return ws_fail(e, "out of memory");
    }
    snprintf(a->tmp, n, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int err = errno;
        free(a->path);
        free(a->tmp);
        return ws_fail(e, "cannot create a file beside it: %s", strerror(err));
    }
    fchmod(fd, 0644);
    a->fp = fdopen(fd, "wb");
    if (!a->fp) {
        close(fd);
        ws_atomic_abort(a);
        return ws_fail(e, "cannot open: %s", strerror(errno));
    }
    return 0;
}

static void fsync_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

int ws_atomic_commit(ws_atomic *a, ws_err *e)
{
    int rc = 0;
    if (fflush(a->fp) != 0 || fsync(fileno(a->fp)) != 0)
        rc = ws_fail(e, "write failed: %s", strerror(errno));
    if (fclose(a->fp) != 0 && rc == 0)
        rc = ws_fail(e, "write failed: %s", strerror(errno));
    a->fp = NULL;
    if (rc == 0 && rename(a->tmp, a->path) != 0)
        rc = ws_fail(e, "cannot rename into place: %s", strerror(errno));
    if (rc != 0)
        unlink(a->tmp);
    else
        fsync_dir(a->path);
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    return rc;
}

void ws_atomic_abort(ws_atomic *a)
{
    if (a->fp)
        fclose(a->fp);
    if (a->tmp)
        unlink(a->tmp);
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
}

int ws_atomic_write(const char *path, const void *buf, size_t len, ws_err *e)
{
    ws_atomic a;
    if (ws_atomic_open(&a, path, e) != 0)
        return -1;
    if (len && fwrite(buf, 1, len, a.fp) != len) {
        ws_atomic_abort(&a);
        return ws_fail(e, "write failed: %s", strerror(errno));
    }
    return ws_atomic_commit(&a, e);
}
