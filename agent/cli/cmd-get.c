/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "output.h"
#include "strv.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc get - display pods, ConfigMaps and Secrets\n"
    "\n"
    "SYNOPSIS\n"
    "    orc get pods [NAME...] [-n NAMESPACE | -A] [-o wide|json|yaml|name]\n"
    "    orc get pod/NAME...\n"
    "    orc get pods [NAME] -w|--watch|--watch-only [-o FORMAT]\n"
    "    orc get configmaps|secrets [NAME...] [-n NAMESPACE | -A] [-o json|yaml|name]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints the table NAME READY STATUS RESTARTS AGE (kubectl's columns and STATUS\n"
    "    logic). The resource may be written pods, pod or po. ConfigMaps (configmaps,\n"
    "    configmap, cm) print NAME DATA AGE, Secrets (secrets, secret) NAME TYPE DATA AGE.\n"
    "\n"
    "OPTIONS\n"
    "    -o, --output FORMAT\n"
    "        wide adds IP, NODE, NOMINATED NODE and READINESS GATES; json and yaml print\n"
    "        the Pod, or a List for several; name prints pod/NAME.\n"
    "    -n, --namespace NS    the namespace (default: default)\n"
    "    -A, --all-namespaces  every namespace; adds the NAMESPACE column\n"
    "    -w, --watch\n"
    "        after the list, print each change of the pods (or the one named) as it\n"
    "        happens, a row per change (DELETED ones too), until interrupted; a watch the\n"
    "        agent can no longer resume lists again\n"
    "    --watch-only\n"
    "        the changes without the list first\n"
    "\n"
    "EXIT STATUS\n"
    "    0 when every named pod was found (an empty list is not an error), else 1.\n";

static char *pod_path(const struct client *c, const char *name)
{
    _cleanup_free_ char *ns = client_escape(c->ns);
    if (!name)
        return c->all_ns ? xstrdup("/api/v1/pods") : xasprintf("/api/v1/namespaces/%s/pods", ns);
    _cleanup_free_ char *en = client_escape(name);
    return xasprintf("/api/v1/namespaces/%s/pods/%s", ns, en);
}

/* Fetches the named pods (or the list): *ret an array; errors are printed as they come. */
static int fetch(struct client *c, char **names, json_t **ret)
{
    json_t *pods = json_array();
    int rc = 0;
    if (!names[0]) {
        _cleanup_free_ char *path = pod_path(c, NULL);
        json_auto_t *list = NULL;
        rc = client_call(c, "GET", path, NULL, 0, &list);
        if (!rc)
            json_array_extend(pods, json_object_get(list, "items"));
    }
    for (size_t i = 0; names[i]; i++) {
        _cleanup_free_ char *path = pod_path(c, names[i]);
        json_t *pod = NULL;
        if (client_call(c, "GET", path, NULL, 0, &pod))
            rc = 1;
        else
            json_array_append_new(pods, pod);
    }
    *ret = pods;
    return rc;
}

int cmd_get(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    enum { OPT_WATCH_ONLY = 256 };
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"watch", no_argument, NULL, 'w'},
                                         {"watch-only", no_argument, NULL, OPT_WATCH_ONLY},
                                         {0}};
    enum output_format fmt = OUTPUT_TABLE;
    bool watch = false, watch_only = false;
    int opt;
    while ((opt = getopt_long(argc, argv, ":o:w", opts, NULL)) != -1) {
        if (opt == 'w' || opt == OPT_WATCH_ONLY) {
            watch = true;
            watch_only = watch_only || opt == OPT_WATCH_ONLY;
            continue;
        }
        if (opt != 'o')
            return cli_getopt_error("get", opt, argv);
        fmt = output_format_from_string(optarg);
        if (fmt == _OUTPUT_FORMAT_INVALID)
            return cli_usage_error("get",
                                   "unable to match a printer suitable for the output "
                                   "format \"%s\", allowed formats are: "
                                   "json,name,wide,yaml",
                                   optarg);
    }
    char **names = NULL;
    _cleanup_free_ char *msg = NULL;
    const struct object_kind *kind = optind < argc ? cli_object_kind(argv[optind]) : NULL;
    if (kind && watch)
        return cli_usage_error("get", "--watch is served for pods only");
    if (kind) {
        names = strv_copy(argv + optind + 1);
        int r = cli_get_objects(c, kind, names, fmt);
        strv_free(names);
        return r;
    }
    if (cli_pod_args(argc - optind, argv + optind, &names, &msg) < 0)
        return cli_usage_error("get", "%s", msg);
    if (watch) {
        size_t n = strv_length(names);
        int r = n > 1 ? cli_usage_error("get",
                                        "watch is only supported on individual resources and "
                                        "resource collections, but %zu resources were found",
                                        n)
                      : get_watch(c, names[0], fmt, watch_only);
        strv_free(names);
        return r;
    }
    json_auto_t *pods = NULL;
    int rc = fetch(c, names, &pods);
    bool single = strv_length(names) == 1;
    if (!names[0] && !rc && json_array_size(pods) == 0 &&
        (fmt == OUTPUT_TABLE || fmt == OUTPUT_WIDE)) {
        if (c->all_ns)
            fprintf(stderr, "No resources found\n");
        else
            fprintf(stderr, "No resources found in %s namespace.\n", c->ns);
    } else if (json_array_size(pods) || (!names[0] && !rc)) {
        char host[256] = "localhost";
        (void) gethostname(host, sizeof(host) - 1);
        pods_print(stdout, pods, single, fmt, c->all_ns, orc_time_now_ns(), host);
    }
    strv_free(names);
    return rc;
}
