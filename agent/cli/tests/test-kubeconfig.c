/* SPDX-License-Identifier: Apache-2.0 */
/* orc kubeconfig's pure parts: the file kubectl would write, reading it, merging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "kubeconfig.h"
#include "output.h"
#include "tap.h"

static bool only_b_exists(const char *path)
{
    return !strcmp(path, "/b");
}

static bool nothing_exists(const char *path)
{
    (void) path;
    return false;
}

static void test_path(void)
{
    _cleanup_free_ char *flag = kubeconfig_path("/k", "/a:/b", "/home/u", only_b_exists);
    tap_is_str(flag, "/k", "--kubeconfig wins");
    _cleanup_free_ char *first = kubeconfig_path(NULL, "/a:/b:/c", "/home/u", only_b_exists);
    tap_is_str(first, "/b", "KUBECONFIG: the first that exists");
    _cleanup_free_ char *last = kubeconfig_path(NULL, "/a::/c:", "/home/u", nothing_exists);
    tap_is_str(last, "/c", "none exists: the last (empty entries skipped)");
    _cleanup_free_ char *home = kubeconfig_path(NULL, "", "/home/u", nothing_exists);
    tap_is_str(home, "/home/u/.kube/config", "no KUBECONFIG: ~/.kube/config");
    tap_ok(kubeconfig_path(NULL, NULL, NULL, nothing_exists) == NULL, "no HOME: none");
}

static json_t *ours(void)
{
    return json_pack("{s:s,s:s,s:[{s:s,s:{s:s,s:s}}],s:[{s:s,s:{s:s,s:s}}],"
                     "s:[{s:s,s:{s:s,s:s}}],s:s}",
                     "apiVersion", "v1", "kind", "Config", "clusters", "name", "orc", "cluster",
                     "server", "https://127.0.0.1:17384", "certificate-authority-data",
                     "Q0E=", "users", "name", "orc", "user", "client-certificate-data",
                     "Q0VSVA==", "client-key-data", "S0VZ", "contexts", "name", "orc", "context",
                     "cluster", "orc", "user", "orc", "current-context", "orc");
}

static char *yaml_of(const json_t *j)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    json_print_yaml(j, f);
    fclose(f);
    return out;
}

static const char existing[] =
    "# kubectl's own\n"
    "apiVersion: v1\n"
    "clusters:\n"
    "- cluster:\n"
    "    server: https://10.0.0.1:6443\n"
    "    insecure-skip-tls-verify: true\n"
    "  name: lab\n"
    "- cluster:\n"
    "    server: https://old\n"
    "    insecure-skip-tls-verify: true\n"
    "  name: orc\n"
    "contexts:\n"
    "- context: {cluster: lab, user: lab, namespace: dev}\n"
    "  name: lab\n"
    "- context: {cluster: orc, user: orc, namespace: team}\n"
    "  name: orc\n"
    "current-context: lab\n"
    "kind: Config\n"
    "preferences: {colors: true}\n"
    "users:\n"
    "- name: lab\n"
    "  user:\n"
    "    token: \"0123\"\n"
    "    exec: {apiVersion: client.authentication.k8s.io/v1, command: helper, args: [a, '1'],\n"
    "           provideClusterInfo: false, interactiveMode: Never}\n";

static json_t *parse(const char *text)
{
    json_t *j = NULL;
    orc_error_t err = NULL;
    if (kubeconfig_parse(text, strlen(text), "k", &j, &err) < 0) {
        printf("#   parse: %s\n", orc_error_message(err));
        orc_error_release(&err);
    }
    return j;
}

static void test_merge_into_existing(void)
{
    json_auto_t *config = parse(existing), *o = ours();
    orc_error_t err = NULL;
    bool switched = true;
    tap_ok(config && kubeconfig_merge(config, o, false, &switched, &err) == 0, "merged");
    tap_ok(!switched, "a current context is kept");
    tap_is_str(json_string_value(json_object_get(config, "current-context")), "lab", "still lab");
    json_t *clusters = json_object_get(config, "clusters");
    tap_is_int(json_array_size(clusters), 2, "two clusters: lab, and orc replaced in place");
    json_t *lab = json_object_get(json_array_get(clusters, 0), "cluster");
    tap_ok(json_is_true(json_object_get(lab, "insecure-skip-tls-verify")),
           "the other cluster is untouched (its boolean a boolean)");
    json_t *orc = json_object_get(json_array_get(clusters, 1), "cluster");
    tap_is_str(json_string_value(json_object_get(orc, "server")), "https://127.0.0.1:17384",
               "orc's server");
    tap_ok(!json_object_get(orc, "insecure-skip-tls-verify"),
           "the old entry's insecure-skip-tls-verify is gone");
    tap_is_str(json_string_value(json_object_get(orc, "certificate-authority-data")),
               "Q0E=", "the CA is pinned");
    json_t *ctx =
        json_object_get(json_array_get(json_object_get(config, "contexts"), 1), "context");
    tap_is_str(json_string_value(json_object_get(ctx, "namespace")), "team",
               "orc's context keeps the namespace the user chose");
    json_t *users = json_object_get(config, "users");
    tap_is_int(json_array_size(users), 2, "two users: lab and orc added");
    json_t *lab_user = json_object_get(json_array_get(users, 0), "user");
    tap_is_str(json_string_value(json_object_get(lab_user, "token")), "0123",
               "a quoted number stays a string");
    _cleanup_free_ char *text = yaml_of(config);
    tap_ok(strstr(text, "token: \"0123\"") && strstr(text, "- \"1\"") &&
               strstr(text, "provideClusterInfo: false") && strstr(text, "colors: true"),
           "written back with the same types");
    json_auto_t *again = parse(text);
    tap_ok(again && json_equal(again, config), "what is written reads back the same");
    tap_ok(kubeconfig_merge(again, o, false, &switched, &err) == 0 && json_equal(again, config),
           "merging twice changes nothing");
    tap_ok(kubeconfig_merge(config, o, true, &switched, &err) == 0 && switched,
           "--set-current switches");
    tap_is_str(json_string_value(json_object_get(config, "current-context")), "orc", "to orc");
}

static void test_merge_into_nothing(void)
{
    const char *empties[] = {"", "# nothing\n", "---\n", "null\n"};
    for (size_t i = 0; i < 4; i++) {
        json_auto_t *config = parse(empties[i]), *o = ours();
        orc_error_t err = NULL;
        bool switched = false;
        tap_ok(config && kubeconfig_merge(config, o, false, &switched, &err) == 0 && switched,
               "an empty file (%zu): orc becomes the current context", i);
        if (i == 0) {
            json_t *want = ours();
            json_object_set_new(want, "preferences", json_object());
            tap_ok(json_equal(config, want), "exactly orc's kubeconfig, with preferences {}");
            json_decref(want);
        }
    }
}

static void test_refused(void)
{
    const char *bad[][2] = {
        {"clusters: [\n", "is not valid YAML: line"},
        {"- a\n- b\n", "not a mapping"},
        {"a: 1\n---\nb: 2\n", "holds 2 YAML documents"},
        {"clusters: {orc: x}\n", "its clusters is not a list"},
        {"users:\n- user: {}\n", "its users[0] has no name"},
    };
    for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
        json_auto_t *config = NULL, *o = ours();
        orc_error_t err = NULL;
        bool switched = false;
        int r = kubeconfig_parse(bad[i][0], strlen(bad[i][0]), "k", &config, &err);
        if (r == 0)
            r = kubeconfig_merge(config, o, false, &switched, &err);
        tap_ok(r < 0 && strstr(orc_error_message(err), bad[i][1]), "refused: %s",
               err ? orc_error_message(err) : "(accepted)");
        orc_error_release(&err);
    }
}

int main(void)
{
    test_path();
    test_merge_into_existing();
    test_merge_into_nothing();
    test_refused();
    return tap_done();
}
