/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "print.h"
#include "time-util.h"
#include "xalloc.h"

static const char help[] =
    "Manage the local image store.\n"
    "\n"
    "Usage: orc image load PATH     import an OCI image layout directory or a docker-save\n"
    "                               tarball (also: orc load)\n"
    "       orc image ls            list images (also: orc images)\n"
    "       orc image rm REF...     remove images (also: orc rmi)\n";

static int load(struct client *c, const char *path)
{
    char abs[PATH_MAX];
    if (!realpath(path, abs)) {
        fprintf(stderr, "error: the path \"%s\" does not exist\n", path);
        return 1;
    }
    json_auto_t *body = json_pack("{s:s}", "path", abs);
    _cleanup_free_ char *text = orc_json_dump(body);
    bool tty = isatty(2);
    if (tty)
        fprintf(stderr, "Loading %s ...", abs);
    json_auto_t *j = NULL;
    int rc = client_call(c, "POST", "/apis/orc.dev/v1/images/load", text, strlen(text), &j);
    if (tty)
        fprintf(stderr, "\r\033[K");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "names"), i, v)
        printf("Loaded image: %s\n", json_string_value(v));
    return rc;
}

static char *human_size(long long b)
{
    if (b >= 1000 * 1000)
        return xasprintf("%.3g MB", b / 1e6);
    if (b >= 1000)
        return xasprintf("%.3g kB", b / 1e3);
    return xasprintf("%lld B", b);
}

static void add_rows(struct table *t, const json_t *img, int64_t now)
{
    const char *id = orc_json_str(img, "id") ?: "";
    char shortid[13] = "";
    snprintf(shortid, sizeof(shortid), "%s", strncmp(id, "sha256:", 7) ? id : id + 7);
    char created[64];
    orc_time_format_age(now - orc_json_int(img, "created", now), created, sizeof(created));
    _cleanup_free_ char *ago = xasprintf("%s ago", created);
    _cleanup_free_ char *size = human_size(orc_json_int(img, "size", 0));
    json_t *names = json_object_get(img, "names");
    if (!json_array_size(names)) {
        const char *row[] = {"<none>", "<none>", shortid, ago, size, NULL};
        table_add(t, row);
    }
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v) {
        _cleanup_free_ char *repo = xstrdup(json_string_value(v));
        char *colon = strrchr(repo, ':');
        const char *tag = "<none>";
        if (colon && !strchr(colon, '/')) {
            *colon = '\0';
            tag = colon + 1;
        }
        const char *row[] = {repo, tag, shortid, ago, size, NULL};
        table_add(t, row);
    }
}

static int list(struct client *c)
{
    json_auto_t *j = NULL;
    if (client_call(c, "GET", "/apis/orc.dev/v1/images", NULL, 0, &j))
        return 1;
    struct table t = {0};
    const char *hdr[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", NULL};
    table_add(&t, hdr);
    int64_t now = orc_time_now_ns();
    size_t i;
    json_t *img;
    json_array_foreach(json_object_get(j, "items"), i, img) add_rows(&t, img, now);
    table_print(&t, stdout);
    table_free(&t);
    return 0;
}

static int remove_refs(struct client *c, int argc, char **argv)
{
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        _cleanup_free_ char *ref = client_escape(argv[i]);
        _cleanup_free_ char *path = xasprintf("/apis/orc.dev/v1/images/%s", ref);
        json_auto_t *j = NULL;
        if (client_call(c, "DELETE", path, NULL, 0, &j))
            rc = 1;
        else
            printf("Untagged: %s\n", argv[i]);
    }
    return rc;
}

int cmd_image(struct client *c, int argc, char **argv)
{
    if (cli_want_help(argc, argv)) {
        fputs(help, stdout);
        return 0;
    }
    if (!strcmp(argv[0], "images"))
        return list(c);
    if (!strcmp(argv[0], "rmi"))
        return argc > 1 ? remove_refs(c, argc - 1, argv + 1)
                        : cli_usage_error("image", "rmi needs an image reference");
    const char *sub = argc > 1 ? argv[1] : "";
    if (!strcmp(sub, "load") && argc == 3)
        return load(c, argv[2]);
    if (!strcmp(sub, "ls") || !strcmp(sub, "list"))
        return list(c);
    if ((!strcmp(sub, "rm") || !strcmp(sub, "remove")) && argc > 2)
        return remove_refs(c, argc - 2, argv + 2);
    return cli_usage_error("image", "usage: orc image load PATH | ls | rm REF...");
}
