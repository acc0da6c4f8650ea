/* SPDX-License-Identifier: Apache-2.0 */
/* A volume's files (manifests/volume-files.c) from literal objects, kubelet's atomic writer
 * (pods/atomic-writer.c), and hostPath resolution (pods/volumes-host-path.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "pods/atomic-writer.h"
#include "pods/volumes.h"
#include "tap.h"
#include "tests/pod-parse.h"
#include "volume-files.h"
#include "xalloc.h"

static char dir[] = "/tmp/orc-test-volumes-XXXXXX";

static const char *const POD =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {b: two, a: one}\n"
    "  annotations: {q: 'say \"hi\"'}\n"
    "spec:\n  containers: [{name: c, image: busybox, resources: {limits: {memory: 64Mi}}}]\n"
    "  volumes:\n"
    "    - {name: all, configMap: {name: cm}}\n"
    "    - {name: some, configMap: {name: cm, items: [{key: a, path: sub/x, mode: 0600}]}}\n"
    "    - {name: missing-key, configMap: {name: cm, items: [{key: nope, path: n}]}}\n"
    "    - {name: optional-key, configMap: {name: cm, optional: true, items: [{key: nope, "
    "path: n}]}}\n"
    "    - {name: absent, configMap: {name: gone}}\n"
    "    - {name: optional, secret: {secretName: gone, optional: true}}\n"
    "    - {name: sec, secret: {secretName: s, defaultMode: 0400}}\n"
    "    - name: info\n      downwardAPI:\n        items:\n"
    "          - {path: labels, fieldRef: {fieldPath: metadata.labels}}\n"
    "          - {path: name, fieldRef: {fieldPath: metadata.name}}\n"
    "          - {path: notes, fieldRef: {fieldPath: metadata.annotations}}\n"
    "          - {path: mem, resourceFieldRef: {containerName: c, resource: limits.memory, "
    "divisor: 1Mi}}\n"
    "    - {name: proj, projected: {sources: [{configMap: {name: cm, items: [{key: a, path: "
    "a}]}}, {secret: {name: s}}]}}\n";

static const char *const OBJECTS =
    "{\"ConfigMap\": {\"cm\": {\"data\": {\"a\": \"alpha\", \"b\": \"beta\"}, "
    "\"binaryData\": {\"bin\": \"AAEC\"}}}, \"Secret\": {\"s\": {\"data\": {\"pw\": "
    "\"aHVudGVyMg==\"}}}}";

static const struct volume_file *file_of(const struct volume_files *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->files[i].path, path))
            return &f->files[i];
    return NULL;
}

static bool has(const struct volume_files *f, const char *path, const char *data, size_t len,
                int mode)
{
    const struct volume_file *v = file_of(f, path);
    return v && v->len == len && !memcmp(v->data, data, len) && v->mode == mode;
}

static int build(struct pod *pod, json_t *objects, const char *name, struct volume_files *out,
                 orc_error_t *err)
{
    struct expand_facts facts = {.pod_uid = "u", .objects = objects, .node_memory = 1 << 30};
    const struct volume *v = volume_find(pod->volumes, pod->n_volumes, name);
    return volume_files_build(pod, v, &facts, out, err);
}

static void test_files(void)
{
    struct pod *pod = pod_of(POD);
    json_auto_t *objects = json_loads(OBJECTS, 0, NULL);
    struct volume_files f = {0};
    orc_error_t err = NULL;
    tap_ok(build(pod, objects, "all", &f, &err) == 0 && f.n == 3 &&
               has(&f, "a", "alpha", 5, 0644) && has(&f, "b", "beta", 4, 0644) &&
               has(&f, "bin", "\0\1\2", 3, 0644),
           "a configMap gives every key of data and binaryData, mode 0644");
    volume_files_done(&f);
    tap_ok(build(pod, objects, "some", &f, &err) == 0 && f.n == 1 &&
               has(&f, "sub/x", "alpha", 5, 0600),
           "items choose keys, paths and modes");
    volume_files_done(&f);
    tap_ok(
        build(pod, objects, "missing-key", &f, &err) < 0 &&
            !strcmp(orc_error_message(err), "configmap references non-existent config key: nope"),
        "a missing key: kubelet's message");
    orc_error_release(&err);
    tap_ok(build(pod, objects, "optional-key", &f, &err) == 0 && f.n == 0,
           "an optional missing key gives no file");
    volume_files_done(&f);
    tap_ok(build(pod, objects, "absent", &f, &err) < 0 && err->status == ENOENT &&
               !strcmp(orc_error_message(err), "configmap \"gone\" not found"),
           "a missing object: kubelet's message");
    orc_error_release(&err);
    tap_ok(build(pod, objects, "optional", &f, &err) == 0 && f.n == 0,
           "an optional missing secret: an empty volume");
    volume_files_done(&f);
    tap_ok(build(pod, objects, "sec", &f, &err) == 0 && has(&f, "pw", "hunter2", 7, 0400),
           "a secret's data decoded, its defaultMode");
    volume_files_done(&f);
    tap_ok(build(pod, objects, "info", &f, &err) == 0 &&
               has(&f, "labels", "a=\"one\"\nb=\"two\"", 15, 0644) &&
               has(&f, "notes", "q=\"say \\\"hi\\\"\"", 14, 0644) &&
               has(&f, "name", "p", 1, 0644) && has(&f, "mem", "64", 2, 0644),
           "downwardAPI: labels as kubelet formats them, a field, a resource");
    volume_files_done(&f);
    tap_ok(build(pod, objects, "proj", &f, &err) == 0 && f.n == 2 &&
               has(&f, "a", "alpha", 5, 0644) && has(&f, "pw", "hunter2", 7, 0644),
           "projected: its sources together");
    volume_files_done(&f);
    json_auto_t *refs = volume_object_refs(pod);
    tap_ok(json_object_get(json_object_get(refs, "ConfigMap"), "gone") &&
               json_object_get(json_object_get(refs, "Secret"), "s") &&
               json_object_size(json_object_get(refs, "ConfigMap")) == 2,
           "the objects the volumes name");
    pod_free(pod);
}

static char *read_at(const char *d, const char *name)
{
    _cleanup_free_ char *path = orc_path_join(d, name);
    char *text = NULL;
    return orc_read_file(path, 4096, &text, NULL, NULL) < 0 ? NULL : text;
}

static void test_writer(void)
{
    _cleanup_free_ char *vol = orc_path_join(dir, "vol");
    mkdir(vol, 0700);
    struct volume_file a[] = {{"a", "one", 3, 0644}, {"sub/b", "two", 3, 0600}};
    struct volume_files files = {a, 2};
    orc_error_t err = NULL;
    tap_is_int(atomic_write(vol, &files, &err), 1, "the first payload is written");
    _cleanup_free_ char *ta = read_at(vol, "a"), *tb = read_at(vol, "sub/b");
    tap_ok(ta && tb && !strcmp(ta, "one") && !strcmp(tb, "two"), "files seen through the links");
    char link[PATH_MAX] = "", data[PATH_MAX] = "";
    _cleanup_free_ char *la = orc_path_join(vol, "a"), *ld = orc_path_join(vol, "..data");
    ssize_t n = readlink(la, link, sizeof(link) - 1);
    tap_ok(n > 0 && !strcmp(link, "..data/a"), "a key is a symlink into ..data");
    n = readlink(ld, data, sizeof(data) - 1);
    tap_ok(n > 3 && !strncmp(data, "..20", 4), "..data points at a timestamped directory");
    tap_is_int(atomic_write(vol, &files, &err), 0, "the same payload writes nothing");
    struct volume_file b[] = {{"a", "uno", 3, 0644}};
    struct volume_files changed = {b, 1};
    tap_is_int(atomic_write(vol, &changed, &err), 1, "a changed payload is written");
    _cleanup_free_ char *ta2 = read_at(vol, "a");
    char data2[PATH_MAX] = "";
    n = readlink(ld, data2, sizeof(data2) - 1);
    _cleanup_free_ char *old = orc_path_join(vol, data), *sub = orc_path_join(vol, "sub");
    struct stat st;
    tap_ok(ta2 && !strcmp(ta2, "uno") && n > 0 && strcmp(data, data2) && lstat(old, &st) < 0 &&
               lstat(sub, &st) < 0,
           "swapped: the new content, the old directory and the dropped name gone");
}

static void test_host_path(void)
{
    _cleanup_free_ char *base = orc_path_join(dir, "host");
    _cleanup_free_ char *made = xasprintf("%s/new/deep", base), *file = xasprintf("%s/f", base);
    _cleanup_free_ char *link = xasprintf("%s/link", base), *via = xasprintf("%s/link/deep", base);
    mkdir(base, 0755);
    orc_error_t err = NULL;
    char *canon = NULL;
    _cleanup_free_ char *not_dir =
        xasprintf("hostPath type check failed: %s is not a directory", made);
    tap_ok(host_path_resolve(made, HOST_PATH_DIRECTORY, getuid(), &canon, &err) < 0 &&
               !strcmp(orc_error_message(err), not_dir),
           "Directory: a missing one is not a directory, as kubelet says");
    orc_error_release(&err);
    _cleanup_free_ char *untyped = xasprintf("%s/untyped/deep", base);
    struct stat st;
    tap_ok(host_path_resolve(untyped, HOST_PATH_UNSET, getuid(), &canon, &err) == 0 &&
               stat(untyped, &st) == 0 && S_ISDIR(st.st_mode),
           "no type: a missing path is made a directory, as a CRI runtime makes a bind's source");
    free(canon);
    tap_ok(host_path_resolve(made, HOST_PATH_DIRECTORY_OR_CREATE, getuid(), &canon, &err) == 0,
           "DirectoryOrCreate makes it");
    free(canon);
    tap_ok(host_path_resolve(file, HOST_PATH_FILE_OR_CREATE, getuid(), &canon, &err) == 0,
           "FileOrCreate makes a file");
    free(canon);
    _cleanup_free_ char *orphan = xasprintf("%s/no-parent/f", base);
    _cleanup_free_ char *no_parent = xasprintf("open %s: No such file or directory", orphan);
    tap_ok(host_path_resolve(orphan, HOST_PATH_FILE_OR_CREATE, getuid(), &canon, &err) < 0 &&
               !strcmp(orc_error_message(err), no_parent),
           "FileOrCreate does not make the file's directory, as kubelet: %s",
           orc_error_message(err));
    orc_error_release(&err);
    tap_ok(host_path_resolve(file, HOST_PATH_DIRECTORY, getuid(), &canon, &err) < 0 &&
               strstr(orc_error_message(err), "hostPath type check failed:") &&
               strstr(orc_error_message(err), "/f is not a directory"),
           "a file for Directory: kubelet's message");
    orc_error_release(&err);
    (void) symlink("new", link);
    _cleanup_free_ char *real = realpath(made, NULL);
    tap_ok(host_path_resolve(via, HOST_PATH_DIRECTORY, getuid(), &canon, &err) == 0 && real &&
               !strcmp(canon, real),
           "the user's own symlink is followed: the canonical path");
    free(canon);
    if (getuid() != 0) /* root's symlinks are followed */
        tap_ok(host_path_resolve(via, HOST_PATH_DIRECTORY, getuid() + 1, &canon, &err) < 0 &&
                   err->status == EPERM && strstr(orc_error_message(err), "is a symlink of uid"),
               "another user's symlink is not followed");
    orc_error_release(&err);
    _cleanup_free_ char *locked = xasprintf("%s/locked", base);
    mkdir(locked, 0);
    if (getuid() != 0)
        tap_ok(host_path_resolve(locked, HOST_PATH_DIRECTORY, getuid(), &canon, &err) < 0 &&
                   strstr(orc_error_message(err), "orc mounts only what its user may read"),
               "a directory the user cannot read: a clear error");
    orc_error_release(&err);
    _cleanup_free_ char *sealed = xasprintf("%s/sealed", base), *inside = xasprintf("%s/x", sealed);
    mkdir(sealed, 0555);
    _cleanup_free_ char *denied = xasprintf("mkdir '%s': Permission denied", inside);
    if (getuid() != 0)
        tap_ok(host_path_resolve(inside, HOST_PATH_DIRECTORY_OR_CREATE, getuid(), &canon, &err) <
                       0 &&
                   !strcmp(orc_error_message(err), denied),
               "DirectoryOrCreate where the user may not write: mkdir's error, as kubelet's");
    orc_error_release(&err);
    chmod(locked, 0755);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_files();
    test_writer();
    test_host_path();
    (void) orc_rm_rf(dir, NULL);
    return tap_done();
}
