/* SPDX-License-Identifier: Apache-2.0 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "xalloc.h"

const char *check_status_name(enum check_status s)
{
    switch (s) {
    case CHECK_OK:
        return "ok";
    case CHECK_WARNING:
        return "warning";
    case CHECK_MISSING:
        return "missing";
    case _CHECK_STATUS_MAX:
    case _CHECK_STATUS_INVALID:
        break;
    }
    return "?";
}

struct out {
    struct check_result *r;
    size_t n, max;
};

static void add(struct out *o, const char *name, enum check_status st, char *detail, char *remedy)
{
    if (o->n < o->max)
        o->r[o->n++] = (struct check_result){name, st, detail, remedy};
    else
        free(detail), free(remedy);
}

static void check_userns(struct out *o, const struct check_facts *f)
{
    if (f->userns_works) {
        add(o, "user namespaces", CHECK_OK,
            xasprintf("unprivileged user namespaces work (max_user_namespaces %ld)",
                      f->max_user_namespaces),
            NULL);
        return;
    }
    char *remedy;
    if (f->apparmor_restrict == 1)
        remedy = xstrdup("ask an admin: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 "
                         "(or an AppArmor profile allowing userns for runc and orc-shim)");
    else if (f->unprivileged_clone == 0)
        remedy = xstrdup("ask an admin: sysctl -w kernel.unprivileged_userns_clone=1");
    else if (f->max_user_namespaces == 0)
        remedy = xstrdup("ask an admin: sysctl -w user.max_user_namespaces=15000");
    else
        remedy = xstrdup("ask an admin to allow unprivileged user namespaces on this machine");
    add(o, "user namespaces", CHECK_MISSING,
        xstrdup("creating an unprivileged user namespace failed"), remedy);
}

static void check_ids(struct out *o, const struct check_facts *f)
{
    long n = f->subuid_count < f->subgid_count ? f->subuid_count : f->subgid_count;
    if (n >= 65536)
        add(o, "subordinate ids", CHECK_OK,
            xasprintf("%ld subordinate uids and %ld gids for %s", f->subuid_count, f->subgid_count,
                      f->user),
            NULL);
    else
        add(o, "subordinate ids", CHECK_WARNING,
            n > 0 ? xasprintf("only %ld subordinate uids/gids for %s: images using more ids fail",
                              n, f->user)
                  : xasprintf("no subordinate uid/gid range for %s: pods run with a single uid",
                              f->user),
            xasprintf("ask an admin: usermod --add-subuids 100000-165535 --add-subgids "
                      "100000-165535 %s",
                      f->user));
    if (f->newuidmap && f->newgidmap)
        add(o, "newuidmap/newgidmap", CHECK_OK, xstrdup("installed, setuid"), NULL);
    else
        add(o, "newuidmap/newgidmap", CHECK_WARNING,
            xstrdup("missing or not setuid: the subordinate range cannot be mapped"),
            xstrdup("ask an admin: apt-get install uidmap"));
}

static void check_runtime(struct out *o, const struct check_facts *f)
{
    if (f->runtime)
        add(o, "OCI runtime", CHECK_OK, xasprintf("%s", f->runtime), NULL);
    else
        add(o, "OCI runtime", CHECK_MISSING, xstrdup("neither runc nor crun is in $PATH"),
            xstrdup("ask an admin: apt-get install runc"));
    if (f->overlay_in_userns)
        add(o, "overlayfs", CHECK_OK, xstrdup("mounts inside a user namespace"), NULL);
    else
        add(o, "overlayfs", CHECK_WARNING,
            xstrdup("cannot be mounted inside a user namespace (kernel older than 5.11?): "
                    "container filesystems are copied, slower and larger"),
            xstrdup("use a kernel >= 5.11, or ask an admin for fuse-overlayfs"));
    if (f->tun_usable)
        add(o, "/dev/net/tun", CHECK_OK, xstrdup("readable and writable"), NULL);
    else
        add(o, "/dev/net/tun", CHECK_MISSING,
            xstrdup(f->tun_exists ? "not readable and writable by users: pods get no network"
                                  : "missing: pods get no network"),
            xstrdup(f->tun_exists ? "ask an admin: chmod 0666 /dev/net/tun (the usual mode)"
                                  : "ask an admin: modprobe tun"));
}

/* Whether the space-separated list holds word (cgroup.controllers' format). */
static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " \n");
        if (len == n && !strncmp(p, word, n))
            return true;
        p += len;
        p += strspn(p, " \n");
    }
    return false;
}

static void check_cgroups(struct out *o, const struct check_facts *f)
{
    const char *need[] = {"cpu", "memory", "pids"};
    if (!f->cgroup2) {
        add(o, "cgroup v2", CHECK_WARNING,
            xstrdup("the unified hierarchy is not mounted (cgroup v1 or hybrid): pod limits "
                    "are not enforced"),
            xstrdup("ask an admin to boot with systemd.unified_cgroup_hierarchy=1"));
        add(o, "delegated controllers", CHECK_WARNING,
            xasprintf("none for %s: without cgroup v2 nothing can be delegated", f->user),
            xstrdup("cgroup v2 first (above), then Delegate=cpu cpuset io memory pids for "
                    "user@.service"));
        return;
    }
    add(o, "cgroup v2", CHECK_OK, xstrdup("unified hierarchy"), NULL);
    char missing[64] = "";
    for (size_t i = 0; i < 3; i++) {
        if (!has_word(f->delegated, need[i]))
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
                     *missing ? " " : "", need[i]);
    }
    if (!*missing)
        add(o, "delegated controllers", CHECK_OK, xstrdup("cpu memory pids"), NULL);
    else
        add(o, "delegated controllers", CHECK_WARNING,
            xasprintf("not delegated to %s: %s; those limits are not enforced", f->user, missing),
            xstrdup("ask an admin for /etc/systemd/system/user@.service.d/delegate.conf with "
                    "[Service] Delegate=cpu cpuset io memory pids"));
}

/* kubelet's thresholds: image GC from 85 % used, eviction below 10 % free */
static void check_disk(struct out *o, const struct check_facts *f)
{
    if (f->storage_used_pct < 0)
        return;
    const char *dir = f->storage_dir ? f->storage_dir : "$XDG_DATA_HOME";
    long long mib = f->storage_free / (1024 * 1024);
    if (f->storage_used_pct >= 90)
        add(o, "disk", CHECK_WARNING,
            xasprintf("%d%% used where orc keeps images and logs (%s, %lld MiB free): disk "
                      "pressure, logs get lost and images are removed",
                      f->storage_used_pct, dir, mib),
            xstrdup("free space (orc image prune, orc delete of finished pods) or set "
                    "XDG_DATA_HOME to a larger file system"));
    else if (f->storage_used_pct >= 85)
        add(o, "disk", CHECK_WARNING,
            xasprintf("%d%% used where orc keeps images and logs (%s, %lld MiB free): above "
                      "the image GC threshold, unused images will be removed",
                      f->storage_used_pct, dir, mib),
            xstrdup("free space, or raise orcd --image-gc-high-threshold"));
    else
        add(o, "disk", CHECK_OK,
            xasprintf("%d%% used where orc keeps images and logs (%s, %lld MiB free)",
                      f->storage_used_pct, dir, mib),
            NULL);
}

static void check_session(struct out *o, const struct check_facts *f)
{
    if (!f->systemd)
        add(o, "systemd", CHECK_WARNING,
            xstrdup("systemd is not the init system: no user service, no cgroup delegation"),
            xstrdup("run orcd in the foreground or from your batch system; limits need systemd "
                    "or a delegated cgroup"));
    else if (!f->user_bus)
        add(o, "user bus", CHECK_WARNING,
            xstrdup("no systemd user bus ($XDG_RUNTIME_DIR/bus): orc install and per-pod "
                    "scopes need it"),
            xstrdup("log in through a session (ssh, login) so that systemd --user starts"));
    else
        add(o, "user bus", CHECK_OK, xstrdup("systemd --user answers"), NULL);
    if (f->systemd && !f->linger)
        add(o, "linger", CHECK_WARNING,
            xasprintf("off for %s: the agent and its pods stop at logout", f->user),
            xasprintf("loginctl enable-linger %s (or ask an admin to run it)", f->user));
    else if (f->systemd)
        add(o, "linger", CHECK_OK, xstrdup("on: pods outlive logouts"), NULL);
    if (!f->runtime_dir)
        add(o, "XDG_RUNTIME_DIR", CHECK_WARNING, xstrdup("unset: /tmp/orc-UID is used instead"),
            xstrdup("log in through a session that sets it (pam_systemd)"));
    else if (!f->runtime_dir_ok)
        add(o, "XDG_RUNTIME_DIR", CHECK_MISSING,
            xasprintf("%s is not a 0700 directory of %s", f->runtime_dir, f->user),
            xasprintf("chmod 0700 %s, or log in again", f->runtime_dir));
    else
        add(o, "XDG_RUNTIME_DIR", CHECK_OK, xasprintf("%s", f->runtime_dir), NULL);
    if (f->storage_nfs)
        add(o, "storage", CHECK_WARNING,
            xstrdup("$XDG_DATA_HOME is on NFS: overlayfs and ownership mapping fail there"),
            xstrdup("set XDG_DATA_HOME to a local disk (e.g. /var/tmp or a local scratch)"));
    else
        add(o, "storage", CHECK_OK, xstrdup("local file system"), NULL);
    check_disk(o, f);
}

size_t check_evaluate(const struct check_facts *f, struct check_result *r, size_t max)
{
    struct out o = {.r = r, .max = max};
    check_userns(&o, f);
    check_ids(&o, f);
    check_runtime(&o, f);
    check_cgroups(&o, f);
    check_session(&o, f);
    return o.n;
}

void check_results_free(struct check_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].detail);
        free(r[i].remedy);
    }
}
