/*
 * fuzz_study.c — libFuzzer target: any bytes as a scenario or study file.
 *
 * The input is written to a file and loaded with study_load, which reads it
 * with libconfig, expands a study (named scenarios, grid, Latin hypercube)
 * and loads every scenario through config_load with its overrides — the
 * whole path from a file to validated parameters. A study may name
 * default.cfg as its base (a copy sits beside the input).
 *
 * Studies of more than FUZZ_MAX_SCENARIOS scenarios are passed over (the
 * input is rejected, so it is not kept in the corpus): loading 100 000
 * scenarios is correct but takes seconds, which would only slow the fuzzer
 * down; the limits themselves are tested in tests/test_study.c.
 */
#include <libconfig.h>

#include "fuzz_common.h"

#define FUZZ_MAX_SCENARIOS 256
#define FUZZ_MAX_LEN 65536

/* Scenarios a study would expand to, by a quick parse of our own; 1 for
 * anything that is not a well-formed study. */
static double scenarios_planned(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 1;
    memcpy(text, data, size);
    text[size] = '\0';
    config_t cfg;
    config_init(&cfg);
    double n = 1;
    if (config_read_string(&cfg, text) == CONFIG_TRUE) {
        const config_setting_t *g = config_lookup(&cfg, "study");
        const config_setting_t *s;
        if (g && config_setting_type(g) == CONFIG_TYPE_GROUP) {
            if ((s = config_setting_get_member(g, "scenarios")))
                n += config_setting_length(s);
            if ((s = config_setting_get_member(g, "grid")) && config_setting_length(s) > 0) {
                double points = 1;
                for (int i = 0; i < config_setting_length(s); i++) {
                    const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
                    const config_setting_t *v = e ? config_setting_get_member(e, "values") : NULL;
                    points *= v ? config_setting_length(v) : 1;
                }
                n += points;
            }
            int samples = 0;
            if ((s = config_setting_get_member(g, "lhs")) && config_setting_lookup_int(s, "samples", &samples))
                n += samples > 0 ? samples : 0;
        }
    }
    config_destroy(&cfg);
    free(text);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup("input.cfg");
    if (size > FUZZ_MAX_LEN || scenarios_planned(data, size) > FUZZ_MAX_SCENARIOS)
        return -1;
    fuzz_write_input(data, size);
    study st;
    config_error err;
    memset(&err, 0x5a, sizeof err); /* a message left unset shows up */
    if (study_load(&st, fuzz_input, NULL, 0, &err) == 0) {
        fuzz_check_study(&st);
        study_free(&st);
    } else {
        fuzz_check_message(&err);
    }
    return 0;
}
