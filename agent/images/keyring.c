/* SPDX-License-Identifier: Apache-2.0 */
/* kubelet's credential keyring for imagePullSecrets (see keyring.h). Pure. */
#include "images/keyring.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json-util.h"
#include "objects.h"
#include "xalloc.h"

struct entry {
    char *key; /* host[:port][path] */
    char *user, *password;
};

struct keyring {
    struct entry *entries; /* in the order they were added */
    size_t n;
};

struct keyring *keyring_new(void)
{
    return xzalloc(sizeof(struct keyring));
}

static void clear_string(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

static void entry_clear(struct entry *e)
{
    free(e->key);
    clear_string(e->user);
    clear_string(e->password);
}

struct keyring *keyring_free(struct keyring *k)
{
    if (!k)
        return NULL;
    for (size_t i = 0; i < k->n; i++)
        entry_clear(&k->entries[i]);
    free(k->entries);
    free(k);
    return NULL;
}

static void push(struct keyring *k, const char *key, const char *user, const char *password)
{
    k->entries = xrealloc(k->entries, (k->n + 1) * sizeof(*k->entries));
    k->entries[k->n++] = (struct entry){.key = xstrdup(key),
                                        .user = xstrdup(user ? user : ""),
                                        .password = xstrdup(password ? password : "")};
}

struct keyring *keyring_copy(const struct keyring *k)
{
    struct keyring *c = keyring_new();
    for (size_t i = 0; k && i < k->n; i++)
        push(c, k->entries[i].key, k->entries[i].user, k->entries[i].password);
    return c;
}

size_t keyring_size(const struct keyring *k)
{
    return k ? k->n : 0;
}

/* A configuration's KEY as kubelet indexes it: host[:port] and the path, if any, without a
 * scheme, user information, query or fragment; "/v1/..." and "/v2/..." lose their first
 * component. NULL when there is no host. */
static char *index_key(const char *loc)
{
    const char *s = loc;
    if (!strncmp(s, "https://", 8))
        s += 8;
    else if (!strncmp(s, "http://", 7))
        s += 7;
    size_t host_len = strcspn(s, "/?#");
    const char *at = memrchr(s, '@', host_len);
    const char *host = at ? at + 1 : s;
    host_len -= (size_t) (host - s);
    if (host_len == 0)
        return NULL;
    const char *path = host + host_len;
    size_t path_len = *path == '/' ? strcspn(path, "?#") : 0;
    if (path_len >= 4 && (!strncmp(path, "/v2/", 4) || !strncmp(path, "/v1/", 4)))
        path += 3, path_len -= 3;
    if (path_len == 1) /* "/" */
        path_len = 0;
    return xasprintf("%.*s%.*s", (int) host_len, host, (int) path_len, path);
}

/* Go's base64: padded when it ends with '=' (StdEncoding), else unpadded (RawStdEncoding). */
static int decode_b64(const char *s, char **ret, size_t *ret_len, orc_error_t *err)
{
    size_t len = strlen(s), bad = 0;
    size_t end = len;
    while (end > 0 && strchr(" \t\r\n", s[end - 1]))
        end--;
    bool padded = end > 0 && s[end - 1] == '=';
    _cleanup_free_ char *text = xmalloc(len + 3);
    memcpy(text, s, len);
    size_t n = len;
    if (!padded) {
        if (strchr(s, '=') || len % 4 == 1)
            return orc_error_make_as(err, EINVAL, "illegal base64 data at input byte %zu",
                                     strchr(s, '=') ? (size_t) (strchr(s, '=') - s) : len - 1);
        while (n % 4)
            text[n++] = '=';
    }
    if (manifest_base64_decode(text, n, ret, ret_len, &bad) < 0)
        return orc_error_make_as(err, EINVAL, "illegal base64 data at input byte %zu",
                                 bad < len ? bad : len);
    return 0;
}

/* ENTRY's user and password, as kubelet's DockerConfigEntry reads it. */
static int entry_credentials(const char *key, const json_t *entry, char **ret_user,
                             char **ret_password, orc_error_t *err)
{
    if (!json_is_object(entry))
        return orc_error_make_as(err, EINVAL, "entry \"%s\" is not an object", key);
    static const char *const fields[] = {"username", "password", "auth", "email"};
    for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
        const json_t *v = json_object_get(entry, fields[i]);
        if (v && !json_is_string(v) && !json_is_null(v))
            return orc_error_make_as(err, EINVAL, "entry \"%s\": \"%s\" is not a string", key,
                                     fields[i]);
    }
    const char *auth = orc_json_str(entry, "auth");
    if (!auth || !*auth) {
        *ret_user = xstrdup(orc_json_str(entry, "username") ?: "");
        *ret_password = xstrdup(orc_json_str(entry, "password") ?: "");
        return 0;
    }
    char *plain = NULL;
    size_t len = 0;
    if (decode_b64(auth, &plain, &len, err) < 0)
        return orc_error_wrap(err, "entry \"%s\": \"auth\"", key);
    char *colon = memchr(plain, ':', len);
    if (!colon) {
        explicit_bzero(plain, len);
        free(plain);
        return orc_error_make_as(err, EINVAL,
                                 "entry \"%s\": unable to parse auth field, must be formatted as "
                                 "base64(username:password)",
                                 key);
    }
    *ret_user = xstrndup(plain, (size_t) (colon - plain));
    *ret_password = xstrndup(colon + 1, len - (size_t) (colon - plain) - 1);
    explicit_bzero(plain, len);
    free(plain);
    return 0;
}

int keyring_add(struct keyring *k, const char *text, size_t len, bool config_json, orc_error_t *err)
{
    json_error_t jerr;
    json_auto_t *root = json_loadb(text, len, 0, &jerr);
    if (!root) /* jansson's text may quote the payload: only where it fails */
        return orc_error_make_as(err, EINVAL, "not JSON (line %d, column %d)", jerr.line,
                                 jerr.column);
    if (!json_is_object(root))
        return orc_error_make_as(err, EINVAL, "not a JSON object");
    const json_t *auths = root;
    if (config_json) {
        auths = json_object_get(root, "auths");
        if (!auths || json_is_null(auths))
            return 0;
        if (!json_is_object(auths))
            return orc_error_make_as(err, EINVAL, "\"auths\" is not an object");
    }
    struct keyring *add = keyring_new();
    const char *loc;
    const json_t *entry;
    json_object_foreach((json_t *) auths, loc, entry) {
        char *user = NULL, *password = NULL;
        if (entry_credentials(loc, entry, &user, &password, err) < 0) {
            keyring_free(add);
            return -1;
        }
        _cleanup_free_ char *key = index_key(loc);
        if (key) /* kubelet logs an entry it cannot parse and goes on */
            push(add, key, user, password);
        clear_string(user);
        clear_string(password);
    }
    for (size_t i = 0; i < add->n; i++)
        push(k, add->entries[i].key, add->entries[i].user, add->entries[i].password);
    keyring_free(add);
    return 0;
}

/* host[:port] into its host and port ("" when none); "[v6]:port" as Go splits it. */
static void split_host_port(const char *hp, size_t len, char **ret_host, char **ret_port)
{
    const char *colon = NULL;
    if (len > 0 && hp[0] == '[') {
        const char *close = memchr(hp, ']', len);
        if (close && close + 1 < hp + len && close[1] == ':')
            colon = close + 1;
        size_t hl = close ? (size_t) (close - hp - 1) : len - 1;
        *ret_host = xstrndup(hp + 1, hl);
    } else {
        colon = memrchr(hp, ':', len);
        *ret_host = xstrndup(hp, colon ? (size_t) (colon - hp) : len);
    }
    *ret_port = colon ? xstrndup(colon + 1, (size_t) (hp + len - colon - 1)) : xstrdup("");
}

/* Each dot-separated part of host against the glob's (a shell pattern), the parts' count
 * equal. */
static bool hosts_match(const char *glob, const char *host)
{
    for (;;) {
        size_t gl = strcspn(glob, "."), hl = strcspn(host, ".");
        _cleanup_free_ char *g = xstrndup(glob, gl), *h = xstrndup(host, hl);
        if (fnmatch(g, h, 0) != 0)
            return false;
        if (!glob[gl] || !host[hl])
            return !glob[gl] && !host[hl];
        glob += gl + 1;
        host += hl + 1;
    }
}

/* kubelet's URLsMatchStr(key, image), both without a scheme. */
static bool key_matches(const char *key, const char *image)
{
    size_t kl = strcspn(key, "/"), il = strcspn(image, "/");
    _cleanup_free_ char *kh = NULL, *kp = NULL, *ih = NULL, *ip = NULL;
    split_host_port(key, kl, &kh, &kp);
    split_host_port(image, il, &ih, &ip);
    if (strcmp(kp, ip) != 0 || !hosts_match(kh, ih))
        return false;
    return !strncmp(image + il, key + kl, strlen(key + kl));
}

/* Whether the image is docker.io's by its name (kubelet's isDefaultRegistryMatch). */
static bool default_registry_image(const char *image)
{
    size_t first = strcspn(image, "/");
    if (first == 0)
        return false;
    if (!image[first])
        return true;
    if ((first == 9 && !strncmp(image, "docker.io", 9)) ||
        (first == 15 && !strncmp(image, "index.docker.io", 15)))
        return true;
    return !memchr(image, '.', first) && !memchr(image, ':', first);
}

static int reverse_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) b, *(char *const *) a);
}

/* The distinct keys, in reverse lexical order (kubelet's index). */
static const char **sorted_keys(const struct keyring *k, size_t *ret_n)
{
    const char **keys = xcalloc(k->n + 1, sizeof(*keys));
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = !strcmp(keys[j], k->entries[i].key);
        if (!seen)
            keys[n++] = k->entries[i].key;
    }
    qsort(keys, n, sizeof(*keys), reverse_cmp);
    *ret_n = n;
    return keys;
}

static size_t take_key(const struct keyring *k, const char *key, struct keyring_cred *ret, size_t n,
                       size_t max)
{
    for (size_t i = 0; i < k->n && n < max; i++)
        if (!strcmp(k->entries[i].key, key))
            ret[n++] = (struct keyring_cred){k->entries[i].user, k->entries[i].password};
    return n;
}

size_t keyring_lookup(const struct keyring *k, const char *image, struct keyring_cred *ret,
                      size_t max)
{
    if (!k || !k->n || !image)
        return 0;
    size_t n_keys = 0, n = 0;
    _cleanup_free_ const char **keys = sorted_keys(k, &n_keys);
    for (size_t i = 0; i < n_keys; i++)
        if (key_matches(keys[i], image))
            n = take_key(k, keys[i], ret, n, max);
    if (n == 0 && default_registry_image(image))
        n = take_key(k, "index.docker.io", ret, n, max);
    return n;
}

char *keyring_fingerprint(const struct keyring *k)
{
    if (!k || !k->n)
        return xstrdup("");
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; i < k->n; i++) {
        const struct entry *e = &k->entries[i];
        EVP_DigestUpdate(md, e->key, strlen(e->key) + 1);
        EVP_DigestUpdate(md, e->user, strlen(e->user) + 1);
        EVP_DigestUpdate(md, e->password, strlen(e->password) + 1);
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, d, &len);
    EVP_MD_CTX_free(md);
    char *hex = xmalloc(2 * len + 1);
    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return hex;
}
