/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP API over the unix socket and HTTPS on loopback: routing, bodies, replies (shapes
 * in ARCHITECTURE.md). */
#include "api/api.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/internal.h"
#include "api/pod-table.h"
#include "api/resources.h"
#include "cleanup.h"
#include "json-util.h"
#include "log.h"
#include "manifest.h"
#include "orcd.h"
#include "store/feed.h"
#include "store/store.h"
#include "strv.h"
#include "time-util.h"
#include "xalloc.h"

#define MAX_BODY (MANIFEST_MAX_BYTES + 64 * 1024)
#define API_MAX_CONNECTIONS 4096
#define API_THREAD_STACK (512 * 1024)
/* kube-apiserver keeps warnings short too: a long one is cut, and a request gets a bounded
 * number of them */
#define API_MAX_WARNINGS 100
#define API_MAX_WARNING_BYTES 4096

/* What on_request learns of the listener a request came in on. */
struct api_listener {
    struct api *a;
    bool tcp;
};

struct api {
    struct orcd *o;
    struct MHD_Daemon *daemon, *tcp_daemon;
    int fd;
    char *path;
    struct pod_table *pod_table; /* the rows of pod Tables, kept between requests */
    struct api_listener unix_listener, tcp_listener;
};

enum MHD_Result api_reply_json(struct request *r, unsigned code, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len++] = '\n';
    return api_reply_json_text(r, code, text, len);
}

void api_warn(struct request *r, const char *text)
{
    if (strv_length(r->warnings) >= API_MAX_WARNINGS || strv_contains(r->warnings, text))
        return;
    r->warnings = strv_push(r->warnings, text);
}

/* A Warning header's value as kube-apiserver writes it: 299 - "text", the text quoted as Go
 * quotes strings (clients unquote it so) and cut at API_MAX_WARNING_BYTES. */
static char *warning_header(const char *text)
{
    size_t len = strlen(text), cap = len * 4 + 16;
    if (len > API_MAX_WARNING_BYTES)
        len = API_MAX_WARNING_BYTES;
    char *out = xmalloc(cap), *p = out;
    p += sprintf(p, "299 - \"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) text[i];
        if (c == '"' || c == '\\')
            p += sprintf(p, "\\%c", c);
        else if (c == '\n')
            p += sprintf(p, "\\n");
        else if (c == '\t')
            p += sprintf(p, "\\t");
        else if (c < 0x20 || c == 0x7f)
            p += sprintf(p, "\\x%02x", c);
        else
            *p++ = (char) c;
    }
    strcpy(p, "\"");
    return out;
}

enum MHD_Result api_queue_response(struct request *r, unsigned code, struct MHD_Response *resp)
{
    for (char **w = r->warnings; w && *w; w++) {
        _cleanup_free_ char *value = warning_header(*w);
        MHD_add_response_header(resp, "Warning", value);
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, code, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result api_reply_json_text(struct request *r, unsigned code, char *text, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    return api_queue_response(r, code, resp);
}

enum MHD_Result api_reply_text(struct request *r, unsigned code, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *) text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    return api_queue_response(r, code, resp);
}

json_t *api_status_new(unsigned code, const char *reason, const char *message, json_t *details)
{
    json_t *st = json_pack("{s:s,s:s,s:{},s:s,s:s,s:s,s:i}", "kind", "Status", "apiVersion", "v1",
                           "metadata", "status", "Failure", "message", message, "reason", reason,
                           "code", (int) code);
    if (details)
        json_object_set_new(st, "details", details);
    return st;
}

enum MHD_Result api_reply_status_json(struct request *r, json_t *status)
{
    unsigned code = (unsigned) json_integer_value(json_object_get(status, "code"));
    return api_reply_json(r, code ? code : 500, status);
}

enum MHD_Result api_reply_status(struct request *r, unsigned code, const char *reason,
                                 const char *message, json_t *details)
{
    return api_reply_json(r, code, api_status_new(code, reason, message, details));
}

/* The details of an Invalid error the store words as kube-apiserver does, 'KIND "NAME" is
 * invalid: FIELD: DETAIL': the kind and the field as a cause, which kubectl prints. */
static json_t *invalid_details(const char *msg, const char *name)
{
    char kind[64];
    int n = 0;
    if (!name || sscanf(msg, "%63[A-Za-z] %n", kind, &n) != 1)
        return NULL;
    _cleanup_free_ char *head = xasprintf("\"%s\" is invalid: ", name);
    if (strncmp(msg + n, head, strlen(head)))
        return NULL;
    const char *field = msg + n + strlen(head);
    const char *sep = strstr(field, ": ");
    if (!sep)
        return NULL;
    _cleanup_free_ char *f = xstrndup(field, (size_t) (sep - field));
    const char *detail = sep + 2;
    return json_pack("{s:s,s:s,s:[{s:s,s:s,s:s}]}", "name", name, "kind", kind, "causes", "reason",
                     strncmp(detail, "Forbidden", 9) ? "FieldValueInvalid" : "FieldValueForbidden",
                     "message", detail, "field", f);
}

json_t *api_status_from_error(orc_error_t *err, const char *kind, const char *name)
{
    static const struct {
        int status;
        unsigned code;
        const char *reason;
    } codes[] = {
        {ENOENT, 404, "NotFound"},       {EINVAL, 422, "Invalid"},
        {EEXIST, 409, "AlreadyExists"},  {EBUSY, 409, "Conflict"},
        {ESTALE, 409, "Conflict"},       {EBADMSG, 400, "BadRequest"},
        {ENOTSUP, 406, "NotAcceptable"}, {EKEYEXPIRED, 410, "Expired"},
        {ETIMEDOUT, 504, "Timeout"},     {EACCES, 403, "Forbidden"},
    };
    int status = *err ? (*err)->status : 0;
    unsigned code = 500;
    const char *reason = "InternalError";
    for (size_t i = 0; i < ELEMENTSOF(codes); i++)
        if (codes[i].status == status) {
            code = codes[i].code;
            reason = codes[i].reason;
            break;
        }
    /* messages are written for users: drop the strerror suffix orc_error_make added where
     * the code says the same ("not found"); a 500 keeps it, it is the cause ("No space left
     * on device") */
    _cleanup_free_ char *msg = xstrdup(orc_error_message(*err));
    if (status && code != 500) {
        _cleanup_free_ char *tail = xasprintf(": %s", strerror(status));
        size_t ml = strlen(msg), tl = strlen(tail);
        if (ml > tl && !strcmp(msg + ml - tl, tail))
            msg[ml - tl] = '\0';
    }
    json_t *details = code == 422 ? invalid_details(msg, name) : NULL;
    if (!details && name)
        details = json_pack("{s:s,s:s}", "name", name, "kind", kind);
    orc_error_release(err);
    return api_status_new(code, reason, msg, details);
}

enum MHD_Result api_reply_error(struct request *r, orc_error_t *err, const char *kind,
                                const char *name)
{
    return api_reply_status_json(r, api_status_from_error(err, kind, name));
}

const char *api_query(struct request *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool api_query_bool(struct request *r, const char *key)
{
    const char *v = api_query(r, key);
    return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

bool api_query_has(struct request *r, const char *key)
{
    const char *value = NULL;
    size_t len = 0;
    return MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), &value,
                                         &len) == MHD_YES;
}

int api_open_store(struct request *r, struct store **ret, orc_error_t *err)
{
    if (store_open(r->o->paths.db, r->o->feed, ret, err) < 0)
        return -1;
    store_set_node_name(*ret, r->o->config.pod.node_name); /* pods are bound to the node */
    _cleanup_free_ char *claims = xasprintf("%s/claims", r->o->paths.data_dir);
    store_set_claims_dir(*ret, claims);
    return 0;
}

static enum MHD_Result version(struct request *r)
{
    return api_reply_json(r, 200,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "major", "1", "minor", "32",
                                    "gitVersion", ORC_KUBE_VERSION, "platform", "linux/amd64",
                                    "compiler", "gcc", "goVersion", ""));
}

static enum MHD_Result route(struct request *r)
{
    for (size_t i = 0; i < r->n_segs; i++)
        if (strstr(r->segs[i], "%00"))
            return api_reply_status(r, 400, "BadRequest", "the path holds a NUL character (%00)",
                                    NULL);
    const char *m = r->method;
    char **s = r->segs;
    size_t n = r->n_segs;
    bool get = !strcmp(m, "GET"), post = !strcmp(m, "POST"), del = !strcmp(m, "DELETE");
    if ((n == 1 || n == 2) &&
        (!strcmp(s[0], "healthz") || !strcmp(s[0], "livez") || !strcmp(s[0], "readyz")))
        return get ? api_health(r)
                   : api_reply_status(r, 405, "MethodNotAllowed", "method not allowed", NULL);
    if (n == 2 && !strcmp(s[0], "debug") && !strcmp(s[1], "block-loop") && post)
        return api_debug_block_loop(r);
    if (n == 1 && !strcmp(s[0], "version") && get)
        return version(r);
    if (n >= 1 && !strcmp(s[0], "openapi"))
        return api_openapi(r);
    /* orc's own API before the Kubernetes resources: its paths are under /apis too */
    if (n >= 3 && !strcmp(s[0], "apis") && !strcmp(s[1], "orc.dev") && !strcmp(s[2], "v1")) {
        if (n == 4 && !strcmp(s[3], "apply") && post)
            return api_apply(r);
        if (n == 4 && !strcmp(s[3], "kubeconfig") && get && !r->tcp)
            return api_kubeconfig(r);
        if (n == 4 && !strcmp(s[3], "images") && get)
            return api_images_list(r);
        if (n == 5 && !strcmp(s[3], "images") && !strcmp(s[4], "load") && post)
            return api_images_load(r);
        if (n == 5 && !strcmp(s[3], "images") && !strcmp(s[4], "pull") && post)
            return api_images_pull(r);
        if (n == 5 && !strcmp(s[3], "images") && !strcmp(s[4], "prune") && post)
            return api_images_prune(r);
        if (n >= 5 && !strcmp(s[3], "images") && (del || get)) {
            /* references contain '/': the rest of the path is the reference */
            _cleanup_free_ char *ref = xstrdup(s[4]);
            for (size_t i = 5; i < n; i++) {
                char *joined = xasprintf("%s/%s", ref, s[i]);
                free(ref);
                ref = joined;
            }
            return del ? api_images_remove(r, ref) : api_images_inspect(r, ref);
        }
    }
    if (k8s_path_parse(s, n, &r->path) == 0)
        return api_resource_route(r);
    return api_reply_status(r, 404, "NotFound", "the server could not find the requested resource",
                            NULL);
}

/* %HH decoded in place, except %00: a NUL would cut a name short and act on another object;
 * it stays as text, which route() refuses. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void) cls, (void) c;
    char *out = s;
    for (const char *in = s; *in; in++) {
        unsigned v;
        if (in[0] == '%' && isxdigit((unsigned char) in[1]) && isxdigit((unsigned char) in[2]) &&
            sscanf(in + 1, "%2x", &v) == 1 && v != 0) {
            *out++ = (char) v;
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t) (out - s);
}

static void split_url(struct request *r, const char *url)
{
    _cleanup_free_ char *copy = xstrdup(url);
    char *save = NULL;
    for (char *p = strtok_r(copy, "/", &save); p && r->n_segs < ELEMENTSOF(r->segs);
         p = strtok_r(NULL, "/", &save))
        r->segs[r->n_segs++] = xstrdup(p);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version_, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void) version_;
    struct request *r = *con_cls;
    if (!r) {
        const struct api_listener *l = cls;
        r = xzalloc(sizeof(*r));
        r->o = l->a->o;
        r->pod_table = l->a->pod_table;
        r->tcp = l->tcp;
        r->conn = conn;
        r->method = method;
        split_url(r, url);
        *con_cls = r;
        /* on TCP nothing is served without a credential: not health, not an upgrade, and
         * no body is read */
        if (r->tcp && !api_tls_authenticated(r, url))
            return api_reply_unauthorized(r);
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->body_len + *upload_size > MAX_BODY) {
            r->too_large = true;
        } else {
            r->body = xrealloc(r->body, r->body_len + *upload_size + 1);
            memcpy(r->body + r->body_len, upload, *upload_size);
            r->body_len += *upload_size;
            r->body[r->body_len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_large) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "the request body is larger than %u bytes: manifests are limited to 3 MiB",
                 MAX_BODY);
        return api_reply_status(r, 413, "RequestEntityTooLarge", msg, NULL);
    }
    return route(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void) cls, (void) conn, (void) toe;
    struct request *r = *con_cls;
    if (!r)
        return;
    for (size_t i = 0; i < r->n_segs; i++)
        free(r->segs[i]);
    free(r->body);
    strv_free(r->warnings);
    free(r);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void) cls;
    char buf[512];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    log_debug("http: %s", buf);
}

static int listen_unix(const char *path, orc_error_t *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(addr.sun_path))
        return orc_error_make(err, ENAMETOOLONG, "socket path '%s'", path);
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return orc_error_make(err, errno, "socket");
    (void) unlink(path);
    mode_t old = umask(0177);
    int r = bind(fd, (struct sockaddr *) &addr, sizeof(addr));
    umask(old);
    if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
        int e = errno;
        close(fd);
        return orc_error_make(err, e, "listen on '%s'", path);
    }
    return fd;
}

int api_start(struct orcd *o, struct api **ret, orc_error_t *err)
{
    int fd = listen_unix(o->paths.socket, err);
    if (fd < 0)
        return -1;
    struct api *a = xzalloc(sizeof(*a));
    a->o = o;
    a->fd = fd;
    a->path = xstrdup(o->paths.socket);
    a->pod_table = pod_table_new();
    a->unix_listener = (struct api_listener){.a = a};
    a->tcp_listener = (struct api_listener){.a = a, .tcp = true};
    /* one thread per connection, each with a small stack, waiting in poll() (select() stops
     * at descriptor 1024, below the raised open-files limit); idle connections are closed,
     * and their number is bounded well below that limit (a stream blocked in its callback
     * is not idle); the TCP listener is served the same way, with TLS */
    struct rlimit rl = {.rlim_cur = 1024};
    (void) getrlimit(RLIMIT_NOFILE, &rl);
    unsigned limit =
        rl.rlim_cur / 2 > API_MAX_CONNECTIONS ? API_MAX_CONNECTIONS : (unsigned) (rl.rlim_cur / 2);
    /* each watch holds its connection (HTTP/1.1): a quarter stays for other requests */
    feed_set_max_watchers(o->feed, limit - limit / 4);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t) on_completed, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT,
         (intptr_t) ((o->config.api_idle_timeout_ns + NSEC_PER_SEC - 1) / NSEC_PER_SEC), NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t) limit, NULL},
        {MHD_OPTION_THREAD_STACK_SIZE, (intptr_t) API_THREAD_STACK, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t) unescape, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    /* the logger first: libmicrohttpd logs to stderr until it has one */
    a->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &a->unix_listener, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
        NULL, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
    if (!a->daemon) {
        api_stop(a);
        return orc_error_make(err, 0, "start the HTTP server on '%s'", o->paths.socket);
    }
    if (o->tls) {
        int tcp_fd = api_tls_take_fd(o->tls);
        a->tcp_daemon = MHD_start_daemon(
            flags | MHD_USE_TLS, 0, NULL, NULL, on_request, &a->tcp_listener,
            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, tcp_fd,
            MHD_OPTION_ARRAY, options, MHD_OPTION_ARRAY, api_tls_options(o->tls), MHD_OPTION_END);
        if (!a->tcp_daemon) {
            close(tcp_fd);
            api_stop(a);
            return orc_error_make(err, 0, "start the HTTPS server on 127.0.0.1:%u",
                                  api_tls_port(o->tls));
        }
    }
    *ret = a;
    return 0;
}

struct api *api_stop(struct api *a)
{
    if (!a)
        return NULL;
    if (a->tcp_daemon)
        MHD_stop_daemon(a->tcp_daemon);
    if (a->daemon)
        MHD_stop_daemon(a->daemon);
    else
        close(a->fd);
    (void) unlink(a->path);
    free(a->path);
    pod_table_free(a->pod_table);
    free(a);
    return NULL;
}
