/* SPDX-License-Identifier: Apache-2.0 */
/* Tables: the printer of a kind, the rows' objects, and the default Name / Created At. */
#include "api/table.h"

#include <errno.h>
#include <string.h>

#include "json-util.h"
#include "time-util.h"

enum table_include table_include_from_string(const char *s)
{
    static const char *const names[_TABLE_INCLUDE_MAX] = {
        [TABLE_INCLUDE_NONE] = "None",
        [TABLE_INCLUDE_METADATA] = "Metadata",
        [TABLE_INCLUDE_OBJECT] = "Object",
    };
    if (!s || !*s)
        return TABLE_INCLUDE_METADATA;
    for (int i = 0; i < _TABLE_INCLUDE_MAX; i++)
        if (!strcmp(s, names[i]))
            return (enum table_include) i;
    return _TABLE_INCLUDE_INVALID;
}

json_t *table_age_ns(int64_t t_ns, int64_t now_ns)
{
    if (!t_ns)
        return json_string("<unknown>");
    char buf[32];
    orc_time_format_human(now_ns - t_ns, buf, sizeof(buf));
    return json_string(buf);
}

json_t *table_age(const char *ts, int64_t now_ns)
{
    int64_t t;
    if (!ts || orc_time_parse_rfc3339(ts, &t) < 0)
        return json_string("<unknown>");
    return table_age_ns(t, now_ns);
}

json_t *table_str(const json_t *obj, const char *key)
{
    return json_string(orc_json_str(obj, key) ?: "");
}

/* Kinds without a printer: the name and the creation time, in RFC 3339 (UTC). */
static const struct table_column default_columns[] = {
    TABLE_NAME_COLUMN,
    {"Created At", "date", "", TABLE_AGE_DESCRIPTION, 0},
};

static void default_cells(const json_t *obj, int64_t now_ns, json_t *cells)
{
    (void) now_ns;
    const json_t *meta = json_object_get(obj, "metadata");
    int64_t t = 0;
    char buf[64] = "0001-01-01T00:00:00Z"; /* Go's zero time */
    if (orc_time_parse_rfc3339(orc_json_str(meta, "creationTimestamp") ?: "", &t) == 0)
        orc_time_format_rfc3339(t, false, buf, sizeof(buf));
    json_array_append_new(cells, table_str(meta, "name"));
    json_array_append_new(cells, json_string(buf));
}

static const struct table_printer default_printer = {
    .columns = default_columns,
    .n_columns = ELEMENTSOF(default_columns),
    .cells = default_cells,
};

static const struct table_printer *printer_for(const char *kind)
{
    static const struct table_printer *const printers[] = {
        &table_pod_printer,       &table_event_printer, &table_node_printer,
        &table_namespace_printer, &table_lease_printer, &table_configmap_printer,
        &table_secret_printer,    &table_claim_printer, &table_volume_printer,
    };
    for (size_t i = 0; kind && i < ELEMENTSOF(printers); i++)
        if (!strcmp(printers[i]->kind, kind))
            return printers[i];
    return &default_printer;
}

static json_t *column_definitions(const struct table_printer *p)
{
    json_t *defs = json_array();
    for (size_t i = 0; i < p->n_columns; i++) {
        const struct table_column *c = &p->columns[i];
        json_array_append_new(defs, json_pack("{s:s,s:s,s:s,s:s,s:i}", "name", c->name, "type",
                                              c->type, "format", c->format, "description",
                                              c->description, "priority", c->priority));
    }
    return defs;
}

/* What the row carries of obj: a PartialObjectMetadata of the table's version (the default),
 * the object, or null. */
static json_t *row_object(const json_t *obj, const struct table_options *opt)
{
    switch (opt->include) {
    case TABLE_INCLUDE_OBJECT:
        return json_incref((json_t *) obj);
    case TABLE_INCLUDE_NONE:
        return json_null();
    case TABLE_INCLUDE_METADATA:
    case _TABLE_INCLUDE_MAX:
    case _TABLE_INCLUDE_INVALID:
        break;
    }
    return table_partial_metadata(obj, opt->api_version);
}

json_t *table_partial_metadata(const json_t *obj, const char *api_version)
{
    json_t *meta = json_object_get(obj, "metadata");
    return json_pack("{s:s,s:s,s:o}", "kind", "PartialObjectMetadata", "apiVersion", api_version,
                     "metadata", meta ? json_incref(meta) : json_object());
}

json_t *table_columns(const char *kind)
{
    return column_definitions(printer_for(kind));
}

json_t *table_build(const char *kind, const json_t *items, const struct table_options *opt)
{
    const struct table_printer *p = printer_for(kind);
    json_t *rows = json_array();
    size_t i;
    const json_t *obj;
    json_array_foreach(items, i, obj) {
        json_t *cells = json_array();
        p->cells(obj, opt->now_ns, cells);
        json_t *row = json_pack("{s:o,s:o}", "cells", cells, "object", row_object(obj, opt));
        json_t *conditions = p->conditions ? p->conditions(obj) : NULL;
        if (conditions)
            json_object_set_new(row, "conditions", conditions);
        json_array_append_new(rows, row);
    }
    return json_pack("{s:s,s:s,s:{},s:o,s:o}", "kind", "Table", "apiVersion", opt->api_version,
                     "metadata", "columnDefinitions", column_definitions(p), "rows", rows);
}
