/* SPDX-License-Identifier: Apache-2.0 */
#include "decode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "strv.h"
#include "xalloc.h"

/* The current path with field appended, as diagnostics show it ("spec.containers[0].name"). */
static char *full_path(const struct decoder *d, const char *field)
{
    const char *base = d->path[0] == '.' ? d->path + 1 : d->path;
    if (!field)
        return xstrdup(base);
    return *base ? xasprintf("%s.%s", base, field) : xstrdup(field);
}

static void add_diag(struct decoder *d, bool error, const struct ynode *at, const char *field,
                     const char *fmt, va_list ap)
{
    struct manifest_result *r = d->result;
    struct manifest_diag **list = error ? &r->errors : &r->warnings;
    size_t *n = error ? &r->n_errors : &r->n_warnings;
    if (*n >= MANIFEST_MAX_DIAGS)
        return;
    *list = xrealloc(*list, sizeof(**list) * (*n + 1));
    struct manifest_diag *dg = &(*list)[(*n)++];
    *dg = (struct manifest_diag){0};
    dg->file = xstrdup(d->file);
    dg->line = at ? at->line : 0;
    dg->column = at ? at->column : 0;
    dg->path = full_path(d, field);
    if (vasprintf(&dg->message, fmt, ap) < 0)
        abort();
}

void decoder_error(struct decoder *d, const struct ynode *at, const char *field, const char *fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(d, true, at, field, fmt, ap);
    va_end(ap);
}

void decoder_warn(struct decoder *d, const struct ynode *at, const char *field, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(d, false, at, field, fmt, ap);
    va_end(ap);
}

/* Whether path is bad_path or lies below it ("spec" holds "spec.containers[0]"). */
static bool path_within(const char *path, const char *bad_path)
{
    size_t n = strlen(bad_path);
    return strncmp(path, bad_path, n) == 0 &&
           (path[n] == '\0' || path[n] == '.' || path[n] == '[' || n == 0);
}

void decoder_required(struct decoder *d, const struct ynode *at, const char *field,
                      const char *detail)
{
    _cleanup_free_ char *path = full_path(d, field);
    for (char **bad = d->bad_values; bad && *bad; bad++)
        if (path_within(path, *bad))
            return;
    decoder_error(d, at, field, "Required value%s%s", detail ? ": " : "", detail ? detail : "");
}

void decoder_end_document(struct decoder *d)
{
    d->bad_values = strv_free(d->bad_values);
}

/* A value of the wrong type at the current path: reported, and remembered so that the field
 * is not also reported missing. */
static void type_error(struct decoder *d, const struct ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void type_error(struct decoder *d, const struct ynode *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_diag(d, true, at, NULL, fmt, ap);
    va_end(ap);
    _cleanup_free_ char *path = full_path(d, NULL);
    d->bad_values = strv_push(d->bad_values, path);
}

bool decoder_check_keys(struct decoder *d, const struct ynode *map)
{
    bool ok = true;
    for (size_t i = 0; i < ynode_pairs(map); i++) {
        const struct ynode *k = ynode_key(map, i);
        if (k->kind != YNODE_SCALAR) {
            decoder_error(d, k, NULL, "mapping keys must be strings");
            ok = false;
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (ynode_key(map, j)->kind == YNODE_SCALAR &&
                strcmp(ynode_key(map, j)->value, k->value) == 0) {
                decoder_error(d, k, k->value, "duplicate field (first at line %d)",
                              ynode_key(map, j)->line);
                ok = false;
            }
    }
    return ok;
}

bool decoder_each_field(struct decoder *d, const struct ynode *n, decode_field_fn field, void *ctx)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return false;
    (void) decoder_check_keys(d, n);
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i), *v = ynode_val(n, i);
        if (ynode_key_repeats(n, i) || ynode_is_null(v))
            continue;
        size_t saved = decoder_push_key(d, k->value);
        bool known = field(d, k, v, ctx);
        decoder_pop(d, saved);
        if (!known)
            decoder_unknown_field(d, k);
    }
    return true;
}

bool ynode_key_repeats(const struct ynode *map, size_t i)
{
    const struct ynode *k = ynode_key(map, i);
    if (k->kind != YNODE_SCALAR)
        return true;
    for (size_t j = 0; j < i; j++)
        if (ynode_key(map, j)->kind == YNODE_SCALAR && !strcmp(ynode_key(map, j)->value, k->value))
            return true;
    return false;
}

void decoder_unknown_field(struct decoder *d, const struct ynode *k)
{
    /* kubectl's wording; the field path is in the message already */
    _cleanup_free_ char *path = full_path(d, k->value);
    char saved[sizeof(d->path)];
    memcpy(saved, d->path, sizeof(saved));
    d->path[0] = '\0';
    size_t before = d->result->n_warnings;
    decoder_warn(d, k, NULL, "unknown field \"%s\"", path);
    if (d->result->n_warnings > before)
        d->result->warnings[before].unknown_field = true;
    memcpy(d->path, saved, sizeof(saved));
}

size_t decoder_push_key(struct decoder *d, const char *key)
{
    size_t saved = strlen(d->path);
    snprintf(d->path + saved, sizeof(d->path) - saved, ".%s", key);
    return saved;
}

size_t decoder_push_index(struct decoder *d, size_t i)
{
    size_t saved = strlen(d->path);
    snprintf(d->path + saved, sizeof(d->path) - saved, "[%zu]", i);
    return saved;
}

size_t decoder_push_subscript(struct decoder *d, const char *key)
{
    size_t saved = strlen(d->path);
    snprintf(d->path + saved, sizeof(d->path) - saved, "[%s]", key);
    return saved;
}

void decoder_pop(struct decoder *d, size_t saved)
{
    d->path[saved] = '\0';
}

static bool is_int_text(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool is_float_text(const char *s)
{
    char *end = NULL;
    if (!*s)
        return false;
    (void) strtod(s, &end);
    return end && *end == '\0' && strpbrk(s, ".eE") != NULL;
}

enum scalar_type scalar_type_of(const struct ynode *n)
{
    if (n->kind != YNODE_SCALAR || !n->plain)
        return SCALAR_STRING;
    const char *v = n->value;
    if (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"))
        return SCALAR_NULL;
    const char *bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
    for (size_t i = 0; i < 6; i++)
        if (!strcmp(v, bools[i]))
            return SCALAR_BOOL;
    if (is_int_text(v))
        return SCALAR_INT;
    if (is_float_text(v))
        return SCALAR_FLOAT;
    return SCALAR_STRING;
}

bool ynode_is_null(const struct ynode *n)
{
    return !n || (n->kind == YNODE_SCALAR && scalar_type_of(n) == SCALAR_NULL);
}

static const char *describe(const struct ynode *n)
{
    if (n->kind == YNODE_MAPPING)
        return "object";
    if (n->kind == YNODE_SEQUENCE)
        return "array";
    static const char *const names[] = {"string", "integer", "number", "boolean", "null"};
    return names[scalar_type_of(n)];
}

bool expect_kind(struct decoder *d, const struct ynode *n, enum ynode_kind kind)
{
    if (n->kind == kind)
        return true;
    static const char *const names[] = {"scalar", "array", "object"};
    type_error(d, n, "expected %s, got %s", names[kind], describe(n));
    return false;
}

bool decode_string(struct decoder *d, const struct ynode *n, char **ret)
{
    if (n->kind != YNODE_SCALAR || scalar_type_of(n) != SCALAR_STRING) {
        if (n->kind == YNODE_SCALAR)
            type_error(d, n, "expected string, got %s %s (quote it)", describe(n), n->value);
        else
            type_error(d, n, "expected string, got %s", describe(n));
        return false;
    }
    free(*ret);
    *ret = xstrdup(n->value);
    return true;
}

bool decode_int(struct decoder *d, const struct ynode *n, int64_t min, int64_t max, int64_t *ret)
{
    if (n->kind != YNODE_SCALAR || scalar_type_of(n) != SCALAR_INT) {
        if (n->kind == YNODE_SCALAR)
            type_error(d, n, "expected integer, got %s \"%s\"", describe(n), n->value);
        else
            type_error(d, n, "expected integer, got %s", describe(n));
        return false;
    }
    errno = 0;
    long long v = strtoll(n->value, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        decoder_error(d, n, NULL, "must be between %lld and %lld, inclusive (got %s)",
                      (long long) min, (long long) max, n->value);
        return false;
    }
    *ret = v;
    return true;
}

bool decode_bool(struct decoder *d, const struct ynode *n, bool *ret)
{
    if (n->kind != YNODE_SCALAR || scalar_type_of(n) != SCALAR_BOOL) {
        decoder_error(d, n, NULL, "expected boolean, got %s",
                      n->kind == YNODE_SCALAR ? n->value : "a collection");
        return false;
    }
    *ret = strcasecmp(n->value, "true") == 0;
    return true;
}

bool decode_strv(struct decoder *d, const struct ynode *n, char ***ret)
{
    if (!expect_kind(d, n, YNODE_SEQUENCE))
        return false;
    char **v = new0(char *, 1);
    bool ok = true;
    for (size_t i = 0; i < n->n_items; i++) {
        size_t saved = decoder_push_index(d, i);
        char *s = NULL;
        if (decode_string(d, n->items[i], &s))
            v = strv_push(v, s);
        else
            ok = false;
        free(s);
        decoder_pop(d, saved);
    }
    strv_free(*ret);
    *ret = v;
    return ok;
}

bool decode_string_map(struct decoder *d, const struct ynode *n, json_t **ret)
{
    if (!expect_kind(d, n, YNODE_MAPPING))
        return false;
    bool ok = true;
    for (size_t i = 0; i < ynode_pairs(n); i++) {
        const struct ynode *k = ynode_key(n, i);
        char *val = NULL;
        if (k->kind != YNODE_SCALAR) {
            decoder_error(d, k, NULL, "keys must be strings");
            ok = false;
            continue;
        }
        size_t saved = decoder_push_key(d, k->value);
        if (decode_string(d, ynode_val(n, i), &val))
            json_object_set_new(*ret, k->value, json_string(val));
        else
            ok = false;
        free(val);
        decoder_pop(d, saved);
    }
    return ok;
}

const char *decoder_default_namespace(const struct decoder *d)
{
    return d->ns ? d->ns : "default";
}

bool decoder_namespace_matches(struct decoder *d, const struct ynode *at, const char *written)
{
    if (!d->ns || !strcmp(written, d->ns))
        return true;
    decoder_error(d, at, "namespace",
                  "the namespace from the provided object \"%s\" does not match the namespace "
                  "\"%s\". You must pass '--namespace=%s' to perform this operation.",
                  written, d->ns, written);
    return false;
}
