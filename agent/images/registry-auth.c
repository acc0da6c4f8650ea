/* SPDX-License-Identifier: Apache-2.0 */
#include "images/registry-auth.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "json-util.h"
#include "xalloc.h"

#define HEADER_MAX 8192

static bool is_tchar(char c)
{
    return isalnum((unsigned char) c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* token or quoted-string at *p; returns the value (allocated) and advances *p. */
static char *parse_value(const char **p)
{
    const char *s = *p;
    if (*s != '"') {
        const char *e = s;
        while (is_tchar(*e) || *e == '/' || *e == ':' || *e == '=')
            e++;
        *p = e;
        return e > s ? xstrndup(s, (size_t) (e - s)) : NULL;
    }
    char *out = xmalloc(strlen(s) + 1);
    size_t n = 0;
    for (s++; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1])
            s++;
        out[n++] = *s;
    }
    if (*s != '"') {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *p = s + 1;
    return out;
}

static void set_param(struct auth_challenge *c, const char *name, char *value)
{
    char **field = !strcasecmp(name, "realm")     ? &c->realm
                   : !strcasecmp(name, "service") ? &c->service
                   : !strcasecmp(name, "scope")   ? &c->scope
                   : !strcasecmp(name, "error")   ? &c->error
                                                  : NULL;
    if (field && !*field)
        *field = value;
    else
        free(value);
}

int auth_challenge_parse(const char *header, struct auth_challenge *ret, orc_error_t *err)
{
    if (!header || strlen(header) > HEADER_MAX)
        return orc_error_make(err, EINVAL, "WWW-Authenticate: missing or too long");
    struct auth_challenge c = {0};
    const char *p = skip_ws(header), *s = p;
    while (is_tchar(*p))
        p++;
    if (p == s)
        return orc_error_make(err, EINVAL, "WWW-Authenticate: no scheme in '%s'", header);
    c.scheme = xstrndup(s, (size_t) (p - s));
    p = skip_ws(p);
    while (*p) {
        const char *n = p;
        while (is_tchar(*p))
            p++;
        _cleanup_free_ char *name = xstrndup(n, (size_t) (p - n));
        p = skip_ws(p);
        if (!*name || *p != '=')
            break; /* a second challenge, or token68: the parameters end here */
        p = skip_ws(p + 1);
        char *value = parse_value(&p);
        if (!value) {
            auth_challenge_done(&c);
            return orc_error_make(err, EINVAL, "WWW-Authenticate: bad value of '%s'", name);
        }
        set_param(&c, name, value);
        p = skip_ws(p);
        if (*p != ',')
            break;
        p = skip_ws(p + 1);
    }
    if (!strcasecmp(c.scheme, "Bearer") && !c.realm) {
        auth_challenge_done(&c);
        return orc_error_make(err, EINVAL, "WWW-Authenticate: a Bearer challenge without realm");
    }
    *ret = c;
    return 0;
}

void auth_challenge_done(struct auth_challenge *c)
{
    free(c->scheme);
    free(c->realm);
    free(c->service);
    free(c->scope);
    free(c->error);
    *c = (struct auth_challenge){0};
}

/* Whether auth file key k names registry/repository; its length as the match's strength. */
static size_t key_match(const char *k, const char *registry, const char *repository)
{
    if (!strncmp(k, "https://", 8))
        k += 8;
    else if (!strncmp(k, "http://", 7))
        k += 7;
    if (!strcmp(registry, "docker.io") && !strncmp(k, "index.docker.io/v1", 18) &&
        (k[18] == '\0' || !strcmp(k + 18, "/")))
        return 1;
    size_t rl = strlen(registry);
    if (strncmp(k, registry, rl) != 0)
        return 0;
    if (k[rl] == '\0' || !strcmp(k + rl, "/"))
        return rl + 1;
    if (k[rl] != '/' || !repository)
        return 0;
    const char *path = k + rl + 1;
    size_t pl = strlen(path);
    if (strncmp(repository, path, pl) == 0 && (repository[pl] == '\0' || repository[pl] == '/'))
        return rl + 1 + pl + 1;
    return 0;
}

static int decode_auth(const char *b64, char **ret_user, char **ret_password, orc_error_t *err)
{
    size_t len = strlen(b64);
    if (len == 0 || len > 4096 || len % 4 != 0)
        return orc_error_make(err, EINVAL, "auth file: malformed \"auth\" value");
    _cleanup_free_ unsigned char *out = xmalloc(len);
    int n = EVP_DecodeBlock(out, (const unsigned char *) b64, (int) len);
    if (n < 0)
        return orc_error_make(err, EINVAL, "auth file: \"auth\" is not base64");
    /* EVP_DecodeBlock counts the padding as decoded zero bytes */
    n -= b64[len - 1] == '=' ? (b64[len - 2] == '=' ? 2 : 1) : 0;
    char *colon = memchr(out, ':', (size_t) n);
    if (!colon || memchr(out, '\0', (size_t) n))
        return orc_error_make(err, EINVAL, "auth file: \"auth\" is not user:password");
    *ret_user = xstrndup((char *) out, (size_t) (colon - (char *) out));
    *ret_password = xstrndup(colon + 1, (size_t) n - (size_t) (colon - (char *) out) - 1);
    return 0;
}

int auth_file_lookup(const char *text, size_t len, const char *registry, const char *repository,
                     char **ret_user, char **ret_password, orc_error_t *err)
{
    json_error_t jerr;
    json_auto_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return orc_error_make(err, EINVAL, "auth file: %s (line %d)", jerr.text, jerr.line);
    const char *key, *best = NULL;
    size_t best_len = 0;
    json_t *v;
    json_object_foreach(json_object_get(root, "auths"), key, v) {
        size_t m = key_match(key, registry, repository);
        if (m > best_len && orc_json_str(v, "auth")) {
            best = orc_json_str(v, "auth");
            best_len = m;
        }
    }
    if (!best)
        return -ENOENT;
    return decode_auth(best, ret_user, ret_password, err);
}
