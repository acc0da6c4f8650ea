/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The user's subordinate id range from /etc/subuid or /etc/subgid (shadow-utils' format:
 * "name:start:count" or "uid:start:count"): the first line of user (by name, may be NULL) or
 * id with a count above 0; both 0 when there is none (or the file cannot be read). */
void orc_subid_range(const char *file, const char *user, unsigned id, unsigned *ret_start,
                     unsigned *ret_count);
