/* Waking the TUI's main loop (see wake.h): a non-blocking self-pipe. */
#include "wake.h"

#include <fcntl.h>
#include <unistd.h>

static int fds[2] = {-1, -1};

static int nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int tui_wake_open(void)
{
    if (fds[0] >= 0)
        return 0;
    if (pipe(fds) < 0) {
        fds[0] = fds[1] = -1;
        return -1;
    }
    for (int i = 0; i < 2; i++)
        if (nonblocking(fds[i]) < 0 || fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0) {
            tui_wake_close();
            return -1;
        }
    return 0;
}

void tui_wake_close(void)
{
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    fds[0] = fds[1] = -1;
}

int tui_wake_fd(void) { return fds[0]; }

void tui_wake(void)
{
    if (fds[1] < 0)
        return;
    char c = 1;
    ssize_t r = write(fds[1], &c, 1);   /* EAGAIN: the pipe is full, the loop wakes anyway */
    (void)r;
}

void tui_wake_drain(void)
{
    char buf[64];
    if (fds[0] >= 0)
        while (read(fds[0], buf, sizeof buf) > 0)
            ;
}
