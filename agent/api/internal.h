/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/k8s-path.h"
#include "error.h"

/* The Kubernetes version orc's API follows, with orc's own: kubectl reads its minor version
 * from gitVersion (the version skew warning), so it leads. */
#define ORC_KUBE_VERSION "v1.32.0-orc." ORC_VERSION

struct orcd;
struct store;
struct api_resource;
struct pod_table;

/* One request being handled (thread-per-connection: handlers may block). */
struct request {
    struct orcd *o;
    struct MHD_Connection *conn;
    const char *method;
    char *segs[8]; /* URL path split at '/' */
    size_t n_segs;
    struct k8s_path path;           /* what a Kubernetes API path names */
    const struct api_resource *res; /* the resource it names, once routed */
    struct pod_table *pod_table;    /* the API's cache of pod Table rows */
    char *body;
    size_t body_len;
    bool too_large;
    char **warnings; /* sent as Warning headers with the reply (api_warn) */
    bool tcp;        /* on the TCP listener (authenticated) rather than the unix socket */
};

/* A warning for the client, sent with whatever reply the request gets as a "Warning: 299 -
 * "text"" header, as kube-apiserver sends them (kubectl prints "Warning: text"); repeats are
 * sent once. */
void api_warn(struct request *r, const char *text);
/* Queues resp (with the warnings) and releases it: every reply goes through here. */
enum MHD_Result api_queue_response(struct request *r, unsigned code, struct MHD_Response *resp);

/* Responses; each queues and returns the MHD result. */
enum MHD_Result api_reply_json(struct request *r, unsigned code, json_t *body);
/* A reply whose JSON text is ready (takes text, len bytes). */
enum MHD_Result api_reply_json_text(struct request *r, unsigned code, char *text, size_t len);
enum MHD_Result api_reply_text(struct request *r, unsigned code, const char *text);
/* A Kubernetes Status error: reason is e.g. "NotFound"; details may be NULL (stolen). */
enum MHD_Result api_reply_status(struct request *r, unsigned code, const char *reason,
                                 const char *message, json_t *details);
/* A Kubernetes Status object (details may be NULL, stolen) and its reply, with its code. */
json_t *api_status_new(unsigned code, const char *reason, const char *message, json_t *details);
enum MHD_Result api_reply_status_json(struct request *r, json_t *status);
/* Maps an orc error to a Status and releases it: ENOENT 404 NotFound, EINVAL 422 Invalid,
 * EEXIST 409 AlreadyExists, EBUSY and ESTALE 409 Conflict, EBADMSG 400 BadRequest, ENOTSUP
 * 406 NotAcceptable, EKEYEXPIRED 410 Expired, ETIMEDOUT 504 Timeout, else 500; kind and name
 * go to its details (name NULL: none). */
json_t *api_status_from_error(orc_error_t *err, const char *kind, const char *name);
enum MHD_Result api_reply_error(struct request *r, orc_error_t *err, const char *kind,
                                const char *name);
const char *api_query(struct request *r, const char *key);
bool api_query_bool(struct request *r, const char *key);
/* Whether the query has key at all ("?verbose" has no value). */
bool api_query_has(struct request *r, const char *key);
int api_open_store(struct request *r, struct store **ret, orc_error_t *err);

/* health.c: /healthz, /livez, /readyz (and /NAME of one check); the debug hook */
enum MHD_Result api_health(struct request *r);
enum MHD_Result api_debug_block_loop(struct request *r);
/* Runs the named check ("loop", "store", "userns"): *ret_why NULL when it passed, else why
 * not (allocated); -ENOENT for no such check. */
int api_health_check(struct orcd *o, const char *name, char **ret_why);

/* openapi.c: /openapi/v3 and its documents */
enum MHD_Result api_openapi(struct request *r);

enum MHD_Result api_apply(struct request *r);
/* Kubernetes resources' handlers (resources.h): r->path names the object */
enum MHD_Result api_pods_list(struct request *r);
enum MHD_Result api_pod_get(struct request *r);
enum MHD_Result api_events_list(struct request *r);
enum MHD_Result api_event_get(struct request *r);
enum MHD_Result api_nodes_list(struct request *r);
enum MHD_Result api_node_get(struct request *r);
/* node-write.c: PATCH and PUT of the Node's labels and annotations. */
enum MHD_Result api_node_patch(struct request *r);
enum MHD_Result api_node_replace(struct request *r);
enum MHD_Result api_leases_list(struct request *r);
enum MHD_Result api_lease_get(struct request *r);
enum MHD_Result api_namespaces_list(struct request *r);
enum MHD_Result api_namespace_get(struct request *r);
enum MHD_Result api_namespace_create(struct request *r);
enum MHD_Result api_namespace_delete(struct request *r);
/* objects.c: the kinds besides pods users write (ConfigMap, Secret), by r->res->kind */
enum MHD_Result api_objects_list(struct request *r);
enum MHD_Result api_object_get(struct request *r);
enum MHD_Result api_object_create(struct request *r);
enum MHD_Result api_object_replace(struct request *r);
enum MHD_Result api_object_patch(struct request *r);
enum MHD_Result api_object_delete(struct request *r);
/* watch.c: ?watch=true on a collection (pods, events) */
enum MHD_Result api_watch(struct request *r);
enum MHD_Result api_logs(struct request *r);
enum MHD_Result api_images_list(struct request *r);
enum MHD_Result api_images_load(struct request *r);
enum MHD_Result api_images_pull(struct request *r);
enum MHD_Result api_images_prune(struct request *r);
enum MHD_Result api_images_inspect(struct request *r, const char *ref);
enum MHD_Result api_images_remove(struct request *r, const char *ref);

/* tls.c: the TCP listener's parts for api.c, the credential check, the kubeconfig */
struct api_tls;
int api_tls_take_fd(struct api_tls *t);
const struct MHD_OptionItem *api_tls_options(const struct api_tls *t);
uint16_t api_tls_port(const struct api_tls *t);
/* Whether the request carries a credential: a client certificate the user's CA issued for
 * clients, or the user's bearer token; logs a refusal at debug level. */
bool api_tls_authenticated(struct request *r, const char *url);
/* 401 with kube-apiserver's Status: reason and message "Unauthorized". */
enum MHD_Result api_reply_unauthorized(struct request *r);
enum MHD_Result api_kubeconfig(struct request *r);
