/* SPDX-License-Identifier: Apache-2.0 */
/* The columns of ConfigMaps and Secrets, as the API server's printers fill them. */
#include "api/table.h"
#include "cleanup.h"

static const struct table_column configmap_columns[] = {
    TABLE_NAME_COLUMN,
    {"Data", "string", "",
     "Data contains the configuration data. Each key must consist of alphanumeric characters, "
     "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The "
     "keys stored in Data must not overlap with the keys in the BinaryData field, this is "
     "enforced during validation process.",
     0},
    TABLE_AGE_COLUMN,
};

static json_t *name_cell(const json_t *obj)
{
    return table_str(json_object_get(obj, "metadata"), "name");
}

static json_t *age_cell(const json_t *obj, int64_t now_ns)
{
    return table_age(
        json_string_value(json_object_get(json_object_get(obj, "metadata"), "creationTimestamp")),
        now_ns);
}

/* DATA: the number of keys, binaryData's included */
static void configmap_cells(const json_t *cm, int64_t now_ns, json_t *cells)
{
    json_array_append_new(cells, name_cell(cm));
    json_array_append_new(
        cells, json_integer((json_int_t) (json_object_size(json_object_get(cm, "data")) +
                                          json_object_size(json_object_get(cm, "binaryData")))));
    json_array_append_new(cells, age_cell(cm, now_ns));
}

const struct table_printer table_configmap_printer = {
    .kind = "ConfigMap",
    .columns = configmap_columns,
    .n_columns = ELEMENTSOF(configmap_columns),
    .cells = configmap_cells,
};

static const struct table_column secret_columns[] = {
    TABLE_NAME_COLUMN,
    {"Type", "string", "",
     "Used to facilitate programmatic handling of secret data. More info: "
     "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
     0},
    {"Data", "string", "",
     "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' "
     "or '.'. The serialized form of the secret data is a base64 encoded string, representing "
     "the arbitrary (possibly non-string) data value here. Described in "
     "https://tools.ietf.org/html/rfc4648#section-4",
     0},
    TABLE_AGE_COLUMN,
};

static void secret_cells(const json_t *secret, int64_t now_ns, json_t *cells)
{
    json_array_append_new(cells, name_cell(secret));
    json_array_append_new(cells, table_str(secret, "type"));
    json_array_append_new(
        cells, json_integer((json_int_t) json_object_size(json_object_get(secret, "data"))));
    json_array_append_new(cells, age_cell(secret, now_ns));
}

const struct table_printer table_secret_printer = {
    .kind = "Secret",
    .columns = secret_columns,
    .n_columns = ELEMENTSOF(secret_columns),
    .cells = secret_cells,
};
