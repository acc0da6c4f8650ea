/* SPDX-License-Identifier: Apache-2.0 */
/* process.user of a container's OCI config: the image's User resolved in its layers, the
 * security context's runAsUser, runAsGroup, fsGroup and supplementalGroups over it, the groups
 * as containerd gives them, and kubelet's runAsNonRoot check. */
#include "pods/oci-security.h"

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
#include "images/images.h"
#include "json-util.h"
#include "security-context.h"
#include "strv.h"
#include "sys/userns.h"
#include "xalloc.h"

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

/* The passwd entry of uid: its name and primary group (gid 0 and no name when none). */
static void lookup_uid(const struct image *img, long uid, struct user *u)
{
    _cleanup_free_ char *passwd = read_image_etc(img, "passwd");
    char key[32], *f[4];
    snprintf(key, sizeof(key), "%ld", uid);
    u->uid = uid;
    u->gid = 0;
    if (!passwd || !find_entry(passwd, key, false, f))
        return;
    u->name = xstrdup(f[0]);
    char *end = f[3] ? strchr(f[3], ':') : NULL;
    if (end)
        *end = '\0';
    if (!f[3] || !parse_id(f[3], &u->gid))
        u->gid = 0;
}

static bool has_gid(const json_t *gids, long gid)
{
    size_t i;
    json_t *v;
    json_array_foreach(gids, i, v)
        if (json_integer_value(v) == gid)
            return true;
    return false;
}

static void add_gid(json_t *gids, long gid)
{
    if (!has_gid(gids, gid))
        json_array_append_new(gids, json_integer(gid));
}

/* The groups of the image's etc/group that name the user as a member (containerd's
 * WithAdditionalGIDs); gids the namespace does not map are left out (setgroups would fail). */
static void add_image_groups(const struct oci_spec_input *in, const char *name, json_t *gids)
{
    _cleanup_free_ char *groups = name ? read_image_etc(in->image, "group") : NULL;
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
        if (!f[3] || !parse_id(f[2] ? f[2] : "", &gid) || (gid_t) gid > userns_max_gid(in->userns))
            continue;
        char *save2 = NULL;
        for (char *m = strtok_r(f[3], ",", &save2); m; m = strtok_r(NULL, ",", &save2))
            if (!strcmp(m, name)) {
                add_gid(gids, gid);
                break;
            }
    }
}

/* The user as containerd makes it: the image's User, runAsUser (with its passwd entry's group)
 * and runAsGroup over it. */
static int effective_user(const struct oci_spec_input *in, const struct security_context *sc,
                          struct user *u, orc_error_t *err)
{
    const char *spec = orc_json_str(in->image->config, "User");
    if (sc->run_as_user.set)
        lookup_uid(in->image, (long) sc->run_as_user.id, u);
    else if (spec && *spec && resolve_user(in->image, spec, u, err) < 0)
        return -1;
    if (!sc->run_as_user.set && spec && strchr(spec, ':')) {
        /* the image named its group: membership is still the user's (containerd) */
        _cleanup_free_ char *name = xstrndup(spec, strcspn(spec, ":"));
        struct user by = {0};
        long uid;
        if (parse_id(name, &uid))
            lookup_uid(in->image, uid, &by);
        else
            by.name = TAKE_PTR(name);
        free(u->name);
        u->name = by.name;
    }
    if (sc->run_as_group.set)
        u->gid = (long) sc->run_as_group.id;
    return 0;
}

static int id_outside(const struct oci_spec_input *in, const char *what, long id, bool gid,
                      orc_error_t *err)
{
    unsigned max =
        gid ? (unsigned) userns_max_gid(in->userns) : (unsigned) userns_max_uid(in->userns);
    return orc_error_make_as(err, OCI_SPEC_ECONFIG,
                             "%s %ld is outside orc's user namespace (%s 0-%u are mapped%s)", what,
                             id, gid ? "gids" : "uids", max,
                             max == 0 ? "; a subordinate id range is needed, see 'orc check'"
                                      : ": the user's subordinate range");
}

/* The primary group first, then (Merge) the image's groups of the user, fsGroup and
 * supplementalGroups, as containerd orders them (the kernel sorts them anyway). */
static int build_gids(const struct oci_spec_input *in, const struct security_context *sc,
                      const struct user *u, json_t **ret, orc_error_t *err)
{
    json_auto_t *gids = json_array();
    add_gid(gids, u->gid);
    if (sc->supplemental_groups_policy != SC_GROUPS_POLICY_STRICT)
        add_image_groups(in, u->name, gids);
    if (sc->fs_group.set) {
        if ((gid_t) sc->fs_group.id > userns_max_gid(in->userns))
            return id_outside(in, "fsGroup", (long) sc->fs_group.id, true, err);
        add_gid(gids, (long) sc->fs_group.id);
    }
    for (size_t i = 0; i < sc->n_supplemental_groups; i++) {
        long g = (long) sc->supplemental_groups[i];
        if ((gid_t) g > userns_max_gid(in->userns))
            return id_outside(in, "supplementalGroups", g, true, err);
        add_gid(gids, g);
    }
    *ret = json_incref(gids);
    return 0;
}

int oci_user_build(const struct oci_spec_input *in, const struct security_context *sc, json_t **ret,
                   orc_error_t *err)
{
    struct user u = {0};
    const char *spec = orc_json_str(in->image->config, "User");
    _cleanup_free_ char *image_uid = xasprintf("image user %s: uid", spec ? spec : "");
    _cleanup_free_ char *image_gid = xasprintf("image user %s: gid", spec ? spec : "");
    int r = effective_user(in, sc, &u, err);
    json_t *gids = NULL;
    if (r < 0)
        ;
    else if ((uid_t) u.uid > userns_max_uid(in->userns))
        r = id_outside(in, sc->run_as_user.set ? "runAsUser" : image_uid, u.uid, false, err);
    else if ((gid_t) u.gid > userns_max_gid(in->userns))
        r = id_outside(in, sc->run_as_group.set ? "runAsGroup" : image_gid, u.gid, true, err);
    else
        r = build_gids(in, sc, &u, &gids, err);
    if (r == 0)
        *ret = json_pack("{s:I,s:I,s:o}", "uid", (json_int_t) u.uid, "gid", (json_int_t) u.gid,
                         "additionalGids", gids);
    free(u.name);
    return r;
}

int oci_user_check_non_root(const struct oci_spec_input *in, const struct security_context *sc,
                            orc_error_t *err)
{
    if (!sc->run_as_non_root.set || !sc->run_as_non_root.value)
        return 0;
    _cleanup_free_ char *pod = xasprintf("\"%s_%s(%s)\"", in->pod->name, in->pod->namespace,
                                         in->facts.pod_uid ? in->facts.pod_uid : "");
    const char *c = in->container->name;
    if (sc->run_as_user.set)
        return sc->run_as_user.id != 0 ? 0
                                       : orc_error_make_as(err, OCI_SPEC_ECONFIG,
                                                           "container's runAsUser breaks non-root "
                                                           "policy (pod: %s, container: %s)",
                                                           pod, c);
    /* kubelet reads the image's user as the runtime reports it, names not looked up */
    const char *spec = orc_json_str(in->image->config, "User");
    _cleanup_free_ char *name = xstrndup(spec ? spec : "", strcspn(spec ? spec : "", ":"));
    long uid = 0;
    if (*name && !parse_id(name, &uid))
        return orc_error_make_as(err, OCI_SPEC_ECONFIG,
                                 "container has runAsNonRoot and image has non-numeric user (%s), "
                                 "cannot verify user is non-root (pod: %s, container: %s)",
                                 name, pod, c);
    if (uid == 0)
        return orc_error_make_as(err, OCI_SPEC_ECONFIG,
                                 "container has runAsNonRoot and image will run as root (pod: %s, "
                                 "container: %s)",
                                 pod, c);
    return 0;
}
