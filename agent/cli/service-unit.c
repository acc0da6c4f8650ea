/* SPDX-License-Identifier: Apache-2.0 */
#include "service-unit.h"

#include <stdio.h>

#include "xalloc.h"

char *service_unit_text(const char *orcd_path, char *const *extra)
{
    char line[4096];
    size_t n = (size_t) snprintf(line, sizeof(line), "%s", orcd_path);
    for (size_t i = 0; extra && extra[i] && n < sizeof(line); i++)
        n += (size_t) snprintf(line + n, sizeof(line) - n, " %s", extra[i]);
    /* KillMode=process: stopping or restarting the agent leaves pods running (their shims
     * sit in this unit's cgroup); the next agent adopts them. */
    return xasprintf("# Written by 'orc install'; 'orc uninstall' removes it.\n"
                     "[Unit]\n"
                     "Description=orc rootless pod agent\n"
                     "Documentation=man:orcd(8)\n"
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
                     line);
}
