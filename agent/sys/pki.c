/* SPDX-License-Identifier: Apache-2.0 */
/* The API's certificates with GnuTLS's x509 API: issue, check for renewal, verify. */
#include "sys/pki.h"

#include <arpa/inet.h>
#include <assert.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

#define CLOCK_SKEW 300 /* certificates are valid from 5 minutes before they were made */

DEFINE_TRIVIAL_CLEANUP_FUNC(gnutls_x509_crt_t, gnutls_x509_crt_deinit)
DEFINE_TRIVIAL_CLEANUP_FUNC(gnutls_x509_privkey_t, gnutls_x509_privkey_deinit)
DEFINE_TRIVIAL_CLEANUP_FUNC(gnutls_privkey_t, gnutls_privkey_deinit)

static const char *const usage_oid[_PKI_USAGE_MAX] = {
    [PKI_USAGE_SERVER] = GNUTLS_KP_TLS_WWW_SERVER,
    [PKI_USAGE_CLIENT] = GNUTLS_KP_TLS_WWW_CLIENT,
};

void pki_pair_done(struct pki_pair *p)
{
    if (!p)
        return;
    free(p->cert);
    if (p->key)
        gnutls_memset(p->key, 0, strlen(p->key));
    free(p->key);
    p->cert = p->key = NULL;
}

static int tls_error(orc_error_t *err, int rc, const char *what)
{
    return orc_error_make(err, rc == GNUTLS_E_MEMORY_ERROR ? ENOMEM : 0, "%s: %s", what,
                          gnutls_strerror(rc));
}

static gnutls_datum_t datum_of(const char *text)
{
    return (gnutls_datum_t){.data = (unsigned char *) text, .size = (unsigned) strlen(text)};
}

/* A datum GnuTLS allocated, as a C string of ours. */
static char *take_datum(gnutls_datum_t *d)
{
    char *s = xstrndup((const char *) d->data, d->size);
    gnutls_memset(d->data, 0, d->size);
    gnutls_free(d->data);
    d->data = NULL;
    return s;
}

static int import_cert(const char *pem, gnutls_x509_crt_t *ret)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = datum_of(pem ? pem : "");
    int rc = gnutls_x509_crt_init(&crt);
    if (rc == 0)
        rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
    if (rc < 0) {
        if (crt)
            gnutls_x509_crt_deinit(crt);
        return rc;
    }
    *ret = crt;
    return 0;
}

static int import_key(const char *pem, gnutls_x509_privkey_t *ret)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_datum_t d = datum_of(pem ? pem : "");
    int rc = gnutls_x509_privkey_init(&key);
    if (rc == 0)
        rc = gnutls_x509_privkey_import2(key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rc < 0) {
        if (key)
            gnutls_x509_privkey_deinit(key);
        return rc;
    }
    *ret = key;
    return 0;
}

static int export_pair(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, struct pki_pair *ret,
                       orc_error_t *err)
{
    gnutls_datum_t c = {0}, k = {0};
    int rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &c);
    if (rc < 0)
        return tls_error(err, rc, "export a certificate");
    rc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &k);
    if (rc < 0) {
        gnutls_free(c.data);
        return tls_error(err, rc, "export a private key");
    }
    ret->cert = take_datum(&c);
    ret->key = take_datum(&k);
    return 0;
}

/* A certificate for a new ECDSA P-256 key: version 3, a random serial, the validity and the
 * subject; the rest is the caller's. */
static int new_cert(const char *cn, const char *org, int64_t now, int64_t lifetime,
                    gnutls_x509_crt_t *ret_crt, gnutls_x509_privkey_t *ret_key, orc_error_t *err)
{
    _cleanup_(gnutls_x509_privkey_deinitp) gnutls_x509_privkey_t key = NULL;
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t crt = NULL;
    unsigned char serial[16], id[64];
    size_t id_len = sizeof(id);
    int rc = gnutls_x509_privkey_init(&key);
    if (rc == 0)
        rc = gnutls_x509_privkey_generate2(
            key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0);
    if (rc < 0)
        return tls_error(err, rc, "generate an ECDSA P-256 key");
    rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
    serial[0] = (serial[0] & 0x7f) | 0x40; /* positive, and all 16 bytes count */
    if (rc == 0)
        rc = gnutls_x509_crt_init(&crt);
    if (rc == 0)
        rc = gnutls_x509_crt_set_version(crt, 3);
    if (rc == 0)
        rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    if (rc == 0)
        rc = gnutls_x509_crt_set_activation_time(crt, (time_t) (now - CLOCK_SKEW));
    if (rc == 0)
        rc = gnutls_x509_crt_set_expiration_time(crt, (time_t) (now + lifetime));
    if (rc == 0)
        rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
                                           (unsigned) strlen(cn));
    if (rc == 0 && org)
        rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, org,
                                           (unsigned) strlen(org));
    if (rc == 0)
        rc = gnutls_x509_crt_set_key(crt, key);
    if (rc == 0)
        rc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id, &id_len);
    if (rc == 0)
        rc = gnutls_x509_crt_set_subject_key_id(crt, id, id_len);
    if (rc < 0)
        return tls_error(err, rc, "make a certificate");
    *ret_crt = TAKE_PTR(crt);
    *ret_key = TAKE_PTR(key);
    return 0;
}

static int sign(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer, gnutls_x509_privkey_t issuer_key,
                orc_error_t *err)
{
    _cleanup_(gnutls_privkey_deinitp) gnutls_privkey_t pk = NULL;
    int rc = gnutls_privkey_init(&pk);
    if (rc == 0)
        rc = gnutls_privkey_import_x509(pk, issuer_key, 0);
    if (rc == 0)
        rc = gnutls_x509_crt_privkey_sign(crt, issuer, pk, GNUTLS_DIG_SHA256, 0);
    return rc < 0 ? tls_error(err, rc, "sign a certificate") : 0;
}

int pki_issue_ca(const char *common_name, int64_t now, struct pki_pair *ret, orc_error_t *err)
{
    _cleanup_(gnutls_x509_privkey_deinitp) gnutls_x509_privkey_t key = NULL;
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t crt = NULL;
    if (new_cert(common_name, "orc", now, PKI_CA_LIFETIME, &crt, &key, err) < 0)
        return -1;
    int rc = gnutls_x509_crt_set_basic_constraints(crt, 1, 0);
    if (rc == 0)
        rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN |
                                                    GNUTLS_KEY_DIGITAL_SIGNATURE);
    if (rc < 0)
        return tls_error(err, rc, "make the CA certificate");
    if (sign(crt, crt, key, err) < 0)
        return -1;
    return export_pair(crt, key, ret, err);
}

static int add_names(gnutls_x509_crt_t crt, const struct pki_leaf_spec *spec, orc_error_t *err)
{
    int rc = 0;
    for (const char *const *d = spec->dns_names; rc == 0 && d && *d; d++)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, *d,
                                                  (unsigned) strlen(*d), GNUTLS_FSAN_APPEND);
    for (const char *const *a = spec->ip_addresses; rc == 0 && a && *a; a++) {
        struct in_addr in;
        if (inet_pton(AF_INET, *a, &in) != 1)
            return orc_error_make(err, EINVAL, "'%s' is not an IPv4 address", *a);
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, &in, sizeof(in),
                                                  GNUTLS_FSAN_APPEND);
    }
    return rc < 0 ? tls_error(err, rc, "add subject alternative names") : 0;
}

int pki_issue(const struct pki_pair *ca, const struct pki_leaf_spec *spec, int64_t now,
              struct pki_pair *ret, orc_error_t *err)
{
    _cleanup_(gnutls_x509_privkey_deinitp) gnutls_x509_privkey_t ca_key = NULL, key = NULL;
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t ca_crt = NULL, crt = NULL;
    assert(spec->usage >= 0 && spec->usage < _PKI_USAGE_MAX);
    int rc = import_cert(ca->cert, &ca_crt);
    if (rc == 0)
        rc = import_key(ca->key, &ca_key);
    if (rc < 0)
        return tls_error(err, rc, "read the CA");
    if (new_cert(spec->common_name, spec->organization, now, PKI_LEAF_LIFETIME, &crt, &key, err) <
        0)
        return -1;
    unsigned char id[64];
    size_t id_len = sizeof(id);
    rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    if (rc == 0)
        rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    if (rc == 0)
        rc = gnutls_x509_crt_set_key_purpose_oid(crt, usage_oid[spec->usage], 0);
    if (rc == 0)
        rc = gnutls_x509_crt_get_subject_key_id(ca_crt, id, &id_len, NULL);
    if (rc == 0)
        rc = gnutls_x509_crt_set_authority_key_id(crt, id, id_len);
    if (rc < 0)
        return tls_error(err, rc, "make a certificate");
    if (add_names(crt, spec, err) < 0 || sign(crt, ca_crt, ca_key, err) < 0)
        return -1;
    return export_pair(crt, key, ret, err);
}

/* Whether key is the private key of crt's public key. */
static bool key_matches(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key)
{
    unsigned char a[64], b[64];
    size_t na = sizeof(a), nb = sizeof(b);
    return gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a, &na) == 0 &&
           gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, b, &nb) == 0 && na == nb &&
           memcmp(a, b, na) == 0;
}

/* Reads a pair and checks what every certificate needs: the key is its own, it is valid now
 * and for PKI_RENEW_BEFORE more. */
static char *check_pair(const struct pki_pair *p, int64_t now, gnutls_x509_crt_t *ret_crt)
{
    _cleanup_(gnutls_x509_privkey_deinitp) gnutls_x509_privkey_t key = NULL;
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t crt = NULL;
    int rc = import_cert(p->cert, &crt);
    if (rc < 0)
        return xasprintf("the certificate does not parse (%s)", gnutls_strerror(rc));
    rc = import_key(p->key, &key);
    if (rc < 0)
        return xasprintf("the key does not parse (%s)", gnutls_strerror(rc));
    if (!key_matches(crt, key))
        return xstrdup("the key is not the certificate's");
    int64_t from = gnutls_x509_crt_get_activation_time(crt);
    int64_t until = gnutls_x509_crt_get_expiration_time(crt);
    if (from == -1 || until == -1)
        return xstrdup("the certificate has no validity period");
    if (from > now)
        return xstrdup("the certificate is not valid yet (the clock went back?)");
    if (until <= now)
        return xstrdup("the certificate has expired");
    if (until - now < PKI_RENEW_BEFORE)
        return xasprintf("the certificate expires in %lld days",
                         (long long) ((until - now) / PKI_DAY));
    *ret_crt = TAKE_PTR(crt);
    return NULL;
}

char *pki_check_ca(const struct pki_pair *ca, int64_t now)
{
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t crt = NULL;
    char *why = check_pair(ca, now, &crt);
    if (why)
        return why;
    unsigned ca_flag = 0;
    unsigned usage = 0;
    if (gnutls_x509_crt_get_basic_constraints(crt, NULL, &ca_flag, NULL) < 0 || !ca_flag ||
        gnutls_x509_crt_get_key_usage(crt, &usage, NULL) < 0 || !(usage & GNUTLS_KEY_KEY_CERT_SIGN))
        return xstrdup("the certificate is not a CA's");
    unsigned status = 0;
    if (gnutls_x509_crt_verify(crt, &crt, 1, GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status) < 0 ||
        status)
        return xstrdup("the CA certificate's signature does not verify");
    return NULL;
}

static bool has_purpose(gnutls_x509_crt_t crt, const char *oid)
{
    for (unsigned i = 0;; i++) {
        char buf[128];
        size_t len = sizeof(buf);
        if (gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &len, NULL) < 0)
            return false;
        if (!strcmp(buf, oid))
            return true;
    }
}

/* The first value of a subject attribute, or "" . */
static void subject_attr(gnutls_x509_crt_t crt, const char *oid, char *buf, size_t size)
{
    if (gnutls_x509_crt_get_dn_by_oid(crt, oid, 0, 0, buf, &size) < 0)
        buf[0] = '\0';
}

static char *check_names(gnutls_x509_crt_t crt, const struct pki_leaf_spec *spec)
{
    char cn[256], org[256];
    subject_attr(crt, GNUTLS_OID_X520_COMMON_NAME, cn, sizeof(cn));
    subject_attr(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, org, sizeof(org));
    if (strcmp(cn, spec->common_name))
        return xasprintf("its common name is '%s', not '%s'", cn, spec->common_name);
    if (strcmp(org, spec->organization ? spec->organization : ""))
        return xasprintf("its organization is '%s', not '%s'", org,
                         spec->organization ? spec->organization : "");
    for (const char *const *d = spec->dns_names; d && *d; d++)
        if (!gnutls_x509_crt_check_hostname2(crt, *d, GNUTLS_VERIFY_DO_NOT_ALLOW_WILDCARDS))
            return xasprintf("it is not for the name '%s'", *d);
    for (const char *const *a = spec->ip_addresses; a && *a; a++) {
        struct in_addr in;
        if (inet_pton(AF_INET, *a, &in) != 1 ||
            !gnutls_x509_crt_check_ip(crt, (const unsigned char *) &in, sizeof(in), 0))
            return xasprintf("it is not for the address %s", *a);
    }
    return NULL;
}

char *pki_check_leaf(const struct pki_pair *ca, const struct pki_pair *leaf,
                     const struct pki_leaf_spec *spec, int64_t now)
{
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t crt = NULL, ca_crt = NULL;
    char *why = check_pair(leaf, now, &crt);
    if (why)
        return why;
    unsigned status = 0;
    if (import_cert(ca->cert, &ca_crt) < 0 ||
        gnutls_x509_crt_verify(crt, &ca_crt, 1, GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status) < 0 ||
        status)
        return xstrdup("the CA did not sign it");
    if (!has_purpose(crt, usage_oid[spec->usage]))
        return xasprintf("it is not a %s certificate",
                         spec->usage == PKI_USAGE_SERVER ? "server" : "client");
    return check_names(crt, spec);
}

/* Verifies crt against the CA for usage, at the present time; a CA certificate is no leaf. */
static int verify_crt(const char *ca_pem, gnutls_x509_crt_t crt, enum pki_usage usage,
                      orc_error_t *err)
{
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t ca = NULL;
    int rc = import_cert(ca_pem, &ca);
    if (rc < 0)
        return tls_error(err, rc, "read the CA certificate");
    unsigned is_ca = 0;
    if (gnutls_x509_crt_get_basic_constraints(crt, NULL, &is_ca, NULL) >= 0 && is_ca)
        return orc_error_make_as(err, EACCES, "the certificate is a CA's, not a leaf");
    gnutls_x509_trust_list_t list = NULL;
    rc = gnutls_x509_trust_list_init(&list, 0);
    if (rc == 0)
        rc = gnutls_x509_trust_list_add_cas(list, &ca, 1, 0);
    if (rc == 1)
        ca = NULL; /* the list owns it now */
    gnutls_typed_vdata_st purpose = {.type = GNUTLS_DT_KEY_PURPOSE_OID,
                                     .data = (unsigned char *) usage_oid[usage]};
    unsigned status = 0;
    if (rc >= 0)
        rc = gnutls_x509_trust_list_verify_crt2(list, &crt, 1, &purpose, 1, 0, &status, NULL);
    if (list)
        gnutls_x509_trust_list_deinit(list, 1);
    if (rc < 0)
        return tls_error(err, rc, "verify the certificate");
    if (status) {
        gnutls_datum_t text = {0};
        (void) gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0);
        _cleanup_free_ char *msg = text.data ? take_datum(&text) : xstrdup("not trusted");
        msg[strcspn(msg, "\n")] = '\0';
        for (size_t n = strlen(msg); n > 0 && msg[n - 1] == ' '; n--)
            msg[n - 1] = '\0';
        return orc_error_make_as(err, EACCES, "%s", msg);
    }
    return 0;
}

int pki_verify(const char *ca_pem, const char *cert_pem, enum pki_usage usage, orc_error_t *err)
{
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t crt = NULL;
    int rc = import_cert(cert_pem, &crt);
    if (rc < 0)
        return tls_error(err, rc, "read the certificate");
    return verify_crt(ca_pem, crt, usage, err);
}

int pki_verify_der(const char *ca_pem, const void *der, size_t len, enum pki_usage usage,
                   orc_error_t *err)
{
    _cleanup_(gnutls_x509_crt_deinitp) gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t d = {.data = (unsigned char *) der, .size = (unsigned) len};
    int rc = gnutls_x509_crt_init(&crt);
    if (rc == 0)
        rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
    if (rc < 0)
        return tls_error(err, rc, "read the certificate");
    return verify_crt(ca_pem, crt, usage, err);
}
