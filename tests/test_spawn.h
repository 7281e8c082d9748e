/*
 * test_spawn.h — running the caseflow binary (or any program) from a cmocka
 * test as a separate process, with its stdout and stderr captured.
 *
 * Owns what the output and command-line robustness tests need beyond
 * test_support.h: an environment changed for the child only, a file size
 * limit, and the exit code (a death by signal fails the test, so a crash or
 * a sanitizer abort is never mistaken for an exit code). Include after
 * test_support.h.
 */
#ifndef CASEFLOW_TEST_SPAWN_H
#define CASEFLOW_TEST_SPAWN_H

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/wait.h>

typedef struct ts_child {
    const char *env[8];  /* "NAME=VALUE" sets, "NAME" alone unsets (NULL ends) */
    long fsize;          /* RLIMIT_FSIZE in bytes, SIGXFSZ ignored; 0: none */
} ts_child;

typedef struct ts_output {
    char *out, *err;     /* what the child printed (malloc'ed, NUL-terminated) */
} ts_output;

static inline void ts_output_free(ts_output *o)
{
    free(o->out);
    free(o->err);
    o->out = o->err = NULL;
}

/* A child started by ts_start and not yet collected. */
typedef struct ts_proc {
    pid_t pid;
    char out_path[64], err_path[64];
    const char *name;
} ts_proc;

/* Starts argv (NULL-terminated; argv[0] found on PATH) with stdin from
 * /dev/null and its output captured. */
static inline void ts_start(ts_proc *p, const ts_child *c, char *const *argv)
{
    snprintf(p->out_path, sizeof p->out_path, "/tmp/caseflow-test-outXXXXXX");
    snprintf(p->err_path, sizeof p->err_path, "/tmp/caseflow-test-errXXXXXX");
    p->name = argv[0];
    int out_fd = mkstemp(p->out_path), err_fd = mkstemp(p->err_path);
    if (out_fd < 0 || err_fd < 0)
        fail_msg("mkstemp: %s", strerror(errno));
    fflush(NULL);
    p->pid = fork();
    if (p->pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (p->pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        if (in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        for (int i = 0; c && i < 8 && c->env[i]; i++) {
            const char *eq = strchr(c->env[i], '=');
            if (!eq) {
                unsetenv(c->env[i]);
            } else {
                char name[128];
                snprintf(name, sizeof name, "%.*s", (int)(eq - c->env[i]), c->env[i]);
                setenv(name, eq + 1, 1);
            }
        }
        if (c && c->fsize > 0) {
            struct rlimit rl = {(rlim_t)c->fsize, (rlim_t)c->fsize};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
}

/* Waits for the child; returns its exit code with o filled, or -SIGNAL
 * when it was killed by a signal and killed_ok is set (else that fails). */
static inline int ts_finish(ts_proc *p, ts_output *o, int killed_ok)
{
    int status;
    while (waitpid(p->pid, &status, 0) < 0)
        if (errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
    o->out = ts_read_file(p->out_path, NULL);
    o->err = ts_read_file(p->err_path, NULL);
    unlink(p->out_path);
    unlink(p->err_path);
    assert_non_null(o->out);
    assert_non_null(o->err);
    if (WIFSIGNALED(status) && killed_ok)
        return -WTERMSIG(status);
    if (!WIFEXITED(status))
        fail_msg("`%s ...` was killed by signal %d; stderr: %s", p->name, WIFSIGNALED(status) ? WTERMSIG(status) : -1,
                 o->err);
    int code = WEXITSTATUS(status);
    if (code == 126 || code == 127)
        fail_msg("could not start %s", p->name);
    return code;
}

/* Runs argv to its end; returns the exit code with o filled. */
static inline int ts_spawn(ts_output *o, const ts_child *c, char *const *argv)
{
    ts_proc p;
    ts_start(&p, c, argv);
    return ts_finish(&p, o, 0);
}

/* The binary bin with the arguments that follow (NULL-terminated); prints
 * the command, its exit code and the first line of its stderr. */
static inline int ts_caseflow(ts_output *o, const ts_child *c, const char *bin, ...)
{
    ts_need_binary(bin);
    char *argv[48];
    int n = 0;
    argv[n++] = (char *)bin;
    va_list ap;
    va_start(ap, bin);
    const char *arg;
    while ((arg = va_arg(ap, const char *)) != NULL && n < 47)
        argv[n++] = (char *)arg;
    va_end(ap);
    argv[n] = NULL;
    ts_output_free(o);
    int code = ts_spawn(o, c, argv);
    char shown[400] = "";
    for (int i = 1; i < n && strlen(shown) < 300; i++)
        snprintf(shown + strlen(shown), sizeof shown - strlen(shown), " %.60s", argv[i]);
    int first_line = (int)strcspn(o->err, "\n");
    print_message("  caseflow%s -> %d%s%.*s\n", shown, code, o->err[0] ? "; stderr: " : "",
                  first_line > 300 ? 300 : first_line, o->err);
    return code;
}

/* /usr/bin/python3 (Debian's, with h5py), else whatever python3 is. */
static inline const char *ts_python(void)
{
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

#endif
