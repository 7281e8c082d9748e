/*
 * cpus.c — the CPUs this process may use (see cpus.h).
 *
 * A quota is read at every level from the process's cgroup up to the root
 * and the smallest kept, since a batch system may set it on the job's
 * cgroup and run the process in a child (a job step). Missing files mean
 * "no limit known here", never an error: the worst outcome of a wrong
 * guess is a slower run, not a wrong one.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "app/cpus.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Up to two numbers from the first line of a file (cpu.max: "max 100000"
 * or "150000 100000"); returns how many were read, -1 when the file is
 * absent. "max" reads as -1. */
static int read_numbers(const char *path, double *a, double *b)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[128] = "";
    int n = 0;
    if (fgets(line, sizeof line, f)) {
        char *p = line;
        double *slot[2] = {a, b};
        while (n < 2) {
            while (*p == ' ' || *p == '\t')
                p++;
            if (strncmp(p, "max", 3) == 0) {
                *slot[n++] = -1;
                p += 3;
                continue;
            }
            char *end;
            errno = 0;
            double v = strtod(p, &end);
            if (end == p || errno)
                break;
            *slot[n++] = v;
            p = end;
        }
    }
    fclose(f);
    return n;
}

/* CPUs allowed by the quota files in one cgroup directory; 0 none. */
static double quota_in(const char *dir, int v2)
{
    char path[1200];
    double quota = 0, period = 0;
    if (v2) {
        snprintf(path, sizeof path, "%s/cpu.max", dir);
        if (read_numbers(path, &quota, &period) != 2)
            return 0;
    } else {
        double unused;
        snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
        if (read_numbers(path, &quota, &unused) < 1)
            return 0;
        snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
        if (read_numbers(path, &period, &unused) < 1)
            return 0;
    }
    return quota > 0 && period > 0 ? quota / period : 0;
}

/* The smallest quota from base + path up to base itself. */
static double quota_walk(const char *base, const char *cgpath, int v2)
{
    char rel[1024];
    snprintf(rel, sizeof rel, "%s", cgpath);
    double best = 0;
    for (;;) {
        char dir[2100];
        snprintf(dir, sizeof dir, "%s%s", base, strcmp(rel, "/") == 0 ? "" : rel);
        double q = quota_in(dir, v2);
        if (q > 0 && (best == 0 || q < best))
            best = q;
        char *slash = strrchr(rel, '/');
        if (!slash || rel[0] == '\0' || strcmp(rel, "/") == 0)
            break;
        if (slash == rel)
            snprintf(rel, sizeof rel, "/");
        else
            *slash = '\0';
    }
    return best;
}

/* 1 when the comma-separated controller list names controller `name`. */
static int has_controller(const char *list, size_t len, const char *name)
{
    size_t n = strlen(name);
    const char *p = list, *end = list + len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t tok = comma ? (size_t)(comma - p) : (size_t)(end - p);
        if (tok == n && strncmp(p, name, n) == 0)
            return 1;
        p += tok + 1;
    }
    return 0;
}

long cpus_cgroup_quota(const cpus_sources *src)
{
    if (!src->proc_cgroup || !src->cgroup_root)
        return 0;
    FILE *f = fopen(src->proc_cgroup, "r");
    if (!f)
        return 0;
    double best = 0;
    char line[1100];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        /* hierarchy-ID:controller-list:cgroup-path */
        char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!b)
            continue;
        double q = 0;
        if (strncmp(line, "0::", 3) == 0) {
            q = quota_walk(src->cgroup_root, b + 1, 1);
        } else if (has_controller(a + 1, (size_t)(b - a - 1), "cpu")) {
            static const char *const mounts[] = {"cpu,cpuacct", "cpu", "cpuacct,cpu"};
            for (size_t m = 0; m < sizeof mounts / sizeof mounts[0] && q == 0; m++) {
                char base[1100];
                snprintf(base, sizeof base, "%s/%s", src->cgroup_root, mounts[m]);
                q = quota_walk(base, b + 1, 0);
            }
        }
        if (q > 0 && (best == 0 || q < best))
            best = q;
    }
    fclose(f);
    /* Up, not down: 1.5 CPUs of quota run 2 threads at 75 % each, which
     * still beats 1 thread at 100 %. */
    return best > 0 ? (long)ceil(best - 1e-9) : 0;
}

long cpus_limit(const cpus_sources *src)
{
    long best = 0;
    long limits[4] = {src->online, src->affinity, cpus_cgroup_quota(src), 0};
    if (src->slurm_cpus_per_task) {
        char *end;
        errno = 0;
        long v = strtol(src->slurm_cpus_per_task, &end, 10);
        if (!errno && end != src->slurm_cpus_per_task && *end == '\0' && v > 0)
            limits[3] = v;
    }
    for (size_t i = 0; i < 4; i++)
        if (limits[i] > 0 && (best == 0 || limits[i] < best))
            best = limits[i];
    return best > 0 ? best : 1;
}

int cpus_available(void)
{
    cpus_sources src = {.online = sysconf(_SC_NPROCESSORS_ONLN),
                        .proc_cgroup = "/proc/self/cgroup",
                        .cgroup_root = "/sys/fs/cgroup",
                        .slurm_cpus_per_task = getenv("SLURM_CPUS_PER_TASK")};
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        src.affinity = CPU_COUNT(&set);
    long n = cpus_limit(&src);
    return n > 1024 ? 1024 : (int)n;
}
