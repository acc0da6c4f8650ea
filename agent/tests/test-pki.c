/* SPDX-License-Identifier: Apache-2.0 */
/* The API's certificates: issued, verified against their CA (and not against another),
 * renewed when near expiry, expired, mismatched or unlike their spec; on disk: private modes,
 * kept across starts, keys that others could read refused. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-util.h"
#include "log.h"
#include "sys/pki-store.h"
#include "sys/pki.h"
#include "tap.h"
#include "xalloc.h"

static char root[] = "/tmp/orc-test-pki-XXXXXX";

static bool verifies(const char *ca, const char *cert, enum pki_usage usage, const char *want)
{
    orc_error_t err = NULL;
    int r = pki_verify(ca, cert, usage, &err);
    bool ok = want ? r < 0 && strstr(orc_error_message(err), want) : r == 0;
    if (!ok)
        printf("#   verify: %s\n", r < 0 ? orc_error_message(err) : "ok");
    orc_error_release(&err);
    return ok;
}

static bool issued(const struct pki_pair *ca, const struct pki_leaf_spec *spec, int64_t now,
                   struct pki_pair *ret)
{
    orc_error_t err = NULL;
    if (pki_issue(ca, spec, now, ret, &err) == 0)
        return true;
    printf("#   issue: %s\n", orc_error_message(err));
    orc_error_release(&err);
    return false;
}

/* check's reason contains want (NULL: no reason, the certificate serves). */
static bool reason_is(char *why, const char *want)
{
    _cleanup_free_ char *w = why;
    bool ok = want ? w && strstr(w, want) : !w;
    if (!ok)
        printf("#   reason: %s\n", w ? w : "(none)");
    return ok;
}

static void test_issue_and_verify(int64_t now)
{
    struct pki_pair ca = {0}, other_ca = {0}, server = {0}, client = {0};
    orc_error_t err = NULL;
    tap_ok(pki_issue_ca("orc-ca@test", now, &ca, &err) == 0, "a CA is issued");
    tap_ok(pki_issue_ca("orc-ca@test", now, &other_ca, &err) == 0, "and another one");
    tap_ok(strstr(ca.cert, "BEGIN CERTIFICATE") && strstr(ca.key, "BEGIN PRIVATE KEY"),
           "PEM certificate and PKCS#8 key");
    struct pki_leaf_spec s = pki_store_server_spec(), c = pki_store_client_spec("alice");
    tap_ok(issued(&ca, &s, now, &server) && issued(&ca, &c, now, &client),
           "a server and a client certificate are issued");
    tap_ok(verifies(ca.cert, server.cert, PKI_USAGE_SERVER, NULL), "the server's verifies");
    tap_ok(verifies(ca.cert, client.cert, PKI_USAGE_CLIENT, NULL), "the client's verifies");
    tap_ok(verifies(other_ca.cert, client.cert, PKI_USAGE_CLIENT, "issuer is unknown"),
           "not against another CA");
    tap_ok(verifies(ca.cert, server.cert, PKI_USAGE_CLIENT, "purpose"),
           "the server's certificate is no client certificate");
    tap_ok(verifies(ca.cert, client.cert, PKI_USAGE_SERVER, "purpose"), "nor the reverse");
    tap_ok(verifies(ca.cert, ca.cert, PKI_USAGE_CLIENT, "is a CA"), "the CA is no client either");

    tap_ok(reason_is(pki_check_ca(&ca, now), NULL), "the CA serves");
    tap_ok(reason_is(pki_check_leaf(&ca, &server, &s, now), NULL), "the server's serves");
    tap_ok(reason_is(pki_check_leaf(&ca, &client, &c, now), NULL), "the client's serves");
    tap_ok(reason_is(pki_check_leaf(&other_ca, &client, &c, now), "the CA did not sign it"),
           "a new CA: issued again");
    struct pki_leaf_spec bob = pki_store_client_spec("bob");
    tap_ok(reason_is(pki_check_leaf(&ca, &client, &bob, now), "common name is 'alice'"),
           "another user name: issued again");
    tap_ok(reason_is(pki_check_leaf(&ca, &client, &s, now), "not a server certificate"),
           "another usage: issued again");
    const char *const more_ips[] = {"127.0.0.1", "127.0.0.2", NULL};
    struct pki_leaf_spec s2 = s;
    s2.ip_addresses = more_ips;
    tap_ok(reason_is(pki_check_leaf(&ca, &server, &s2, now), "address 127.0.0.2"),
           "a missing address: issued again");
    const char *const names[] = {"localhost", "orc.local", NULL};
    s2 = s;
    s2.dns_names = names;
    tap_ok(reason_is(pki_check_leaf(&ca, &server, &s2, now), "name 'orc.local'"),
           "a missing name: issued again");
    struct pki_pair swapped = {server.cert, client.key};
    tap_ok(reason_is(pki_check_leaf(&ca, &swapped, &s, now), "key is not the certificate's"),
           "a key of another certificate: issued again");
    struct pki_pair garbage = {"not a certificate", server.key};
    tap_ok(reason_is(pki_check_leaf(&ca, &garbage, &s, now), "does not parse"),
           "a certificate that does not parse: issued again");
    tap_ok(reason_is(pki_check_ca(&server, now), "not a CA's"), "a leaf is no CA");
    pki_pair_done(&ca), pki_pair_done(&other_ca), pki_pair_done(&server), pki_pair_done(&client);
}

static void test_lifetimes(int64_t now)
{
    struct pki_pair ca = {0}, old_ca = {0}, leaf = {0}, expired = {0};
    orc_error_t err = NULL;
    struct pki_leaf_spec s = pki_store_server_spec();
    tap_ok(pki_issue_ca("orc-ca@test", now, &ca, &err) == 0 && issued(&ca, &s, now, &leaf),
           "a CA and a leaf");
    int64_t day = PKI_DAY;
    tap_ok(reason_is(pki_check_leaf(&ca, &leaf, &s, now + 334 * day), NULL),
           "31 days before the leaf expires it serves");
    tap_ok(reason_is(pki_check_leaf(&ca, &leaf, &s, now + 336 * day), "expires in 29 days"),
           "29 days before: issued again");
    tap_ok(reason_is(pki_check_leaf(&ca, &leaf, &s, now + 366 * day), "has expired"),
           "after a year: expired");
    tap_ok(reason_is(pki_check_leaf(&ca, &leaf, &s, now - 3600), "not valid yet"),
           "before it was issued: not valid yet");
    tap_ok(reason_is(pki_check_ca(&ca, now + 3600 * day), NULL), "the CA serves for 10 years");
    tap_ok(reason_is(pki_check_ca(&ca, now + 3640 * day), "expires in"),
           "less than 30 days before its end: made anew");
    /* issued a year and a day ago: expired by the real clock, which TLS goes by */
    tap_ok(pki_issue_ca("orc-ca@test", now - 400 * day, &old_ca, &err) == 0 &&
               issued(&old_ca, &s, now - 366 * day, &expired),
           "a leaf issued a year and a day ago");
    tap_ok(verifies(old_ca.cert, expired.cert, PKI_USAGE_SERVER, "expired"),
           "does not verify: expired");
    tap_ok(reason_is(pki_check_leaf(&old_ca, &expired, &s, now), "has expired"),
           "and is issued again");
    pki_pair_done(&ca), pki_pair_done(&old_ca), pki_pair_done(&leaf), pki_pair_done(&expired);
}

static char *slurp(const char *dir, const char *name)
{
    _cleanup_free_ char *path = orc_path_join(dir, name);
    char *text = NULL;
    orc_error_t err = NULL;
    if (orc_read_file(path, 1 << 16, &text, NULL, &err) < 0)
        orc_error_release(&err);
    return text;
}

static mode_t mode_of(const char *dir, const char *name)
{
    _cleanup_free_ char *path = orc_path_join(dir, name);
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t) -1;
}

static bool load(const char *dir, const char *user, int64_t now, struct pki_store *s,
                 const char *want_error)
{
    orc_error_t err = NULL;
    int r = pki_store_load(dir, user, now, s, &err);
    bool ok = want_error ? r < 0 && strstr(orc_error_message(err), want_error) : r == 0;
    if (!ok)
        printf("#   load: %s\n", r < 0 ? orc_error_message(err) : "ok");
    orc_error_release(&err);
    return ok;
}

static void test_store(int64_t now)
{
    _cleanup_free_ char *config = orc_path_join(root, "config");
    _cleanup_free_ char *pki = orc_path_join(config, "pki");
    mkdir(config, 0700);
    struct pki_store s = {0}, again = {0};
    tap_ok(load(config, "alice", now, &s, NULL), "first start: everything is made");
    tap_is_int(mode_of(config, "pki"), 0700, "pki/ is 0700");
    const char *files[] = {"ca.crt",        "ca.key",     "apiserver.crt",
                           "apiserver.key", "client.crt", "client.key"};
    bool modes = true;
    for (size_t i = 0; i < ELEMENTSOF(files); i++)
        modes = modes && mode_of(pki, files[i]) == 0600;
    tap_ok(modes, "every certificate and key is 0600");
    tap_is_int(mode_of(config, "token"), 0600, "the token is 0600");
    tap_is_int(strlen(s.token), 64, "the token is 64 hex digits");
    _cleanup_free_ char *token_file = slurp(config, "token");
    tap_ok(token_file && !strncmp(token_file, s.token, 64), "and is what the file says");
    tap_ok(verifies(s.ca.cert, s.server.cert, PKI_USAGE_SERVER, NULL) &&
               verifies(s.ca.cert, s.client.cert, PKI_USAGE_CLIENT, NULL),
           "the chain verifies");

    tap_ok(load(config, "alice", now + PKI_DAY, &again, NULL), "second start");
    tap_ok(!strcmp(again.ca.cert, s.ca.cert) && !strcmp(again.server.cert, s.server.cert) &&
               !strcmp(again.client.key, s.client.key) && !strcmp(again.token, s.token),
           "the same CA, certificates, keys and token");
    pki_store_done(&again);

    tap_ok(load(config, "bob", now, &again, NULL), "another user name");
    tap_ok(!strcmp(again.server.cert, s.server.cert) && strcmp(again.client.cert, s.client.cert),
           "only the client certificate is issued again");
    pki_store_done(&again);

    tap_ok(load(config, "alice", now + 340 * PKI_DAY, &again, NULL), "start 25 days before expiry");
    tap_ok(!strcmp(again.ca.cert, s.ca.cert) && strcmp(again.server.cert, s.server.cert) &&
               strcmp(again.client.cert, s.client.cert),
           "the leaves are issued again, under the same CA");
    struct pki_leaf_spec alice = pki_store_client_spec("alice");
    tap_ok(reason_is(pki_check_leaf(&s.ca, &again.client, &alice, now + 340 * PKI_DAY), NULL),
           "and serve then");
    _cleanup_free_ char *on_disk = slurp(pki, "client.crt");
    tap_ok(on_disk && !strcmp(on_disk, again.client.cert), "the new one is on disk");
    pki_store_done(&again);

    _cleanup_free_ char *ca_key = orc_path_join(pki, "ca.key");
    chmod(ca_key, 0640);
    tap_ok(load(config, "bob", now, &again, "refusing '") &&
               load(config, "bob", now, &again, "/pki/ca.key': its mode is 0640, not 0600"),
           "a key others could read is refused");
    chmod(ca_key, 0600);
    _cleanup_free_ char *token = orc_path_join(config, "token");
    chmod(token, 0644);
    tap_ok(load(config, "bob", now, &again, "token': its mode is 0644"),
           "so is a token others could read");
    chmod(token, 0600);
    chmod(pki, 0755);
    tap_ok(load(config, "bob", now, &again, "its mode is 0755, not 0700"),
           "a pki/ directory open to others is refused");
    chmod(pki, 0700);

    _cleanup_free_ char *ca_crt = orc_path_join(pki, "ca.crt");
    (void) unlink(ca_crt);
    tap_ok(load(config, "bob", now, &again, NULL), "a CA certificate gone: made anew");
    tap_ok(strcmp(again.ca.cert, s.ca.cert) &&
               verifies(again.ca.cert, again.server.cert, PKI_USAGE_SERVER, NULL) &&
               verifies(again.ca.cert, again.client.cert, PKI_USAGE_CLIENT, NULL) &&
               !verifies(again.ca.cert, s.client.cert, PKI_USAGE_CLIENT, NULL),
           "with new leaves; the old client certificate no longer verifies");
    pki_store_done(&again);
    pki_store_done(&s);
}

int main(void)
{
    log_setup("test-pki", LOG_LEVEL_ERROR, LOG_FORMAT_TEXT);
    if (!mkdtemp(root))
        return 1;
    int64_t now = time(NULL);
    test_issue_and_verify(now);
    test_lifetimes(now);
    test_store(now);
    orc_error_t err = NULL;
    if (orc_rm_rf(root, &err) < 0)
        orc_error_release(&err);
    return tap_done();
}
