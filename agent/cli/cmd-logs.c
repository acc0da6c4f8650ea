/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cleanup.h"
#include "cmd.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc logs - print the logs of a container in a pod\n"
    "\n"
    "SYNOPSIS\n"
    "    orc logs [pod/]NAME [-c|--container CONTAINER] [-f|--follow] [-p|--previous]\n"
    "             [--tail N] [-n NAMESPACE]\n"
    "\n"
    "DESCRIPTION\n"
    "    Copies the container's output to stdout as it arrives; with -f it goes on with\n"
    "    the new file when the log is rotated. A pod with one container needs no -c. A\n"
    "    container that failed to start and wrote nothing: why, and exit 1.\n"
    "\n"
    "OPTIONS\n"
    "    -c, --container CONTAINER\n"
    "                        the container (needed when the pod has several)\n"
    "    -f, --follow        keep streaming until the container stops (or Ctrl-C)\n"
    "    -p, --previous      the previous, terminated instance of the container\n"
    "    --tail N            only the last N lines (-1, the default: all)\n";

struct logs_opts {
    const char *container, *tail;
    bool follow, previous;
};

static char *log_path(const struct client *c, const char *name, const struct logs_opts *o)
{
    _cleanup_free_ char *ns = client_escape(c->ns), *en = client_escape(name);
    _cleanup_free_ char *ec = o->container ? client_escape(o->container) : NULL;
    return xasprintf("/api/v1/namespaces/%s/pods/%s/log?follow=%s&previous=%s%s%s%s%s", ns, en,
                     o->follow ? "true" : "false", o->previous ? "true" : "false",
                     ec ? "&container=" : "", ec ?: "", o->tail ? "&tailLines=" : "",
                     o->tail ?: "");
}

static int stream(struct client *c, const char *path)
{
    long code = 0;
    struct reply err_body;
    orc_error_t err = NULL;
    if (client_stream(c, path, &code, &err_body, &err) < 0)
        return cli_fail(&err);
    int rc = 0;
    if (code != 200) {
        err_body.code = code;
        print_server_error(&err_body);
        rc = 1;
    }
    reply_done(&err_body);
    return rc;
}

int cmd_logs(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    static const struct option opts[] = {{"container", required_argument, NULL, 'c'},
                                         {"follow", no_argument, NULL, 'f'},
                                         {"previous", no_argument, NULL, 'p'},
                                         {"tail", required_argument, NULL, 't'},
                                         {0}};
    struct logs_opts o = {0};
    int opt;
    while ((opt = getopt_long(argc, argv, ":c:fp", opts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            o.container = optarg;
            break;
        case 'f':
            o.follow = true;
            break;
        case 'p':
            o.previous = true;
            break;
        case 't':
            if (strcmp(optarg, "-1") && cli_parse_count(optarg) < 0)
                return cli_usage_error("logs", "invalid argument \"%s\" for \"--tail\"", optarg);
            o.tail = strcmp(optarg, "-1") ? optarg : NULL;
            break;
        default:
            return cli_getopt_error("logs", opt, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error("logs", "expected POD: orc logs NAME [-c CONTAINER]");
    if (optind + 1 < argc)
        return cli_usage_error("logs", "unexpected argument \"%s\"", argv[optind + 1]);
    const char *name = argv[optind], *slash = strchr(name, '/');
    if (slash) {
        _cleanup_free_ char *res = xstrndup(name, (size_t) (slash - name));
        if (!cli_is_pod_resource(res))
            return cli_usage_error("logs", "the server doesn't have a resource type \"%s\"", res);
        name = slash + 1;
    }
    _cleanup_free_ char *path = log_path(c, name, &o);
    return stream(c, path);
}
