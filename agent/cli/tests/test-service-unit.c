/* SPDX-License-Identifier: Apache-2.0 */
/* The unit orc install writes. */
#include <stdlib.h>
#include <string.h>

#include "service-unit.h"
#include "tap.h"

int main(void)
{
    char *extra[] = {"--pod-pids-limit", "64", NULL};
    char *x = service_unit_text("/opt/orc/bin/orcd", NULL, extra);
    tap_ok(strstr(x, "\nExecStart=/opt/orc/bin/orcd --pod-pids-limit 64\n") != NULL,
           "orcd options on ExecStart");
    free(x);
    char *u = service_unit_text("/opt/orc/bin/orcd", NULL, NULL);
    tap_ok(strstr(u, "\nType=notify\n") != NULL, "Type=notify: started means the API answers");
    tap_ok(strstr(u, "\nExecStart=/opt/orc/bin/orcd\n") != NULL, "ExecStart is the given agent");
    tap_ok(strstr(u, "\nWatchdogSec=") != NULL, "a watchdog");
    tap_ok(strstr(u, "\nRestart=on-failure\n") != NULL, "restarted when it dies");
    tap_ok(strstr(u, "\nDelegate=yes\n") != NULL, "cgroup delegation");
    tap_ok(strstr(u, "\nKillMode=process\n") != NULL, "pods survive a stop or restart");
    tap_ok(strstr(u, "\nWantedBy=default.target\n") != NULL, "starts with the user manager");
    tap_ok(strstr(u, "Documentation=") == NULL, "no documentation when none is installed");
    tap_ok(strstr(u, "man:") == NULL, "no man page: orc ships none");
    free(u);
    char *d =
        service_unit_text("/opt/orc/bin/orcd", "/opt/orc/share/doc/orc 1/agent/README.md", NULL);
    tap_ok(strstr(d, "\nDocumentation=file:///opt/orc/share/doc/orc%201/agent/README.md\n") != NULL,
           "the installed README as a file: URL, percent-encoded");
    free(d);

    /* why systemctl --user cannot reach the user manager, first missing piece first */
    struct manager_facts f = {.systemctl = false, .user = "alice", .uid = 1000};
    char *why = service_manager_problem(&f);
    tap_ok(strstr(why, "systemctl is not installed") && strstr(why, "run orcd yourself"),
           "no systemctl: %s", why);
    free(why);
    f.systemctl = true;
    why = service_manager_problem(&f);
    tap_ok(strstr(why, "systemd is not the init system"), "no systemd: %s", why);
    free(why);
    f.systemd = true;
    why = service_manager_problem(&f);
    tap_ok(strstr(why, "XDG_RUNTIME_DIR is not set") &&
               strstr(why, "'loginctl enable-linger alice'") &&
               strstr(why, "XDG_RUNTIME_DIR=/run/user/1000"),
           "no session: %s", why);
    free(why);
    f.runtime_dir = "/run/user/1000";
    why = service_manager_problem(&f);
    tap_ok(strstr(why, "no systemd user manager runs for alice (there is no "
                       "/run/user/1000/systemd/private)") &&
               strstr(why, "'loginctl enable-linger alice'"),
           "no manager: %s", why);
    free(why);
    f.manager_socket = true;
    why = service_manager_problem(&f);
    tap_ok(strstr(why, "could not reach your user manager at /run/user/1000/systemd/private"),
           "a manager that does not answer: %s", why);
    free(why);
    return tap_done();
}
