/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>

#include "error.h"
#include "images/registry-manifest.h"

/*
 * A client of one repository on one registry, after the OCI distribution specification
 * (Docker Registry v2 compatible): manifests by tag or digest, blobs streamed to files with
 * size and digest verified, anonymous, basic and bearer-token authentication, transient
 * errors retried with back-off. Thread-safe: blobs may be fetched from several threads.
 */
struct registries_conf;
struct keyring;

struct registry_options {
    char **insecure; /* registries spoken to over plain HTTP (localhost always is) */
    const struct registries_conf *conf; /* registries.conf: search, mirrors, insecure */
    char **auth_files;             /* tried in order: containers-auth.json, docker's config.json */
    const char *ca_file;           /* a CA bundle for every registry; NULL = containers/certs.d
                                      (podman's per-registry ca.crt), else the system store */
    long progress_deadline_s;      /* a request that moves less than REGISTRY_MIN_SPEED this long
                                      is abandoned (retried as a transient failure); 0 = 60 s */
    const struct keyring *keyring; /* a pod's imagePullSecrets (images/keyring.h): their
                                      credentials for the image's registry are tried before
                                      the auth files'; NULL = none */
};

/* Bytes a second a request must move, averaged over the progress deadline. */
#define REGISTRY_MIN_SPEED 1024L
/* The error status of a registry that could not be reached: its name did not resolve, the
 * connection failed or timed out, or the TLS handshake failed. Other failures: ENOENT (not
 * found), EACCES (refused), ETIMEDOUT (no progress), EBADMSG (content not as described), EIO. */
#define REGISTRY_UNREACHABLE EHOSTUNREACH

struct registry_client;

int registry_client_new(const struct registry_options *opts, const char *registry,
                        const char *repository, struct registry_client **ret, orc_error_t *err);
struct registry_client *registry_client_free(struct registry_client *c);
/* The credentials to answer challenges with, instead of the auth files' (a pod's pull secret). */
void registry_client_set_credential(struct registry_client *c, const char *user,
                                    const char *password);
/* Whether it has credentials to answer a challenge with. */
bool registry_client_has_credential(const struct registry_client *c);

/* The manifest or index for a tag or digest; *ret_digest is its sha256 (verified when the
 * reference is a digest). */
int registry_get_manifest(struct registry_client *c, const char *reference, char **ret_body,
                          size_t *ret_len, char **ret_content_type, char **ret_digest,
                          orc_error_t *err);

/* Called while a blob arrives: bytes so far of the descriptor's size. */
typedef void (*registry_progress_fn)(void *arg, const struct descriptor *d, int64_t done);

/* Streams a blob into path (created); refuses it unless size and digest match d. */
int registry_get_blob(struct registry_client *c, const struct descriptor *d, const char *path,
                      registry_progress_fn progress, void *arg, orc_error_t *err);

/* Whether a registry is spoken to over HTTP: listed as insecure, or on the loopback. */
bool registry_is_insecure(const struct registry_options *opts, const char *registry);
