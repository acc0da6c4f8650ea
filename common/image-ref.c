/* SPDX-License-Identifier: Apache-2.0 */
/* Image references normalised as podman and docker do (distribution/reference grammar). */
#include "image-ref.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

#define MAX_NAME 255 /* registry and repository, once normalised (docker's bound) */
#define MAX_REF 512  /* what is looked at: a name, a tag and a digest */

static bool alnum_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ joined by ".", "_", "__" or runs of "-". */
static bool component_ok(const char *s, size_t n)
{
    if (n == 0 || !alnum_lower(s[0]) || !alnum_lower(s[n - 1]))
        return false;
    for (size_t i = 1; i < n; i++) {
        if (alnum_lower(s[i]))
            continue;
        if (s[i] == '.' && alnum_lower(s[i + 1]))
            continue;
        if (s[i] == '_' && (alnum_lower(s[i + 1]) || (s[i + 1] == '_' && alnum_lower(s[i + 2])))) {
            i += s[i + 1] == '_';
            continue;
        }
        if (s[i] == '-') {
            size_t run = strspn(s + i, "-");
            if (alnum_lower(s[i + run])) {
                i += run - 1;
                continue;
            }
        }
        return false;
    }
    return true;
}

static bool repo_ok(const char *s)
{
    for (;;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t) (slash - s) : strlen(s);
        if (!component_ok(s, n))
            return false;
        if (!slash)
            return true;
        s = slash + 1;
    }
}

/* host[:port], host made of letters, digits, '-' and '.' */
static bool domain_ok(const char *d)
{
    const char *colon = strchr(d, ':');
    size_t n = colon ? (size_t) (colon - d) : strlen(d);
    if (n == 0 || d[0] == '-' || d[0] == '.' ||
        strspn(d, "abcdefghijklmnopqrstuvwxyz"
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n)
        return false;
    return !colon || (colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1));
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static bool tag_ok(const char *t)
{
    size_t n = strlen(t);
    return n > 0 && n <= 128 && (isalnum((unsigned char) t[0]) || t[0] == '_') &&
           strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* algorithm ":" at least 32 hex digits */
static bool digest_ok(const char *d)
{
    const char *colon = strchr(d, ':');
    return colon && colon > d &&
           strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789+._-") == (size_t) (colon - d) &&
           strlen(colon + 1) >= 32 && strspn(colon + 1, "0123456789abcdef") == strlen(colon + 1);
}

char *orc_image_ref_normalize(const char *ref)
{
    if (!ref || !*ref || strlen(ref) > MAX_REF)
        return NULL;
    _cleanup_free_ char *r = xstrdup(ref);
    char *digest = strchr(r, '@');
    if (digest) {
        *digest++ = '\0';
        if (!digest_ok(digest))
            return NULL;
    }
    /* the first component is a registry when it has '.', ':' or is "localhost" */
    char *slash = strchr(r, '/');
    const char *domain = "docker.io";
    char *rest = r;
    bool explicit_domain =
        slash && (memchr(r, '.', (size_t) (slash - r)) || memchr(r, ':', (size_t) (slash - r)) ||
                  !strncmp(r, "localhost/", 10));
    if (explicit_domain) {
        *slash = '\0';
        domain = r;
        rest = slash + 1;
        if (!domain_ok(domain))
            return NULL;
    }
    char *colon = strrchr(rest, ':');
    if (colon) {
        *colon = '\0';
        if (!tag_ok(colon + 1))
            return NULL;
    }
    if (!repo_ok(rest))
        return NULL;
    /* docker's own names: "index.docker.io" is its legacy spelling, and its one-component
     * repositories are official images under "library/" whichever way the domain came */
    if (!strcmp(domain, "index.docker.io"))
        domain = "docker.io";
    bool library = !strcmp(domain, "docker.io") && !strchr(rest, '/');
    const char *tag = colon ? colon + 1 : (digest ? NULL : "latest");
    if (strlen(domain) + 1 + (library ? 8 : 0) + strlen(rest) > MAX_NAME)
        return NULL;
    return xasprintf("%s/%s%s%s%s%s%s", domain, library ? "library/" : "", rest, tag ? ":" : "",
                     tag ? tag : "", digest ? "@" : "", digest ? digest : "");
}

bool orc_image_ref_is_short(const char *ref)
{
    const char *slash = ref ? strchr(ref, '/') : NULL;
    if (!slash)
        return ref && *ref && strncmp(ref, "sha256:", 7) != 0;
    size_t n = (size_t) (slash - ref);
    return !memchr(ref, '.', n) && !memchr(ref, ':', n) && strncmp(ref, "localhost/", 10) != 0;
}
