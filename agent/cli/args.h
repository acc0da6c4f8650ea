/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "cleanup.h"
#include "client.h"
#include "strv.h"

/* Pure argument handling shared by the verbs (unit-tested). */

/* The agent's socket: ORC_SOCKET, else $XDG_RUNTIME_DIR/orc/orcd.sock, else
 * /tmp/orc-UID/orcd.sock (the agent's own fallback). Caller frees. */
char *cli_socket_path(const char *orc_socket, const char *xdg_runtime_dir, unsigned uid);

/* Removes the global options (--socket, -n/--namespace, -A/--all-namespaces) from argv
 * wherever they appear, as kubectl accepts them before or after the verb; "--" ends the
 * scan. Fills c->socket (allocated), c->ns, c->all_ns. On an option without its value
 * returns -1 with *ret_bad = that option. */
int cli_take_globals(struct client *c, int *argc, char **argv, const char **ret_bad);

/* cobra's wording for a getopt failure: kind is '?' (unknown) or ':' (missing value),
 * opt the option character (0 for an unknown long option), arg the argv word.
 * "unknown flag: --x", "unknown shorthand flag: 'x' in -x", "flag needs an argument: ...".
 * Caller frees. */
char *cli_flag_error(int kind, int opt, const char *arg);

/* Pod names from "pods NAME...", "pod/NAME..." (kubectl's resource arguments).
 * Returns the number of names (0 allowed), *ret_names a NULL-terminated vector (free with
 * strv_free). Errors return -1 and *ret_msg (caller frees), in kubectl's words. */
int cli_pod_args(int argc, char *const *argv, char ***ret_names, char **ret_msg);

/* kubectl's resource names for pods: pods, pod, po. */
bool cli_is_pod_resource(const char *s);

/* --wait / --wait=true|false: returns 0/1, or -1 for anything else. */
int cli_parse_bool(const char *s);

/* A non-negative integer option value (e.g. --grace-period, --tail); -1 if invalid. */
long long cli_parse_count(const char *s);
