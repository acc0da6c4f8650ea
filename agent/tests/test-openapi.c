/* SPDX-License-Identifier: Apache-2.0 */
/* The OpenAPI v3 documents built in: the paths of exactly the resources orcd serves (the
 * resource table against manifests/openapi/served.list), every schema they reference,
 * kube-apiserver's hashes, and what kubectl looks for before it validates on the server. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "api/openapi.h"
#include "api/resources.h"
#include "cleanup.h"
#include "json-util.h"
#include "strv.h"
#include "tap.h"
#include "xalloc.h"

static char *doc_path(const struct api_resource *res)
{
    return *res->group ? xasprintf("apis/%s/%s", res->group, res->version)
                       : xasprintf("api/%s", res->version);
}

/* Every path a resource may have in Kubernetes' documents. */
static char **resource_paths(const struct api_resource *res, char **v)
{
    _cleanup_free_ char *doc = doc_path(res);
    _cleanup_free_ char *base = res->namespaced
                                    ? xasprintf("/%s/namespaces/{namespace}/%s", doc, res->name)
                                    : xasprintf("/%s/%s", doc, res->name);
    char *p;
    v = strv_push(v, base);
    v = strv_push(v, p = xasprintf("%s/{name}", base)), free(p);
    v = strv_push(v, p = xasprintf("/%s/%s", doc, res->name)), free(p);
    for (const struct api_subresource *sub = res->subresources; sub && sub->name; sub++)
        v = strv_push(v, p = xasprintf("%s/{name}/%s", base, sub->name)), free(p);
    return v;
}

static json_t *load(const struct openapi_doc *d)
{
    json_t *j = json_loadb(d->text, d->len, 0, NULL);
    tap_ok(j != NULL, "%s: parses", d->path);
    return j;
}

static void check_hash(const struct openapi_doc *d)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
    EVP_Digest(d->text, d->len, md, &len, EVP_sha512(), NULL);
    for (unsigned i = 0; i < len; i++)
        sprintf(hex + 2 * i, "%02X", md[i]);
    tap_is_str(d->hash, hex, "'%s': the hash is the SHA-512 of the text", d->path);
}

/* Every $ref of v names a schema of the document. */
static size_t dangling_refs(const json_t *v, const json_t *schemas)
{
    size_t n = 0;
    const char *key;
    json_t *child;
    size_t i;
    if (json_is_object(v))
        json_object_foreach((json_t *) v, key, child) {
            const char *ref = json_string_value(child);
            if (!strcmp(key, "$ref") && ref)
                n += !json_object_get(schemas, ref + strlen("#/components/schemas/"));
            else
                n += dangling_refs(child, schemas);
        }
    else if (json_is_array(v))
        json_array_foreach(v, i, child)
            n += dangling_refs(child, schemas);
    return n;
}

static void check_docs(char **expected)
{
    json_auto_t *index = load(&openapi_index);
    check_hash(&openapi_index);
    for (const struct openapi_doc *d = openapi_docs; d->path; d++) {
        json_auto_t *doc = load(d);
        check_hash(d);
        _cleanup_free_ char *url = xasprintf("/openapi/v3/%s?hash=%s", d->path, d->hash);
        json_t *entry = json_object_get(json_object_get(index, "paths"), d->path);
        tap_is_str(orc_json_str(entry, "serverRelativeURL"), url, "the index links %s", d->path);
        tap_is_str(orc_json_str(doc, "openapi"), "3.0.0", "%s: OpenAPI 3.0.0", d->path);
        const char *path;
        json_t *item;
        json_object_foreach(json_object_get(doc, "paths"), path, item)
            tap_ok(strv_contains(expected, path), "%s: %s is a path of a served resource", d->path,
                   path);
        json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
        tap_is_int(dangling_refs(doc, schemas), 0, "%s: every $ref resolves", d->path);
    }
    tap_ok(openapi_find("api/v2") == NULL, "no document for what is not served");
}

/* kubectl validates on the server (--validate=strict sends fieldValidation=Strict) when the
 * PATCH of the object's path carries the kind and the parameter. */
static void check_field_validation(void)
{
    const struct openapi_doc *d = openapi_find("api/v1");
    json_auto_t *doc = d ? json_loadb(d->text, d->len, 0, NULL) : NULL;
    json_t *patch = json_object_get(json_object_get(json_object_get(doc, "paths"),
                                                    "/api/v1/namespaces/{namespace}/pods/{name}"),
                                    "patch");
    json_t *gvk = json_object_get(patch, "x-kubernetes-group-version-kind");
    tap_is_str(orc_json_str(gvk, "kind"), "Pod", "the pod's PATCH names its kind");
    bool found = false;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(patch, "parameters"), i, p)
        found |= !strcmp(orc_json_str(p, "name") ?: "", "fieldValidation");
    tap_ok(found, "and takes fieldValidation");
}

int main(void)
{
    char **expected = NULL;
    for (const struct api_resource *res = api_resource_table; res->name; res++) {
        _cleanup_free_ char *doc_name = doc_path(res);
        const struct openapi_doc *d = openapi_find(doc_name);
        tap_ok(d != NULL, "a document for %s (%s)", res->name, doc_name);
        json_auto_t *doc = d ? json_loadb(d->text, d->len, 0, NULL) : NULL;
        char **paths = resource_paths(res, NULL);
        /* the collection and each subresource; the rest as Kubernetes has them */
        for (size_t i = 0; paths[i]; i++)
            if (i == 0 || i > 2)
                tap_ok(json_object_get(json_object_get(doc, "paths"), paths[i]) != NULL,
                       "%s has %s: a line in manifests/openapi/served.list", doc_name, paths[i]);
        strv_free(paths);
        expected = resource_paths(res, expected);
    }
    check_docs(expected);
    check_field_validation();
    strv_free(expected);
    return tap_done();
}
