/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * Certificates of the API's TCP listener (GnuTLS): a CA of the user's own, the server's
 * certificate it signs and the client certificate kubectl presents. ECDSA P-256 keys,
 * SHA-256 signatures; certificates and keys (PKCS#8) in PEM. Pure: no files, and `now`
 * (seconds since the epoch) is given, so that tests can move time. Files: sys/pki-store.h.
 */

#define PKI_DAY (24 * 60 * 60)
#define PKI_CA_LIFETIME (3650 * PKI_DAY)  /* 10 years */
#define PKI_LEAF_LIFETIME (365 * PKI_DAY) /* 1 year */
#define PKI_RENEW_BEFORE (30 * PKI_DAY)   /* issued again at start when less remains */

/* A certificate and its private key, both PEM. */
struct pki_pair {
    char *cert;
    char *key;
};
void pki_pair_done(struct pki_pair *p);

enum pki_usage {
    PKI_USAGE_SERVER, /* extended key usage serverAuth */
    PKI_USAGE_CLIENT, /* clientAuth */
    _PKI_USAGE_MAX,
    _PKI_USAGE_INVALID = -22,
};

/* What a certificate the CA signs says. */
struct pki_leaf_spec {
    enum pki_usage usage;
    const char *common_name;
    const char *organization;        /* NULL: none */
    const char *const *dns_names;    /* subject alternative names, NULL-terminated; may be NULL */
    const char *const *ip_addresses; /* IPv4 text ("127.0.0.1"), NULL-terminated; may be NULL */
};

/* A self-signed CA valid from now (less 5 minutes of clock skew) for PKI_CA_LIFETIME, which
 * may sign only leaf certificates. */
int pki_issue_ca(const char *common_name, int64_t now, struct pki_pair *ret, orc_error_t *err);
/* A leaf certificate with a new key, signed by ca, valid for PKI_LEAF_LIFETIME. */
int pki_issue(const struct pki_pair *ca, const struct pki_leaf_spec *spec, int64_t now,
              struct pki_pair *ret, orc_error_t *err);

/* Why a CA must be made anew (it does not parse, its key is not the certificate's, it is no
 * CA, it expires in less than PKI_RENEW_BEFORE), or NULL when it serves. Caller frees. */
char *pki_check_ca(const struct pki_pair *ca, int64_t now);
/* Why a leaf must be issued again (it does not parse, its key is another's, ca did not sign
 * it, it is not valid yet or expires in less than PKI_RENEW_BEFORE, or it differs from spec:
 * usage, names, addresses), or NULL when it serves. Caller frees. */
char *pki_check_leaf(const struct pki_pair *ca, const struct pki_pair *leaf,
                     const struct pki_leaf_spec *spec, int64_t now);

/* Verifies cert_pem against the CA ca_pem for usage, at the present time; a CA's own
 * certificate is refused. The message says why not (status EACCES when it is untrusted). */
int pki_verify(const char *ca_pem, const char *cert_pem, enum pki_usage usage, orc_error_t *err);
/* The same for a DER certificate, as a TLS peer presents it. */
int pki_verify_der(const char *ca_pem, const void *der, size_t len, enum pki_usage usage,
                   orc_error_t *err);
