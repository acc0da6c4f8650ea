/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The systemd user unit `orc install` writes (pure). */
/* doc_path: an absolute path, the unit's Documentation= as a file: URL (NULL: none);
 * extra: arguments for orcd (NULL-terminated, may be NULL). */
char *service_unit_text(const char *orcd_path, const char *doc_path, char *const *extra);
