/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "names.h"
#include "strv.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc delete - delete pods and wait until they are gone\n"
    "\n"
    "SYNOPSIS\n"
    "    orc delete pod NAME... [-n NAMESPACE] [--grace-period N] [--wait=true|false]\n"
    "    orc delete pod/NAME...\n"
    "    orc delete -f FILE|DIR|- [-f ...] [--grace-period N] [--wait=true|false]\n"
    "\n"
    "DESCRIPTION\n"
    "    Containers get SIGTERM, then SIGKILL after the grace period (the pod's\n"
    "    terminationGracePeriodSeconds unless --grace-period is given). With -f the pods\n"
    "    named by the manifests' Pod documents are deleted. A pod that does not exist is\n"
    "    reported and the others are still deleted.\n"
    "\n"
    "OPTIONS\n"
    "    -f, --filename FILE|DIR|-  manifests naming the pods (repeatable)\n"
    "    --grace-period N           seconds between SIGTERM and SIGKILL (0: at once)\n"
    "    --wait=true|false          wait until the pods are gone (default true)\n"
    "    -n, --namespace NS         the namespace of pods named on the command line\n";

struct target {
    char *ns, *name, *path;
    long long grace; /* as the agent set it, for the wait's deadline */
    bool deleted;
};

struct targets {
    struct target *v;
    size_t n;
};

static void targets_add(struct targets *t, const char *ns, const char *name)
{
    _cleanup_free_ char *ens = client_escape(ns), *en = client_escape(name);
    t->v = xrealloc(t->v, sizeof(*t->v) * (t->n + 1));
    t->v[t->n++] = (struct target){.ns = xstrdup(ns),
                                   .name = xstrdup(name),
                                   .path = xasprintf("/api/v1/namespaces/%s/pods/%s", ens, en)};
}

static void targets_free(struct targets *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].ns);
        free(t->v[i].name);
        free(t->v[i].path);
    }
    free(t->v);
}

/* 1 while the pod exists, 0 once it is gone, -1 on a transport error (printed). */
static int still_there(struct client *c, const char *path)
{
    struct reply rep;
    orc_error_t err = NULL;
    if (client_do(c, "GET", path, NULL, 0, &rep, &err) < 0)
        return cli_fail(&err), -1;
    long code = rep.code;
    reply_done(&rep);
    return code != 404;
}

/* Polls until each deleted pod is gone (the agent removes it once its containers stopped),
 * within the largest grace period plus a minute: first every 10 ms, since most pods go at
 * once, then less often, up to every 100 ms. */
static int wait_gone(struct client *c, const struct targets *t)
{
    long long grace = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].deleted && t->v[i].grace > grace)
            grace = t->v[i].grace;
    int64_t deadline = orc_time_mono_ns() + (grace + 60) * NSEC_PER_SEC;
    int64_t interval_ms = 10;
    for (size_t i = 0; i < t->n; i++) {
        int r = 0;
        if (!t->v[i].deleted)
            continue;
        while ((r = still_there(c, t->v[i].path)) > 0 && orc_time_mono_ns() < deadline) {
            struct timespec ts = {0, interval_ms * NSEC_PER_MSEC};
            nanosleep(&ts, NULL);
            interval_ms = interval_ms * 2 < 100 ? interval_ms * 2 : 100;
        }
        if (r < 0)
            return 1;
        if (r > 0) {
            fprintf(stderr, "error: timed out waiting for pod \"%s\" to be deleted\n",
                    t->v[i].name);
            return 1;
        }
    }
    return 0;
}

/* Deletes every target first (kubectl does), then waits for all of them. */
static int delete_all(struct client *c, struct targets *t, long long grace, bool wait)
{
    int rc = 0;
    bool any = false;
    for (size_t i = 0; i < t->n; i++) {
        _cleanup_free_ char *del =
            grace >= 0 ? xasprintf("%s?gracePeriodSeconds=%lld", t->v[i].path, grace)
                       : xstrdup(t->v[i].path);
        json_auto_t *j = NULL;
        if (client_call(c, "DELETE", del, NULL, 0, &j)) {
            rc = 1;
            continue;
        }
        json_t *meta = json_object_get(j, "metadata");
        t->v[i].grace = orc_json_int(meta, "deletionGracePeriodSeconds", grace >= 0 ? grace : 30);
        t->v[i].deleted = any = true;
        printf("pod \"%s\" deleted\n", t->v[i].name);
        fflush(stdout);
    }
    if (wait && any)
        rc |= wait_gone(c, t);
    return rc;
}

/* The Pod documents' names and namespaces of every -f argument. */
static int targets_from_files(struct client *c, char **files, struct targets *t)
{
    int rc = 0;
    for (size_t i = 0; files[i]; i++) {
        struct input_file *in = NULL;
        size_t n = 0;
        orc_error_t err = NULL;
        if (cli_read_inputs(files[i], &in, &n, &err) < 0) {
            cli_inputs_free(in, n);
            return cli_fail(&err);
        }
        for (size_t k = 0; k < n; k++) {
            struct object_name *names = NULL;
            size_t nn = 0;
            if (manifest_object_names(in[k].data, in[k].len, &names, &nn) < 0) {
                fprintf(stderr, "error: %s: not a valid YAML or JSON manifest\n", in[k].name);
                rc = 1;
            }
            for (size_t m = 0; m < nn; m++)
                targets_add(t, names[m].ns ?: c->ns, names[m].name);
            object_names_free(names, nn);
        }
        cli_inputs_free(in, n);
    }
    return rc;
}

int cmd_delete(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    static const struct option opts[] = {{"filename", required_argument, NULL, 'f'},
                                         {"grace-period", required_argument, NULL, 'g'},
                                         {"wait", optional_argument, NULL, 'w'},
                                         {0}};
    _cleanup_(strv_freep) char **files = NULL;
    long long grace = -1;
    int opt, wait = 1;
    while ((opt = getopt_long(argc, argv, ":f:", opts, NULL)) != -1) {
        if (opt == 'f') {
            files = strv_push(files, optarg);
        } else if (opt == 'g') {
            if ((grace = cli_parse_count(optarg)) < 0)
                return cli_usage_error("delete", "invalid argument \"%s\" for \"--grace-period\"",
                                       optarg);
        } else if (opt == 'w') {
            if ((wait = cli_parse_bool(optarg)) < 0)
                return cli_usage_error("delete", "invalid argument \"%s\" for \"--wait\"", optarg);
        } else {
            return cli_getopt_error("delete", opt, argv);
        }
    }
    struct targets t = {0};
    int rc = 0;
    if (files) {
        if (optind < argc) {
            return cli_usage_error("delete", "there is no need to specify a resource type as a "
                                             "separate argument when passing arguments with -f");
        }
        rc = targets_from_files(c, files, &t);
    } else {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_free_ char *msg = NULL;
        if (optind >= argc)
            return cli_usage_error("delete", "You must provide one or more resources by "
                                             "argument or filename.");
        if (cli_pod_args(argc - optind, argv + optind, &names, &msg) < 0)
            return cli_usage_error("delete", "%s", msg);
        if (!names[0])
            return cli_usage_error("delete",
                                   "resource(s) were provided, but no name was specified");
        for (size_t i = 0; names[i]; i++)
            targets_add(&t, c->ns, names[i]);
    }
    rc |= delete_all(c, &t, grace, wait);
    targets_free(&t);
    return rc;
}
