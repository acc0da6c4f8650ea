/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "print.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "Display pods.\n"
    "\n"
    "Usage: orc get pods [NAME] [-n NS | -A] [-o wide|json|yaml|name]\n";

bool is_pod_resource(const char *s);
bool is_pod_resource(const char *s)
{
    return !strcmp(s, "pods") || !strcmp(s, "pod") || !strcmp(s, "po");
}

static void print_table(const struct client *c, json_t *items, bool wide)
{
    struct table t = {0};
    int64_t now = orc_time_now_ns();
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    const char *head[] = {"NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP",
                          "NODE", "NOMINATED NODE", "READINESS GATES", NULL};
    const char *const *hdr = c->all_ns ? head : head + 1;
    if (!wide) {
        const char *narrow[7];
        size_t k = 0;
        for (size_t i = c->all_ns ? 0 : 1; i < 6; i++)
            narrow[k++] = head[i];
        narrow[k] = NULL;
        table_add(&t, narrow);
    } else {
        table_add(&t, hdr);
    }
    size_t i;
    json_t *p;
    json_array_foreach(items, i, p) {
        json_t *meta = json_object_get(p, "metadata"), *st = json_object_get(p, "status");
        _cleanup_free_ char *ready = pod_ready_text(p), *status = pod_status_text(p);
        _cleanup_free_ char *restarts = pod_restarts_text(p, now);
        _cleanup_free_ char *age = age_text(orc_json_str(meta, "creationTimestamp"), now);
        const char *row[] = {orc_json_str(meta, "namespace"), orc_json_str(meta, "name"), ready,
                             status, restarts, age, orc_json_str(st, "podIP") ?: "<none>",
                             orc_json_str(st, "nodeName") ?: host, "<none>", "<none>", NULL};
        const char **r = c->all_ns ? row : row + 1;
        if (!wide)
            r[c->all_ns ? 6 : 5] = NULL;
        table_add(&t, r);
    }
    table_print(&t, stdout);
    table_free(&t);
}

static int output(const struct client *c, json_t *j, bool list, const char *fmt)
{
    if (list && json_array_size(json_object_get(j, "items")) == 0 && (!fmt || !strcmp(fmt, "wide"))) {
        if (c->all_ns)
            fprintf(stderr, "No resources found\n");
        else
            fprintf(stderr, "No resources found in %s namespace.\n", c->ns);
        return 0;
    }
    if (fmt && (!strcmp(fmt, "json") || !strcmp(fmt, "yaml"))) {
        json_auto_t *doc = list ? json_pack("{s:s,s:O,s:s,s:{s:s}}", "apiVersion", "v1", "items",
                                            json_object_get(j, "items"), "kind", "List",
                                            "metadata", "resourceVersion", "")
                                : json_incref(j);
        if (!strcmp(fmt, "json")) {
            json_dumpf(doc, stdout, JSON_INDENT(4));
            putchar('\n');
        } else {
            json_print_yaml(doc, stdout);
        }
        return 0;
    }
    if (fmt && !strcmp(fmt, "name")) {
        json_t *items = list ? json_object_get(j, "items") : NULL;
        size_t i;
        json_t *p;
        if (!list)
            printf("pod/%s\n", orc_json_str(json_object_get(j, "metadata"), "name"));
        json_array_foreach(items, i, p) printf("pod/%s\n",
                                               orc_json_str(json_object_get(p, "metadata"), "name"));
        return 0;
    }
    json_auto_t *items = list ? json_incref(json_object_get(j, "items")) : json_pack("[O]", j);
    print_table(c, items, fmt && !strcmp(fmt, "wide"));
    return 0;
}

int cmd_get(struct client *c, int argc, char **argv)
{
    if (cli_want_help(argc, argv)) {
        fputs(help, stdout);
        return 0;
    }
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'}, {0}};
    const char *fmt = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (opt != 'o')
            return cli_usage_error("get", "unknown flag");
        fmt = optarg;
    }
    if (fmt && strcmp(fmt, "wide") && strcmp(fmt, "json") && strcmp(fmt, "yaml") &&
        strcmp(fmt, "name"))
        return cli_usage_error("get", "unable to match a printer suitable for the output format "
                                      "\"%s\", allowed formats are: json,name,wide,yaml", fmt);
    if (optind >= argc)
        return cli_usage_error("get", "you must specify the type of resource to get (pods)");
    if (!is_pod_resource(argv[optind])) {
        fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", argv[optind]);
        return 1;
    }
    const char *name = optind + 1 < argc ? argv[optind + 1] : NULL;
    _cleanup_free_ char *ns = client_escape(c->ns);
    _cleanup_free_ char *path =
        name ? xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name)
             : c->all_ns ? xstrdup("/api/v1/pods") : xasprintf("/api/v1/namespaces/%s/pods", ns);
    json_auto_t *j = NULL;
    if (client_call(c, "GET", path, NULL, 0, &j))
        return 1;
    return output(c, j, !name, fmt);
}
