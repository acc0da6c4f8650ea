/* SPDX-License-Identifier: Apache-2.0 */
/* The API on loopback TCP with TLS, for kubectl: its socket, certificates, the credential
 * every request must carry, and the kubeconfig that reaches it (ARCHITECTURE.md). */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/internal.h"
#include "cleanup.h"
#include "log.h"
#include "orcd.h"
#include "sys/pki-store.h"
#include "sys/tcp-listen.h"
#include "xalloc.h"

/* TLS 1.2 and 1.3 only, AEAD ciphers only, the server's preference (an ECDSA certificate:
 * no RSA key exchange can be agreed). */
#define TLS_PRIORITIES                                                                             \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:"            \
    "+CHACHA20-POLY1305:-MAC-ALL:+AEAD:%SERVER_PRECEDENCE"

struct api_tls {
    int fd; /* listening until the HTTP server takes it */
    uint16_t port;
    struct pki_store pki;
    struct MHD_OptionItem options[5];
};

uint16_t api_tls_default_port(uid_t uid)
{
    return (uint16_t) (API_TLS_PORT_BASE + uid % API_TLS_PORT_BASE);
}

static char *user_name(void)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &found) == 0 && found)
        return xstrdup(found->pw_name);
    return xasprintf("uid-%u", (unsigned) geteuid());
}

int api_tls_open(struct orcd *o, struct api_tls **ret, orc_error_t *err)
{
    *ret = NULL;
    if (o->config.secure_port == 0) {
        log_info("no TCP listener (--secure-port 0): the API is on the unix socket only");
        return 0;
    }
    _cleanup_close_ int fd = tcp_listen_loopback(o->config.secure_port, "--secure-port", err);
    if (fd < 0)
        return -1;
    _cleanup_free_ char *user = user_name();
    struct api_tls *t = xzalloc(sizeof(*t));
    if (pki_store_load(o->paths.config_dir, user, time(NULL), &t->pki, err) < 0) {
        free(t);
        return orc_error_wrap(err, "the API's certificates");
    }
    t->fd = TAKE_FD(fd);
    t->port = o->config.secure_port;
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_HTTPS_MEM_KEY, 0, t->pki.server.key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, t->pki.server.cert},
        /* the CA: client certificates are requested (not required: a token will do too) */
        {MHD_OPTION_HTTPS_MEM_TRUST, 0, t->pki.ca.cert},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *) TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    memcpy(t->options, options, sizeof(options));
    *ret = t;
    return 0;
}

struct api_tls *api_tls_free(struct api_tls *t)
{
    if (!t)
        return NULL;
    safe_close(t->fd);
    pki_store_done(&t->pki);
    free(t);
    return NULL;
}

int api_tls_take_fd(struct api_tls *t)
{
    return TAKE_FD(t->fd);
}

const struct MHD_OptionItem *api_tls_options(const struct api_tls *t)
{
    return t->options;
}

uint16_t api_tls_port(const struct api_tls *t)
{
    return t->port;
}

/* Compares in time that depends only on the secret's length. */
static bool token_equal(const char *given, size_t given_len, const char *secret)
{
    size_t len = strlen(secret);
    unsigned char diff = given_len != len;
    for (size_t i = 0; i < len; i++)
        diff |= (unsigned char) secret[i] ^ (unsigned char) (i < given_len ? given[i] : 0);
    return diff == 0;
}

static bool bearer_ok(const struct api_tls *t, struct MHD_Connection *conn, const char **why)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (!auth)
        return false;
    if (strncasecmp(auth, "Bearer ", 7)) {
        *why = "an Authorization header that is no bearer token";
        return false;
    }
    const char *token = auth + 7 + strspn(auth + 7, " ");
    size_t len = strlen(token);
    while (len > 0 && token[len - 1] == ' ')
        len--;
    if (token_equal(token, len, t->pki.token))
        return true;
    *why = "a wrong bearer token";
    return false;
}

static bool certificate_ok(const struct api_tls *t, struct MHD_Connection *conn, const char **why)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return false;
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(ci->tls_session, &n);
    if (!certs || n == 0)
        return false;
    orc_error_t err = NULL;
    if (pki_verify_der(t->pki.ca.cert, certs[0].data, certs[0].size, PKI_USAGE_CLIENT, &err) == 0)
        return true;
    log_debug("API on 127.0.0.1:%u: a client certificate refused: %s", t->port,
              orc_error_message(err));
    orc_error_release(&err);
    *why = "a client certificate orc's CA did not issue for clients";
    return false;
}

bool api_tls_authenticated(struct request *r, const char *url)
{
    const struct api_tls *t = r->o->tls;
    const char *why = "no credential";
    if (t && (certificate_ok(t, r->conn, &why) || bearer_ok(t, r->conn, &why)))
        return true;
    log_debug("API on 127.0.0.1:%u: %s %s refused (401): %s", t ? t->port : 0, r->method, url, why);
    return false;
}

enum MHD_Result api_reply_unauthorized(struct request *r)
{
    return api_reply_status(r, 401, "Unauthorized", "Unauthorized", NULL);
}

static char *base64(const char *text)
{
    size_t len = strlen(text);
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *) out, (const unsigned char *) text, (int) len);
    return out;
}

/* GET /apis/orc.dev/v1/kubeconfig, on the unix socket only: a kubeconfig whose cluster,
 * user and context are named "orc" (orc kubeconfig merges it into the user's). */
enum MHD_Result api_kubeconfig(struct request *r)
{
    const struct api_tls *t = r->o->tls;
    if (r->tcp)
        return api_reply_status(r, 404, "NotFound",
                                "the server could not find the requested resource", NULL);
    if (!t)
        return api_reply_status(r, 404, "NotFound",
                                "orcd serves no TCP port (it was started with --secure-port 0): "
                                "kubectl cannot reach it",
                                NULL);
    _cleanup_free_ char *server = xasprintf("https://127.0.0.1:%u", t->port);
    _cleanup_free_ char *ca = base64(t->pki.ca.cert), *cert = base64(t->pki.client.cert);
    _cleanup_free_ char *key = base64(t->pki.client.key);
    json_t *config = json_pack(
        "{s:s,s:s,s:[{s:s,s:{s:s,s:s}}],s:[{s:s,s:{s:s,s:s}}],s:[{s:s,s:{s:s,s:s}}],s:s,s:{}}",
        "apiVersion", "v1", "kind", "Config", "clusters", "name", "orc", "cluster", "server",
        server, "certificate-authority-data", ca, "users", "name", "orc", "user",
        "client-certificate-data", cert, "client-key-data", key, "contexts", "name", "orc",
        "context", "cluster", "orc", "user", "orc", "current-context", "orc", "preferences");
    memset(key, 0, strlen(key));
    return api_reply_json(r, 200, config);
}
