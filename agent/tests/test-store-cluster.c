/* SPDX-License-Identifier: Apache-2.0 */
/* The store's node, namespaces, pods' binding and events of any kind; the schema migration. */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "manifest.h"
#include "pod-parse.h"
#include "store/schema-sql.h"
#include "store/store.h"
#include "tap.h"
#include "xalloc.h"

/* A pod of namespace ns with spec lines extra. */
static struct pod *pod_in(const char *ns, const char *name, const char *image, const char *extra)
{
    _cleanup_free_ char *yaml =
        xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s}\nspec:\n%s"
                  "  containers: [{name: c, image: %s}]\n",
                  name, ns, extra, image);
    return pod_of(yaml);
}

static int apply(struct store *s, const char *ns, const char *name, const char *image,
                 const char *extra, enum apply_action *act, orc_error_t *err)
{
    struct pod *p = pod_in(ns, name, image, extra);
    int r = store_apply_pods(s, &p, 1, act, err);
    pod_free(p);
    return r;
}

static char *node_name_of(struct store *s, const char *ns, const char *name)
{
    json_auto_t *pod = NULL;
    if (store_pod_get(s, ns, name, &pod, NULL) < 0)
        return NULL;
    const char *n = orc_json_str(json_object_get(pod, "spec"), "nodeName");
    return n ? xstrdup(n) : NULL;
}

static size_t count_kind(struct store *s, const char *kind)
{
    json_auto_t *items = NULL;
    if (store_object_list(s, kind, NULL, &items, NULL) < 0)
        return 0;
    return json_array_size(items);
}

/* A database as orcd of schema version 1 left it: a pod (unbound) and an event. */
static void make_v1_database(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    sqlite3_exec(db, schema_v1_sql, NULL, NULL, NULL);
    sqlite3_exec(
        db,
        "PRAGMA user_version = 1;"
        "INSERT INTO objects VALUES ('u-old', 'Pod', 'legacy', 'old', 1, 1, 0, NULL, "
        "NULL, '{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"old\","
        "\"namespace\":\"legacy\",\"uid\":\"u-old\"},\"spec\":{\"containers\":[]}}', NULL);"
        "INSERT INTO events (namespace, name, uid, type, reason, message, first_ns, "
        "last_ns) VALUES ('legacy', 'old', 'u-old', 'Normal', 'Pulled', 'm', 5, 5);",
        NULL, NULL, NULL);
    sqlite3_close(db);
}

static void test_migration(const char *dir)
{
    _cleanup_free_ char *db = orc_path_join(dir, "v1.db");
    make_v1_database(db);
    orc_error_t err = NULL;
    struct store *s = NULL;
    tap_is_int(store_open(db, NULL, &s, &err), 0, "a version 1 database opens");
    json_auto_t *events = NULL;
    tap_is_int(store_event_list(s, "legacy", NULL, &events, &err), 0, "its events list");
    json_t *e = json_array_get(events, 0);
    tap_is_str(orc_json_str(json_object_get(e, "involvedObject"), "kind"), "Pod",
               "an old event is a pod's");
    tap_is_str(orc_json_str(json_object_get(e, "metadata"), "name"), "old.0000000000000001",
               "named OBJECT.ID");
    tap_ok(strlen(orc_json_str(json_object_get(e, "metadata"), "uid") ?: "") == 36,
           "with a uid made up from its row");
    struct store_node node = {0};
    tap_is_int(store_node_register(s, "n1", &node, &err), 0, "register the node");
    _cleanup_free_ char *bound = node_name_of(s, "legacy", "old");
    tap_is_str(bound, "n1", "an unbound pod of an older orcd is bound to the node");
    json_auto_t *ns = NULL;
    tap_is_int(store_object_get(s, "Namespace", NULL, "legacy", &ns, &err), 0,
               "its namespace exists");
    store_node_done(&node);
    store_close(s);
}

static void test_node(struct store *s)
{
    orc_error_t err = NULL;
    struct store_node a = {0}, b = {0}, c = {0};
    tap_is_int(store_node_register(s, "n1", &a, &err), 0, "register n1");
    tap_ok(a.uid && strlen(a.uid) == 36 && a.created_ns > 0, "a uid and a creation time");
    tap_is_int(store_node_register(s, "n1", &b, &err), 0, "register n1 again (a restart)");
    tap_is_str(b.uid, a.uid, "the same uid");
    tap_ok(b.created_ns == a.created_ns, "the same creation time");
    tap_is_int(count_kind(s, "Namespace"), 4, "the four built-in namespaces");
    json_auto_t *lease = NULL;
    tap_is_int(store_object_get(s, "Lease", "kube-node-lease", "n1", &lease, &err), 0,
               "its lease is stored");
    tap_is_int(store_node_register(s, "n2", &c, &err), 0, "the machine renamed");
    tap_ok(strcmp(c.uid, a.uid) != 0, "a new node");
    tap_is_int(count_kind(s, "Node"), 1, "one node");
    tap_is_int(count_kind(s, "Lease"), 1, "one lease");
    json_t *gone = NULL;
    tap_ok(store_object_get(s, "Node", NULL, "n1", &gone, &err) == -ENOENT, "n1 is gone");
    tap_ok(!strncmp(orc_error_message(err), "nodes \"n1\" not found", 20),
           "the API server's message: %s", orc_error_message(err));
    orc_error_release(&err);
    store_node_done(&a), store_node_done(&b), store_node_done(&c);
    store_node_register(s, "n1", &a, &err);
    store_node_done(&a);
}

static void test_binding(struct store *s)
{
    orc_error_t err = NULL;
    enum apply_action act;
    store_set_node_name(s, "n1");
    tap_is_int(apply(s, "team-a", "p", "busybox", "", &act, &err), 0, "a pod in a new namespace");
    _cleanup_free_ char *n = node_name_of(s, "team-a", "p");
    tap_is_str(n, "n1", "bound to the node (spec.nodeName)");
    json_auto_t *ns = NULL;
    tap_is_int(store_object_get(s, "Namespace", NULL, "team-a", &ns, &err), 0,
               "its namespace was made with it");
    tap_is_str(orc_json_str(json_object_get(ns, "status"), "phase"), "Active", "Active");
    tap_is_str(orc_json_str(json_object_get(json_object_get(ns, "metadata"), "labels"),
                            "kubernetes.io/metadata.name"),
               "team-a", "labelled with its name");
    store_set_node_name(s, NULL); /* a connection that does not bind */
    tap_is_int(apply(s, "team-a", "p", "busybox", "", &act, &err), 0, "applied again");
    tap_is_int(act, APPLY_UNCHANGED, "the binding is no change of the user's");
    tap_is_int(apply(s, "team-a", "p", "busybox:1", "", &act, &err), 0, "a new image");
    tap_is_int(act, APPLY_CONFIGURED, "configured");
    _cleanup_free_ char *kept = node_name_of(s, "team-a", "p");
    tap_is_str(kept, "n1", "the binding kept");
    store_set_node_name(s, "n1");
    tap_is_int(apply(s, "team-a", "p", "busybox:1", "  nodeName: n1\n", &act, &err), 0,
               "the binding written back (kubectl replace of what get gave)");
    tap_is_int(act, APPLY_UNCHANGED, "unchanged");
    tap_ok(apply(s, "team-a", "p", "busybox:1", "  nodeName: n2\n", &act, &err) == -EINVAL,
           "another node: refused");
    tap_ok(strstr(orc_error_message(err), "Forbidden") != NULL, "as a forbidden update: %s",
           orc_error_message(err));
    orc_error_release(&err);
    tap_is_int(apply(s, "team-a", "o", "busybox", "  nodeName: n2\n", &act, &err), 0,
               "a new pod for another node: stored, as the API server stores it");
    _cleanup_free_ char *other = node_name_of(s, "team-a", "o");
    tap_is_str(other, "n2", "bound to the node it names (it never runs here)");
    tap_is_int(apply(s, "team-a", "r", "busybox", "  nodeName: n1\n", &act, &err), 0,
               "a new pod for this node");
    size_t before = count_kind(s, "Namespace");
    tap_is_int(apply(s, "team-a", "q", "busybox", "", &act, &err), 0, "another pod there");
    tap_is_int(count_kind(s, "Namespace"), before, "no second namespace");
}

static void test_namespace_create(struct store *s)
{
    orc_error_t err = NULL;
    json_auto_t *labels = json_pack("{s:s}", "team", "a");
    json_t *ns = NULL;
    tap_is_int(store_namespace_create(s, "lab", labels, NULL, true, &ns, &err), 0, "a dry run");
    tap_ok(!orc_json_str(json_object_get(ns, "metadata"), "resourceVersion"),
           "answered without a resourceVersion");
    json_decref(ns);
    json_t *none = NULL;
    tap_ok(store_object_get(s, "Namespace", NULL, "lab", &none, &err) == -ENOENT,
           "and kept nothing");
    orc_error_release(&err);
    tap_is_int(store_namespace_create(s, "lab", labels, NULL, false, &ns, &err), 0, "created");
    json_t *l = json_object_get(json_object_get(ns, "metadata"), "labels");
    tap_ok(!strcmp(orc_json_str(l, "team") ?: "", "a") &&
               !strcmp(orc_json_str(l, "kubernetes.io/metadata.name") ?: "", "lab"),
           "its labels and kubernetes.io/metadata.name");
    tap_is_str(orc_json_str(json_object_get(ns, "status"), "phase"), "Active", "Active");
    json_decref(ns);
    tap_ok(!json_object_get(labels, "kubernetes.io/metadata.name"), "the caller's labels kept");
    tap_ok(store_namespace_create(s, "lab", NULL, NULL, false, &ns, &err) == -EEXIST,
           "again: it exists");
    tap_ok(!strncmp(orc_error_message(err), "namespaces \"lab\" already exists", 31),
           "the API server's message: %s", orc_error_message(err));
    orc_error_release(&err);
    tap_ok(store_namespace_create(s, "default", NULL, NULL, false, &ns, &err) == -EEXIST,
           "a built-in one exists");
    orc_error_release(&err);
}

static void test_events(struct store *s)
{
    orc_error_t err = NULL;
    store_set_node_name(s, "n1");
    struct store_event_ref node = {"Node", "", "n1", "n1"};
    tap_is_int(store_event_add(s, &node, "Normal", "Starting", "Starting orcd.", &err), 0,
               "a node's event");
    json_auto_t *items = NULL;
    tap_is_int(store_event_list(s, "default", "n1", &items, &err), 0, "listed in default");
    json_t *e = json_array_get(items, 0);
    json_t *io = json_object_get(e, "involvedObject");
    tap_is_str(orc_json_str(io, "kind"), "Node", "about the node");
    tap_ok(!json_object_get(io, "namespace"), "a cluster-scoped object has no namespace");
    tap_is_str(orc_json_str(io, "uid"), "n1", "kubelet's uid for its node: the name");
    tap_is_str(orc_json_str(json_object_get(e, "source"), "component"), "kubelet", "source");
    tap_is_str(orc_json_str(json_object_get(e, "source"), "host"), "n1", "source host");
    tap_is_str(orc_json_str(e, "reportingComponent"), "kubelet", "reportingComponent");
    tap_is_str(orc_json_str(e, "reportingInstance"), "n1", "reportingInstance");
    json_t *meta = json_object_get(e, "metadata");
    const char *name = orc_json_str(meta, "name");
    tap_ok(name && !strncmp(name, "n1.", 3), "named after its object: %s", name);
    tap_ok(orc_json_str(meta, "resourceVersion") &&
               strcmp(orc_json_str(meta, "resourceVersion"), "0"),
           "a resourceVersion");
    tap_ok(strlen(orc_json_str(meta, "uid") ?: "") == 36, "a uid");
    tap_ok(orc_json_str(meta, "creationTimestamp") != NULL, "a creation time");
    _cleanup_free_ char *rv1 = xstrdup(orc_json_str(meta, "resourceVersion"));
    _cleanup_free_ char *ename = xstrdup(name);
    json_auto_t *one = NULL;
    tap_is_int(store_event_get(s, "default", ename, &one, &err), 0, "get by name");
    tap_ok(json_equal(one, e), "the same event");
    store_event_add(s, &node, "Normal", "Starting", "Starting orcd.", &err);
    json_auto_t *again = NULL;
    store_event_get(s, "default", ename, &again, &err);
    tap_is_int(orc_json_int(again, "count", 0), 2, "counted again under its name");
    tap_ok(strcmp(orc_json_str(json_object_get(again, "metadata"), "resourceVersion"), rv1) != 0,
           "with a new resourceVersion");
    json_t *none = NULL;
    tap_ok(store_event_get(s, "default", "n1.zz", &none, &err) == -ENOENT, "not a name: 404");
    tap_ok(!strncmp(orc_error_message(err), "events \"n1.zz\" not found", 24),
           "the API server's message: %s", orc_error_message(err));
    orc_error_release(&err);
    tap_ok(store_event_get(s, "kube-system", ename, &none, &err) == -ENOENT,
           "not in another namespace");
    orc_error_release(&err);
}

int main(void)
{
    char dir[] = "/tmp/orc-store-cluster-XXXXXX";
    mkdtemp(dir);
    _cleanup_free_ char *db = orc_path_join(dir, "orc.db");
    orc_error_t err = NULL;
    struct store *s = NULL;
    tap_is_int(store_open(db, NULL, &s, &err), 0, "open");
    test_node(s);
    test_binding(s);
    test_namespace_create(s);
    test_events(s);
    store_close(s);
    test_migration(dir);
    orc_rm_rf(dir, NULL);
    return tap_done();
}
