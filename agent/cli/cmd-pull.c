/* SPDX-License-Identifier: Apache-2.0 */
/* orc pull: an image from a registry into the agent's store, with progress. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "xalloc.h"

#define MAX_ROWS 64

static const char help[] =
    "NAME\n"
    "    orc pull - pull an image from a registry into the agent's store\n"
    "\n"
    "SYNOPSIS\n"
    "    orc pull IMAGE           (also: orc image pull IMAGE)\n"
    "\n"
    "DESCRIPTION\n"
    "    IMAGE is a reference as in a pod's spec: \"busybox\" (docker.io/library/busybox:latest),\n"
    "    \"registry.example:5000/team/app:1.2\" or \"...@sha256:<digest>\". An index picks\n"
    "    linux and this machine's architecture. Every blob is checked against its size and\n"
    "    digest; a pull that fails installs nothing. On a terminal each blob shows a progress\n"
    "    bar; otherwise one line per blob, as podman prints them. The last line is the image\n"
    "    id. Credentials come from $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,\n"
    "    ~/.config/containers/auth.json or ~/.docker/config.json (see orcd --help for plain\n"
    "    HTTP registries).\n"
    "\n"
    "EXIT STATUS\n"
    "    0 pulled; 125 on any failure (as podman): the pull failed, a usage error, or the\n"
    "    agent unreachable.\n";

struct row {
    char digest[13];
    long long done, total;
    bool finished;
};

struct view {
    bool tty;
    struct row rows[MAX_ROWS];
    int n, drawn;
    char *error, *id;
};

static struct row *row_of(struct view *v, const char *digest)
{
    const char *hex = digest && !strncmp(digest, "sha256:", 7) ? digest + 7 : digest ? digest : "";
    for (int i = 0; i < v->n; i++)
        if (!strncmp(v->rows[i].digest, hex, 12))
            return &v->rows[i];
    if (v->n == MAX_ROWS)
        return NULL;
    struct row *r = &v->rows[v->n++];
    snprintf(r->digest, sizeof(r->digest), "%.12s", hex);
    return r;
}

static void human(long long b, char *buf, size_t len)
{
    if (b >= 1 << 20)
        snprintf(buf, len, "%.1fMiB", (double) b / (1 << 20));
    else
        snprintf(buf, len, "%.1fKiB", (double) b / 1024);
}

static void draw(struct view *v)
{
    if (v->drawn)
        fprintf(stderr, "\033[%dA", v->drawn); /* back to the first row */
    for (int i = 0; i < v->n; i++) {
        struct row *r = &v->rows[i];
        char done[32], total[32], bar[31];
        human(r->done, done, sizeof(done));
        human(r->total, total, sizeof(total));
        int fill = r->total > 0 ? (int) (30 * r->done / r->total) : 30;
        for (int k = 0; k < 30; k++)
            bar[k] = k < fill ? '=' : k == fill ? '>' : ' ';
        bar[30] = '\0';
        fprintf(stderr, "\r\033[KCopying blob %s %s\n", r->digest, r->finished ? "done" : "");
        if (!r->finished)
            fprintf(stderr, "\033[1A\r\033[KCopying blob %s [%s] %s / %s\n", r->digest, bar, done,
                    total);
    }
    v->drawn = v->n;
    fflush(stderr);
}

static void on_line(void *arg, const char *line)
{
    struct view *v = arg;
    json_auto_t *j = json_loads(line, 0, NULL);
    const char *status = orc_json_str(j, "status");
    if (!status)
        return;
    struct row *r = NULL;
    if (!strcmp(status, "progress") || !strcmp(status, "blob")) {
        r = row_of(v, orc_json_str(j, "digest"));
        if (!r)
            return;
        r->total = orc_json_int(j, "total", 0);
        r->done = !strcmp(status, "blob") ? r->total : orc_json_int(j, "done", 0);
        r->finished = !strcmp(status, "blob");
        if (v->tty)
            draw(v);
        else if (r->finished)
            fprintf(stderr, "Copying blob %s done\n", r->digest);
    } else if (!strcmp(status, "storing")) {
        fprintf(stderr, "Writing manifest to image destination\n");
    } else if (!strcmp(status, "done")) {
        v->id = xstrdup(orc_json_str(j, "id") ?: "");
    } else if (!strcmp(status, "error")) {
        v->error = xstrdup(orc_json_str(j, "message") ?: "pull failed");
    }
}

static int pull(struct client *c, const char *ref)
{
    json_auto_t *body = json_pack("{s:s}", "image", ref);
    _cleanup_free_ char *text = orc_json_dump(body);
    struct view v = {.tty = isatty(STDERR_FILENO)};
    struct reply bad;
    long code = 0;
    orc_error_t err = NULL;
    fprintf(stderr, "Trying to pull %s...\n", ref);
    if (client_post_lines(c, "/apis/orc.dev/v1/images/pull", text, on_line, &v, &code, &bad, &err) <
        0)
        return cli_fail(&err);
    int rc = 0;
    if (code >= 300) {
        print_server_error(&bad);
        rc = 1;
    } else if (v.error || !v.id) {
        fprintf(stderr, "Error: %s\n", v.error ? v.error : "the agent ended the pull early");
        rc = 1;
    } else {
        printf("%s\n", strncmp(v.id, "sha256:", 7) ? v.id : v.id + 7);
    }
    reply_done(&bad);
    free(v.error);
    free(v.id);
    return rc;
}

int cmd_pull(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    /* orc pull IMAGE, orc image pull IMAGE */
    int first = !strcmp(argv[0], "image") ? 2 : 1;
    if (argc - first != 1)
        return cli_usage_error("pull", "pull takes exactly one IMAGE");
    return pull(c, argv[first]);
}
