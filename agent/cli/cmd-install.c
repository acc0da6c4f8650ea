/* SPDX-License-Identifier: Apache-2.0 */
/* orc install / orc uninstall: the agent as a systemd user service. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "exec-path.h"
#include "fs-util.h"
#include "service-unit.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc install, orc uninstall - run the agent as a systemd user service\n"
    "\n"
    "SYNOPSIS\n"
    "    orc install [--orcd PATH] [-- ORCD-OPTIONS...]\n"
    "    orc uninstall\n"
    "\n"
    "DESCRIPTION\n"
    "    install first checks that systemctl --user reaches your systemd user manager; if\n"
    "    not, it writes nothing and says what is missing (systemd, a user session with\n"
    "    XDG_RUNTIME_DIR, a user manager: 'loginctl enable-linger USER' starts one). Then it\n"
    "    writes ~/.config/systemd/user/orcd.service (Type=notify, WatchdogSec=30s,\n"
    "    Restart=on-failure, Delegate=yes, KillMode=process so that pods keep running when\n"
    "    the agent stops or restarts), runs systemctl --user daemon-reload and enable --now\n"
    "    (when either fails, the unit is removed again), and warns with the exact command\n"
    "    when lingering is off (without it your pods stop when you log out). --orcd names\n"
    "    the agent binary (default: next to orc); options after -- go to orcd's command\n"
    "    line (e.g. -- --pod-pids-limit 1024).\n"
    "    uninstall disables and stops the service and removes the unit and its link in\n"
    "    default.target.wants/; when systemd cannot be reached it removes them all the same,\n"
    "    with a warning that the service was not stopped. Pods keep running until you\n"
    "    delete them or stop them with the next agent.\n"
    "\n"
    "FILES\n"
    "    $XDG_CONFIG_HOME/systemd/user/orcd.service (default ~/.config/...); its\n"
    "    Documentation= is orcd's installed README, when orc is installed.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 done (uninstall: the files are gone, nothing installed included); 1 on any\n"
    "    failure: no orcd found, the unit not written, systemd --user refused or is not\n"
    "    there (install), a file that could not be removed or a service that systemd could\n"
    "    not stop (uninstall).\n";

/* Runs argv and returns its exit status (-1: it could not run or was killed); quiet: its
 * stdout and stderr go to /dev/null. */
static int run(char *const argv[], bool quiet)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = quiet ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
        if (null >= 0 && (dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0))
            _exit(127);
        execvp(argv[0], argv);
        if (!quiet)
            fprintf(stderr, "error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *user_name(void)
{
    struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_name : "$USER";
}

static bool manager_reachable(void)
{
    char *probe[] = {"systemctl", "--user", "show-environment", NULL};
    return run(probe, true) == 0;
}

/* NULL when 'systemctl --user' reaches the user's systemd manager; else why not, and what to
 * do about it (allocated). */
static char *manager_unreachable(void)
{
    if (manager_reachable())
        return NULL;
    const char *rt = getenv("XDG_RUNTIME_DIR");
    rt = rt && *rt ? rt : NULL;
    _cleanup_free_ char *private = rt ? xasprintf("%s/systemd/private", rt) : NULL;
    _cleanup_free_ char *bus = rt ? xasprintf("%s/bus", rt) : NULL;
    _cleanup_free_ char *systemctl = NULL;
    struct manager_facts f = {
        .systemctl = orc_find_program("systemctl", NULL, &systemctl, NULL) == 0,
        .systemd = access("/run/systemd/system", F_OK) == 0,
        .runtime_dir = rt,
        .manager_socket = rt && (access(private, F_OK) == 0 || access(bus, F_OK) == 0),
        .user = user_name(),
        .uid = (unsigned) getuid(),
    };
    return service_manager_problem(&f);
}

static char *unit_path(void)
{
    const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (cfg && *cfg)
        return xasprintf("%s/systemd/user/orcd.service", cfg);
    return xasprintf("%s/.config/systemd/user/orcd.service", home ? home : ".");
}

/* orcd beside this orc (installed), or in the build tree (agent/cli/orc, agent/orcd). */
static char *default_orcd(void)
{
    const char *const tries[] = {"orcd", "../orcd", NULL};
    char *found = NULL;
    return orc_self_find_program(tries, &found, NULL) == 0 ? found : NULL;
}

/* orcd's installed README (DOCDIR/agent/README.md), when it is there. */
static char *orcd_doc(void)
{
    char *readme = NULL;
    return orc_self_path(ORC_DOCDIR_FROM_BINDIR "/agent/README.md", &readme, NULL) == 0 ? readme
                                                                                        : NULL;
}

static void linger_warning(void)
{
    const char *user = user_name();
    _cleanup_free_ char *p = xasprintf("/var/lib/systemd/linger/%s", user);
    if (access(p, F_OK) < 0)
        fprintf(stderr,
                "warning: lingering is off for %s: the agent and its pods stop when you log out.\n"
                "         Run: loginctl enable-linger %s\n",
                user, user);
}

/* The unit's link in default.target.wants/, which enabling it made. */
static char *wants_path(const char *path)
{
    _cleanup_free_ char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    return xasprintf("%s/default.target.wants/orcd.service", dir);
}

static int remove_unit(const char *path)
{
    _cleanup_free_ char *wants = wants_path(path);
    const char *const files[] = {wants, path};
    for (size_t i = 0; i < ELEMENTSOF(files); i++)
        if (unlink(files[i]) < 0 && errno != ENOENT) {
            fprintf(stderr, "error: remove %s: %s\n", files[i], strerror(errno));
            return -1;
        }
    return 0;
}

static int install(const char *orcd, char *const *extra)
{
    for (size_t i = 0; extra && extra[i]; i++)
        if (strpbrk(extra[i], " \t\n\"'\\%$") || !*extra[i]) {
            fprintf(stderr, "error: orcd argument '%s' needs quoting; not supported\n", extra[i]);
            return 1;
        }
    _cleanup_free_ char *found = orcd ? realpath(orcd, NULL) : default_orcd();
    if (!found) {
        fprintf(stderr, "error: cannot find orcd%s%s; give it with --orcd PATH\n",
                orcd ? " at " : "", orcd ? orcd : "");
        return 1;
    }
    _cleanup_free_ char *why = manager_unreachable();
    if (why) {
        fprintf(stderr,
                "error: cannot reach your systemd user manager: %s. Nothing was "
                "installed.\n",
                why);
        return 1;
    }
    _cleanup_free_ char *path = unit_path();
    _cleanup_free_ char *doc = orcd_doc();
    _cleanup_free_ char *text = service_unit_text(found, doc, extra);
    _cleanup_free_ char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    orc_error_t err = NULL;
    if (orc_mkdir_p(dir, 0755, &err) < 0 ||
        orc_write_file_atomic(path, text, strlen(text), 0644, &err) < 0)
        return cli_fail(&err);
    printf("Wrote %s (ExecStart=%s)\n", path, found);
    char *reload[] = {"systemctl", "--user", "daemon-reload", NULL};
    char *enable[] = {"systemctl", "--user", "enable", "--now", "orcd.service", NULL};
    if (run(reload, false) != 0 || run(enable, false) != 0) {
        char *disable[] = {"systemctl", "--user", "disable", "--now", "orcd.service", NULL};
        (void) run(disable, true); /* nothing half installed */
        (void) remove_unit(path);
        (void) run(reload, true);
        fprintf(stderr,
                "error: systemctl --user failed (its message is above); removed %s "
                "again\n",
                path);
        return 1;
    }
    printf("Started orcd.service; 'systemctl --user status orcd' shows it.\n");
    linger_warning();
    return 0;
}

/* The unit and, when it was enabled, its link in default.target.wants/ go whether or not
 * systemd can be reached; without it, the service was not stopped or disabled: a warning says
 * so, and the files are removed all the same (exit 0). */
static int uninstall(void)
{
    _cleanup_free_ char *path = unit_path();
    _cleanup_free_ char *wants = wants_path(path);
    struct stat st;
    bool unit = lstat(path, &st) == 0, link = lstat(wants, &st) == 0 && S_ISLNK(st.st_mode);
    if (!unit && !link) {
        printf("Nothing to remove: %s is not there.\n", path);
        return 0;
    }
    bool reachable = manager_reachable();
    char *disable[] = {"systemctl", "--user", "disable", "--now", "orcd.service", NULL};
    int rc = 0;
    if (!reachable)
        fprintf(stderr, "warning: systemctl --user cannot reach your systemd user manager: "
                        "orcd.service is removed without being stopped or disabled\n");
    else
        rc = run(disable, false);
    if (remove_unit(path) < 0)
        return 1;
    if (reachable) {
        char *reload[] = {"systemctl", "--user", "daemon-reload", NULL};
        (void) run(reload, false);
    }
    printf("Removed %s; running pods were left alone.\n", path);
    return rc == 0 ? 0 : 1;
}

int cmd_install(struct client *c, int argc, char **argv)
{
    (void) c;
    if (cli_help(argc, argv, help))
        return 0;
    if (!strcmp(argv[0], "uninstall"))
        return argc == 1 ? uninstall() : cli_usage_error("uninstall", "takes no arguments");
    /* orc install [--orcd PATH] [-- ORCD-ARGS...] */
    const char *orcd = NULL;
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "--orcd"))
        orcd = argv[i + 1], i += 2;
    else if (i < argc && !strncmp(argv[i], "--orcd=", 7))
        orcd = argv[i++] + 7;
    if (i < argc && strcmp(argv[i], "--") != 0)
        return cli_usage_error("install", "unknown argument \"%s\"", argv[i]);
    return install(orcd, i < argc ? argv + i + 1 : NULL);
}
