/*
 * standalone.c — a main() for the fuzz targets where libFuzzer is missing.
 *
 * Runs LLVMFuzzerTestOneInput once on each file named on the command line,
 * as a libFuzzer binary does, so the regression inputs in
 * tests/fuzz/regressions/ are replayed (under ASan + UBSan with gcc) even
 * without clang. Directories are not walked; pass files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "standalone: cannot open %s\n", argv[i]);
            return 2;
        }
        size_t cap = 4096, n = 0, got;
        uint8_t *buf = malloc(cap);
        while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
            n += got;
            if (n == cap) {
                uint8_t *grown = realloc(buf, cap * 2);
                if (!grown)
                    break;
                buf = grown;
                cap *= 2;
            }
        }
        fclose(f);
        if (!buf)
            return 2;
        fprintf(stderr, "Running: %s\n", argv[i]);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
    }
    fprintf(stderr, "standalone: %d input(s) replayed\n", argc - 1);
    return 0;
}
