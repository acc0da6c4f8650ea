/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/*
 * A listening TCP socket on 127.0.0.1. Loopback ports are shared by every user of the
 * machine: when the port is taken, the error names who holds it (from /proc/net/tcp and
 * tcp6, as far as this user may see) and how to choose another.
 */

/* Binds and listens on 127.0.0.1:port (SO_REUSEADDR, never SO_REUSEPORT: no one may share
 * it). flag names the option that chooses the port, for the message. Returns the fd. */
int tcp_listen_loopback(uint16_t port, const char *flag, orc_error_t *err);

/* Who holds port, from the text of /proc/net/tcp or /proc/net/tcp6: a listening socket
 * first, else any socket bound to it. true and *ret_uid when found. Pure. */
bool tcp_port_owner_parse(const char *proc_net_tcp, uint16_t port, uid_t *ret_uid);
