/* SPDX-License-Identifier: Apache-2.0 */
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "json-util.h"
#include "private-dir.h"
#include "time-util.h"
#include "xalloc.h"

/* A spinner on stderr while a long request (image load) runs; libcurl calls this often
 * while data moves and about once a second while it waits for the answer. */
struct spinner {
    const char *label;
    int64_t start, last;
    unsigned frame;
    bool shown;
};

static int spin(void *cls, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void) dt, (void) dn, (void) ut, (void) un;
    struct spinner *s = cls;
    int64_t now = orc_time_mono_ns();
    if (s->shown && now - s->last < 100 * NSEC_PER_MSEC)
        return 0;
    s->last = now;
    s->shown = true;
    fprintf(stderr, "\r\033[K%c %s (%llds)", "|/-\\"[s->frame++ % 4], s -> label,
            (long long) ((now - s->start) / NSEC_PER_SEC));
    fflush(stderr);
    return 0;
}

static size_t collect(char *data, size_t size, size_t n, void *cls)
{
    struct reply *r = cls;
    size_t len = size * n;
    r->body = xrealloc(r->body, r->len + len + 1);
    memcpy(r->body + r->len, data, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

/* The socket's directory (orcd's run directory, unless --socket names another) must be this
 * user's, and no one else may write in it: another could hold another user's socket (a
 * /tmp/orc-UID made first by someone else). A missing one is no agent, which connecting
 * reports. */
static int check_socket_dir(const struct client *c, orc_error_t *err)
{
    const char *slash = strrchr(c->socket, '/');
    _cleanup_free_ char *dir = !slash ? xstrdup(".")
                               : slash == c->socket
                                   ? xstrdup("/")
                                   : xstrndup(c->socket, (size_t) (slash - c->socket));
    int r = orc_owned_dir_check(dir, err);
    if (r < 0 && r != -ENOENT)
        return orc_error_wrap(err, "not talking to orcd at %s", c->socket);
    return 0;
}

/* libcurl's socket, made only in a private directory and remembered so that the peer can be
 * checked once connected. A refusal is kept in c->refused for transport_error. */
static curl_socket_t open_socket(void *cls, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct client *c = cls;
    (void) purpose;
    if (check_socket_dir(c, &c->refused) < 0)
        return CURL_SOCKET_BAD;
    c->conn_fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    return c->conn_fd < 0 ? CURL_SOCKET_BAD : c->conn_fd;
}

/* Connected, nothing sent yet: the process listening must run as this user. */
static int check_peer(void *cls, char *ip, char *local_ip, int port, int local_port)
{
    struct client *c = cls;
    (void) ip, (void) local_ip, (void) port, (void) local_port;
    struct ucred peer;
    socklen_t len = sizeof(peer);
    if (c->conn_fd < 0 || getsockopt(c->conn_fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0) {
        orc_error_make(&c->refused, c->conn_fd < 0 ? EBADF : errno,
                       "not talking to orcd at %s: SO_PEERCRED", c->socket);
        return CURL_PREREQFUNC_ABORT;
    }
    if (peer.uid != getuid()) {
        _cleanup_free_ char *owner = orc_describe_uid(peer.uid), *me = orc_describe_uid(getuid());
        orc_error_make_as(&c->refused, EPERM,
                          "not talking to orcd at %s: the process listening there (pid %d) runs "
                          "as %s, not as you (%s); it is not your agent",
                          c->socket, (int) peer.pid, owner, me);
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

static CURL *prepare(struct client *c, const char *method, const char *path)
{
    CURL *h = curl_easy_init();
    _cleanup_free_ char *url = xasprintf("http://localhost%s", path);
    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket);
    c->conn_fd = -1;
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c);
    curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, check_peer);
    curl_easy_setopt(h, CURLOPT_PREREQDATA, c);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    return h;
}

/* The socket of the agent that holds this user's data directory, from its lock file (orcd
 * writes "PID\nSOCKET\n" there), when that agent lives and listens somewhere else than
 * c->socket: under cron or su XDG_RUNTIME_DIR is often unset while the agent has it. */
static char *agent_elsewhere(const struct client *c)
{
    _cleanup_free_ char *data = orc_xdg_dir("XDG_DATA_HOME", ".local/share"); /* orcd's */
    _cleanup_free_ char *lock = data ? orc_path_join(data, "orc/orcd.lock") : NULL;
    _cleanup_free_ char *text = NULL;
    if (!lock || orc_read_file(lock, 8192, &text, NULL, NULL) < 0)
        return NULL;
    char *nl = strchr(text, '\n');
    if (!nl)
        return NULL;
    *nl = '\0';
    char *socket = nl + 1;
    socket[strcspn(socket, "\n")] = '\0';
    long pid = strtol(text, NULL, 10);
    if (pid <= 0 || kill((pid_t) pid, 0) < 0 || *socket != '/' || !strcmp(socket, c->socket) ||
        access(socket, F_OK) < 0)
        return NULL;
    return xstrdup(socket);
}

static int transport_error(struct client *c, CURLcode rc, orc_error_t *err)
{
    if (c->refused) {
        *err = TAKE_PTR(c->refused);
        return orc_error_code(*err);
    }
    bool missing = access(c->socket, F_OK) < 0;
    if (rc == CURLE_COULDNT_CONNECT || missing) {
        _cleanup_free_ char *other = agent_elsewhere(c);
        if (other)
            return orc_error_make(err, 0,
                                  "cannot connect to orcd at %s, but your agent listens at %s "
                                  "(it was started with another XDG_RUNTIME_DIR%s): use "
                                  "'orc --socket %s', or set XDG_RUNTIME_DIR as the agent has it",
                                  c->socket, other,
                                  getenv("XDG_RUNTIME_DIR") ? "" : ", and it is unset here", other);
        /* systemd's own test for a machine booted with it: sd_booted(3) */
        bool systemd = access("/run/systemd/system", F_OK) == 0;
        return orc_error_make(err, missing ? ENOENT : ECONNREFUSED,
                              "cannot connect to orcd at %s: is the agent running? Start it with "
                              "'orcd'%s",
                              c->socket, systemd ? " or 'systemctl --user start orcd'" : "");
    }
    return orc_error_make(err, EIO, "talking to orcd at %s: %s", c->socket, curl_easy_strerror(rc));
}

int client_do(struct client *c, const char *method, const char *path, const char *body,
              size_t body_len, struct reply *ret, orc_error_t *err)
{
    memset(ret, 0, sizeof(*ret));
    CURL *h = prepare(c, method, path);
    struct curl_slist *hdrs = NULL;
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) body_len);
        hdrs = curl_slist_append(hdrs, "Content-Type: application/yaml");
        hdrs = curl_slist_append(hdrs, "Expect:");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, ret);
    struct spinner sp = {.label = c->progress, .start = orc_time_mono_ns()};
    if (c->progress && isatty(STDERR_FILENO)) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, spin);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &sp);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    CURLcode rc = curl_easy_perform(h);
    if (sp.shown)
        fputs("\r\033[K", stderr);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &ret->code);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        reply_done(ret);
        return transport_error(c, rc, err);
    }
    if (!ret->body)
        ret->body = xstrdup("");
    return 0;
}

struct stream_state {
    long code;
    CURL *h;
    struct reply *err_body;
};

static size_t stream_out(char *data, size_t size, size_t n, void *cls)
{
    struct stream_state *s = cls;
    if (!s->code)
        curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->code);
    if (s->code >= 300)
        return collect(data, size, n, s->err_body);
    size_t len = size * n;
    if (fwrite(data, 1, len, stdout) != len)
        return 0;
    fflush(stdout);
    return len;
}

int client_stream(struct client *c, const char *path, long *ret_code, struct reply *ret_err_body,
                  orc_error_t *err)
{
    memset(ret_err_body, 0, sizeof(*ret_err_body));
    CURL *h = prepare(c, "GET", path);
    struct stream_state s = {.h = h, .err_body = ret_err_body};
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_out);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &s.code);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK)
        return transport_error(c, rc, err);
    *ret_code = s.code;
    return 0;
}

struct lines_state {
    long code;
    CURL *h;
    struct reply *err_body;
    char *buf;
    size_t len;
    void (*on_line)(void *arg, const char *line);
    void *arg;
};

static size_t lines_out(char *data, size_t size, size_t n, void *cls)
{
    struct lines_state *s = cls;
    size_t len = size * n;
    if (!s->code)
        curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->code);
    if (s->code >= 300)
        return collect(data, size, n, s->err_body);
    s->buf = xrealloc(s->buf, s->len + len + 1);
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    s->buf[s->len] = '\0';
    char *start = s->buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = '\0';
        s->on_line(s->arg, start);
        start = nl + 1;
    }
    s->len -= (size_t) (start - s->buf);
    memmove(s->buf, start, s->len + 1);
    return len;
}

/* GET (body NULL) or POST body, each line of a 2xx answer to on_line as it arrives. */
static int request_lines(struct client *c, const char *path, const char *body,
                         void (*on_line)(void *arg, const char *line), void *arg, long *ret_code,
                         struct reply *ret_err_body, orc_error_t *err)
{
    memset(ret_err_body, 0, sizeof(*ret_err_body));
    CURL *h = prepare(c, body ? "POST" : "GET", path);
    struct curl_slist *hdrs = NULL;
    if (body) {
        hdrs = curl_slist_append(NULL, "Content-Type: application/json");
        hdrs = curl_slist_append(hdrs, "Expect:");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    }
    struct lines_state s = {.h = h, .err_body = ret_err_body, .on_line = on_line, .arg = arg};
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, lines_out);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &s.code);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    free(s.buf);
    if (rc != CURLE_OK)
        return transport_error(c, rc, err);
    *ret_code = s.code;
    return 0;
}

int client_post_lines(struct client *c, const char *path, const char *body,
                      void (*on_line)(void *arg, const char *line), void *arg, long *ret_code,
                      struct reply *ret_err_body, orc_error_t *err)
{
    return request_lines(c, path, body, on_line, arg, ret_code, ret_err_body, err);
}

int client_get_lines(struct client *c, const char *path,
                     void (*on_line)(void *arg, const char *line), void *arg, long *ret_code,
                     struct reply *ret_err_body, orc_error_t *err)
{
    return request_lines(c, path, NULL, on_line, arg, ret_code, ret_err_body, err);
}

void reply_done(struct reply *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

json_t *reply_json(const struct reply *r)
{
    return r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
}

void print_server_error(const struct reply *r)
{
    json_auto_t *j = reply_json(r);
    const char *reason = orc_json_str(j, "reason"), *msg = orc_json_str(j, "message");
    if (!msg) {
        fprintf(stderr, "Error from server: HTTP %ld: %s\n", r->code, r->body ? r->body : "");
        return;
    }
    fprintf(stderr, "Error from server (%s): %s\n", reason ? reason : "Unknown", msg);
    json_t *causes = json_object_get(json_object_get(j, "details"), "causes");
    size_t i;
    json_t *cause;
    json_array_foreach(causes, i, cause) {
        const char *m = orc_json_str(cause, "message");
        if (m && strcmp(m, msg))
            fprintf(stderr, "%s\n", m);
    }
}

char *client_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *r = xstrdup(e);
    curl_free(e);
    return r;
}

int client_call(struct client *c, const char *method, const char *path, const char *body,
                size_t body_len, json_t **ret)
{
    struct reply rep;
    orc_error_t err = NULL;
    if (client_do(c, method, path, body, body_len, &rep, &err) < 0) {
        fprintf(stderr, "error: %s\n", orc_error_message(err));
        orc_error_release(&err);
        return 1;
    }
    json_t *j = rep.code >= 200 && rep.code < 300 ? reply_json(&rep) : NULL;
    if (!j)
        print_server_error(&rep);
    reply_done(&rep);
    *ret = j;
    return j ? 0 : 1;
}
