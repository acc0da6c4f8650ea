/* SPDX-License-Identifier: Apache-2.0 */
/* The columns of ConfigMaps, Secrets, PersistentVolumeClaims and PersistentVolumes, as the API
 * server's printers fill them. */
#include <stdbool.h>
#include <string.h>

#include "api/table.h"
#include "cleanup.h"
#include "json-util.h"

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

/* "RWO,ROX": access modes as the printers abbreviate them */
static json_t *modes_cell(const json_t *modes)
{
    static const char *const names[][2] = {{"ReadWriteOnce", "RWO"},
                                           {"ReadOnlyMany", "ROX"},
                                           {"ReadWriteMany", "RWX"},
                                           {"ReadWriteOncePod", "RWOP"}};
    char buf[64] = "";
    size_t i;
    json_t *m;
    json_array_foreach(modes, i, m)
        for (size_t k = 0; k < ELEMENTSOF(names); k++)
            if (json_is_string(m) && !strcmp(json_string_value(m), names[k][0]) &&
                strlen(buf) + 6 < sizeof(buf)) {
                if (*buf)
                    strcat(buf, ",");
                strcat(buf, names[k][1]);
            }
    return json_string(buf);
}

/* Terminating while deleted, else the phase */
static json_t *phase_cell(const json_t *obj)
{
    if (json_string_value(json_object_get(json_object_get(obj, "metadata"), "deletionTimestamp")))
        return json_string("Terminating");
    return table_str(json_object_get(obj, "status"), "phase");
}

#define VOLUME_MODE_COLUMN                                                                         \
    {                                                                                              \
        "VolumeMode", "string", "",                                                                \
            "volumeMode defines what type of volume is required by the claim. Value of "           \
            "Filesystem is implied when not included in claim spec.",                              \
            1                                                                                      \
    }
#define VAC_COLUMN                                                                                 \
    {                                                                                              \
        "VolumeAttributesClass", "string", "",                                                     \
            "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this " \
            "claim.",                                                                              \
            0                                                                                      \
    }

static const struct table_column claim_columns[] = {
    TABLE_NAME_COLUMN,
    {"Status", "string", "",
     "status represents the current information/status of a persistent "
     "volume claim. Read-only.",
     0},
    {"Volume", "string", "",
     "volumeName is the binding reference to the PersistentVolume "
     "backing this claim.",
     0},
    {"Capacity", "string", "",
     "capacity represents the actual resources of the underlying "
     "volume.",
     0},
    {"Access Modes", "string", "",
     "accessModes contains the desired access modes the volume "
     "should have.",
     0},
    {"StorageClass", "string", "",
     "storageClassName is the name of the StorageClass required "
     "by the claim.",
     0},
    VAC_COLUMN,
    TABLE_AGE_COLUMN,
    VOLUME_MODE_COLUMN,
};

static void claim_cells(const json_t *c, int64_t now_ns, json_t *cells)
{
    const json_t *spec = json_object_get(c, "spec"), *status = json_object_get(c, "status");
    bool bound = !strcmp(orc_json_str(status, "phase") ?: "", "Bound");
    json_array_append_new(cells, name_cell(c));
    json_array_append_new(cells, phase_cell(c));
    json_array_append_new(cells, table_str(spec, "volumeName"));
    json_array_append_new(cells, bound ? table_str(json_object_get(status, "capacity"), "storage")
                                       : json_string(""));
    json_array_append_new(cells, bound ? modes_cell(json_object_get(status, "accessModes"))
                                       : json_string(""));
    json_array_append_new(cells, table_str(spec, "storageClassName"));
    json_array_append_new(cells, json_string("<unset>"));
    json_array_append_new(cells, age_cell(c, now_ns));
    json_array_append_new(cells, table_str(spec, "volumeMode"));
}

const struct table_printer table_claim_printer = {
    .kind = "PersistentVolumeClaim",
    .columns = claim_columns,
    .n_columns = ELEMENTSOF(claim_columns),
    .cells = claim_cells,
};

static const struct table_column volume_columns[] = {
    TABLE_NAME_COLUMN,
    {"Capacity", "string", "",
     "capacity is the description of the persistent volume's "
     "resources and capacity.",
     0},
    {"Access Modes", "string", "", "accessModes contains all ways the volume can be mounted.", 0},
    {"Reclaim Policy", "string", "",
     "persistentVolumeReclaimPolicy defines what happens to a "
     "persistent volume when released from its claim.",
     0},
    {"Status", "string", "",
     "phase indicates if a volume is available, bound to a claim, or "
     "released by a claim.",
     0},
    {"Claim", "string", "",
     "claimRef is part of a bi-directional binding between "
     "PersistentVolume and PersistentVolumeClaim.",
     0},
    {"StorageClass", "string", "",
     "storageClassName is the name of StorageClass to which this "
     "persistent volume belongs.",
     0},
    VAC_COLUMN,
    {"Reason", "string", "",
     "reason is a brief CamelCase string that describes any failure "
     "and is meant for machine parsing and tidy display in the CLI.",
     0},
    TABLE_AGE_COLUMN,
    VOLUME_MODE_COLUMN,
};

static void volume_cells(const json_t *pv, int64_t now_ns, json_t *cells)
{
    const json_t *spec = json_object_get(pv, "spec"), *ref = json_object_get(spec, "claimRef");
    json_array_append_new(cells, name_cell(pv));
    json_array_append_new(cells, table_str(json_object_get(spec, "capacity"), "storage"));
    json_array_append_new(cells, modes_cell(json_object_get(spec, "accessModes")));
    json_array_append_new(cells, table_str(spec, "persistentVolumeReclaimPolicy"));
    json_array_append_new(cells, phase_cell(pv));
    json_array_append_new(cells, ref ? json_sprintf("%s/%s", orc_json_str(ref, "namespace") ?: "",
                                                    orc_json_str(ref, "name") ?: "")
                                     : json_string(""));
    json_array_append_new(cells, table_str(spec, "storageClassName"));
    json_array_append_new(cells, json_string("<unset>"));
    json_array_append_new(cells, table_str(json_object_get(pv, "status"), "reason"));
    json_array_append_new(cells, age_cell(pv, now_ns));
    json_array_append_new(cells, table_str(spec, "volumeMode"));
}

const struct table_printer table_volume_printer = {
    .kind = "PersistentVolume",
    .columns = volume_columns,
    .n_columns = ELEMENTSOF(volume_columns),
    .cells = volume_cells,
};
