/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "names.h"
#include "time-util.h"
#include "xalloc.h"

bool is_pod_resource(const char *s);

static const char help[] =
    "Delete pods by name or by the manifests that created them, and wait until they are gone.\n"
    "\n"
    "Usage: orc delete pod NAME... [-n NS] [--grace-period N] [--wait=true|false]\n"
    "       orc delete -f FILE|DIR|- [--grace-period N] [--wait=true|false]\n"
    "\n"
    "Containers get SIGTERM, then SIGKILL after the grace period (the pod's\n"
    "terminationGracePeriodSeconds unless --grace-period is given).\n";

/* Polls until the pod is gone (the agent removes it after its containers stopped). */
static int wait_gone(struct client *c, const char *path, long long grace)
{
    int64_t deadline = orc_time_mono_ns() + (grace + 60) * NSEC_PER_SEC;
    while (orc_time_mono_ns() < deadline) {
        struct reply rep;
        orc_error_t err = NULL;
        if (client_do(c, "GET", path, NULL, 0, &rep, &err) < 0)
            return cli_fail(&err);
        long code = rep.code;
        reply_done(&rep);
        if (code == 404)
            return 0;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "error: timed out waiting for the pod to be deleted\n");
    return 1;
}

static int delete_one(struct client *c, const char *ns, const char *name, long long grace,
                      bool wait)
{
    _cleanup_free_ char *ens = client_escape(ns), *en = client_escape(name);
    _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/pods/%s", ens, en);
    _cleanup_free_ char *del = grace >= 0 ? xasprintf("%s?gracePeriodSeconds=%lld", path, grace)
                                          : xstrdup(path);
    json_auto_t *j = NULL;
    if (client_call(c, "DELETE", del, NULL, 0, &j))
        return 1;
    long long g = orc_json_int(json_object_get(j, "metadata"), "deletionGracePeriodSeconds", 30);
    printf("pod \"%s\" deleted\n", name);
    fflush(stdout);
    return wait ? wait_gone(c, path, g) : 0;
}

static int delete_files(struct client *c, char **files, size_t nf, long long grace, bool wait)
{
    int rc = 0;
    for (size_t i = 0; i < nf; i++) {
        struct input_file *in = NULL;
        size_t n = 0;
        orc_error_t err = NULL;
        if (cli_read_inputs(files[i], &in, &n, &err) < 0)
            return cli_fail(&err);
        for (size_t k = 0; k < n; k++) {
            struct object_name *names = NULL;
            size_t nn = 0;
            if (manifest_object_names(in[k].data, in[k].len, &names, &nn) < 0) {
                fprintf(stderr, "error: %s: cannot read the manifest's names\n", in[k].name);
                rc = 1;
            }
            for (size_t m = 0; m < nn; m++)
                rc |= delete_one(c, names[m].ns ? names[m].ns : c->ns, names[m].name, grace, wait);
            object_names_free(names, nn);
        }
        cli_inputs_free(in, n);
    }
    return rc;
}

int cmd_delete(struct client *c, int argc, char **argv)
{
    if (cli_want_help(argc, argv)) {
        fputs(help, stdout);
        return 0;
    }
    static const struct option opts[] = {{"filename", required_argument, NULL, 'f'},
                                         {"grace-period", required_argument, NULL, 'g'},
                                         {"wait", optional_argument, NULL, 'w'},
                                         {0}};
    char *files[16];
    size_t nf = 0;
    long long grace = -1;
    bool wait = true;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
        if (opt == 'f' && nf < 16)
            files[nf++] = optarg;
        else if (opt == 'g')
            grace = atoll(optarg);
        else if (opt == 'w')
            wait = !optarg || strcmp(optarg, "false") != 0;
        else
            return cli_usage_error("delete", "unknown flag");
    }
    if (nf)
        return delete_files(c, files, nf, grace, wait);
    if (optind + 1 >= argc || !is_pod_resource(argv[optind]))
        return cli_usage_error("delete", "usage: orc delete pod NAME... or orc delete -f FILE");
    int rc = 0;
    for (int i = optind + 1; i < argc; i++)
        rc |= delete_one(c, c->ns, argv[i], grace, wait);
    return rc;
}
