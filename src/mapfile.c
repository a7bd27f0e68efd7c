#include "mapfile.h"

#include "inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int ws_map_file(ws_sink *s, const char *path, const unsigned char **buf, size_t *len, ws_err *e)
{
    int fd = ws_input_open(path, e);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return ws_fail(e, "cannot open: %s", strerror(err));
    }
    *len = (size_t)st.st_size;
    if (*len == 0) {
        close(fd);
        return ws_fail(e, "empty file (0 bytes)");
    }
    void *addr = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (addr == MAP_FAILED)
        return ws_fail(e, "cannot map: %s", strerror(errno));
    if (ws_sink_keep(s, addr, *len) != 0) {
        munmap(addr, *len);
        return ws_fail(e, "out of memory");
    }
    *buf = addr;
    return 0;
}
