/* Minimal test helpers: each CHECK counts; main returns failures != 0.
 * Prints "N passed, N failed" at the end. */
#ifndef WS_CHECK_H
#define WS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do { if (cond) check_passed++; else { check_failed++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECKF(cond, ...) do { if (cond) check_passed++; else { check_failed++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_NEAR(a, b, tol) CHECKF(fabs((double)(a) - (double)(b)) <= (tol), \
    "%.10g vs %.10g (tol %g)", (double)(a), (double)(b), (double)(tol))
#define CHECK_REL(a, b, rtol) CHECKF(fabs((double)(a) - (double)(b)) <= (rtol) * fmax(fabs((double)(b)), 1e-30), \
    "%.10g vs %.10g (rtol %g)", (double)(a), (double)(b), (double)(rtol))
#define CHECK_STR_CONTAINS(hay, needle) CHECKF((hay) && strstr((hay), (needle)), \
    "\"%s\" does not contain \"%s\"", (hay) ? (hay) : "(null)", (needle))

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* Path of a file under the source tree (tests run from the build tree). */
static inline const char *check_src(const char *rel)
{
    static char buf[4][4096];
    static int k;
    const char *s = getenv("WS_SRCDIR");
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", s ? s : ".", rel);
    return buf[k];
}

/* "dir/name" in one of four rotating buffers (enough for one call's args). */
static inline const char *check_path(const char *dir, const char *name)
{
    static char buf[4][4200];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Remove a scratch directory made with mkdtemp. */
static inline void check_rmtree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* A whole file in memory (malloc'd; NULL if unreadable). */
static inline unsigned char *check_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*len ? *len : 1);
    if (b && fread(b, 1, *len, f) != *len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

#endif
