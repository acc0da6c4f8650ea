/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * The credentials of a pod's imagePullSecrets, held and looked up as kubelet's credential
 * keyring does (pkg/credentialprovider, BasicDockerKeyring). Pure: no I/O.
 *
 * A Secret's payload is docker's configuration: {"auths": {KEY: ENTRY}} (.dockerconfigjson)
 * or {KEY: ENTRY} (.dockercfg), ENTRY {"auth": base64(user:password)} or {"username",
 * "password"} ("auth" wins). KEY is a registry's host[:port], with an optional scheme and
 * path: "https://127.0.0.1:5000/team/" is host "127.0.0.1:5000", path "/team/"; a path "/v1/"
 * or "/v2/" counts as none. A host part may be a glob ("*.example.org": each dot-separated part
 * matched as a shell pattern, the parts' count equal).
 *
 * An image ("127.0.0.1:5000/team/app", registry and repository) matches a key whose host
 * and port are the image's and whose path is a prefix of the image's path (a string prefix,
 * as kubelet's). Matches come most specific key first (the keys in reverse lexical order),
 * the credentials of one key in the order they were added; with none, an image of docker.io
 * takes the credentials of "index.docker.io" (docker's "https://index.docker.io/v1/").
 */
struct keyring;

struct keyring_cred {
    const char *user;
    const char *password;
};

/* At most this many credentials are looked up for one image. */
#define KEYRING_LOOKUP_MAX 16

struct keyring *keyring_new(void);
/* Frees (the credentials' memory is cleared first); NULL is fine. */
struct keyring *keyring_free(struct keyring *k);
struct keyring *keyring_copy(const struct keyring *k);
size_t keyring_size(const struct keyring *k);

/*
 * Adds a payload's entries: the text of .dockerconfigjson (config_json) or of .dockercfg.
 * -EINVAL when it is not such a document, with a message that never quotes its contents
 * (kubelet fails the pull with it); nothing is added then.
 */
int keyring_add(struct keyring *k, const char *text, size_t len, bool config_json,
                orc_error_t *err);

/* The credentials for image (registry/repository, normalised: "docker.io/library/busybox"),
 * in the order kubelet tries them, at most max; they live as long as k. */
size_t keyring_lookup(const struct keyring *k, const char *image, struct keyring_cred *ret,
                      size_t max);

/* A digest (hex) of everything k holds: equal keyrings, equal fingerprints. "" for NULL or an
 * empty keyring. Caller frees. */
char *keyring_fingerprint(const struct keyring *k);
