/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "images/images.h"
#include "json-util.h"
#include "manifest.h"
#include "pods/oci-spec.h"
#include "pods/termination-log.h"
#include "strv.h"
#include "tap.h"
#include "sys/userns.h"
#include "xalloc.h"

static struct pod *pod_of(const char *container_yaml)
{
    char *yaml = xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n"
                           "  containers:\n  - name: c\n    image: busybox\n%s",
                           container_yaml);
    struct manifest_result *r = NULL;
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &r) < 0)
        abort();
    struct pod *p = r->docs[0].pod;
    r->docs[0].pod = NULL;
    manifest_result_free(r);
    free(yaml);
    return p;
}

static char **test_layers;                /* unpacked layers for user lookups, lowest first */
static unsigned long long test_nofile[2]; /* soft, hard for the next build */
static const char *test_termination_log;  /* for the next build */

static json_t *build(const char *container_yaml, const char *config, const struct userns *ns,
                     char **ret_error)
{
    struct pod *pod = pod_of(container_yaml);
    struct image img = {.config = json_loads(config, 0, NULL)};
    char *layers[] = {NULL};
    img.layers = test_layers ? test_layers : layers;
    struct oci_spec_input in = {.pod = pod,
                                .container = &pod->containers[0],
                                .image = &img,
                                .userns = ns,
                                .hostname_file = "/run/x/hostname",
                                .termination_log = test_termination_log,
                                .nofile_soft = test_nofile[0],
                                .nofile_hard = test_nofile[1]};
    json_t *spec = NULL;
    orc_error_t err = NULL;
    if (oci_spec_build(&in, &spec, &err) < 0) {
        *ret_error = xstrdup(orc_error_message(err));
        orc_error_release(&err);
    }
    json_decref(img.config);
    pod_free(pod);
    return spec;
}

static char *args_of(const json_t *spec)
{
    char *out = xstrdup("");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(spec, "process"), "args"), i, v) {
        char *n = xasprintf("%s%s%s", out, i ? " " : "", json_string_value(v));
        free(out);
        out = n;
    }
    return out;
}

static void check_args(const char *yaml, const char *expected, const char *what)
{
    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    char *error = NULL;
    json_t *spec = build(yaml, "{\"Entrypoint\":[\"/entry\"],\"Cmd\":[\"default\"]}", &ns, &error);
    char *args = spec ? args_of(spec) : NULL;
    tap_is_str(args, expected, "%s", what);
    free(args);
    free(error);
    json_decref(spec);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
    char *path = orc_path_join(dir, rel);
    char *parent = xstrdup(path);
    *strrchr(parent, '/') = '\0';
    if (orc_mkdir_p(parent, 0755, NULL) < 0 ||
        orc_write_file_atomic(path, text, strlen(text), 0644, NULL) < 0)
        abort();
    free(parent);
    free(path);
}

/* User spec -> "uid:gid[+additional,...]" or the error message. */
static char *user_of(const char *user, const struct userns *ns)
{
    char *config = xasprintf("{\"Cmd\":[\"sh\"],\"User\":\"%s\"}", user);
    char *error = NULL;
    json_t *spec = build("", config, ns, &error);
    free(config);
    if (!spec)
        return error;
    json_t *u = json_object_get(json_object_get(spec, "process"), "user");
    char *out = xasprintf("%lld:%lld", orc_json_int(u, "uid", -1), orc_json_int(u, "gid", -1));
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(u, "additionalGids"), i, g) {
        char *n = xasprintf("%s%c%lld", out, i ? ',' : '+', json_integer_value(g));
        free(out);
        out = n;
    }
    json_decref(spec);
    return out;
}

static void check_user(const char *user, const struct userns *ns, const char *expected)
{
    char *got = user_of(user, ns);
    /* ids compare exactly, error messages by substring */
    bool ids = expected[0] >= '0' && expected[0] <= '9' && !strchr(expected, ' ');
    tap_ok(got && (ids ? !strcmp(got, expected) : strstr(got, expected) != NULL), "User '%s': %s",
           user, got ? got : "(null)");
    free(got);
}

static void test_users(void)
{
    char dir[] = "/tmp/orc-oci-spec-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char *lower = orc_path_join(dir, "lower"), *upper = orc_path_join(dir, "upper");
    write_file(lower, "etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\n"
               "app:x:1000:1001::/home/app:/bin/sh\n"
               "nobody:x:65534:65534:nobody:/:/bin/false\n");
    write_file(lower, "etc/group", "root:x:0:\nstale:x:3000:app\n");
    /* the upper layer's group file hides the lower one; passwd comes from below */
    write_file(upper, "etc/group",
               "root:x:0:\napp:x:1001:\nextra:x:2000:other,app\n"
               "huge:x:4000000:app\nwheel:x:10:root\n");
    char *layers[] = {lower, upper, NULL};
    test_layers = layers;
    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    check_user("app", &ns, "1000:1001+1001,2000");
    check_user("1000", &ns, "1000:1001+1001,2000");
    check_user("app:extra", &ns, "1000:2000+2000");
    check_user("app:77", &ns, "1000:77+77,2000");
    check_user("4242", &ns, "4242:0+0");
    check_user("nobody", &ns, "65534:65534+65534");
    check_user("www", &ns, "unable to find user www: no matching entries in passwd file");
    check_user("app:nogroup", &ns, "unable to find group nogroup");
    struct userns single = {0};
    check_user("0:5", &single, "gid 5 is outside orc's user namespace (gids 0-0 are mapped");
    check_user("app", &single, "uid 1000 is outside orc's user namespace (uids 0-0 are mapped");

    /* a symlinked etc in the top layer must not lead to the host's files */
    char *top = orc_path_join(dir, "top");
    if (orc_mkdir_p(top, 0755, NULL) < 0)
        abort();
    char *link = orc_path_join(top, "etc");
    tap_ok(symlink("/etc", link) == 0, "symlinked etc made");
    char *three[] = {lower, upper, top, NULL};
    test_layers = three;
    check_user("root", &ns, "unable to find user root");
    test_layers = NULL;
    (void) orc_rm_rf(dir, NULL);
    free(lower), free(upper), free(top), free(link);
}

static void test_defaults(void)
{
    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    char *error = NULL;
    json_t *spec = build("", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    json_t *proc = json_object_get(spec, "process");
    tap_is_str(orc_json_str(proc, "cwd"), "/", "cwd defaults to /");
    char *env = json_dumps(json_object_get(proc, "env"), JSON_COMPACT);
    tap_ok(strstr(env, "\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\""),
           "default PATH when the image has none: %s", env);
    free(env);
    json_t *caps = json_object_get(proc, "capabilities");
    char *c = json_dumps(caps, JSON_COMPACT);
    tap_ok(strstr(c, "CAP_NET_BIND_SERVICE") && strstr(c, "CAP_AUDIT_WRITE") &&
               !json_object_get(caps, "ambient") && !json_object_get(caps, "inheritable") &&
               json_array_size(json_object_get(caps, "bounding")) == 14,
           "Kubernetes' default capabilities, none ambient or inheritable");
    free(c);
    char *all = json_dumps(spec, JSON_COMPACT);
    tap_ok(!strstr(all, "\"user\"}") && !strstr(all, "network") && !strstr(all, "uidMappings") &&
               !strstr(all, "hostname\":") && !strstr(all, "rlimits") &&
               !strstr(all, "cgroupsPath"),
           "no user or network namespace, mappings, hostname, rlimits or cgroups path");
    tap_is_str(orc_json_str(spec, "ociVersion"), "1.0.2", "OCI runtime spec 1.0.2");
    free(all);
    json_decref(spec);

    spec = build("", "{\"Cmd\":[\"sh\"],\"WorkingDir\":\"/srv\",\"Env\":[\"PATH=/opt\"]}", &ns,
                 &error);
    proc = json_object_get(spec, "process");
    tap_is_str(orc_json_str(proc, "cwd"), "/srv", "the image's WorkingDir");
    env = json_dumps(json_object_get(proc, "env"), JSON_COMPACT);
    tap_ok(strstr(env, "\"PATH=/opt\"") && !strstr(env, "/usr/local/sbin"),
           "the image's PATH is kept: %s", env);
    free(env);
    json_decref(spec);

    /* runc raises its own soft limit to the hard one: the spec pins the user's */
    test_nofile[0] = 1024, test_nofile[1] = 20000;
    spec = build("", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    all = json_dumps(json_object_get(json_object_get(spec, "process"), "rlimits"), JSON_COMPACT);
    tap_is_str(all, "[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":20000}]",
               "the open-files limit is written as given");
    free(all);
    json_decref(spec);
    test_nofile[0] = 30000; /* above the hard one: the runtime would refuse it */
    spec = build("", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    tap_ok(!json_object_get(json_object_get(spec, "process"), "rlimits"), "no impossible limit");
    json_decref(spec);
    test_nofile[0] = test_nofile[1] = 0;
}

/* $(NAME) in env values, command and args, against the container's env only (kubelet's) */
static void test_expansion(void)
{
    check_args("    command: [echo, \"$(MESSAGE)\", \"$$(MESSAGE)\"]\n"
               "    args: [\"<$(MESSAGE)>\", \"$(IMAGE_VAR)\", \"$(HOSTNAME)\"]\n"
               "    env: [{name: MESSAGE, value: hello}]\n",
               "echo hello $(MESSAGE) <hello> $(IMAGE_VAR) $(HOSTNAME)",
               "command and args expand the container's env; orc's HOSTNAME is no source");
    check_args("    args: [\"$(MESSAGE)\"]\n    env: [{name: MESSAGE, value: hi}]\n", "/entry hi",
               "args alone expand, after the image's Entrypoint");
    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    char *error = NULL;
    json_t *spec = build("    env:\n"
                         "    - {name: FIRST, value: \"$(SECOND)/$(IMAGE_VAR)/$(PATH)\"}\n"
                         "    - {name: SECOND, value: two}\n"
                         "    - {name: THIRD, value: \"$(SECOND)$(FIRST)\"}\n"
                         "    - {name: IMAGE_VAR, value: \"pod-$(IMAGE_VAR)\"}\n"
                         "    command: [\"$(IMAGE_VAR)\", \"$(ONLY_IMAGE)\"]\n",
                         "{\"Entrypoint\":[\"sh\"],\"Env\":[\"IMAGE_VAR=img\",\"ONLY_IMAGE=i\"]}",
                         &ns, &error);
    json_t *proc = json_object_get(spec, "process");
    char *env = json_dumps(json_object_get(proc, "env"), JSON_COMPACT);
    tap_ok(env && strstr(env, "\"IMAGE_VAR=pod-$(IMAGE_VAR)\"") &&
               strstr(env, "\"FIRST=$(SECOND)/$(IMAGE_VAR)/$(PATH)\"") &&
               strstr(env, "\"THIRD=two$(SECOND)/$(IMAGE_VAR)/$(PATH)\"") &&
               strstr(env, "\"SECOND=two\""),
           "env values expand earlier env entries only, never the image's Env or PATH: %s", env);
    free(env);
    char *args = spec ? args_of(spec) : NULL;
    tap_is_str(args, "pod-$(IMAGE_VAR) $(ONLY_IMAGE)",
               "command expands against the container's final env, not the image's Env");
    free(args);
    json_decref(spec);
    spec = build("", "{\"Entrypoint\":[\"echo\",\"$(A)\"],\"Env\":[\"A=x\"]}", &ns, &error);
    args = spec ? args_of(spec) : NULL;
    tap_is_str(args, "echo $(A)", "the image's Entrypoint and Cmd are not expanded");
    free(args);
    json_decref(spec);
}

/* tty: a terminal of 80x24 and TERM=xterm unless the container sets TERM; stdin alone is no
 * terminal */
static void test_terminal(void)
{
    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    char *error = NULL;
    json_t *spec = build("", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    json_t *proc = json_object_get(spec, "process");
    char *env = json_dumps(json_object_get(proc, "env"), JSON_COMPACT);
    tap_ok(json_is_false(json_object_get(proc, "terminal")) &&
               !json_object_get(proc, "consoleSize") && !strstr(env, "TERM="),
           "no tty: no terminal, no console size, no TERM");
    free(env);
    json_decref(spec);

    spec = build("    stdin: true\n", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    tap_ok(json_is_false(json_object_get(json_object_get(spec, "process"), "terminal")),
           "stdin without tty: no terminal (the shim gives it a pipe)");
    json_decref(spec);

    spec = build("    tty: true\n    stdin: true\n", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    proc = json_object_get(spec, "process");
    char *size = json_dumps(json_object_get(proc, "consoleSize"), JSON_COMPACT | JSON_SORT_KEYS);
    env = json_dumps(json_object_get(proc, "env"), JSON_COMPACT);
    tap_ok(json_is_true(json_object_get(proc, "terminal")), "tty: a terminal");
    tap_is_str(size, "{\"height\":24,\"width\":80}", "tty: 80x24, as CRI runtimes");
    tap_ok(strstr(env, "\"TERM=xterm\"") != NULL, "tty: TERM=xterm: %s", env);
    free(size);
    free(env);
    json_decref(spec);

    spec = build("    tty: true\n    env: [{name: TERM, value: vt100}]\n", "{\"Cmd\":[\"sh\"]}",
                 &ns, &error);
    env = json_dumps(json_object_get(json_object_get(spec, "process"), "env"), JSON_COMPACT);
    tap_ok(strstr(env, "\"TERM=vt100\"") && !strstr(env, "xterm"), "the container's TERM wins: %s",
           env);
    free(env);
    json_decref(spec);
    free(error);
}

/* The file kubelet binds for the termination message: the last mount, over the volumes. */
static void test_termination_mount(void)
{
    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    char *error = NULL;
    test_termination_log = "/data/pods/u/containers/c/termination-log";
    json_t *spec = build("", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    json_t *mounts = json_object_get(spec, "mounts");
    char *last = json_dumps(json_array_get(mounts, json_array_size(mounts) - 1), JSON_COMPACT);
    tap_is_str(last,
               "{\"destination\":\"/dev/termination-log\",\"type\":\"bind\",\"source\":"
               "\"/data/pods/u/containers/c/termination-log\",\"options\":[\"rbind\","
               "\"rprivate\"]}",
               "the termination message file bound at the default path, last");
    free(last);
    json_decref(spec);
    spec = build("    terminationMessagePath: /tmp/my-log\n", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    mounts = json_object_get(spec, "mounts");
    json_t *m = json_array_get(mounts, json_array_size(mounts) - 1);
    tap_is_str(orc_json_str(m, "destination"), "/tmp/my-log", "at terminationMessagePath");
    json_decref(spec);
    test_termination_log = NULL;
    spec = build("", "{\"Cmd\":[\"sh\"]}", &ns, &error);
    char *all = json_dumps(json_object_get(spec, "mounts"), JSON_COMPACT);
    tap_ok(all && !strstr(all, "termination"), "without the file, no mount");
    free(all);
    json_decref(spec);

    struct pod *one = pod_of("");
    tap_is_int(termination_message_max(one), 12288, "one container: the pod's 12 KiB");
    pod_free(one);
    struct pod *four = pod_of("  - {name: d, image: busybox}\n  - {name: e, image: busybox}\n"
                              "  - {name: f, image: busybox}\n");
    tap_is_int(termination_message_max(four), 3072, "four containers: 3 KiB each");
    pod_free(four);
}

int main(void)
{
    check_args("", "/entry default", "image entrypoint + cmd");
    check_args("    command: [run]\n", "run", "command replaces entrypoint and cmd");
    check_args("    args: [x, y]\n", "/entry x y", "args replace cmd");
    check_args("    command: [run]\n    args: [x]\n", "run x", "command + args");

    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    char *error = NULL;
    json_t *spec =
        build("    env: [{name: A, value: pod}, {name: NEW, value: v}]\n"
              "    workingDir: /work\n",
              "{\"Cmd\":[\"sh\"],\"Env\":[\"A=image\",\"B=image\"],\"User\":\"7:8\"}", &ns, &error);
    json_t *proc = json_object_get(spec, "process");
    char *env = json_dumps(json_object_get(proc, "env"), JSON_COMPACT);
    tap_ok(strstr(env, "\"A=pod\"") && strstr(env, "\"B=image\"") && strstr(env, "\"NEW=v\"") &&
               strstr(env, "PATH=") && strstr(env, "HOSTNAME=web"),
           "env: image, overridden by the pod, PATH and HOSTNAME added: %s", env);
    free(env);
    tap_is_str(orc_json_str(proc, "cwd"), "/work", "workingDir");
    tap_is_int(orc_json_int(json_object_get(proc, "user"), "uid", -1), 7, "numeric uid");
    tap_is_int(orc_json_int(json_object_get(proc, "user"), "gid", -1), 8, "numeric gid");
    char *ns_json =
        json_dumps(json_object_get(json_object_get(spec, "linux"), "namespaces"), JSON_COMPACT);
    tap_is_str(ns_json, "[{\"type\":\"pid\"},{\"type\":\"mount\"}]",
               "only pid and mount namespaces: the rest comes from the sandbox");
    free(ns_json);
    char *mounts = json_dumps(json_object_get(spec, "mounts"), JSON_COMPACT);
    tap_ok(strstr(mounts, "gid=5") != NULL, "devpts gid=5 with a subordinate range");
    tap_ok(strstr(mounts, "/etc/hostname") != NULL, "hostname file bound");
    free(mounts);
    json_decref(spec);

    struct userns single = {0};
    spec = build("", "{\"Cmd\":[\"sh\"]}", &single, &error);
    mounts = json_dumps(json_object_get(spec, "mounts"), JSON_COMPACT);
    tap_ok(mounts && strstr(mounts, "\"destination\":\"/dev/pts\"") && !strstr(mounts, "gid=5"),
           "devpts without gid=5 with a single-uid mapping");
    free(mounts);
    json_decref(spec);
    spec = build("", "{\"Cmd\":[\"sh\"],\"User\":\"1000\"}", &single, &error);
    tap_ok(!spec && error && strstr(error, "outside orc's user namespace"),
           "a user the namespace does not map is refused: %s", error ? error : "");
    free(error), error = NULL;
    spec = build("", "{\"Cmd\":[\"sh\"],\"User\":\"www\"}", &ns, &error);
    tap_ok(!spec && error && strstr(error, "unable to find user www"), "unknown user name");
    free(error), error = NULL;
    spec = build("", "{}", &ns, &error);
    tap_ok(!spec && error && strstr(error, "no command specified"), "no command at all");
    free(error);
    test_users();
    test_defaults();
    test_expansion();
    test_terminal();
    test_termination_mount();
    return tap_done();
}
