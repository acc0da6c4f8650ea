/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field selectors as apimachinery's pkg/fields reads them (terms split at unescaped commas,
 * each at its first "!=", "==" or "="; values unescaped), and the fields each kind offers, as
 * the API server's field label conversions and GetAttrs functions do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "strv.h"
#include "xalloc.h"

enum field_type {
    FIELD_STRING,
    FIELD_BOOL, /* "true" or "false", absent is false */
};

struct field_def {
    const char *label; /* as selectors name it */
    const char *path;  /* where the object keeps it, dotted */
    enum field_type type;
};

#define META_FIELDS                                                                                \
    {"metadata.name", "metadata.name", FIELD_STRING},                                              \
    {                                                                                              \
        "metadata.namespace", "metadata.namespace", FIELD_STRING                                   \
    }

static const struct field_def pod_fields[] = {
    META_FIELDS,
    {"spec.nodeName", "spec.nodeName", FIELD_STRING},
    {"spec.restartPolicy", "spec.restartPolicy", FIELD_STRING},
    {"spec.schedulerName", "spec.schedulerName", FIELD_STRING},
    {"spec.serviceAccountName", "spec.serviceAccountName", FIELD_STRING},
    {"spec.hostNetwork", "spec.hostNetwork", FIELD_BOOL},
    {"status.phase", "status.phase", FIELD_STRING},
    {"status.podIP", "status.podIP", FIELD_STRING},
    {"status.nominatedNodeName", "status.nominatedNodeName", FIELD_STRING},
    {0},
};

static const struct field_def event_fields[] = {
    META_FIELDS,
    {"involvedObject.kind", "involvedObject.kind", FIELD_STRING},
    {"involvedObject.namespace", "involvedObject.namespace", FIELD_STRING},
    {"involvedObject.name", "involvedObject.name", FIELD_STRING},
    {"involvedObject.uid", "involvedObject.uid", FIELD_STRING},
    {"involvedObject.apiVersion", "involvedObject.apiVersion", FIELD_STRING},
    {"involvedObject.resourceVersion", "involvedObject.resourceVersion", FIELD_STRING},
    {"involvedObject.fieldPath", "involvedObject.fieldPath", FIELD_STRING},
    {"reason", "reason", FIELD_STRING},
    {"reportingComponent", "reportingComponent", FIELD_STRING},
    {"source", "source.component", FIELD_STRING},
    {"type", "type", FIELD_STRING},
    {0},
};

static const struct field_def node_fields[] = {
    {"metadata.name", "metadata.name", FIELD_STRING},
    {"spec.unschedulable", "spec.unschedulable", FIELD_BOOL},
    {0},
};

static const struct field_def namespace_fields[] = {
    {"metadata.name", "metadata.name", FIELD_STRING},
    {"status.phase", "status.phase", FIELD_STRING},
    {0},
};

static const struct field_def generic_fields[] = {META_FIELDS, {0}};

static const struct {
    const char *kind;
    const struct field_def *fields;
} kinds[] = {
    {"Pod", pod_fields},
    {"Event", event_fields},
    {"Node", node_fields},
    {"Namespace", namespace_fields},
};

struct term {
    char *label;
    const struct field_def *def;
    bool not_equal;
    char *value;
};

struct field_selector {
    struct term *terms;
    size_t n;
};

static const struct field_def *kind_fields(const char *kind)
{
    for (size_t i = 0; kind && i < ELEMENTSOF(kinds); i++)
        if (!strcmp(kinds[i].kind, kind))
            return kinds[i].fields;
    return generic_fields;
}

/* Terms at unescaped commas; a backslash keeps the character after it in the term. */
static char **split_terms(const char *text)
{
    char **terms = NULL;
    if (!text || !*text)
        return NULL;
    const char *start = text;
    for (const char *c = text;; c++) {
        if (*c == '\\' && c[1]) {
            c++;
        } else if (*c == ',' || !*c) {
            _cleanup_free_ char *t = xstrndup(start, (size_t) (c - start));
            terms = strv_push(terms, t);
            if (!*c)
                return terms;
            start = c + 1;
        }
    }
}

/* The value as written, unescaped: "\\", "\," and "\=" stand for the character; any other
 * escape, and a bare ',' or '=', are refused as the API server refuses them. */
static int unescape(const char *s, char **ret, orc_error_t *err)
{
    _cleanup_free_ char *out = xmalloc(strlen(s) + 1);
    size_t n = 0;
    for (; *s; s++) {
        if (*s == '\\') {
            if (!s[1])
                return orc_error_make_as(err, EINVAL,
                                         "invalid field selector: invalid escape "
                                         "sequence: \\");
            if (!strchr("\\,=", s[1]))
                return orc_error_make_as(
                    err, EINVAL, "invalid field selector: invalid escape sequence: \\%c", s[1]);
            out[n++] = *++s;
        } else if (*s == ',' || *s == '=') {
            /* Go prints the rune as its number */
            return orc_error_make_as(
                err, EINVAL, "invalid field selector: unescaped character in value: %d", *s);
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
    *ret = TAKE_PTR(out);
    return 0;
}

/* One "field op value" term, split at the first operator ("!=" and "==" before "="). */
static int parse_term(const char *selector, const char *part, struct term *ret, orc_error_t *err)
{
    static const char *const ops[] = {"!=", "==", "="};
    for (const char *c = part; *c; c++)
        for (size_t k = 0; k < ELEMENTSOF(ops); k++) {
            if (strncmp(c, ops[k], strlen(ops[k])))
                continue;
            int r = unescape(c + strlen(ops[k]), &ret->value, err);
            if (r < 0)
                return r;
            ret->label = xstrndup(part, (size_t) (c - part));
            ret->not_equal = k == 0;
            return 0;
        }
    return orc_error_make_as(err, EINVAL, "invalid selector: '%s'; can't understand '%s'", selector,
                             part);
}

/* Every term parses before any field is looked up, as the API server converts labels last. */
static int resolve_fields(struct field_selector *sel, const char *kind, orc_error_t *err)
{
    const struct field_def *fields = kind_fields(kind);
    for (size_t i = 0; i < sel->n; i++) {
        for (const struct field_def *f = fields; f->label && !sel->terms[i].def; f++)
            if (!strcmp(f->label, sel->terms[i].label))
                sel->terms[i].def = f;
        if (!sel->terms[i].def)
            return orc_error_make_as(err, EINVAL, "field label not supported: %s",
                                     sel->terms[i].label);
    }
    return 0;
}

int field_selector_parse(const char *text, const char *kind, struct field_selector **ret,
                         orc_error_t *err)
{
    _cleanup_(strv_freep) char **parts = split_terms(text);
    strv_sort(parts); /* the API server's order */
    _cleanup_(field_selector_freep) struct field_selector *sel = new0(struct field_selector, 1);
    sel->terms = new0(struct term, strv_length(parts) + 1);
    for (size_t i = 0; parts && parts[i]; i++) {
        if (!*parts[i])
            continue;
        int r = parse_term(text, parts[i], &sel->terms[sel->n], err);
        if (r < 0)
            return r;
        sel->n++;
    }
    int r = resolve_fields(sel, kind, err);
    if (r < 0)
        return r;
    *ret = TAKE_PTR(sel);
    return 0;
}

/* The field's value as the API server compares it: missing strings are "". */
static const char *field_value(const struct field_def *def, const json_t *obj)
{
    const json_t *at = obj;
    const char *p = def->path;
    while (at && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t) (dot - p) : strlen(p);
        at = json_object_getn(at, p, n);
        p += n + (dot ? 1 : 0);
    }
    if (def->type == FIELD_BOOL)
        return json_is_true(at) ? "true" : "false";
    return json_string_value(at) ?: "";
}

bool field_selector_matches(const struct field_selector *s, const json_t *obj)
{
    for (size_t i = 0; s && i < s->n; i++) {
        bool equal = !strcmp(field_value(s->terms[i].def, obj), s->terms[i].value);
        if (equal == s->terms[i].not_equal)
            return false;
    }
    return true;
}

const char *field_selector_exact(const struct field_selector *s, const char *field)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (!s->terms[i].not_equal && !strcmp(s->terms[i].label, field))
            return s->terms[i].value;
    return NULL;
}

bool field_selector_empty(const struct field_selector *s)
{
    return !s || s->n == 0;
}

struct field_selector *field_selector_free(struct field_selector *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < s->n; i++) {
        free(s->terms[i].label);
        free(s->terms[i].value);
    }
    free(s->terms);
    free(s);
    return NULL;
}
