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
    json_t *env = json_object_get(c, "env");
    fprintf(f, "    Environment:       %s\n", json_array_size(env) ? "" : "<none>");
    size_t i;
    json_t *e;
    json_array_foreach(env, i, e)
        fprintf(f, "      %s:  %s\n", orc_json_str(e, "name"), orc_json_str(e, "value"));
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
    fprintf(f, "Restart Policy:  %s\n", orc_json_str(spec, "restartPolicy") ?: "");
}
