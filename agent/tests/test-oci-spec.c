/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "images.h"
#include "json-util.h"
#include "manifest.h"
#include "oci-spec.h"
#include "strv.h"
#include "tap.h"
#include "userns.h"
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

static json_t *build(const char *container_yaml, const char *config, const struct userns *ns,
                     char **ret_error)
{
    struct pod *pod = pod_of(container_yaml);
    struct image img = {.config = json_loads(config, 0, NULL)};
    char *layers[] = {NULL};
    img.layers = layers;
    struct oci_spec_input in = {.pod = pod, .container = &pod->containers[0], .image = &img,
                                .userns = ns, .hostname_file = "/run/x/hostname"};
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

int main(void)
{
    check_args("", "/entry default", "image entrypoint + cmd");
    check_args("    command: [run]\n", "run", "command replaces entrypoint and cmd");
    check_args("    args: [x, y]\n", "/entry x y", "args replace cmd");
    check_args("    command: [run]\n    args: [x]\n", "run x", "command + args");

    struct userns ns = {.subuid_count = 65536, .subgid_count = 65536};
    char *error = NULL;
    json_t *spec = build("    env: [{name: A, value: pod}, {name: NEW, value: v}]\n"
                         "    workingDir: /work\n",
                         "{\"Cmd\":[\"sh\"],\"Env\":[\"A=image\",\"B=image\"],\"User\":\"7:8\"}",
                         &ns, &error);
    json_t *proc = json_object_get(spec, "process");
    char *env = json_dumps(json_object_get(proc, "env"), JSON_COMPACT);
    tap_ok(strstr(env, "\"A=pod\"") && strstr(env, "\"B=image\"") && strstr(env, "\"NEW=v\"") &&
               strstr(env, "PATH=") && strstr(env, "HOSTNAME=web"),
           "env: image, overridden by the pod, PATH and HOSTNAME added: %s", env);
    free(env);
    tap_is_str(orc_json_str(proc, "cwd"), "/work", "workingDir");
    tap_is_int(orc_json_int(json_object_get(proc, "user"), "uid", -1), 7, "numeric uid");
    tap_is_int(orc_json_int(json_object_get(proc, "user"), "gid", -1), 8, "numeric gid");
    char *ns_json = json_dumps(json_object_get(json_object_get(spec, "linux"), "namespaces"),
                               JSON_COMPACT);
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
    tap_ok(strstr(mounts, "gid=5") == NULL, "no gid=5 with a single-uid mapping");
    free(mounts);
    json_decref(spec);
    spec = build("", "{\"Cmd\":[\"sh\"],\"User\":\"1000\"}", &single, &error);
    tap_ok(!spec && error && strstr(error, "outside the user namespace"),
           "a user the namespace does not map is refused: %s", error ? error : "");
    free(error), error = NULL;
    spec = build("", "{\"Cmd\":[\"sh\"],\"User\":\"www\"}", &ns, &error);
    tap_ok(!spec && error && strstr(error, "unable to find user www"), "unknown user name");
    free(error), error = NULL;
    spec = build("", "{}", &ns, &error);
    tap_ok(!spec && error && strstr(error, "no command specified"), "no command at all");
    free(error);
    return tap_done();
}
