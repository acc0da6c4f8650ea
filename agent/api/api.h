/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct orcd;

/*
 * The HTTP API (libmicrohttpd, one thread per connection) on the unix socket
 * $XDG_RUNTIME_DIR/orc/orcd.sock (mode 0600) and, with TLS, on 127.0.0.1 (below). Handlers
 * open their own store connection,
 * commit, then wake the reconcile loop with orcd_wake(). Routes and shapes: ARCHITECTURE.md.
 */
struct api;

/* Serves the unix socket and, when o->tls is set, the TCP port it holds. */
int api_start(struct orcd *o, struct api **ret, orc_error_t *err);
struct api *api_stop(struct api *a);

/*
 * The TCP listener (api/tls.c): HTTPS on 127.0.0.1:--secure-port, whose every request needs
 * a client certificate of the user's CA or the user's bearer token (401 otherwise), for
 * kubectl. api_tls_open binds the port before anything else starts, so that a port another
 * process holds refuses the agent at once with a message naming it, and loads or makes the
 * certificates and token (sys/pki-store.h). *ret = NULL with --secure-port 0.
 */
struct api_tls;

#define API_TLS_PORT_BASE 16384
/* --secure-port's default: API_TLS_PORT_BASE + uid mod API_TLS_PORT_BASE, a port of its own
 * for each user (below the kernel's ephemeral range, 32768 on), and the same at every start
 * (kubectl's discovery cache is kept by host and port). */
uint16_t api_tls_default_port(uid_t uid);
int api_tls_open(struct orcd *o, struct api_tls **ret, orc_error_t *err);
struct api_tls *api_tls_free(struct api_tls *t);
