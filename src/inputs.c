#include "inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct input {
    dev_t dev;
    ino_t ino;
    ws_input_kind kind;
} input;

static input *inputs;
static size_t n_inputs, cap_inputs;
static pthread_mutex_t inputs_lock = PTHREAD_MUTEX_INITIALIZER;

const char *ws_file_type_name(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    default: return "not a regular file";
    }
}

static void remember(const struct stat *st, ws_input_kind kind)
{
    pthread_mutex_lock(&inputs_lock);
    for (size_t i = 0; i < n_inputs; i++)
        if (inputs[i].dev == st->st_dev && inputs[i].ino == st->st_ino) {
            if (kind > inputs[i].kind)
                inputs[i].kind = kind;
            pthread_mutex_unlock(&inputs_lock);
            return;
        }
    if (n_inputs == cap_inputs) {
        size_t cap = cap_inputs ? 2 * cap_inputs : 16;
        input *n = realloc(inputs, cap * sizeof *n);
        if (!n) {   /* cannot remember: writers then check nothing more */
            pthread_mutex_unlock(&inputs_lock);
            return;
        }
        inputs = n;
        cap_inputs = cap;
    }
    inputs[n_inputs++] = (input){st->st_dev, st->st_ino, kind};
    pthread_mutex_unlock(&inputs_lock);
}

void ws_input_register_kind(const char *path, ws_input_kind kind)
{
    struct stat st;
    if (stat(path, &st) == 0)
        remember(&st, kind);
}

void ws_input_register(const char *path)
{
    ws_input_register_kind(path, WS_INPUT_FILE);
}

int ws_input_lookup(const char *path, ws_input_kind *kind)
{
    struct stat st;
    int found = 0;
    if (stat(path, &st) != 0)
        return 0;
    pthread_mutex_lock(&inputs_lock);
    for (size_t i = 0; i < n_inputs && !found; i++)
        if (inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino) {
            found = 1;
            if (kind)
                *kind = inputs[i].kind;
        }
    pthread_mutex_unlock(&inputs_lock);
    return found;
}

int ws_input_is_registered(const char *path)
{
    return ws_input_lookup(path, NULL);
}

static int refuse_type(const struct stat *st, int dir_ok, ws_err *e)
{
    if (S_ISREG(st->st_mode) || (dir_ok && S_ISDIR(st->st_mode)))
        return 0;
    return ws_fail(e, "is %s, not a regular file", ws_file_type_name(st->st_mode));
}

int ws_input_check(const char *path, int dir_ok, ws_err *e)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ws_fail(e, "%s", strerror(errno));
    return refuse_type(&st, dir_ok, e);
}

int ws_input_open(const char *path, ws_err *e)
{
    /* Devices are not even opened (opening some has effects). */
    if (ws_input_check(path, 0, e) != 0)
        return -1;
    /* O_NONBLOCK: opening a FIFO with no writer must not hang; the type is
     * then checked on the descriptor itself, so nothing can swap the file
     * between the check and the read. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return ws_fail(e, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return ws_fail(e, "%s", strerror(err));
    }
    if (refuse_type(&st, 0, e) != 0) {
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    remember(&st, WS_INPUT_FILE);
    return fd;
}

FILE *ws_input_fopen(const char *path, ws_err *e)
{
    int fd = ws_input_open(path, e);
    if (fd < 0)
        return NULL;
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        ws_fail(e, "%s", strerror(errno));
        close(fd);
    }
    return fp;
}
