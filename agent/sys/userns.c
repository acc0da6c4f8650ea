/* SPDX-License-Identifier: Apache-2.0 */
#include "sys/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "json-util.h"
#include "log.h"
#include "proc-util.h"
#include "subid.h"
#include "sys/spawn-util.h"
#include "time-util.h"
#include "xalloc.h"

/* Whether the recorded holder still runs (not a zombie, not a later process with its pid). */
static bool holder_runs(pid_t pid, unsigned long long start)
{
    return pid > 0 && start != 0 && orc_proc_alive(&(struct orc_proc_id){pid, start});
}

static int write_proc_file(pid_t pid, const char *name, const char *content, orc_error_t *err)
{
    _cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int) pid, name);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return orc_error_make(err, errno, "open '%s'", path);
    int r = orc_write_all(fd, content, strlen(content));
    if (r < 0)
        return orc_error_make(err, -r, "write '%s'", path);
    return 0;
}

static int map_ids(const struct userns *ns, orc_error_t *err)
{
    char pid[16], host_uid[16], host_gid[16], s1[16], c1[16], s2[16], c2[16];
    snprintf(pid, sizeof(pid), "%d", (int) ns->holder_pid);
    snprintf(host_uid, sizeof(host_uid), "%u", (unsigned) ns->host_uid);
    snprintf(host_gid, sizeof(host_gid), "%u", (unsigned) ns->host_gid);
    if (ns->subuid_count > 0 && ns->subgid_count > 0) {
        snprintf(s1, sizeof(s1), "%u", (unsigned) ns->subuid_start);
        snprintf(c1, sizeof(c1), "%u", (unsigned) ns->subuid_count);
        snprintf(s2, sizeof(s2), "%u", (unsigned) ns->subgid_start);
        snprintf(c2, sizeof(c2), "%u", (unsigned) ns->subgid_count);
        char *uidmap[] = {"newuidmap", pid, "0", host_uid, "1", "1", s1, c1, NULL};
        char *gidmap[] = {"newgidmap", pid, "0", host_gid, "1", "1", s2, c2, NULL};
        int64_t deadline = orc_time_mono_ns() + 30 * NSEC_PER_SEC;
        if (spawn_wait(uidmap, deadline, err) < 0 || spawn_wait(gidmap, deadline, err) < 0)
            return orc_error_wrap(err, "map the user namespace");
        return 0;
    }
    _cleanup_free_ char *um = xasprintf("0 %u 1\n", (unsigned) ns->host_uid);
    _cleanup_free_ char *gm = xasprintf("0 %u 1\n", (unsigned) ns->host_gid);
    if (write_proc_file(ns->holder_pid, "uid_map", um, err) < 0 ||
        write_proc_file(ns->holder_pid, "setgroups", "deny\n", err) < 0 ||
        write_proc_file(ns->holder_pid, "gid_map", gm, err) < 0)
        return orc_error_wrap(err, "map the user namespace");
    return 0;
}

static int state_save(const struct userns *ns, const char *state_file, orc_error_t *err)
{
    json_auto_t *j =
        json_pack("{s:i,s:I,s:I,s:i,s:i,s:i,s:i,s:i,s:i}", "pid", (int) ns->holder_pid, "start",
                  (json_int_t) ns->holder_start, "nsInode", (json_int_t) ns->ns_inode, "uid",
                  (int) ns->host_uid, "gid", (int) ns->host_gid, "subuidStart",
                  (int) ns->subuid_start, "subuidCount", (int) ns->subuid_count, "subgidStart",
                  (int) ns->subgid_start, "subgidCount", (int) ns->subgid_count);
    _cleanup_free_ char *s = orc_json_dump(j);
    return orc_write_file_atomic(state_file, s, strlen(s), 0600, err);
}

/* The inode of /proc/PID/ns/user (0 if the process is gone): identifies a namespace. */
static unsigned long long ns_inode_of(pid_t pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int) pid);
    return stat(path, &st) == 0 ? (unsigned long long) st.st_ino : 0;
}

/* Reads the recorded state; true when it is this user's. *ret_alive: its holder still runs. */
static bool state_load(struct userns *ns, const char *state_file, bool *ret_alive)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    orc_error_t err = NULL;
    json_auto_t *j = NULL;
    if (orc_read_file(state_file, 4096, &buf, &len, &err) < 0 ||
        orc_json_parse(buf, len, &j, &err) < 0) {
        orc_error_release(&err);
        return false;
    }
    if (orc_json_int(j, "uid", -1) != (long long) ns->host_uid)
        return false;
    pid_t pid = (pid_t) orc_json_int(j, "pid", 0);
    unsigned long long start = (unsigned long long) orc_json_int(j, "start", 0);
    ns->holder_pid = pid;
    ns->holder_start = start;
    ns->ns_inode = (unsigned long long) orc_json_int(j, "nsInode", 0);
    ns->subuid_start = (uid_t) orc_json_int(j, "subuidStart", 0);
    ns->subuid_count = (uid_t) orc_json_int(j, "subuidCount", 0);
    ns->subgid_start = (gid_t) orc_json_int(j, "subgidStart", 0);
    ns->subgid_count = (gid_t) orc_json_int(j, "subgidCount", 0);
    *ret_alive = holder_runs(pid, start);
    if (*ret_alive && !ns->ns_inode)
        ns->ns_inode = ns_inode_of(pid); /* recorded by an older orcd */
    return true;
}

/* Starts a holder: in a new namespace that it maps (join NULL), or inside the namespace
 * /proc/PID/ns/user named by join, which is mapped already. */
static int holder_start(struct userns *ns, const char *shim_path, const char *join,
                        orc_error_t *err)
{
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return orc_error_make(err, errno, "socketpair");
    _cleanup_close_ int mine = sp[0];
    _cleanup_close_ int theirs = sp[1];
    char *argv[] = {(char *) shim_path,       "holder",      "--sync-fd", "3",
                    join ? "--userns" : NULL, (char *) join, NULL};
    pid_t pid;
    if (spawn_detached(argv, theirs, &pid, err) < 0)
        return orc_error_wrap(err, "start the user namespace holder");
    theirs = safe_close(theirs);
    ns->holder_pid = pid;
    char c = 0;
    if (read(mine, &c, 1) != 1 || c != '1')
        return orc_error_make(err, 0,
                              "the user namespace holder '%s' failed to start (are "
                              "unprivileged user namespaces enabled? see 'orc check')",
                              shim_path);
    if (!join && map_ids(ns, err) < 0) {
        (void) kill(pid, SIGKILL);
        return -1;
    }
    if (orc_write_all(mine, "mapped\n", 7) < 0)
        return orc_error_make(err, errno, "signal the user namespace holder");
    unsigned long long start = 0;
    (void) orc_proc_stat(pid, &start, NULL);
    ns->holder_start = start;
    ns->ns_inode = ns_inode_of(pid);
    return 0;
}

/* The first of members (pods' shims) that lives in the recorded namespace, or 0. */
static pid_t find_member(const struct userns *ns, const pid_t *members, size_t n)
{
    for (size_t i = 0; ns->ns_inode && i < n; i++)
        if (members[i] > 0 && ns_inode_of(members[i]) == ns->ns_inode)
            return members[i];
    return 0;
}

static int new_namespace(struct userns *ns, const char *shim_path, orc_error_t *err)
{
    struct passwd *pw = getpwuid(ns->host_uid);
    unsigned s = 0, c = 0;
    orc_subid_range("/etc/subuid", pw ? pw->pw_name : NULL, ns->host_uid, &s, &c);
    ns->subuid_start = s, ns->subuid_count = c;
    orc_subid_range("/etc/subgid", pw ? pw->pw_name : NULL, ns->host_gid, &s, &c);
    ns->subgid_start = s, ns->subgid_count = c;
    if (ns->subuid_count == 0 || ns->subgid_count == 0) {
        log_warn("no subordinate uid/gid range for uid %u in /etc/subuid and /etc/subgid: using "
                 "a single-uid mapping; images whose files belong to other users lose that "
                 "ownership (ask an admin for 'usermod --add-subuids 100000-165535 "
                 "--add-subgids 100000-165535 %s')",
                 (unsigned) ns->host_uid, pw ? pw->pw_name : "USER");
        ns->subuid_count = ns->subgid_count = 0;
    }
    if (holder_start(ns, shim_path, NULL, err) < 0)
        return -1;
    log_info("user namespace held by pid %d (uids 0-%u)", (int) ns->holder_pid,
             (unsigned) userns_max_uid(ns));
    return 0;
}

/* The holder may be replaced while threads read it (a step joining the namespace, an unpack,
 * a health check): readers and the one writer go through this lock. */
static pthread_mutex_t holder_lock = PTHREAD_MUTEX_INITIALIZER;

static struct userns snapshot(const struct userns *ns)
{
    pthread_mutex_lock(&holder_lock);
    struct userns copy = *ns;
    pthread_mutex_unlock(&holder_lock);
    return copy;
}

void userns_update(struct userns *ns, const struct userns *src)
{
    pthread_mutex_lock(&holder_lock);
    *ns = *src;
    pthread_mutex_unlock(&holder_lock);
}

int userns_new_holder(const struct userns *old, const char *state_file, const char *shim_path,
                      const pid_t *members, size_t n_members, struct userns *ret, orc_error_t *err)
{
    struct userns ns = snapshot(old);
    pid_t member = find_member(&ns, members, n_members);
    if (member > 0) {
        /* pods live in the namespace: never a second one beside it */
        _cleanup_free_ char *join = xasprintf("/proc/%d/ns/user", (int) member);
        if (holder_start(&ns, shim_path, join, err) < 0)
            return orc_error_wrap(err, "rejoin the pods' user namespace through pid %d",
                                  (int) member);
        log_info("user namespace held again by pid %d, which joined it through pod shim %d",
                 (int) ns.holder_pid, (int) member);
    } else if (new_namespace(&ns, shim_path, err) < 0) {
        return -1;
    }
    if (state_save(&ns, state_file, err) < 0)
        return -1;
    *ret = ns;
    return 0;
}

int userns_ensure(struct userns *ns, const char *state_file, const char *shim_path,
                  const pid_t *members, size_t n_members, orc_error_t *err)
{
    struct userns fresh = {.host_uid = getuid(), .host_gid = getgid()};
    bool alive = false;
    if (state_load(&fresh, state_file, &alive) && alive) {
        *ns = fresh;
        log_info("rejoined user namespace held by pid %d", (int) ns->holder_pid);
        return 0;
    }
    return userns_new_holder(&fresh, state_file, shim_path, members, n_members, ns, err);
}

size_t userns_find_members(const char *pods_dir, pid_t *ret, size_t max)
{
    size_t n = 0;
    DIR *d = opendir(pods_dir);
    struct dirent *e;
    while (d && n < max && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        _cleanup_free_ char *path = xasprintf("%s/%s/shim.pid", pods_dir, e->d_name);
        _cleanup_free_ char *text = NULL;
        if (orc_read_file(path, 64, &text, NULL, NULL) == 0 && atoi(text) > 0)
            ret[n++] = (pid_t) atoi(text);
    }
    if (d)
        closedir(d);
    return n;
}

bool userns_release_unused(const struct userns *ns, const char *state_file, const pid_t *members,
                           size_t n_members)
{
    for (size_t i = 0; i < n_members; i++)
        if (kill(members[i], 0) == 0)
            return false;
    struct userns s = snapshot(ns);
    orc_error_t err = NULL;
    int pidfd = s.holder_pid > 0
                    ? orc_proc_open_expected(&(struct orc_proc_id){s.holder_pid, s.holder_start},
                                             getuid(), NULL, &err)
                    : -ESRCH;
    if (pidfd == -EPERM)
        log_warn("user namespace holder: %s", orc_error_message(err));
    orc_error_release(&err);
    if (pidfd < 0)
        return false;
    bool stopped = orc_pidfd_signal(pidfd, SIGKILL) == 0;
    close(pidfd);
    if (stopped)
        (void) unlink(state_file);
    return stopped;
}

bool userns_holder_alive(const struct userns *ns)
{
    struct userns s = snapshot(ns);
    return holder_runs(s.holder_pid, s.holder_start);
}

pid_t userns_holder_pid(const struct userns *ns)
{
    return snapshot(ns).holder_pid;
}

char *userns_path(const struct userns *ns)
{
    return xasprintf("/proc/%d/ns/user", (int) userns_holder_pid(ns));
}

uid_t userns_max_uid(const struct userns *ns)
{
    return snapshot(ns).subuid_count;
}

gid_t userns_max_gid(const struct userns *ns)
{
    return snapshot(ns).subgid_count;
}

/* An op's exit status is its error's errno, this when it has none (or one above it). */
#define OP_NO_ERRNO 125

int userns_exec(const struct userns *ns, const char *op, char *const args[], orc_error_t *err)
{
    return userns_exec_output(ns, op, args, 0, -1, NULL, err);
}

int userns_exec_output(const struct userns *ns, const char *op, char *const args[],
                       int64_t deadline_ns, int cancel_fd, char **ret_output, orc_error_t *err)
{
    _cleanup_free_ char *path = userns_path(ns);
    char *argv[16] = {"/proc/self/exe", USERNS_OP_FLAG, path, (char *) op};
    size_t n = 4;
    for (size_t i = 0; args && args[i]; i++) {
        if (n >= ELEMENTSOF(argv) - 1)
            return orc_error_make(err, E2BIG, "user namespace op '%s': too many arguments", op);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    int status = 0;
    _cleanup_free_ char *out = NULL, *result = NULL;
    if (spawn_run_output(argv, deadline_ns, cancel_fd, &status, ret_output ? &result : NULL, &out,
                         err) < 0)
        return -1;
    if (status == 0) {
        if (ret_output)
            *ret_output = TAKE_PTR(result);
        return 0;
    }
    /* the op's own message (strerror included); its exit status is the errno (ENOSPC, ...) */
    int e = status < OP_NO_ERRNO ? status : 0;
    if (!*out)
        return orc_error_make_as(err, e, "user namespace op '%s' failed (status %d)", op, status);
    return orc_error_make_as(err, e, "%s", out);
}

int userns_op_main(int argc, char **argv, const struct userns_op *ops)
{
    /* argv: orcd USERNS_OP_FLAG /proc/PID/ns/user NAME ARGS... */
    if (argc < 4) {
        fprintf(stderr, "usage: orcd %s USERNS NAME ARGS...\n", USERNS_OP_FLAG);
        return OP_NO_ERRNO;
    }
    const struct userns_op *op = ops;
    while (op->name && strcmp(op->name, argv[3]) != 0)
        op++;
    if (!op->name || argc - 4 != op->n_args) {
        fprintf(stderr, "unknown user namespace op '%s' or wrong arguments\n", argv[3]);
        return OP_NO_ERRNO;
    }
    int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWUSER) < 0) {
        int e = errno;
        fprintf(stderr, "join user namespace '%s': %s", argv[2], strerror(e));
        return e > 0 && e < OP_NO_ERRNO ? e : OP_NO_ERRNO;
    }
    close(fd);
    orc_error_t err = NULL;
    if (op->fn(argv + 4, &err) < 0) {
        int e = err ? err->status : 0;
        fputs(orc_error_message(err), stderr);
        orc_error_release(&err);
        return e > 0 && e < OP_NO_ERRNO ? e : OP_NO_ERRNO;
    }
    return 0;
}

static int rm_rf_op(char **args, orc_error_t *err)
{
    return orc_rm_rf(args[0], err);
}

const struct userns_op userns_op_rm_rf = {"rm-rf", 1, rm_rf_op};
