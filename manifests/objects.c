/* SPDX-License-Identifier: Apache-2.0 */
/* The stored kinds besides Pod: their names, and the rules of their updates. */
#include "objects.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

const char *const manifest_object_kinds[] = {
    "ConfigMap", "Secret", "PersistentVolumeClaim", "PersistentVolume", "Namespace", NULL};

bool manifest_kind_namespaced(const char *kind)
{
    return strcmp(kind, "PersistentVolume") != 0 && strcmp(kind, "Namespace") != 0;
}

bool manifest_is_object_kind(const char *kind)
{
    for (size_t i = 0; kind && manifest_object_kinds[i]; i++)
        if (!strcmp(kind, manifest_object_kinds[i]))
            return true;
    return false;
}

char *manifest_kind_resource(const char *kind)
{
    char *r = xasprintf("%ss", kind);
    for (char *c = r; *c; c++)
        *c = (char) tolower((unsigned char) *c);
    return r;
}

static bool same(const json_t *a, const json_t *b)
{
    return (!a && !b) || (a && b && json_equal(a, b));
}

/* The fields of an object its writer owns, besides metadata's labels and annotations. */
static const char *const owned_fields[] = {"data", "binaryData", "immutable", "type", "spec", NULL};

void manifest_object_keep_server_fields(const json_t *old, json_t *obj)
{
    static const char *const fields[] = {"volumeName", "storageClassName", "claimRef"};
    json_t *os = json_object_get(old, "spec"), *ns = json_object_get(obj, "spec");
    for (size_t i = 0; ns && i < ELEMENTSOF(fields); i++)
        if (json_object_get(os, fields[i]) && !json_object_get(ns, fields[i]))
            json_object_set(ns, fields[i], json_object_get(os, fields[i]));
}

bool manifest_object_changed(const json_t *old, const json_t *obj)
{
    const json_t *om = json_object_get(old, "metadata"), *nm = json_object_get(obj, "metadata");
    if (!same(json_object_get(om, "labels"), json_object_get(nm, "labels")) ||
        !same(json_object_get(om, "annotations"), json_object_get(nm, "annotations")))
        return true;
    for (size_t i = 0; owned_fields[i]; i++)
        if (!same(json_object_get(old, owned_fields[i]), json_object_get(obj, owned_fields[i])))
            return true;
    return false;
}

int manifest_object_update_check(const char *kind, const json_t *old, const json_t *obj,
                                 orc_error_t *err)
{
    const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
    name = name ? name : "";
    if (!strcmp(kind, "Secret") &&
        !same(json_object_get(old, "type"), json_object_get(obj, "type")))
        return orc_error_make_as(err, EINVAL,
                                 "Secret \"%s\" is invalid: type: Invalid value: \"%s\": field is "
                                 "immutable",
                                 name, json_string_value(json_object_get(obj, "type")) ?: "");
    if (!strcmp(kind, "PersistentVolumeClaim") || !strcmp(kind, "PersistentVolume")) {
        if (same(json_object_get(old, "spec"), json_object_get(obj, "spec")))
            return 0;
        return orc_error_make_as(err, EINVAL,
                                 !strcmp(kind, "PersistentVolume")
                                     ? "%s \"%s\" is invalid: spec: Forbidden: orc keeps a "
                                       "PersistentVolume's spec as it was created"
                                     : "%s \"%s\" is invalid: spec: Forbidden: spec is "
                                       "immutable after creation except resources.requests and "
                                       "volumeAttributesClassName for bound claims",
                                 kind, name);
    }
    if (!json_is_true(json_object_get(old, "immutable")))
        return 0;
    if (!json_is_true(json_object_get(obj, "immutable")))
        return orc_error_make_as(err, EINVAL,
                                 "%s \"%s\" is invalid: immutable: Forbidden: field is immutable "
                                 "when `immutable` is set",
                                 kind, name);
    if (!same(json_object_get(old, "data"), json_object_get(obj, "data")))
        return orc_error_make_as(err, EINVAL,
                                 "%s \"%s\" is invalid: data: Forbidden: field is immutable when "
                                 "`immutable` is set",
                                 kind, name);
    if (!same(json_object_get(old, "binaryData"), json_object_get(obj, "binaryData")))
        return orc_error_make_as(err, EINVAL,
                                 "%s \"%s\" is invalid: binaryData: Forbidden: field is immutable "
                                 "when `immutable` is set",
                                 kind, name);
    return 0;
}
