/*
 * test_help.c — help that helps: `caseflow help`, `caseflow help COMMAND`
 * and `caseflow COMMAND --help` give every command its own page (synopsis,
 * options, examples), unknown commands are usage errors, and the man page
 * docs/caseflow.1 names every command and every option the pages name and
 * renders without groff warnings.
 */
#include "test_cli_run.h"

#include "app/cli_help.h"

/* Every "--option" in text, each once, into opts (NUL-separated). */
static size_t options_in(const char *text, char *opts, size_t size)
{
    size_t used = 0, count = 0;
    opts[0] = '\0';
    for (const char *p = strstr(text, "--"); p; p = strstr(p + 2, "--")) {
        if (p > text && (p[-1] == '-' || p[-1] == '\\'))
            continue;
        size_t n = 2;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] == '-' && p[n + 1] >= 'a' && p[n + 1] <= 'z'))
            n++;
        if (n == 2)
            continue;
        char opt[64];
        snprintf(opt, sizeof opt, "%.*s", (int)n, p);
        int seen = 0;
        for (const char *o = opts; *o && !seen; o += strlen(o) + 1)
            seen = strcmp(o, opt) == 0;
        if (!seen && used + n + 2 < size) {
            memcpy(opts + used, opt, n + 1);
            used += n + 1;
            opts[used] = '\0';
            count++;
        }
    }
    return count;
}

static void test_pages(void **state)
{
    cli_fixture *fx = *state;
    assert_int_equal(cli_run(fx, "help"), 0);
    char *overview = strdup(fx->out);
    TS_ASSERT_CONTAINS(overview, "exit codes");
    for (int i = 0; cli_help_commands[i]; i++) {
        const char *cmd = cli_help_commands[i];
        char want[64];
        snprintf(want, sizeof want, "\n  %s ", cmd);
        TS_ASSERT_CONTAINS(overview, want);
        assert_int_equal(cli_run(fx, "help %s", cmd), 0);
        char *page = strdup(fx->out);
        snprintf(want, sizeof want, "usage: caseflow %s", cmd);
        assert_true(strncmp(page, want, strlen(want)) == 0);
        TS_ASSERT_CONTAINS(page, "examples:\n");
        assert_string_equal(fx->err, "");
        /* COMMAND --help is the same page (calibrate keeps its own, which
         * must at least say the same synopsis) */
        assert_int_equal(cli_run(fx, "%s --help", cmd), 0);
        if (strcmp(cmd, "calibrate") == 0)
            assert_true(strncmp(fx->out, page, (size_t)(strchr(page, '\n') - page)) == 0);
        else
            assert_string_equal(fx->out, page);
        free(page);
    }
    /* --help alone and -h: the overview */
    assert_int_equal(cli_run(fx, "--help"), 0);
    assert_string_equal(fx->out, overview);
    assert_int_equal(cli_run(fx, "run -h"), 0);
    TS_ASSERT_CONTAINS(fx->out, "usage: caseflow run");
    free(overview);
    /* run's synopsis has every option, --precision among them */
    assert_int_equal(cli_run(fx, "help run"), 0);
    char *synopsis = strndup(fx->out, (size_t)(strstr(fx->out, "\n\n") - fx->out));
    static const char *const run_options[] = {"-o FILE", "--reps", "--seed", "--threads", "--precision METRIC=REL",
                                              "--max-reps", "--task K --tasks N", "--records all|none|sample=N",
                                              "--progress-every SECONDS", "-s KEY=VALUE", "--force", "--resume",
                                              "--quiet"};
    for (size_t i = 0; i < sizeof run_options / sizeof run_options[0]; i++)
        TS_ASSERT_CONTAINS(synopsis, run_options[i]);
    free(synopsis);
    /* unknown commands */
    assert_int_equal(cli_run(fx, "help frobnicate"), 2);
    TS_ASSERT_CONTAINS(fx->err, "no command 'frobnicate'");
    assert_string_equal(fx->out, "");
    assert_int_equal(cli_run(fx, "help run check"), 2);
}

static void test_man_page(void **state)
{
    cli_fixture *fx = *state;
    char path[PATH_MAX];
    ts_source_path("docs/caseflow.1", path);
    char *man = ts_read_file(path, NULL);
    assert_non_null(man);
    /* roff writes a hyphen as \-: compare in that spelling */
    char opts[4096];
    for (int i = 0; cli_help_commands[i]; i++) {
        char want[64];
        snprintf(want, sizeof want, ".B caseflow %s", cli_help_commands[i]);
        TS_ASSERT_CONTAINS(man, want);
        assert_int_equal(cli_run(fx, "help %s", cli_help_commands[i]), 0);
        size_t n = options_in(fx->out, opts, sizeof opts);
        for (const char *o = opts; n && *o; o += strlen(o) + 1) {
            char roff[128];
            size_t k = 0;
            for (const char *c = o; *c && k + 3 < sizeof roff; c++) {
                if (*c == '-')
                    roff[k++] = '\\';
                roff[k++] = *c;
            }
            roff[k] = '\0';
            if (!strstr(man, roff))
                fail_msg("docs/caseflow.1 does not mention %s (from caseflow help %s)", o, cli_help_commands[i]);
        }
    }
    free(man);
    /* it renders, without warnings */
    if (system("command -v groff >/dev/null 2>&1") != 0) {
        print_message("  groff is not installed: the man page's rendering is not checked\n");
        return;
    }
    char cmd[2 * PATH_MAX + 64], warnings[PATH_MAX];
    cli_path(fx, "groff.txt", warnings);
    snprintf(cmd, sizeof cmd, "groff -man -ww -z '%s' 2>'%s'", path, warnings);
    assert_int_equal(system(cmd), 0);
    char *w = ts_read_file(warnings, NULL);
    assert_string_equal(w, "");
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pages, cli_setup, cli_teardown),
        cmocka_unit_test_setup_teardown(test_man_page, cli_setup, cli_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
