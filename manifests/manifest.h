/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Kubernetes manifests: YAML text -> validated, normalised, typed objects.
 * Pure logic, no I/O beyond the buffer handed in.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "pod-host.h"
#include "volumes.h"

struct security_context; /* security-context.h */

#define MANIFEST_MAX_BYTES (3u * 1024 * 1024) /* whole stream */
#define MANIFEST_MAX_DEPTH 100
#define MANIFEST_MAX_NODES 1000000u /* after alias expansion: billion laughs stop here */

enum pull_policy {
    PULL_ALWAYS,
    PULL_IF_NOT_PRESENT,
    PULL_NEVER,
    _PULL_POLICY_MAX,
    _PULL_POLICY_INVALID = -22,
};

/* A container's JSON key recording that its imagePullPolicy was implied, not written. */
#define MANIFEST_PULL_POLICY_IMPLIED "orc.dev/imagePullPolicyImplied"

enum restart_policy {
    RESTART_ALWAYS,
    RESTART_ON_FAILURE,
    RESTART_NEVER,
    _RESTART_POLICY_MAX,
    _RESTART_POLICY_INVALID = -22,
};

/* terminationMessagePolicy: where kubelet takes a container's termination message from. */
enum termination_message_policy {
    TERMINATION_MESSAGE_FILE,                      /* the file at terminationMessagePath */
    TERMINATION_MESSAGE_FALLBACK_TO_LOGS_ON_ERROR, /* or, empty after a failure, the log's tail */
    _TERMINATION_MESSAGE_POLICY_MAX,
    _TERMINATION_MESSAGE_POLICY_INVALID = -22,
};

/* terminationMessagePath's default, as the API server fills it in. */
#define MANIFEST_TERMINATION_MESSAGE_PATH "/dev/termination-log"

struct env_var {
    char *name;
    char *value;        /* "" with value_from */
    json_t *value_from; /* valueFrom as Kubernetes JSON, NULL = none: {"fieldRef": {"apiVersion":
                           "v1", "fieldPath"}}, {"resourceFieldRef": {"resource", "divisor"[,
                           "containerName"]}} or {"configMapKeyRef"|"secretKeyRef": {"name",
                           "key"[, "optional"]}} */
};

struct container_port {
    char *name;         /* may be NULL */
    int container_port; /* 1-65535 */
    int host_port;      /* 0 = none */
    char *protocol;     /* "TCP" (default), "UDP", "SCTP" */
    char *host_ip;      /* may be NULL */
};

/* resources.limits and .requests for cpu and memory; 0 = not set. Requests default to
 * limits, as in Kubernetes. */
struct container_resources {
    int64_t cpu_limit, cpu_request;       /* thousandths of a CPU */
    int64_t memory_limit, memory_request; /* bytes */
    int64_t storage_request;              /* requests.ephemeral-storage, bytes: only reported
                                             (downward API); orc reserves no disk */
};

struct container {
    char *name;
    char *image;
    enum pull_policy pull_policy; /* defaulted as Kubernetes: Always for :latest/untagged */
    bool pull_policy_implied;     /* not written: the default (in JSON as
                                     MANIFEST_PULL_POLICY_IMPLIED: true) */
    char **command;               /* NULL-terminated; NULL = image entrypoint */
    char **args;                  /* NULL-terminated; NULL = image cmd */
    struct env_var *env;
    size_t n_env;
    json_t *env_from;  /* envFrom[] as Kubernetes JSON ([{["prefix",] "configMapRef"|"secretRef":
                          {"name"[, "optional"]}}]), NULL = none */
    char *working_dir; /* NULL = image's */
    struct container_port *ports;
    size_t n_ports;
    struct container_resources resources;
    struct volume_mount *mounts; /* volumeMounts (volumes.h) */
    size_t n_mounts;
    struct security_context *security; /* securityContext, NULL = not written */
    bool tty;        /* a terminal for stdin, stdout and stderr (its output: the "stdout" log) */
    bool stdin_open; /* stdin: kept open for the container's life, empty until an attach */
    bool stdin_once; /* stdinOnce: stdin closed when the first attach session ends */
    char *termination_message_path; /* absolute; default MANIFEST_TERMINATION_MESSAGE_PATH */
    enum termination_message_policy termination_message_policy; /* default File */
};

struct pod {
    char *name;
    char *namespace;     /* default "default" */
    json_t *labels;      /* object of strings, never NULL */
    json_t *annotations; /* object of strings, never NULL */
    struct container *containers;
    size_t n_containers;
    char *service_account_name;               /* spec.serviceAccountName (or serviceAccount);
                                                 NULL = not written, Kubernetes' "default" */
    char *node_name;                          /* spec.nodeName: the node the pod is bound to;
                                                 NULL = not written (the agent binds it) */
    enum restart_policy restart_policy;       /* default Always */
    int64_t termination_grace_period_seconds; /* default 30 */
    struct pod_host host;   /* hostname, DNS, shared namespaces, deadline (pod-host.h) */
    struct volume *volumes; /* spec.volumes (volumes.h) */
    size_t n_volumes;
    struct security_context *security; /* spec.securityContext, NULL = not written */
    char **image_pull_secrets;         /* spec.imagePullSecrets' names in order ("" kept, as the
                                          API keeps an entry without a name); NULL = none */
};

/* One diagnostic: "file:line:col: path: message". line/col are 1-based, 0 = unknown. */
struct manifest_diag {
    char *file;
    int line;
    int column;
    char *path; /* e.g. "spec.containers[0].ports[0].containerPort" */
    char *message;
    bool unknown_field; /* a warning about a field Kubernetes does not know (its path is in the
                           message): what the API's strict field validation refuses */
};

/* One document of a stream after parsing and validation. */
struct manifest_doc {
    char *api_version;
    char *kind;
    int line;        /* where the document starts */
    struct pod *pod; /* for kind Pod */
    json_t *object;  /* for the other stored kinds (objects.h): normalised Kubernetes JSON */
};

struct manifest_result {
    struct manifest_doc *docs;
    size_t n_docs;
    struct manifest_diag *errors; /* non-empty = the stream must be rejected whole */
    size_t n_errors;
    struct manifest_diag *warnings; /* unknown fields, fields not implemented yet */
    size_t n_warnings;
};

/*
 * Parses a YAML stream (block or flow style, several documents, comments) and validates
 * every document of kind Pod, ConfigMap or Secret (apiVersion v1); documents of other kinds
 * are errors (one for all of them). Returns 0 when the stream parsed and validated (errors empty),
 * -EINVAL with result->errors filled when the input is bad. *ret is always set on return >= 0 and
 * on -EINVAL; empty documents are skipped. "file" names the input in diagnostics. Errors
 * and warnings are each in the order of their positions (line, then column).
 */
int manifest_parse(const char *buf, size_t len, const char *file, struct manifest_result **ret);

enum manifest_parse_flags {
    /* documents of kinds orc does not serve yet are skipped with one warning, instead of
     * one error about all of them that refuses the stream */
    MANIFEST_SKIP_UNSUPPORTED = 1 << 0,
};
/* ns: the namespace of documents that name none (NULL: "default"); a namespaced document
 * that names another is an error, as kubectl's --namespace makes it. */
int manifest_parse_with(const char *buf, size_t len, const char *file, const char *ns,
                        enum manifest_parse_flags flags, struct manifest_result **ret);
struct manifest_result *manifest_result_free(struct manifest_result *r);

/* For input over MANIFEST_MAX_BYTES, the diagnostic manifest_parse gives, formatted: it names
 * the largest document ("file:4:1: input is N bytes, ...: Pod \"big\" alone is M bytes"),
 * found without building a tree. NULL within the limit. Caller frees. */
char *manifest_check_size(const char *buf, size_t len, const char *file);

/* "file:line:col: path: message" (omits what is unknown). Caller frees. */
char *manifest_diag_format(const struct manifest_diag *d);

/* Normalised Kubernetes JSON of a pod (metadata.name/namespace/labels/annotations, spec
 * with defaults filled). Uid, resourceVersion etc. are added by the agent. */
json_t *pod_to_json(const struct pod *pod);
/* Inverse of pod_to_json, for objects read back from the store (trusted, still checked). */
int pod_from_json(const json_t *j, struct pod **ret, orc_error_t *err);
struct pod *pod_free(struct pod *pod);
const struct container *pod_find_container(const struct pod *pod, const char *name);

const char *pull_policy_to_string(enum pull_policy p);
enum pull_policy pull_policy_from_string(const char *s);
const char *restart_policy_to_string(enum restart_policy p);
enum restart_policy restart_policy_from_string(const char *s);
const char *termination_message_policy_to_string(enum termination_message_policy p);
enum termination_message_policy termination_message_policy_from_string(const char *s);

/* Kubernetes name rules. */
bool manifest_is_dns1123_label(const char *s);     /* container names, namespaces */
bool manifest_is_dns1123_subdomain(const char *s); /* pod names */
/* The name part of a label key, and a label value when not empty: len bytes of alphanumerics,
 * '-', '_' and '.', starting and ending alphanumeric (any length: callers check theirs). */
bool manifest_is_label_name(const char *s, size_t len);
/* An environment variable's name as Kubernetes' IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*, not
 * "." nor "..", not starting with "..". */
bool manifest_is_env_var_name(const char *s);
