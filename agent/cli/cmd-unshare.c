/* SPDX-License-Identifier: Apache-2.0 */
/* orc unshare: a command in orc's user namespace, as podman unshare. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "fd-util.h"
#include "fs-util.h"
#include "json-util.h"
#include "proc-util.h"
#include "subid.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc unshare - run a command in orc's user namespace\n"
    "\n"
    "SYNOPSIS\n"
    "    orc unshare [--] [COMMAND [ARG...]]\n"
    "\n"
    "DESCRIPTION\n"
    "    Runs COMMAND (default: $SHELL, else /bin/sh) as root of orc's user namespace, where\n"
    "    uid 0 is you and 1..N your subordinate ids (/etc/subuid, /etc/subgid), as podman\n"
    "    unshare does: to read, change or remove files that pods or image layers left\n"
    "    owned by subordinate ids (a hostPath written by runAsUser 1000, the data\n"
    "    directory's storage). While orcd runs it joins orcd's namespace (its holder,\n"
    "    recorded in userns.json beside the agent's socket); otherwise it makes a fresh\n"
    "    one with the same mapping (newuidmap and newgidmap), which ends with COMMAND.\n"
    "    Write -- before a COMMAND whose arguments begin with '-'. The exit status is\n"
    "    COMMAND's (128+N when a signal N ended it), 125 when orc unshare itself failed.\n";

#define UNSHARE_FAILED 125

/* orcd's holder, when it runs: the fd of its user namespace, else -1. */
static int agent_namespace(const struct client *c)
{
    _cleanup_free_ char *copy = xstrdup(c->socket);
    _cleanup_free_ char *state = orc_path_join(dirname(copy), "userns.json");
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if (orc_read_file(state, 65536, &text, &len, NULL) < 0)
        return -1;
    json_auto_t *j = json_loadb(text, len, 0, NULL);
    struct orc_proc_id id = {.pid = (pid_t) orc_json_int(j, "pid", 0),
                             .start_time = (unsigned long long) orc_json_int(j, "start", 0)};
    if (id.pid <= 0 || !orc_proc_alive(&id))
        return -1;
    _cleanup_free_ char *path = xasprintf("/proc/%d/ns/user", (int) id.pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) < 0 || (json_int_t) st.st_ino != orc_json_int(j, "nsInode", -1)))
        fd = (close(fd), -1); /* the pid was reused: not the recorded namespace */
    return fd;
}

static int run_mapper(const char *prog, pid_t pid, unsigned id, unsigned start, unsigned count)
{
    char p[16], i[16], s[16], n[16];
    snprintf(p, sizeof(p), "%d", (int) pid);
    snprintf(i, sizeof(i), "%u", id);
    snprintf(s, sizeof(s), "%u", start);
    snprintf(n, sizeof(n), "%u", count);
    pid_t child = fork();
    if (child == 0) {
        execlp(prog, prog, p, "0", i, "1", "1", s, n, (char *) NULL);
        fprintf(stderr, "error: %s: %s\n", prog, strerror(errno));
        _exit(127);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

static int write_map(pid_t pid, const char *file, const char *text)
{
    _cleanup_free_ char *path = xasprintf("/proc/%d/%s", (int) pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    return fd < 0 ? -errno : orc_write_all(fd, text, strlen(text));
}

/* Maps child's new namespace as orcd maps its own: 0 -> the user, 1..N -> the subordinate
 * ranges; a single-uid mapping without them. */
static int map_child(pid_t child)
{
    struct passwd *pw = getpwuid(getuid());
    unsigned us = 0, uc = 0, gs = 0, gc = 0;
    orc_subid_range("/etc/subuid", pw ? pw->pw_name : NULL, getuid(), &us, &uc);
    orc_subid_range("/etc/subgid", pw ? pw->pw_name : NULL, getgid(), &gs, &gc);
    if (uc && gc)
        return run_mapper("newuidmap", child, getuid(), us, uc) < 0 ||
                       run_mapper("newgidmap", child, getgid(), gs, gc) < 0
                   ? -1
                   : 0;
    fprintf(stderr, "warning: no subordinate id range for you in /etc/subuid and /etc/subgid: "
                    "only uid 0 is mapped (see 'orc check')\n");
    _cleanup_free_ char *um = xasprintf("0 %u 1\n", (unsigned) getuid());
    _cleanup_free_ char *gm = xasprintf("0 %u 1\n", (unsigned) getgid());
    return write_map(child, "uid_map", um) < 0 || write_map(child, "setgroups", "deny\n") < 0 ||
                   write_map(child, "gid_map", gm) < 0
               ? -1
               : 0;
}

static void exec_command(char **cmd)
{
    execvp(cmd[0], cmd);
    fprintf(stderr, "error: %s: %s\n", cmd[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
}

static int exit_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A fresh namespace: the child unshares and waits until the parent has mapped it. */
static int fresh_namespace(char **cmd)
{
    int ready[2], mapped[2];
    if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(mapped, O_CLOEXEC) < 0)
        return UNSHARE_FAILED;
    pid_t child = fork();
    if (child < 0)
        return UNSHARE_FAILED;
    char b = 0;
    if (child == 0) {
        bool ok = unshare(CLONE_NEWUSER) == 0;
        if (!ok)
            fprintf(stderr, "error: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
        if (write(ready[1], &b, ok) < 0 || !ok || read(mapped[0], &b, 1) != 1)
            _exit(UNSHARE_FAILED);
        exec_command(cmd);
    }
    close(ready[1]);
    close(mapped[0]);
    bool ok = read(ready[0], &b, 1) == 1 && map_child(child) == 0;
    if (!ok)
        fprintf(stderr, "error: could not map the new user namespace\n");
    if (ok && write(mapped[1], &b, 1) != 1)
        ok = false;
    close(mapped[1]);
    close(ready[0]);
    /* the command owns the terminal now: ^C reaches it, not us */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    return ok ? exit_status(status) : UNSHARE_FAILED;
}

int cmd_unshare(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    int first = 1;
    if (first < argc && !strcmp(argv[first], "--"))
        first++;
    else if (first < argc && argv[first][0] == '-')
        return cli_usage_error("unshare", "unknown flag: %s (write -- before the command)",
                               argv[first]) *
               UNSHARE_FAILED;
    const char *shell = getenv("SHELL");
    char *def[] = {(char *) (shell && *shell ? shell : "/bin/sh"), NULL};
    char **cmd = first < argc ? argv + first : def;
    fflush(stdout);
    _cleanup_close_ int fd = agent_namespace(c);
    if (fd < 0)
        return fresh_namespace(cmd);
    if (setns(fd, CLONE_NEWUSER) < 0) {
        fprintf(stderr, "error: join orc's user namespace: %s\n", strerror(errno));
        return UNSHARE_FAILED;
    }
    exec_command(cmd);
    return UNSHARE_FAILED;
}
