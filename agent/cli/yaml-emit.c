/* SPDX-License-Identifier: Apache-2.0 */
/* -o yaml: JSON emitted with libyaml the way kubectl (sigs.k8s.io/yaml) prints it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "output.h"
#include "xalloc.h"

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
    return yaml_emitter_emit(e, ev) ? 0 : -1;
}

/* Would a plain scalar read back as something other than this string (YAML 1.1 as Go's
 * yaml.v2 resolves it: bools, null, numbers, timestamps)? */
static bool resolves_to_other_type(const char *s)
{
    static const char *const words[] = {
        "",      "~",     "null", "Null",  "NULL",  "true", "True", "TRUE", "false",
        "False", "FALSE", "yes",  "Yes",   "YES",   "no",   "No",   "NO",   "on",
        "On",    "ON",    "off",  "Off",   "OFF",   "y",    "Y",    "n",    "N",
        ".inf",  ".Inf",  ".INF", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", "<<"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcmp(s, words[i]))
            return true;
    const char *p = s + (*s == '-' || *s == '+');
    if (isdigit((unsigned char) *p) || (*p == '.' && isdigit((unsigned char) p[1]))) {
        char *end;
        (void) strtod(s, &end);
        if (*end == '\0')
            return true;
        /* 2006-01-02...: a timestamp; 1_000 and 0x1f style integers */
        if (strlen(s) >= 8 && isdigit((unsigned char) s[0]) && s[4] == '-')
            return true;
        if (strspn(p, "0123456789_") == strlen(p) || !strncmp(p, "0x", 2) || !strncmp(p, "0b", 2))
            return true;
    }
    return false;
}

static int emit_string(yaml_emitter_t *e, const char *text)
{
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
    bool plain = true;
    if (strchr(text, '\n')) {
        style = YAML_LITERAL_SCALAR_STYLE;
        plain = false;
    } else if (resolves_to_other_type(text)) {
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        plain = false;
    }
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *) text, (int) strlen(text), plain,
                                 1, style);
    return emit(e, &ev);
}

static int emit_plain(yaml_emitter_t *e, const char *text)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *) text, (int) strlen(text), 1, 1,
                                 YAML_PLAIN_SCALAR_STYLE);
    return emit(e, &ev);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int emit_json(yaml_emitter_t *e, const json_t *j);

static int emit_object(yaml_emitter_t *e, const json_t *j)
{
    yaml_event_t ev;
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    if (emit(e, &ev) < 0)
        return -1;
    size_t n = json_object_size(j), k = 0;
    const char **keys = new0(const char *, n + 1);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *) j, key, v)
        keys[k++] = key;
    qsort(keys, n, sizeof(*keys), key_cmp);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++)
        r = emit_string(e, keys[i]) < 0 || emit_json(e, json_object_get(j, keys[i])) < 0 ? -1 : 0;
    free(keys);
    yaml_mapping_end_event_initialize(&ev);
    return r < 0 ? r : emit(e, &ev);
}

static int emit_array(yaml_emitter_t *e, const json_t *j)
{
    yaml_event_t ev;
    /* kubectl prints empty collections in flow style: "[]" and "{}" */
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                         json_array_size(j) ? YAML_BLOCK_SEQUENCE_STYLE
                                                            : YAML_FLOW_SEQUENCE_STYLE);
    if (emit(e, &ev) < 0)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v)
        if (emit_json(e, v) < 0)
            return -1;
    yaml_sequence_end_event_initialize(&ev);
    return emit(e, &ev);
}

static int emit_json(yaml_emitter_t *e, const json_t *j)
{
    char buf[64];
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        if (json_object_size(j) == 0) {
            yaml_event_t ev;
            yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_MAPPING_STYLE);
            if (emit(e, &ev) < 0)
                return -1;
            yaml_mapping_end_event_initialize(&ev);
            return emit(e, &ev);
        }
        return emit_object(e, j);
    case JSON_ARRAY:
        return emit_array(e, j);
    case JSON_STRING:
        return emit_string(e, json_string_value(j));
    case JSON_INTEGER:
        snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(j));
        return emit_plain(e, buf);
    case JSON_REAL:
        snprintf(buf, sizeof(buf), "%.17g", json_real_value(j));
        return emit_plain(e, buf);
    case JSON_TRUE:
        return emit_plain(e, "true");
    case JSON_FALSE:
        return emit_plain(e, "false");
    case JSON_NULL:
        return emit_plain(e, "null");
    }
    return -1;
}

int json_print_yaml(const json_t *j, FILE *f)
{
    yaml_emitter_t e;
    yaml_event_t ev;
    if (!yaml_emitter_initialize(&e))
        return -1;
    yaml_emitter_set_output_file(&e, f);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, -1);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    int r = emit(&e, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    r = r < 0 ? r : emit(&e, &ev);
    r = r < 0 ? r : emit_json(&e, j);
    yaml_document_end_event_initialize(&ev, 1);
    r = r < 0 ? r : emit(&e, &ev);
    yaml_stream_end_event_initialize(&ev);
    r = r < 0 ? r : emit(&e, &ev);
    if (r == 0 && !yaml_emitter_flush(&e))
        r = -1;
    yaml_emitter_delete(&e);
    return r;
}
