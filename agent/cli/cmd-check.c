/* SPDX-License-Identifier: Apache-2.0 */
/* orc check: the machine's prerequisites, one line each, with the remedy for what lacks. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "check.h"
#include "cleanup.h"
#include "cmd.h"
#include "exec-path.h"
#include "fs-util.h"
#include "xalloc.h"

#define CGROUP2_MAGIC 0x63677270
#define NFS_MAGIC 0x6969

static const char help[] =
    "NAME\n"
    "    orc check - tell what this machine offers orc, and what to ask an admin for\n"
    "\n"
    "SYNOPSIS\n"
    "    orc check\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints one line per prerequisite: unprivileged user namespaces (with Debian's and\n"
    "    AppArmor's switches), subordinate uid/gid ranges, newuidmap/newgidmap, the OCI\n"
    "    runtime, overlayfs inside a user namespace, /dev/net/tun, cgroup v2 and the\n"
    "    controllers delegated to you, systemd and your user bus, linger, XDG_RUNTIME_DIR,\n"
    "    whether storage is on NFS, and the disk holding images and logs (85 % used starts\n"
    "    image garbage collection, 90 % is disk pressure). Each is ok, warning (orc runs\n"
    "    with less: no limits, one uid, ...) or missing (orc cannot run pods), followed by\n"
    "    the remedy or the line to ask an admin for. It needs no agent.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when nothing required is missing (warnings allowed), 1 otherwise.\n";

static long read_long(const char *path)
{
    _cleanup_free_ char *text = NULL;
    if (orc_read_file(path, 64, &text, NULL, NULL) < 0)
        return -1;
    return strtol(text, NULL, 10);
}

/* Runs fn in a child process; true if it exited 0. */
static bool in_child(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn(arg) == 0 ? 0 : 1);
    int st = 0;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int try_userns(void *arg)
{
    (void) arg;
    return unshare(CLONE_NEWUSER);
}

static int write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, s, strlen(s));
    close(fd);
    return n == (ssize_t) strlen(s) ? 0 : -1;
}

static int try_overlay(void *arg)
{
    const char *dir = arg;
    char map[64];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
        return -1;
    snprintf(map, sizeof(map), "0 %u 1", (unsigned) uid);
    if (write_str("/proc/self/uid_map", map) < 0 || write_str("/proc/self/setgroups", "deny") < 0)
        return -1;
    snprintf(map, sizeof(map), "0 %u 1", (unsigned) gid);
    if (write_str("/proc/self/gid_map", map) < 0)
        return -1;
    _cleanup_free_ char *opts =
        xasprintf("lowerdir=%s/l,upperdir=%s/u,workdir=%s/w,userxattr", dir, dir, dir);
    _cleanup_free_ char *merged = xasprintf("%s/m", dir);
    return mount("overlay", merged, "overlay", 0, opts);
}

static bool overlay_works(void)
{
    char dir[] = "/tmp/orc-check-XXXXXX";
    if (!mkdtemp(dir))
        return false;
    const char *subs[] = {"l", "u", "w", "m"};
    for (size_t i = 0; i < 4; i++) {
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, subs[i]);
        (void) mkdir(p, 0700);
    }
    bool ok = in_child(try_overlay, dir);
    (void) orc_rm_rf(dir, NULL);
    return ok;
}

/* Sum of the counts of the user's lines (by name or uid) in /etc/subuid or /etc/subgid. */
static long subordinate(const char *file, const char *user, uid_t uid)
{
    _cleanup_fclose_ FILE *f = fopen(file, "re");
    char line[512], name[256];
    unsigned long start, count;
    long total = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%255[^:]:%lu:%lu", name, &start, &count) == 3 &&
            (!strcmp(name, user) || (unsigned long) strtoul(name, NULL, 10) == uid))
            total += (long) count;
    return total;
}

/* name in $PATH, or NULL */
static char *find_in_path(const char *name)
{
    char *path = NULL;
    return orc_find_program(name, NULL, &path, NULL) == 0 ? path : NULL;
}

static bool setuid_helper(const char *name)
{
    _cleanup_free_ char *p = find_in_path(name);
    struct stat st;
    if (!p || stat(p, &st) < 0)
        return false;
    return (st.st_uid == 0 && (st.st_mode & S_ISUID)) ||
           getxattr(p, "security.capability", NULL, 0) > 0;
}

static bool fs_is(const char *path, long magic)
{
    struct statfs s;
    return statfs(path, &s) == 0 && (long) s.f_type == magic;
}

static void gather(struct check_facts *f, char **owned)
{
    uid_t uid = getuid();
    struct passwd *pw = getpwuid(uid);
    f->user = owned[0] = xstrdup(pw ? pw->pw_name : "?");
    f->userns_works = in_child(try_userns, NULL);
    f->unprivileged_clone = (int) read_long("/proc/sys/kernel/unprivileged_userns_clone");
    f->apparmor_restrict =
        (int) read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
    f->max_user_namespaces = read_long("/proc/sys/user/max_user_namespaces");
    f->subuid_count = subordinate("/etc/subuid", f->user, uid);
    f->subgid_count = subordinate("/etc/subgid", f->user, uid);
    f->newuidmap = setuid_helper("newuidmap");
    f->newgidmap = setuid_helper("newgidmap");
    f->tun_exists = access("/dev/net/tun", F_OK) == 0;
    f->tun_usable = access("/dev/net/tun", R_OK | W_OK) == 0;
    f->overlay_in_userns = f->userns_works && overlay_works();
    f->runtime = owned[1] = find_in_path("runc");
    if (!f->runtime)
        f->runtime = owned[1] = find_in_path("crun");
    f->cgroup2 = fs_is("/sys/fs/cgroup", CGROUP2_MAGIC);
    _cleanup_free_ char *ctl =
        xasprintf("/sys/fs/cgroup/user.slice/user-%u.slice/user@%u.service/cgroup.controllers",
                  (unsigned) uid, (unsigned) uid);
    if (orc_read_file(ctl, 4096, &owned[2], NULL, NULL) == 0)
        f->delegated = owned[2];
    f->systemd = access("/run/systemd/system", F_OK) == 0;
    const char *rt = getenv("XDG_RUNTIME_DIR");
    f->runtime_dir = rt && *rt ? rt : NULL;
    struct stat st;
    f->runtime_dir_ok = f->runtime_dir && stat(rt, &st) == 0 && S_ISDIR(st.st_mode) &&
                        st.st_uid == uid && (st.st_mode & 0777) == 0700;
    _cleanup_free_ char *bus = rt ? xasprintf("%s/bus", rt) : NULL;
    f->user_bus = (bus && access(bus, F_OK) == 0) || getenv("DBUS_SESSION_BUS_ADDRESS");
    _cleanup_free_ char *linger = xasprintf("/var/lib/systemd/linger/%s", f->user);
    f->linger = access(linger, F_OK) == 0;
    const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    _cleanup_free_ char *dd = data && *data ? xstrdup(data)
                              : home        ? xasprintf("%s/.local/share", home)
                                            : xstrdup("/");
    while (access(dd, F_OK) < 0 && strrchr(dd, '/') && strrchr(dd, '/') != dd)
        *strrchr(dd, '/') = '\0'; /* the nearest existing parent decides the file system */
    f->storage_nfs = fs_is(dd, NFS_MAGIC);
    struct statvfs fs;
    f->storage_used_pct = -1;
    f->storage_free = -1;
    if (statvfs(dd, &fs) == 0 && fs.f_blocks > 0) {
        f->storage_free = (long long) fs.f_bavail * (long long) fs.f_frsize;
        f->storage_used_pct = (int) (100 - (fs.f_bavail * 100) / fs.f_blocks);
    }
    f->storage_dir = owned[3] = xstrdup(dd);
}

int cmd_check(struct client *c, int argc, char **argv)
{
    (void) c;
    if (cli_help(argc, argv, help))
        return 0;
    if (argc > 1)
        return cli_usage_error("check", "check takes no arguments");
    struct check_facts f = {0};
    char *owned[4] = {NULL, NULL, NULL, NULL};
    gather(&f, owned);
    struct check_result r[32];
    size_t n = check_evaluate(&f, r, 32);
    int missing = 0, warnings = 0;
    for (size_t i = 0; i < n; i++) {
        printf("%-8s %s: %s\n", check_status_name(r[i].status), r[i].name, r[i].detail);
        if (r[i].remedy)
            printf("         -> %s\n", r[i].remedy);
        missing += r[i].status == CHECK_MISSING;
        warnings += r[i].status == CHECK_WARNING;
    }
    if (missing)
        printf("\norc cannot run pods here: %d required prerequisite%s missing\n", missing,
               missing == 1 ? " is" : "s are");
    else
        printf("\norc can run pods here (%d warning%s)\n", warnings, warnings == 1 ? "" : "s");
    check_results_free(r, n);
    for (size_t i = 0; i < ELEMENTSOF(owned); i++)
        free(owned[i]);
    return missing ? 1 : 0;
}
