/* run_capped REPORT SECONDS CMD [ARGS...]: run CMD (its stdin, stdout and
 * stderr are ours), kill it after SECONDS, and write one line to the file
 * REPORT: "exit=N rss_kb=K" (N = 128 + signal when killed by one, 124
 * after the timeout; K the peak resident set size). Exits with N. The
 * hostile-file tests use it for "under a few seconds, memory under the cap"
 * without /usr/bin/time or timeout(1). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: run_capped REPORT SECONDS CMD [ARGS...]\n");
        return 2;
    }
    double limit = atof(argv[2]);
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    struct timespec t0, now, nap = {0, 10 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int status = 0, timed_out = 0;
    struct rusage ru;
    for (;;) {
        pid_t r = wait4(pid, &status, WNOHANG, &ru);
        if (r == pid)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!timed_out && (now.tv_sec - t0.tv_sec) + 1e-9 * (now.tv_nsec - t0.tv_nsec) > limit) {
            kill(pid, SIGKILL);
            timed_out = 1;
        }
        nanosleep(&nap, NULL);
    }
    int code = timed_out ? 124 : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    FILE *fp = fopen(argv[1], "w");
    if (fp) {
        fprintf(fp, "exit=%d rss_kb=%ld\n", code, ru.ru_maxrss);
        fclose(fp);
    }
    return code;
}
