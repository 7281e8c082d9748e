/*
 * bench_exec.c — runs a command and reports its own peak memory and times.
 *
 *   bench_exec CMD [ARG...]
 *
 * Linux keeps a process's peak RSS (ru_maxrss) across exec, so a program
 * started straight from a large parent (Python, say) reports the parent's
 * size when its own is smaller. Started from this small process instead, the
 * child's ru_maxrss from wait4 is its own. Prints one line on stderr:
 *   bench_exec: peak_rss_kib=N wall_s=X user_s=X sys_s=X
 * and exits with the command's status.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + 1e-6 * (double)tv.tv_usec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_exec CMD [ARG...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_exec: fork");
        return 1;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("bench_exec: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("bench_exec: wait4");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    fprintf(stderr, "bench_exec: peak_rss_kib=%ld wall_s=%.6f user_s=%.6f sys_s=%.6f\n", ru.ru_maxrss, wall,
            seconds(ru.ru_utime), seconds(ru.ru_stime));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
