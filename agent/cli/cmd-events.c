/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "print.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "List events.\n"
    "\n"
    "Usage: orc events [-n NS] [--for pod/NAME]\n";

int cmd_events(struct client *c, int argc, char **argv)
{
    if (cli_want_help(argc, argv)) {
        fputs(help, stdout);
        return 0;
    }
    static const struct option opts[] = {{"for", required_argument, NULL, 'F'}, {0}};
    const char *for_ = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt != 'F')
            return cli_usage_error("events", "unknown flag");
        for_ = !strncmp(optarg, "pod/", 4) ? optarg + 4 : optarg;
    }
    _cleanup_free_ char *ns = client_escape(c->ns);
    _cleanup_free_ char *name = for_ ? client_escape(for_) : NULL;
    _cleanup_free_ char *path =
        xasprintf("/api/v1/namespaces/%s/events%s%s", ns,
                  name ? "?fieldSelector=involvedObject.name%3D" : "", name ? name : "");
    json_auto_t *j = NULL;
    if (client_call(c, "GET", path, NULL, 0, &j))
        return 1;
    json_t *items = json_object_get(j, "items");
    if (!json_array_size(items)) {
        fprintf(stderr, "No events found in %s namespace.\n", c->ns);
        return 0;
    }
    struct table t = {0};
    const char *hdr[] = {"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE", NULL};
    table_add(&t, hdr);
    int64_t now = orc_time_now_ns();
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        _cleanup_free_ char *age = age_text(orc_json_str(e, "lastTimestamp"), now);
        _cleanup_free_ char *obj =
            xasprintf("pod/%s", orc_json_str(json_object_get(e, "involvedObject"), "name"));
        const char *row[] = {age, orc_json_str(e, "type"), orc_json_str(e, "reason"), obj,
                             orc_json_str(e, "message"), NULL};
        table_add(&t, row);
    }
    table_print(&t, stdout);
    table_free(&t);
    return 0;
}
