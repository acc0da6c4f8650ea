/* SPDX-License-Identifier: Apache-2.0 */
/* The type and metadata of an object sent as Kubernetes protobuf, and bodies that are not. */
#include <errno.h>
#include <string.h>

#include "api/protobuf.h"
#include "json-util.h"
#include "tap.h"

/* A tiny encoder: fields appended to buf. */
struct buf {
    unsigned char d[512];
    size_t n;
};

static void varint(struct buf *b, unsigned long long v)
{
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        b->d[b->n++] = c | (v ? 0x80 : 0);
    } while (v);
}

static void bytes(struct buf *b, unsigned field, const void *p, size_t len)
{
    varint(b, field << 3 | 2);
    varint(b, len);
    memcpy(b->d + b->n, p, len);
    b->n += len;
}

static void str(struct buf *b, unsigned field, const char *s)
{
    bytes(b, field, s, strlen(s));
}

static void sub(struct buf *b, unsigned field, const struct buf *m)
{
    bytes(b, field, m->d, m->n);
}

static void entry(struct buf *b, unsigned field, const char *k, const char *v)
{
    struct buf e = {0};
    str(&e, 1, k), str(&e, 2, v);
    sub(b, field, &e);
}

/* A Secret as kubectl create secret sends it: the raw object's message before its type. */
static void test_secret(void)
{
    struct buf meta = {0}, secret = {0}, type = {0}, unknown = {0}, body = {0};
    str(&meta, 1, "creds");
    sub(&secret, 1, &meta);
    struct buf e = {0};
    str(&e, 1, "bin");
    bytes(&e, 2, "\0\1\2", 3);
    sub(&secret, 2, &e);
    entry(&secret, 4, "user", "admin");
    str(&secret, 3, "kubernetes.io/basic-auth");
    varint(&secret, 5 << 3 | 0), varint(&secret, 1);
    str(&type, 1, "v1"), str(&type, 2, "Secret");
    sub(&unknown, 2, &secret), sub(&unknown, 1, &type);
    memcpy(body.d, "k8s", 4), body.n = 4;
    memcpy(body.d + 4, unknown.d, unknown.n), body.n += unknown.n;
    json_t *obj = NULL;
    orc_error_t err = NULL;
    tap_is_int(api_protobuf_decode(body.d, body.n, &obj, &err), 0, "a Secret decoded");
    tap_is_str(orc_json_str(json_object_get(obj, "data"), "bin"), "AAEC", "bytes as base64");
    tap_is_str(orc_json_str(json_object_get(obj, "stringData"), "user"), "admin", "stringData");
    tap_is_str(orc_json_str(obj, "type"), "kubernetes.io/basic-auth", "type");
    tap_ok(json_is_true(json_object_get(obj, "immutable")), "immutable");
    json_decref(obj);
}

int main(void)
{
    struct buf meta = {0}, ns = {0}, type = {0}, unknown = {0}, body = {0};
    str(&meta, 1, "team-b");
    varint(&meta, 8 << 3 | 0), varint(&meta, 12345); /* generation: a varint, passed over */
    entry(&meta, 11, "tier", "web");
    entry(&meta, 11, "app", "shop");
    entry(&meta, 12, "note", "hi");
    sub(&ns, 1, &meta);
    struct buf spec = {0};
    str(&spec, 1, "kubernetes");
    sub(&ns, 2, &spec);
    str(&type, 1, "v1"), str(&type, 2, "Namespace");
    sub(&unknown, 1, &type), sub(&unknown, 2, &ns);
    str(&unknown, 4, API_PROTOBUF_TYPE);
    memcpy(body.d, "k8s", 4), body.n = 4;
    memcpy(body.d + 4, unknown.d, unknown.n), body.n += unknown.n;

    json_t *obj = NULL;
    orc_error_t err = NULL;
    tap_is_int(api_protobuf_decode(body.d, body.n, &obj, &err), 0, "decoded");
    tap_is_str(orc_json_str(obj, "apiVersion"), "v1", "apiVersion");
    tap_is_str(orc_json_str(obj, "kind"), "Namespace", "kind");
    json_t *m = json_object_get(obj, "metadata");
    tap_is_str(orc_json_str(m, "name"), "team-b", "metadata.name");
    tap_is_str(orc_json_str(json_object_get(m, "labels"), "tier"), "web", "a label");
    tap_is_str(orc_json_str(json_object_get(m, "labels"), "app"), "shop", "another label");
    tap_is_str(orc_json_str(json_object_get(m, "annotations"), "note"), "hi", "an annotation");
    json_decref(obj);

    tap_ok(api_protobuf_decode(body.d, body.n - 3, &obj, &err) == -EBADMSG, "cut short: refused");
    orc_error_release(&err);
    tap_ok(api_protobuf_decode((const unsigned char *) "{\"a\":1}", 7, &obj, &err) == -EBADMSG,
           "JSON: refused");
    orc_error_release(&err);
    unsigned char huge[] = {'k', '8', 's', 0, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f};
    tap_ok(api_protobuf_decode(huge, sizeof(huge), &obj, &err) == -EBADMSG,
           "a length beyond the body: refused");
    orc_error_release(&err);
    test_secret();
    tap_ok(api_protobuf_is_type("application/vnd.kubernetes.protobuf; charset=x"), "its type");
    tap_ok(!api_protobuf_is_type("application/json"), "not JSON");
    return tap_done();
}
