/* SPDX-License-Identifier: Apache-2.0 */
#include "service-unit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

/* "Documentation=file://PATH\n", PATH percent-encoded but for its '/'s (RFC 3986). */
static char *documentation(const char *path)
{
    if (!path)
        return xstrdup("");
    char *line = xmalloc(strlen("Documentation=file://\n") + 3 * strlen(path) + 1);
    char *p = stpcpy(line, "Documentation=file://");
    for (const unsigned char *c = (const unsigned char *) path; *c; c++)
        if (isalnum(*c) || strchr("/-._~", *c))
            *p++ = (char) *c;
        else
            p += sprintf(p, "%%%02X", *c);
    strcpy(p, "\n");
    return line;
}

char *service_unit_text(const char *orcd_path, const char *doc_path, char *const *extra)
{
    char line[4096];
    size_t n = (size_t) snprintf(line, sizeof(line), "%s", orcd_path);
    for (size_t i = 0; extra && extra[i] && n < sizeof(line); i++)
        n += (size_t) snprintf(line + n, sizeof(line) - n, " %s", extra[i]);
    /* KillMode=process: stopping or restarting the agent leaves pods running (their shims
     * sit in this unit's cgroup); the next agent adopts them. */
    _cleanup_free_ char *doc = documentation(doc_path);
    return xasprintf("# Written by 'orc install'; 'orc uninstall' removes it.\n"
                     "[Unit]\n"
                     "Description=orc rootless pod agent\n"
                     "%s"
                     "\n"
                     "[Service]\n"
                     "Type=notify\n"
                     "ExecStart=%s\n"
                     "Restart=on-failure\n"
                     "RestartSec=1s\n"
                     "WatchdogSec=30s\n"
                     "Delegate=yes\n"
                     "KillMode=process\n"
                     "TimeoutStopSec=30s\n"
                     "\n"
                     "[Install]\n"
                     "WantedBy=default.target\n",
                     doc, line);
}

char *service_manager_problem(const struct manager_facts *f)
{
    static const char yourself[] = "run orcd yourself instead (in the foreground, or from your "
                                   "batch system)";
    if (!f->systemctl)
        return xasprintf("systemctl is not installed: there is no systemd to run orcd; %s",
                         yourself);
    if (!f->systemd)
        return xasprintf("systemd is not the init system here: there is no user manager to run "
                         "orcd; %s",
                         yourself);
    if (!f->runtime_dir)
        return xasprintf("XDG_RUNTIME_DIR is not set, so this is no systemd user session (su, "
                         "sudo or cron?): log in as %s through ssh or a login, or run "
                         "'loginctl enable-linger %s' and set XDG_RUNTIME_DIR=/run/user/%u",
                         f->user, f->user, f->uid);
    if (!f->manager_socket)
        return xasprintf("no systemd user manager runs for %s (there is no %s/systemd/private): "
                         "run 'loginctl enable-linger %s', which starts one now and at every "
                         "boot, or log in through a session",
                         f->user, f->runtime_dir, f->user);
    return xasprintf("systemctl --user could not reach your user manager at %s/systemd/private "
                     "(see 'orc check')",
                     f->runtime_dir);
}
