/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <jansson.h>

#include "error.h"

#include <stdint.h>
#include <sys/types.h>

/*
 * Client side of the orc-shim control socket (newline-delimited JSON, see ARCHITECTURE.md).
 * The loop's connection is non-blocking and lives in its epoll set: it only sends
 * (shim_client_send) and reads what arrives. A job that needs an answer opens a connection
 * of its own and waits in shim_client_call(), which queues events that arrive meanwhile.
 */
struct shim_client;

int shim_client_connect(const char *socket_path, struct shim_client **ret, orc_error_t *err);
struct shim_client *shim_client_free(struct shim_client *c);
int shim_client_fd(const struct shim_client *c);
/* The shim's pid (the socket's peer) and a SIGKILL for a shim that stopped answering. */
pid_t shim_client_pid(const struct shim_client *c);
int shim_client_kill(struct shim_client *c);

/* Sends {"op": op, ...fields} and waits for the matching response until deadline_ns
 * (CLOCK_MONOTONIC; ETIMEDOUT) or until cancel_fd (-1 = none) is readable (ECANCELED); a
 * response with ok:false becomes an error carrying the shim's message. fields is borrowed. */
int shim_client_call(struct shim_client *c, const char *op, const json_t *fields,
                     int64_t deadline_ns, int cancel_fd, json_t **ret_response, orc_error_t *err);
/* Sends a request without waiting (a shim whose socket buffer is full is not reading: an
 * error, never a wait); its response arrives later via shim_client_next(). */
int shim_client_send(struct shim_client *c, const char *op, const json_t *fields, orc_error_t *err);

/* Reads what is available. Returns 1 when data was read, 0 on EOF (shim gone), < 0 on error. */
int shim_client_receive(struct shim_client *c, orc_error_t *err);
/* Next complete message (event or late response), or NULL. Caller owns it. */
json_t *shim_client_next(struct shim_client *c);
