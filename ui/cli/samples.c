/* Where the bundled sample models are (see samples.h). */
#include "config.h"

#include "samples.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The directory this binary lives in (resolved), or "" when unknown. */
static void exe_dir(char *buf, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", buf, n - 1);
    buf[len > 0 ? len : 0] = 0;
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = 0;
}

/* Is `exe` (a directory) the top of the build tree this binary was built in? */
static int in_build_tree(const char *exe)
{
    char built[PATH_MAX];
    return exe[0] && realpath(WS_BUILDDIR, built) && !strcmp(exe, built);
}

/* Does `dir` hold the base sample? Then it goes (resolved) into `out`. */
static int holds_base(const char *dir, char *out)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, WS_SAMPLE_BASE) >= (int)sizeof path ||
        access(path, R_OK) != 0)
        return 0;
    if (!realpath(dir, out))   /* shown plainly, not as "bin/../share/wscope" */
        snprintf(out, PATH_MAX, "%s", dir);
    return 1;
}

const char *ws_sample_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv(WS_SAMPLE_ENV);
    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
        return dir;
    }
    char exe[PATH_MAX], moved[PATH_MAX];
    exe_dir(exe, sizeof exe);
    if (in_build_tree(exe) && holds_base(WS_SRCDIR "/sample-models", dir))
        return dir;
    if (holds_base(WS_PKGDATADIR, dir))
        return dir;
    if (exe[0] && snprintf(moved, sizeof moved, "%s/../share/%s", exe, PACKAGE) < (int)sizeof moved &&
        holds_base(moved, dir))
        return dir;
    /* None holds it: name the place it should be, for the message. */
    snprintf(dir, sizeof dir, "%s", in_build_tree(exe) ? WS_SRCDIR "/sample-models" : WS_PKGDATADIR);
    return dir;
}

int ws_sample_file(const char *name, char *buf, size_t n)
{
    return snprintf(buf, n, "%s/%s", ws_sample_dir(), name) < (int)n && access(buf, R_OK) == 0;
}
