/* SPDX-License-Identifier: Apache-2.0 */
/* Image references normalised as podman and docker do. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "images.h"
#include "xalloc.h"

static bool repo_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(islower((unsigned char) c) || isdigit((unsigned char) c) || c == '.' || c == '_' ||
              c == '-' || c == '/'))
            return false;
    }
    return s[0] != '/' && s[n - 1] != '/';
}

char *image_ref_normalize(const char *ref)
{
    if (!ref || !*ref || strpbrk(ref, " \t\n"))
        return NULL;
    _cleanup_free_ char *r = xstrdup(ref);
    char *digest = strchr(r, '@');
    if (digest)
        *digest++ = '\0';
    /* the first component is a registry when it has '.', ':' or is "localhost" */
    const char *slash = strchr(r, '/');
    char *domain = NULL;
    const char *rest = r;
    if (slash && (memchr(r, '.', (size_t) (slash - r)) || memchr(r, ':', (size_t) (slash - r)) ||
                  !strncmp(r, "localhost/", 10))) {
        domain = xstrndup(r, (size_t) (slash - r));
        rest = slash + 1;
    }
    const char *colon = strrchr(rest, ':');
    _cleanup_free_ char *repo = colon ? xstrndup(rest, (size_t) (colon - rest)) : xstrdup(rest);
    const char *tag = colon ? colon + 1 : NULL;
    char *out = NULL;
    if (repo_ok(repo, strlen(repo)) && (!tag || *tag)) {
        const char *dom = domain ? domain : "docker.io";
        bool library = !domain && !strchr(repo, '/');
        if (digest)
            out = xasprintf("%s/%s%s%s%s@%s", dom, library ? "library/" : "", repo, tag ? ":" : "",
                            tag ? tag : "", digest);
        else
            out = xasprintf("%s/%s%s:%s", dom, library ? "library/" : "", repo,
                            tag ? tag : "latest");
    }
    free(domain);
    return out;
}
