/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/*
 * systemd's service notification protocol (sd_notify(3)), spoken directly: a datagram to
 * $NOTIFY_SOCKET. Without that variable (orcd started by hand) every call does nothing.
 */

/* Takes NOTIFY_SOCKET and WATCHDOG_* out of the environment (call first in main, before any
 * thread): children must not inherit them — runc, seeing NOTIFY_SOCKET, waits for the
 * container to send READY=1 and never returns. */
void notify_init(void);
/* Sends a state such as "READY=1", "STOPPING=1", "WATCHDOG=1" or "STATUS=...". */
void notify_send(const char *state);
/* The watchdog interval systemd asks for ($WATCHDOG_USEC, for this pid), in ns; 0 = none. */
int64_t notify_watchdog_ns(void);
