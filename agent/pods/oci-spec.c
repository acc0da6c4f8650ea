/* SPDX-License-Identifier: Apache-2.0 */
#include "pods/oci-spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "expand.h"
#include "fs-util.h"
#include "images/images.h"
#include "json-util.h"
#include "pods/oci-mounts.h"
#include "strv.h"
#include "sys/userns.h"
#include "xalloc.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const default_caps[] = {"CAP_CHOWN",
                                           "CAP_DAC_OVERRIDE",
                                           "CAP_FSETID",
                                           "CAP_FOWNER",
                                           "CAP_MKNOD",
                                           "CAP_NET_RAW",
                                           "CAP_SETGID",
                                           "CAP_SETUID",
                                           "CAP_SETFCAP",
                                           "CAP_SETPCAP",
                                           "CAP_NET_BIND_SERVICE",
                                           "CAP_SYS_CHROOT",
                                           "CAP_KILL",
                                           "CAP_AUDIT_WRITE",
                                           NULL};

static void append_json_strings(json_t *dst, const json_t *src)
{
    size_t i;
    json_t *v;
    json_array_foreach(src, i, v)
        if (json_is_string(v))
            json_array_append(dst, v);
}

static void append_strv(json_t *dst, char *const *v)
{
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(dst, json_string(v[i]));
}

/* Kubernetes: command replaces Entrypoint, args replace Cmd; $(NAME) in command and args (not
 * in the image's) is expanded against the container's env. */
static int build_args(const struct container *c, const json_t *cfg, const struct expand_env *cenv,
                      json_t **ret, orc_error_t *err)
{
    _cleanup_(strv_freep) char **command = NULL;
    _cleanup_(strv_freep) char **cargs = NULL;
    if (expand_strv(c->command, cenv, "command", &command, err) < 0 ||
        expand_strv(c->args, cenv, "args", &cargs, err) < 0)
        return orc_error_wrap(err, "container '%s'", c->name);
    json_t *args = json_array();
    if (command)
        append_strv(args, command);
    else
        append_json_strings(args, json_object_get(cfg, "Entrypoint"));
    if (cargs)
        append_strv(args, cargs);
    else if (!command)
        append_json_strings(args, json_object_get(cfg, "Cmd"));
    if (json_array_size(args) == 0) {
        json_decref(args);
        return orc_error_make(err, EINVAL, "container '%s': no command specified", c->name);
    }
    *ret = args;
    return 0;
}

/* Image Env, then the container's (expanded) env by name, PATH and HOSTNAME defaults. */
static json_t *build_env(const struct pod *pod, const struct expand_env *cenv, const json_t *cfg)
{
    struct expand_env env = {0};
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cfg, "Env"), i, v)
        if (json_is_string(v))
            expand_env_put(&env, json_string_value(v));
    for (size_t k = 0; cenv->strv && cenv->strv[k]; k++)
        expand_env_put(&env, cenv->strv[k]);
    if (!expand_env_get(&env, "PATH", 4))
        expand_env_set(&env, "PATH", DEFAULT_PATH);
    if (!expand_env_get(&env, "HOSTNAME", 8)) {
        _cleanup_free_ char *hostname = pod_hostname(pod);
        expand_env_set(&env, "HOSTNAME", hostname);
    }
    json_t *a = json_array();
    append_strv(a, env.strv);
    expand_env_done(&env);
    return a;
}

/* The etc/FILE an overlay of the image's layers would show, read from the top layer down
 * without following symlinks (they could point out of the image); NULL when none. */
static char *read_image_etc(const struct image *img, const char *file)
{
    for (size_t i = strv_length(img->layers); i > 0; i--) {
        _cleanup_close_ int root = open(img->layers[i - 1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int etc =
            root < 0 ? -1 : openat(root, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (etc < 0) {
            if (root >= 0 && fstatat(root, "etc", &st, AT_SYMLINK_NOFOLLOW) == 0)
                return NULL; /* a whiteout, a symlink or not a directory: hides the rest */
            continue;
        }
        if (fstatat(etc, file, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            char v;
            if (fgetxattr(etc, "user.overlay.opaque", &v, 1) == 1 && v == 'y')
                return NULL;
            continue;
        }
        if (!S_ISREG(st.st_mode) || st.st_size > (1 << 20))
            return NULL;
        _cleanup_close_ int fd = openat(etc, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_fclose_ FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
        if (!f)
            return NULL;
        fd = -1;
        char *text = xzalloc((size_t) st.st_size + 1);
        size_t n = fread(text, 1, (size_t) st.st_size, f);
        text[n] = '\0';
        return text;
    }
    return NULL;
}

static bool parse_id(const char *s, long *ret)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || !end || *end || errno || v < 0 || v > UINT32_MAX - 1)
        return false;
    *ret = v;
    return true;
}

/* Finds the passwd or group line whose name (by_name) or id equals key; fields split in f. */
static bool find_entry(char *text, const char *key, bool by_name, char *f[4])
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        memset(f, 0, 4 * sizeof(char *));
        char *p = line;
        for (int k = 0; k < 4 && p; k++) {
            f[k] = p;
            p = strchr(p, ':');
            if (p && k < 3)
                *p++ = '\0';
        }
        if (f[0] && f[2] && !strcmp(by_name ? f[0] : f[2], key))
            return true;
    }
    return false;
}

struct user {
    long uid, gid;
    char *name; /* from passwd; NULL when not found or the group is explicit */
};

/* runc's rule: "uid" or "name" [":" "gid" or "group"]; a user's group defaults to its
 * passwd entry's, else 0. Names must exist in the image. */
static int resolve_user(const struct image *img, const char *spec, struct user *u, orc_error_t *err)
{
    _cleanup_free_ char *s = xstrdup(spec);
    char *group = strchr(s, ':');
    if (group)
        *group++ = '\0';
    _cleanup_free_ char *passwd = read_image_etc(img, "passwd");
    char *f[4];
    bool numeric = parse_id(s, &u->uid);
    if (passwd && find_entry(passwd, s, !numeric, f)) {
        u->name = xstrdup(f[0]);
        if (!numeric && !parse_id(f[2], &u->uid))
            return orc_error_make(err, EINVAL, "invalid uid for user %s in passwd file", s);
        char *end = f[3] ? strchr(f[3], ':') : NULL;
        if (end)
            *end = '\0';
        if (!f[3] || !parse_id(f[3], &u->gid))
            u->gid = 0;
    } else if (!numeric) {
        return orc_error_make(err, ENOENT,
                              "unable to find user %s: no matching entries in "
                              "passwd file",
                              s);
    }
    if (!group || !*group)
        return 0;
    u->name = (free(u->name), NULL); /* supplementary groups only with the implicit group */
    if (parse_id(group, &u->gid))
        return 0;
    _cleanup_free_ char *groups = read_image_etc(img, "group");
    if (!groups || !find_entry(groups, group, true, f) || !parse_id(f[2], &u->gid))
        return orc_error_make(err, ENOENT,
                              "unable to find group %s: no matching entries in "
                              "group file",
                              group);
    return 0;
}

/* Supplementary groups of a user from the image's etc/group, as runc adds them when the
 * group is implicit; gids the namespace does not map are left out (setgroups would fail). */
static json_t *additional_gids(const struct oci_spec_input *in, const struct user *u)
{
    json_t *gids = json_array();
    _cleanup_free_ char *groups = u->name ? read_image_etc(in->image, "group") : NULL;
    char *save = NULL;
    for (char *line = groups ? strtok_r(groups, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[4] = {0}, *p = line;
        for (int k = 0; k < 4 && p; k++) {
            f[k] = p;
            p = strchr(p, ':');
            if (p)
                *p++ = '\0';
        }
        long gid;
        if (!f[3] || !parse_id(f[2] ? f[2] : "", &gid) || gid == u->gid ||
            (gid_t) gid > userns_max_gid(in->userns))
            continue;
        char *save2 = NULL;
        for (char *m = strtok_r(f[3], ",", &save2); m; m = strtok_r(NULL, ",", &save2))
            if (!strcmp(m, u->name)) {
                json_array_append_new(gids, json_integer(gid));
                break;
            }
    }
    return gids;
}

static int build_user(const struct oci_spec_input *in, json_t **ret, orc_error_t *err)
{
    const char *spec = orc_json_str(in->image->config, "User");
    struct user u = {0};
    if (spec && *spec && resolve_user(in->image, spec, &u, err) < 0) {
        free(u.name);
        return -1;
    }
    int r = 0;
    if ((uid_t) u.uid > userns_max_uid(in->userns))
        r = orc_error_make(err, ERANGE,
                           "image user %s: uid %ld is outside the user namespace (uids 0-%u are "
                           "mapped; a subordinate id range is needed, see 'orc check')",
                           spec, u.uid, (unsigned) userns_max_uid(in->userns));
    else if ((gid_t) u.gid > userns_max_gid(in->userns))
        r = orc_error_make(err, ERANGE,
                           "image user %s: gid %ld is outside the user namespace (gids 0-%u are "
                           "mapped; a subordinate id range is needed, see 'orc check')",
                           spec, u.gid, (unsigned) userns_max_gid(in->userns));
    if (r == 0) {
        json_t *user = json_pack("{s:I,s:I}", "uid", (json_int_t) u.uid, "gid", (json_int_t) u.gid);
        json_t *extra = additional_gids(in, &u);
        if (json_array_size(extra))
            json_object_set_new(user, "additionalGids", extra);
        else
            json_decref(extra);
        *ret = user;
    }
    free(u.name);
    return r;
}

static json_t *mount_json(const char *dest, const char *type, const char *source,
                          const char *options)
{
    json_t *opts = json_array();
    _cleanup_free_ char *copy = xstrdup(options);
    char *save = NULL;
    for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
        json_array_append_new(opts, json_string(o));
    return json_pack("{s:s,s:s,s:s,s:o}", "destination", dest, "type", type, "source", source,
                     "options", opts);
}

static json_t *build_mounts(const struct oci_spec_input *in)
{
    json_t *m = json_array();
    json_array_append_new(m, mount_json("/proc", "proc", "proc", "nosuid,noexec,nodev"));
    json_array_append_new(
        m, mount_json("/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k"));
    json_array_append_new(m,
                          mount_json("/dev/pts", "devpts", "devpts",
                                     userns_max_gid(in->userns) >= 5
                                         ? "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"
                                         : "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"));
    const struct pod_host *h = &in->pod->host;
    /* the host's IPC and network namespaces belong to the host's user namespace, which
     * refuses new mqueue and sysfs mounts from orc's: the host's /dev/shm and /sys are bound
     * instead; message queues need no /dev/mqueue (mq_open works without it) */
    if (h->host_ipc) {
        json_array_append_new(m, mount_json("/dev/shm", "bind", "/dev/shm", "rbind,nosuid,nodev"));
    } else {
        json_array_append_new(
            m, mount_json("/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k"));
        json_array_append_new(m,
                              mount_json("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
    }
    json_array_append_new(
        m, h->host_network ? mount_json("/sys", "bind", "/sys", "rbind,nosuid,noexec,nodev,ro")
                           : mount_json("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
    if (in->hostname_file)
        json_array_append_new(m, mount_json("/etc/hostname", "bind", in->hostname_file,
                                            "rbind,ro,nosuid,nodev,noexec"));
    /* writable, as kubelet mounts them: programs may add entries */
    if (in->hosts_file)
        json_array_append_new(
            m, mount_json("/etc/hosts", "bind", in->hosts_file, "rbind,nosuid,nodev,noexec"));
    if (in->resolv_file)
        json_array_append_new(m, mount_json("/etc/resolv.conf", "bind", in->resolv_file,
                                            "rbind,nosuid,nodev,noexec"));
    return m;
}

/* The container's limits for the runtime: only inside a delegated cgroup (a rootless runtime
 * refuses limits it cannot apply). */
static json_t *build_resources(const struct container_resources *r)
{
    json_t *res = json_object();
    if (r->memory_limit)
        json_object_set_new(res, "memory",
                            json_pack("{s:I,s:I}", "limit", (json_int_t) r->memory_limit, "swap",
                                      (json_int_t) r->memory_limit));
    json_t *cpu = json_object();
    if (r->cpu_limit) { /* thousandths of a CPU -> us per 100 ms period */
        json_object_set_new(cpu, "quota", json_integer(r->cpu_limit * 100));
        json_object_set_new(cpu, "period", json_integer(100000));
    }
    if (r->cpu_request) {
        int64_t shares = r->cpu_request * 1024 / 1000;
        json_object_set_new(cpu, "shares", json_integer(shares < 2 ? 2 : shares));
    }
    if (json_object_size(cpu))
        json_object_set_new(res, "cpu", cpu);
    else
        json_decref(cpu);
    return res;
}

/* The container's own PID namespace, or the pod's (shareProcessNamespace) by path */
static json_t *pid_namespace(const char *pid_ns_path)
{
    json_t *ns = json_pack("{s:s}", "type", "pid");
    if (pid_ns_path)
        json_object_set_new(ns, "path", json_string(pid_ns_path));
    return ns;
}

static json_t *build_linux(const char *cgroups_path, const char *pid_ns_path,
                           const struct container_resources *r)
{
    static const char *const masked[] = {"/proc/acpi",
                                         "/proc/asound",
                                         "/proc/kcore",
                                         "/proc/keys",
                                         "/proc/latency_stats",
                                         "/proc/timer_list",
                                         "/proc/timer_stats",
                                         "/proc/sched_debug",
                                         "/sys/firmware",
                                         "/proc/scsi",
                                         NULL};
    static const char *const readonly[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
    json_t *mp = json_array(), *ro = json_array();
    append_strv(mp, (char *const *) masked);
    append_strv(ro, (char *const *) readonly);
    /* only pid and mount: net, ipc, uts and user come from orc-shim */
    json_t *l = json_pack("{s:[o,{s:s}],s:o,s:o}", "namespaces", pid_namespace(pid_ns_path), "type",
                          "mount", "maskedPaths", mp, "readonlyPaths", ro);
    if (cgroups_path) { /* inside the pod's delegated scope; without one the runtime's default */
        json_object_set_new(l, "cgroupsPath", json_string(cgroups_path));
        json_object_set_new(l, "resources", build_resources(r));
    }
    return l;
}

int oci_spec_build(const struct oci_spec_input *in, json_t **ret, orc_error_t *err)
{
    const json_t *cfg = in->image->config;
    const struct container *c = in->container;
    json_t *args = NULL, *user = NULL;
    struct expand_env cenv = {0};
    if (expand_container_env(in->pod, c, &in->facts, &cenv, err) < 0)
        return orc_error_wrap(err, "container '%s'", c->name);
    if (build_args(c, cfg, &cenv, &args, err) < 0) {
        expand_env_done(&cenv);
        return -1;
    }
    if (build_user(in, &user, err) < 0) {
        expand_env_done(&cenv);
        json_decref(args);
        return -1;
    }
    json_t *mounts = build_mounts(in);
    if (oci_mounts_build(in, &cenv, mounts, err) < 0) {
        expand_env_done(&cenv);
        json_decref(args);
        json_decref(user);
        json_decref(mounts);
        return -1;
    }
    const char *cwd = c->working_dir ? c->working_dir : orc_json_str(cfg, "WorkingDir");
    json_t *caps = json_array();
    append_strv(caps, (char *const *) default_caps);
    json_t *process = json_pack("{s:b,s:o,s:o,s:o,s:s,s:{s:O,s:O,s:o},s:b}", "terminal", 0, "user",
                                user, "args", args, "env", build_env(in->pod, &cenv, cfg), "cwd",
                                cwd && *cwd ? cwd : "/", "capabilities", "bounding", caps,
                                "effective", caps, "permitted", caps, "noNewPrivileges", 0);
    if (in->nofile_soft && in->nofile_hard <= INT64_MAX && in->nofile_soft <= in->nofile_hard)
        json_object_set_new(process, "rlimits",
                            json_pack("[{s:s,s:I,s:I}]", "type", "RLIMIT_NOFILE", "soft",
                                      (json_int_t) in->nofile_soft, "hard",
                                      (json_int_t) in->nofile_hard));
    *ret = json_pack("{s:s,s:o,s:{s:s,s:b},s:o,s:o}", "ociVersion", "1.0.2", "process", process,
                     "root", "path", "rootfs", "readonly", 0, "mounts", mounts, "linux",
                     build_linux(in->cgroups_path, in->pid_ns_path, &c->resources));
    expand_env_done(&cenv);
    return 0;
}
