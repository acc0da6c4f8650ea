/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Typed reading of YAML nodes with diagnostics (file:line:col: path: message). */
#include <stdbool.h>
#include <stdint.h>

#include "manifest.h"
#include "yaml-tree.h"

#define MANIFEST_MAX_DIAGS 100

struct decoder {
    const char *file;
    struct manifest_result *result;
    char **bad_values; /* paths of the current document whose value had the wrong type */
    const char *ns;    /* where documents without a namespace go (orc apply -n); NULL: default */
    char path[1024];
};

void decoder_error(struct decoder *d, const struct ynode *at, const char *field, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));
void decoder_warn(struct decoder *d, const struct ynode *at, const char *field, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/* "Required value" (and detail, if any) for field under the current path, unless a value
 * there or above it had the wrong type: that is reported once, not also as missing. */
void decoder_required(struct decoder *d, const struct ynode *at, const char *field,
                      const char *detail);

/* Path handling: push ".name" or "[i]", pop to a saved length. */
size_t decoder_push_key(struct decoder *d, const char *key);
size_t decoder_push_index(struct decoder *d, size_t i);
/* "[key]": a key of a map of data, as Kubernetes names it ("data[tls.crt]") */
size_t decoder_push_subscript(struct decoder *d, const char *key);
void decoder_pop(struct decoder *d, size_t saved);

/* Implicit typing of a scalar as Kubernetes' YAML does. */
enum scalar_type {
    SCALAR_STRING,
    SCALAR_INT,
    SCALAR_FLOAT,
    SCALAR_BOOL,
    SCALAR_NULL,
    _SCALAR_TYPE_MAX,
    _SCALAR_TYPE_INVALID = -22,
};
enum scalar_type scalar_type_of(const struct ynode *n);
bool ynode_is_null(const struct ynode *n);

/* Readers: on a type mismatch they record an error (and the path in bad_values) and return
 * false. */
bool decode_string(struct decoder *d, const struct ynode *n, char **ret);
bool decode_int(struct decoder *d, const struct ynode *n, int64_t min, int64_t max, int64_t *ret);
bool decode_bool(struct decoder *d, const struct ynode *n, bool *ret);
bool decode_strv(struct decoder *d, const struct ynode *n, char ***ret);
bool decode_string_map(struct decoder *d, const struct ynode *n, json_t **ret);
bool expect_kind(struct decoder *d, const struct ynode *n, enum ynode_kind kind);

/* Mappings: duplicate keys are reported (true when there are none); a repeated key is then
 * skipped, so that the first value stands. */
bool decoder_check_keys(struct decoder *d, const struct ynode *map);
bool ynode_key_repeats(const struct ynode *map, size_t i);
/* A field orc does not know, in kubectl's words: unknown field "spec.containers[0].imagex". */
void decoder_unknown_field(struct decoder *d, const struct ynode *k);

/* One field of a mapping, with its key on the path; false: a field it does not know. */
typedef bool (*decode_field_fn)(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                void *ctx);
/* Each field of the mapping n in order, to field(): repeated keys (reported, the first value
 * stands) and null values (nothing asked for) are skipped, a key field() does not know is an
 * unknown field. False when n is no mapping (reported). */
bool decoder_each_field(struct decoder *d, const struct ynode *n, decode_field_fn field, void *ctx);

/* The namespace of a namespaced document that names none: d->ns (orc apply -n), else
 * "default". */
const char *decoder_default_namespace(const struct decoder *d);
/* False (reported as kubectl reports it) when a document names another namespace than -n. */
bool decoder_namespace_matches(struct decoder *d, const struct ynode *at, const char *written);

/* After each document: forgets its bad values. */
void decoder_end_document(struct decoder *d);

/* Fields orc does not implement yet (unsupported.c), as manifests/README.md classifies them:
 * when k is one, it is warned about or refused and true is returned. */
enum field_scope {
    FIELDS_POD_SPEC,
    FIELDS_CONTAINER,
    _FIELD_SCOPE_MAX,
    _FIELD_SCOPE_INVALID = -22,
};
bool unsupported_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                       enum field_scope scope);
/* A resource other than cpu and memory in resources.limits (limit) or .requests. */
void unsupported_resource(struct decoder *d, const struct ynode *k, bool limit);

/* oversize.c: for input over MANIFEST_MAX_BYTES, 1 with the message naming its largest
 * document and that document's line (0 when unknown); else 0. */
int manifest_oversize(const char *buf, size_t len, int *ret_line, char **ret_msg);

/* Objects other than pods (object-meta.c, configmap.c, secret.c): the document as its
 * normalised Kubernetes JSON (apiVersion, kind, metadata{name, namespace, labels?,
 * annotations?} and the kind's own fields), validated; NULL never. */
json_t *decode_configmap(struct decoder *d, const struct ynode *root);
json_t *decode_secret(struct decoder *d, const struct ynode *root);
json_t *decode_persistent_volume_claim(struct decoder *d, const struct ynode *root); /* pv.c */
json_t *decode_persistent_volume(struct decoder *d, const struct ynode *root);       /* pv.c */
json_t *decode_namespace(struct decoder *d, const struct ynode *root); /* namespace.c */
/* Fields of metadata the server owns (uid, resourceVersion, ...): taken from the stored object,
 * never from a document; NULL-terminated. */
extern const char *const object_meta_server_fields[];
/* metadata of a namespaced object of kind into meta (name, namespace defaulted to "default",
 * labels, annotations; server-owned fields passed over), validated as Kubernetes does. */
void decode_object_meta(struct decoder *d, const struct ynode *root, json_t *meta);
/* A map of config keys (data, binaryData, stringData) at n into *ret (an object): keys
 * checked (manifest_is_config_key), values strings; base64: each value must decode, and the
 * decoded length is added to *size (else the text's length). */
void decode_config_map_of(struct decoder *d, const struct ynode *n, bool base64, json_t **ret,
                          size_t *size);
/* The node of key in a mapping, or NULL. */
const struct ynode *ynode_find(const struct ynode *map, const char *key);

/* Pod decoding and validation (pod.c). */
struct pod *decode_pod(struct decoder *d, const struct ynode *root);
/* A label or annotation key: [DNS subdomain "/"] name of 63 characters at most. */
bool pod_qualified_key_ok(const char *key);

/* value-from.c: env[].valueFrom into *ret (its JSON as stored; NULL when it gives nothing),
 * validated as the API server does, refused where orc cannot give the value; returns the
 * number of sources named. envFrom into *ret (its JSON as stored), validated likewise. */
int decode_value_from(struct decoder *d, const struct ynode *n, json_t **ret);
void decode_env_from(struct decoder *d, const struct ynode *n, json_t **ret);

/* pod-host.c: spec.hostname, subdomain, hostAliases, dnsPolicy, dnsConfig,
 * shareProcessNamespace, hostNetwork, hostIPC and hostPID into h (true when k is one of them);
 * then the checks between them and the containers' ports, once the spec is read. */
bool pod_host_decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                           struct pod_host *h);
void pod_host_validate(struct decoder *d, const struct ynode *spec, struct pod *pod);
/* A container's tty, stdin and stdinOnce, terminationMessagePath (absolute) and
 * terminationMessagePolicy into c (true when k is one of them). */
bool container_host_decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                 struct container *c);

/* node-affinity.c: spec.nodeSelector, affinity and tolerations into h (true when k is one). */
bool node_affinity_decode_field(struct decoder *d, const struct ynode *k, const struct ynode *v,
                                struct pod_host *h);
/* pod.c: a map's keys as label keys and its values as label values, errors at node's keys. */
void validate_label_map(struct decoder *d, const struct ynode *node, json_t *map);
