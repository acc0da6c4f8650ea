/* SPDX-License-Identifier: Apache-2.0 */
/* kubelet's credential keyring for imagePullSecrets: parsing and lookup. */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "images/keyring.h"
#include "tap.h"
#include "xalloc.h"

static struct keyring *ring(const char *json, bool config_json)
{
    struct keyring *k = keyring_new();
    orc_error_t err = NULL;
    if (keyring_add(k, json, strlen(json), config_json, &err) < 0) {
        printf("# keyring_add: %s\n", orc_error_message(err));
        orc_error_release(&err);
    }
    return k;
}

/* The users found for image, comma-separated. */
static char *users(const struct keyring *k, const char *image)
{
    struct keyring_cred c[KEYRING_LOOKUP_MAX];
    size_t n = keyring_lookup(k, image, c, KEYRING_LOOKUP_MAX);
    char *out = xstrdup("");
    for (size_t i = 0; i < n; i++) {
        char *next = xasprintf("%s%s%s", out, i ? "," : "", c[i].user);
        free(out);
        out = next;
    }
    return out;
}

#define LOOKS(k, image, want, ...)                                                                 \
    do {                                                                                           \
        _cleanup_free_ char *_u = users(k, image);                                                 \
        tap_is_str(_u, want, __VA_ARGS__);                                                         \
    } while (0)

static void test_entries(void)
{
    /* "auth" is base64(user:password), padded or not; username and password as written */
    struct keyring *k = ring("{\"auths\": {"
                             "\"127.0.0.1:5000\": {\"auth\": \"dGVzdGVyOnMzY3JldA==\"},"
                             "\"127.0.0.1:5001\": {\"auth\": \"YTpiOmM\"},"
                             "\"127.0.0.1:5002\": {\"username\": \"u\", \"password\": \"p\"},"
                             "\"127.0.0.1:5003\": {\"username\": \"u\", \"auth\": \"eDp5\"}}}",
                             true);
    tap_is_int(keyring_size(k), 4, "four entries");
    struct keyring_cred c[4];
    tap_is_int(keyring_lookup(k, "127.0.0.1:5000/team/app", c, 4), 1, "the host's entry");
    tap_is_str(c[0].user, "tester", "user from auth");
    tap_is_str(c[0].password, "s3cret", "password from auth");
    tap_is_int(keyring_lookup(k, "127.0.0.1:5001/x", c, 4), 1, "unpadded auth");
    tap_is_str(c[0].user, "a", "the user ends at the first colon");
    tap_is_str(c[0].password, "b:c", "the password keeps its colons");
    keyring_lookup(k, "127.0.0.1:5002/x", c, 4);
    tap_is_str(c[0].password, "p", "username and password");
    keyring_lookup(k, "127.0.0.1:5003/x", c, 4);
    tap_is_str(c[0].user, "x", "auth wins over username");
    LOOKS(k, "127.0.0.1:5004/x", "", "another port: nothing");
    LOOKS(k, "127.0.0.1/x", "", "no port is not port 5000");
    keyring_free(k);

    /* .dockercfg: the entries at the top */
    k = ring("{\"127.0.0.1:5000\": {\"auth\": \"dGVzdGVyOnMzY3JldA==\"}}", false);
    LOOKS(k, "127.0.0.1:5000/team/app", "tester", "dockercfg");
    keyring_free(k);
    k = ring("{\"notauths\": {}}", true);
    tap_is_int(keyring_size(k), 0, "a dockerconfigjson without auths holds nothing");
    keyring_free(k);
}

static void test_bad_payloads(void)
{
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"{\"auths\": {\"h\": {\"auth\": \"c2VjcmV0\"}}}",
         "entry \"h\": unable to parse auth field, must be formatted as base64(username:password)"},
        {"{\"auths\": {\"h\": {\"auth\": \"!!!!\"}}}",
         "entry \"h\": \"auth\": illegal base64 data at input byte 0"},
        {"{\"auths\": {\"h\": {\"password\": 5}}}", "entry \"h\": \"password\" is not a string"},
        {"{\"auths\": {\"h\": \"x\"}}", "entry \"h\" is not an object"},
        {"{\"auths\": []}", "\"auths\" is not an object"},
        {"[]", "not a JSON object"},
        {"{\"auths\": {\"h\": {\"password\": \"hunter2\"", "not JSON (line 1, column 38)"},
    };
    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        struct keyring *k = keyring_new();
        orc_error_t err = NULL;
        int r = keyring_add(k, cases[i].json, strlen(cases[i].json), true, &err);
        tap_ok(r < 0, "refused: %s", cases[i].json);
        tap_is_str(err ? orc_error_message(err) : NULL, cases[i].msg, "its message");
        tap_ok(!err || !strstr(orc_error_message(err), "hunter2"), "never the payload");
        tap_is_int(keyring_size(k), 0, "nothing added");
        orc_error_release(&err);
        keyring_free(k);
    }
}

static void test_matching(void)
{
    struct keyring *k = ring("{\"auths\": {"
                             "\"https://reg.test:5000\": {\"username\": \"host\"},"
                             "\"reg.test:5000/team\": {\"username\": \"team\"},"
                             "\"http://reg.test:5000/team/app\": {\"username\": \"app\"},"
                             "\"reg.test:5000/v2/\": {\"username\": \"v2\"},"
                             "\"*.glob.test\": {\"username\": \"glob\"},"
                             "\"https://index.docker.io/v1/\": {\"username\": \"hub\"},"
                             "\"[::1]:5000\": {\"username\": \"v6\"}}}",
                             true);
    LOOKS(k, "reg.test:5000/team/app", "app,team,host,v2",
          "most specific first; a scheme and /v2/ are dropped (one key: in their order)");
    LOOKS(k, "reg.test:5000/team/application", "app,team,host,v2",
          "a path matches as a string prefix, as kubelet's");
    LOOKS(k, "reg.test:5000/other/app", "host,v2", "another path: the host's");
    LOOKS(k, "reg.test/team/app", "", "the port must match");
    LOOKS(k, "a.glob.test/x", "glob", "a glob part");
    LOOKS(k, "a.b.glob.test/x", "", "a glob is one part");
    LOOKS(k, "docker.io/library/busybox", "hub", "docker.io takes index.docker.io's");
    LOOKS(k, "[::1]:5000/x", "v6", "an IPv6 host and port");
    keyring_free(k);

    k = ring("{\"auths\": {\"docker.io\": {\"username\": \"io\"},"
             "\"index.docker.io\": {\"username\": \"hub\"}}}",
             true);
    LOOKS(k, "docker.io/library/busybox", "io", "a docker.io key matches first");
    keyring_free(k);
}

static void test_several_secrets(void)
{
    struct keyring *k = keyring_new();
    orc_error_t err = NULL;
    const char *a = "{\"auths\": {\"h:1\": {\"username\": \"first\"}}}";
    const char *b = "{\"h:1\": {\"username\": \"second\"}}";
    keyring_add(k, a, strlen(a), true, &err);
    keyring_add(k, b, strlen(b), false, &err);
    LOOKS(k, "h:1/x", "first,second", "one key in two secrets: in the secrets' order");
    struct keyring *c = keyring_copy(k);
    _cleanup_free_ char *fa = keyring_fingerprint(k), *fc = keyring_fingerprint(c);
    tap_is_str(fa, fc, "a copy has the same fingerprint");
    tap_is_int(strlen(fa), 64, "a sha256");
    keyring_add(c, a, strlen(a), true, &err);
    _cleanup_free_ char *fd = keyring_fingerprint(c), *fe = keyring_fingerprint(NULL);
    tap_ok(strcmp(fa, fd) != 0, "another keyring, another fingerprint");
    tap_is_str(fe, "", "no keyring: empty");
    keyring_free(c);
    keyring_free(k);
}

int main(void)
{
    test_entries();
    test_bad_payloads();
    test_matching();
    test_several_secrets();
    return tap_done();
}
