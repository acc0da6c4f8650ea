/* SPDX-License-Identifier: Apache-2.0 */
/* Value helpers the patch appliers share: equality, identity, Go's rendering, size. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "patch-internal.h"
#include "xalloc.h"

#define GO_FORMAT_MAX 1024

static bool number_equal(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b))
        return json_integer_value(a) == json_integer_value(b);
    return json_number_value(a) == json_number_value(b);
}

bool patch_json_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return number_equal(a, b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) a, k, v) {
            const json_t *w = json_object_get(b, k);
            if (!w || !patch_json_equal(v, w))
                return false;
        }
        return true;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!patch_json_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    return json_equal((json_t *) a, (json_t *) b);
}

/* The shortest text that reads back as d, in Go's %v form: %e past the exponents -4..5. */
static char *go_float(double d)
{
    if (!isfinite(d))
        return xstrdup(d != d ? "NaN" : d > 0 ? "+Inf" : "-Inf");
    char buf[64];
    int prec = 0;
    for (; prec < 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    const char *e = strchr(buf, 'e');
    int exp = e ? atoi(e + 1) : 0;
    if (exp < -4 || exp >= 6)
        return xstrdup(buf);
    int decimals = prec - exp;
    snprintf(buf, sizeof(buf), "%.*f", decimals > 0 ? decimals : 0, d);
    return xstrdup(buf);
}

char *patch_scalar_key(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return xasprintf("s%s", json_string_value(v));
    case JSON_INTEGER:
        return xasprintf("n%lld", (long long) json_integer_value(v));
    case JSON_REAL: {
        double d = json_real_value(v);
        if (d == trunc(d) && fabs(d) < 9.2e18)
            return xasprintf("n%lld", (long long) d);
        _cleanup_free_ char *f = go_float(d);
        return xasprintf("n%s", f);
    }
    case JSON_TRUE:
        return xstrdup("t");
    case JSON_FALSE:
        return xstrdup("f");
    case JSON_NULL:
    case JSON_OBJECT:
    case JSON_ARRAY:
        break;
    }
    return NULL;
}

const char *patch_go_type(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
        return "map[string]interface {}";
    case JSON_ARRAY:
        return "[]interface {}";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "float64";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_NULL:
        break;
    }
    return "<nil>";
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void go_print(FILE *f, const json_t *v)
{
    if (ftell(f) > GO_FORMAT_MAX)
        return;
    if (json_is_object(v)) {
        size_t n = json_object_size(v), i = 0;
        _cleanup_free_ const char **keys = xmalloc((n + 1) * sizeof(*keys));
        const char *k;
        json_t *m;
        json_object_foreach((json_t *) v, k, m)
            keys[i++] = k;
        qsort(keys, n, sizeof(*keys), key_cmp);
        fputs("map[", f);
        for (i = 0; i < n; i++) {
            fprintf(f, "%s%s:", i ? " " : "", keys[i]);
            go_print(f, json_object_get(v, keys[i]));
        }
        fputc(']', f);
    } else if (json_is_array(v)) {
        fputc('[', f);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                fputc(' ', f);
            go_print(f, json_array_get(v, i));
        }
        fputc(']', f);
    } else if (json_is_string(v)) {
        fputs(json_string_value(v), f);
    } else if (json_is_number(v)) {
        _cleanup_free_ char *s = go_float(json_number_value(v));
        fputs(s, f);
    } else {
        fputs(json_is_true(v) ? "true" : json_is_false(v) ? "false" : "<nil>", f);
    }
}

char *patch_json_go(const json_t *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    go_print(f, v);
    bool cut = ftell(f) > GO_FORMAT_MAX;
    fclose(f);
    if (cut) { /* at a character's start, the text stays UTF-8 */
        size_t at = GO_FORMAT_MAX - 3;
        while (at > 0 && (buf[at] & 0xc0) == 0x80)
            at--;
        strcpy(buf + at, "...");
    }
    return buf;
}

size_t patch_json_height(const json_t *v, size_t limit, size_t *nodes)
{
    (*nodes)++;
    if (!json_is_object(v) && !json_is_array(v))
        return 0;
    if (limit == 0)
        return 1;
    size_t max = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach((json_t *) v, k, m) {
            size_t h = patch_json_height(m, limit - 1, nodes);
            if (h > max)
                max = h;
            if (max > limit - 1)
                break;
        }
    } else {
        for (size_t i = 0; i < json_array_size(v) && max <= limit - 1; i++) {
            size_t h = patch_json_height(json_array_get(v, i), limit - 1, nodes);
            if (h > max)
                max = h;
        }
    }
    return max + 1;
}

bool patch_is_directive_key(const char *key)
{
    return !strcmp(key, "$patch") || !strcmp(key, "$retainKeys") ||
           !strncmp(key, "$setElementOrder", strlen("$setElementOrder")) ||
           !strncmp(key, "$deleteFromPrimitiveList", strlen("$deleteFromPrimitiveList"));
}

json_t *patch_clean_copy(const json_t *v, enum patch_clean mode)
{
    if (json_is_object(v)) {
        if (mode == PATCH_CLEAN_DROP && json_object_get(v, "$patch"))
            return NULL;
        json_t *o = json_object();
        const char *k;
        json_t *m;
        json_object_foreach((json_t *) v, k, m) {
            if (json_is_null(m) || patch_is_directive_key(k))
                continue;
            json_t *c = patch_clean_copy(m, mode);
            if (c)
                json_object_set_new(o, k, c);
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *c = patch_clean_copy(json_array_get(v, i), mode);
            if (c)
                json_array_append_new(a, c);
        }
        return a;
    }
    return json_deep_copy(v);
}
