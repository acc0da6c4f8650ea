/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp rule sets: profiles read from files (OCI's or docker's format) and the merge of
 * several sets into a container's linux.seccomp. */
#include "pods/oci-seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "open-beneath.h"
#include "fd-util.h"
#include "security-context.h"
#include "xalloc.h"

#define PROFILE_MAX_BYTES (1u << 20)

const char *const *oci_seccomp_arches(void)
{
#if defined(__x86_64__)
    static const char *const arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                                         NULL};
#elif defined(__aarch64__)
    static const char *const arches[] = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL};
#elif defined(__i386__)
    static const char *const arches[] = {"SCMP_ARCH_X86", NULL};
#else
    static const char *const arches[] = {NULL};
#endif
    return arches;
}

static bool is_arch_of_this_machine(const char *name)
{
    for (const char *const *a = oci_seccomp_arches(); *a; a++)
        if (!strcmp(*a, name))
            return true;
    return false;
}

/* docker's "includes"/"excludes": {"caps": [...], "arches": [...]} */
static bool matches(const json_t *cond, uint64_t caps, bool all_needed)
{
    const json_t *list = json_object_get(cond, "caps"), *arches = json_object_get(cond, "arches");
    size_t i, n_caps = 0, n_held = 0, n_arches = 0;
    json_t *v;
    json_array_foreach(list, i, v) {
        int c = json_is_string(v) ? security_capability_number(json_string_value(v)) : -1;
        n_caps++;
        n_held += c >= 0 && (caps & (UINT64_C(1) << c));
    }
    bool arch = false;
    json_array_foreach(arches, i, v) {
        n_arches++;
        arch |= json_is_string(v) && (is_arch_of_this_machine(json_string_value(v)) ||
                                      (!strcmp(json_string_value(v), "amd64") &&
                                       is_arch_of_this_machine("SCMP_ARCH_X86_64")) ||
                                      (!strcmp(json_string_value(v), "arm64") &&
                                       is_arch_of_this_machine("SCMP_ARCH_AARCH64")));
    }
    if (all_needed) /* includes: every capability held, one of the arches */
        return n_held == n_caps && (n_arches == 0 || arch);
    return n_held == 0 && (n_arches == 0 || !arch); /* excludes: none of them */
}

static int convert_rule(const json_t *in, size_t index, uint64_t caps, json_t *out,
                        orc_error_t *err)
{
    const json_t *inc = json_object_get(in, "includes"), *exc = json_object_get(in, "excludes");
    if ((inc && !matches(inc, caps, true)) || (exc && !matches(exc, caps, false)))
        return 0;
    json_t *names = json_object_get(in, "names");
    const json_t *name = json_object_get(in, "name"), *action = json_object_get(in, "action");
    if (!json_is_string(action) || !(json_is_array(names) || json_is_string(name)))
        return orc_error_make(err, EINVAL, "syscalls[%zu]: needs \"names\" and \"action\"", index);
    json_t *r = json_pack("{s:O}", "action", action);
    json_object_set_new(r, "names",
                        json_is_array(names) ? json_deep_copy(names) : json_pack("[O]", name));
    const char *keep[] = {"errnoRet", "args"};
    for (size_t k = 0; k < 2; k++)
        if (json_object_get(in, keep[k]))
            json_object_set(r, keep[k], json_object_get(in, keep[k]));
    json_array_append_new(out, r);
    return 0;
}

/* "architectures", or docker's "archMap": this machine's entry and its sub-architectures */
static json_t *profile_arches(const json_t *profile)
{
    const json_t *list = json_object_get(profile, "architectures");
    if (json_is_array(list))
        return json_deep_copy(list);
    json_t *arches = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(profile, "archMap"), i, m) {
        const char *a = json_string_value(json_object_get(m, "architecture"));
        if (!a || !is_arch_of_this_machine(a))
            continue;
        json_array_append_new(arches, json_string(a));
        json_array_extend(arches, json_object_get(m, "subArchitectures"));
    }
    return arches;
}

int oci_seccomp_from_profile(const json_t *profile, uint64_t caps, json_t **ret, orc_error_t *err)
{
    const json_t *action = json_object_get(profile, "defaultAction");
    if (!json_is_object(profile) || !json_is_string(action))
        return orc_error_make(err, EINVAL, "a seccomp profile needs a \"defaultAction\"");
    json_auto_t *set = json_pack("{s:O,s:o,s:[]}", "defaultAction", action, "architectures",
                                 profile_arches(profile), "syscalls");
    const json_t *errno_ret = json_object_get(profile, "defaultErrnoRet");
    if (json_is_integer(errno_ret))
        json_object_set(set, "defaultErrnoRet", (json_t *) errno_ret);
    if (json_is_array(json_object_get(profile, "flags")))
        json_object_set(set, "flags", json_object_get(profile, "flags"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(profile, "syscalls"), i, r)
        if (convert_rule(r, i, caps, json_object_get(set, "syscalls"), err) < 0)
            return -1;
    *ret = json_incref(set);
    return 0;
}

/* The file REL beneath DIR, never resolved out of it (common/open-beneath.h), opened to read. */
static int open_beneath(const char *dir, const char *rel)
{
    _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    orc_error_t err = NULL;
    _cleanup_close_ int path_fd = orc_open_beneath(dfd, rel, false, &err);
    if (path_fd < 0) {
        int r = err && err->status > 0 ? -err->status : path_fd;
        orc_error_release(&err);
        return r;
    }
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
    int fd = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    return fd < 0 ? -errno : fd;
}

int oci_seccomp_load(const char *dir, const char *rel, uint64_t caps, json_t **ret,
                     orc_error_t *err)
{
    _cleanup_free_ char *path = orc_path_join(dir, rel);
    _cleanup_close_ int fd = open_beneath(dir, rel);
    if (fd == -EXDEV || fd == -ELOOP)
        return orc_error_make_as(err, EXDEV, "seccomp profile %s: leaves %s", path, dir);
    if (fd < 0)
        return orc_error_make_as(err, -fd, "cannot load seccomp profile \"%s\": %s", path,
                                 strerror(-fd));
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    struct stat st;
    int r = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
    if (r == 0)
        r = orc_read_all(fd, PROFILE_MAX_BYTES, &text, &len);
    if (r < 0)
        return orc_error_make_as(err, -r, "cannot load seccomp profile \"%s\": %s", path,
                                 r == -EINVAL ? "not a regular file" : strerror(-r));
    json_error_t jerr;
    json_auto_t *profile = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!profile)
        return orc_error_make_as(err, EINVAL, "seccomp profile \"%s\": line %d: %s", path,
                                 jerr.line, jerr.text);
    if (oci_seccomp_from_profile(profile, caps, ret, err) < 0)
        return orc_error_wrap(err, "seccomp profile \"%s\"", path);
    return 0;
}

static void add_unique(json_t *dst, const json_t *src)
{
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(src, i, v) {
        bool seen = false;
        json_array_foreach(dst, j, w)
            seen |= json_equal(v, w);
        if (!seen)
            json_array_append(dst, v);
    }
}

json_t *oci_seccomp_merge(json_t *const *sets, size_t n)
{
    json_t *out = json_pack("{s:s,s:[],s:[]}", "defaultAction", "SCMP_ACT_ALLOW", "architectures",
                            "syscalls");
    json_t *flags = json_array();
    for (size_t i = 0; i < n; i++) {
        if (i == 0) {
            json_object_set(out, "defaultAction", json_object_get(sets[i], "defaultAction"));
            if (json_object_get(sets[i], "defaultErrnoRet"))
                json_object_set(out, "defaultErrnoRet",
                                json_object_get(sets[i], "defaultErrnoRet"));
        }
        add_unique(json_object_get(out, "architectures"),
                   json_object_get(sets[i], "architectures"));
        add_unique(flags, json_object_get(sets[i], "flags"));
        json_array_extend(json_object_get(out, "syscalls"), json_object_get(sets[i], "syscalls"));
    }
    if (json_array_size(flags))
        json_object_set_new(out, "flags", flags);
    else
        json_decref(flags);
    return out;
}
