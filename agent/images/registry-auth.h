/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "error.h"

/* Registry authentication, the pure parts: challenges and stored credentials. */

/* The first challenge of a WWW-Authenticate header (RFC 7235), e.g.
 * Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull" */
struct auth_challenge {
    char *scheme; /* "Bearer", "Basic" (as sent) */
    char *realm, *service, *scope, *error;
};
int auth_challenge_parse(const char *header, struct auth_challenge *ret, orc_error_t *err);
void auth_challenge_done(struct auth_challenge *c);

/*
 * Credentials for a registry (host[:port]) and repository from an auth file's text
 * (containers-auth.json or docker's config.json: {"auths": {KEY: {"auth": base64(user:pass)}}}).
 * KEY may be a host, host/namespace[/...] (the longest matching one wins) or, for docker.io,
 * "https://index.docker.io/v1/". -ENOENT when the file has none.
 */
int auth_file_lookup(const char *text, size_t len, const char *registry, const char *repository,
                     char **ret_user, char **ret_password, orc_error_t *err);
