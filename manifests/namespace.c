/* SPDX-License-Identifier: Apache-2.0 */
/* Namespace documents: name, labels and annotations; spec.finalizers as the API server
 * keeps them ("kubernetes", which orc's namespace deletion stands for). */
#include <string.h>

#include "cleanup.h"
#include "decode.h"
#include "objects.h"
#include "strv.h"

/* spec.finalizers: the server's to run; the stored object always has "kubernetes". */
static bool decode_spec_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                              void *ctx)
{
    (void) ctx;
    if (strcmp(k->value, "finalizers"))
        return false;
    _cleanup_(strv_freep) char **finalizers = NULL;
    (void) decode_strv(d, v, &finalizers); /* checked for its type, then dropped */
    return true;
}

static bool decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v, void *ctx)
{
    if (!strcmp(k->value, "spec")) {
        (void) decoder_each_field(d, v, decode_spec_field, ctx);
        return true;
    }
    return !strcmp(k->value, "apiVersion") || !strcmp(k->value, "kind") ||
           !strcmp(k->value, "metadata") || !strcmp(k->value, "status");
}

json_t *decode_namespace(struct decoder *d, const struct ynode *root)
{
    json_t *obj = json_pack("{s:s,s:s,s:{}}", "apiVersion", "v1", "kind", "Namespace", "metadata");
    (void) decoder_each_field(d, root, decode_field, NULL);
    json_t *meta = json_object_get(obj, "metadata");
    decode_object_meta(d, root, meta);
    json_object_del(meta, "namespace"); /* cluster-scoped */
    const char *name = json_string_value(json_object_get(meta, "name"));
    if (name && *name && manifest_is_dns1123_subdomain(name) && !manifest_is_dns1123_label(name))
        decoder_error(d, ynode_find(ynode_find(root, "metadata"), "name"), "metadata.name",
                      "Invalid value: \"%s\": a lowercase RFC 1123 label must consist of lower "
                      "case alphanumeric characters or '-', and must start and end with an "
                      "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                      "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                      name);
    return obj;
}
