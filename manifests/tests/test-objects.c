/* SPDX-License-Identifier: Apache-2.0 */
/* ConfigMaps and Secrets: base64 as Go reads it, the 1 MiB limit, values decoded for their
 * readers, the rules of an update. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "manifest.h"
#include "objects.h"
#include "tap.h"
#include "xalloc.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct manifest_result *, manifest_result_free)

static void test_base64(void)
{
    static const struct {
        const char *in, *out;
        long bad; /* -1: decodes to out */
    } cases[] = {
        {"", "", -1},        {"YQ==", "a", -1},         {"YWI=", "ab", -1},
        {"YWJj", "abc", -1}, {"YW\nJj\r\n", "abc", -1}, {"YWJ", NULL, 0},
        {"Y", NULL, 0},      {"YWJjZ", NULL, 4},        {"YW!j", NULL, 2},
        {"Y===", NULL, 1},   {"YQ=a", NULL, 2},         {"YQ==YQ==", NULL, 4},
        {"YQ=", NULL, 3},
    };
    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        char *out = NULL;
        size_t len = 0, bad = 999;
        int r = manifest_base64_decode(cases[i].in, strlen(cases[i].in), &out, &len, &bad);
        if (cases[i].bad < 0)
            tap_ok(r == 0 && len == strlen(cases[i].out) && !strcmp(out, cases[i].out),
                   "base64 case %zu decodes", i);
        else
            tap_ok(r == -EINVAL && (long) bad == cases[i].bad,
                   "base64 case %zu: illegal data at input byte %ld (got %zu)", i, cases[i].bad,
                   bad);
        free(out);
    }
    _cleanup_free_ char *e = manifest_base64_encode("\0\1\2ab", 5);
    tap_is_str(e, "AAECYWI=", "base64 encoding");
}

static struct manifest_result *parse(const char *yaml)
{
    struct manifest_result *r = NULL;
    (void) manifest_parse(yaml, strlen(yaml), "t.yaml", &r);
    return r;
}

static bool has_error(const struct manifest_result *r, const char *text)
{
    for (size_t i = 0; i < r->n_errors; i++) {
        _cleanup_free_ char *s = manifest_diag_format(&r->errors[i]);
        if (strstr(s, text))
            return true;
        printf("#   error: %s\n", s);
    }
    return false;
}

/* A document with one key of n bytes (in data, or base64 in a Secret's data). */
static char *big_document(const char *kind, size_t n, bool base64)
{
    char *raw = xmalloc(n + 1);
    memset(raw, 'a', n);
    raw[n] = '\0';
    _cleanup_free_ char *value = base64 ? manifest_base64_encode(raw, n) : NULL;
    char *doc = xasprintf("apiVersion: v1\nkind: %s\nmetadata: {name: big}\ndata:\n  k: %s\n", kind,
                          value ? value : raw);
    free(raw);
    return doc;
}

static void test_size(void)
{
    const size_t limit = OBJECT_DATA_MAX_BYTES;
    for (int secret = 0; secret < 2; secret++) {
        const char *kind = secret ? "Secret" : "ConfigMap";
        _cleanup_free_ char *at = big_document(kind, limit, secret);
        _cleanup_free_ char *over = big_document(kind, limit + 1, secret);
        _cleanup_(manifest_result_freep) struct manifest_result *ok = parse(at);
        _cleanup_(manifest_result_freep) struct manifest_result *bad = parse(over);
        tap_ok(ok->n_errors == 0, "%s of 1 MiB is stored", kind);
        tap_ok(has_error(bad, "t.yaml:5:3: data: Too long: must have at most 1048576 bytes"),
               "%s over 1 MiB is refused", kind);
    }
}

static void test_values(void)
{
    _cleanup_(manifest_result_freep) struct manifest_result *r =
        parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {user: admin}\n"
              "data: {bin: AAEC}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
              "data: {a: text}\nbinaryData: {b: YmluYXJ5}\n");
    tap_ok(r->n_errors == 0 && r->n_docs == 2, "a Secret and a ConfigMap");
    char *v = NULL;
    size_t len = 0;
    orc_error_t err = NULL;
    tap_ok(secret_data_decode(r->docs[0].object, "user", &v, &len, &err) == 0 &&
               !strcmp(v, "admin") && len == 5,
           "stringData is read back from data");
    free(v);
    tap_ok(secret_data_decode(r->docs[0].object, "bin", &v, &len, &err) == 0 && len == 3 &&
               !memcmp(v, "\0\1\2", 3),
           "binary data is decoded");
    free(v);
    tap_ok(secret_data_decode(r->docs[0].object, "none", &v, &len, &err) == -ENOENT &&
               strstr(orc_error_message(err), "secret \"s\" has no key \"none\""),
           "a missing key: %s", orc_error_message(err));
    orc_error_release(&err);
    tap_ok(configmap_value(r->docs[1].object, "a", &v, &len, &err) == 0 && !strcmp(v, "text"),
           "a ConfigMap's data");
    free(v);
    tap_ok(configmap_value(r->docs[1].object, "b", &v, &len, &err) == 0 && !strcmp(v, "binary"),
           "a ConfigMap's binaryData, decoded");
    free(v);
}

static void test_update(void)
{
    json_auto_t *old = json_pack("{s:s,s:{s:s},s:{s:s},s:b}", "kind", "ConfigMap", "metadata",
                                 "name", "c", "data", "a", "1", "immutable", 1);
    json_auto_t *same = json_deep_copy(old);
    json_object_set_new(json_object_get(same, "metadata"), "labels", json_pack("{s:s}", "x", "y"));
    json_auto_t *changed = json_deep_copy(old);
    json_object_set_new(json_object_get(changed, "data"), "a", json_string("2"));
    json_auto_t *mutable_again = json_deep_copy(old);
    json_object_set_new(mutable_again, "immutable", json_false());
    orc_error_t err = NULL;
    tap_ok(manifest_object_update_check("ConfigMap", old, same, &err) == 0,
           "an immutable ConfigMap's labels may change");
    tap_ok(manifest_object_changed(old, same), "a label is a change");
    tap_ok(manifest_object_update_check("ConfigMap", old, changed, &err) == -EINVAL &&
               !strcmp(orc_error_message(err), "ConfigMap \"c\" is invalid: data: Forbidden: "
                                               "field is immutable when `immutable` is set"),
           "its data may not: %s", orc_error_message(err));
    orc_error_release(&err);
    tap_ok(manifest_object_update_check("ConfigMap", old, mutable_again, &err) == -EINVAL,
           "nor may it become mutable again");
    orc_error_release(&err);
    json_auto_t *s1 = json_pack("{s:{s:s},s:s}", "metadata", "name", "s", "type", "Opaque");
    json_auto_t *s2 = json_pack("{s:{s:s},s:s}", "metadata", "name", "s", "type", "x/y");
    tap_ok(manifest_object_update_check("Secret", s1, s2, &err) == -EINVAL &&
               strstr(orc_error_message(err), "type: Invalid value: \"x/y\": field is immutable"),
           "a Secret's type may not change");
    orc_error_release(&err);
}

int main(void)
{
    test_base64();
    test_size();
    test_values();
    test_update();
    return tap_done();
}
