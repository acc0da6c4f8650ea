/* SPDX-License-Identifier: Apache-2.0 */
/* orc install / orc uninstall: the agent as a systemd user service. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    "    install writes ~/.config/systemd/user/orcd.service (Type=notify, WatchdogSec=30s,\n"
    "    Restart=on-failure, Delegate=yes, KillMode=process so that pods keep running when\n"
    "    the agent stops or restarts), runs systemctl --user daemon-reload and enable --now,\n"
    "    and warns with the exact command when lingering is off (without it your pods stop\n"
    "    when you log out). --orcd names the agent binary (default: next to orc); options\n"
    "    after -- go to orcd's command line (e.g. -- --pod-pids-limit 1024).\n"
    "    uninstall disables and stops the service and removes the unit; pods keep running\n"
    "    until you delete them or stop them with the next agent.\n"
    "\n"
    "FILES\n"
    "    $XDG_CONFIG_HOME/systemd/user/orcd.service (default ~/.config/...); its\n"
    "    Documentation= is orcd's installed README, when orc is installed.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 done; 1 on any failure: no orcd found, the unit not written, systemd --user\n"
    "    refused or is not there.\n";

static int run(char *const argv[])
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "error: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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
    struct passwd *pw = getpwuid(getuid());
    const char *user = pw ? pw->pw_name : "$USER";
    _cleanup_free_ char *p = xasprintf("/var/lib/systemd/linger/%s", user);
    if (access(p, F_OK) < 0)
        fprintf(stderr,
                "warning: lingering is off for %s: the agent and its pods stop when you log out.\n"
                "         Run: loginctl enable-linger %s\n",
                user, user);
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
    if (run(reload) != 0 || run(enable) != 0) {
        fprintf(stderr, "error: systemctl --user failed: is a systemd user session running "
                        "(see 'orc check')?\n");
        return 1;
    }
    printf("Started orcd.service; 'systemctl --user status orcd' shows it.\n");
    linger_warning();
    return 0;
}

static int uninstall(void)
{
    _cleanup_free_ char *path = unit_path();
    char *disable[] = {"systemctl", "--user", "disable", "--now", "orcd.service", NULL};
    char *reload[] = {"systemctl", "--user", "daemon-reload", NULL};
    int rc = access(path, F_OK) == 0 ? run(disable) : 0;
    if (unlink(path) < 0 && errno != ENOENT) {
        fprintf(stderr, "error: remove %s: %s\n", path, strerror(errno));
        return 1;
    }
    (void) run(reload);
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
