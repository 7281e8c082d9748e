/*
 * outpath.c — checking an output path, naming its temporary file, cleaning
 * up after killed runs and moving the finished file into place.
 *
 * renameat2 with RENAME_NOREPLACE is Linux's one-step "rename unless the
 * target exists"; it needs _GNU_SOURCE. File systems without it (some
 * network and FUSE ones) get link() + unlink(), which fails the same way
 * when the target exists; the rare one without hard links either gets a
 * check followed by rename(), which has a window of a few microseconds
 * in which a file created by someone else could still be replaced.
 */
#define _GNU_SOURCE
#include "output/outpath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Room for ".partial-" and any PID, so a name's stem does not depend on it. */
#define TEMP_SUFFIX ".partial-"
#define PID_DIGITS 20
#define HASH_LEN 17 /* "~" and 16 hex digits */

static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "not a regular file";
}

/* The directory part of path ("." when it has none) into dir. */
static void dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int outpath_check(const char *path, int replace, char *resolved, size_t resolved_size, char *err, size_t err_size)
{
    size_t len = strlen(path);
    if (len == 0) {
        snprintf(err, err_size, "the output path is empty; give a file name");
        return CF_EXIT_OUTPUT;
    }
    if (len >= PATH_MAX || len >= resolved_size) {
        snprintf(err, err_size, "%.200s...: the output path is longer than %d bytes", path, PATH_MAX - 1);
        return CF_EXIT_OUTPUT;
    }
    const char *base = base_of(path);
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        snprintf(err, err_size, "%s: names a directory; give a file name", path);
        return CF_EXIT_OUTPUT;
    }
    /* A name too long for its file system, before lstat says only
     * "File name too long". */
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    long name_max = pathconf(dir, _PC_NAME_MAX);
    if (name_max <= 0)
        name_max = NAME_MAX;
    if (strlen(base) > (size_t)name_max) {
        snprintf(err, err_size, "%.200s...: the file name has %zu bytes, more than its file system allows (%ld)",
                 path, strlen(base), name_max);
        return CF_EXIT_OUTPUT;
    }
    snprintf(resolved, resolved_size, "%s", path);
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (S_ISLNK(sb.st_mode)) {
            /* The link stays and its target is written: a link is how
             * people point a fixed name at the latest result. */
            struct stat target;
            char real[PATH_MAX];
            if (stat(path, &target) != 0) {
                snprintf(err, err_size, "%s: is a symbolic link to nothing that can be written (%s)", path,
                         strerror(errno));
                return CF_EXIT_OUTPUT;
            }
            if (!S_ISREG(target.st_mode)) {
                snprintf(err, err_size, "%s: is a symbolic link to %s; caseflow replaces only regular files", path,
                         kind_of(target.st_mode));
                return CF_EXIT_OUTPUT;
            }
            if (!realpath(path, real) || strlen(real) >= resolved_size) {
                snprintf(err, err_size, "%s: cannot resolve the symbolic link (%s)", path,
                         errno ? strerror(errno) : "too long");
                return CF_EXIT_OUTPUT;
            }
            snprintf(resolved, resolved_size, "%s", real);
        } else if (S_ISDIR(sb.st_mode)) {
            snprintf(err, err_size, "%s: is a directory; give a file name", path);
            return CF_EXIT_OUTPUT;
        } else if (!S_ISREG(sb.st_mode)) {
            snprintf(err, err_size, "%s: is %s; caseflow replaces only regular files", path, kind_of(sb.st_mode));
            return CF_EXIT_OUTPUT;
        }
        if (!replace) {
            snprintf(err, err_size, "%s: output file exists; use --force to replace it", path);
            return CF_EXIT_OUTPUT;
        }
    } else if (errno != ENOENT) {
        snprintf(err, err_size, "%s: cannot create the output file (%s)", path, strerror(errno));
        return CF_EXIT_OUTPUT;
    } else if (path[len - 1] == '/') {
        snprintf(err, err_size, "%s: names a directory (it ends with '/'); give a file name", path);
        return CF_EXIT_OUTPUT;
    }
    dir_of(resolved, dir, sizeof dir);
    struct stat ds;
    const char *dir_problem = NULL;
    if (stat(dir, &ds) != 0)
        dir_problem = strerror(errno);
    else if (!S_ISDIR(ds.st_mode))
        dir_problem = "not a directory";
    else if (access(dir, W_OK | X_OK) != 0)
        dir_problem = strerror(errno);
    if (dir_problem) {
        snprintf(err, err_size, "%s: cannot create the output file in %s (%s)", path, dir, dir_problem);
        return CF_EXIT_OUTPUT;
    }
    return CF_EXIT_OK;
}

/* FNV-1a, 64 bits: names the stem of a shortened temporary file. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The file name every temporary or kept file of final_path starts with:
 * its own name, or when that leaves no room for a suffix, its first bytes
 * (cut at a UTF-8 character boundary) and a hash of the whole name. */
static void stem_of(const char *final_path, char *stem, size_t size)
{
    const char *base = base_of(final_path);
    size_t len = strlen(base), room = NAME_MAX - strlen(TEMP_SUFFIX) - PID_DIGITS;
    if (len <= room) {
        snprintf(stem, size, "%s", base);
        return;
    }
    size_t keep = room - HASH_LEN;
    while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
        keep--;
    snprintf(stem, size, "%.*s~%016llx", (int)keep, base, (unsigned long long)name_hash(base));
}

static int name_in_dir(const char *final_path, const char *suffix, long pid, char *buf, size_t size)
{
    char stem[NAME_MAX + 1];
    stem_of(final_path, stem, sizeof stem);
    int dir_len = (int)(base_of(final_path) - final_path);
    int n = snprintf(buf, size, "%.*s%s%s%ld", dir_len, final_path, stem, suffix, pid);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

int outpath_temp_name(const char *final_path, long pid, char *buf, size_t size)
{
    return name_in_dir(final_path, TEMP_SUFFIX, pid, buf, size);
}

/* A process of this PID exists on this machine (EPERM: it does, as
 * another user's). */
static int process_alive(long pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int outpath_clean_partials(const char *final_path, FILE *note)
{
    char dir[PATH_MAX], stem[NAME_MAX + 1];
    dir_of(final_path, dir, sizeof dir);
    stem_of(final_path, stem, sizeof stem);
    size_t stem_len = strlen(stem), suffix_len = strlen(TEMP_SUFFIX);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strncmp(name, stem, stem_len) != 0 || strncmp(name + stem_len, TEMP_SUFFIX, suffix_len) != 0)
            continue;
        const char *digits = name + stem_len + suffix_len;
        char *end;
        errno = 0;
        long pid = strtol(digits, &end, 10);
        if (errno || end == digits || *end || pid <= 0 || pid == (long)getpid() || process_alive(pid))
            continue;
        /* HDF5 holds an exclusive lock on a file it writes: a file still
         * locked belongs to a live writer (here or on another machine that
         * shares the directory) and stays. */
        int fd = openat(dirfd(d), name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat sb;
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
            unlinkat(dirfd(d), name, 0) == 0) {
            removed++;
            if (note)
                fprintf(note, "caseflow: removed %s/%s, left behind by a run (process %ld) that was killed\n",
                        dir, name, pid);
        }
        close(fd);
    }
    closedir(d);
    return removed;
}

/* Writes the file's data and its directory entry to disk, so a power cut
 * cannot leave an empty file under a name that says it is complete. */
static int sync_path(const char *path, int directory)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    /* Some file systems cannot sync a directory; the data is synced. */
    if (rc != 0 && directory && (errno == EINVAL || errno == EROFS))
        rc = 0;
    close(fd);
    return rc;
}

/* rename without replacing: 0, or -1 with errno (EEXIST: something is there). */
static int rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP && errno != EOPNOTSUPP)
        return -1;
    if (link(from, to) == 0)
        return unlink(from) == 0 || errno == ENOENT ? 0 : -1;
    if (errno == EEXIST)
        return -1;
    /* No hard links either: check, then rename (see the file's comment). */
    struct stat sb;
    if (lstat(to, &sb) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/* The move was refused: the result is kept beside, under a name that no
 * cleanup removes, and err says where. */
static int keep_beside(const char *temp_path, const char *final_path, const char *why, char *err, size_t err_size)
{
    char kept[PATH_MAX];
    if (name_in_dir(final_path, ".new-", (long)getpid(), kept, sizeof kept) == 0 &&
        rename_noreplace(temp_path, kept) == 0) {
        sync_path(kept, 0);
        snprintf(err, err_size, "%s: %s; it was left as it is, and this run's result is in %s", final_path, why, kept);
    } else {
        snprintf(err, err_size, "%s: %s; it was left as it is, and this run's result is in %s", final_path, why,
                 temp_path);
    }
    return CF_EXIT_OUTPUT;
}

int outpath_commit(const char *temp_path, const char *final_path, int replace, char *err, size_t err_size)
{
    if (sync_path(temp_path, 0) != 0) {
        snprintf(err, err_size, "%s: flushing the file to disk failed (%s)", final_path, strerror(errno));
        unlink(temp_path);
        return CF_EXIT_OUTPUT;
    }
    struct stat sb;
    int there = lstat(final_path, &sb) == 0;
    char why[160];
    if (there && !S_ISREG(sb.st_mode)) {
        /* Checked at the start too; something else appeared since. */
        snprintf(why, sizeof why, "is %s now; caseflow replaces only regular files", kind_of(sb.st_mode));
        return keep_beside(temp_path, final_path, why, err, err_size);
    }
    if (replace) {
        if (rename(temp_path, final_path) != 0) {
            snprintf(err, err_size, "%s: renaming into place failed (%s)", final_path, strerror(errno));
            unlink(temp_path);
            return CF_EXIT_OUTPUT;
        }
    } else if (rename_noreplace(temp_path, final_path) != 0) {
        if (errno == EEXIST)
            return keep_beside(temp_path, final_path,
                               "a file of this name appeared while the run ran (use --force to replace it)", err,
                               err_size);
        snprintf(err, err_size, "%s: renaming into place failed (%s)", final_path, strerror(errno));
        unlink(temp_path);
        return CF_EXIT_OUTPUT;
    }
    char dir[PATH_MAX];
    dir_of(final_path, dir, sizeof dir);
    if (sync_path(dir, 1) != 0) {
        snprintf(err, err_size, "%s: in place, but flushing its directory to disk failed (%s), so a power cut "
                 "could still lose it", final_path, strerror(errno));
        return CF_EXIT_OUTPUT;
    }
    return CF_EXIT_OK;
}
