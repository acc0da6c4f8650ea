/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* orc check: what the machine offers (facts, gathered by cmd-check.c) and what that means
 * for orc (results, pure). */

struct check_facts {
    const char *user;
    bool userns_works;               /* an unprivileged unshare(CLONE_NEWUSER) succeeded */
    int unprivileged_clone;          /* kernel.unprivileged_userns_clone (Debian), -1 = absent */
    int apparmor_restrict;           /* kernel.apparmor_restrict_unprivileged_userns, -1 = absent */
    long max_user_namespaces;        /* user.max_user_namespaces, -1 = unknown */
    long subuid_count, subgid_count; /* the user's subordinate ranges, 0 = none */
    bool newuidmap, newgidmap;       /* present and setuid root (or with file capabilities) */
    bool tun_exists, tun_usable;
    bool overlay_in_userns;  /* overlayfs mounted inside a user namespace */
    const char *runtime;     /* the OCI runtime found, NULL = none */
    bool cgroup2;            /* /sys/fs/cgroup is the unified hierarchy */
    const char *delegated;   /* controllers of the user's systemd slice, NULL = unknown */
    bool systemd;            /* systemd runs as the init system */
    bool user_bus;           /* $XDG_RUNTIME_DIR/bus or DBUS_SESSION_BUS_ADDRESS */
    bool linger;             /* /var/lib/systemd/linger/USER */
    const char *runtime_dir; /* $XDG_RUNTIME_DIR, NULL = unset */
    bool runtime_dir_ok;     /* owned by the user, mode 0700 */
    bool storage_nfs;        /* $XDG_DATA_HOME/orc on NFS */
    const char *storage_dir; /* the nearest existing directory of $XDG_DATA_HOME/orc */
    int storage_used_pct;    /* of its file system, -1 = unknown */
    long long storage_free;  /* bytes free there, -1 = unknown */
};

enum check_status {
    CHECK_OK,
    CHECK_WARNING, /* orc works, with less (no limits, single uid, ...) */
    CHECK_MISSING, /* required: orc cannot run pods without it */
    _CHECK_STATUS_MAX,
    _CHECK_STATUS_INVALID = -22,
};

struct check_result {
    const char *name;
    enum check_status status;
    char *detail;
    char *remedy; /* what to do or ask an admin for; NULL when ok */
};

/* Evaluates facts; returns the number of results written to out (at most max). */
size_t check_evaluate(const struct check_facts *f, struct check_result *out, size_t max);
void check_results_free(struct check_result *r, size_t n);
const char *check_status_name(enum check_status s);
