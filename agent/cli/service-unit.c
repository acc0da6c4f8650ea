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
