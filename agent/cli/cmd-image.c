/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "images-view.h"
#include "json-util.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "NAME\n"
    "    orc image - manage the agent's local image store\n"
    "\n"
    "SYNOPSIS\n"
    "    orc image load PATH      (also: orc load PATH)\n"
    "    orc image ls             (also: orc images)\n"
    "    orc image rm REF...      (also: orc rmi REF...)\n"
    "    orc image pull IMAGE     (also: orc pull IMAGE; see orc pull --help)\n"
    "    orc image inspect IMAGE...\n"
    "    orc image prune [-a|--all] [-f|--force]\n"
    "\n"
    "DESCRIPTION\n"
    "    load imports an OCI image layout directory or a `docker save` tarball; the agent\n"
    "    reads PATH itself, so it is sent as an absolute path. Prints \"Loaded image: NAME\"\n"
    "    per name; on a terminal a progress line shows while the agent works.\n"
    "    ls prints REPOSITORY TAG IMAGE ID CREATED SIZE, one row per name; CREATED is the\n"
    "    image's creation time from its config, as podman shows it (a reproducible image\n"
    "    built at the epoch is \"56 years ago\"), not when it was loaded.\n"
    "    rm removes a name (\"Untagged: REF\"); the image itself goes with its last name\n"
    "    (\"Deleted: ID\"). REF is a name or an id prefix. An image a pod uses is refused\n"
    "    (409 Conflict) unless ?force is given through the API.\n"
    "    inspect prints podman's JSON array: Id, Digest, RepoTags, Created, Size, Config,\n"
    "    RootFS. prune removes every image no pod uses (as podman image prune -a) and\n"
    "    prints their ids; it never asks, and -a/--all and -f/--force, podman's, change\n"
    "    nothing. The agent also removes unused images, the longest stored first,\n"
    "    when its disk is fuller than --image-gc-high-threshold after a pull.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 done; 125 on any failure (as podman): a usage error, the agent unreachable or\n"
    "    refusing (an unknown image, an image in use), one of several images failing.\n";

static int load(struct client *c, const char *path)
{
    char abs[PATH_MAX];
    if (!realpath(path, abs)) {
        fprintf(stderr, "error: the path \"%s\" does not exist\n", path);
        return 1;
    }
    json_auto_t *body = json_pack("{s:s}", "path", abs);
    _cleanup_free_ char *text = orc_json_dump(body);
    _cleanup_free_ char *label = xasprintf("Loading %s", abs);
    c->progress = label;
    json_auto_t *j = NULL;
    int rc = client_call(c, "POST", "/apis/orc.dev/v1/images/load", text, strlen(text), &j);
    c->progress = NULL;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "names"), i, v)
        printf("Loaded image: %s\n", json_string_value(v) ?: "");
    return rc;
}

static int fetch_images(struct client *c, json_t **ret)
{
    json_auto_t *j = NULL;
    if (client_call(c, "GET", "/apis/orc.dev/v1/images", NULL, 0, &j))
        return 1;
    *ret = json_incref(json_object_get(j, "items"));
    return 0;
}

static int list(struct client *c)
{
    json_auto_t *items = NULL;
    if (fetch_images(c, &items))
        return 1;
    images_table_print(stdout, items, orc_time_now_ns());
    return 0;
}

/* podman rmi: "Untagged: REF", then "Deleted: ID" when the image went with it. */
static int remove_ref(struct client *c, const char *ref)
{
    json_auto_t *before = NULL, *after = NULL;
    if (fetch_images(c, &before))
        return 1;
    const json_t *img = image_find(before, ref);
    _cleanup_free_ char *id = xstrdup(img ? orc_json_str(img, "id") ?: "" : "");
    _cleanup_free_ char *eref = client_escape(ref);
    _cleanup_free_ char *path = xasprintf("/apis/orc.dev/v1/images/%s", eref);
    json_auto_t *j = NULL;
    if (client_call(c, "DELETE", path, NULL, 0, &j))
        return 1;
    printf("Untagged: %s\n", ref);
    if (*id && !fetch_images(c, &after)) {
        bool gone = true;
        size_t i;
        json_t *v;
        json_array_foreach(after, i, v)
            gone &= strcmp(orc_json_str(v, "id") ?: "", id) != 0;
        if (gone)
            printf("Deleted: %s\n", strncmp(id, "sha256:", 7) ? id : id + 7);
    }
    return 0;
}

/* podman image inspect: a JSON array, one object per reference. */
static int inspect(struct client *c, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("image", "inspect needs at least one IMAGE");
    json_auto_t *all = json_array();
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        _cleanup_free_ char *eref = client_escape(argv[i]);
        _cleanup_free_ char *path = xasprintf("/apis/orc.dev/v1/images/%s", eref);
        json_t *j = NULL;
        if (client_call(c, "GET", path, NULL, 0, &j)) {
            rc = 1;
            continue;
        }
        json_array_append_new(all, j);
    }
    if (json_array_size(all) > 0) {
        _cleanup_free_ char *text = json_dumps(all, JSON_INDENT(4));
        printf("%s\n", text);
    }
    return rc;
}

/* podman image prune -a: every image no pod uses goes; prints the ids. */
static int prune(struct client *c)
{
    json_auto_t *j = NULL;
    if (client_call(c, "POST", "/apis/orc.dev/v1/images/prune", "{}", 2, &j))
        return 1;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "deleted"), i, v) {
        const char *id = orc_json_str(v, "id") ?: "";
        printf("%s\n", strncmp(id, "sha256:", 7) ? id : id + 7);
    }
    return 0;
}

static int remove_refs(struct client *c, int argc, char **argv)
{
    if (argc < 1)
        return cli_usage_error("image", "image name or ID must be specified");
    int rc = 0;
    for (int i = 0; i < argc; i++)
        rc |= remove_ref(c, argv[i]);
    return rc;
}

int cmd_image(struct client *c, int argc, char **argv)
{
    if (cli_help(argc, argv, help))
        return 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "+:", (const struct option[]){{0}}, NULL)) != -1)
        return cli_getopt_error("image", opt, argv);
    /* orc images, orc rmi, orc load: the verb itself is the subcommand */
    const char *sub = argv[0];
    int first = 1;
    if (!strcmp(sub, "image")) {
        sub = argc > 1 ? argv[1] : "";
        first = 2;
    }
    int n = argc - first;
    if (!strcmp(sub, "load"))
        return n == 1 ? load(c, argv[first])
                      : cli_usage_error("image", "load takes exactly one PATH");
    if (!strcmp(sub, "ls") || !strcmp(sub, "list") || !strcmp(sub, "images"))
        return n == 0 ? list(c) : cli_usage_error("image", "ls takes no arguments");
    if (!strcmp(sub, "pull"))
        return cmd_pull(c, argc, argv);
    if (!strcmp(sub, "inspect"))
        return inspect(c, n, argv + first);
    if (!strcmp(sub, "prune")) {
        for (int i = first; i < argc; i++) /* -a/--all: what orc's prune always does */
            if (strcmp(argv[i], "-a") && strcmp(argv[i], "--all") && strcmp(argv[i], "-f") &&
                strcmp(argv[i], "--force"))
                return cli_usage_error("image", "prune takes no arguments");
        return prune(c);
    }
    if (!strcmp(sub, "rm") || !strcmp(sub, "remove") || !strcmp(sub, "rmi"))
        return remove_refs(c, n, argv + first);
    return cli_usage_error("image", "unknown command \"%s\" for \"orc image\"", sub);
}
