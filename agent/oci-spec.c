/* SPDX-License-Identifier: Apache-2.0 */
#include "oci-spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fs-util.h"
#include "images.h"
#include "json-util.h"
#include "strv.h"
#include "userns.h"
#include "xalloc.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const default_caps[] = {
    "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",  "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",   "CAP_AUDIT_WRITE",  NULL};

static void append_json_strings(json_t *dst, const json_t *src)
{
    size_t i;
    json_t *v;
    json_array_foreach(src, i, v) if (json_is_string(v)) json_array_append(dst, v);
}

static void append_strv(json_t *dst, char *const *v)
{
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(dst, json_string(v[i]));
}

/* Kubernetes: command replaces Entrypoint, args replace Cmd. */
static int build_args(const struct container *c, const json_t *cfg, json_t **ret,
                      orc_error_t *err)
{
    json_t *args = json_array();
    if (c->command)
        append_strv(args, c->command);
    else
        append_json_strings(args, json_object_get(cfg, "Entrypoint"));
    if (c->args)
        append_strv(args, c->args);
    else if (!c->command)
        append_json_strings(args, json_object_get(cfg, "Cmd"));
    if (json_array_size(args) == 0) {
        json_decref(args);
        return orc_error_make(err, EINVAL, "container '%s': no command specified", c->name);
    }
    *ret = args;
    return 0;
}

/* Image Env, then the pod's env by name, PATH and HOSTNAME defaults. */
static json_t *build_env(const struct pod *pod, const struct container *c, const json_t *cfg)
{
    char **env = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cfg, "Env"), i, v) if (json_is_string(v)) env =
        strv_push(env, json_string_value(v));
    for (size_t k = 0; k < c->n_env; k++) {
        size_t nl = strlen(c->env[k].name);
        _cleanup_free_ char *kv = xasprintf("%s=%s", c->env[k].name, c->env[k].value);
        bool replaced = false;
        for (size_t j = 0; env && env[j]; j++)
            if (!strncmp(env[j], c->env[k].name, nl) && env[j][nl] == '=') {
                free(env[j]);
                env[j] = xstrdup(kv);
                replaced = true;
            }
        if (!replaced)
            env = strv_push(env, kv);
    }
    bool has_path = false, has_host = false;
    for (size_t j = 0; env && env[j]; j++) {
        has_path |= !strncmp(env[j], "PATH=", 5);
        has_host |= !strncmp(env[j], "HOSTNAME=", 9);
    }
    if (!has_path)
        env = strv_push(env, "PATH=" DEFAULT_PATH);
    if (!has_host) {
        _cleanup_free_ char *h = xasprintf("HOSTNAME=%s", pod->name);
        env = strv_push(env, h);
    }
    json_t *a = json_array();
    append_strv(a, env);
    strv_free(env);
    return a;
}

/* Looks name up in etc/passwd or etc/group of the image, top layer first. */
static int lookup_id(const struct image *img, const char *file, const char *name, long *ret)
{
    size_t n = strv_length(img->layers);
    for (size_t i = n; i > 0; i--) {
        _cleanup_free_ char *path = orc_path_join(img->layers[i - 1], file);
        _cleanup_free_ char *text = NULL;
        if (orc_read_file(path, 1 << 20, &text, NULL, NULL) < 0)
            continue;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            char *f[4] = {0};
            char *p = line;
            for (int k = 0; k < 4 && p; k++) {
                f[k] = p;
                p = strchr(p, ':');
                if (p)
                    *p++ = '\0';
            }
            if (f[0] && f[2] && !strcmp(f[0], name)) {
                *ret = strtol(f[2], NULL, 10);
                return 0;
            }
        }
        return -ENOENT; /* the top-most file decides */
    }
    return -ENOENT;
}

static int resolve_id(const struct image *img, const char *file, const char *s, long *ret,
                      orc_error_t *err)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (*s && end && *end == '\0') {
        *ret = v;
        return 0;
    }
    if (lookup_id(img, file, s, ret) == 0)
        return 0;
    return orc_error_make(err, ENOENT, "unable to find %s %s: no matching entries in %s file",
                          strstr(file, "group") ? "group" : "user", s,
                          strstr(file, "group") ? "group" : "passwd");
}

static int build_user(const struct oci_spec_input *in, json_t **ret, orc_error_t *err)
{
    const char *user = orc_json_str(in->image->config, "User");
    long uid = 0, gid = 0;
    if (user && *user) {
        _cleanup_free_ char *u = xstrdup(user);
        char *colon = strchr(u, ':');
        if (colon)
            *colon++ = '\0';
        if (resolve_id(in->image, "etc/passwd", u, &uid, err) < 0)
            return -1;
        if (colon && resolve_id(in->image, "etc/group", colon, &gid, err) < 0)
            return -1;
    }
    if ((uid_t) uid > userns_max_uid(in->userns) || (gid_t) gid > userns_max_gid(in->userns))
        return orc_error_make(err, ERANGE,
                              "image user %ld:%ld is outside the user namespace (ids 0-%u are "
                              "mapped; ask for a subordinate id range, see 'orc check')",
                              uid, gid, (unsigned) userns_max_uid(in->userns));
    *ret = json_pack("{s:i,s:i}", "uid", (int) uid, "gid", (int) gid);
    return 0;
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
    json_array_append_new(m, mount_json("/dev", "tmpfs", "tmpfs",
                                        "nosuid,strictatime,mode=755,size=65536k"));
    json_array_append_new(
        m, mount_json("/dev/pts", "devpts", "devpts",
                      userns_max_gid(in->userns) >= 5
                          ? "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5"
                          : "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"));
    json_array_append_new(m, mount_json("/dev/shm", "tmpfs", "shm",
                                        "nosuid,noexec,nodev,mode=1777,size=65536k"));
    json_array_append_new(m, mount_json("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
    json_array_append_new(m, mount_json("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
    if (in->hostname_file)
        json_array_append_new(m, mount_json("/etc/hostname", "bind", in->hostname_file,
                                            "rbind,ro,nosuid,nodev,noexec"));
    return m;
}

static json_t *build_linux(void)
{
    static const char *const masked[] = {
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/proc/scsi", NULL};
    static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                           "/proc/sysrq-trigger", NULL};
    json_t *mp = json_array(), *ro = json_array();
    append_strv(mp, (char *const *) masked);
    append_strv(ro, (char *const *) readonly);
    /* only pid and mount: net, ipc, uts and user come from orc-shim */
    return json_pack("{s:[{s:s},{s:s}],s:o,s:o}", "namespaces", "type", "pid", "type", "mount",
                     "maskedPaths", mp, "readonlyPaths", ro);
}

int oci_spec_build(const struct oci_spec_input *in, json_t **ret, orc_error_t *err)
{
    const json_t *cfg = in->image->config;
    const struct container *c = in->container;
    json_t *args = NULL, *user = NULL;
    if (build_args(c, cfg, &args, err) < 0)
        return -1;
    if (build_user(in, &user, err) < 0) {
        json_decref(args);
        return -1;
    }
    const char *cwd = c->working_dir ? c->working_dir : orc_json_str(cfg, "WorkingDir");
    json_t *caps = json_array();
    append_strv(caps, (char *const *) default_caps);
    json_t *process = json_pack(
        "{s:b,s:o,s:o,s:o,s:s,s:{s:O,s:O,s:o},s:b}", "terminal", 0, "user", user, "args", args,
        "env", build_env(in->pod, c, cfg), "cwd", cwd && *cwd ? cwd : "/", "capabilities",
        "bounding", caps, "effective", caps, "permitted", caps, "noNewPrivileges", 0);
    *ret = json_pack("{s:s,s:o,s:{s:s,s:b},s:o,s:o}", "ociVersion", "1.0.2", "process", process,
                     "root", "path", "rootfs", "readonly", 0, "mounts", build_mounts(in), "linux",
                     build_linux());
    return 0;
}
