/* SPDX-License-Identifier: Apache-2.0 */
/* The type and metadata of a Kubernetes object sent as protobuf (see protobuf.h). */
#include "api/protobuf.h"

#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "objects.h"
#include "xalloc.h"

/* A run of protobuf fields. */
struct pb {
    const unsigned char *p, *end;
};

/* One field: its number, wire type, and a varint's value or a length-delimited value. */
struct pb_field {
    uint32_t number;
    unsigned wire;
    uint64_t varint;
    struct pb bytes;
};

static bool pb_varint(struct pb *b, uint64_t *ret)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64 && b->p < b->end; shift += 7) {
        unsigned char c = *b->p++;
        v |= (uint64_t) (c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *ret = v;
            return true;
        }
    }
    return false;
}

/* The next field: 1, 0 at the end, -1 for bytes that are not protobuf. */
static int pb_next(struct pb *b, struct pb_field *f)
{
    if (b->p >= b->end)
        return 0;
    uint64_t key, n;
    if (!pb_varint(b, &key) || key >> 3 == 0 || key >> 3 > UINT32_MAX)
        return -1;
    *f = (struct pb_field){.number = (uint32_t) (key >> 3), .wire = key & 7};
    switch (f->wire) {
    case 0:
        return pb_varint(b, &f->varint) ? 1 : -1;
    case 1:
    case 5: {
        size_t skip = f->wire == 1 ? 8 : 4;
        if ((size_t) (b->end - b->p) < skip)
            return -1;
        b->p += skip;
        return 1;
    }
    case 2:
        if (!pb_varint(b, &n) || n > (uint64_t) (b->end - b->p))
            return -1;
        f->bytes = (struct pb){b->p, b->p + n};
        b->p += n;
        return 1;
    default:
        return -1;
    }
}

static json_t *pb_string(const struct pb_field *f)
{
    return json_stringn((const char *) f->bytes.p, (size_t) (f->bytes.end - f->bytes.p));
}

/* A map<string, string> entry (key 1, value 2) into obj. */
static int pb_map_entry(struct pb b, json_t *obj)
{
    json_t *key = NULL, *value = NULL;
    struct pb_field f;
    int r;
    while ((r = pb_next(&b, &f)) > 0) {
        json_t **slot = f.wire == 2 && f.number == 1   ? &key
                        : f.wire == 2 && f.number == 2 ? &value
                                                       : NULL;
        if (slot) {
            json_decref(*slot);
            *slot = pb_string(&f);
        }
    }
    if (r == 0 && key && json_string_value(key))
        json_object_set_new(obj, json_string_value(key), value ? value : json_string(""));
    else
        json_decref(value);
    json_decref(key);
    return r;
}

/* ObjectMeta's name (1), generateName (2), namespace (3), labels (11), annotations (12). */
static json_t *pb_object_meta(struct pb b)
{
    static const char *const strings[] = {NULL, "name", "generateName", "namespace"};
    json_t *meta = json_object();
    struct pb_field f;
    int r;
    while ((r = pb_next(&b, &f)) > 0) {
        if (f.wire != 2)
            continue;
        if (f.number >= 1 && f.number <= 3) {
            json_object_set_new(meta, strings[f.number], pb_string(&f));
        } else if (f.number == 11 || f.number == 12) {
            const char *key = f.number == 11 ? "labels" : "annotations";
            json_t *map = json_object_get(meta, key);
            if (!map)
                json_object_set_new(meta, key, map = json_object());
            if (pb_map_entry(f.bytes, map) < 0)
                r = -1;
        }
        if (r < 0)
            break;
    }
    if (r < 0)
        meta = (json_decref(meta), NULL);
    return meta;
}

bool api_protobuf_is_type(const char *content_type)
{
    size_t n = content_type ? strcspn(content_type, "; \t") : 0;
    return n == strlen(API_PROTOBUF_TYPE) && !strncasecmp(content_type, API_PROTOBUF_TYPE, n);
}

/* The fields of an object's message orc reads besides its metadata (1), by kind. */
enum pb_kind { PB_STRING, PB_BOOL, PB_MAP_STRING, PB_MAP_BYTES };
struct pb_object_field {
    const char *kind;
    uint32_t number;
    const char *key;
    enum pb_kind type;
};
static const struct pb_object_field object_fields[] = {
    {"ConfigMap", 2, "data", PB_MAP_STRING}, {"ConfigMap", 3, "binaryData", PB_MAP_BYTES},
    {"ConfigMap", 4, "immutable", PB_BOOL},  {"Secret", 2, "data", PB_MAP_BYTES},
    {"Secret", 3, "type", PB_STRING},        {"Secret", 4, "stringData", PB_MAP_STRING},
    {"Secret", 5, "immutable", PB_BOOL},
};

/* A map<string, bytes> entry: its value base64, as JSON shows bytes. */
static int pb_bytes_entry(struct pb b, json_t *obj)
{
    json_auto_t *raw = json_object();
    int r = pb_map_entry(b, raw);
    const char *key;
    json_t *v;
    json_object_foreach(raw, key, v) {
        char *b64 = manifest_base64_encode(json_string_value(v), json_string_length(v));
        json_object_set_new(obj, key, json_string(b64));
        free(b64);
    }
    return r;
}

/* One field of the object's message f into obj, when its kind has it. */
static int pb_object_field(const char *kind, const struct pb_field *f, json_t *obj)
{
    for (size_t i = 0; kind && i < sizeof(object_fields) / sizeof(object_fields[0]); i++) {
        const struct pb_object_field *of = &object_fields[i];
        if (strcmp(of->kind, kind) || of->number != f->number)
            continue;
        if (of->type == PB_BOOL)
            return f->wire == 0 ? json_object_set_new(obj, of->key, json_boolean(f->varint)) : 0;
        if (f->wire != 2)
            return 0;
        if (of->type == PB_STRING)
            return json_object_set_new(obj, of->key, pb_string(f));
        json_t *map = json_object_get(obj, of->key);
        if (!map)
            json_object_set_new(obj, of->key, map = json_object());
        return of->type == PB_MAP_BYTES ? pb_bytes_entry(f->bytes, map)
                                        : pb_map_entry(f->bytes, map);
    }
    return 0;
}

/* The object's message (runtime.Unknown's raw): its metadata, and its kind's fields. */
static int pb_object(struct pb raw, json_t *obj)
{
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    struct pb_field t;
    int r;
    while ((r = pb_next(&raw, &t)) > 0) {
        if (t.wire == 2 && t.number == 1) {
            json_t *meta = pb_object_meta(t.bytes);
            if (!meta)
                return -1;
            json_object_set_new(obj, "metadata", meta);
        } else if (pb_object_field(kind, &t, obj) < 0) {
            return -1;
        }
    }
    return r;
}

/* runtime.Unknown: typeMeta (1: apiVersion 1, kind 2) and raw (2) into obj. */
static int pb_unknown(struct pb b, json_t *obj)
{
    struct pb_field f, t;
    struct pb raw = {NULL, NULL};
    int r;
    while ((r = pb_next(&b, &f)) > 0) {
        if (f.wire != 2)
            continue;
        if (f.number == 1) {
            struct pb tm = f.bytes;
            while ((r = pb_next(&tm, &t)) > 0)
                if (t.wire == 2 && (t.number == 1 || t.number == 2))
                    json_object_set_new(obj, t.number == 1 ? "apiVersion" : "kind", pb_string(&t));
        } else if (f.number == 2) {
            raw = f.bytes;
        }
        if (r < 0)
            return -1;
    }
    if (r == 0 && raw.p) /* read once the kind is known, wherever it was */
        r = pb_object(raw, obj);
    return r;
}

int api_protobuf_decode(const unsigned char *body, size_t len, json_t **ret, orc_error_t *err)
{
    static const unsigned char magic[] = {'k', '8', 's', 0};
    json_t *obj = json_object();
    if (len < sizeof(magic) || memcmp(body, magic, sizeof(magic)) != 0 ||
        pb_unknown((struct pb){body + sizeof(magic), body + len}, obj) < 0) {
        json_decref(obj);
        return orc_error_make_as(err, EBADMSG,
                                 "the body of the request is not a Kubernetes protobuf object");
    }
    *ret = obj;
    return 0;
}
