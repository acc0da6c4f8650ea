/* SPDX-License-Identifier: Apache-2.0 */
/* orc check's verdicts from facts (no machine involved). */
#include <string.h>

#include "check.h"
#include "tap.h"

static const struct check_facts good = {.user = "alice",
                                        .userns_works = true,
                                        .unprivileged_clone = -1,
                                        .apparmor_restrict = -1,
                                        .max_user_namespaces = 63000,
                                        .subuid_count = 65536,
                                        .subgid_count = 65536,
                                        .newuidmap = true,
                                        .newgidmap = true,
                                        .tun_exists = true,
                                        .tun_usable = true,
                                        .overlay_in_userns = true,
                                        .runtime = "/usr/bin/runc",
                                        .cgroup2 = true,
                                        .delegated = "cpuset cpu io memory pids\n",
                                        .systemd = true,
                                        .user_bus = true,
                                        .linger = true,
                                        .runtime_dir = "/run/user/1000",
                                        .runtime_dir_ok = true};

static const struct check_result *find(struct check_result *r, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(r[i].name, name))
            return &r[i];
    return NULL;
}

static enum check_status status_of(const struct check_facts *f, const char *name, char **remedy)
{
    struct check_result r[32];
    size_t n = check_evaluate(f, r, 32);
    const struct check_result *x = find(r, n, name);
    enum check_status st = x ? x->status : _CHECK_STATUS_INVALID;
    static char buf[512];
    buf[0] = '\0';
    if (x && x->remedy)
        strncpy(buf, x->remedy, sizeof(buf) - 1);
    if (remedy)
        *remedy = buf;
    check_results_free(r, n);
    return st;
}

int main(void)
{
    struct check_result r[32];
    size_t n = check_evaluate(&good, r, 32);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += r[i].status != CHECK_OK;
    tap_ok(n >= 12 && bad == 0, "a well set-up machine is all ok (%zu checks)", n);
    check_results_free(r, n);

    char *remedy;
    struct check_facts f = good;
    f.userns_works = false;
    f.apparmor_restrict = 1;
    tap_is_int(status_of(&f, "user namespaces", &remedy), CHECK_MISSING, "no userns is missing");
    tap_ok(strstr(remedy, "apparmor_restrict_unprivileged_userns=0") != NULL,
           "AppArmor's switch is named");
    f.apparmor_restrict = -1;
    f.unprivileged_clone = 0;
    tap_is_int(status_of(&f, "user namespaces", &remedy), CHECK_MISSING,
               "no userns with Debian's switch off is missing");
    tap_ok(strstr(remedy, "unprivileged_userns_clone=1") != NULL, "Debian's switch is named");

    f = good;
    f.subuid_count = 0;
    tap_is_int(status_of(&f, "subordinate ids", &remedy), CHECK_WARNING, "no range: a warning");
    tap_ok(strstr(remedy,
                  "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice") != NULL,
           "the exact usermod line");
    f = good;
    f.tun_usable = false;
    tap_is_int(status_of(&f, "/dev/net/tun", &remedy), CHECK_MISSING, "tun unusable is missing");
    tap_ok(strstr(remedy, "chmod 0666 /dev/net/tun") != NULL, "chmod remedy");
    f = good;
    f.runtime = NULL;
    tap_is_int(status_of(&f, "OCI runtime", NULL), CHECK_MISSING, "no runtime is missing");
    f = good;
    f.cgroup2 = false;
    tap_is_int(status_of(&f, "cgroup v2", NULL), CHECK_WARNING, "hybrid cgroups: a warning");
    tap_is_int(status_of(&f, "delegated controllers", NULL), CHECK_WARNING,
               "and no delegation is named too");
    f = good;
    f.delegated = "cpuset io memory";
    tap_is_int(status_of(&f, "delegated controllers", &remedy), CHECK_WARNING,
               "cpu and pids not delegated");
    tap_ok(strstr(remedy, "Delegate=") != NULL, "the drop-in to ask for");
    f.delegated = "cpuset cpu io memory pids";
    tap_is_int(status_of(&f, "delegated controllers", NULL), CHECK_OK,
               "whole words: cpuset does not count as cpu, but cpu is there");
    f.delegated = "cpuset io memory pids";
    tap_is_int(status_of(&f, "delegated controllers", NULL), CHECK_WARNING, "cpuset is not cpu");
    f = good;
    f.systemd = false;
    tap_is_int(status_of(&f, "systemd", NULL), CHECK_WARNING, "no systemd: a warning");
    f = good;
    f.linger = false;
    tap_is_int(status_of(&f, "linger", &remedy), CHECK_WARNING, "linger off: a warning");
    tap_ok(strstr(remedy, "loginctl enable-linger alice") != NULL, "the loginctl line");
    f = good;
    f.runtime_dir_ok = false;
    tap_is_int(status_of(&f, "XDG_RUNTIME_DIR", NULL), CHECK_MISSING, "a bad runtime dir");
    f = good;
    f.storage_nfs = true;
    tap_is_int(status_of(&f, "storage", NULL), CHECK_WARNING, "NFS storage: a warning");
    f = good;
    f.storage_used_pct = 50;
    f.storage_free = 1LL << 30;
    f.storage_dir = "/home/alice";
    tap_is_int(status_of(&f, "disk", NULL), CHECK_OK, "half a disk: ok");
    f.storage_used_pct = 87;
    tap_is_int(status_of(&f, "disk", &remedy), CHECK_WARNING, "above the image GC threshold");
    tap_ok(strstr(remedy, "--image-gc-high-threshold") != NULL, "names the threshold");
    f.storage_used_pct = 97;
    tap_is_int(status_of(&f, "disk", &remedy), CHECK_WARNING, "disk pressure: a warning");
    tap_ok(strstr(remedy, "orc image prune") != NULL, "says how to free space");
    f.storage_used_pct = -1;
    tap_is_int(status_of(&f, "disk", NULL), _CHECK_STATUS_INVALID, "unknown: no line");
    tap_is_str(check_status_name(CHECK_MISSING), "missing", "status names");
    return tap_done();
}
