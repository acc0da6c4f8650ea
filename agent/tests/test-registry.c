/* SPDX-License-Identifier: Apache-2.0 */
/* Registry pieces without a network: challenges, auth files, manifests and indexes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "images/gc.h"
#include "images/pull-policy.h"
#include "images/pull.h"
#include "images/images.h"
#include "images/registries-conf.h"
#include "images/registry-client.h"
#include "images/registry-auth.h"
#include "strv.h"
#include "images/registry-manifest.h"
#include "tap.h"

static void test_challenge(void)
{
    struct auth_challenge c;
    orc_error_t err = NULL;
    tap_ok(
        auth_challenge_parse("Bearer realm=\"https://auth.example/token\",service=\"reg.example\","
                             "scope=\"repository:team/app:pull\"",
                             &c, &err) == 0,
        "a Bearer challenge");
    tap_is_str(c.scheme, "Bearer", "scheme");
    tap_is_str(c.realm, "https://auth.example/token", "realm");
    tap_is_str(c.service, "reg.example", "service");
    tap_is_str(c.scope, "repository:team/app:pull", "scope");
    auth_challenge_done(&c);
    tap_ok(auth_challenge_parse("Basic realm=\"Registry Realm\"", &c, &err) == 0, "Basic");
    tap_is_str(c.scheme, "Basic", "Basic scheme");
    tap_is_str(c.realm, "Registry Realm", "realm with a space");
    auth_challenge_done(&c);
    tap_ok(auth_challenge_parse("bearer  realm = \"r\\\"q\" , error=insufficient_scope", &c,
                                &err) == 0,
           "spaces, an escaped quote, a token value");
    tap_is_str(c.realm, "r\"q", "escape removed");
    tap_is_str(c.error, "insufficient_scope", "token value");
    auth_challenge_done(&c);
    tap_ok(auth_challenge_parse("Bearer service=\"x\"", &c, &err) < 0 && err, "Bearer needs realm");
    orc_error_release(&err);
    tap_ok(auth_challenge_parse("Bearer realm=\"unterminated", &c, &err) < 0, "unterminated quote");
    orc_error_release(&err);
    tap_ok(auth_challenge_parse("", &c, &err) < 0, "empty header");
    orc_error_release(&err);
    tap_ok(auth_challenge_parse("=", &c, &err) < 0, "no scheme");
    orc_error_release(&err);
}

static int lookup(const char *file, const char *reg, const char *repo, char **u, char **p)
{
    orc_error_t err = NULL;
    *u = *p = NULL;
    int r = auth_file_lookup(file, strlen(file), reg, repo, u, p, &err);
    orc_error_release(&err);
    return r;
}

static void test_auth_file(void)
{
    /* dXNlcjpwYXNz = user:pass, b3RoZXI6c2VjcmV0 = other:secret, YWxpY2U6Yjpj = alice:b:c */
    const char *f = "{\"auths\": {\"reg.example:5000\": {\"auth\": \"dXNlcjpwYXNz\"},"
                    "\"reg.example:5000/team\": {\"auth\": \"b3RoZXI6c2VjcmV0\"},"
                    "\"https://index.docker.io/v1/\": {\"auth\": \"YWxpY2U6Yjpj\"}}}";
    char *u, *p;
    tap_ok(lookup(f, "reg.example:5000", "lib/app", &u, &p) == 0, "host entry");
    tap_ok(u && p && !strcmp(u, "user") && !strcmp(p, "pass"), "user:pass decoded");
    free(u), free(p);
    tap_ok(lookup(f, "reg.example:5000", "team/app", &u, &p) == 0 && !strcmp(u, "other"),
           "the longest (namespace) entry wins");
    free(u), free(p);
    tap_ok(lookup(f, "reg.example:5000", "teamwork/app", &u, &p) == 0 && !strcmp(u, "user"),
           "a namespace matches whole components only");
    free(u), free(p);
    tap_ok(lookup(f, "docker.io", "library/busybox", &u, &p) == 0 && !strcmp(p, "b:c"),
           "docker's legacy key; a password may contain ':'");
    free(u), free(p);
    tap_is_int(lookup(f, "other.example", "x", &u, &p), -ENOENT, "no entry");
    tap_ok(lookup("{\"auths\": {\"r\": {\"auth\": \"!!!!\"}}}", "r", "x", &u, &p) < 0 && !u,
           "bad base64 is an error");
    tap_ok(lookup("{\"auths\": {\"r\": {\"auth\": \"bm9jb2xvbg==\"}}}", "r", "x", &u, &p) < 0,
           "no ':' is an error");
    tap_ok(lookup("not json", "r", "x", &u, &p) < 0 &&
               lookup("not json", "r", "x", &u, &p) != -ENOENT,
           "an unreadable file is an error, not 'no entry'");
}

#define DIGEST(c)                                                                                  \
    "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
        c c c c c c c c c c c c c c c c c c c c c c

static char parse_error[512]; /* the last parse's error message */

static struct registry_manifest *parse(const char *json, const char *ctype, int *ret_errno)
{
    struct registry_manifest *m = NULL;
    orc_error_t err = NULL;
    *ret_errno = 0;
    parse_error[0] = '\0';
    if (registry_manifest_parse(json, strlen(json), ctype, &m, &err) < 0) {
        *ret_errno = err ? err->status : -1;
        snprintf(parse_error, sizeof(parse_error), "%s", err ? orc_error_message(err) : "");
        orc_error_release(&err);
    }
    return m;
}

static void test_manifest(void)
{
    int e;
    struct registry_manifest *m = parse(
        "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_DOCKER_MANIFEST "\","
        "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":7,"
        "\"digest\":\"" DIGEST(
            "a") "\"},\"layers\":["
                 "{\"mediaType\":\"application/"
                 "vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":100,\"digest\":\"" DIGEST(
                     "b") "\"},"
                          "{\"mediaType\":\"application/"
                          "vnd.oci.image.layer.v1.tar+zstd\",\"size\":5,\"digest\":\"" DIGEST(
                              "c") "\"}]}",
        NULL, &e);
    tap_ok(m && !m->is_index, "a Docker schema 2 manifest");
    tap_ok(m && m->n_layers == 2 && m->layers[0].size == 100 &&
               m->layers[0].compression == LAYER_GZIP && m->layers[1].compression == LAYER_ZSTD,
           "layers with sizes and compression");
    tap_ok(m && m->config.size == 7, "config descriptor");
    registry_manifest_free(m);
    m = parse("{\"schemaVersion\":2,\"config\":{\"size\":1,\"digest\":\"" DIGEST(
                  "a") "\"},\"layers\":[]}",
              MEDIA_OCI_MANIFEST "; charset=utf-8", &e);
    tap_ok(m && !m->is_index && m->n_layers == 0, "no mediaType: the Content-Type decides");
    registry_manifest_free(m);
    m = parse("{\"schemaVersion\":1,\"fsLayers\":[]}", NULL, &e);
    tap_ok(!m && e == ENOTSUP, "schema 1 refused");
    m = parse("{\"schemaVersion\":2,\"config\":{\"size\":1,\"digest\":\"md5:abc\"},\"layers\":[]}",
              NULL, &e);
    tap_ok(!m && e == EINVAL, "a digest that is not sha256");
    m = parse("{\"schemaVersion\":2,\"config\":{\"size\":-1,\"digest\":\"" DIGEST(
                  "a") "\"},\"layers\":[]}",
              NULL, &e);
    tap_ok(!m && e == EINVAL, "a negative size");
    m = parse("{\"schemaVersion\":2,\"config\":{\"size\":1,\"digest\":\"" DIGEST(
                  "a") "\"},\"layers\":["
                       "{\"mediaType\":\"application/"
                       "vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"size\":1,"
                       "\"digest\":\"" DIGEST("b") "\",\"urls\":[\"https://x\"]}]}",
              NULL, &e);
    tap_ok(!m && e == ENOTSUP, "foreign layers refused");
    m = parse("{\"schemaVersion\":2,\"config\":{\"size\":1,\"digest\":\"" DIGEST(
                  "a") "\"},\"layers\":["
                       "{\"mediaType\":\"text/plain\",\"size\":1,\"digest\":\"" DIGEST("b") "\"}]}",
              NULL, &e);
    tap_ok(!m && e == ENOTSUP, "unknown layer media type refused");
    m = parse("[]", NULL, &e);
    tap_ok(!m && e == EINVAL, "not an object");
    /* a manifest that would be valid but for one key given twice */
    m = parse("{\"schemaVersion\":2,\"config\":{\"size\":1,\"digest\":\"" DIGEST(
                  "a") "\"},\"layers\":[],\"layers\":[]}",
              MEDIA_OCI_MANIFEST, &e);
    tap_ok(!m && e == EINVAL && strstr(parse_error, "duplicate object key"),
           "duplicate keys refused: %s", parse_error);
    registry_manifest_free(m);
}

static void test_index(void)
{
    int e;
    struct registry_manifest *m = parse(
        "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_INDEX "\",\"manifests\":["
        "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"size\":1,\"digest\":\"" DIGEST(
            "1") "\","
                 "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
                 "{\"mediaType\":\"" MEDIA_OCI_MANIFEST "\",\"size\":2,\"digest\":\"" DIGEST(
                     "2") "\","
                          "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\",\"variant\":"
                          "\"v3\"}},"
                          "{\"mediaType\":\"" MEDIA_OCI_MANIFEST
                          "\",\"size\":3,\"digest\":\"" DIGEST(
                              "3") "\","
                                   "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                                   "{\"mediaType\":\"" MEDIA_OCI_MANIFEST
                                   "\",\"size\":4,\"digest\":\"" DIGEST(
                                       "4") "\","
                                            "\"platform\":{\"os\":\"windows\",\"architecture\":"
                                            "\"amd64\"}}]}",
        NULL, &e);
    tap_ok(m && m->is_index && m->n_manifests == 4, "an index with four entries");
    const struct descriptor *d = NULL;
    orc_error_t err = NULL;
    tap_ok(m && registry_manifest_select(m, "linux", "amd64", NULL, &d, &err) == 0 && d->size == 3,
           "linux/amd64 without variant is preferred");
    tap_ok(m && registry_manifest_select(m, "linux", "amd64", "v3", &d, &err) == 0 && d->size == 2,
           "an asked variant is honoured");
    tap_ok(m && registry_manifest_select(m, "linux", "arm64", NULL, &d, &err) == 0 && d->size == 1,
           "any variant when none is asked and only one exists");
    tap_ok(m && registry_manifest_select(m, "linux", "s390x", NULL, &d, &err) < 0 && err &&
               strstr(err->msg, "linux/s390x"),
           "a missing platform is named");
    orc_error_release(&err);
    registry_manifest_free(m);
    m = parse("{\"schemaVersion\":2,\"manifests\":{}}", MEDIA_DOCKER_LIST, &e);
    tap_ok(!m && e == EINVAL, "manifests must be an array");
    tap_ok(strcmp(registry_host_architecture(), "unknown") != 0, "the host architecture is known");
}

static void test_refs(void)
{
    char *reg, *repo, *ref;
    tap_ok(image_ref_split("docker.io/library/busybox:1.36", &reg, &repo, &ref) == 0, "split");
    tap_ok(!strcmp(reg, "docker.io") && !strcmp(repo, "library/busybox") && !strcmp(ref, "1.36"),
           "registry, repository, tag");
    free(reg), free(repo), free(ref);
    tap_ok(image_ref_split("localhost:5000/a/b:t@" DIGEST("d"), &reg, &repo, &ref) == 0 &&
               !strcmp(reg, "localhost:5000") && !strcmp(repo, "a/b") && !strcmp(ref, DIGEST("d")),
           "a digest wins over the tag; a port is not a tag");
    free(reg), free(repo), free(ref);
    tap_ok(image_ref_split("reg:5000/app", &reg, &repo, &ref) == 0 && !strcmp(ref, "latest"),
           "no tag: latest");
    free(reg), free(repo), free(ref);
    tap_ok(image_ref_split("nosuch", &reg, &repo, &ref) < 0, "no registry part");
}

static void test_registries_conf(void)
{
    struct registries_conf c;
    orc_error_t err = NULL;
    const char *text = "# comment\n"
                       "unqualified-search-registries = [\"a.example\", 'b.example:5000'] # two\n"
                       "short-name-mode = \"enforcing\"\n"
                       "[[registry]]\n"
                       "location = \"docker.io\"\n"
                       "[[registry.mirror]]\n"
                       "location = \"mirror.example:5000\"\n"
                       "insecure = true\n"
                       "[[registry]]\n"
                       "prefix = \"quay.io/blocked\"\n"
                       "location = \"quay.io/blocked\"\n"
                       "blocked = true\n"
                       "[aliases]\n"
                       "\"x\" = \"y.example/x\"\n";
    tap_ok(registries_conf_parse(text, "r.conf", &c, &err) == 0, "podman's format parses");
    tap_ok(c.search && !strcmp(c.search[0], "a.example") &&
               !strcmp(c.search[1], "b.example:5000") && !c.search[2],
           "search list, both quote styles, trailing comment");
    const struct registry_entry *e = registries_conf_find(&c, "docker.io", "library/busybox");
    tap_ok(e && e->mirrors && !strcmp(e->mirrors[0], "mirror.example:5000") &&
               e->insecure_mirrors && !strcmp(e->insecure_mirrors[0], "mirror.example:5000"),
           "a mirror, insecure");
    e = registries_conf_find(&c, "quay.io", "blocked/app");
    tap_ok(e && e->blocked, "a blocked prefix");
    tap_ok(registries_conf_find(&c, "quay.io", "blockedx/app") == NULL,
           "prefixes match whole components");
    registries_conf_done(&c);
    tap_ok(registries_conf_parse("[[registry]]\ninsecure = maybe\n", "r.conf", &c, &err) < 0 &&
               strstr(err->msg, "r.conf:2"),
           "a bad value names file and line");
    orc_error_release(&err);
    tap_ok(registries_conf_parse("[[registry]]\ninsecure = true\n", "r.conf", &c, &err) < 0 &&
               strstr(err->msg, "r.conf: a [[registry]] without location"),
           "a registry needs a location: %s", err ? err->msg : "");
    orc_error_release(&err);
    tap_ok(registries_conf_parse("unqualified-search-registries = [\"a\"\n", "r.conf", &c, &err) <
                   0 &&
               strstr(err->msg, "r.conf:1: cannot read this line"),
           "an unterminated array: %s", err ? err->msg : "");
    orc_error_release(&err);
}

static void test_gc_plan(void)
{
    /* oldest by when they were stored (loaded), whenever the images were built (created) */
    json_t *imgs = json_loads("[{\"id\":\"new\",\"loaded\":3,\"created\":0,\"size\":10},"
                              "{\"id\":\"old\",\"loaded\":1,\"created\":9,\"size\":10},"
                              "{\"id\":\"used\",\"loaded\":0,\"created\":0,\"size\":50},"
                              "{\"id\":\"mid\",\"loaded\":2,\"created\":8,\"size\":10}]",
                              0, NULL);
    char *used[] = {"used", NULL};
    char **plan = image_gc_plan(imgs, used, 100, 85);
    tap_ok(plan[0] && !strcmp(plan[0], "old") && plan[1] && !strcmp(plan[1], "mid") && !plan[2],
           "oldest unused first, until under the target");
    strv_free(plan);
    plan = image_gc_plan(imgs, used, 100, 0);
    tap_ok(strv_length(plan) == 3 && !strv_contains(plan, "used"), "never what a pod uses");
    strv_free(plan);
    plan = image_gc_plan(imgs, used, 50, 80);
    tap_ok(!plan[0], "nothing below the target");
    strv_free(plan);
    json_decref(imgs);
}

/* Before a start: InvalidImageName, the store only, the store first, or a pull; after a
 * failed pull: the stored image only for an implied Always whose registry was not reached. */
static void test_pull_policy(void)
{
    tap_is_int(image_pull_need("<your-private-image>", PULL_ALWAYS, false), IMAGE_NEED_INVALID,
               "an invalid reference: InvalidImageName, never pulled");
    tap_is_int(image_pull_need("nginx:<tag>", PULL_IF_NOT_PRESENT, false), IMAGE_NEED_INVALID,
               "a tag with '<'");
    tap_is_int(image_pull_need("localhost/app", PULL_ALWAYS, false), IMAGE_NEED_STORED,
               "localhost/ is never pulled, as podman");
    tap_is_int(image_pull_need("busybox:1", PULL_NEVER, false), IMAGE_NEED_STORED, "Never");
    tap_is_int(image_pull_need("busybox", PULL_ALWAYS, false), IMAGE_NEED_PULL, "Always pulls");
    tap_is_int(image_pull_need("busybox", PULL_ALWAYS, true), IMAGE_NEED_PRESENT, "once per start");
    tap_is_int(image_pull_need("busybox:1", PULL_IF_NOT_PRESENT, false), IMAGE_NEED_PRESENT,
               "IfNotPresent: the store first");

    tap_ok(image_pull_may_use_stored(PULL_ALWAYS, true, false, REGISTRY_UNREACHABLE),
           "an implied Always, no registry reached: the stored image");
    tap_ok(!image_pull_may_use_stored(PULL_ALWAYS, false, false, REGISTRY_UNREACHABLE),
           "a written Always is obeyed");
    tap_ok(!image_pull_may_use_stored(PULL_ALWAYS, true, true, REGISTRY_UNREACHABLE),
           "the strict node setting is kubelet's rule");
    int answers[] = {ENOENT, EACCES, ETIMEDOUT, EBADMSG, EIO, 0};
    bool any = false;
    for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
        any |= image_pull_may_use_stored(PULL_ALWAYS, true, false, answers[i]);
    tap_ok(!any, "a registry that answered (not found, unauthorized, stalled, bad content) is "
                 "obeyed");
}

int main(void)
{
    test_pull_policy();
    test_refs();
    test_registries_conf();
    test_gc_plan();
    test_challenge();
    test_auth_file();
    test_manifest();
    test_index();
    return tap_done();
}
