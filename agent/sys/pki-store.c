/* SPDX-License-Identifier: Apache-2.0 */
/* The API's certificates and token in $XDG_CONFIG_HOME/orc: loaded, made and renewed. */
#include "sys/pki-store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "log.h"
#include "private-dir.h"
#include "xalloc.h"

#define TOKEN_BYTES 32
#define MAX_PEM (64 * 1024)

static const char *const server_dns[] = {"localhost", NULL};
static const char *const server_ips[] = {"127.0.0.1", NULL};

struct pki_leaf_spec pki_store_server_spec(void)
{
    return (struct pki_leaf_spec){.usage = PKI_USAGE_SERVER,
                                  .common_name = "orc-apiserver",
                                  .dns_names = server_dns,
                                  .ip_addresses = server_ips};
}

struct pki_leaf_spec pki_store_client_spec(const char *user)
{
    return (struct pki_leaf_spec){
        .usage = PKI_USAGE_CLIENT, .common_name = user, .organization = PKI_CLIENT_ORGANIZATION};
}

void pki_store_done(struct pki_store *s)
{
    pki_pair_done(&s->ca);
    pki_pair_done(&s->server);
    pki_pair_done(&s->client);
    if (s->token)
        memset(s->token, 0, strlen(s->token));
    free(s->token);
    s->token = NULL;
}

/* A directory and its descriptor, for messages and the *at() calls. */
struct dir {
    const char *path;
    int fd;
};

/* Reads NAME: 0, or 1 when it does not exist. A secret must be the user's and closed to
 * others: one that is not may have been copied, and is refused. */
static int read_file(const struct dir *d, const char *name, bool secret, char **ret,
                     orc_error_t *err)
{
    _cleanup_close_ int fd = orc_openat_regular(d->fd, name, O_RDONLY, 0);
    if (fd == -ENOENT)
        return 1;
    if (fd < 0)
        return orc_error_make(err, -fd, "open '%s/%s'", d->path, name);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return orc_error_make(err, errno, "stat '%s/%s'", d->path, name);
    if (secret && (st.st_uid != geteuid() || (st.st_mode & 077))) {
        _cleanup_free_ char *owner = orc_describe_uid(st.st_uid);
        _cleanup_free_ char *what =
            st.st_uid != geteuid() ? xasprintf("it belongs to %s", owner)
                                   : xasprintf("its mode is %04o, not 0600", st.st_mode & 07777);
        return orc_error_make_as(err, EPERM,
                                 "refusing '%s/%s': %s: others may have read it; remove it and "
                                 "start orcd again to make a new one (then write kubeconfigs "
                                 "again with 'orc kubeconfig')",
                                 d->path, name, what);
    }
    size_t len = 0;
    int r = orc_read_all(fd, MAX_PEM, ret, &len);
    return r < 0 ? orc_error_make(err, -r, "read '%s/%s'", d->path, name) : 0;
}

static int write_file(const struct dir *d, const char *name, const char *text, orc_error_t *err)
{
    if (orc_write_file_atomic_at(d->fd, name, text, strlen(text), 0600, err) < 0)
        return orc_error_wrap(err, "in '%s'", d->path);
    return 0;
}

/* Reads NAME.crt and NAME.key: 0, or 1 when either is missing. */
static int read_pair(const struct dir *d, const char *name, struct pki_pair *ret, orc_error_t *err)
{
    _cleanup_free_ char *crt = xasprintf("%s.crt", name), *key = xasprintf("%s.key", name);
    int r = read_file(d, key, true, &ret->key, err);
    if (r == 0)
        r = read_file(d, crt, false, &ret->cert, err);
    if (r != 0)
        pki_pair_done(ret);
    return r;
}

/* The key first: a crash between the two leaves a pair that does not match, made anew. */
static int write_pair(const struct dir *d, const char *name, const struct pki_pair *p,
                      orc_error_t *err)
{
    _cleanup_free_ char *crt = xasprintf("%s.crt", name), *key = xasprintf("%s.key", name);
    return write_file(d, key, p->key, err) < 0 || write_file(d, crt, p->cert, err) < 0 ? -1 : 0;
}

static int load_ca(const struct dir *d, const char *user, int64_t now, struct pki_pair *ca,
                   bool *ret_new, orc_error_t *err)
{
    int r = read_pair(d, "ca", ca, err);
    if (r < 0)
        return -1;
    _cleanup_free_ char *why = r == 0 ? pki_check_ca(ca, now) : NULL;
    *ret_new = r == 1 || why;
    if (!*ret_new)
        return 0;
    pki_pair_done(ca);
    _cleanup_free_ char *cn = xasprintf("orc-ca@%s", user);
    if (pki_issue_ca(cn, now, ca, err) < 0 || write_pair(d, "ca", ca, err) < 0)
        return orc_error_wrap(err, "the API's CA");
    if (why)
        log_warn("the API's CA in '%s' was made anew (%s): kubeconfigs written before no longer "
                 "work; write them again with 'orc kubeconfig'",
                 d->path, why);
    else
        log_info("made the API's CA in '%s' (valid for %d years)", d->path,
                 PKI_CA_LIFETIME / PKI_DAY / 365);
    return 0;
}

static int load_leaf(const struct dir *d, const char *name, const struct pki_pair *ca,
                     const struct pki_leaf_spec *spec, bool ca_new, int64_t now,
                     struct pki_pair *leaf, orc_error_t *err)
{
    int r = read_pair(d, name, leaf, err);
    if (r < 0)
        return -1;
    _cleanup_free_ char *why = r == 1   ? NULL
                               : ca_new ? xstrdup("a new CA")
                                        : pki_check_leaf(ca, leaf, spec, now);
    if (r == 0 && !why)
        return 0;
    pki_pair_done(leaf);
    if (pki_issue(ca, spec, now, leaf, err) < 0 || write_pair(d, name, leaf, err) < 0)
        return orc_error_wrap(err, "the API's certificate '%s'", name);
    if (why && spec->usage == PKI_USAGE_CLIENT)
        log_warn("issued '%s/%s.crt' again (%s): kubeconfigs with the previous one work until it "
                 "expires; 'orc kubeconfig' writes the new one",
                 d->path, name, why);
    else
        log_info("issued '%s/%s.crt'%s%s%s (valid for %d days)", d->path, name,
                 why ? " again (" : "", why ? why : "", why ? ")" : "",
                 PKI_LEAF_LIFETIME / PKI_DAY);
    return 0;
}

static bool token_valid(const char *t)
{
    return strlen(t) == 2 * TOKEN_BYTES && strspn(t, "0123456789abcdef") == 2 * TOKEN_BYTES;
}

static int load_token(const struct dir *d, char **ret, orc_error_t *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_file(d, "token", true, &text, err);
    if (r < 0)
        return -1;
    if (r == 0) {
        text[strcspn(text, "\n")] = '\0';
        if (token_valid(text)) {
            *ret = TAKE_PTR(text);
            return 0;
        }
        log_warn("'%s/token' is not 64 hexadecimal digits: made anew", d->path);
    }
    unsigned char raw[TOKEN_BYTES];
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t) sizeof(raw))
        return orc_error_make(err, errno, "getrandom");
    char hex[2 * TOKEN_BYTES + 2];
    for (size_t i = 0; i < TOKEN_BYTES; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    memset(raw, 0, sizeof(raw));
    strcat(hex, "\n");
    r = write_file(d, "token", hex, err);
    hex[2 * TOKEN_BYTES] = '\0';
    if (r < 0)
        return -1;
    log_info("made the API token '%s/token'", d->path);
    *ret = xstrdup(hex);
    memset(hex, 0, sizeof(hex));
    return 0;
}

int pki_store_load(const char *config_dir, const char *user, int64_t now, struct pki_store *ret,
                   orc_error_t *err)
{
    int r = orc_owned_dir_check(config_dir, err);
    if (r == -ENOENT)
        return orc_error_make(err, ENOENT, "'%s' does not exist", config_dir);
    if (r < 0)
        return -1;
    _cleanup_close_ int config_fd = open(config_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (config_fd < 0)
        return orc_error_make(err, errno, "open '%s'", config_dir);
    _cleanup_free_ char *pki_path = xasprintf("%s/pki", config_dir);
    _cleanup_close_ int pki_fd = orc_private_dir_open(config_dir, "pki", err);
    if (pki_fd < 0)
        return -1;
    struct dir config = {config_dir, config_fd}, pki = {pki_path, pki_fd};
    struct pki_store s = {0};
    struct pki_leaf_spec server = pki_store_server_spec(), client = pki_store_client_spec(user);
    bool ca_new = false;
    if (load_ca(&pki, user, now, &s.ca, &ca_new, err) < 0 ||
        load_leaf(&pki, "apiserver", &s.ca, &server, ca_new, now, &s.server, err) < 0 ||
        load_leaf(&pki, "client", &s.ca, &client, ca_new, now, &s.client, err) < 0 ||
        load_token(&config, &s.token, err) < 0) {
        pki_store_done(&s);
        return -1;
    }
    *ret = s;
    return 0;
}
