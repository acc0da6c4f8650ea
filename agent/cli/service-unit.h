/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

/* The systemd user unit `orc install` writes (pure). */
/* doc_path: an absolute path, the unit's Documentation= as a file: URL (NULL: none);
 * extra: arguments for orcd (NULL-terminated, may be NULL). */
char *service_unit_text(const char *orcd_path, const char *doc_path, char *const *extra);

/* What orc install saw when 'systemctl --user' could not reach the user's manager. */
struct manager_facts {
    bool systemctl;          /* systemctl is on $PATH */
    bool systemd;            /* /run/systemd/system: systemd is the init system */
    const char *runtime_dir; /* $XDG_RUNTIME_DIR, NULL = unset */
    bool manager_socket;     /* $XDG_RUNTIME_DIR/systemd/private or .../bus is there */
    const char *user;
    unsigned uid;
};
/* Which of them is missing and what to do about it, in one sentence (pure). */
char *service_manager_problem(const struct manager_facts *f);
