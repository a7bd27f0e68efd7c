/* Replay for builds without libFuzzer (gcc): `fuzz/fuzz_NAME FILE...` runs
 * the harness once on each file, as a libFuzzer build does when given
 * files. A crash or a sanitizer report ends the process with its status;
 * otherwise it prints how many inputs ran and exits 0. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *b = malloc(cap);
    for (size_t r; b && (r = fread(b + n, 1, cap - n, fp)) > 0;) {
        n += r;
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb)
                free(b);
            b = nb;
        }
    }
    fclose(fp);
    *len = n;
    return b;
}

int main(int argc, char **argv)
{
    int ran = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue;   /* libFuzzer flags: nothing to do in a replay */
        size_t len = 0;
        unsigned char *b = read_all(argv[i], &len);
        if (!b) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
            return 2;
        }
        LLVMFuzzerTestOneInput(b, len);
        free(b);
        ran++;
    }
    printf("%s: replayed %d input(s)\n", argv[0], ran);
    return 0;
}
