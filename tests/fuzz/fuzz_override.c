/*
 * fuzz_override.c — libFuzzer target: -s key=value overrides on the default
 * scenario.
 *
 * The input is split at newlines into up to CONFIG_MAX_OVERRIDES + 2 override
 * strings (what the command line can pass: the -s options plus --reps and
 * --seed) and applied to a copy of configs/default.cfg through study_load,
 * the path `caseflow run configs/default.cfg -s ...` takes.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup("unused.cfg");
    if (size > 8192)
        return -1;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *ov[CONFIG_MAX_OVERRIDES + 2];
    int n = 0;
    char *save = NULL;
    /* Empty lines are kept as empty overrides: the command line can pass
     * -s "" too. */
    for (char *line = text; line && n < CONFIG_MAX_OVERRIDES + 2; line = save) {
        char *nl = strchr(line, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        ov[n++] = line;
    }
    study st;
    config_error err;
    memset(&err, 0x5a, sizeof err);
    if (study_load(&st, fuzz_default, ov, n, &err) == 0) {
        fuzz_check_study(&st);
        study_free(&st);
    } else {
        fuzz_check_message(&err);
    }
    free(text);
    return 0;
}
