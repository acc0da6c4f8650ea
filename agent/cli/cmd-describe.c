/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "cmd.h"
#include "describe-view.h"
#include "json-util.h"
#include "output.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc describe - show pods in detail\n"
    "\n"
    "SYNOPSIS\n"
    "    orc describe pod [NAME...] [-n NAMESPACE | -A]\n"
    "    orc describe pod/NAME...\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints each pod's metadata, status (its phase; Terminating while it is being\n"
    "    deleted) and IP, and whether its limits are enforced when a container sets any;\n"
    "    for every container its image, ports, command, arguments, state, last state,\n"
    "    readiness, restart count, limits and requests (cpu, memory) and environment; the\n"
    "    pod's conditions; and its events (Type, Reason, Age, From, Message). Without a\n"
    "    name, every pod of the namespace is described.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every named pod was found, else 1.\n";

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
    json_t *meta = json_object_get(pod, "metadata");
    describe_pod_print(stdout, pod, orc_time_now_ns());
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
