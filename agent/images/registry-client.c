/* SPDX-License-Identifier: Apache-2.0 */
#include "images/registry-client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd-util.h"
#include "fs-util.h"
#include "images/unpack.h"
#include "json-util.h"
#include "log.h"
#include "images/registries-conf.h"
#include "images/registry-auth.h"
#include "strv.h"
#include "xalloc.h"

#define MANIFEST_MAX (4 << 20)
#define TOKEN_MAX (1 << 20)
#define ATTEMPTS 4
#define CONNECT_TIMEOUT_S 10
#define PROGRESS_DEADLINE_S 60

struct registry_client {
    char *registry, *repository, *base;
    char *user, *password; /* from an auth file, may be NULL */
    char *ca_file;         /* a per-registry CA bundle, NULL = the system store */
    long deadline_s;       /* progress deadline */
    pthread_mutex_t lock;
    char *authorization; /* "Bearer ..." or "Basic ..." once a challenge was answered */
    bool pod_secrets;    /* a pod's pull secrets were looked at too (for the messages) */
};

/* What one request brings back; the body goes to memory or to a verifying sink. */
struct response {
    long status;
    char *body;
    size_t len, max;
    char *content_type, *www_authenticate, *digest;
    struct sink *sink;
    bool connected; /* the connection (and TLS handshake) was made */
};

struct sink {
    int fd;
    EVP_MD_CTX *md;
    int64_t done, expected;
    bool too_big, write_failed;
    const struct descriptor *d;
    registry_progress_fn progress;
    void *arg;
};

bool registry_is_insecure(const struct registry_options *opts, const char *registry)
{
    /* the loopback by name (docker's rule is 127.0.0.0/8; only these three here, so that a
     * TLS registry on another loopback address is verified) */
    size_t n = strcspn(registry, ":");
    if ((n == 9 && !strncmp(registry, "localhost", 9)) ||
        (n == 9 && !strncmp(registry, "127.0.0.1", 9)) || !strncmp(registry, "[::1]", 5))
        return true;
    if (!opts)
        return false;
    const struct registry_entry *e = registries_conf_find(opts->conf, registry, NULL);
    if (e && e->insecure && !strcmp(e->location, registry))
        return true;
    for (size_t i = 0; opts->conf && i < opts->conf->n_entries; i++)
        if (strv_contains(opts->conf->entries[i].insecure_mirrors, registry))
            return true;
    return strv_contains(opts->insecure, registry);
}

static void load_credentials(struct registry_client *c, char *const *files)
{
    for (size_t i = 0; files && files[i] && !c->user; i++) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        orc_error_t err = NULL;
        if (orc_read_file(files[i], 1 << 20, &text, &len, NULL) < 0)
            continue;
        int r =
            auth_file_lookup(text, len, c->registry, c->repository, &c->user, &c->password, &err);
        if (r < 0 && r != -ENOENT) {
            log_warn("credentials: '%s': %s, ignoring", files[i], orc_error_message(err));
            orc_error_release(&err);
        }
    }
}

/* podman's per-registry CA: containers/certs.d/<host[:port]>/ca.crt in the user's config,
 * then /etc/containers/certs.d; else the system store. */
static char *find_ca(const struct registry_options *opts, const char *registry)
{
    if (opts && opts->ca_file)
        return xstrdup(opts->ca_file);
    const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char *dirs[] = {cfg    ? xasprintf("%s/containers/certs.d", cfg)
                    : home ? xasprintf("%s/.config/containers/certs.d", home)
                           : NULL,
                    xstrdup("/etc/containers/certs.d")};
    char *found = NULL;
    for (size_t i = 0; i < 2; i++) {
        char *p = dirs[i] ? xasprintf("%s/%s/ca.crt", dirs[i], registry) : NULL;
        if (!found && p && access(p, R_OK) == 0)
            found = p;
        else
            free(p);
        free(dirs[i]);
    }
    return found;
}

int registry_client_new(const struct registry_options *opts, const char *registry,
                        const char *repository, struct registry_client **ret, orc_error_t *err)
{
    if (!registry || !*registry || !repository || !*repository)
        return orc_error_make(err, EINVAL, "registry and repository are required");
    struct registry_client *c = xzalloc(sizeof(*c));
    c->registry = xstrdup(registry);
    c->repository = xstrdup(repository);
    const char *host = !strcmp(registry, "docker.io") ? "registry-1.docker.io" : registry;
    c->base = xasprintf("%s://%s/v2/%s", registry_is_insecure(opts, registry) ? "http" : "https",
                        host, repository);
    c->ca_file = find_ca(opts, registry);
    c->deadline_s =
        opts && opts->progress_deadline_s > 0 ? opts->progress_deadline_s : PROGRESS_DEADLINE_S;
    pthread_mutex_init(&c->lock, NULL);
    load_credentials(c, opts ? opts->auth_files : NULL);
    c->pod_secrets = opts && opts->keyring;
    *ret = c;
    return 0;
}

static void clear_free(char *s)
{
    if (s)
        explicit_bzero(s, strlen(s));
    free(s);
}

void registry_client_set_credential(struct registry_client *c, const char *user,
                                    const char *password)
{
    clear_free(c->user);
    clear_free(c->password);
    c->user = xstrdup(user ? user : "");
    c->password = xstrdup(password ? password : "");
}

bool registry_client_has_credential(const struct registry_client *c)
{
    return c->user != NULL;
}

struct registry_client *registry_client_free(struct registry_client *c)
{
    if (!c)
        return NULL;
    free(c->registry);
    free(c->repository);
    free(c->base);
    clear_free(c->user);
    clear_free(c->password);
    clear_free(c->authorization);
    free(c->ca_file);
    pthread_mutex_destroy(&c->lock);
    free(c);
    return NULL;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    size_t len = size * n;
    struct sink *s = r->sink;
    if (s && r->status / 100 == 2) {
        if (s->done + (int64_t) len > s->expected) {
            s->too_big = true;
            return 0; /* aborts the transfer */
        }
        if (orc_write_all(s->fd, data, len) < 0) {
            s->write_failed = true;
            return 0;
        }
        EVP_DigestUpdate(s->md, data, len);
        s->done += (int64_t) len;
        if (s->progress)
            s->progress(s->arg, s->d, s->done);
        return len;
    }
    if (r->len + len > r->max)
        return 0;
    r->body = xrealloc(r->body, r->len + len + 1);
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static void keep_header(char **field, const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || *field)
        return;
    const char *v = line + n;
    size_t vl = len - n;
    while (vl && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    *field = xstrndup(v, vl);
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
    struct response *r = arg;
    size_t len = size * n;
    if (len > 5 && !strncmp(line, "HTTP/", 5)) { /* a new response (after a redirect) */
        r->status = 0;
        free(r->content_type), free(r->www_authenticate);
        r->content_type = r->www_authenticate = NULL;
        const char *sp = memchr(line, ' ', len);
        if (sp)
            r->status = strtol(sp + 1, NULL, 10);
        return len;
    }
    keep_header(&r->content_type, line, len, "Content-Type:");
    keep_header(&r->www_authenticate, line, len, "WWW-Authenticate:");
    keep_header(&r->digest, line, len, "Docker-Content-Digest:");
    return len;
}

static void response_done(struct response *r)
{
    free(r->body);
    free(r->content_type);
    free(r->www_authenticate);
    free(r->digest);
    *r = (struct response){0};
}

/* One HTTP GET; the response (status, headers, body or sink) in *r. */
static int perform(const struct registry_client *c, const char *url, const char *accept,
                   const char *authorization, const char *userpwd, struct response *r,
                   CURLcode *ret_code)
{
    CURL *h = curl_easy_init();
    if (!h)
        return -ENOMEM;
    struct curl_slist *hdrs = NULL;
    _cleanup_free_ char *a = accept ? xasprintf("Accept: %s", accept) : NULL;
    _cleanup_free_ char *z = authorization ? xasprintf("Authorization: %s", authorization) : NULL;
    if (a)
        hdrs = curl_slist_append(hdrs, a);
    if (z)
        hdrs = curl_slist_append(hdrs, z);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L); /* blobs redirect to storage */
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long) CONNECT_TIMEOUT_S);
    /* a registry that drips a few bytes a second would keep a pull forever */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, REGISTRY_MIN_SPEED);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->deadline_s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "orc/" ORC_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    if (userpwd) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
    }
    if (c->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    *ret_code = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status)
        r->status = status;
    curl_off_t connect_us = 0, tls_us = 0;
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
    curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &tls_us);
    bool tls = !strncmp(url, "https:", 6);
    r->connected = connect_us > 0 && (!tls || tls_us > 0);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return 0;
}

/* An error with an errno-style kind but a message that stays as written. */
static int fail(orc_error_t *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(orc_error_t *err, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    orc_error_makev(err, 0, fmt, ap);
    va_end(ap);
    if (err && *err)
        (*err)->status = status;
    return -1;
}

/* Sets *err from a failed response, in the registry's own words (errors[0].message) when
 * it gave some; the status says what kind: ENOENT not found, EACCES refused, EIO other. */
static int registry_failure(const struct registry_client *c, const char *what,
                            const struct response *r, orc_error_t *err)
{
    json_auto_t *j = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
    const char *msg = orc_json_str(e0, "message"), *code = orc_json_str(e0, "code");
    if (msg)
        orc_error_make(err, 0, "%s: %s: %s%s%s (HTTP %ld)", what, c->registry, msg,
                       code ? ", " : "", code ? code : "", r->status);
    else
        orc_error_make(err, 0, "%s: %s: HTTP %ld", what, c->registry, r->status);
    if (err && *err)
        (*err)->status = r->status == 404                       ? ENOENT
                         : r->status == 401 || r->status == 403 ? EACCES
                                                                : EIO;
    return -1;
}

/* The status of a transfer that failed: whether the registry was reached at all (the
 * offline rule of implied pull policies depends on it), or stalled. */
static int curl_failure(const struct registry_client *c, const char *what, CURLcode code,
                        const struct response *r, orc_error_t *err)
{
    static const CURLcode unreachable[] = {
        CURLE_COULDNT_RESOLVE_HOST,
        CURLE_COULDNT_RESOLVE_PROXY,
        CURLE_COULDNT_CONNECT,
        CURLE_SSL_CONNECT_ERROR,
        CURLE_PEER_FAILED_VERIFICATION,
        CURLE_SSL_CERTPROBLEM,
        CURLE_SSL_CIPHER,
        CURLE_SSL_CACERT_BADFILE,
        CURLE_SSL_ISSUER_ERROR,
        CURLE_SSL_PINNEDPUBKEYNOTMATCH,
    };
    bool reached = code != CURLE_OPERATION_TIMEDOUT || r->connected;
    for (size_t i = 0; reached && i < ELEMENTSOF(unreachable); i++)
        reached = code != unreachable[i];
    if (!reached)
        return fail(err, REGISTRY_UNREACHABLE, "%s: %s: %s", what, c->registry,
                    curl_easy_strerror(code));
    if (code == CURLE_OPERATION_TIMEDOUT)
        return fail(err, ETIMEDOUT,
                    "%s: %s: no progress (less than %ld bytes a second for %ld s, orcd "
                    "--image-pull-progress-deadline)",
                    what, c->registry, REGISTRY_MIN_SPEED, c->deadline_s);
    return fail(err, EIO, "%s: %s: %s", what, c->registry, curl_easy_strerror(code));
}

static bool transient(CURLcode code, long status)
{
    if (code == CURLE_OK)
        return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    return code == CURLE_COULDNT_CONNECT || code == CURLE_OPERATION_TIMEDOUT ||
           code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR || code == CURLE_PARTIAL_FILE ||
           code == CURLE_GOT_NOTHING || code == CURLE_HTTP2 || code == CURLE_HTTP2_STREAM;
}

static char *url_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *copy = xstrdup(e ? e : "");
    curl_free(e);
    return copy;
}

/* Answers a 401's challenge: a bearer token from its realm, or basic credentials. */
static int authenticate(struct registry_client *c, const char *header, orc_error_t *err)
{
    struct auth_challenge ch;
    if (auth_challenge_parse(header, &ch, err) < 0)
        return orc_error_wrap(err, "%s", c->registry);
    _cleanup_free_ char *userpwd =
        c->user ? xasprintf("%s:%s", c->user, c->password ? c->password : "") : NULL;
    char *authorization = NULL;
    int r = 0;
    if (!strcasecmp(ch.scheme, "Basic")) {
        if (!userpwd)
            r = fail(err, EACCES,
                     "%s: authentication required (HTTP 401) and no credentials for it in %s",
                     c->registry,
                     c->pod_secrets ? "the pod's image pull secrets or the auth files"
                                    : "the auth files");
        else {
            _cleanup_free_ unsigned char *b64 = xmalloc(4 * (strlen(userpwd) / 3 + 2) + 1);
            EVP_EncodeBlock(b64, (const unsigned char *) userpwd, (int) strlen(userpwd));
            authorization = xasprintf("Basic %s", b64);
        }
    } else if (!strcasecmp(ch.scheme, "Bearer")) {
        _cleanup_free_ char *scope =
            ch.scope ? xstrdup(ch.scope) : xasprintf("repository:%s:pull", c->repository);
        _cleanup_free_ char *es = url_escape(scope);
        _cleanup_free_ char *sv = url_escape(ch.service ? ch.service : "");
        _cleanup_free_ char *url = xasprintf("%s%cservice=%s&scope=%s", ch.realm,
                                             strchr(ch.realm, '?') ? '&' : '?', sv, es);
        struct response t = {.max = TOKEN_MAX};
        CURLcode code;
        perform(c, url, "application/json", NULL, userpwd, &t, &code);
        json_auto_t *j = t.body ? json_loadb(t.body, t.len, 0, NULL) : NULL;
        const char *token =
            orc_json_str(j, "token") ? orc_json_str(j, "token") : orc_json_str(j, "access_token");
        if (code != CURLE_OK)
            r = fail(err, EIO, "token from '%s': %s", ch.realm, curl_easy_strerror(code));
        else if (t.status != 200 || !token)
            r = registry_failure(c, "token", &t, err);
        else
            authorization = xasprintf("Bearer %s", token);
        response_done(&t);
    } else {
        r = orc_error_make(err, ENOTSUP, "%s: authentication scheme '%s' is not supported",
                           c->registry, ch.scheme);
    }
    auth_challenge_done(&ch);
    if (r < 0)
        return -1;
    pthread_mutex_lock(&c->lock);
    free(c->authorization);
    c->authorization = authorization;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

static int sink_reset(struct sink *s)
{
    if (!s)
        return 0;
    s->done = 0;
    s->too_big = s->write_failed = false;
    EVP_DigestInit_ex(s->md, EVP_sha256(), NULL);
    return ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0 ? -errno : 0;
}

/* GET base/path: authenticates when challenged, retries transient failures with back-off.
 * Returns 0 with a 2xx response in *r, or the failure in *err. */
static int request(struct registry_client *c, const char *what, const char *path,
                   const char *accept, struct sink *sink, struct response *r, orc_error_t *err)
{
    _cleanup_free_ char *url = xasprintf("%s/%s", c->base, path);
    bool answered = false;
    for (int attempt = 0; attempt < ATTEMPTS;) {
        pthread_mutex_lock(&c->lock);
        _cleanup_free_ char *auth = c->authorization ? xstrdup(c->authorization) : NULL;
        pthread_mutex_unlock(&c->lock);
        size_t max = r->max;
        response_done(r);
        *r = (struct response){.max = max, .sink = sink};
        if (sink_reset(sink) < 0)
            return orc_error_make(err, errno, "%s: reset download", what);
        CURLcode code;
        if (perform(c, url, accept, auth, NULL, r, &code) < 0)
            return orc_error_make(err, ENOMEM, "%s: curl", what);
        if (code == CURLE_OK && r->status == 401 && r->www_authenticate && !answered) {
            answered = true; /* one answer per request: a second 401 is a refusal */
            if (authenticate(c, r->www_authenticate, err) < 0)
                return -1;
            continue;
        }
        if (sink && (sink->too_big || sink->write_failed))
            return fail(err, sink->too_big ? EBADMSG : EIO, "%s: %s", what,
                        sink->too_big ? "larger than its descriptor says"
                                      : "cannot write the download");
        if (code == CURLE_OK && r->status / 100 == 2)
            return 0;
        if (++attempt < ATTEMPTS && transient(code, r->status)) {
            struct timespec ts = {.tv_nsec = (100L << attempt) * 1000000L};
            log_debug("%s: %s, retrying", what, code ? curl_easy_strerror(code) : "server busy");
            nanosleep(&ts, NULL);
            continue;
        }
        if (code != CURLE_OK)
            return curl_failure(c, what, code, r, err);
        return registry_failure(c, what, r, err);
    }
    return fail(err, EIO, "%s: %s: gave up after %d attempts", what, c->registry, ATTEMPTS);
}

int registry_get_manifest(struct registry_client *c, const char *reference, char **ret_body,
                          size_t *ret_len, char **ret_content_type, char **ret_digest,
                          orc_error_t *err)
{
    _cleanup_free_ char *what = xasprintf("manifest %s:%s", c->repository, reference);
    _cleanup_free_ char *path = xasprintf("manifests/%s", reference);
    struct response r = {.max = MANIFEST_MAX};
    if (request(c, what, path, MANIFEST_ACCEPT, NULL, &r, err) < 0) {
        response_done(&r);
        return -1;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, r.body ? r.body : "", r.len);
    char *digest = image_digest_final(md);
    EVP_MD_CTX_free(md);
    if (!strncmp(reference, "sha256:", 7) && strcmp(reference, digest) != 0) {
        fail(err, EBADMSG, "%s: the registry sent content with digest %s", what, digest);
        free(digest);
        response_done(&r);
        return -1;
    }
    *ret_body = r.body ? r.body : xstrdup("");
    *ret_len = r.len;
    *ret_content_type = r.content_type;
    *ret_digest = digest;
    r.body = r.content_type = NULL;
    response_done(&r);
    return 0;
}

int registry_get_blob(struct registry_client *c, const struct descriptor *d, const char *path,
                      registry_progress_fn progress, void *arg, orc_error_t *err)
{
    _cleanup_free_ char *what = xasprintf("blob %s", d->digest);
    _cleanup_free_ char *rel = xasprintf("blobs/%s", d->digest);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return orc_error_make(err, errno, "create '%s'", path);
    struct sink s = {.fd = fd,
                     .md = EVP_MD_CTX_new(),
                     .expected = d->size,
                     .d = d,
                     .progress = progress,
                     .arg = arg};
    struct response r = {.max = 64 << 10};
    int rc = request(c, what, rel, NULL, &s, &r, err);
    response_done(&r);
    _cleanup_free_ char *digest = rc == 0 ? image_digest_final(s.md) : NULL;
    EVP_MD_CTX_free(s.md);
    if (rc < 0)
        return -1;
    if (s.done != d->size)
        return fail(err, EBADMSG, "%s: %lld bytes received, %lld expected", what,
                    (long long) s.done, (long long) d->size);
    if (strcmp(digest, d->digest) != 0)
        return fail(err, EBADMSG, "%s: the registry sent content with digest %s", what, digest);
    if (fsync(fd) < 0)
        return orc_error_make(err, errno, "%s: fsync", what);
    return 0;
}
