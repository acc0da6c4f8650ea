/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "output.h"
#include "time-util.h"
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

static const char help[] =
    "NAME\n"
    "    orc describe - show pods in detail\n"
    "\n"
    "SYNOPSIS\n"
    "    orc describe pod [NAME...] [-n NAMESPACE | -A]\n"
    "    orc describe pod/NAME...\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints each pod's metadata, status and IP; for every container its image, ports,\n"
    "    command, arguments, state, last state, readiness, restart count and environment;\n"
    "    the pod's conditions; and its events (Type, Reason, Age, From, Message). Without\n"
    "    a name, every pod of the namespace is described.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every named pod was found, else 1.\n";

static void print_map(const char *title, const json_t *m)
{
    printf("%-14s", title);
    if (!json_object_size(m)) {
        printf("<none>\n");
        return;
    }
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *) m, k, v) {
        printf("%s%s=%s\n", first ? "" : "              ", k, json_string_value(v));
        first = false;
    }
}

/* "    Label:" padded so values line up in column 23, as kubectl's tabwriter does. */
static void field(int indent, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void field(int indent, const char *label, const char *fmt, ...)
{
    va_list ap;
    printf("%*s%-*s", indent, "", 23 - indent, label);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static void time_field(const char *label, const json_t *obj, const char *key)
{
    _cleanup_free_ char *t = describe_time_text(orc_json_str(obj, key));
    field(6, label, "%s", t);
}

static void print_state(const char *title, const json_t *state)
{
    json_t *run = json_object_get(state, "running"), *term = json_object_get(state, "terminated");
    json_t *wait = json_object_get(state, "waiting");
    if (run) {
        field(4, title, "Running");
        time_field("Started:", run, "startedAt");
    } else if (term) {
        field(4, title, "Terminated");
        field(6, "Reason:", "%s", orc_json_str(term, "reason") ?: "");
        if (orc_json_str(term, "message"))
            field(6, "Message:", "%s", orc_json_str(term, "message"));
        field(6, "Exit Code:", "%lld", orc_json_int(term, "exitCode", 0));
        if (orc_json_int(term, "signal", 0))
            field(6, "Signal:", "%lld", orc_json_int(term, "signal", 0));
        time_field("Started:", term, "startedAt");
        time_field("Finished:", term, "finishedAt");
    } else if (wait) {
        field(4, title, "Waiting");
        field(6, "Reason:", "%s", orc_json_str(wait, "reason") ?: "");
        if (orc_json_str(wait, "message"))
            field(6, "Message:", "%s", orc_json_str(wait, "message"));
    } else {
        field(4, title, "<none>");
    }
}

static void print_strv(const char *title, const json_t *a)
{
    if (!json_array_size(a))
        return;
    printf("    %s:\n", title);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
        printf("      %s\n", json_string_value(v));
}

static void print_container(const json_t *c, const json_t *cs)
{
    printf("  %s:\n", orc_json_str(c, "name"));
    printf("    Container ID:      %s\n", orc_json_str(cs, "containerID") ?: "");
    printf("    Image:             %s\n", orc_json_str(c, "image"));
    printf("    Image ID:          %s\n", orc_json_str(cs, "imageID") ?: "");
    json_t *ports = json_object_get(c, "ports");
    printf("    Port:              ");
    if (!json_array_size(ports))
        printf("<none>\n");
    size_t i;
    json_t *p;
    json_array_foreach(ports, i, p)
        printf("%s%lld/%s\n", i ? "                       " : "",
               orc_json_int(p, "containerPort", 0), orc_json_str(p, "protocol"));
    printf("    Host Port:         ");
    if (!json_array_size(ports))
        printf("<none>\n");
    json_array_foreach(ports, i, p)
        printf("%s%lld/%s\n", i ? "                       " : "", orc_json_int(p, "hostPort", 0),
               orc_json_str(p, "protocol"));
    print_strv("Command", json_object_get(c, "command"));
    print_strv("Args", json_object_get(c, "args"));
    print_state("State:", json_object_get(cs, "state"));
    if (json_object_size(json_object_get(cs, "lastState")))
        print_state("Last State:", json_object_get(cs, "lastState"));
    printf("    Ready:             %s\n",
           json_is_true(json_object_get(cs, "ready")) ? "True" : "False");
    printf("    Restart Count:     %lld\n", orc_json_int(cs, "restartCount", 0));
    json_t *env = json_object_get(c, "env");
    printf("    Environment:       %s\n", json_array_size(env) ? "" : "<none>");
    json_array_foreach(env, i, p)
        printf("      %s:  %s\n", orc_json_str(p, "name"), orc_json_str(p, "value"));
}

static void print_events(struct client *c, const char *ns, const char *name)
{
    _cleanup_free_ char *ens = client_escape(ns), *en = client_escape(name);
    _cleanup_free_ char *path =
        xasprintf("/api/v1/namespaces/%s/events?fieldSelector=involvedObject.name%%3D%s", ens, en);
    struct reply rep;
    orc_error_t err = NULL;
    if (client_do(c, "GET", path, NULL, 0, &rep, &err) < 0) {
        orc_error_release(&err);
        return;
    }
    json_auto_t *j = reply_json(&rep);
    json_t *items = json_object_get(j, "items");
    reply_done(&rep);
    if (!json_array_size(items)) {
        printf("Events:  <none>\n");
        return;
    }
    printf("Events:\n");
    struct table t = {0};
    const char *hdr[] = {"  Type", "Reason", "Age", "From", "Message", NULL};
    const char *sep[] = {"  ----", "------", "----", "----", "-------", NULL};
    table_add(&t, hdr);
    table_add(&t, sep);
    int64_t now = orc_time_now_ns();
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        _cleanup_free_ char *age = age_text(orc_json_str(e, "lastTimestamp"), now);
        _cleanup_free_ char *type = xasprintf("  %s", orc_json_str(e, "type"));
        long long count = orc_json_int(e, "count", 1);
        _cleanup_free_ char *when = count > 1 ? xasprintf("%s (x%lld)", age, count) : xstrdup(age);
        const char *from = orc_json_str(json_object_get(e, "source"), "component");
        const char *row[] = {type,           orc_json_str(e, "reason") ?: "",  when,
                             from ?: "orcd", orc_json_str(e, "message") ?: "", NULL};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
}

static void describe(struct client *c, const json_t *pod)
{
    json_t *meta = json_object_get(pod, "metadata"), *st = json_object_get(pod, "status");
    json_t *spec = json_object_get(pod, "spec");
    _cleanup_free_ char *status = pod_status_text(pod);
    printf("Name:         %s\n", orc_json_str(meta, "name"));
    printf("Namespace:    %s\n", orc_json_str(meta, "namespace"));
    printf("Node:         %s/%s\n", orc_json_str(st, "nodeName") ?: "<none>",
           orc_json_str(st, "hostIP") ?: "");
    _cleanup_free_ char *start = describe_time_text(orc_json_str(st, "startTime"));
    printf("Start Time:   %s\n", start);
    print_map("Labels:", json_object_get(meta, "labels"));
    print_map("Annotations:", json_object_get(meta, "annotations"));
    printf("Status:       %s\n", status);
    if (orc_json_str(st, "reason"))
        printf("Reason:       %s\nMessage:      %s\n", orc_json_str(st, "reason"),
               orc_json_str(st, "message") ?: "");
    printf("IP:           %s\n", orc_json_str(st, "podIP") ?: "");
    printf("Limits:       %s\n", limits_line(st));
    printf("Containers:\n");
    size_t i;
    json_t *ctr;
    json_array_foreach(json_object_get(spec, "containers"), i, ctr) {
        const json_t *cs = NULL;
        size_t k;
        json_t *s;
        json_array_foreach(json_object_get(st, "containerStatuses"), k, s)
            if (!strcmp(orc_json_str(s, "name") ?: "", orc_json_str(ctr, "name")))
                cs = s;
        print_container(ctr, cs);
    }
    json_t *conds = json_object_get(st, "conditions");
    if (json_array_size(conds)) {
        printf("Conditions:\n  Type              Status\n");
        json_t *cd;
        json_array_foreach(conds, i, cd)
            printf("  %-17s %s\n", orc_json_str(cd, "type"), orc_json_str(cd, "status"));
    }
    printf("Restart Policy:  %s\n", orc_json_str(spec, "restartPolicy") ?: "");
    print_events(c, orc_json_str(meta, "namespace"), orc_json_str(meta, "name"));
}

static int describe_named(struct client *c, char **names)
{
    int rc = 0;
    _cleanup_free_ char *ns = client_escape(c->ns);
    for (size_t i = 0; names[i]; i++) {
        _cleanup_free_ char *en = client_escape(names[i]);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/pods/%s", ns, en);
        json_auto_t *j = NULL;
        if (client_call(c, "GET", path, NULL, 0, &j)) {
            rc = 1;
            continue;
        }
        if (i > 0)
            putchar('\n');
        describe(c, j);
    }
    return rc;
}

static int describe_all(struct client *c)
{
    _cleanup_free_ char *ns = client_escape(c->ns);
    _cleanup_free_ char *path =
        c->all_ns ? xstrdup("/api/v1/pods") : xasprintf("/api/v1/namespaces/%s/pods", ns);
    json_auto_t *j = NULL;
    if (client_call(c, "GET", path, NULL, 0, &j))
        return 1;
    json_t *items = json_object_get(j, "items");
    if (!json_array_size(items)) {
        fprintf(stderr, "No resources found in %s namespace.\n", c->ns);
        return 0;
    }
    size_t i;
    json_t *p;
    json_array_foreach(items, i, p) {
        if (i > 0)
            putchar('\n');
        describe(c, p);
    }
    return 0;
}

int cmd_describe(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", (const struct option[]){{0}}, NULL)) != -1)
        return cli_getopt_error("describe", opt, argv);
    _cleanup_(strv_freep) char **names = NULL;
    _cleanup_free_ char *msg = NULL;
    if (cli_pod_args(argc - optind, argv + optind, &names, &msg) < 0)
        return cli_usage_error("describe", "%s", msg);
    return names[0] ? describe_named(c, names) : describe_all(c);
}
