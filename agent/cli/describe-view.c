/* SPDX-License-Identifier: Apache-2.0 */
#include "describe-view.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json-util.h"
#include "output.h"
#include "quantity.h"
#include "xalloc.h"

/* From orc's LimitsEnforced condition: where the limits hold, or why they do not. */
static const char *limits_line(const json_t *st)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(st, "conditions"), i, c) {
        if (strcmp(orc_json_str(c, "type") ?: "", "orc.dev/LimitsEnforced"))
            continue;
        return !strcmp(orc_json_str(c, "status") ?: "", "True") ? "enforced by the pod's cgroup"
                                                                : "not enforced: no delegated "
                                                                  "cgroup (see 'orc check')";
    }
    return "unknown";
}

static bool sets_resources(const json_t *spec)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(spec, "containers"), i, c) {
        const json_t *res = json_object_get(c, "resources");
        if (json_object_size(json_object_get(res, "limits")) ||
            json_object_size(json_object_get(res, "requests")))
            return true;
    }
    return false;
}

char *describe_memory_text(const char *bytes)
{
    char *end = NULL;
    errno = 0;
    long long v = bytes ? strtoll(bytes, &end, 10) : 0;
    if (!bytes || !*bytes || *end || errno || v <= 0)
        return xstrdup(bytes ? bytes : "");
    return quantity_format_bytes(v);
}

static void print_map(FILE *f, const char *title, const json_t *m)
{
    fprintf(f, "%-14s", title);
    if (!json_object_size(m)) {
        fprintf(f, "<none>\n");
        return;
    }
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *) m, k, v) {
        fprintf(f, "%s%s=%s\n", first ? "" : "              ", k, json_string_value(v));
        first = false;
    }
}

/* "    Label:" padded so values line up in column 23, as kubectl's tabwriter does. */
static void field(FILE *f, int indent, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void field(FILE *f, int indent, const char *label, const char *fmt, ...)
{
    va_list ap;
    fprintf(f, "%*s%-*s", indent, "", 23 - indent, label);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}

static void time_field(FILE *f, const char *label, const json_t *obj, const char *key)
{
    _cleanup_free_ char *t = describe_time_text(orc_json_str(obj, key));
    field(f, 6, label, "%s", t);
}

/* A state's reason, and its message when it has one */
static void reason_fields(FILE *f, const json_t *state)
{
    field(f, 6, "Reason:", "%s", orc_json_str(state, "reason") ?: "");
    if (orc_json_str(state, "message"))
        field(f, 6, "Message:", "%s", orc_json_str(state, "message"));
}

static void print_state(FILE *f, const char *title, const json_t *state)
{
    json_t *run = json_object_get(state, "running"), *term = json_object_get(state, "terminated");
    json_t *wait = json_object_get(state, "waiting");
    if (run) {
        field(f, 4, title, "Running");
        time_field(f, "Started:", run, "startedAt");
    } else if (term) {
        field(f, 4, title, "Terminated");
        reason_fields(f, term);
        field(f, 6, "Exit Code:", "%lld", orc_json_int(term, "exitCode", 0));
        if (orc_json_int(term, "signal", 0))
            field(f, 6, "Signal:", "%lld", orc_json_int(term, "signal", 0));
        time_field(f, "Started:", term, "startedAt");
        time_field(f, "Finished:", term, "finishedAt");
    } else if (wait) {
        field(f, 4, title, "Waiting");
        reason_fields(f, wait);
    } else {
        field(f, 4, title, "<none>");
    }
}

static void print_strv(FILE *f, const char *title, const json_t *a)
{
    if (!json_array_size(a))
        return;
    fprintf(f, "    %s:\n", title);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
        fprintf(f, "      %s\n", json_string_value(v));
}

/* kubectl's "    Limits:" and "    Requests:" of a container: cpu, then memory. */
static void print_resources(FILE *f, const char *title, const json_t *list)
{
    const char *cpu = orc_json_str(list, "cpu"), *memory = orc_json_str(list, "memory");
    if (!cpu && !memory)
        return;
    fprintf(f, "    %s:\n", title);
    if (cpu)
        fprintf(f, "      %-9s%s\n", "cpu:", cpu);
    if (memory) {
        _cleanup_free_ char *m = describe_memory_text(memory);
        fprintf(f, "      %-9s%s\n", "memory:", m);
    }
}

static void print_ports(FILE *f, const json_t *ports, const char *title, const char *key)
{
    fprintf(f, "    %-19s", title);
    if (!json_array_size(ports))
        fprintf(f, "<none>\n");
    size_t i;
    json_t *p;
    json_array_foreach(ports, i, p)
        fprintf(f, "%s%lld/%s\n", i ? "                       " : "", orc_json_int(p, key, 0),
                orc_json_str(p, "protocol"));
}

static bool optional(const json_t *ref)
{
    return json_is_true(json_object_get(ref, "optional"));
}

/* kubectl's "Environment Variables from:": each source, its kind and prefix. */
static void print_env_from(FILE *f, const json_t *from)
{
    if (!json_array_size(from))
        return;
    fprintf(f, "    Environment Variables from:\n");
    size_t i;
    json_t *e;
    json_array_foreach(from, i, e) {
        const json_t *cm = json_object_get(e, "configMapRef"),
                     *sec = json_object_get(e, "secretRef");
        const json_t *ref = cm ? cm : sec;
        const char *prefix = orc_json_str(e, "prefix");
        _cleanup_free_ char *with =
            prefix && *prefix ? xasprintf(" with prefix '%s'", prefix) : xstrdup("");
        fprintf(f, "      %s  %s%s  Optional: %s\n", orc_json_str(ref, "name") ?: "",
                cm ? "ConfigMap" : "Secret", with, optional(ref) ? "true" : "false");
    }
}

/* Each variable's value, or where it comes from in kubectl's words. */
static void print_env(FILE *f, const json_t *env)
{
    fprintf(f, "    Environment:       %s\n", json_array_size(env) ? "" : "<none>");
    size_t i;
    json_t *e;
    json_array_foreach(env, i, e) {
        const char *name = orc_json_str(e, "name");
        const json_t *from = json_object_get(e, "valueFrom");
        const json_t *cm = json_object_get(from, "configMapKeyRef"),
                     *sec = json_object_get(from, "secretKeyRef"),
                     *field_ref = json_object_get(from, "fieldRef"),
                     *res = json_object_get(from, "resourceFieldRef");
        if (cm || sec)
            fprintf(f, "      %s:  <set to the key '%s' %s '%s'>  Optional: %s\n", name,
                    orc_json_str(cm ? cm : sec, "key"), cm ? "of config map" : "in secret",
                    orc_json_str(cm ? cm : sec, "name"),
                    optional(cm ? cm : sec) ? "true" : "false");
        else if (field_ref)
            fprintf(f, "      %s:   (%s:%s)\n", name, orc_json_str(field_ref, "apiVersion") ?: "v1",
                    orc_json_str(field_ref, "fieldPath"));
        else if (res)
            fprintf(f, "      %s:   (%s)\n", name, orc_json_str(res, "resource"));
        else
            fprintf(f, "      %s:  %s\n", name, orc_json_str(e, "value") ?: "");
    }
}

static int mount_cmp(const void *a, const void *b)
{
    return strcmp(orc_json_str(*(json_t *const *) a, "mountPath") ?: "",
                  orc_json_str(*(json_t *const *) b, "mountPath") ?: "");
}

/* kubectl's "Mounts:", sorted by path: "PATH from VOLUME (rw|ro[,path=\"SUB\"])". */
static void print_mounts(FILE *f, const json_t *mounts)
{
    size_t n = json_array_size(mounts);
    fprintf(f, "    Mounts:            %s\n", n ? "" : "<none>");
    _cleanup_free_ json_t **sorted = new0(json_t *, n + 1);
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(mounts, i);
    qsort(sorted, n, sizeof(*sorted), mount_cmp);
    for (size_t i = 0; i < n; i++) {
        const char *sub = orc_json_str(sorted[i], "subPath");
        _cleanup_free_ char *path = sub && *sub ? xasprintf(",path=\"%s\"", sub) : xstrdup("");
        fprintf(f, "      %s from %s (%s%s)\n", orc_json_str(sorted[i], "mountPath"),
                orc_json_str(sorted[i], "name"),
                json_is_true(json_object_get(sorted[i], "readOnly")) ? "ro" : "rw", path);
    }
}

static void print_container(FILE *f, const json_t *c, const json_t *cs)
{
    fprintf(f, "  %s:\n", orc_json_str(c, "name"));
    fprintf(f, "    Container ID:      %s\n", orc_json_str(cs, "containerID") ?: "");
    fprintf(f, "    Image:             %s\n", orc_json_str(c, "image"));
    fprintf(f, "    Image ID:          %s\n", orc_json_str(cs, "imageID") ?: "");
    print_ports(f, json_object_get(c, "ports"), "Port:", "containerPort");
    print_ports(f, json_object_get(c, "ports"), "Host Port:", "hostPort");
    print_strv(f, "Command", json_object_get(c, "command"));
    print_strv(f, "Args", json_object_get(c, "args"));
    print_state(f, "State:", json_object_get(cs, "state"));
    if (json_object_size(json_object_get(cs, "lastState")))
        print_state(f, "Last State:", json_object_get(cs, "lastState"));
    fprintf(f, "    Ready:             %s\n",
            json_is_true(json_object_get(cs, "ready")) ? "True" : "False");
    fprintf(f, "    Restart Count:     %lld\n", orc_json_int(cs, "restartCount", 0));
    const json_t *res = json_object_get(c, "resources");
    print_resources(f, "Limits", json_object_get(res, "limits"));
    print_resources(f, "Requests", json_object_get(res, "requests"));
    print_env_from(f, json_object_get(c, "envFrom"));
    print_env(f, json_object_get(c, "env"));
    print_mounts(f, json_object_get(c, "volumeMounts"));
}

/* kubectl's Status: the phase; while a pod is being deleted (and has not finished),
 * "Terminating (lasts AGE)" and its grace period. */
static void print_status(FILE *f, const json_t *meta, const json_t *st, int64_t now_ns)
{
    const char *phase = orc_json_str(st, "phase") ?: "Unknown";
    const char *deleted = orc_json_str(meta, "deletionTimestamp");
    if (deleted && strcmp(phase, "Succeeded") && strcmp(phase, "Failed")) {
        _cleanup_free_ char *age = age_text(deleted, now_ns);
        fprintf(f, "Status:       Terminating (lasts %s)\n", age);
        fprintf(f, "Termination Grace Period:  %llds\n",
                orc_json_int(meta, "deletionGracePeriodSeconds", 0));
    } else {
        fprintf(f, "Status:       %s\n", phase);
    }
    if (orc_json_str(st, "reason"))
        fprintf(f, "Reason:       %s\n", orc_json_str(st, "reason"));
    if (orc_json_str(st, "message"))
        fprintf(f, "Message:      %s\n", orc_json_str(st, "message"));
}

/* Type and Status columns, as wide as their longest cell, as kubectl's tabwriter makes them. */
static void print_conditions(FILE *f, const json_t *conds)
{
    if (!json_array_size(conds))
        return;
    fprintf(f, "Conditions:\n");
    struct table t = {0};
    table_add(&t, (const char *const[]){"  Type", "Status", NULL});
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c) {
        _cleanup_free_ char *type = xasprintf("  %s", orc_json_str(c, "type") ?: "");
        table_add(&t, (const char *const[]){type, orc_json_str(c, "status") ?: "", NULL});
    }
    table_print(&t, f);
    table_free(&t);
}

static const json_t *container_status(const json_t *st, const char *name)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(st, "containerStatuses"), i, s)
        if (!strcmp(orc_json_str(s, "name") ?: "", name ?: ""))
            return s;
    return NULL;
}

/* Label and value lines of one volume, the values lined up two spaces after the longest
 * label, as kubectl's tabwriter prints them. */
static void print_fields(FILE *f, const char *const *kv, size_t n)
{
    int width = 0;
    for (size_t i = 0; i < n; i += 2)
        width = (int) strlen(kv[i]) > width ? (int) strlen(kv[i]) : width;
    for (size_t i = 0; i < n; i += 2)
        fprintf(f, "    %-*s%s\n", width + 2, kv[i], kv[i + 1]);
}

static const char *bool_text(const json_t *v)
{
    return json_is_true(v) ? "true" : "false";
}

static void print_projected(FILE *f, const json_t *sources)
{
    size_t n = 0, i;
    _cleanup_free_ const char **kv = new0(const char *, 2 + 4 * json_array_size(sources) + 1);
    kv[n++] = "Type:";
    kv[n++] = "Projected (a volume that contains injected data from multiple sources)";
    json_t *src;
    json_array_foreach(sources, i, src) {
        const json_t *sec = json_object_get(src, "secret"), *cm = json_object_get(src, "configMap");
        const json_t *opt = json_object_get(sec ? sec : cm, "optional");
        if (sec || cm) {
            kv[n++] = sec ? "SecretName:" : "ConfigMapName:";
            kv[n++] = orc_json_str(sec ? sec : cm, "name") ?: "";
            kv[n++] = sec ? "SecretOptionalName:" : "ConfigMapOptional:";
            kv[n++] = opt ? bool_text(opt) : "<nil>"; /* kubectl prints the pointer */
        } else if (json_object_get(src, "downwardAPI")) {
            kv[n++] = "DownwardAPI:";
            kv[n++] = "true";
        }
    }
    print_fields(f, kv, n);
}

/* kubectl's "Volumes:" section, for the kinds of volumes orc mounts. */
static void print_volume(FILE *f, const json_t *v)
{
    const json_t *src;
    fprintf(f, "  %s:\n", orc_json_str(v, "name"));
    if ((src = json_object_get(v, "emptyDir"))) {
        const char *limit = orc_json_str(src, "sizeLimit");
        print_fields(f,
                     (const char *const[]){
                         "Type:", "EmptyDir (a temporary directory that shares a pod's lifetime)",
                         "Medium:", orc_json_str(src, "medium") ?: "",
                         "SizeLimit:", limit && *limit ? limit : "<unset>"},
                     6);
    } else if ((src = json_object_get(v, "hostPath"))) {
        const char *type = orc_json_str(src, "type");
        print_fields(f,
                     (const char *const[]){"Type:", "HostPath (bare host directory volume)",
                                           "Path:", orc_json_str(src, "path") ?: "",
                                           "HostPathType:", type ? type : "<none>"},
                     6);
    } else if ((src = json_object_get(v, "configMap"))) {
        print_fields(f,
                     (const char *const[]){"Type:", "ConfigMap (a volume populated by a ConfigMap)",
                                           "Name:", orc_json_str(src, "name") ?: "", "Optional:",
                                           bool_text(json_object_get(src, "optional"))},
                     6);
    } else if ((src = json_object_get(v, "secret"))) {
        print_fields(
            f,
            (const char *const[]){"Type:", "Secret (a volume populated by a Secret)",
                                  "SecretName:", orc_json_str(src, "secretName") ?: "",
                                  "Optional:", bool_text(json_object_get(src, "optional"))},
            6);
    } else if ((src = json_object_get(v, "persistentVolumeClaim"))) {
        print_fields(f,
                     (const char *const[]){
                         "Type:",
                         "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the "
                         "same namespace)",
                         "ClaimName:", orc_json_str(src, "claimName") ?: "",
                         "ReadOnly:", bool_text(json_object_get(src, "readOnly"))},
                     6);
    } else if ((src = json_object_get(v, "downwardAPI"))) {
        fprintf(f, "    Type:    DownwardAPI (a volume populated by information about the pod)\n"
                   "    Items:\n");
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(src, "items"), i, item) {
            const json_t *fr = json_object_get(item, "fieldRef"),
                         *rr = json_object_get(item, "resourceFieldRef");
            fprintf(f, "      %s -> %s\n",
                    fr ? orc_json_str(fr, "fieldPath") : orc_json_str(rr, "resource"),
                    orc_json_str(item, "path"));
        }
    } else if ((src = json_object_get(v, "projected"))) {
        print_projected(f, json_object_get(src, "sources"));
    }
}

static void print_volumes(FILE *f, const json_t *volumes)
{
    if (!json_array_size(volumes)) {
        fprintf(f, "Volumes:         <none>\n");
        return;
    }
    fprintf(f, "Volumes:\n");
    size_t i;
    json_t *v;
    json_array_foreach(volumes, i, v)
        print_volume(f, v);
}

void describe_pod_print(FILE *f, const json_t *pod, int64_t now_ns)
{
    json_t *meta = json_object_get(pod, "metadata"), *st = json_object_get(pod, "status");
    json_t *spec = json_object_get(pod, "spec");
    fprintf(f, "Name:         %s\n", orc_json_str(meta, "name"));
    fprintf(f, "Namespace:    %s\n", orc_json_str(meta, "namespace"));
    fprintf(f, "Node:         %s/%s\n", orc_json_str(spec, "nodeName") ?: "<none>",
            orc_json_str(st, "hostIP") ?: "");
    _cleanup_free_ char *start = describe_time_text(orc_json_str(st, "startTime"));
    fprintf(f, "Start Time:   %s\n", start);
    print_map(f, "Labels:", json_object_get(meta, "labels"));
    print_map(f, "Annotations:", json_object_get(meta, "annotations"));
    print_status(f, meta, st, now_ns);
    fprintf(f, "IP:           %s\n", orc_json_str(st, "podIP") ?: "");
    if (sets_resources(spec))
        fprintf(f, "Limits:       %s\n", limits_line(st));
    fprintf(f, "Containers:\n");
    size_t i;
    json_t *ctr;
    json_array_foreach(json_object_get(spec, "containers"), i, ctr)
        print_container(f, ctr, container_status(st, orc_json_str(ctr, "name")));
    print_conditions(f, json_object_get(st, "conditions"));
    print_volumes(f, json_object_get(spec, "volumes"));
    fprintf(f, "Restart Policy:  %s\n", orc_json_str(spec, "restartPolicy") ?: "");
}
