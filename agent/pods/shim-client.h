/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "error.h"

/*
 * Client side of the orc-shim control socket (newline-delimited JSON, see ARCHITECTURE.md).
 * The socket is non-blocking and lives in the agent's epoll set; shim_client_call() waits
 * for its own response with poll() and queues events that arrive meanwhile.
 */
struct shim_client;

int shim_client_connect(const char *socket_path, struct shim_client **ret, orc_error_t *err);
struct shim_client *shim_client_free(struct shim_client *c);
int shim_client_fd(const struct shim_client *c);

/* Sends {"op": op, ...fields} and waits (timeout_ms) for the matching response; a response
 * with ok:false becomes an error carrying the shim's message. fields is borrowed. */
int shim_client_call(struct shim_client *c, const char *op, const json_t *fields, int timeout_ms,
                     json_t **ret_response, orc_error_t *err);
/* Sends a request without waiting; its response arrives later via shim_client_next(). */
int shim_client_send(struct shim_client *c, const char *op, const json_t *fields, orc_error_t *err);

/* Reads what is available. Returns 1 when data was read, 0 on EOF (shim gone), < 0 on error. */
int shim_client_receive(struct shim_client *c, orc_error_t *err);
/* Next complete message (event or late response), or NULL. Caller owns it. */
json_t *shim_client_next(struct shim_client *c);
