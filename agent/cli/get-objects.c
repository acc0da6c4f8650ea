/* SPDX-License-Identifier: Apache-2.0 */
/* orc get configmaps|secrets: their lists or the objects named, in kubectl's columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmd.h"
#include "json-util.h"
#include "output.h"
#include "strv.h"
#include "time-util.h"
#include "xalloc.h"

static const struct object_kind {
    const char *names[4]; /* how it may be written; the first is the path's */
    const char *singular;
    bool type; /* a TYPE column (secrets) */
} object_kinds[] = {
    {{"configmaps", "configmap", "cm"}, "configmap", false},
    {{"secrets", "secret"}, "secret", true},
};

const struct object_kind *cli_object_kind(const char *word)
{
    for (size_t i = 0; word && i < ELEMENTSOF(object_kinds); i++)
        for (size_t k = 0; k < 4 && object_kinds[i].names[k]; k++)
            if (!strcmp(word, object_kinds[i].names[k]))
                return &object_kinds[i];
    return NULL;
}

static char *object_path(const struct client *c, const struct object_kind *k, const char *name)
{
    _cleanup_free_ char *ns = client_escape(c->ns);
    if (!name)
        return c->all_ns ? xasprintf("/api/v1/%s", k->names[0])
                         : xasprintf("/api/v1/namespaces/%s/%s", ns, k->names[0]);
    _cleanup_free_ char *en = client_escape(name);
    return xasprintf("/api/v1/namespaces/%s/%s/%s", ns, k->names[0], en);
}

static void print_table(const struct object_kind *k, const json_t *items, bool all_ns)
{
    struct table t = {0};
    const char *head[6], *cells[6];
    size_t n = 0;
    if (all_ns)
        head[n++] = "NAMESPACE";
    head[n++] = "NAME";
    if (k->type)
        head[n++] = "TYPE";
    head[n++] = "DATA";
    head[n++] = "AGE";
    head[n] = NULL; /* table_add reads up to it */
    t.n_cols = n;
    table_add(&t, head);
    size_t i;
    json_t *o;
    int64_t now = orc_time_now_ns();
    json_array_foreach(items, i, o) {
        const json_t *meta = json_object_get(o, "metadata");
        _cleanup_free_ char *data =
            xasprintf("%zu", json_object_size(json_object_get(o, "data")) +
                                 json_object_size(json_object_get(o, "binaryData")));
        _cleanup_free_ char *age = age_text(orc_json_str(meta, "creationTimestamp"), now);
        n = 0;
        if (all_ns)
            cells[n++] = orc_json_str(meta, "namespace") ?: "";
        cells[n++] = orc_json_str(meta, "name") ?: "";
        if (k->type)
            cells[n++] = orc_json_str(o, "type") ?: "";
        cells[n++] = data;
        cells[n++] = age;
        cells[n] = NULL;
        table_add(&t, cells);
    }
    table_print(&t, stdout);
    table_free(&t);
}

static int print_objects(const struct object_kind *k, const json_t *items, bool single,
                         enum output_format fmt, bool all_ns)
{
    size_t i;
    json_t *o;
    if (fmt == OUTPUT_NAME) {
        json_array_foreach(items, i, o)
            printf("%s/%s\n", k->singular, orc_json_str(json_object_get(o, "metadata"), "name"));
        return 0;
    }
    if (fmt == OUTPUT_TABLE || fmt == OUTPUT_WIDE) {
        print_table(k, items, all_ns);
        return 0;
    }
    json_auto_t *doc = single ? json_incref(json_array_get(items, 0))
                              : json_pack("{s:s,s:O,s:s,s:{s:s}}", "apiVersion", "v1", "items",
                                          items, "kind", "List", "metadata", "resourceVersion", "");
    if (fmt == OUTPUT_YAML)
        return json_print_yaml(doc, stdout);
    int r = json_dumpf(doc, stdout, JSON_INDENT(4));
    putchar('\n');
    return r;
}

int cli_get_objects(struct client *c, const struct object_kind *k, char **names,
                    enum output_format fmt)
{
    json_auto_t *items = json_array();
    int rc = 0;
    if (!names[0]) {
        _cleanup_free_ char *path = object_path(c, k, NULL);
        json_auto_t *list = NULL;
        rc = client_call(c, "GET", path, NULL, 0, &list);
        if (!rc)
            json_array_extend(items, json_object_get(list, "items"));
    }
    for (size_t i = 0; names[i]; i++) {
        _cleanup_free_ char *path = object_path(c, k, names[i]);
        json_t *o = NULL;
        if (client_call(c, "GET", path, NULL, 0, &o))
            rc = 1;
        else
            json_array_append_new(items, o);
    }
    if (!names[0] && !rc && json_array_size(items) == 0 &&
        (fmt == OUTPUT_TABLE || fmt == OUTPUT_WIDE)) {
        if (c->all_ns)
            fprintf(stderr, "No resources found\n");
        else
            fprintf(stderr, "No resources found in %s namespace.\n", c->ns);
    } else if (json_array_size(items) || (!names[0] && !rc)) {
        print_objects(k, items, strv_length(names) == 1, fmt, c->all_ns);
    }
    return rc;
}
