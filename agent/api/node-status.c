/* SPDX-License-Identifier: Apache-2.0 */
/* This machine as a Node: registration, status on read, transitions as events. */
#include "api/node-status.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "api/node-object.h"
#include "cleanup.h"
#include "images/registry-manifest.h"
#include "json-util.h"
#include "log.h"
#include "orcd.h"
#include "store/store.h"
#include "sys/node-facts.h"
#include "time-util.h"
#include "xalloc.h"

#define NODE_RUNTIME_VERSION "orc://" ORC_VERSION

struct node_status {
    struct node_facts facts;
    struct store_node node;
    json_t *builtin; /* the labels orc sets */
    char *lease_uid;
    int64_t lease_created_ns;
    long long lease_rv;
    pthread_mutex_t lock;                    /* guards what follows: reads come on any thread */
    const char *status[_NODE_CONDITION_MAX]; /* each condition's status when last read */
    int64_t since[_NODE_CONDITION_MAX];      /* and since when it holds */
};

const char *node_status_name(const struct node_status *n)
{
    return n->facts.name;
}

const json_t *node_status_builtin_labels(const struct node_status *n)
{
    return n->builtin;
}

/* The stored labels with the built-in ones set again, as kubelet sets its labels when it
 * registers (a machine whose architecture or name label changed); *ret_labels what pods are
 * matched against. */
static int register_labels(struct node_status *n, struct store *s, json_t **ret_labels,
                           orc_error_t *err)
{
    json_auto_t *row = NULL;
    if (store_object_get(s, "Node", "", n->facts.name, &row, err) < 0)
        return -1;
    json_t *meta = json_object_get(row, "metadata");
    json_t *labels = node_object_labels_merge(json_object_get(meta, "labels"), n->builtin);
    if (!json_equal(labels, json_object_get(meta, "labels"))) {
        json_object_set(meta, "labels", labels);
        json_object_del(meta, "resourceVersion");
        struct store_write w = {.mode = STORE_WRITE_REPLACE};
        json_auto_t *stored = NULL;
        orc_error_t e = NULL;
        if (store_object_write(s, row, &w, NULL, &stored, &e) < 0) { /* pods match them anyway */
            log_warn("set the node's labels: %s; set at the next start, ignoring",
                     orc_error_message(e));
            orc_error_release(&e);
        }
    }
    *ret_labels = labels;
    return 0;
}

static void record(struct node_status *n, struct store *s, const char *type, const char *reason,
                   const char *message)
{
    /* kubelet's reference to its node: no namespace, the name for the uid */
    struct store_event_ref ref = {"Node", "", n->facts.name, n->facts.name};
    orc_error_t err = NULL;
    if (s && store_event_add(s, &ref, type, reason, message, &err) < 0) {
        log_warn("record the node's event '%s': %s, ignoring", reason, orc_error_message(err));
        orc_error_release(&err);
    }
}

/* Each condition that changed since the last look: a new lastTransitionTime and an event. */
static void observe(struct node_status *n, struct store *s, const struct node_condition_state *c,
                    int64_t now, int64_t ret_since[])
{
    pthread_mutex_lock(&n->lock);
    for (int i = 0; i < _NODE_CONDITION_MAX; i++) {
        if (!n->status[i] || strcmp(n->status[i], c[i].status) != 0) {
            n->status[i] = c[i].status; /* static strings */
            n->since[i] = now;
            _cleanup_free_ char *msg = xasprintf("Node %s status is now: %s", n->facts.name,
                                                 node_condition_event_reason(i, c[i].status));
            record(n, s, "Normal", node_condition_event_reason(i, c[i].status), msg);
        }
        ret_since[i] = n->since[i];
    }
    pthread_mutex_unlock(&n->lock);
}

static int read_lease(struct node_status *n, struct store *s, orc_error_t *err)
{
    json_auto_t *lease = NULL;
    if (store_object_get(s, "Lease", STORE_NODE_LEASE_NAMESPACE, n->facts.name, &lease, err) < 0)
        return -1;
    json_t *meta = json_object_get(lease, "metadata");
    n->lease_uid = xstrdup(orc_json_str(meta, "uid") ?: "");
    n->lease_rv = strtoll(orc_json_str(meta, "resourceVersion") ?: "0", NULL, 10);
    int64_t created = 0;
    (void) orc_time_parse_rfc3339(orc_json_str(meta, "creationTimestamp") ?: "", &created);
    n->lease_created_ns = created;
    return 0;
}

int node_status_start(struct orcd *o, orc_error_t *err)
{
    struct node_status *n = xzalloc(sizeof(*n));
    pthread_mutex_init(&n->lock, NULL);
    o->node = n;
    if (node_facts_read(&n->facts, err) < 0 ||
        store_node_register(o->store, n->facts.name, &n->node, err) < 0 ||
        read_lease(n, o->store, err) < 0)
        return -1;
    struct pod_config *pc = &o->config.pod;
    n->builtin = node_object_labels(n->facts.name, registry_host_architecture());
    if (register_labels(n, o->store, &pc->node_labels, err) < 0)
        return -1;
    pc->node_name = xstrdup(n->facts.name);
    pc->node_cpu_milli = n->facts.cpus * 1000LL;
    pc->node_memory = n->facts.memory;
    store_set_node_name(o->store, n->facts.name);
    /* what kubelet records when it starts: its start, then each condition as first seen */
    record(n, o->store, "Normal", "Starting", "Starting orcd.");
    struct node_usage u;
    node_usage_read(o->paths.data_dir, &u);
    pc->node_storage = u.storage; /* the node's capacity, as the Node shows it */
    struct node_condition_state c[_NODE_CONDITION_MAX] = {0};
    node_conditions_eval(&u, &(struct node_health){0}, c);
    int64_t since[_NODE_CONDITION_MAX];
    observe(n, o->store, c, orc_time_now_ns(), since);
    node_conditions_done(c);
    return 0;
}

struct node_status *node_status_free(struct node_status *n)
{
    if (!n)
        return NULL;
    node_facts_done(&n->facts);
    store_node_done(&n->node);
    json_decref(n->builtin);
    free(n->lease_uid);
    pthread_mutex_destroy(&n->lock);
    free(n);
    return NULL;
}

/* orcd's health checks, as the conditions take them (whys allocated in why[]). */
static void health(struct orcd *o, struct store *s, char *why[3], struct node_health *ret)
{
    static const char *const names[] = {"loop", "store", "userns"};
    for (size_t i = 0; i < ELEMENTSOF(names); i++)
        if (api_health_check(o, names[i], &why[i]) < 0)
            why[i] = NULL;
    *ret = (struct node_health){.loop = why[0],
                                .store = why[1],
                                .runtime = why[2],
                                .disk_full = s && store_reserve_used(s)};
}

/* The stored row's labels, annotations and resourceVersion into v (kept by the caller). */
static void stored_meta(struct node_status *n, struct store *s, const json_t *row, json_t **keep,
                        struct node_view *v)
{
    orc_error_t err = NULL;
    if (!row && s && store_object_get(s, "Node", "", n->facts.name, keep, &err) < 0)
        orc_error_release(&err); /* the node as registered; the store's check says why */
    const json_t *meta = json_object_get(row ? row : *keep, "metadata");
    if (!meta)
        return;
    v->labels = json_object_get(meta, "labels");
    v->annotations = json_object_get(meta, "annotations");
    v->resource_version = strtoll(orc_json_str(meta, "resourceVersion") ?: "0", NULL, 10);
}

json_t *node_status_node_json(struct orcd *o, struct store *s, const json_t *row)
{
    struct node_status *n = o->node;
    struct node_usage u;
    node_usage_read(o->paths.data_dir, &u);
    char *why[3] = {0};
    struct node_health h;
    health(o, s, why, &h);
    struct node_condition_state c[_NODE_CONDITION_MAX] = {0};
    node_conditions_eval(&u, &h, c);
    int64_t now = orc_time_now_ns(), since[_NODE_CONDITION_MAX];
    observe(n, s, c, now, since);
    struct node_view v = {.name = n->facts.name,
                          .uid = n->node.uid,
                          .created_ns = n->node.created_ns,
                          .resource_version = n->node.resource_version,
                          .facts = &n->facts,
                          .usage = &u,
                          .architecture = registry_host_architecture(),
                          .kubelet_version = ORC_KUBE_VERSION,
                          .runtime_version = NODE_RUNTIME_VERSION,
                          .address = POD_NODE_HOST_IP,
                          .max_pods = o->config.pod.max_pods,
                          /* the API's HTTPS port, where kubectl reaches this node */
                          .kubelet_port = o->tls ? o->config.secure_port : 0,
                          .conditions = c,
                          .transitions = since,
                          .now_ns = now};
    json_auto_t *kept = NULL;
    stored_meta(n, s, row, &kept, &v);
    json_t *node = node_object_json(&v);
    node_conditions_done(c);
    for (size_t i = 0; i < ELEMENTSOF(why); i++)
        free(why[i]);
    return node;
}

json_t *node_status_lease_json(struct orcd *o)
{
    struct node_status *n = o->node;
    /* the loop is alive while it waits or its turn is short; a stuck turn renewed it last
     * when it began */
    int64_t now = orc_time_now_ns(), busy = loop_busy_ns(&o->loop);
    _cleanup_free_ char *why = NULL;
    bool alive = api_health_check(o, "loop", &why) == 0 && !why;
    struct lease_view v = {.node_name = n->facts.name,
                           .node_uid = n->node.uid,
                           .uid = n->lease_uid,
                           .created_ns = n->lease_created_ns,
                           .resource_version = n->lease_rv,
                           .renew_ns = alive ? now : now - busy};
    return node_lease_json(&v);
}
