/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "error.h"

struct orcd;

/*
 * The HTTP API (libmicrohttpd, one thread per connection) on the unix socket
 * $XDG_RUNTIME_DIR/orc/orcd.sock (mode 0600). Handlers open their own store connection,
 * commit, then wake the reconcile loop with orcd_wake(). Routes and shapes: ARCHITECTURE.md.
 */
struct api;

int api_start(struct orcd *o, struct api **ret, orc_error_t *err);
struct api *api_stop(struct api *a);
