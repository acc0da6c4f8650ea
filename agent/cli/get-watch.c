/* SPDX-License-Identifier: Apache-2.0 */
/* orc get -w: list, then watch from the list's resourceVersion, printing as kubectl does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "output.h"
#include "time-util.h"
#include "xalloc.h"

struct get_watch {
    struct client *c;
    const char *name; /* one pod, or NULL for all */
    enum output_format fmt;
    char host[256];
    struct watch_print print;
    char *rv;      /* where the next watch starts */
    bool expired;  /* the server said 410 Gone: list again */
    json_t *error; /* another ERROR event: the end */
};

static void print_pod(struct get_watch *g, const json_t *pod)
{
    pod_watch_print(stdout, pod, g->fmt, &g->print, g->c->all_ns, orc_time_now_ns(), g->host);
}

static void set_rv(struct get_watch *g, const json_t *obj)
{
    const char *rv = orc_json_str(json_object_get(obj, "metadata"), "resourceVersion");
    if (rv && *rv) {
        free(g->rv);
        g->rv = xstrdup(rv);
    }
}

/* The collection's path and query, with the pod's name as a field selector. */
static char *path_with(const struct get_watch *g, const char *query)
{
    _cleanup_free_ char *ns = client_escape(g->c->ns);
    _cleanup_free_ char *base =
        g->c->all_ns ? xstrdup("/api/v1/pods") : xasprintf("/api/v1/namespaces/%s/pods", ns);
    if (!g->name)
        return xasprintf("%s?%s", base, query);
    _cleanup_free_ char *name = client_escape(g->name);
    return xasprintf("%s?%s&fieldSelector=metadata.name%%3D%s", base, query, name);
}

/* Lists (printing the pods unless quiet) and takes the list's resourceVersion. */
static int list(struct get_watch *g, bool quiet)
{
    _cleanup_free_ char *path = path_with(g, "");
    json_auto_t *reply = NULL;
    if (client_call(g->c, "GET", path, NULL, 0, &reply))
        return 1;
    size_t i, n = 0;
    json_t *pod;
    json_array_foreach(json_object_get(reply, "items"), i, pod) {
        const char *name = orc_json_str(json_object_get(pod, "metadata"), "name");
        if (g->name && strcmp(name ? name : "", g->name))
            continue;
        n++;
        if (!quiet)
            print_pod(g, pod);
    }
    set_rv(g, reply);
    if (g->name && n == 0) {
        fprintf(stderr, "Error from server (NotFound): pods \"%s\" not found\n", g->name);
        return 1;
    }
    if (n == 0 && !quiet && (g->fmt == OUTPUT_TABLE || g->fmt == OUTPUT_WIDE)) {
        if (g->c->all_ns)
            fprintf(stderr, "No resources found\n");
        else
            fprintf(stderr, "No resources found in %s namespace.\n", g->c->ns);
    }
    return 0;
}

/* One watch event: {"type":..., "object":...}. */
static void on_event(void *arg, const char *line)
{
    struct get_watch *g = arg;
    json_auto_t *ev = json_loads(line, 0, NULL);
    const char *type = orc_json_str(ev, "type");
    json_t *obj = json_object_get(ev, "object");
    if (!type || !obj || g->expired || g->error)
        return;
    if (!strcmp(type, "ERROR")) {
        if (orc_json_int(obj, "code", 0) == 410)
            g->expired = true;
        else
            g->error = json_incref(obj);
        return;
    }
    set_rv(g, obj);
    if (strcmp(type, "BOOKMARK"))
        print_pod(g, obj);
}

/* Watches from g->rv until the server ends the answer: 0 to go on, 1 to stop (printed). */
static int watch_once(struct get_watch *g)
{
    _cleanup_free_ char *rv = client_escape(g->rv ? g->rv : "0");
    _cleanup_free_ char *query =
        xasprintf("watch=true&allowWatchBookmarks=true&resourceVersion=%s", rv);
    _cleanup_free_ char *path = path_with(g, query);
    long code = 0;
    struct reply body = {0};
    orc_error_t err = NULL;
    if (client_get_lines(g->c, path, on_event, g, &code, &body, &err) < 0)
        return cli_fail(&err);
    if (code >= 300) {
        body.code = code;
        print_server_error(&body);
        reply_done(&body);
        return 1;
    }
    if (g->error) {
        struct reply r = {.code = orc_json_int(g->error, "code", 500)};
        r.body = json_dumps(g->error, JSON_COMPACT);
        r.len = strlen(r.body);
        print_server_error(&r);
        reply_done(&r);
        return 1;
    }
    return 0;
}

int get_watch(struct client *c, const char *name, enum output_format fmt, bool watch_only)
{
    struct get_watch g = {.c = c, .name = name, .fmt = fmt};
    strcpy(g.host, "localhost");
    (void) gethostname(g.host, sizeof(g.host) - 1);
    int rc = list(&g, watch_only);
    while (rc == 0) {
        if (g.expired) { /* the changes since were dropped: list again, printing every pod */
            g.expired = false;
            rc = list(&g, false);
            continue;
        }
        rc = watch_once(&g); /* it ended (timeoutSeconds): watch again from where it was */
    }
    free(g.rv);
    json_decref(g.error);
    return rc;
}
