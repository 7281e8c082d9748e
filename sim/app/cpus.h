/*
 * cpus.h — how many CPUs this process may really use, for the default
 * number of worker threads.
 *
 * Owns the lookup of the limits a batch system or container puts on a
 * process, which sysconf(_SC_NPROCESSORS_ONLN) does not see: the CPU
 * affinity mask (taskset, Slurm's task/affinity and cgroup cpusets), a
 * cgroup CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us,
 * walked up to the root, the smallest wins) and Slurm's
 * SLURM_CPUS_PER_TASK. The result is the smallest of those that are known,
 * and at least 1. Starting more threads than that only makes them share
 * the CPUs (results never depend on the thread count; speed does).
 */
#ifndef CASEFLOW_CPUS_H
#define CASEFLOW_CPUS_H

/* Where the limits are read from; cpus_limit takes them explicitly so the
 * tests can point it at files of their own. */
typedef struct cpus_sources {
    long online;                  /* CPUs online (sysconf); <= 0 unknown */
    long affinity;                /* CPUs in the affinity mask; <= 0 unknown */
    const char *proc_cgroup;      /* a /proc/self/cgroup file; NULL: none */
    const char *cgroup_root;      /* where cgroupfs is mounted, e.g. /sys/fs/cgroup */
    const char *slurm_cpus_per_task;  /* the variable's text; NULL: unset */
} cpus_sources;

/* The CPU quota of the cgroup hierarchy named by src (CPUs, rounded up: a
 * quota of 1.5 CPUs gives 2), or 0 when there is none. */
long cpus_cgroup_quota(const cpus_sources *src);

/* The smallest of the known limits, at least 1. */
long cpus_limit(const cpus_sources *src);

/* cpus_limit of this process (sysconf, sched_getaffinity,
 * /proc/self/cgroup under /sys/fs/cgroup, SLURM_CPUS_PER_TASK). */
int cpus_available(void);

#endif
