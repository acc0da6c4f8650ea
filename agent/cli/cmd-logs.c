/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "xalloc.h"

static const char help[] =
    "Print the logs of a container in a pod.\n"
    "\n"
    "Usage: orc logs NAME [-c CONTAINER] [-f] [-p|--previous] [--tail N] [-n NS]\n"
    "\n"
    "  -c, --container C   the container (needed when the pod has several)\n"
    "  -f, --follow        keep streaming until the container stops\n"
    "  -p, --previous      the previous, terminated instance of the container\n"
    "  --tail N            only the last N lines\n";

int cmd_logs(struct client *c, int argc, char **argv)
{
    if (cli_want_help(argc, argv)) {
        fputs(help, stdout);
        return 0;
    }
    static const struct option opts[] = {{"container", required_argument, NULL, 'c'},
                                         {"follow", no_argument, NULL, 'f'},
                                         {"previous", no_argument, NULL, 'p'},
                                         {"tail", required_argument, NULL, 't'},
                                         {0}};
    const char *container = NULL, *tail = NULL;
    bool follow = false, previous = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:fp", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': container = optarg; break;
        case 'f': follow = true; break;
        case 'p': previous = true; break;
        case 't': tail = optarg; break;
        default: return cli_usage_error("logs", "unknown flag");
        }
    }
    if (optind >= argc)
        return cli_usage_error("logs", "expected a pod name: orc logs NAME");
    const char *name = argv[optind];
    if (!strncmp(name, "pod/", 4))
        name += 4;
    _cleanup_free_ char *ns = client_escape(c->ns), *en = client_escape(name);
    _cleanup_free_ char *ec = container ? client_escape(container) : NULL;
    _cleanup_free_ char *path = xasprintf(
        "/api/v1/namespaces/%s/pods/%s/log?follow=%s&previous=%s%s%s%s%s", ns, en,
        follow ? "true" : "false", previous ? "true" : "false", ec ? "&container=" : "",
        ec ? ec : "", tail ? "&tailLines=" : "", tail ? tail : "");
    long code = 0;
    struct reply err_body;
    orc_error_t err = NULL;
    if (client_stream(c, path, &code, &err_body, &err) < 0)
        return cli_fail(&err);
    if (code != 200) {
        err_body.code = code;
        print_server_error(&err_body);
        reply_done(&err_body);
        return 1;
    }
    reply_done(&err_body);
    return 0;
}
