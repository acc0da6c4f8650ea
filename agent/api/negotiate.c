/* SPDX-License-Identifier: Apache-2.0 */
#include "api/negotiate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

struct range {
    double q;
    int specificity; /* 2: type/subtype, 1: type/ *, 0: * / * */
    bool served;
    struct api_media media;
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* as=, g= and v= of a range: a form orcd serves, or false. */
static bool form_served(const char *as, const char *g, const char *v, struct api_media *ret)
{
    static const char *const forms[_API_AS_MAX] = {
        [API_AS_TABLE] = "Table",
        [API_AS_PARTIAL] = "PartialObjectMetadata",
        [API_AS_PARTIAL_LIST] = "PartialObjectMetadataList",
    };
    if (!as) {
        ret->as = API_AS_OBJECT;
        return true;
    }
    if (!g || strcmp(g, "meta.k8s.io") || !v || (strcmp(v, "v1") && strcmp(v, "v1beta1")))
        return false;
    ret->api_version = !strcmp(v, "v1") ? "meta.k8s.io/v1" : "meta.k8s.io/v1beta1";
    for (int i = API_AS_TABLE; i < _API_AS_MAX; i++)
        if (!strcmp(as, forms[i])) {
            ret->as = (enum api_as) i;
            return true;
        }
    return false;
}

/* One "type/subtype;k=v;..." range (modified in place). */
static struct range parse_range(char *text)
{
    struct range r = {.q = 1.0};
    char *save = NULL, *type = trim(strtok_r(text, ";", &save) ?: "");
    const char *as = NULL, *g = NULL, *v = NULL;
    for (char *p; (p = strtok_r(NULL, ";", &save));) {
        char *eq = strchr(p, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *key = trim(p), *val = trim(eq + 1);
        if (!strcmp(key, "q"))
            r.q = strtod(val, NULL);
        else if (!strcmp(key, "as"))
            as = val;
        else if (!strcmp(key, "g"))
            g = val;
        else if (!strcmp(key, "v"))
            v = val;
    }
    bool json = !strcmp(type, "application/json") || !strcmp(type, "application/*") ||
                !strcmp(type, "*/*") || !strcmp(type, "*");
    r.specificity = !strcmp(type, "*/*") || !strcmp(type, "*") ? 0
                    : !strcmp(type, "application/*")           ? 1
                                                               : 2;
    r.served = json && r.q > 0 && form_served(as, g, v, &r.media);
    return r;
}

static bool preferred(const struct range *a, const struct range *b)
{
    return a->q > b->q || (a->q == b->q && a->specificity > b->specificity);
}

int api_negotiate(const char *accept, struct api_media *ret)
{
    if (!accept || !accept[strspn(accept, " \t")]) {
        *ret = (struct api_media){API_AS_OBJECT, NULL};
        return 0;
    }
    _cleanup_free_ char *copy = xstrdup(accept);
    struct range best = {.q = -1};
    bool found = false;
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        struct range r = parse_range(part);
        if (r.served && (!found || preferred(&r, &best))) {
            best = r;
            found = true;
        }
    }
    if (!found)
        return -EINVAL;
    *ret = best.media;
    return 0;
}
