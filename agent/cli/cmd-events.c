/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "output.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc events - list events\n"
    "\n"
    "SYNOPSIS\n"
    "    orc events [-n NAMESPACE] [--for pod/NAME]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints the agent's event log of a namespace as LAST SEEN TYPE REASON OBJECT\n"
    "    MESSAGE, oldest first.\n"
    "\n"
    "OPTIONS\n"
    "    --for pod/NAME  only the events of this pod\n";

struct ordered {
    json_t *e;
    size_t index; /* the agent's order breaks ties: qsort is not stable */
};

static int last_seen_cmp(const void *a, const void *b)
{
    const struct ordered *x = a, *y = b;
    int r = strcmp(orc_json_str(x->e, "lastTimestamp") ?: "",
                   orc_json_str(y->e, "lastTimestamp") ?: "");
    return r ? r : (x->index > y->index) - (x->index < y->index);
}

static void print_events(json_t *items)
{
    size_t n = json_array_size(items), i;
    struct ordered *sorted = new0(struct ordered, n + 1);
    json_t *e;
    json_array_foreach(items, i, e)
        sorted[i] = (struct ordered){e, i};
    qsort(sorted, n, sizeof(*sorted), last_seen_cmp);
    struct table t = {0};
    const char *hdr[] = {"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE", NULL};
    table_add(&t, hdr);
    int64_t now = orc_time_now_ns();
    for (i = 0; i < n; i++) {
        e = sorted[i].e;
        json_t *obj = json_object_get(e, "involvedObject");
        _cleanup_free_ char *age = age_text(orc_json_str(e, "lastTimestamp"), now);
        _cleanup_free_ char *kind = xstrdup(orc_json_str(obj, "kind") ?: "Pod");
        for (char *p = kind; *p; p++)
            *p = (char) (*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        _cleanup_free_ char *what = xasprintf("%s/%s", kind, orc_json_str(obj, "name") ?: "");
        const char *row[] = {
            age,  orc_json_str(e, "type") ?: "",    orc_json_str(e, "reason") ?: "",
            what, orc_json_str(e, "message") ?: "", NULL};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
    free(sorted);
}

int cmd_events(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    static const struct option opts[] = {{"for", required_argument, NULL, 'F'}, {0}};
    const char *name = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (opt != 'F')
            return cli_getopt_error("events", opt, argv);
        const char *slash = strchr(optarg, '/');
        if (slash && (slash - optarg != 3 || strncmp(optarg, "pod", 3)) &&
            (slash - optarg != 4 || strncmp(optarg, "pods", 4)))
            return cli_usage_error("events", "--for: only pods have events in orc: pod/NAME");
        name = slash ? slash + 1 : optarg;
    }
    if (optind < argc)
        return cli_usage_error("events", "unexpected argument \"%s\"", argv[optind]);
    _cleanup_free_ char *ns = client_escape(c->ns);
    _cleanup_free_ char *en = name ? client_escape(name) : NULL;
    _cleanup_free_ char *path =
        xasprintf("/api/v1/namespaces/%s/events%s%s", ns,
                  en ? "?fieldSelector=involvedObject.name%3D" : "", en ?: "");
    json_auto_t *j = NULL;
    if (client_call(c, "GET", path, NULL, 0, &j))
        return 1;
    json_t *items = json_object_get(j, "items");
    if (!json_array_size(items))
        fprintf(stderr, "No events found in %s namespace.\n", c->ns);
    else
        print_events(items);
    return 0;
}
