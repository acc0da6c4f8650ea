/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

#include "error.h"
#include "sys/pki.h"

/*
 * The API's credentials on disk, private to the user:
 *   CONFIG/pki/            0700, refused when another user's, a symlink or open to others
 *     ca.crt, ca.key       the user's CA (10 years)
 *     apiserver.crt, .key  the TCP listener's certificate: DNS localhost, IP 127.0.0.1 (1 year)
 *     client.crt, .key     kubectl's: CN = the user name, O = orc:users (1 year)
 *   CONFIG/token           64 hex digits (32 random bytes), for Authorization: Bearer
 * Every file is 0600 and written whole (temporary file, fsync, rename). What is missing is
 * made; a certificate that needs it is issued again (sys/pki.h says when), and a new CA
 * brings new leaves. A key or token file that others could read, or that is not the user's,
 * is refused: it may have been copied.
 */

#define PKI_CLIENT_ORGANIZATION "orc:users"

struct pki_store {
    struct pki_pair ca, server, client;
    char *token;
};

/* The server's and the client's certificate as they should be. */
struct pki_leaf_spec pki_store_server_spec(void);
struct pki_leaf_spec pki_store_client_spec(const char *user);

/* Loads, makes or renews everything in config_dir (the user's, made earlier) at time now;
 * user names the client certificate. Logs what it made and why. */
int pki_store_load(const char *config_dir, const char *user, int64_t now, struct pki_store *ret,
                   orc_error_t *err);
void pki_store_done(struct pki_store *s);
