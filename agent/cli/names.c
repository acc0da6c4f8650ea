/* SPDX-License-Identifier: Apache-2.0 */
#include "names.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "xalloc.h"

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *) k->data.scalar.value, key))
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

int manifest_object_names(const char *buf, size_t len, struct object_name **ret, size_t *ret_n)
{
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *) buf, len);
    struct object_name *out = NULL;
    size_t n = 0;
    int rc = 0;
    for (;;) {
        yaml_document_t d;
        if (!yaml_parser_load(&p, &d)) {
            rc = -1;
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&d);
        if (!root) {
            yaml_document_delete(&d);
            break;
        }
        const char *kind = scalar(map_get(&d, root, "kind"));
        yaml_node_t *meta = map_get(&d, root, "metadata");
        const char *name = scalar(map_get(&d, meta, "name"));
        const char *ns = scalar(map_get(&d, meta, "namespace"));
        if (kind && !strcmp(kind, "Pod") && name) {
            out = xrealloc(out, sizeof(*out) * (n + 1));
            out[n].name = xstrdup(name);
            out[n].ns = ns ? xstrdup(ns) : NULL;
            n++;
        }
        yaml_document_delete(&d);
    }
    yaml_parser_delete(&p);
    *ret = out;
    *ret_n = n;
    return rc;
}

void object_names_free(struct object_name *names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(names[i].name);
        free(names[i].ns);
    }
    free(names);
}
